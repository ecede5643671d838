-- The support desk: tickets, their tags and their append-only events
-- (docs/desk.md). Each ticket owns two channels of kind 'ticket': the
-- conversation the requester sees and the staff-only notes channel.
--
-- SQLite flavour; keep in step with ../postgres/00006_desk.sql.

-- +goose Up
-- The last ticket number given in the workspace; the first ticket is 1001.
ALTER TABLE workspaces ADD COLUMN ticket_seq INTEGER NOT NULL DEFAULT 1000;

CREATE TABLE tickets (
    id                INTEGER PRIMARY KEY CHECK (id > 0),
    workspace_id      INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    number            INTEGER NOT NULL,
    subject           TEXT    NOT NULL DEFAULT '',
    description       TEXT    NOT NULL,
    status            TEXT    NOT NULL CHECK (status IN ('open', 'assigned', 'resolved', 'closed')),
    priority          TEXT    NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    -- 0 low … 3 urgent, so the priority sort is an index scan.
    priority_rank     INTEGER NOT NULL DEFAULT 1,
    requester_id      INTEGER NOT NULL,
    assignee_id       INTEGER,
    channel_id        INTEGER NOT NULL,
    notes_channel_id  INTEGER NOT NULL,
    reference_id      INTEGER,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    first_response_at INTEGER,
    resolved_at       INTEGER,
    closed_at         INTEGER,
    last_activity_at  INTEGER NOT NULL,
    CONSTRAINT tickets_workspace_id_key UNIQUE (workspace_id, id),
    CONSTRAINT tickets_number_key UNIQUE (workspace_id, number),
    CONSTRAINT tickets_channel_key UNIQUE (channel_id),
    CONSTRAINT tickets_notes_channel_key UNIQUE (notes_channel_id),
    CONSTRAINT tickets_channel_fkey FOREIGN KEY (workspace_id, channel_id)
        REFERENCES channels (workspace_id, id) ON DELETE CASCADE,
    CONSTRAINT tickets_notes_channel_fkey FOREIGN KEY (workspace_id, notes_channel_id)
        REFERENCES channels (workspace_id, id) ON DELETE CASCADE,
    CONSTRAINT tickets_reference_fkey FOREIGN KEY (workspace_id, reference_id)
        REFERENCES tickets (workspace_id, id),
    -- People are users; a member who leaves keeps their tickets (no
    -- membership key), but never another workspace's ticket.
    CONSTRAINT tickets_requester_fkey FOREIGN KEY (requester_id) REFERENCES users (id),
    CONSTRAINT tickets_assignee_fkey FOREIGN KEY (assignee_id) REFERENCES users (id),
    CONSTRAINT tickets_assigned_check CHECK (status <> 'assigned' OR assignee_id IS NOT NULL)
) STRICT;

-- The inbox: each sort, within the workspace, with id as the tie-breaker
-- of the cursor; the requester's "my tickets"; the assignee filter.
CREATE INDEX tickets_created_idx ON tickets (workspace_id, created_at, id);
CREATE INDEX tickets_activity_idx ON tickets (workspace_id, last_activity_at, id);
CREATE INDEX tickets_priority_idx ON tickets (workspace_id, priority_rank, created_at, id);
CREATE INDEX tickets_status_idx ON tickets (workspace_id, status, created_at);
CREATE INDEX tickets_requester_idx ON tickets (workspace_id, requester_id, created_at);
CREATE INDEX tickets_assignee_idx ON tickets (workspace_id, assignee_id, created_at) WHERE assignee_id IS NOT NULL;
CREATE INDEX tickets_requester_user_idx ON tickets (requester_id);
CREATE INDEX tickets_reference_idx ON tickets (workspace_id, reference_id) WHERE reference_id IS NOT NULL;

CREATE TABLE ticket_tags (
    workspace_id INTEGER NOT NULL,
    ticket_id    INTEGER NOT NULL,
    tag          TEXT    NOT NULL CHECK (length(tag) BETWEEN 1 AND 32),
    PRIMARY KEY (ticket_id, tag),
    CONSTRAINT ticket_tags_ticket_fkey FOREIGN KEY (workspace_id, ticket_id)
        REFERENCES tickets (workspace_id, id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

-- The tag filter.
CREATE INDEX ticket_tags_tag_idx ON ticket_tags (workspace_id, tag);

CREATE TABLE ticket_events (
    id           INTEGER PRIMARY KEY CHECK (id > 0),
    workspace_id INTEGER NOT NULL,
    ticket_id    INTEGER NOT NULL,
    actor_id     INTEGER,
    kind         TEXT    NOT NULL CHECK (kind IN ('created', 'assigned', 'unassigned', 'status', 'priority', 'tags', 'subject')),
    data         TEXT    NOT NULL DEFAULT '{}',
    created_at   INTEGER NOT NULL,
    CONSTRAINT ticket_events_ticket_fkey FOREIGN KEY (workspace_id, ticket_id)
        REFERENCES tickets (workspace_id, id) ON DELETE CASCADE
) STRICT;

CREATE INDEX ticket_events_ticket_idx ON ticket_events (ticket_id, id);

-- +goose Down
DROP TABLE ticket_events;
DROP TABLE ticket_tags;
DROP TABLE tickets;
ALTER TABLE workspaces DROP COLUMN ticket_seq;
