package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/relayhq/relay"
)

const userColumns = `id, email, display_name, avatar_url, password_hash, superadmin, created_at,
	avatar_key, avatar_type, avatar_version`

func scanUser(row interface{ Scan(...any) error }) (*relay.User, error) {
	var u relay.User
	var created int64
	if err := row.Scan(&u.ID, &u.Email, &u.DisplayName, &u.AvatarURL, &u.PasswordHash, &u.Superadmin, &created,
		&u.AvatarKey, &u.AvatarType, &u.AvatarVersion); err != nil {
		return nil, err
	}
	u.CreatedAt = fromMicros(created)
	return &u, nil
}

// insertUser stores u with its email lower-cased; a taken email is ECONFLICT.
func insertUser(ctx context.Context, tx *sql.Tx, u *relay.User) error {
	u.Email = strings.ToLower(u.Email)
	u.CreatedAt = normal(u.CreatedAt)
	_, err := tx.ExecContext(ctx, `INSERT INTO users (`+userColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		u.ID, u.Email, u.DisplayName, u.AvatarURL, u.PasswordHash, u.Superadmin, micros(u.CreatedAt),
		u.AvatarKey, u.AvatarType, u.AvatarVersion)
	if err != nil {
		return classify("insert user", err, on{
			uniqueViolation:     conflict(msgEmailTaken),
			primaryKeyViolation: conflict(msgIDTaken),
		})
	}
	return nil
}

// UserByID returns the user, or ENOTFOUND.
func (db *DB) UserByID(ctx context.Context, id relay.ID) (*relay.User, error) {
	u, err := scanUser(db.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if err != nil {
		return nil, notFound("user by id", err, msgUserNotFound)
	}
	return u, nil
}

// UserByEmail looks up by the lower-cased email; ENOTFOUND if none.
func (db *DB) UserByEmail(ctx context.Context, email string) (*relay.User, error) {
	u, err := scanUser(db.read.QueryRowContext(ctx,
		`SELECT `+userColumns+` FROM users WHERE email = $1`, strings.ToLower(email)))
	if err != nil {
		return nil, notFound("user by email", err, msgUserNotFound)
	}
	return u, nil
}

// SetUserName changes a user's display name (already validated) and returns
// the user, or ENOTFOUND. Users are global: the name shows in every
// workspace the user belongs to.
func (db *DB) SetUserName(ctx context.Context, userID relay.ID, name string) (*relay.User, error) {
	var u *relay.User
	err := db.update(ctx, "set user name", func(tx *sql.Tx) (err error) {
		u, err = scanUser(tx.QueryRowContext(ctx, `UPDATE users SET display_name = $2 WHERE id = $1
			RETURNING `+userColumns, userID, name))
		if err != nil {
			return notFound("update", err, msgUserNotFound)
		}
		return nil
	})
	return u, err
}

// SetUserAvatar records the avatar's file key, content type and version, and
// the public URL derived from them (all empty: no avatar); it returns the
// user, or ENOTFOUND.
func (db *DB) SetUserAvatar(ctx context.Context, userID relay.ID, key, contentType, version, url string) (*relay.User, error) {
	var u *relay.User
	err := db.update(ctx, "set user avatar", func(tx *sql.Tx) (err error) {
		u, err = scanUser(tx.QueryRowContext(ctx, `UPDATE users SET
			avatar_key = $2, avatar_type = $3, avatar_version = $4, avatar_url = $5
			WHERE id = $1
			RETURNING `+userColumns, userID, key, contentType, version, url))
		if err != nil {
			return notFound("update", err, msgUserNotFound)
		}
		return nil
	})
	return u, err
}

// UserWorkspaceIDs returns the ids of the workspaces the user is a member
// of, in id order; never nil.
func (db *DB) UserWorkspaceIDs(ctx context.Context, userID relay.ID) ([]relay.ID, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT workspace_id FROM memberships WHERE user_id = $1
		ORDER BY workspace_id`, userID)
	if err != nil {
		return nil, unavailable(fmt.Errorf("user workspaces: %w", err))
	}
	ids, err := scanIDs(rows)
	if err != nil {
		return nil, fmt.Errorf("user workspaces: %w", err)
	}
	return ids, nil
}
