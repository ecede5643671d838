-- Search words in a table partitioned by month (docs/architecture.md,
-- "Search"). 00012 kept the words as a generated column of messages with one
-- GIN index over all of them: a phrase, two CJK characters or a common word
-- in a reader's channels made PostgreSQL read every match from the heap
-- (GIN returns matches in no useful order) before keeping the newest 501 —
-- 12,000 heap pages for "pull request" at a million messages, 50-70 ms
-- (docs/perf.md, "Search"). Here the words (and, for bodies in scripts
-- without spaces, the body for trigram substrings) live in message_search,
-- partitioned by month of the message id (ids start with the milliseconds
-- since 2025-01-01, shifted left 22 bits); a search asks the newest months
-- first and stops once it has its candidates, so it reads the matches of a
-- month or two instead of all of them.
--
-- Kept in step by triggers in the writing transaction: new rows (one
-- statement per INSERT, from its transition table), edits of body, channel
-- or deletion (row by row: rare), deletes and purges (from the transition
-- table). Partitions: the migration makes those its messages need and three
-- months ahead; the store adds months ahead at start and twice a day
-- (relay_search_partitions()); a row whose month has no partition yet waits
-- in message_search_default, which the same function empties into new
-- partitions, so a post never fails for want of one.
--
-- PostgreSQL flavour; keep in step with ../sqlite/00013_search_index.sql
-- (SQLite queues the ids for its FTS5 indexes instead).

-- +goose Up
CREATE TABLE message_search (
    id           BIGINT   NOT NULL,
    workspace_id BIGINT   NOT NULL,
    channel_id   BIGINT   NOT NULL,
    words        TSVECTOR NOT NULL,
    grams        TEXT, -- the body when it holds scripts without spaces, else NULL
    PRIMARY KEY (id)
) PARTITION BY RANGE (id);
CREATE TABLE message_search_default PARTITION OF message_search DEFAULT;
CREATE INDEX message_search_words_idx ON message_search USING gin (words);
CREATE INDEX message_search_grams_idx ON message_search USING gin (grams gin_trgm_ops) WHERE grams IS NOT NULL;

-- relay_search_id_at: the smallest message id made at t (relay.IDAt).
CREATE FUNCTION relay_search_id_at(t timestamptz) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT (floor((extract(epoch FROM t) - 1735689600) * 1000)::bigint) << 22
$$;

-- relay_search_month makes the partition of the month starting at m, moving
-- into it the rows of that month that waited in the default partition.
-- +goose StatementBegin
CREATE FUNCTION relay_search_month(m timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    lo bigint := public.relay_search_id_at(m);
    hi bigint := public.relay_search_id_at(m + interval '1 month');
    part text := 'message_search_' || to_char(m AT TIME ZONE 'UTC', 'YYYY_MM');
BEGIN
    IF to_regclass(part) IS NOT NULL THEN
        RETURN;
    END IF;
    -- Several nodes may start at once: one makes the partition.
    PERFORM pg_advisory_xact_lock(hashtext('relay_search_month'));
    IF to_regclass(part) IS NOT NULL THEN
        RETURN;
    END IF;
    EXECUTE format('CREATE TABLE %I (LIKE message_search INCLUDING DEFAULTS)', part);
    EXECUTE format('WITH moved AS (DELETE FROM message_search_default WHERE id >= %s AND id < %s RETURNING *)
        INSERT INTO %I SELECT * FROM moved', lo, hi, part);
    EXECUTE format('ALTER TABLE message_search ATTACH PARTITION %I FOR VALUES FROM (%s) TO (%s)', part, lo, hi);
END
$$;
-- +goose StatementEnd

-- relay_search_partitions makes the partitions of every month that has rows
-- waiting in the default partition, of this month and of the next three.
-- +goose StatementBegin
CREATE FUNCTION relay_search_partitions() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    m timestamptz;
BEGIN
    FOR m IN
        SELECT DISTINCT date_trunc('month', timestamptz '2025-01-01 00:00:00+00' + ((id >> 22) * interval '1 millisecond'), 'UTC')
        FROM message_search_default
        UNION
        SELECT date_trunc('month', now(), 'UTC') + n * interval '1 month' FROM generate_series(0, 3) n
        ORDER BY 1
    LOOP
        PERFORM public.relay_search_month(m);
    END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION relay_search_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO message_search (id, workspace_id, channel_id, words, grams)
    SELECT n.id, n.workspace_id, n.channel_id, public.relay_search_words(n.body),
        CASE WHEN public.relay_search_spaceless(n.body) THEN n.body END
    FROM new_rows n WHERE n.deleted_at IS NULL;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION relay_search_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM message_search WHERE id = old.id;
    IF new.deleted_at IS NULL THEN
        INSERT INTO message_search (id, workspace_id, channel_id, words, grams)
        VALUES (new.id, new.workspace_id, new.channel_id, public.relay_search_words(new.body),
            CASE WHEN public.relay_search_spaceless(new.body) THEN new.body END);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION relay_search_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM message_search s USING old_rows o WHERE s.id = o.id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER messages_search_insert AFTER INSERT ON messages
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION relay_search_inserted();
CREATE TRIGGER messages_search_update AFTER UPDATE ON messages FOR EACH ROW
    WHEN (old.body IS DISTINCT FROM new.body OR old.deleted_at IS DISTINCT FROM new.deleted_at
        OR old.channel_id <> new.channel_id OR old.workspace_id <> new.workspace_id)
    EXECUTE FUNCTION relay_search_updated();
CREATE TRIGGER messages_search_delete AFTER DELETE ON messages
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION relay_search_deleted();

-- The messages already there, then their months' partitions.
INSERT INTO message_search (id, workspace_id, channel_id, words, grams)
SELECT m.id, m.workspace_id, m.channel_id, m.search_words,
    CASE WHEN relay_search_spaceless(m.body) THEN m.body END
FROM messages m WHERE m.deleted_at IS NULL;
SELECT relay_search_partitions();

DROP INDEX messages_search_grams_idx;
DROP INDEX messages_search_words_idx;
ALTER TABLE messages DROP COLUMN search_words;

-- +goose Down
ALTER TABLE messages ADD COLUMN search_words tsvector GENERATED ALWAYS AS (relay_search_words(body)) STORED;
CREATE INDEX messages_search_words_idx ON messages USING gin (search_words) WHERE deleted_at IS NULL;
CREATE INDEX messages_search_grams_idx ON messages USING gin (body gin_trgm_ops)
    WHERE deleted_at IS NULL AND relay_search_spaceless(body);
DROP TRIGGER messages_search_delete ON messages;
DROP TRIGGER messages_search_update ON messages;
DROP TRIGGER messages_search_insert ON messages;
DROP FUNCTION relay_search_deleted();
DROP FUNCTION relay_search_updated();
DROP FUNCTION relay_search_inserted();
DROP FUNCTION relay_search_partitions();
DROP FUNCTION relay_search_month(timestamptz);
DROP FUNCTION relay_search_id_at(timestamptz);
DROP TABLE message_search;
