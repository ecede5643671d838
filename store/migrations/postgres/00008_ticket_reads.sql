-- Per-person read state of tickets (docs/desk.md): how far each person
-- (the requester or any staff member) has read a ticket's conversation.
--
-- Staff are not members of ticket channels, so channel_members cannot hold
-- their cursor; one table for everyone keeps a single rule for the inbox's
-- and the portal's unread marker. last_seq is the conversation seq read up
-- to and never moves backwards; read_visible is the conversation's
-- visible_count at that seq, so an unread count is visible_count −
-- read_visible, never a scan (as for channel_members). A person with no
-- row has read nothing.
--
-- PostgreSQL flavour; keep in step with ../sqlite/00008_ticket_reads.sql.

-- +goose Up
CREATE TABLE ticket_reads (
    workspace_id BIGINT  NOT NULL,
    ticket_id    BIGINT  NOT NULL,
    user_id      BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    last_seq     BIGINT  NOT NULL DEFAULT 0 CHECK (last_seq >= 0),
    read_visible BIGINT  NOT NULL DEFAULT 0 CHECK (read_visible >= 0),
    PRIMARY KEY (ticket_id, user_id),
    CONSTRAINT ticket_reads_ticket_fkey FOREIGN KEY (workspace_id, ticket_id)
        REFERENCES tickets (workspace_id, id) ON DELETE CASCADE
);

-- The user side of the key.
CREATE INDEX ticket_reads_user_idx ON ticket_reads (user_id);

-- Requesters keep what they had read through their conversation membership.
INSERT INTO ticket_reads (workspace_id, ticket_id, user_id, last_seq, read_visible)
SELECT t.workspace_id, t.id, cm.user_id, cm.last_read_seq, cm.read_visible
FROM tickets t JOIN channel_members cm ON cm.channel_id = t.channel_id AND cm.user_id = t.requester_id
WHERE cm.last_read_seq > 0;

-- +goose Down
DROP TABLE ticket_reads;
