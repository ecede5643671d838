-- Search in id order where the server has RUM (docs/architecture.md,
-- "Search"; docs/perf.md, "Search"). GIN hands out every message that holds
-- a query's words, in no order, and each is read from the heap before the
-- newest 501 can be kept: 12,000 heap pages for "pull request" at a million
-- messages. A RUM index with the id attached returns matches newest first
-- (ORDER BY id <=| …), so a search reads about as many as it keeps. RUM is
-- not part of PostgreSQL (Debian: postgresql-15-rum): when the extension is
-- available and this role may create it, the index is built here; otherwise
-- nothing happens and searches use GIN alone. `relay reindex` builds it later
-- if the extension is installed after this migration ran. The store uses it
-- only for terms outside the commonest ones (store/search_rum.go, rumFor): RUM
-- sorts a term's whole posting list first, which for a word in half the
-- messages costs more than GIN's plans.
--
-- PostgreSQL flavour; keep in step with ../sqlite/00013_search_index.sql
-- (SQLite queues ids for its FTS5 indexes instead, which are in id order).

-- +goose Up
-- +goose StatementBegin
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'rum') THEN
        RAISE NOTICE 'the rum extension is not installed: search uses GIN only';
        RETURN;
    END IF;
    BEGIN
        CREATE EXTENSION IF NOT EXISTS rum;
    EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE 'this role may not create the rum extension: search uses GIN only';
        RETURN;
    END;
    CREATE INDEX IF NOT EXISTS messages_search_rum_idx ON messages
        USING rum (search_words rum_tsvector_addon_ops, id) WITH (attach = 'id', to = 'search_words')
        WHERE deleted_at IS NULL;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP INDEX IF EXISTS messages_search_rum_idx;
