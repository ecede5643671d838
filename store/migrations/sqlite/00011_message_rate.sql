-- The per-user message rate limit of a workspace (docs/api.md, "Message
-- rate"): each member may post message_rate messages a second sustained,
-- with bursts of up to message_burst; 0 in either turns the limit off.
-- Existing workspaces get the defaults new ones get (50 a second, bursts of
-- 200). Only owners change them.
--
-- SQLite flavour; keep in step with ../postgres/00011_message_rate.sql.

-- +goose Up
ALTER TABLE workspaces ADD COLUMN message_rate INTEGER NOT NULL DEFAULT 50 CHECK (message_rate >= 0);
ALTER TABLE workspaces ADD COLUMN message_burst INTEGER NOT NULL DEFAULT 200 CHECK (message_burst >= 0);

-- +goose Down
ALTER TABLE workspaces DROP COLUMN message_burst;
ALTER TABLE workspaces DROP COLUMN message_rate;
