-- The audit log and customer self-sign-up.
--
-- audit_events is append-only: the application inserts rows and lists them;
-- no statement of the store updates or deletes one (only deleting the whole
-- workspace removes its log, through the cascade). actor_id has no foreign
-- key on purpose: the record of who did something outlives their membership.
-- ip is the client address the HTTP layer determined ('' when unknown).
--
-- SQLite flavour; keep in step with ../postgres/00007_audit.sql.

-- +goose Up
CREATE TABLE audit_events (
    id           INTEGER PRIMARY KEY CHECK (id > 0),
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    actor_id     INTEGER NOT NULL DEFAULT 0,
    action       TEXT    NOT NULL,
    target_kind  TEXT    NOT NULL DEFAULT '',
    target_id    INTEGER NOT NULL DEFAULT 0,
    data         TEXT    NOT NULL DEFAULT '{}',
    ip           TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL
) STRICT;

-- Newest first (ids are time-ordered), whole log and by each filter.
CREATE INDEX audit_events_workspace_idx ON audit_events (workspace_id, id);
CREATE INDEX audit_events_action_idx ON audit_events (workspace_id, action, id);
CREATE INDEX audit_events_actor_idx ON audit_events (workspace_id, actor_id, id);
CREATE INDEX audit_events_target_idx ON audit_events (workspace_id, target_kind, target_id, id);

ALTER TABLE workspaces ADD COLUMN customer_signup INTEGER NOT NULL DEFAULT 0 CHECK (customer_signup IN (0, 1));

-- +goose Down
ALTER TABLE workspaces DROP COLUMN customer_signup;
DROP TABLE audit_events;
