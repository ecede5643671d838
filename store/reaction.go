package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/relayhq/relay"
)

// AddReaction adds the user's emoji reaction, taking a new change. It is
// idempotent: when the reaction was there already, changed is false and no
// change is taken. ENOTFOUND if the workspace has no such message; EINVALID
// if it was deleted or emoji is empty.
func (db *DB) AddReaction(ctx context.Context, workspaceID, messageID, userID relay.ID, emoji string, now time.Time) (*relay.Message, bool, error) {
	if emoji == "" {
		return nil, false, fmt.Errorf("add reaction: %w", invalid(msgBadEmoji))
	}
	return db.react(ctx, "add reaction", workspaceID, messageID, +1, func(tx *sql.Tx, change int64) (sql.Result, error) {
		return tx.ExecContext(ctx, `INSERT INTO reactions (workspace_id, message_id, user_id, emoji, change, emoji_change, created_at)
			VALUES ($1, $2, $3, $4, $5,
				COALESCE((SELECT min(emoji_change) FROM reactions WHERE message_id = $2 AND emoji = $4), $5), $6)
			ON CONFLICT (message_id, user_id, emoji) DO NOTHING`,
			workspaceID, messageID, userID, emoji, change, micros(now))
	})
}

// RemoveReaction removes the user's emoji reaction, taking a new change;
// idempotent like AddReaction. ENOTFOUND if the workspace has no such message.
func (db *DB) RemoveReaction(ctx context.Context, workspaceID, messageID, userID relay.ID, emoji string, now time.Time) (*relay.Message, bool, error) {
	return db.react(ctx, "remove reaction", workspaceID, messageID, -1, func(tx *sql.Tx, _ int64) (sql.Result, error) {
		return tx.ExecContext(ctx, `DELETE FROM reactions WHERE message_id = $1 AND user_id = $2 AND emoji = $3`,
			messageID, userID, emoji)
	})
}

// react runs write, which inserts (delta +1) or deletes (delta -1) at most
// one reaction row, under the channel's lock; when it changed a row, the
// message and the channel take a new change. A deleted message takes no
// new reactions.
func (db *DB) react(ctx context.Context, op string, workspaceID, messageID relay.ID, delta int,
	write func(tx *sql.Tx, change int64) (sql.Result, error)) (*relay.Message, bool, error) {
	var m *relay.Message
	var changed bool
	err := db.update(ctx, op, func(tx *sql.Tx) error {
		channelID, last, err := db.lockChannelOf(ctx, tx, workspaceID, messageID)
		if err != nil {
			return err
		}
		if delta > 0 {
			var deleted sql.NullInt64
			if err := tx.QueryRowContext(ctx, `SELECT deleted_at FROM messages WHERE id = $1`, messageID).Scan(&deleted); err != nil {
				return fmt.Errorf("message: %w", err)
			}
			if deleted.Valid {
				return invalid(msgMessageDeleted)
			}
		}
		change := last + 1
		res, err := write(tx, change)
		if err != nil {
			return classify("write", err, on{checkViolation: invalid(msgBadEmoji)})
		}
		n, err := rowsAffected(res)
		if err != nil {
			return err
		}
		if changed = n == 1; changed {
			if err := takeChange(ctx, tx, channelID, change); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE messages SET change = $2, reaction_count = reaction_count + $3
				WHERE id = $1`, messageID, change, delta); err != nil {
				return fmt.Errorf("update message: %w", err)
			}
		}
		m, err = db.messageByID(ctx, tx, workspaceID, messageID)
		return err
	})
	if err != nil {
		return nil, false, err
	}
	return m, changed, nil
}

// loadReactions sets the Reactions of msgs: one entry per emoji in the order
// it was first added (and kept while anyone still reacts with it), its users
// in the order they reacted.
func (db *DB) loadReactions(ctx context.Context, q querier, msgs []*relay.Message) error {
	byID := make(map[relay.ID]*relay.Message, len(msgs))
	ids := make([]relay.ID, 0, len(msgs))
	for _, m := range msgs {
		m.Reactions = []relay.Reaction{}
		if byID[m.ID] == nil {
			ids = append(ids, m.ID)
		}
		byID[m.ID] = m
	}
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), db.inListSize())]
		ids = ids[len(chunk):]
		// Change counters order reactions: they never repeat, unlike times.
		rows, err := q.QueryContext(ctx, `SELECT message_id, emoji, user_id FROM reactions
			WHERE message_id IN (`+placeholders(1, len(chunk))+`)
			ORDER BY message_id, emoji_change, change`, idArgs(chunk)...)
		if err != nil {
			return fmt.Errorf("reactions: %w", err)
		}
		var cur relay.ID
		var at map[string]int // emoji → index in Reactions of the current message
		for rows.Next() {
			var id, user relay.ID
			var emoji string
			if err := rows.Scan(&id, &emoji, &user); err != nil {
				rows.Close()
				return fmt.Errorf("reactions: %w", err)
			}
			m := byID[id]
			if id != cur {
				cur, at = id, map[string]int{}
			}
			i, ok := at[emoji]
			if !ok {
				i = len(m.Reactions)
				at[emoji] = i
				m.Reactions = append(m.Reactions, relay.Reaction{Emoji: emoji, Users: []relay.ID{}})
			}
			r := &m.Reactions[i]
			r.Count++
			r.Users = append(r.Users, user)
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("reactions: %w", err)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("reactions: %w", err)
		}
	}
	return nil
}
