-- Search (docs/api.md, "Search"; docs/architecture.md, "Search"): two GIN
-- indexes on messages, which PostgreSQL keeps in step with every insert,
-- edit, delete and purge in the same transaction.
--
-- messages_search_words_idx: a tsvector ('simple': no stemming, since
-- Relay's users write in many languages) of relay_search_prep(body):
-- accents folded (unaccent), mention markup dropped, each Chinese/Japanese/
-- Thai… character a word of its own, so one- or two-character queries
-- match as phrases. messages_search_grams_idx: pg_trgm trigrams of the
-- bodies that hold such scripts, for substrings of three or more
-- characters (ILIKE). messages_author_idx serves from: without words.
--
-- The character ranges are those of relay.Spaceless (search_text.go);
-- keep them in step. pg_trgm splits these scripts into trigrams only
-- under a UTF-8 LC_CTYPE (the default of initdb on a UTF-8 system).
--
-- PostgreSQL flavour; keep in step with ../sqlite/00012_search.sql.

-- +goose Up
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;

-- +goose StatementBegin
CREATE FUNCTION relay_search_prep(body text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT regexp_replace(
        regexp_replace(unaccent('unaccent'::regdictionary, body), '<@[0-9]+>', ' ', 'g'),
        '([\u0E00-\u0EFF\u1000-\u109F\u1100-\u11FF\u1780-\u17FF\u2E80-\u2FDF\u3040-\u31FF\u3400-\u4DBF\u4E00-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\uFF66-\uFF9F\U00020000-\U0003FFFF])',
        ' \1 ', 'g')
$$ SET search_path = public, pg_catalog;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION relay_search_words(body text) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT to_tsvector('simple'::regconfig, relay_search_prep(body))
$$ SET search_path = public, pg_catalog;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION relay_search_spaceless(body text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT body ~ '[\u0E00-\u0EFF\u1000-\u109F\u1100-\u11FF\u1780-\u17FF\u2E80-\u2FDF\u3040-\u31FF\u3400-\u4DBF\u4E00-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\uFF66-\uFF9F\U00020000-\U0003FFFF]'
$$;
-- +goose StatementEnd

CREATE INDEX messages_search_words_idx ON messages USING gin (relay_search_words(body)) WHERE deleted_at IS NULL;
CREATE INDEX messages_search_grams_idx ON messages USING gin (body gin_trgm_ops)
    WHERE deleted_at IS NULL AND relay_search_spaceless(body);
CREATE INDEX messages_author_idx ON messages (workspace_id, author_id, id);

-- +goose Down
DROP INDEX messages_author_idx;
DROP INDEX messages_search_grams_idx;
DROP INDEX messages_search_words_idx;
DROP FUNCTION relay_search_spaceless(text);
DROP FUNCTION relay_search_words(text);
DROP FUNCTION relay_search_prep(text);
