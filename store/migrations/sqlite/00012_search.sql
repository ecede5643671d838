-- Search (docs/api.md, "Search"; docs/architecture.md, "Search"): two FTS5
-- indexes over message bodies, kept in step by triggers in the same
-- transaction as every insert, edit, delete and purge, so a crash can never
-- leave the index behind the messages.
--
-- message_words: words (unicode61, case and diacritics folded) for ranking
-- Latin text; the body goes through relay_search_text (mention markup
-- dropped, each Chinese/Japanese/Thai… character a word of its own, so one-
-- or two-character queries match as phrases). Its scope column holds
-- filter tokens: c<channel>, a<author>, m<mentioned user>, and haslink.
-- message_grams: trigrams (case and diacritics folded) of the bodies that
-- hold such scripts, for substrings of three or more characters.
-- Both are contentless (the text lives in messages only) with
-- contentless_delete, so an edit or delete removes the old entry by rowid.
--
-- relay_search_text, relay_search_scope and relay_search_spaceless are Go
-- functions the store registers with the SQLite driver (store/search_sqlite.go).
--
-- SQLite flavour; keep in step with ../postgres/00012_search.sql.

-- +goose Up
CREATE VIRTUAL TABLE message_words USING fts5 (
    body, scope,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE VIRTUAL TABLE message_grams USING fts5 (
    body,
    content = '', contentless_delete = 1,
    tokenize = 'trigram remove_diacritics 1'
);

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

-- The messages already there.
INSERT INTO message_words (rowid, body, scope)
SELECT m.id, relay_search_text(m.body),
    relay_search_scope(m.channel_id, m.author_id, m.mention_ids, m.body)
FROM messages m WHERE m.deleted_at IS NULL;
INSERT INTO message_grams (rowid, body)
SELECT m.id, m.body FROM messages m WHERE m.deleted_at IS NULL AND relay_search_spaceless(m.body);

-- +goose Down
DROP TRIGGER messages_search_delete;
DROP TRIGGER messages_search_update;
DROP TRIGGER messages_search_insert;
DROP TABLE message_grams;
DROP TABLE message_words;
