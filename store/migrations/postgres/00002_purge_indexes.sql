-- Partial indexes for PurgeExpired: only rows that can expire are indexed.

-- +goose Up
CREATE INDEX sessions_expires_idx ON sessions (expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX invites_pending_expires_idx ON invites (expires_at) WHERE accepted_at IS NULL;

-- +goose Down
DROP INDEX invites_pending_expires_idx;
DROP INDEX sessions_expires_idx;
