package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/relayhq/relay"
)

// Page sizes: History's default and cap (the app caps at the same 200), and
// those of the catch-up reads (Replies, MessagesAfter, ChangedSince). The
// catch-up cap only guards against unbounded reads: it is far above what the
// app asks for (1000, and 1001 to learn whether there are more), because a
// cap below a caller's limit would silently defeat that limit+1 test.
const (
	historyLimit    = 50
	historyMaxLimit = 200
	catchUpLimit    = 200
	catchUpMaxLimit = 10000
)

// History returns a page of the channel's timeline in ascending seq order
// (see app.MessagingStore). Limit defaults to 50 and is capped at 200.
// EINVALID if more than one bound is set or a bound is negative; ENOTFOUND
// if the workspace has no such channel.
func (db *DB) History(ctx context.Context, workspaceID, channelID relay.ID, q relay.HistoryQuery) ([]relay.Message, error) {
	bounds := 0
	for _, v := range []int64{q.Before, q.After, q.Around} {
		if v < 0 {
			bounds = 2
		} else if v > 0 {
			bounds++
		}
	}
	if bounds > 1 {
		return nil, fmt.Errorf("history: %w", invalid(msgBadHistoryQuery))
	}
	limit := limitOr(q.Limit, historyLimit, historyMaxLimit)
	// messages_visible_idx holds exactly the timeline, by seq.
	timeline := selectMessages + ` WHERE m.workspace_id = $1 AND m.channel_id = $2 AND m.visible_pos IS NOT NULL`
	var msgs []relay.Message
	err := db.view(ctx, "history", func(tx *sql.Tx) error {
		var err error
		switch {
		case q.Around > 0:
			var before, after []relay.Message
			if n := limit / 2; n > 0 {
				before, err = db.queryMessages(ctx, tx, timeline+` AND m.seq < $3 ORDER BY m.seq DESC LIMIT $4`,
					workspaceID, channelID, q.Around, n)
				if err != nil {
					return err
				}
				slices.Reverse(before)
			}
			after, err = db.queryMessages(ctx, tx, timeline+` AND m.seq >= $3 ORDER BY m.seq LIMIT $4`,
				workspaceID, channelID, q.Around, limit-len(before))
			msgs = append(before, after...)
		case q.Before > 0:
			msgs, err = db.queryMessages(ctx, tx, timeline+` AND m.seq < $3 ORDER BY m.seq DESC LIMIT $4`,
				workspaceID, channelID, q.Before, limit)
			slices.Reverse(msgs)
		case q.After > 0:
			msgs, err = db.queryMessages(ctx, tx, timeline+` AND m.seq > $3 ORDER BY m.seq LIMIT $4`,
				workspaceID, channelID, q.After, limit)
		default:
			msgs, err = db.queryMessages(ctx, tx, timeline+` ORDER BY m.seq DESC LIMIT $3`,
				workspaceID, channelID, limit)
			slices.Reverse(msgs)
		}
		if err != nil {
			return err
		}
		if len(msgs) == 0 {
			return channelExists(ctx, tx, workspaceID, channelID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return msgs, nil
}

// Replies returns the first limit replies of a thread (default 200, at most
// 10000) in ascending seq order; never nil. ENOTFOUND if the workspace has no
// message parentID.
func (db *DB) Replies(ctx context.Context, workspaceID, parentID relay.ID, limit int) ([]relay.Message, error) {
	var msgs []relay.Message
	err := db.view(ctx, "replies", func(tx *sql.Tx) (err error) {
		msgs, err = db.queryMessages(ctx, tx, selectMessages+` WHERE m.workspace_id = $1 AND m.parent_id = $2
			ORDER BY m.seq LIMIT $3`, workspaceID, parentID, limitOr(limit, catchUpLimit, catchUpMaxLimit))
		if err != nil || len(msgs) > 0 {
			return err
		}
		var one int
		err = tx.QueryRowContext(ctx, `SELECT 1 FROM messages WHERE workspace_id = $1 AND id = $2`,
			workspaceID, parentID).Scan(&one)
		if err != nil {
			return notFound("parent", err, msgMessageNotFound)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return msgs, nil
}

// MessagesAfter returns every message (replies too) with seq > after,
// ascending, at most limit (default 200, at most 10000); never nil.
// ENOTFOUND if the workspace has no such channel.
func (db *DB) MessagesAfter(ctx context.Context, workspaceID, channelID relay.ID, after int64, limit int) ([]relay.Message, error) {
	var msgs []relay.Message
	err := db.view(ctx, "messages after", func(tx *sql.Tx) (err error) {
		msgs, err = db.queryMessages(ctx, tx, selectMessages+` WHERE m.workspace_id = $1 AND m.channel_id = $2
			AND m.seq > $3 ORDER BY m.seq LIMIT $4`,
			workspaceID, channelID, after, limitOr(limit, catchUpLimit, catchUpMaxLimit))
		if err != nil || len(msgs) > 0 {
			return err
		}
		return channelExists(ctx, tx, workspaceID, channelID)
	})
	if err != nil {
		return nil, err
	}
	return msgs, nil
}

// ChangedSince returns the messages with seq <= maxSeq whose change is
// after afterChange, ascending by change, at most limit (default 200, at
// most 10000); never nil. ENOTFOUND if the workspace has no such channel.
func (db *DB) ChangedSince(ctx context.Context, workspaceID, channelID relay.ID, maxSeq, afterChange int64, limit int) ([]relay.Message, error) {
	var msgs []relay.Message
	err := db.view(ctx, "changed since", func(tx *sql.Tx) (err error) {
		msgs, err = db.queryMessages(ctx, tx, selectMessages+` WHERE m.workspace_id = $1 AND m.channel_id = $2
			AND m.change > $3 AND m.seq <= $4 ORDER BY m.change LIMIT $5`,
			workspaceID, channelID, afterChange, maxSeq, limitOr(limit, catchUpLimit, catchUpMaxLimit))
		if err != nil || len(msgs) > 0 {
			return err
		}
		return channelExists(ctx, tx, workspaceID, channelID)
	})
	if err != nil {
		return nil, err
	}
	return msgs, nil
}

// channelExists returns ENOTFOUND unless the workspace has the channel. The
// history reads call it only when they found nothing, to tell an empty
// channel from none.
func channelExists(ctx context.Context, q querier, workspaceID, channelID relay.ID) error {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM channels WHERE workspace_id = $1 AND id = $2`,
		workspaceID, channelID).Scan(&one)
	if err != nil {
		return notFound("channel", err, msgChannelNotFound)
	}
	return nil
}
