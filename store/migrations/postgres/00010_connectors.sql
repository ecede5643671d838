-- Connectors (LINE, Discord, webhooks), the outside people and
-- conversations they bring, the durable outbox that carries replies and
-- events back out, outgoing webhook subscriptions with their delivery log,
-- incoming webhook URLs, and message attachments (docs/connectors.md).
--
-- PostgreSQL flavour; keep in step with ../sqlite/00010_connectors.sql.

-- +goose Up
CREATE TABLE connectors (
    id            BIGINT PRIMARY KEY CHECK (id > 0),
    workspace_id  BIGINT  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    type          TEXT    NOT NULL CHECK (type IN ('line', 'discord', 'webhook')),
    name          TEXT    NOT NULL,
    model         TEXT    NOT NULL DEFAULT '' CHECK (model IN ('', 'own', 'shared')),
    status        TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'error', 'disabled')),
    last_error    TEXT    NOT NULL DEFAULT '',
    last_error_at BIGINT,
    external_id   TEXT    NOT NULL DEFAULT '',
    join_code     TEXT    NOT NULL DEFAULT '',
    config        TEXT    NOT NULL DEFAULT '{}',
    secrets       BYTEA,
    created_by    BIGINT  NOT NULL,
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL,
    CONSTRAINT connectors_workspace_id_key UNIQUE (workspace_id, id)
);
CREATE INDEX connectors_workspace_idx ON connectors (workspace_id, type);
-- One outside account (LINE channel, Discord guild) feeds one workspace.
CREATE UNIQUE INDEX connectors_external_key ON connectors (type, external_id) WHERE external_id <> '';
CREATE UNIQUE INDEX connectors_join_code_key ON connectors (join_code) WHERE join_code <> '';

CREATE TABLE contacts (
    id           BIGINT PRIMARY KEY CHECK (id > 0),
    workspace_id BIGINT NOT NULL,
    connector_id BIGINT NOT NULL,
    external_id  TEXT   NOT NULL,
    name         TEXT   NOT NULL DEFAULT '',
    avatar_url   TEXT   NOT NULL DEFAULT '',
    state        TEXT   NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'unfollowed')),
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    CONSTRAINT contacts_workspace_id_key UNIQUE (workspace_id, id),
    CONSTRAINT contacts_external_key UNIQUE (connector_id, external_id),
    CONSTRAINT contacts_connector_fkey FOREIGN KEY (workspace_id, connector_id)
        REFERENCES connectors (workspace_id, id) ON DELETE CASCADE
);
-- The shared LINE bot finds a user's workspace by the user id.
CREATE INDEX contacts_external_idx ON contacts (external_id);

CREATE TABLE conversations (
    id           BIGINT PRIMARY KEY CHECK (id > 0),
    workspace_id BIGINT NOT NULL,
    connector_id BIGINT NOT NULL,
    channel_id   BIGINT NOT NULL,
    key          TEXT   NOT NULL,
    name         TEXT   NOT NULL DEFAULT '',
    -- The contact of a one-to-one conversation (a LINE user); not a foreign key:
    -- contacts go only with their connector, and so do conversations.
    contact_id   BIGINT,
    config       TEXT   NOT NULL DEFAULT '{}',
    secrets      BYTEA,
    created_at   BIGINT NOT NULL,
    CONSTRAINT conversations_workspace_id_key UNIQUE (workspace_id, id),
    CONSTRAINT conversations_key UNIQUE (connector_id, key),
    CONSTRAINT conversations_connector_fkey FOREIGN KEY (workspace_id, connector_id)
        REFERENCES connectors (workspace_id, id) ON DELETE CASCADE,
    CONSTRAINT conversations_channel_fkey FOREIGN KEY (workspace_id, channel_id)
        REFERENCES channels (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX conversations_channel_idx ON conversations (channel_id);

-- A Relay message and its copy outside (both directions): inbound
-- redeliveries are found by the outside id, outbound edits and deletes by
-- the Relay id.
CREATE TABLE external_messages (
    workspace_id BIGINT NOT NULL,
    connector_id BIGINT NOT NULL,
    external_id  TEXT   NOT NULL,
    message_id   BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (connector_id, external_id),
    CONSTRAINT external_messages_connector_fkey FOREIGN KEY (workspace_id, connector_id)
        REFERENCES connectors (workspace_id, id) ON DELETE CASCADE,
    CONSTRAINT external_messages_message_fkey FOREIGN KEY (workspace_id, message_id)
        REFERENCES messages (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX external_messages_message_idx ON external_messages (message_id);

-- Webhook event ids already received (LINE's webhookEventId), so
-- redeliveries are ignored. Purged after a week.
CREATE TABLE hook_events (
    connector_id BIGINT NOT NULL REFERENCES connectors (id) ON DELETE CASCADE,
    event_id     TEXT   NOT NULL,
    received_at  BIGINT NOT NULL,
    PRIMARY KEY (connector_id, event_id)
);
CREATE INDEX hook_events_received_idx ON hook_events (received_at);

CREATE TABLE webhook_subscriptions (
    id           BIGINT PRIMARY KEY CHECK (id > 0),
    workspace_id BIGINT  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    url          TEXT    NOT NULL,
    -- Comma-separated, with a comma at each end: ",message.created,ticket.created,".
    events       TEXT    NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    secrets      BYTEA,
    active       BOOLEAN NOT NULL DEFAULT TRUE,
    created_by   BIGINT  NOT NULL,
    created_at   BIGINT  NOT NULL,
    CONSTRAINT webhook_subscriptions_workspace_id_key UNIQUE (workspace_id, id)
);
CREATE INDEX webhook_subscriptions_workspace_idx ON webhook_subscriptions (workspace_id) WHERE active;

-- One row per delivery to make. Rows are written in the transaction of the
-- change that needs them; workers claim due rows with a lease.
CREATE TABLE outbox (
    id              BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    workspace_id    BIGINT  NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL CHECK (kind IN ('message.create', 'message.update', 'message.delete', 'webhook')),
    connector_id    BIGINT,
    conversation_id BIGINT,
    subscription_id BIGINT,
    message_id      BIGINT,
    channel_id      BIGINT,
    event           TEXT    NOT NULL DEFAULT '',
    payload         TEXT    NOT NULL DEFAULT '',
    state           TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'delivered', 'dead')),
    attempts        BIGINT  NOT NULL DEFAULT 0,
    next_at         BIGINT  NOT NULL,
    lease_until     BIGINT,
    last_error      TEXT    NOT NULL DEFAULT '',
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    delivered_at    BIGINT,
    CONSTRAINT outbox_connector_fkey FOREIGN KEY (workspace_id, connector_id)
        REFERENCES connectors (workspace_id, id) ON DELETE CASCADE,
    CONSTRAINT outbox_conversation_fkey FOREIGN KEY (workspace_id, conversation_id)
        REFERENCES conversations (workspace_id, id) ON DELETE CASCADE,
    CONSTRAINT outbox_subscription_fkey FOREIGN KEY (workspace_id, subscription_id)
        REFERENCES webhook_subscriptions (workspace_id, id) ON DELETE CASCADE
);
-- The workers' claim: due rows, oldest first.
CREATE INDEX outbox_due_idx ON outbox (next_at) WHERE state IN ('pending', 'sending');
CREATE INDEX outbox_workspace_state_idx ON outbox (workspace_id, state, id);
CREATE INDEX outbox_message_idx ON outbox (message_id) WHERE message_id IS NOT NULL;
-- Per-conversation order: a row waits for the older rows of its conversation.
CREATE INDEX outbox_conversation_idx ON outbox (conversation_id, id)
    WHERE conversation_id IS NOT NULL AND state IN ('pending', 'sending');
-- Deleting a connector, conversation or subscription deletes its rows
-- (the foreign keys cascade): without these each would scan the outbox.
CREATE INDEX outbox_connector_idx ON outbox (connector_id) WHERE connector_id IS NOT NULL;
CREATE INDEX outbox_conversation_fkey_idx ON outbox (conversation_id) WHERE conversation_id IS NOT NULL;
CREATE INDEX outbox_subscription_idx ON outbox (subscription_id) WHERE subscription_id IS NOT NULL;

CREATE TABLE webhook_deliveries (
    id              BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    workspace_id    BIGINT NOT NULL,
    subscription_id BIGINT NOT NULL,
    outbox_id       BIGINT NOT NULL,
    event           TEXT   NOT NULL,
    attempt         BIGINT NOT NULL,
    ok              BOOLEAN NOT NULL,
    response_code   BIGINT NOT NULL DEFAULT 0,
    duration_ms     BIGINT NOT NULL DEFAULT 0,
    error           TEXT   NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    CONSTRAINT webhook_deliveries_subscription_fkey FOREIGN KEY (workspace_id, subscription_id)
        REFERENCES webhook_subscriptions (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_deliveries_subscription_idx ON webhook_deliveries (subscription_id, id);

-- Incoming webhook URLs: POST /hooks/in/{token} posts into the channel. The
-- token is stored hashed.
CREATE TABLE incoming_webhooks (
    id           BIGINT PRIMARY KEY CHECK (id > 0),
    workspace_id BIGINT NOT NULL,
    channel_id   BIGINT NOT NULL,
    name         TEXT   NOT NULL,
    token_hash   BYTEA  NOT NULL UNIQUE,
    created_by   BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    CONSTRAINT incoming_webhooks_workspace_id_key UNIQUE (workspace_id, id),
    CONSTRAINT incoming_webhooks_channel_fkey FOREIGN KEY (workspace_id, channel_id)
        REFERENCES channels (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX incoming_webhooks_channel_idx ON incoming_webhooks (workspace_id, channel_id);

-- Attachments: a JSON array of relay.Attachment on the message; the bytes
-- are in the file store under attachments/<workspace>/<id>.
ALTER TABLE messages ADD COLUMN attachments TEXT NOT NULL DEFAULT '[]';
CREATE TABLE attachments (
    id           BIGINT PRIMARY KEY CHECK (id > 0),
    workspace_id BIGINT NOT NULL,
    channel_id   BIGINT NOT NULL,
    name         TEXT   NOT NULL,
    content_type TEXT   NOT NULL,
    size         BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    CONSTRAINT attachments_channel_fkey FOREIGN KEY (workspace_id, channel_id)
        REFERENCES channels (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX attachments_workspace_idx ON attachments (workspace_id, id);

-- +goose Down
DROP TABLE attachments;
ALTER TABLE messages DROP COLUMN attachments;
DROP TABLE incoming_webhooks;
DROP TABLE webhook_deliveries;
DROP TABLE outbox;
DROP TABLE webhook_subscriptions;
DROP TABLE hook_events;
DROP TABLE external_messages;
DROP TABLE conversations;
DROP TABLE contacts;
DROP TABLE connectors;
