-- Search indexing through a durable queue (docs/architecture.md, "Search"):
-- the triggers of 00012 wrote both FTS5 indexes in the transaction of every
-- post, and FTS5 writes a new segment of each index per transaction — a
-- third of the cost of a post under load (docs/perf.md, "Search"). Now a
-- post, edit, delete or purge only records the message's id in
-- search_queue, in the same transaction, so a crash can never lose it; the
-- store indexes the queue in batches of up to thousands of messages
-- (store/search_queue.go: shortly after writes, and before every search, so
-- a search always sees every committed message).
--
-- redo = 1: the message may be in the index already (an edit, a delete, a
-- move), so its old entry is removed before the new one is written; 0: a
-- new message, never indexed.
--
-- SQLite flavour; keep in step with ../postgres/00013_search_index.sql
-- (PostgreSQL indexes in the post transaction, with RUM where it can).

-- +goose Up
CREATE TABLE search_queue (
    id   INTEGER PRIMARY KEY,
    redo INTEGER NOT NULL DEFAULT 0
) STRICT;

DROP TRIGGER messages_search_insert;
DROP TRIGGER messages_search_update;
DROP TRIGGER messages_search_delete;

-- +goose StatementBegin
CREATE TRIGGER messages_search_insert AFTER INSERT ON messages WHEN new.deleted_at IS NULL BEGIN
    INSERT OR IGNORE INTO search_queue (id, redo) VALUES (new.id, 0);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER messages_search_update AFTER UPDATE OF body, deleted_at, mention_ids, channel_id, author_id ON messages BEGIN
    INSERT OR IGNORE INTO search_queue (id, redo) VALUES (old.id, 1);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER messages_search_delete AFTER DELETE ON messages BEGIN
    INSERT OR IGNORE INTO search_queue (id, redo) VALUES (old.id, 1);
END;
-- +goose StatementEnd

-- +goose Down
-- Rebuild both indexes from the messages (what is queued included), then
-- put back 00012's triggers.
INSERT INTO message_words (message_words) VALUES ('delete-all');
INSERT INTO message_grams (message_grams) VALUES ('delete-all');
INSERT INTO message_words (rowid, body, scope)
SELECT m.id, relay_search_text(m.body), relay_search_scope(m.channel_id, m.author_id, m.mention_ids, m.body)
FROM messages m WHERE m.deleted_at IS NULL;
INSERT INTO message_grams (rowid, body)
SELECT m.id, m.body FROM messages m WHERE m.deleted_at IS NULL AND relay_search_spaceless(m.body);

DROP TRIGGER messages_search_insert;
DROP TRIGGER messages_search_update;
DROP TRIGGER messages_search_delete;

-- +goose StatementBegin
CREATE TRIGGER messages_search_insert AFTER INSERT ON messages WHEN new.deleted_at IS NULL BEGIN
    INSERT INTO message_words (rowid, body, scope) VALUES (new.id, relay_search_text(new.body),
        relay_search_scope(new.channel_id, new.author_id, new.mention_ids, new.body));
    INSERT INTO message_grams (rowid, body) SELECT new.id, new.body WHERE relay_search_spaceless(new.body);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER messages_search_update AFTER UPDATE OF body, deleted_at, mention_ids, channel_id, author_id ON messages BEGIN
    DELETE FROM message_words WHERE rowid = old.id;
    DELETE FROM message_grams WHERE rowid = old.id;
    INSERT INTO message_words (rowid, body, scope) SELECT new.id, relay_search_text(new.body),
        relay_search_scope(new.channel_id, new.author_id, new.mention_ids, new.body)
        WHERE new.deleted_at IS NULL;
    INSERT INTO message_grams (rowid, body) SELECT new.id, new.body
        WHERE new.deleted_at IS NULL AND relay_search_spaceless(new.body);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER messages_search_delete AFTER DELETE ON messages BEGIN
    DELETE FROM message_words WHERE rowid = old.id;
    DELETE FROM message_grams WHERE rowid = old.id;
END;
-- +goose StatementEnd

DROP TABLE search_queue;
