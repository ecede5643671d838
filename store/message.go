package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/relayhq/relay"
)

// messageColumns are read from messageFrom. A user's name and avatar are
// the live ones from users; other authors' are the snapshot taken at post
// time (the snapshot is also the fallback should the user row be gone).
const messageColumns = `m.id, m.workspace_id, m.channel_id, m.seq, m.change, m.author_id, m.author_kind,
	COALESCE(u.display_name, m.author_name), COALESCE(u.avatar_url, m.author_avatar),
	m.source, m.body, m.parent_id, m.broadcast, m.reply_count, m.last_reply_at, m.reply_users,
	m.client_msg_id, m.internal, m.created_at, m.edited_at, m.deleted_at, m.mention_ids, m.mention_all,
	m.reaction_count, m.attachments`

const messageFrom = ` FROM messages m LEFT JOIN users u ON m.author_kind = 'user' AND u.id = m.author_id`

// selectMessages is completed by a WHERE clause on m.
const selectMessages = `SELECT ` + messageColumns + messageFrom

// scanMessage reads messageColumns; it also reports whether the message
// has reactions to load. Reactions is left nil.
func scanMessage(row interface{ Scan(...any) error }) (*relay.Message, bool, error) {
	var m relay.Message
	var parent, lastReply, edited, deleted sql.NullInt64
	var created, reactions int64
	var replyUsers, mentions, attachments string
	if err := row.Scan(&m.ID, &m.WorkspaceID, &m.ChannelID, &m.Seq, &m.Change, &m.Author.ID, &m.Author.Kind,
		&m.Author.DisplayName, &m.Author.AvatarURL, &m.Source, &m.Body, &parent, &m.Broadcast,
		&m.ReplyCount, &lastReply, &replyUsers, &m.ClientMsgID, &m.Internal, &created, &edited, &deleted,
		&mentions, &m.MentionAll, &reactions, &attachments); err != nil {
		return nil, false, err
	}
	if parent.Valid {
		id := relay.ID(parent.Int64)
		m.ParentID = &id
	}
	m.CreatedAt, m.LastReplyAt, m.EditedAt, m.DeletedAt = fromMicros(created), timePtr(lastReply), timePtr(edited), timePtr(deleted)
	var err error
	if m.ReplyUsers, err = decodeIDs(replyUsers); err != nil {
		return nil, false, err
	}
	if m.Mentions, err = decodeIDs(mentions); err != nil {
		return nil, false, err
	}
	if m.Attachments, err = decodeAttachments(attachments); err != nil {
		return nil, false, err
	}
	return &m, reactions > 0, nil
}

// queryMessages runs a selectMessages query and fills in the reactions of
// the messages that have some, with one more query. Never nil.
func (db *DB) queryMessages(ctx context.Context, q querier, query string, args ...any) ([]relay.Message, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	msgs := []relay.Message{}
	var withReactions []int
	for rows.Next() {
		m, has, err := scanMessage(rows)
		if err != nil {
			return nil, err
		}
		if has {
			withReactions = append(withReactions, len(msgs))
		}
		m.Reactions = []relay.Reaction{}
		msgs = append(msgs, *m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if len(withReactions) > 0 {
		ptrs := make([]*relay.Message, len(withReactions))
		for i, j := range withReactions {
			ptrs[i] = &msgs[j]
		}
		if err := db.loadReactions(ctx, q, ptrs); err != nil {
			return nil, err
		}
	}
	return msgs, nil
}

// messageByID reads one message of the workspace with its reactions, or ENOTFOUND.
func (db *DB) messageByID(ctx context.Context, q querier, workspaceID, messageID relay.ID) (*relay.Message, error) {
	msgs, err := db.queryMessages(ctx, q, selectMessages+` WHERE m.workspace_id = $1 AND m.id = $2`, workspaceID, messageID)
	if err != nil {
		return nil, fmt.Errorf("message: %w", err)
	}
	if len(msgs) == 0 {
		return nil, missing(msgMessageNotFound)
	}
	return &msgs[0], nil
}

// Message returns one message with its reactions; ENOTFOUND if the workspace
// has no such message.
func (db *DB) Message(ctx context.Context, workspaceID, messageID relay.ID) (*relay.Message, error) {
	var m *relay.Message
	err := db.view(ctx, "message", func(tx *sql.Tx) (err error) {
		m, err = db.messageByID(ctx, tx, workspaceID, messageID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// lockChannelOf finds the message's channel and locks the channel row for
// the rest of the transaction (PostgreSQL; SQLite's one writer already holds
// the write lock), returning the channel id and its change counter. Every
// write to a channel's messages takes this lock first, channel before
// message, so writers of one channel queue instead of deadlocking.
func (db *DB) lockChannelOf(ctx context.Context, tx *sql.Tx, workspaceID, messageID relay.ID) (channelID relay.ID, lastChange int64, err error) {
	err = tx.QueryRowContext(ctx, `SELECT channel_id FROM messages WHERE workspace_id = $1 AND id = $2`,
		workspaceID, messageID).Scan(&channelID)
	if err != nil {
		return 0, 0, notFound("find message", err, msgMessageNotFound)
	}
	err = tx.QueryRowContext(ctx, `SELECT last_change FROM channels WHERE id = $1`+db.forNoKeyUpdate,
		channelID).Scan(&lastChange)
	if err != nil {
		return 0, 0, fmt.Errorf("lock channel: %w", err)
	}
	return channelID, lastChange, nil
}

// takeChange stores the channel's new change counter, already chosen under
// the lock of lockChannelOf.
func takeChange(ctx context.Context, tx *sql.Tx, channelID relay.ID, change int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE channels SET last_change = $2 WHERE id = $1`, channelID, change); err != nil {
		return fmt.Errorf("take change: %w", err)
	}
	return nil
}

// EditMessage replaces body and mentions, sets edited_at to now and takes a
// new change; a bridged message's edit is enqueued for its outside
// conversations in the same transaction. ENOTFOUND if the workspace has no
// such message; EINVALID if it was deleted.
func (db *DB) EditMessage(ctx context.Context, workspaceID, messageID relay.ID, body string, mentions []relay.ID, mentionAll bool, now time.Time) (*relay.Message, error) {
	mentions = distinctIDs(mentions)
	var m *relay.Message
	err := db.update(ctx, "edit message", func(tx *sql.Tx) error {
		channelID, last, err := db.lockChannelOf(ctx, tx, workspaceID, messageID)
		if err != nil {
			return err
		}
		change := last + 1
		var seq int64
		var author relay.ID
		err = tx.QueryRowContext(ctx, `UPDATE messages SET body = $2, mention_ids = $3, mention_all = $4,
				edited_at = $5, change = $6
			WHERE id = $1 AND deleted_at IS NULL
			RETURNING seq, author_id`,
			messageID, body, encodeIDs(mentions), mentionAll, micros(now), change).Scan(&seq, &author)
		if errors.Is(err, sql.ErrNoRows) {
			return invalid(msgMessageDeleted) // found by lockChannelOf, so deleted
		} else if err != nil {
			return fmt.Errorf("update: %w", err)
		}
		if err := takeChange(ctx, tx, channelID, change); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM mentions WHERE message_id = $1`, messageID); err != nil {
			return fmt.Errorf("delete mentions: %w", err)
		}
		rows := mentionRows(nil, workspaceID, channelID, messageID, seq, author, mentions, mentionAll)
		if err := db.insertRows(ctx, tx, "mentions", mentionCols, rows); err != nil {
			return fmt.Errorf("insert mentions: %w", err)
		}
		if m, err = db.messageByID(ctx, tx, workspaceID, messageID); err != nil {
			return err
		}
		return db.enqueueMessageChange(ctx, tx, m, relay.OutboxMessageUpdate, now)
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// DeleteMessage tombstones a message: body "", deleted_at now, reactions and
// mentions removed, a new change; seq, thread links and replies stay.
// A bridged message's deletion is enqueued for its outside conversations
// in the same transaction. Deleting a deleted message returns it unchanged.
// ENOTFOUND if the workspace has no such message.
func (db *DB) DeleteMessage(ctx context.Context, workspaceID, messageID relay.ID, now time.Time) (*relay.Message, error) {
	var m *relay.Message
	err := db.update(ctx, "delete message", func(tx *sql.Tx) error {
		channelID, last, err := db.lockChannelOf(ctx, tx, workspaceID, messageID)
		if err != nil {
			return err
		}
		change := last + 1
		res, err := tx.ExecContext(ctx, `UPDATE messages SET body = '', deleted_at = $2, mention_ids = '[]',
				mention_all = FALSE, reaction_count = 0, change = $3
			WHERE id = $1 AND deleted_at IS NULL`, messageID, micros(now), change)
		if err != nil {
			return fmt.Errorf("update: %w", err)
		}
		n, err := rowsAffected(res)
		if err != nil {
			return err
		} else if n == 1 {
			if err := takeChange(ctx, tx, channelID, change); err != nil {
				return err
			}
			for _, table := range []string{"reactions", "mentions"} {
				if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE message_id = $1`, messageID); err != nil {
					return fmt.Errorf("delete %s: %w", table, err)
				}
			}
		}
		if m, err = db.messageByID(ctx, tx, workspaceID, messageID); err != nil || n == 0 {
			return err
		}
		return db.enqueueMessageChange(ctx, tx, m, relay.OutboxMessageDelete, now)
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

var mentionCols = []string{"workspace_id", "channel_id", "message_id", "user_id", "seq", "author_id"}

// mentionRows appends the mention rows of one message to rows: one for user
// 0 (everyone) when mentionAll, else one per mentioned user. A message then
// counts once per reader however it names them, and a count needs no
// DISTINCT. (Message.Mentions keeps every name, in mention_ids.)
func mentionRows(rows [][]any, workspaceID, channelID, messageID relay.ID, seq int64, author relay.ID, mentions []relay.ID, mentionAll bool) [][]any {
	if mentionAll {
		return append(rows, []any{workspaceID, channelID, messageID, 0, seq, author})
	}
	for _, u := range mentions {
		rows = append(rows, []any{workspaceID, channelID, messageID, u, seq, author})
	}
	return rows
}
