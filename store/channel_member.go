package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/relayhq/relay"
)

// AddChannelMembers adds the users who are not members yet, each joined at
// now with the read cursor at the channel's last seq, and returns their ids
// in the order given. ENOTFOUND if the workspace has no such channel or a
// user is not a member of the workspace (then nobody is added).
func (db *DB) AddChannelMembers(ctx context.Context, workspaceID, channelID relay.ID, userIDs []relay.ID, now time.Time) ([]relay.ID, error) {
	users := distinctIDs(userIDs)
	added := []relay.ID{}
	err := db.update(ctx, "add channel members", func(tx *sql.Tx) error {
		// No lock: a message committed right after this read is simply
		// unread for the new members, as it should be.
		var lastSeq, visible int64
		err := tx.QueryRowContext(ctx, `SELECT last_seq, visible_count FROM channels
			WHERE workspace_id = $1 AND id = $2`, workspaceID, channelID).Scan(&lastSeq, &visible)
		if err != nil {
			return notFound("channel", err, msgChannelNotFound)
		}
		keys := make([][]any, len(users))
		for i, u := range users {
			keys[i] = []any{workspaceID, channelID, u, micros(now), lastSeq, visible}
		}
		ids, err := db.queryRows(ctx, tx, func(k int) string {
			values := make([]string, k)
			for i := range k {
				values[i] = "(" + placeholders(i*len(channelMemberCols)+1, len(channelMemberCols)) + ")"
			}
			return `INSERT INTO channel_members (` + strings.Join(channelMemberCols, ", ") + `)
				VALUES ` + strings.Join(values, ", ") + `
				ON CONFLICT (channel_id, user_id) DO NOTHING
				RETURNING user_id`
		}, keys)
		if err != nil {
			return classify("insert", err, on{foreignKeyViolation: missing(msgMemberNotFound)})
		}
		inserted := map[relay.ID]bool{}
		for _, id := range ids {
			inserted[id] = true
		}
		for _, u := range distinctIDs(userIDs) {
			if inserted[u] {
				added = append(added, u)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return added, nil
}

// joinDefaultChannels makes the user a member of the workspace's default
// channels that are not archived, with read cursors at their last seq.
func joinDefaultChannels(ctx context.Context, tx *sql.Tx, workspaceID, userID relay.ID, now time.Time) error {
	// The casts type the parameters for PostgreSQL, which has no column to
	// infer them from in a SELECT list.
	_, err := tx.ExecContext(ctx, `INSERT INTO channel_members (`+strings.Join(channelMemberCols, ", ")+`)
		SELECT workspace_id, id, CAST($2 AS BIGINT), CAST($3 AS BIGINT), last_seq, visible_count FROM channels
		WHERE workspace_id = $1 AND is_default AND NOT archived
		ON CONFLICT (channel_id, user_id) DO NOTHING`, workspaceID, userID, micros(now))
	if err != nil {
		return classify("join default channels", err, on{foreignKeyViolation: missing(msgMemberNotFound)})
	}
	return nil
}

// RemoveChannelMember removes one member; ENOTFOUND if the user is not a
// member of that channel of the workspace.
func (db *DB) RemoveChannelMember(ctx context.Context, workspaceID, channelID, userID relay.ID) error {
	return db.update(ctx, "remove channel member", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM channel_members
			WHERE workspace_id = $1 AND channel_id = $2 AND user_id = $3`, workspaceID, channelID, userID)
		if err != nil {
			return fmt.Errorf("delete: %w", err)
		}
		return oneRow(res, msgChannelMemberAbsent)
	})
}

// ChannelMember returns the user's membership of the channel with unread
// and mention counts; ENOTFOUND if they are not a member (or the workspace
// has no such channel).
func (db *DB) ChannelMember(ctx context.Context, workspaceID, channelID, userID relay.ID) (*relay.ChannelMember, error) {
	m, err := channelMember(ctx, db.read, workspaceID, channelID, userID)
	if err != nil {
		return nil, fmt.Errorf("channel member: %w", err)
	}
	return m, nil
}

func channelMember(ctx context.Context, q querier, workspaceID, channelID, userID relay.ID) (*relay.ChannelMember, error) {
	var m relay.ChannelMember
	var joined, visible int64
	err := q.QueryRowContext(ctx, `SELECT cm.channel_id, cm.user_id, cm.joined_at, cm.last_read_seq,
			cm.read_visible, c.visible_count,
			(SELECT count(*) FROM mentions mn WHERE mn.channel_id = cm.channel_id AND mn.user_id IN (cm.user_id, 0)
				AND mn.seq > cm.last_read_seq AND mn.author_id <> cm.user_id)
		FROM channel_members cm JOIN channels c ON c.id = cm.channel_id
		WHERE cm.workspace_id = $1 AND cm.channel_id = $2 AND cm.user_id = $3`,
		workspaceID, channelID, userID).Scan(&m.ChannelID, &m.UserID, &joined, &m.LastReadSeq,
		&m.ReadVisible, &visible, &m.MentionCount)
	if err != nil {
		return nil, notFound("channel member", err, msgChannelMemberAbsent)
	}
	m.JoinedAt = fromMicros(joined)
	m.UnreadCount = max(0, visible-m.ReadVisible)
	return &m, nil
}

// ListChannelMembers returns the users who are members of the channel,
// ordered by display name (case-insensitively, then by id), without their
// password hashes; never nil. ENOTFOUND if the workspace has no such channel.
func (db *DB) ListChannelMembers(ctx context.Context, workspaceID, channelID relay.ID) ([]relay.User, error) {
	// The LEFT JOINs return one row of NULLs for a channel without members,
	// and no row at all for a channel that is not there.
	rows, err := db.read.QueryContext(ctx, `SELECT u.id, u.email, u.display_name, u.avatar_url,
			u.superadmin, u.created_at
		FROM channels c
		LEFT JOIN channel_members cm ON cm.channel_id = c.id
		LEFT JOIN users u ON u.id = cm.user_id
		WHERE c.workspace_id = $1 AND c.id = $2`, workspaceID, channelID)
	if err != nil {
		return nil, unavailable(fmt.Errorf("list channel members: %w", err))
	}
	defer rows.Close()
	users := []relay.User{}
	found := false
	for rows.Next() {
		found = true
		var id, created sql.NullInt64
		var email, name, avatar sql.NullString
		var super sql.NullBool
		if err := rows.Scan(&id, &email, &name, &avatar, &super, &created); err != nil {
			return nil, fmt.Errorf("list channel members: %w", err)
		}
		if !id.Valid {
			continue
		}
		users = append(users, relay.User{ID: relay.ID(id.Int64), Email: email.String, DisplayName: name.String,
			AvatarURL: avatar.String, Superadmin: super.Bool, CreatedAt: fromMicros(created.Int64)})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list channel members: %w", err)
	}
	if !found {
		return nil, fmt.Errorf("list channel members: %w", missing(msgChannelNotFound))
	}
	slices.SortFunc(users, func(a, b relay.User) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a.DisplayName), strings.ToLower(b.DisplayName)),
			cmp.Compare(a.DisplayName, b.DisplayName), cmp.Compare(a.ID, b.ID))
	})
	return users, nil
}

// ChannelMemberIDs returns the ids of the channel's members, ascending;
// never nil. ENOTFOUND if the workspace has no such channel.
func (db *DB) ChannelMemberIDs(ctx context.Context, workspaceID, channelID relay.ID) ([]relay.ID, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT cm.user_id
		FROM channels c LEFT JOIN channel_members cm ON cm.channel_id = c.id
		WHERE c.workspace_id = $1 AND c.id = $2
		ORDER BY cm.user_id`, workspaceID, channelID)
	if err != nil {
		return nil, unavailable(fmt.Errorf("channel member ids: %w", err))
	}
	defer rows.Close()
	ids := []relay.ID{}
	found := false
	for rows.Next() {
		found = true
		var id sql.NullInt64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("channel member ids: %w", err)
		}
		if id.Valid {
			ids = append(ids, relay.ID(id.Int64))
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("channel member ids: %w", err)
	}
	if !found {
		return nil, fmt.Errorf("channel member ids: %w", missing(msgChannelNotFound))
	}
	return ids, nil
}
