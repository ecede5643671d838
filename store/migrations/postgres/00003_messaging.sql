-- Channels, their members and read cursors, messages, reactions, mentions,
-- and members' statuses.
--
-- PostgreSQL flavour; keep in step with ../sqlite/00003_messaging.sql.
--
-- Tenancy: every table carries workspace_id, and every link between tenant
-- rows is a composite foreign key through (workspace_id, id), so a channel
-- member, message, reaction or mention can never point into another
-- workspace. Counters live on the channel row (last_seq, last_change,
-- visible_count) and are written once per channel per PostMessages batch;
-- unread counts are visible_count − read_visible, never a scan.

-- +goose Up
CREATE TABLE channels (
    id            BIGINT PRIMARY KEY CHECK (id > 0),
    workspace_id  BIGINT  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name          TEXT    NOT NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('public', 'private', 'dm', 'ticket', 'external')),
    topic         TEXT    NOT NULL DEFAULT '',
    purpose       TEXT    NOT NULL DEFAULT '',
    archived      BOOLEAN NOT NULL DEFAULT FALSE,
    is_default    BOOLEAN NOT NULL DEFAULT FALSE,
    dm_key        TEXT    NOT NULL DEFAULT '',
    created_by    BIGINT  NOT NULL,
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL,
    -- The newest message's seq, the change counter, and how many messages
    -- show in the timeline; active_at is the newest message's time (DMs are
    -- listed by it).
    last_seq      BIGINT  NOT NULL DEFAULT 0,
    last_change   BIGINT  NOT NULL DEFAULT 0,
    visible_count BIGINT  NOT NULL DEFAULT 0,
    active_at     BIGINT  NOT NULL,
    CONSTRAINT channels_workspace_id_key UNIQUE (workspace_id, id)
);

-- DMs have no name; every other channel's name is unique in its workspace.
CREATE UNIQUE INDEX channels_name_key ON channels (workspace_id, name) WHERE kind <> 'dm';
CREATE UNIQUE INDEX channels_dm_key ON channels (workspace_id, dm_key) WHERE kind = 'dm';
-- Browsing public channels without walking every DM of the workspace.
CREATE INDEX channels_workspace_kind_idx ON channels (workspace_id, kind);
CREATE INDEX channels_default_idx ON channels (workspace_id) WHERE is_default;

-- A channel member must be a member of the workspace: removing the workspace
-- member removes their channel memberships. last_read_seq is the read
-- cursor; read_visible is the channel's visible_count at that cursor.
CREATE TABLE channel_members (
    workspace_id  BIGINT  NOT NULL,
    channel_id    BIGINT  NOT NULL,
    user_id       BIGINT  NOT NULL,
    joined_at     BIGINT  NOT NULL,
    last_read_seq BIGINT  NOT NULL DEFAULT 0,
    read_visible  BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (channel_id, user_id),
    CONSTRAINT channel_members_channel_fkey FOREIGN KEY (workspace_id, channel_id)
        REFERENCES channels (workspace_id, id) ON DELETE CASCADE,
    CONSTRAINT channel_members_membership_fkey FOREIGN KEY (workspace_id, user_id)
        REFERENCES memberships (workspace_id, user_id) ON DELETE CASCADE
);

-- "My channels", and the membership side of the key.
CREATE INDEX channel_members_user_idx ON channel_members (workspace_id, user_id);

-- visible_pos is the message's place among the channel's visible messages
-- (1, 2, …), NULL for thread replies not sent to the channel. Authors are a
-- snapshot (name, avatar) for contacts and bots; users' live names are
-- joined from users. reply_users and mention_ids are JSON arrays of ids.
CREATE TABLE messages (
    id             BIGINT PRIMARY KEY CHECK (id > 0),
    workspace_id   BIGINT  NOT NULL,
    channel_id     BIGINT  NOT NULL,
    seq            BIGINT  NOT NULL CHECK (seq > 0),
    change         BIGINT  NOT NULL,
    visible_pos    BIGINT,
    author_id      BIGINT  NOT NULL,
    author_kind    TEXT    NOT NULL CHECK (author_kind IN ('user', 'contact', 'bot', 'system')),
    author_name    TEXT    NOT NULL DEFAULT '',
    author_avatar  TEXT    NOT NULL DEFAULT '',
    source         TEXT    NOT NULL,
    body           TEXT    NOT NULL,
    parent_id      BIGINT,
    broadcast      BOOLEAN NOT NULL DEFAULT FALSE,
    reply_count    BIGINT  NOT NULL DEFAULT 0,
    last_reply_at  BIGINT,
    reply_users    TEXT    NOT NULL DEFAULT '[]',
    client_msg_id  TEXT    NOT NULL DEFAULT '',
    internal       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     BIGINT  NOT NULL,
    edited_at      BIGINT,
    deleted_at     BIGINT,
    mention_ids    TEXT    NOT NULL DEFAULT '[]',
    mention_all    BOOLEAN NOT NULL DEFAULT FALSE,
    reaction_count BIGINT  NOT NULL DEFAULT 0,
    CONSTRAINT messages_workspace_id_key UNIQUE (workspace_id, id),
    CONSTRAINT messages_channel_seq_key UNIQUE (channel_id, seq),
    CONSTRAINT messages_channel_fkey FOREIGN KEY (workspace_id, channel_id)
        REFERENCES channels (workspace_id, id) ON DELETE CASCADE,
    CONSTRAINT messages_parent_fkey FOREIGN KEY (workspace_id, parent_id)
        REFERENCES messages (workspace_id, id) ON DELETE CASCADE
);

-- ChangedSince.
CREATE INDEX messages_channel_change_idx ON messages (channel_id, change);
-- History (the timeline only) and MarkRead's visible position at a seq.
CREATE INDEX messages_visible_idx ON messages (channel_id, seq) WHERE visible_pos IS NOT NULL;
-- Idempotent sends.
CREATE UNIQUE INDEX messages_client_msg_id_key ON messages (channel_id, author_id, client_msg_id)
    WHERE client_msg_id <> '';
-- Replies, and the child side of the parent key.
CREATE INDEX messages_parent_idx ON messages (workspace_id, parent_id, seq) WHERE parent_id IS NOT NULL;

-- change is the channel's change counter when the reaction was added, and
-- emoji_change that of the oldest reaction with the same emoji still on the
-- message: emojis are listed by emoji_change (one keeps its place while
-- anyone still reacts with it), their users by change.
CREATE TABLE reactions (
    workspace_id BIGINT  NOT NULL,
    message_id   BIGINT  NOT NULL,
    user_id      BIGINT  NOT NULL,
    emoji        TEXT    NOT NULL CHECK (emoji <> ''),
    change       BIGINT  NOT NULL,
    emoji_change BIGINT  NOT NULL,
    created_at   BIGINT  NOT NULL,
    PRIMARY KEY (message_id, user_id, emoji),
    CONSTRAINT reactions_message_fkey FOREIGN KEY (workspace_id, message_id)
        REFERENCES messages (workspace_id, id) ON DELETE CASCADE
);

-- One row per mentioned user and message; user_id 0 is @channel/@here.
-- author_id and seq are copies from the message, so a mention count is one
-- range scan of mentions_count_idx (covering), never a scan of messages.
-- Deleting a message deletes its mentions.
CREATE TABLE mentions (
    workspace_id BIGINT  NOT NULL,
    channel_id   BIGINT  NOT NULL,
    message_id   BIGINT  NOT NULL,
    user_id      BIGINT  NOT NULL,
    seq          BIGINT  NOT NULL,
    author_id    BIGINT  NOT NULL,
    PRIMARY KEY (message_id, user_id),
    CONSTRAINT mentions_message_fkey FOREIGN KEY (workspace_id, message_id)
        REFERENCES messages (workspace_id, id) ON DELETE CASCADE
);

CREATE INDEX mentions_count_idx ON mentions (channel_id, user_id, seq, author_id);

-- A member's chosen presence and custom status in the workspace.
ALTER TABLE memberships ADD COLUMN status_presence TEXT NOT NULL DEFAULT 'online'
    CHECK (status_presence IN ('online', 'away', 'dnd'));
ALTER TABLE memberships ADD COLUMN status_text TEXT NOT NULL DEFAULT '';
ALTER TABLE memberships ADD COLUMN status_emoji TEXT NOT NULL DEFAULT '';
ALTER TABLE memberships ADD COLUMN status_expires_at BIGINT;

-- +goose Down
ALTER TABLE memberships DROP COLUMN status_expires_at;
ALTER TABLE memberships DROP COLUMN status_emoji;
ALTER TABLE memberships DROP COLUMN status_text;
ALTER TABLE memberships DROP COLUMN status_presence;
DROP TABLE mentions;
DROP TABLE reactions;
DROP TABLE messages;
DROP TABLE channel_members;
DROP TABLE channels;
