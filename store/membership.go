package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/relayhq/relay"
)

const membershipColumns = `workspace_id, user_id, role, desk, created_at`

func scanMembership(row interface{ Scan(...any) error }) (*relay.Membership, error) {
	var m relay.Membership
	var created int64
	if err := row.Scan(&m.WorkspaceID, &m.UserID, &m.Role, &m.Desk, &created); err != nil {
		return nil, err
	}
	m.CreatedAt = fromMicros(created)
	return &m, nil
}

// insertMembership stores m; ECONFLICT if the user is already a member,
// ENOTFOUND if the user (or workspace) does not exist.
func insertMembership(ctx context.Context, tx *sql.Tx, m *relay.Membership) error {
	m.CreatedAt = normal(m.CreatedAt)
	_, err := tx.ExecContext(ctx, `INSERT INTO memberships (`+membershipColumns+`)
		VALUES ($1, $2, $3, $4, $5)`, m.WorkspaceID, m.UserID, m.Role, m.Desk && m.Role != relay.RoleCustomer, micros(m.CreatedAt))
	if err != nil {
		return classify("insert membership", err, on{
			primaryKeyViolation: conflict(msgAlreadyMember),
			uniqueViolation:     conflict(msgAlreadyMember),
			foreignKeyViolation: missing(msgUserNotFound),
			checkViolation:      invalid(msgBadRole),
		})
	}
	return nil
}

// Membership returns the user's membership in the workspace, or ENOTFOUND.
func (db *DB) Membership(ctx context.Context, workspaceID, userID relay.ID) (*relay.Membership, error) {
	m, err := scanMembership(db.read.QueryRowContext(ctx, `SELECT `+membershipColumns+`
		FROM memberships WHERE workspace_id = $1 AND user_id = $2`, workspaceID, userID))
	if err != nil {
		return nil, notFound("membership", err, msgMemberNotFound)
	}
	return m, nil
}

// ListMembers returns the workspace's members with their users, oldest
// first. The users' PasswordHash is left empty: a listing never needs it.
// An unknown workspace has no members (an empty list, not ENOTFOUND).
func (db *DB) ListMembers(ctx context.Context, workspaceID relay.ID) ([]relay.Member, error) {
	members, err := queryMembers(ctx, db.read, `WHERE m.workspace_id = $1 ORDER BY m.created_at, m.user_id`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	return members, nil
}

// MembersByID returns the members of the workspace among userIDs, by user
// id; ids that are not members are absent. One query per IN-list chunk,
// not one per id.
func (db *DB) MembersByID(ctx context.Context, workspaceID relay.ID, userIDs []relay.ID) (map[relay.ID]relay.Member, error) {
	out := make(map[relay.ID]relay.Member, len(userIDs))
	ids := distinctIDs(userIDs)
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), db.inListSize())]
		ids = ids[len(chunk):]
		found, err := queryMembers(ctx, db.read, `WHERE m.workspace_id = $1 AND m.user_id IN (`+placeholders(2, len(chunk))+`)`,
			append([]any{workspaceID}, idArgs(chunk)...)...)
		if err != nil {
			return nil, fmt.Errorf("members by id: %w", err)
		}
		for _, m := range found {
			out[m.User.ID] = m
		}
	}
	return out, nil
}

// queryMembers reads memberships joined with their users; where filters
// and orders "memberships m".
func queryMembers(ctx context.Context, q querier, where string, args ...any) ([]relay.Member, error) {
	rows, err := q.QueryContext(ctx, `SELECT
			u.id, u.email, u.display_name, u.avatar_url, u.superadmin, u.created_at,
			m.role, m.desk, m.created_at
		FROM memberships m
		JOIN users u ON u.id = m.user_id `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	members := []relay.Member{}
	for rows.Next() {
		var m relay.Member
		var userCreated, joined int64
		if err := rows.Scan(&m.User.ID, &m.User.Email, &m.User.DisplayName, &m.User.AvatarURL,
			&m.User.Superadmin, &userCreated, &m.Role, &m.Desk, &joined); err != nil {
			return nil, err
		}
		m.User.CreatedAt, m.At = fromMicros(userCreated), fromMicros(joined)
		members = append(members, m)
	}
	return members, rows.Err()
}

// SetRole changes a member's role. If that would leave the workspace with no
// owner it changes nothing and returns ECONFLICT. ENOTFOUND if the user is
// not a member; EINVALID for an unknown role.
func (db *DB) SetRole(ctx context.Context, workspaceID, userID relay.ID, role relay.Role) error {
	if !role.Valid() {
		return fmt.Errorf("set role: %w", invalid(msgBadRole))
	}
	return db.update(ctx, "set role", func(tx *sql.Tx) error {
		cur, err := db.lockedRole(ctx, tx, workspaceID, userID)
		if err != nil {
			return err
		}
		if cur == role {
			return nil
		}
		if cur == relay.RoleOwner {
			if err := keepsAnOwner(ctx, tx, workspaceID); err != nil {
				return err
			}
		}
		return updateRole(ctx, tx, workspaceID, userID, role)
	})
}

// SetDesk grants (desk true) or revokes the member's support-desk access
// (docs/desk.md). Customers never have it: granting it to one changes
// nothing and returns ECONFLICT (checked in the same statement, so a role
// change racing the grant cannot leave a customer with it); revoking is
// always allowed. ENOTFOUND if the user is not a member.
func (db *DB) SetDesk(ctx context.Context, workspaceID, userID relay.ID, desk bool) error {
	return db.update(ctx, "set desk", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE memberships SET desk = $3
			WHERE workspace_id = $1 AND user_id = $2 AND (NOT $3 OR role <> 'customer')`,
			workspaceID, userID, desk)
		if err != nil {
			return fmt.Errorf("update desk: %w", err)
		}
		if n, err := rowsAffected(res); err != nil {
			return err
		} else if n > 0 {
			return nil
		}
		if _, err := roleOf(ctx, tx, workspaceID, userID); err != nil {
			return err
		}
		return conflict(msgCustomerDesk)
	})
}

// RemoveMember deletes the membership, every session and API token of that
// user in that workspace and their channel memberships, with the same
// last-owner rule as SetRole. Their messages and reactions stay.
// ENOTFOUND if the user is not a member.
func (db *DB) RemoveMember(ctx context.Context, workspaceID, userID relay.ID) error {
	return db.update(ctx, "remove member", func(tx *sql.Tx) error {
		cur, err := db.lockedRole(ctx, tx, workspaceID, userID)
		if err != nil {
			return err
		}
		if cur == relay.RoleOwner {
			if err := keepsAnOwner(ctx, tx, workspaceID); err != nil {
				return err
			}
		}
		// The foreign keys from sessions and channel_members cascade too;
		// deleting explicitly keeps the contract independent of the schema.
		for _, table := range []string{"sessions", "channel_members"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE workspace_id = $1 AND user_id = $2`,
				workspaceID, userID); err != nil {
				return fmt.Errorf("delete %s: %w", table, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM memberships WHERE workspace_id = $1 AND user_id = $2`,
			workspaceID, userID); err != nil {
			return fmt.Errorf("delete membership: %w", err)
		}
		return nil
	})
}

// TransferOwnership makes to an owner and from an admin, in one transaction.
// Both must be members (ENOTFOUND otherwise); from must be an owner
// (ECONFLICT otherwise) and differ from to (EINVALID).
func (db *DB) TransferOwnership(ctx context.Context, workspaceID, from, to relay.ID) error {
	if from == to {
		return fmt.Errorf("transfer ownership: %w", invalid("Ownership can only be transferred to another member."))
	}
	return db.update(ctx, "transfer ownership", func(tx *sql.Tx) error {
		fromRole, err := db.lockedRole(ctx, tx, workspaceID, from)
		if err != nil {
			return err
		}
		if _, err := roleOf(ctx, tx, workspaceID, to); err != nil {
			return err
		}
		if fromRole != relay.RoleOwner {
			return conflict("Only an owner can transfer ownership.")
		}
		if err := updateRole(ctx, tx, workspaceID, to, relay.RoleOwner); err != nil {
			return err
		}
		return updateRole(ctx, tx, workspaceID, from, relay.RoleAdmin)
	})
}

// lockedRole locks the workspace for the rest of the transaction and returns
// the member's role. Every change to who owns a workspace takes this lock
// first, so the owner count it reads cannot change under it: on PostgreSQL
// the workspace row is locked; on SQLite the transaction already holds the
// database's one write lock.
func (db *DB) lockedRole(ctx context.Context, tx *sql.Tx, workspaceID, userID relay.ID) (relay.Role, error) {
	var id relay.ID
	if err := tx.QueryRowContext(ctx, db.lockWorkspaceSQL, workspaceID).Scan(&id); err != nil {
		return "", notFound("lock workspace", err, msgWorkspaceNotFound)
	}
	return roleOf(ctx, tx, workspaceID, userID)
}

func roleOf(ctx context.Context, tx *sql.Tx, workspaceID, userID relay.ID) (relay.Role, error) {
	var role relay.Role
	err := tx.QueryRowContext(ctx, `SELECT role FROM memberships WHERE workspace_id = $1 AND user_id = $2`,
		workspaceID, userID).Scan(&role)
	if err != nil {
		return "", notFound("membership", err, msgMemberNotFound)
	}
	return role, nil
}

// keepsAnOwner returns ECONFLICT unless the workspace has another owner
// besides the one about to stop being one.
func keepsAnOwner(ctx context.Context, tx *sql.Tx, workspaceID relay.ID) error {
	var owners int64
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM memberships WHERE workspace_id = $1 AND role = $2`,
		workspaceID, relay.RoleOwner).Scan(&owners); err != nil {
		return fmt.Errorf("count owners: %w", err)
	}
	if owners <= 1 {
		return conflict(msgLastOwner)
	}
	return nil
}

func updateRole(ctx context.Context, tx *sql.Tx, workspaceID, userID relay.ID, role relay.Role) error {
	// Customers never keep the desk grant (docs/desk.md); other roles keep
	// the flag, which only a member's access depends on.
	res, err := tx.ExecContext(ctx, `UPDATE memberships SET role = $3, desk = (desk AND $4)
		WHERE workspace_id = $1 AND user_id = $2`,
		workspaceID, userID, role, role != relay.RoleCustomer)
	if err != nil {
		return classify("update role", err, on{checkViolation: invalid(msgBadRole)})
	}
	if n, err := rowsAffected(res); err != nil {
		return err
	} else if n == 0 {
		return missing(msgMemberNotFound)
	}
	return nil
}
