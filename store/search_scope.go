package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/relayhq/relay"
)

// SearchableChannels lists the channels a search by viewer may look in
// before the policy decides: every public and external channel of the
// workspace and every channel viewer is a member of (tickets are searched
// through their tickets). Each has its kind, name, topic, purpose,
// archived flag, IsMember and, for DMs, DMUserIDs; no counts.
func (db *DB) SearchableChannels(ctx context.Context, workspaceID, viewer relay.ID) ([]relay.Channel, error) {
	var out []*relay.Channel
	err := db.view(ctx, "searchable channels", func(tx *sql.Tx) error {
		// Two indexed queries, as ListChannels: neither walks every DM.
		for _, q := range []string{
			`SELECT c.id, c.name, c.kind, c.topic, c.purpose, c.archived, c.created_at, TRUE
			FROM channel_members cm JOIN channels c ON c.id = cm.channel_id
			WHERE cm.workspace_id = $1 AND cm.user_id = $2 AND c.kind <> 'ticket'`,
			`SELECT c.id, c.name, c.kind, c.topic, c.purpose, c.archived, c.created_at, FALSE
			FROM channels c LEFT JOIN channel_members cm ON cm.channel_id = c.id AND cm.user_id = $2
			WHERE c.workspace_id = $1 AND c.kind IN ('public', 'external') AND cm.user_id IS NULL`,
		} {
			rows, err := tx.QueryContext(ctx, q, workspaceID, viewer)
			if err != nil {
				return err
			}
			for rows.Next() {
				c := &relay.Channel{WorkspaceID: workspaceID}
				var created int64
				if err := rows.Scan(&c.ID, &c.Name, &c.Kind, &c.Topic, &c.Purpose, &c.Archived, &created, &c.IsMember); err != nil {
					rows.Close()
					return err
				}
				c.CreatedAt = fromMicros(created)
				out = append(out, c)
			}
			if err := rows.Close(); err != nil {
				return err
			}
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return db.fillDMUserIDs(ctx, tx, workspaceID, out)
	})
	if err != nil {
		return nil, err
	}
	cs := make([]relay.Channel, len(out))
	for i, c := range out {
		cs[i] = *c
	}
	return cs, nil
}

// MembersNamed finds the members a search filter names (from:@ana,
// in:@ana, mentions:@ana): whose display name, with or without its spaces,
// or (byEmail) whose email's local part is name, or whose display name
// starts with the word name; case-insensitive (ASCII case on SQLite).
func (db *DB) MembersNamed(ctx context.Context, workspaceID relay.ID, name string, byEmail bool) ([]relay.Member, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	if n == "" {
		return []relay.Member{}, nil
	}
	esc := likeEscaper.Replace(n)
	local := "" // no email is empty: matches none
	if byEmail {
		local = esc + "@%"
	}
	members, err := queryMembers(ctx, db.read, `WHERE m.workspace_id = $1 AND (lower(u.display_name) = $2
		OR replace(lower(u.display_name), ' ', '') = $2 OR lower(u.email) LIKE $3 ESCAPE '\'
		OR lower(u.display_name) LIKE $4 ESCAPE '\') ORDER BY u.display_name, u.id LIMIT 20`,
		workspaceID, n, local, esc+" %")
	if err != nil {
		return nil, fmt.Errorf("members named: %w", err)
	}
	return members, nil
}

// SearchPeople finds members whose display name (or, with Email, email)
// contains every term, case-insensitively, by display name.
func (db *DB) SearchPeople(ctx context.Context, s relay.PeopleSearch) ([]relay.Member, error) {
	var args sqlArgs
	where := []string{"m.workspace_id = " + args.add(s.WorkspaceID)}
	for _, t := range s.Terms {
		p := args.add(likePattern(t.Text))
		cond := "lower(u.display_name) LIKE " + p + ` ESCAPE '\'`
		if s.Email {
			cond = "(" + cond + " OR lower(u.email) LIKE " + p + ` ESCAPE '\')`
		}
		where = append(where, cond)
	}
	if len(s.Roles) > 0 {
		ph := make([]string, len(s.Roles))
		for i, r := range s.Roles {
			ph[i] = args.add(string(r))
		}
		where = append(where, "m.role IN ("+strings.Join(ph, ", ")+")")
	}
	limit := limitOr(s.Limit, searchLimit, searchMaxLimit)
	members, err := queryMembers(ctx, db.read, `WHERE `+strings.Join(where, " AND ")+
		fmt.Sprintf(` ORDER BY lower(u.display_name), u.id LIMIT %d OFFSET %d`, limit+1, max(s.Offset, 0)), args...)
	if err != nil {
		return nil, fmt.Errorf("search people: %w", err)
	}
	return members, nil
}

// MessagesByID returns the workspace's messages among ids (any order).
func (db *DB) MessagesByID(ctx context.Context, workspaceID relay.ID, ids []relay.ID) ([]relay.Message, error) {
	ids = distinctIDs(ids)
	if len(ids) == 0 {
		return []relay.Message{}, nil
	}
	if len(ids) > db.inListSize() {
		ids = ids[:db.inListSize()]
	}
	msgs, err := db.queryMessages(ctx, db.read, selectMessages+` WHERE m.workspace_id = $1 AND m.id IN (`+placeholders(2, len(ids))+`)`,
		append([]any{workspaceID}, idArgs(ids)...)...)
	if err != nil {
		return nil, fmt.Errorf("messages by id: %w", err)
	}
	return msgs, nil
}

// TicketsOfChannels maps conversation and notes channels to their tickets'
// ids (channels of no ticket are absent).
func (db *DB) TicketsOfChannels(ctx context.Context, workspaceID relay.ID, channelIDs []relay.ID) (map[relay.ID]relay.ID, error) {
	out := map[relay.ID]relay.ID{}
	ids := distinctIDs(channelIDs)
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), db.inListSize()/2)]
		ids = ids[len(chunk):]
		ph := placeholders(2, len(chunk))
		rows, err := db.read.QueryContext(ctx, `SELECT t.id, t.channel_id, t.notes_channel_id FROM tickets t
			WHERE t.workspace_id = $1 AND (t.channel_id IN (`+ph+`) OR t.notes_channel_id IN (`+ph+`))`,
			append([]any{workspaceID}, idArgs(chunk)...)...)
		if err != nil {
			return nil, fmt.Errorf("tickets of channels: %w", err)
		}
		for rows.Next() {
			var t, c, n relay.ID
			if err := rows.Scan(&t, &c, &n); err != nil {
				rows.Close()
				return nil, fmt.Errorf("tickets of channels: %w", err)
			}
			out[c], out[n] = t, t
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
