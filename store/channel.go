package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/relayhq/relay"
)

// channelColumns are read with viewerColumns from "channels c LEFT JOIN
// channel_members cm" (cm being the viewer's membership, if any).
const channelColumns = `c.id, c.workspace_id, c.name, c.kind, c.topic, c.purpose, c.archived, c.is_default,
	c.dm_key, c.created_by, c.created_at, c.updated_at, c.last_seq, c.last_change, c.visible_count,
	c.active_at`

// viewerColumns are the member count and the viewer's read state. The
// mention count is one range scan of mentions_count_idx: mentions of the
// viewer or of everyone (user 0) after the cursor, by someone else. With no
// membership (cm NULL) the seq comparison is NULL and the count 0.
const viewerColumns = `(SELECT count(*) FROM channel_members x WHERE x.channel_id = c.id),
	cm.user_id, cm.joined_at, cm.last_read_seq, cm.read_visible,
	(SELECT count(*) FROM mentions mn WHERE mn.channel_id = c.id AND mn.user_id IN (cm.user_id, 0)
		AND mn.seq > cm.last_read_seq AND mn.author_id <> cm.user_id)`

// selectChannel reads one channel of a workspace ($1, $2) for viewer $3.
const selectChannel = `SELECT ` + channelColumns + `, ` + viewerColumns + `
	FROM channels c LEFT JOIN channel_members cm ON cm.channel_id = c.id AND cm.user_id = $3
	WHERE c.workspace_id = $1 AND c.id = $2`

// scanChannel reads channelColumns and viewerColumns; it also returns the
// channel's active_at, by which DMs are listed.
func scanChannel(row interface{ Scan(...any) error }) (*relay.Channel, int64, error) {
	var c relay.Channel
	var created, updated, active, mentions int64
	var viewer, joined, lastRead, readVisible sql.NullInt64
	if err := row.Scan(&c.ID, &c.WorkspaceID, &c.Name, &c.Kind, &c.Topic, &c.Purpose, &c.Archived, &c.Default,
		&c.DMKey, &c.CreatedBy, &created, &updated, &c.LastSeq, &c.LastChange, &c.VisibleCount,
		&active, &c.MemberCount, &viewer, &joined, &lastRead, &readVisible, &mentions); err != nil {
		return nil, 0, err
	}
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	if viewer.Valid {
		m := &relay.ChannelMember{
			ChannelID:    c.ID,
			UserID:       relay.ID(viewer.Int64),
			JoinedAt:     fromMicros(joined.Int64),
			LastReadSeq:  lastRead.Int64,
			ReadVisible:  readVisible.Int64,
			UnreadCount:  max(0, c.VisibleCount-readVisible.Int64),
			MentionCount: mentions,
		}
		c.Member = m
		c.IsMember, c.LastReadSeq, c.UnreadCount, c.MentionCount = true, m.LastReadSeq, m.UnreadCount, m.MentionCount
	}
	return &c, active, nil
}

// channelFor reads one channel with viewer's state (viewer 0: none), or ENOTFOUND.
func channelFor(ctx context.Context, q querier, workspaceID, channelID, viewer relay.ID) (*relay.Channel, error) {
	c, _, err := scanChannel(q.QueryRowContext(ctx, selectChannel, workspaceID, channelID, viewer))
	if err != nil {
		return nil, notFound("channel", err, msgChannelNotFound)
	}
	return c, nil
}

// CreateChannel inserts c with its members: c.CreatedBy (unless 0, for
// channels made by the system) and memberIDs, each joined at c.CreatedAt
// with the read cursor at 0. ECONFLICT for a taken name, or a DM whose
// DMKey exists in the workspace; ENOTFOUND if a member is not a member of
// the workspace. The counters start at 0; c's times are normalised, its
// MemberCount set, and for a DM its name cleared and DMUserIDs set.
func (db *DB) CreateChannel(ctx context.Context, c *relay.Channel, memberIDs []relay.ID) error {
	return db.update(ctx, "create channel", func(tx *sql.Tx) error {
		return db.insertChannel(ctx, tx, c, memberIDs, false)
	})
}

func (db *DB) insertChannel(ctx context.Context, tx *sql.Tx, c *relay.Channel, memberIDs []relay.ID, isDefault bool) error {
	c.Default = isDefault
	if c.Kind == relay.ChannelDM {
		if c.DMKey == "" {
			return invalid(msgDMKeyMissing)
		}
		c.Name = ""
	} else {
		c.DMKey = ""
	}
	c.CreatedAt = normal(c.CreatedAt)
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = c.CreatedAt
	}
	c.UpdatedAt = normal(c.UpdatedAt)
	c.LastSeq, c.LastChange, c.VisibleCount = 0, 0, 0
	_, err := tx.ExecContext(ctx, `INSERT INTO channels (id, workspace_id, name, kind, topic, purpose,
			archived, is_default, dm_key, created_by, created_at, updated_at, active_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $11)`,
		c.ID, c.WorkspaceID, c.Name, c.Kind, c.Topic, c.Purpose,
		c.Archived, isDefault, c.DMKey, c.CreatedBy, micros(c.CreatedAt), micros(c.UpdatedAt))
	if err != nil {
		taken := conflict(msgChannelNameTaken)
		if c.Kind == relay.ChannelDM {
			taken = conflict(msgDMExists)
		}
		return classify("insert channel", err, on{
			uniqueViolation:     taken,
			primaryKeyViolation: conflict(msgIDTaken),
			foreignKeyViolation: missing(msgWorkspaceNotFound),
			checkViolation:      invalid(msgBadChannel),
		})
	}
	members := distinctIDs(append([]relay.ID{c.CreatedBy}, memberIDs...))
	rows := make([][]any, len(members))
	for i, u := range members {
		rows[i] = []any{c.WorkspaceID, c.ID, u, micros(c.CreatedAt), 0, 0}
	}
	if err := db.insertRows(ctx, tx, "channel_members", channelMemberCols, rows); err != nil {
		return classify("insert channel members", err, on{foreignKeyViolation: missing(msgMemberNotFound)})
	}
	c.MemberCount = len(members)
	if c.Kind == relay.ChannelDM {
		c.DMUserIDs = slices.Sorted(slices.Values(members))
	}
	return nil
}

var channelMemberCols = []string{"workspace_id", "channel_id", "user_id", "joined_at", "last_read_seq", "read_visible"}

// ChannelByDMKey finds the DM of exactly that set of people, with its
// MemberCount and DMUserIDs; ENOTFOUND if there is none in the workspace.
func (db *DB) ChannelByDMKey(ctx context.Context, workspaceID relay.ID, dmKey string) (*relay.Channel, error) {
	var c *relay.Channel
	err := db.view(ctx, "channel by dm key", func(tx *sql.Tx) (err error) {
		var id relay.ID
		err = tx.QueryRowContext(ctx, `SELECT id FROM channels
			WHERE workspace_id = $1 AND kind = 'dm' AND dm_key = $2`, workspaceID, dmKey).Scan(&id)
		if err != nil {
			return notFound("find", err, msgChannelNotFound)
		}
		if c, err = channelFor(ctx, tx, workspaceID, id, 0); err != nil {
			return err
		}
		return db.fillDMUserIDs(ctx, tx, workspaceID, []*relay.Channel{c})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Channel returns one channel with MemberCount and, when viewer is a member,
// the viewer's membership and counts; ENOTFOUND if the workspace has no
// such channel.
func (db *DB) Channel(ctx context.Context, workspaceID, channelID, viewer relay.ID) (*relay.Channel, error) {
	c, err := channelFor(ctx, db.read, workspaceID, channelID, viewer)
	if err != nil {
		return nil, fmt.Errorf("channel: %w", err)
	}
	return c, nil
}

// ListChannels lists the viewer's channels and, unless f.MemberOnly, the
// public channels they have not joined, with the viewer's counts: channels
// by name (byte order, the same on both engines), then DMs, newest activity
// first, with their DMUserIDs. Never nil.
func (db *DB) ListChannels(ctx context.Context, workspaceID relay.ID, f relay.ChannelFilter) ([]relay.Channel, error) {
	type listed struct {
		c      *relay.Channel
		active int64
	}
	var all []listed
	err := db.view(ctx, "list channels", func(tx *sql.Tx) error {
		args := []any{workspaceID, f.Viewer}
		filter := ""
		if !f.IncludeArchived {
			filter += ` AND NOT c.archived`
		}
		if len(f.Kinds) > 0 {
			filter += ` AND c.kind IN (` + placeholders(len(args)+1, len(f.Kinds)) + `)`
			for _, k := range f.Kinds {
				args = append(args, k)
			}
		}
		// Two indexed queries rather than one OR: the viewer's channels by
		// channel_members_user_idx, public ones by channels_workspace_kind_idx,
		// so neither walks every DM of the workspace.
		queries := []string{`SELECT ` + channelColumns + `, ` + viewerColumns + `
			FROM channel_members cm JOIN channels c ON c.id = cm.channel_id
			WHERE cm.workspace_id = $1 AND cm.user_id = $2` + filter}
		if !f.MemberOnly && (len(f.Kinds) == 0 || slices.Contains(f.Kinds, relay.ChannelPublic)) {
			queries = append(queries, `SELECT `+channelColumns+`, `+viewerColumns+`
				FROM channels c LEFT JOIN channel_members cm ON cm.channel_id = c.id AND cm.user_id = $2
				WHERE c.workspace_id = $1 AND c.kind = 'public' AND cm.user_id IS NULL`+filter)
		}
		for _, q := range queries {
			rows, err := tx.QueryContext(ctx, q, args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				c, active, err := scanChannel(rows)
				if err != nil {
					rows.Close()
					return err
				}
				all = append(all, listed{c, active})
			}
			if err := rows.Close(); err != nil {
				return err
			}
			if err := rows.Err(); err != nil {
				return err
			}
		}
		var dms []*relay.Channel
		for _, l := range all {
			if l.c.Kind == relay.ChannelDM {
				dms = append(dms, l.c)
			}
		}
		return db.fillDMUserIDs(ctx, tx, workspaceID, dms)
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(all, func(a, b listed) int {
		aDM, bDM := a.c.Kind == relay.ChannelDM, b.c.Kind == relay.ChannelDM
		switch {
		case aDM != bDM:
			if aDM {
				return 1
			}
			return -1
		case aDM:
			return cmp.Or(cmp.Compare(b.active, a.active), cmp.Compare(a.c.ID, b.c.ID))
		}
		return cmp.Or(cmp.Compare(a.c.Name, b.c.Name), cmp.Compare(a.c.ID, b.c.ID))
	})
	out := make([]relay.Channel, len(all))
	for i, l := range all {
		out[i] = *l.c
	}
	return out, nil
}

// fillDMUserIDs sets DMUserIDs of the DMs among cs.
func (db *DB) fillDMUserIDs(ctx context.Context, q querier, workspaceID relay.ID, cs []*relay.Channel) error {
	var ids []relay.ID
	for _, c := range cs {
		if c.Kind == relay.ChannelDM {
			ids = append(ids, c.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	m, err := db.dmUserIDs(ctx, q, workspaceID, ids)
	if err != nil {
		return err
	}
	for _, c := range cs {
		if c.Kind == relay.ChannelDM {
			c.DMUserIDs = m[c.ID]
			if c.DMUserIDs == nil {
				c.DMUserIDs = []relay.ID{}
			}
		}
	}
	return nil
}

// DMUserIDs returns the members of each DM channel asked for, by channel id,
// each list in ascending id order. Ids that are not DMs of the workspace are
// left out of the map (never an error). Never nil.
func (db *DB) DMUserIDs(ctx context.Context, workspaceID relay.ID, channelIDs []relay.ID) (map[relay.ID][]relay.ID, error) {
	m, err := db.dmUserIDs(ctx, db.read, workspaceID, distinctIDs(channelIDs))
	if err != nil {
		return nil, fmt.Errorf("dm user ids: %w", err)
	}
	return m, nil
}

func (db *DB) dmUserIDs(ctx context.Context, q querier, workspaceID relay.ID, channelIDs []relay.ID) (map[relay.ID][]relay.ID, error) {
	out := map[relay.ID][]relay.ID{}
	for len(channelIDs) > 0 {
		chunk := channelIDs[:min(len(channelIDs), db.inListSize())]
		channelIDs = channelIDs[len(chunk):]
		rows, err := q.QueryContext(ctx, `SELECT cm.channel_id, cm.user_id
			FROM channel_members cm JOIN channels c ON c.id = cm.channel_id
			WHERE cm.workspace_id = $1 AND c.kind = 'dm' AND cm.channel_id IN (`+placeholders(2, len(chunk))+`)
			ORDER BY cm.channel_id, cm.user_id`, append([]any{workspaceID}, idArgs(chunk)...)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var ch, u relay.ID
			if err := rows.Scan(&ch, &u); err != nil {
				rows.Close()
				return nil, err
			}
			out[ch] = append(out[ch], u)
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// UpdateChannel applies the non-nil fields and sets updated_at to now; it
// returns the channel (without viewer state). ENOTFOUND if the workspace has
// no such channel, ECONFLICT if the new name is taken.
func (db *DB) UpdateChannel(ctx context.Context, workspaceID, channelID relay.ID, upd relay.ChannelUpdate, now time.Time) (*relay.Channel, error) {
	var c *relay.Channel
	err := db.update(ctx, "update channel", func(tx *sql.Tx) (err error) {
		res, err := tx.ExecContext(ctx, `UPDATE channels SET
			name = COALESCE($3, name),
			topic = COALESCE($4, topic),
			purpose = COALESCE($5, purpose),
			updated_at = $6
			WHERE workspace_id = $1 AND id = $2`,
			workspaceID, channelID, nullString(upd.Name), nullString(upd.Topic), nullString(upd.Purpose), micros(now))
		if err != nil {
			return classify("update", err, on{uniqueViolation: conflict(msgChannelNameTaken)})
		}
		if err := oneRow(res, msgChannelNotFound); err != nil {
			return err
		}
		c, err = channelFor(ctx, tx, workspaceID, channelID, 0)
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// SetChannelArchived archives or unarchives the channel and sets updated_at
// to now; it returns the channel (without viewer state), or ENOTFOUND.
func (db *DB) SetChannelArchived(ctx context.Context, workspaceID, channelID relay.ID, archived bool, now time.Time) (*relay.Channel, error) {
	var c *relay.Channel
	err := db.update(ctx, "set channel archived", func(tx *sql.Tx) (err error) {
		res, err := tx.ExecContext(ctx, `UPDATE channels SET archived = $3, updated_at = $4
			WHERE workspace_id = $1 AND id = $2`, workspaceID, channelID, archived, micros(now))
		if err != nil {
			return fmt.Errorf("update: %w", err)
		}
		if err := oneRow(res, msgChannelNotFound); err != nil {
			return err
		}
		c, err = channelFor(ctx, tx, workspaceID, channelID, 0)
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// DefaultChannels returns the ids of the workspace's default channels that
// are not archived, ascending; never nil.
func (db *DB) DefaultChannels(ctx context.Context, workspaceID relay.ID) ([]relay.ID, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id FROM channels
		WHERE workspace_id = $1 AND is_default AND NOT archived ORDER BY id`, workspaceID)
	if err != nil {
		return nil, unavailable(fmt.Errorf("default channels: %w", err))
	}
	ids, err := scanIDs(rows)
	if err != nil {
		return nil, fmt.Errorf("default channels: %w", err)
	}
	return ids, nil
}

// SetDefaultChannel marks a channel as joined by every new staff member.
// ENOTFOUND if the workspace has no such channel; EINVALID for a DM.
func (db *DB) SetDefaultChannel(ctx context.Context, workspaceID, channelID relay.ID) error {
	return db.update(ctx, "set default channel", func(tx *sql.Tx) error {
		var kind relay.ChannelKind
		err := tx.QueryRowContext(ctx, `SELECT kind FROM channels WHERE workspace_id = $1 AND id = $2`,
			workspaceID, channelID).Scan(&kind)
		if err != nil {
			return notFound("channel", err, msgChannelNotFound)
		}
		if kind == relay.ChannelDM {
			return invalid(msgDMNotDefault)
		}
		_, err = tx.ExecContext(ctx, `UPDATE channels SET is_default = TRUE WHERE workspace_id = $1 AND id = $2`,
			workspaceID, channelID)
		return err
	})
}

// oneRow returns ENOTFOUND with msg unless the statement changed a row.
func oneRow(res sql.Result, msg string) error {
	if n, err := rowsAffected(res); err != nil {
		return err
	} else if n == 0 {
		return missing(msg)
	}
	return nil
}

// scanIDs reads a column of ids and closes rows; never nil.
func scanIDs(rows *sql.Rows) ([]relay.ID, error) {
	defer rows.Close()
	ids := []relay.ID{}
	for rows.Next() {
		var id relay.ID
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// ChannelAccess reads what a permission check needs about a channel and
// one user — kind, flags, creator, counters and whether the user is a
// member — in one indexed lookup, without the counts Channel computes.
func (db *DB) ChannelAccess(ctx context.Context, workspaceID, channelID, userID relay.ID) (*relay.Channel, error) {
	var c relay.Channel
	var member sql.NullInt64
	err := db.read.QueryRowContext(ctx, `SELECT c.id, c.workspace_id, c.kind, c.archived, c.is_default, c.created_by,
			c.last_seq, c.last_change, cm.user_id
		FROM channels c LEFT JOIN channel_members cm ON cm.channel_id = c.id AND cm.user_id = $3
		WHERE c.workspace_id = $1 AND c.id = $2`, workspaceID, channelID, userID).Scan(
		&c.ID, &c.WorkspaceID, &c.Kind, &c.Archived, &c.Default, &c.CreatedBy, &c.LastSeq, &c.LastChange, &member)
	if err != nil {
		return nil, notFound("channel access", err, msgChannelNotFound)
	}
	c.IsMember = member.Valid
	return &c, nil
}
