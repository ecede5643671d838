-- User avatars: the file key, sniffed content type and version of the
-- uploaded image, as for workspace logos. avatar_url (from 00001) holds the
-- versioned public URL the app derives from them, so every query that shows a
-- user (members, message authors) reads it without knowing the format.
--
-- PostgreSQL flavour; keep in step with ../sqlite/00005_avatars.sql.

-- +goose Up
ALTER TABLE users ADD COLUMN avatar_key TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN avatar_type TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN avatar_version TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE users DROP COLUMN avatar_version;
ALTER TABLE users DROP COLUMN avatar_type;
ALTER TABLE users DROP COLUMN avatar_key;
