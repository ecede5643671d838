package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/relayhq/relay"
)

const inviteColumns = `id, workspace_id, email, role, invited_by, token_hash,
	created_at, expires_at, accepted_at, accepted_by`

func scanInvite(row interface{ Scan(...any) error }) (*relay.Invite, error) {
	var inv relay.Invite
	var created, expires int64
	var accepted, acceptedBy sql.NullInt64
	if err := row.Scan(&inv.ID, &inv.WorkspaceID, &inv.Email, &inv.Role, &inv.InvitedBy, &inv.TokenHash,
		&created, &expires, &accepted, &acceptedBy); err != nil {
		return nil, err
	}
	inv.CreatedAt, inv.ExpiresAt, inv.AcceptedAt = fromMicros(created), fromMicros(expires), timePtr(accepted)
	if acceptedBy.Valid {
		id := relay.ID(acceptedBy.Int64)
		inv.AcceptedBy = &id
	}
	return &inv, nil
}

// CreateInvite stores inv with its email lower-cased. ECONFLICT if the token
// hash is already stored; ENOTFOUND if the workspace or inviting user does
// not exist; EINVALID for an unknown role.
func (db *DB) CreateInvite(ctx context.Context, inv *relay.Invite) error {
	inv.Email = strings.ToLower(inv.Email)
	inv.CreatedAt, inv.ExpiresAt, inv.AcceptedAt = normal(inv.CreatedAt), normal(inv.ExpiresAt), normalPtr(inv.AcceptedAt)
	var acceptedBy any
	if inv.AcceptedBy != nil {
		acceptedBy = *inv.AcceptedBy
	}
	return db.update(ctx, "create invite", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO invites (`+inviteColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			inv.ID, inv.WorkspaceID, inv.Email, inv.Role, inv.InvitedBy, inv.TokenHash,
			micros(inv.CreatedAt), micros(inv.ExpiresAt), nullMicros(inv.AcceptedAt), acceptedBy)
		if err != nil {
			return classify("insert", err, on{
				uniqueViolation:     conflict(msgTokenTaken),
				primaryKeyViolation: conflict(msgIDTaken),
				foreignKeyViolation: missing("The workspace or the inviting user no longer exists."),
				checkViolation:      invalid(msgBadRole),
			})
		}
		return nil
	})
}

// ListInvites returns the workspace's invitations not yet accepted
// (including expired ones), newest first; never nil.
func (db *DB) ListInvites(ctx context.Context, workspaceID relay.ID) ([]relay.Invite, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+inviteColumns+` FROM invites
		WHERE workspace_id = $1 AND accepted_at IS NULL
		ORDER BY created_at DESC, id DESC`, workspaceID)
	if err != nil {
		return nil, unavailable(fmt.Errorf("list invites: %w", err))
	}
	defer rows.Close()
	invites := []relay.Invite{}
	for rows.Next() {
		inv, err := scanInvite(rows)
		if err != nil {
			return nil, fmt.Errorf("list invites: %w", err)
		}
		invites = append(invites, *inv)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list invites: %w", err)
	}
	return invites, nil
}

// DeleteInvite revokes a pending invitation; ENOTFOUND if there is none with
// that id in the workspace, or it was already accepted.
func (db *DB) DeleteInvite(ctx context.Context, workspaceID, inviteID relay.ID) error {
	return db.update(ctx, "delete invite", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM invites
			WHERE workspace_id = $1 AND id = $2 AND accepted_at IS NULL`, workspaceID, inviteID)
		if err != nil {
			return fmt.Errorf("delete: %w", err)
		}
		if n, err := rowsAffected(res); err != nil {
			return err
		} else if n == 0 {
			return missing(msgInviteNotFound)
		}
		return nil
	})
}

// InviteByTokenHash returns the workspace's invitation with that token hash,
// whatever its state (pending, accepted or expired), or ENOTFOUND.
func (db *DB) InviteByTokenHash(ctx context.Context, workspaceID relay.ID, tokenHash []byte) (*relay.Invite, error) {
	inv, err := scanInvite(db.read.QueryRowContext(ctx, `SELECT `+inviteColumns+` FROM invites
		WHERE workspace_id = $1 AND token_hash = $2`, workspaceID, tokenHash))
	if err != nil {
		return nil, notFound("invite by token hash", err, msgInviteNotFound)
	}
	return inv, nil
}

// AcceptInvite, in one transaction: marks the invitation accepted by u only
// if it is still pending and unexpired at now (otherwise EGONE, "already
// used" or "expired", and nothing changes; ENOTFOUND if the workspace has no
// such invitation), inserts u when createUser is true (ECONFLICT if the email
// is taken), adds the membership with the invitation's role at now
// (ECONFLICT if already a member), joins the new member to the workspace's
// default channels (not archived) unless the role is customer, with read
// cursors at their last seq, and stores the session s (none when nil).
func (db *DB) AcceptInvite(ctx context.Context, workspaceID, inviteID relay.ID, u *relay.User, createUser bool, s *relay.Session, now time.Time) (*relay.Membership, error) {
	var m *relay.Membership
	err := db.update(ctx, "accept invite", func(tx *sql.Tx) error {
		// Check first, locking the row on PostgreSQL, so a used or expired
		// invitation says so before any other error: a concurrent accept
		// waits here, then sees the invitation used (410), instead of
		// racing to insert the same email (409). The conditional update
		// below is what guarantees single use.
		role, err := pendingInviteRole(ctx, tx, workspaceID, inviteID, now, db.forUpdate)
		if err != nil {
			return err
		}
		if createUser {
			if err := insertUser(ctx, tx, u); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `UPDATE invites SET accepted_at = $3, accepted_by = $4
			WHERE workspace_id = $1 AND id = $2 AND accepted_at IS NULL AND expires_at > $3`,
			workspaceID, inviteID, micros(now), u.ID)
		if err != nil {
			return classify("mark accepted", err, on{foreignKeyViolation: missing(msgUserNotFound)})
		}
		if n, err := rowsAffected(res); err != nil {
			return err
		} else if n == 0 {
			// Accepted by someone else since the check (PostgreSQL waits for
			// that transaction, then finds the row no longer matches).
			if _, err := pendingInviteRole(ctx, tx, workspaceID, inviteID, now, ""); err != nil {
				return err
			}
			return relay.Errorf(relay.EGONE, "%s", msgInviteUsed)
		}
		m = &relay.Membership{WorkspaceID: workspaceID, UserID: u.ID, Role: role, CreatedAt: now}
		if err := insertMembership(ctx, tx, m); err != nil {
			return err
		}
		if role != relay.RoleCustomer {
			if err := joinDefaultChannels(ctx, tx, workspaceID, u.ID, now); err != nil {
				return err
			}
		}
		if s != nil {
			return insertSession(ctx, tx, s)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// pendingInviteRole returns the invitation's role if it is pending and
// unexpired at now, EGONE if it was used or has expired, ENOTFOUND if the
// workspace has no such invitation.
func pendingInviteRole(ctx context.Context, tx *sql.Tx, workspaceID, inviteID relay.ID, now time.Time, lock string) (relay.Role, error) {
	var role relay.Role
	var expires int64
	var accepted sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT role, expires_at, accepted_at FROM invites
		WHERE workspace_id = $1 AND id = $2`+lock, workspaceID, inviteID).Scan(&role, &expires, &accepted)
	if err != nil {
		return "", notFound("invite", err, msgInviteNotFound)
	}
	switch {
	case accepted.Valid:
		return "", relay.Errorf(relay.EGONE, "%s", msgInviteUsed)
	case expires <= micros(now):
		return "", relay.Errorf(relay.EGONE, "%s", msgInviteExpired)
	}
	return role, nil
}
