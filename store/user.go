package store

import (
	"context"
	"database/sql"
	"strings"

	"github.com/relayhq/relay"
)

const userColumns = `id, email, display_name, avatar_url, password_hash, superadmin, created_at`

func scanUser(row interface{ Scan(...any) error }) (*relay.User, error) {
	var u relay.User
	var created int64
	if err := row.Scan(&u.ID, &u.Email, &u.DisplayName, &u.AvatarURL, &u.PasswordHash, &u.Superadmin, &created); err != nil {
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
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		u.ID, u.Email, u.DisplayName, u.AvatarURL, u.PasswordHash, u.Superadmin, micros(u.CreatedAt))
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
