-- Search indexing through a durable queue: SQLite only (see
-- ../sqlite/00013_search_queue.sql). On PostgreSQL the words are a stored
-- generated column and the indexes are GIN, written in the post transaction
-- at a cost within the target (docs/perf.md, "Search"), so nothing changes;
-- this file keeps the two engines' version numbers in step.
--
-- PostgreSQL flavour; keep in step with ../sqlite/00013_search_queue.sql.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
