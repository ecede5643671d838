package store

import (
	"context"
	"database/sql"
	"time"
)

// PurgeExpired deletes expired sessions and hand-off codes, and long-expired unaccepted
// invitations, in one transaction (see app.Store).
func (db *DB) PurgeExpired(ctx context.Context, now, inviteCutoff time.Time) (sessions, invites int64, err error) {
	err = db.update(ctx, "purge expired", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at IS NOT NULL AND expires_at <= $1`, micros(now))
		if err != nil {
			return err
		}
		if sessions, err = rowsAffected(res); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM handoffs WHERE expires_at <= $1`, micros(now)); err != nil {
			return err
		}
		res, err = tx.ExecContext(ctx, `DELETE FROM invites WHERE accepted_at IS NULL AND expires_at <= $1`, micros(inviteCutoff))
		if err != nil {
			return err
		}
		invites, err = rowsAffected(res)
		return err
	})
	return sessions, invites, err
}
