package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/relayhq/relay"
)

const msgCustomerSignupOff = "This workspace does not allow signing up: ask for an invitation."

// SignupCustomer, in one transaction: checks the workspace allows customer
// self-sign-up (EFORBIDDEN otherwise; ENOTFOUND if there is no such
// workspace), inserts u when createUser is true (ECONFLICT if the email is
// taken), adds u's membership with RoleCustomer at now (ECONFLICT if u is
// already a member) and stores the session s. Customers join no channels.
func (db *DB) SignupCustomer(ctx context.Context, workspaceID relay.ID, u *relay.User, createUser bool, s *relay.Session, now time.Time) (*relay.Membership, error) {
	var m *relay.Membership
	err := db.update(ctx, "sign up customer", func(tx *sql.Tx) error {
		var open bool
		err := tx.QueryRowContext(ctx, `SELECT customer_signup FROM workspaces WHERE id = $1`, workspaceID).Scan(&open)
		if err != nil {
			return notFound("workspace", err, msgWorkspaceNotFound)
		}
		if !open {
			return relay.Errorf(relay.EFORBIDDEN, "%s", msgCustomerSignupOff)
		}
		if createUser {
			if err := insertUser(ctx, tx, u); err != nil {
				return err
			}
		}
		m = &relay.Membership{WorkspaceID: workspaceID, UserID: u.ID, Role: relay.RoleCustomer, CreatedAt: now}
		if err := insertMembership(ctx, tx, m); err != nil {
			return err
		}
		return insertSession(ctx, tx, s)
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}
