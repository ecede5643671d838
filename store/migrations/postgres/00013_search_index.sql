-- Version 13 on PostgreSQL: nothing to change in the schema. SQLite's 13
-- (../sqlite/00013_search_index.sql) queues ids for its FTS5 indexes.
-- PostgreSQL's optional RUM search index depends on an extension that may be
-- installed after any migration ran, so the store makes it at every start
-- instead (store/search_rum.go, ensureRUM), once the extension is there.
--
-- PostgreSQL flavour; keep in step with ../sqlite/00013_search_index.sql.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
