package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/relayhq/relay"
)

// SetStatus records a member's presence choice and custom status; an empty
// presence is "online" (automatic). ENOTFOUND if the user is not a member of
// the workspace; EINVALID for an unknown presence.
func (db *DB) SetStatus(ctx context.Context, workspaceID, userID relay.ID, st relay.Status) error {
	if st.Presence == "" {
		st.Presence = relay.PresenceOnline
	}
	return db.update(ctx, "set status", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE memberships SET status_presence = $3, status_text = $4,
				status_emoji = $5, status_expires_at = $6
			WHERE workspace_id = $1 AND user_id = $2`,
			workspaceID, userID, st.Presence, st.Text, st.Emoji, nullMicros(st.ExpiresAt))
		if err != nil {
			return classify("update", err, on{checkViolation: invalid(msgBadPresence)})
		}
		return oneRow(res, msgMemberNotFound)
	})
}

// Statuses returns the statuses of the workspace's members who set one
// (a presence other than online, a text or an emoji), leaving out those
// expired at now: the expiry applies to the whole status. Never nil.
func (db *DB) Statuses(ctx context.Context, workspaceID relay.ID, now time.Time) (map[relay.ID]relay.Status, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT user_id, status_presence, status_text, status_emoji, status_expires_at
		FROM memberships
		WHERE workspace_id = $1
			AND (status_presence <> 'online' OR status_text <> '' OR status_emoji <> '')
			AND (status_expires_at IS NULL OR status_expires_at > $2)`, workspaceID, micros(now))
	if err != nil {
		return nil, unavailable(fmt.Errorf("statuses: %w", err))
	}
	defer rows.Close()
	out := map[relay.ID]relay.Status{}
	for rows.Next() {
		var id relay.ID
		var st relay.Status
		var expires sql.NullInt64
		if err := rows.Scan(&id, &st.Presence, &st.Text, &st.Emoji, &expires); err != nil {
			return nil, fmt.Errorf("statuses: %w", err)
		}
		st.ExpiresAt = timePtr(expires)
		out[id] = st
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("statuses: %w", err)
	}
	return out, nil
}

// MemberStatus returns one member's status as of now: a status expired at
// now reads as the default (presence online, no text or emoji), as it does
// in Statuses. ENOTFOUND if the user is not a member of the workspace.
func (db *DB) MemberStatus(ctx context.Context, workspaceID, userID relay.ID, now time.Time) (relay.Status, error) {
	var st relay.Status
	var expires sql.NullInt64
	err := db.read.QueryRowContext(ctx, `SELECT status_presence, status_text, status_emoji, status_expires_at
		FROM memberships WHERE workspace_id = $1 AND user_id = $2`, workspaceID, userID).
		Scan(&st.Presence, &st.Text, &st.Emoji, &expires)
	if err != nil {
		return relay.Status{}, notFound("member status", err, msgMemberNotFound)
	}
	st.ExpiresAt = timePtr(expires)
	if st.ExpiresAt != nil && !st.ExpiresAt.After(now) {
		return relay.Status{Presence: relay.PresenceOnline}, nil
	}
	return st, nil
}
