-- Search (docs/api.md, "Search"; docs/architecture.md, "Search"): a
-- stored tsvector column and two GIN indexes on messages, which PostgreSQL
-- keeps in step with every insert, edit, delete and purge in the same
-- transaction.
--
-- messages.search_words: a tsvector ('simple': no stemming, since Relay's
-- users write in many languages) of relay_search_prep(body): accents folded
-- (unaccent), mention markup dropped, each Chinese/Japanese/Thai… character
-- a word of its own, so one- or two-character queries match as phrases. It
-- is a generated column, computed once when a body is written (and only
-- then: updates of other columns keep it), so a search reads it instead of
-- computing relay_search_words again for every candidate it filters or
-- ranks, and the planner has statistics on it (docs/perf.md, "Search":
-- with the expression index, a word in most messages read every match
-- through the bitmap and ranked 500 of them at ~70 µs each).
-- messages_search_words_idx indexes it; messages_search_grams_idx holds
-- pg_trgm trigrams of the bodies that hold such scripts, for substrings of
-- three or more characters (ILIKE). messages_author_idx serves from:
-- without words.
--
-- The functions name their schemas instead of setting search_path, so
-- PostgreSQL can inline them (a SET clause forbids it and costs a
-- configuration change per call).
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
        regexp_replace(public.unaccent('public.unaccent'::regdictionary, body), '<@[0-9]+>', ' ', 'g'),
        '([\u0E00-\u0EFF\u1000-\u109F\u1100-\u11FF\u1780-\u17FF\u2E80-\u2FDF\u3040-\u31FF\u3400-\u4DBF\u4E00-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\uFF66-\uFF9F\U00020000-\U0003FFFF])',
        ' \1 ', 'g')
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION relay_search_words(body text) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT to_tsvector('simple'::regconfig, public.relay_search_prep(body))
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION relay_search_spaceless(body text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT body ~ '[\u0E00-\u0EFF\u1000-\u109F\u1100-\u11FF\u1780-\u17FF\u2E80-\u2FDF\u3040-\u31FF\u3400-\u4DBF\u4E00-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\uFF66-\uFF9F\U00020000-\U0003FFFF]'
$$;
-- +goose StatementEnd

ALTER TABLE messages ADD COLUMN search_words tsvector GENERATED ALWAYS AS (relay_search_words(body)) STORED;
CREATE INDEX messages_search_words_idx ON messages USING gin (search_words) WHERE deleted_at IS NULL;
CREATE INDEX messages_search_grams_idx ON messages USING gin (body gin_trgm_ops)
    WHERE deleted_at IS NULL AND relay_search_spaceless(body);
CREATE INDEX messages_author_idx ON messages (workspace_id, author_id, id);

-- +goose Down
DROP INDEX messages_author_idx;
DROP INDEX messages_search_grams_idx;
DROP INDEX messages_search_words_idx;
ALTER TABLE messages DROP COLUMN search_words;
DROP FUNCTION relay_search_spaceless(text);
DROP FUNCTION relay_search_words(text);
DROP FUNCTION relay_search_prep(text);
