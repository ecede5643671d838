-- Workspaces, users, memberships, sessions and invitations.
--
-- SQLite flavour: STRICT tables, INTEGER for ids (INTEGER PRIMARY KEY is the
-- rowid; ids are always given by the application, never generated here),
-- times as INTEGER microseconds since the Unix epoch (UTC), booleans as 0/1.
-- Keep in step with ../postgres/00001_accounts.sql.

-- +goose Up
CREATE TABLE workspaces (
    id            INTEGER PRIMARY KEY CHECK (id > 0),
    subdomain     TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    primary_color TEXT    NOT NULL,
    accent_color  TEXT    NOT NULL,
    logo_key      TEXT    NOT NULL DEFAULT '',
    logo_type     TEXT    NOT NULL DEFAULT '',
    logo_version  TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    CONSTRAINT workspaces_subdomain_key UNIQUE (subdomain)
) STRICT;

CREATE TABLE users (
    id            INTEGER PRIMARY KEY CHECK (id > 0),
    email         TEXT    NOT NULL,
    display_name  TEXT    NOT NULL,
    avatar_url    TEXT    NOT NULL DEFAULT '',
    password_hash TEXT    NOT NULL DEFAULT '',
    superadmin    INTEGER NOT NULL DEFAULT 0 CHECK (superadmin IN (0, 1)),
    created_at    INTEGER NOT NULL,
    CONSTRAINT users_email_key UNIQUE (email)
) STRICT;

CREATE TABLE memberships (
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role         TEXT    NOT NULL CHECK (role IN ('owner', 'admin', 'agent', 'member', 'customer')),
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
) STRICT, WITHOUT ROWID;

-- ListMembers (oldest first), the owner count of the last-owner rule, and the
-- users side of the foreign key.
CREATE INDEX memberships_workspace_created_idx ON memberships (workspace_id, created_at);
CREATE INDEX memberships_workspace_role_idx ON memberships (workspace_id, role);
CREATE INDEX memberships_user_idx ON memberships (user_id);

-- A session belongs to a membership: removing the member removes their
-- sessions, and a session can never pair a user with a workspace they are not
-- a member of.
CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY CHECK (id > 0),
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('session', 'api')),
    name         TEXT    NOT NULL DEFAULT '',
    token_hash   BLOB    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL,
    expires_at   INTEGER,
    CONSTRAINT sessions_token_hash_key UNIQUE (token_hash),
    CONSTRAINT sessions_workspace_id_key UNIQUE (workspace_id, id),
    CONSTRAINT sessions_membership_fkey FOREIGN KEY (workspace_id, user_id)
        REFERENCES memberships (workspace_id, user_id) ON DELETE CASCADE
) STRICT;

-- ListTokens (newest first), RemoveMember, and the membership side of the key.
CREATE INDEX sessions_member_idx ON sessions (workspace_id, user_id, kind, created_at);

CREATE TABLE invites (
    id           INTEGER PRIMARY KEY CHECK (id > 0),
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    email        TEXT    NOT NULL,
    role         TEXT    NOT NULL CHECK (role IN ('owner', 'admin', 'agent', 'member', 'customer')),
    invited_by   INTEGER NOT NULL REFERENCES users (id),
    token_hash   BLOB    NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    accepted_at  INTEGER,
    accepted_by  INTEGER REFERENCES users (id),
    CONSTRAINT invites_token_hash_key UNIQUE (token_hash),
    CONSTRAINT invites_workspace_id_key UNIQUE (workspace_id, id),
    CONSTRAINT invites_accepted_check CHECK ((accepted_at IS NULL) = (accepted_by IS NULL))
) STRICT;

-- ListInvites (pending, newest first) and the workspace side of the key; the
-- users side of the two user keys.
CREATE INDEX invites_workspace_created_idx ON invites (workspace_id, created_at);
CREATE INDEX invites_invited_by_idx ON invites (invited_by);
CREATE INDEX invites_accepted_by_idx ON invites (accepted_by) WHERE accepted_by IS NOT NULL;

-- +goose Down
DROP TABLE invites;
DROP TABLE sessions;
DROP TABLE memberships;
DROP TABLE users;
DROP TABLE workspaces;
