-- The support-desk grant (docs/desk.md, "Who sees what"): a member (role
-- member, internal staff without the agent role) with desk set works the
-- desk with exactly an agent's desk rights. Agents, admins and owners
-- always have the desk and customers never, whatever the flag says; the
-- app refuses to set it on a customer and clears it when a member becomes
-- one.
--
-- SQLite flavour; keep in step with ../postgres/00009_desk_grant.sql.

-- +goose Up
ALTER TABLE memberships ADD COLUMN desk INTEGER NOT NULL DEFAULT FALSE CHECK (desk IN (0, 1));

-- +goose Down
ALTER TABLE memberships DROP COLUMN desk;
