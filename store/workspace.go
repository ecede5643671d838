package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/relayhq/relay"
)

const workspaceColumns = `id, subdomain, name, primary_color, accent_color,
	logo_key, logo_type, logo_version, created_at, updated_at, customer_signup,
	message_rate, message_burst`

// scanWorkspace reads one row of workspaceColumns. LogoURL is left empty: it
// depends on where files are served, which the store does not know.
func scanWorkspace(row interface{ Scan(...any) error }) (*relay.Workspace, error) {
	var w relay.Workspace
	var created, updated int64
	if err := row.Scan(&w.ID, &w.Subdomain, &w.Name, &w.PrimaryColor, &w.AccentColor,
		&w.LogoKey, &w.LogoType, &w.LogoVersion, &created, &updated, &w.CustomerSignup,
		&w.MessageRate, &w.MessageBurst); err != nil {
		return nil, err
	}
	w.CreatedAt, w.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &w, nil
}

// CreateWorkspace inserts w, the owner (only when createUser is true;
// otherwise owner must exist), the owner's membership with RoleOwner, the
// session s (none when s is nil) and, when general is not nil, that channel
// as a default channel with the owner as its member, all in one
// transaction. A taken subdomain or email is ECONFLICT; an owner that does
// not exist (createUser false) is ENOTFOUND. The membership's time is
// w.CreatedAt. general's WorkspaceID is set to w.ID, and its CreatedBy to
// the owner when zero. The subdomain and email are lower-cased and every
// time is normalised in the caller's structs.
func (db *DB) CreateWorkspace(ctx context.Context, w *relay.Workspace, owner *relay.User, createUser bool, s *relay.Session, general *relay.Channel) error {
	return db.update(ctx, "create workspace", func(tx *sql.Tx) error {
		if err := insertWorkspace(ctx, tx, w); err != nil {
			return err
		}
		if createUser {
			if err := insertUser(ctx, tx, owner); err != nil {
				return err
			}
		}
		m := &relay.Membership{WorkspaceID: w.ID, UserID: owner.ID, Role: relay.RoleOwner, CreatedAt: w.CreatedAt}
		if err := insertMembership(ctx, tx, m); err != nil {
			return err
		}
		if general != nil {
			general.WorkspaceID = w.ID
			if general.CreatedBy == 0 {
				general.CreatedBy = owner.ID
			}
			if err := db.insertChannel(ctx, tx, general, []relay.ID{owner.ID}, true); err != nil {
				return err
			}
		}
		if s != nil {
			return insertSession(ctx, tx, s)
		}
		return nil
	})
}

func insertWorkspace(ctx context.Context, tx *sql.Tx, w *relay.Workspace) error {
	w.Subdomain = strings.ToLower(w.Subdomain)
	w.CreatedAt, w.UpdatedAt = normal(w.CreatedAt), normal(w.UpdatedAt)
	_, err := tx.ExecContext(ctx, `INSERT INTO workspaces (`+workspaceColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		w.ID, w.Subdomain, w.Name, w.PrimaryColor, w.AccentColor,
		w.LogoKey, w.LogoType, w.LogoVersion, micros(w.CreatedAt), micros(w.UpdatedAt), w.CustomerSignup,
		w.MessageRate, w.MessageBurst)
	if err != nil {
		return classify("insert workspace", err, on{
			uniqueViolation:     conflict(msgSubdomainTaken),
			primaryKeyViolation: conflict(msgIDTaken),
		})
	}
	return nil
}

// WorkspaceByID returns the workspace, or ENOTFOUND.
func (db *DB) WorkspaceByID(ctx context.Context, id relay.ID) (*relay.Workspace, error) {
	w, err := scanWorkspace(db.read.QueryRowContext(ctx,
		`SELECT `+workspaceColumns+` FROM workspaces WHERE id = $1`, id))
	if err != nil {
		return nil, notFound("workspace by id", err, msgWorkspaceNotFound)
	}
	return w, nil
}

// WorkspaceBySubdomain returns the workspace on that subdomain (compared
// lower-cased), or ENOTFOUND.
func (db *DB) WorkspaceBySubdomain(ctx context.Context, subdomain string) (*relay.Workspace, error) {
	w, err := scanWorkspace(db.read.QueryRowContext(ctx,
		`SELECT `+workspaceColumns+` FROM workspaces WHERE subdomain = $1`, strings.ToLower(subdomain)))
	if err != nil {
		return nil, notFound("workspace by subdomain", err, msgWorkspaceNotFound)
	}
	return w, nil
}

// UpdateWorkspace applies the non-nil fields of upd and sets updated_at to
// now; it returns the updated workspace, or ENOTFOUND.
func (db *DB) UpdateWorkspace(ctx context.Context, workspaceID relay.ID, upd relay.WorkspaceUpdate, now time.Time) (*relay.Workspace, error) {
	var w *relay.Workspace
	err := db.update(ctx, "update workspace", func(tx *sql.Tx) (err error) {
		w, err = scanWorkspace(tx.QueryRowContext(ctx, `UPDATE workspaces SET
			name = COALESCE($2, name),
			primary_color = COALESCE($3, primary_color),
			accent_color = COALESCE($4, accent_color),
			customer_signup = COALESCE($6, customer_signup),
			message_rate = COALESCE($7, message_rate),
			message_burst = COALESCE($8, message_burst),
			updated_at = $5
			WHERE id = $1
			RETURNING `+workspaceColumns,
			workspaceID, nullString(upd.Name), nullString(upd.PrimaryColor), nullString(upd.AccentColor), micros(now), nullBool(upd.CustomerSignup),
			nullInt(upd.MessageRate), nullInt(upd.MessageBurst)))
		if err != nil {
			return notFound("update", err, msgWorkspaceNotFound)
		}
		return nil
	})
	return w, err
}

// SetWorkspaceLogo records the logo's file key, content type and version and
// sets updated_at to now; it returns the updated workspace, or ENOTFOUND.
func (db *DB) SetWorkspaceLogo(ctx context.Context, workspaceID relay.ID, key, contentType, version string, now time.Time) (*relay.Workspace, error) {
	var w *relay.Workspace
	err := db.update(ctx, "set workspace logo", func(tx *sql.Tx) (err error) {
		w, err = scanWorkspace(tx.QueryRowContext(ctx, `UPDATE workspaces SET
			logo_key = $2, logo_type = $3, logo_version = $4, updated_at = $5
			WHERE id = $1
			RETURNING `+workspaceColumns,
			workspaceID, key, contentType, version, micros(now)))
		if err != nil {
			return notFound("update", err, msgWorkspaceNotFound)
		}
		return nil
	})
	return w, err
}

// DeleteWorkspace removes the workspace; its memberships, sessions, tokens,
// invitations, channels and messages go with it (ON DELETE CASCADE). Users stay. ENOTFOUND if
// there is no such workspace.
func (db *DB) DeleteWorkspace(ctx context.Context, workspaceID relay.ID) error {
	return db.update(ctx, "delete workspace", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM workspaces WHERE id = $1`, workspaceID)
		if err != nil {
			return fmt.Errorf("delete: %w", err)
		}
		if n, err := rowsAffected(res); err != nil {
			return err
		} else if n == 0 {
			return missing(msgWorkspaceNotFound)
		}
		return nil
	})
}

// nullBool stores an optional flag: NULL for nil.
func nullBool(b *bool) any {
	if b == nil {
		return nil
	}
	return *b
}

// nullString stores an optional string: NULL for nil.
func nullString(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

// nullInt stores an optional integer: NULL for nil.
func nullInt(i *int) any {
	if i == nil {
		return nil
	}
	return int64(*i)
}
