-- Sign-up hand-offs: a single-use code, valid for a minute, that logs the
-- new owner in on the workspace's own host (cookies do not cross hosts).
-- Only the code's hash is stored. Keep in step with the other flavour.

-- +goose Up
CREATE TABLE handoffs (
    code_hash    BYTEA  NOT NULL PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id      BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    CONSTRAINT handoffs_membership_fkey FOREIGN KEY (workspace_id, user_id)
        REFERENCES memberships (workspace_id, user_id) ON DELETE CASCADE
);

CREATE INDEX handoffs_expires_idx ON handoffs (expires_at);
CREATE INDEX handoffs_member_idx ON handoffs (workspace_id, user_id);

-- +goose Down
DROP TABLE handoffs;
