package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/relayhq/relay"
)

// MarkRead moves the user's read cursor to seq, clamped to the channel's
// last seq, and returns their membership with the recomputed counts. It
// never moves backwards: changed is false when seq is not beyond the
// cursor. ENOTFOUND if the workspace has no such channel or the user is not
// a member.
//
// The unread count is visible_count − read_visible, so the cursor carries
// read_visible: the timeline position of the last visible message at or
// before seq, one probe of messages_visible_idx. No lock is needed: the
// messages up to the channel's last seq never change position, and the
// conditional UPDATE keeps the cursor monotonic against a concurrent
// MarkRead or post.
func (db *DB) MarkRead(ctx context.Context, workspaceID, channelID, userID relay.ID, seq int64) (*relay.ChannelMember, bool, error) {
	var m *relay.ChannelMember
	var changed bool
	err := db.update(ctx, "mark read", func(tx *sql.Tx) error {
		var last int64
		err := tx.QueryRowContext(ctx, `SELECT last_seq FROM channels WHERE workspace_id = $1 AND id = $2`,
			workspaceID, channelID).Scan(&last)
		if err != nil {
			return notFound("channel", err, msgChannelNotFound)
		}
		if seq = min(seq, last); seq > 0 {
			var visible int64
			err := tx.QueryRowContext(ctx, `SELECT visible_pos FROM messages
				WHERE channel_id = $1 AND seq <= $2 AND visible_pos IS NOT NULL
				ORDER BY seq DESC LIMIT 1`, channelID, seq).Scan(&visible)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("visible position: %w", err)
			}
			res, err := tx.ExecContext(ctx, `UPDATE channel_members SET last_read_seq = $4, read_visible = $5
				WHERE workspace_id = $1 AND channel_id = $2 AND user_id = $3 AND last_read_seq < $4`,
				workspaceID, channelID, userID, seq, visible)
			if err != nil {
				return fmt.Errorf("update: %w", err)
			}
			n, err := rowsAffected(res)
			if err != nil {
				return err
			}
			changed = n == 1
		}
		m, err = channelMember(ctx, tx, workspaceID, channelID, userID)
		return err
	})
	if err != nil {
		return nil, false, err
	}
	return m, changed, nil
}
