package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/relayhq/relay"
)

const (
	msgOutboxNotFound = "Delivery not found."
	msgOutboxNotDead  = "Only a delivery that failed for good can be retried."
	msgBadOutbox      = "That is not a valid delivery."
	msgBadOutboxState = "That is not a valid delivery state."
)

const outboxColumns = `id, workspace_id, kind, connector_id, conversation_id, subscription_id, message_id, channel_id,
	event, payload, state, attempts, next_at, lease_until, last_error, created_at, updated_at, delivered_at`

func scanOutbox(row interface{ Scan(...any) error }) (*relay.OutboxItem, error) {
	var o relay.OutboxItem
	var connector, conversation, subscription, message, channel, lease, delivered sql.NullInt64
	var next, created, updated int64
	if err := row.Scan(&o.ID, &o.WorkspaceID, &o.Kind, &connector, &conversation, &subscription, &message, &channel,
		&o.Event, &o.Payload, &o.State, &o.Attempts, &next, &lease, &o.LastError, &created, &updated, &delivered); err != nil {
		return nil, err
	}
	o.ConnectorID, o.ConversationID, o.SubscriptionID = idPtr(connector), idPtr(conversation), idPtr(subscription)
	o.MessageID, o.ChannelID = idPtr(message), idPtr(channel)
	o.NextAt, o.CreatedAt, o.UpdatedAt = fromMicros(next), fromMicros(created), fromMicros(updated)
	o.LeaseUntil, o.DeliveredAt = timePtr(lease), timePtr(delivered)
	return &o, nil
}

// idPtr turns a nullable stored id into *relay.ID.
func idPtr(v sql.NullInt64) *relay.ID {
	if !v.Valid {
		return nil
	}
	id := relay.ID(v.Int64)
	return &id
}

// nullID stores an optional id: NULL for nil.
func nullID(id *relay.ID) any {
	if id == nil {
		return nil
	}
	return *id
}

func queryOutbox(ctx context.Context, q querier, query string, args ...any) ([]relay.OutboxItem, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []relay.OutboxItem{}
	for rows.Next() {
		o, err := scanOutbox(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *o)
	}
	return out, rows.Err()
}

// outboxInsertCols are written by EnqueueOutbox and by the changes that
// enqueue rows in their own transaction (outboxRow).
var outboxInsertCols = []string{"workspace_id", "kind", "connector_id", "conversation_id", "subscription_id",
	"message_id", "channel_id", "event", "payload", "state", "attempts", "next_at", "last_error",
	"created_at", "updated_at"}

// outboxRow is a new pending row due at `at`, in outboxInsertCols order.
func outboxRow(workspaceID relay.ID, kind string, connector, conversation, subscription, message, channel any,
	event, payload string, at time.Time) []any {
	us := micros(at)
	return []any{workspaceID, kind, connector, conversation, subscription, message, channel, event, payload,
		relay.OutboxPending, 0, us, "", us, us}
}

var outboxViolations = on{
	foreignKeyViolation: missing(msgOutboxNotFound),
	checkViolation:      invalid(msgBadOutbox),
	notNullViolation:    invalid(msgBadOutbox),
}

// EnqueueOutbox implements app.ConnectorStore. Each item gets its id; an
// empty state is pending, a zero NextAt is CreatedAt and a zero UpdatedAt
// is CreatedAt. A connector, conversation or subscription not in the
// item's workspace is ENOTFOUND.
func (db *DB) EnqueueOutbox(ctx context.Context, items []relay.OutboxItem) error {
	if len(items) == 0 {
		return nil
	}
	return db.update(ctx, "enqueue outbox", func(tx *sql.Tx) error {
		q := db.cached(tx)
		for i := range items {
			o := &items[i]
			if o.State == "" {
				o.State = relay.OutboxPending
			}
			o.CreatedAt = normal(o.CreatedAt)
			if o.NextAt.IsZero() {
				o.NextAt = o.CreatedAt
			}
			if o.UpdatedAt.IsZero() {
				o.UpdatedAt = o.CreatedAt
			}
			o.NextAt, o.UpdatedAt = normal(o.NextAt), normal(o.UpdatedAt)
			o.LeaseUntil, o.DeliveredAt = normalPtr(o.LeaseUntil), normalPtr(o.DeliveredAt)
			err := q.QueryRowContext(ctx, `INSERT INTO outbox (workspace_id, kind, connector_id, conversation_id,
					subscription_id, message_id, channel_id, event, payload, state, attempts, next_at, lease_until,
					last_error, created_at, updated_at, delivered_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
				RETURNING id`,
				o.WorkspaceID, o.Kind, nullID(o.ConnectorID), nullID(o.ConversationID), nullID(o.SubscriptionID),
				nullID(o.MessageID), nullID(o.ChannelID), o.Event, o.Payload, o.State, o.Attempts, micros(o.NextAt),
				nullMicros(o.LeaseUntil), o.LastError, micros(o.CreatedAt), micros(o.UpdatedAt),
				nullMicros(o.DeliveredAt)).Scan(&o.ID)
			if err != nil {
				return classify("insert", err, outboxViolations)
			}
		}
		return nil
	})
}

// ClaimOutbox implements app.ConnectorStore. One UPDATE takes the rows:
// its subquery picks the due ones, oldest first, skipping (on PostgreSQL)
// rows another claim has locked, so concurrent workers of any process
// take disjoint rows; a row whose lease has not run out is not due, so a
// row is out with one worker at a time. SQLite's single writer runs the
// claims one after another. A row of a conversation waits while an older
// row of that conversation is pending or sending (delivered and dead rows
// do not hold it back): the conversation sees its messages, edits and
// deletes in order.
func (db *DB) ClaimOutbox(ctx context.Context, now time.Time, lease time.Duration, n int) ([]relay.OutboxItem, error) {
	if n <= 0 {
		return []relay.OutboxItem{}, nil
	}
	// Workers poll: when nothing is due (the usual answer) a read on the
	// read pool says so without taking SQLite's one writer, or starting a
	// write transaction on PostgreSQL.
	var due int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM outbox
		WHERE state IN ('pending', 'sending') AND next_at <= $1 AND (state = 'pending' OR lease_until <= $1)
		LIMIT 1) d`, micros(now)).Scan(&due)
	if err != nil {
		return nil, unavailable(fmt.Errorf("claim outbox: %w", err))
	}
	if due == 0 {
		return []relay.OutboxItem{}, nil
	}
	var out []relay.OutboxItem
	err = db.update(ctx, "claim outbox", func(tx *sql.Tx) (err error) {
		out, err = queryOutbox(ctx, tx, `UPDATE outbox SET state = 'sending', attempts = attempts + 1,
				lease_until = $2, updated_at = $1
			WHERE id IN (SELECT o.id FROM outbox o
				WHERE o.state IN ('pending', 'sending') AND o.next_at <= $1
					AND (o.state = 'pending' OR o.lease_until <= $1)
					AND (o.conversation_id IS NULL OR NOT EXISTS (SELECT 1 FROM outbox p
						WHERE p.conversation_id = o.conversation_id AND p.id < o.id
							AND p.state IN ('pending', 'sending')))
				ORDER BY o.next_at, o.id
				LIMIT $3`+db.skipLocked()+`)
			RETURNING `+outboxColumns,
			micros(now), micros(now.Add(lease)), n)
		return err
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b relay.OutboxItem) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// skipLocked makes a locking read pass over rows other transactions hold:
// " FOR UPDATE SKIP LOCKED" on PostgreSQL, "" on SQLite (one writer).
func (db *DB) skipLocked() string {
	if db.engine == EnginePostgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// FinishOutbox implements app.ConnectorStore. item.State says the
// outcome: delivered, pending again at item.NextAt (now when zero), or
// dead; item.LastError is stored with it (a delivered row's is normally
// empty, or says why there was nothing to send). On success item is
// updated as stored.
func (db *DB) FinishOutbox(ctx context.Context, item *relay.OutboxItem, now time.Time) (bool, error) {
	var next, delivered any
	lastError := item.LastError
	switch item.State {
	case relay.OutboxDelivered:
		delivered = micros(now)
	case relay.OutboxPending:
		if item.NextAt.IsZero() {
			item.NextAt = now
		}
		next = micros(item.NextAt)
	case relay.OutboxDead:
	default:
		return false, fmt.Errorf("finish outbox: %w", invalid(msgBadOutboxState))
	}
	var done bool
	err := db.update(ctx, "finish outbox", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET state = $3, next_at = COALESCE($4, next_at), last_error = $5,
				lease_until = NULL, updated_at = $6, delivered_at = $7
			WHERE id = $1 AND attempts = $2 AND state = 'sending'`,
			item.ID, item.Attempts, item.State, next, lastError, micros(now), delivered)
		if err != nil {
			return fmt.Errorf("update: %w", err)
		}
		n, err := rowsAffected(res)
		done = n == 1
		return err
	})
	if err != nil || !done {
		return false, err
	}
	item.LastError, item.LeaseUntil, item.UpdatedAt = lastError, nil, normal(now)
	item.NextAt = normal(item.NextAt)
	if item.State == relay.OutboxDelivered {
		item.DeliveredAt = normalPtr(&now)
	}
	return true, nil
}

// OutboxItems implements app.ConnectorStore; limit defaults to 50 and is
// at most 500.
func (db *DB) OutboxItems(ctx context.Context, workspaceID relay.ID, state string, limit int) ([]relay.OutboxItem, error) {
	limit = limitOr(limit, 50, 500)
	var out []relay.OutboxItem
	var err error
	switch state {
	case "":
		out, err = queryOutbox(ctx, db.read, `SELECT `+outboxColumns+` FROM outbox WHERE workspace_id = $1
			ORDER BY id DESC LIMIT $2`, workspaceID, limit)
	case relay.OutboxPending, relay.OutboxSending, relay.OutboxDelivered, relay.OutboxDead:
		out, err = queryOutbox(ctx, db.read, `SELECT `+outboxColumns+` FROM outbox WHERE workspace_id = $1 AND state = $2
			ORDER BY id DESC LIMIT $3`, workspaceID, state, limit)
	default:
		return nil, fmt.Errorf("outbox items: %w", invalid(msgBadOutboxState))
	}
	if err != nil {
		return nil, fmt.Errorf("outbox items: %w", err)
	}
	return out, nil
}

// OutboxItem implements app.ConnectorStore.
func (db *DB) OutboxItem(ctx context.Context, workspaceID relay.ID, id int64) (*relay.OutboxItem, error) {
	o, err := scanOutbox(db.read.QueryRowContext(ctx, `SELECT `+outboxColumns+` FROM outbox
		WHERE workspace_id = $1 AND id = $2`, workspaceID, id))
	if err != nil {
		return nil, notFound("outbox item", err, msgOutboxNotFound)
	}
	return o, nil
}

// RetryOutbox implements app.ConnectorStore. The retried row starts
// afresh: pending now, no attempts, no error.
func (db *DB) RetryOutbox(ctx context.Context, workspaceID relay.ID, id int64, now time.Time) (*relay.OutboxItem, error) {
	var o *relay.OutboxItem
	err := db.update(ctx, "retry outbox", func(tx *sql.Tx) (err error) {
		o, err = scanOutbox(tx.QueryRowContext(ctx, `UPDATE outbox SET state = 'pending', attempts = 0, next_at = $3,
				lease_until = NULL, last_error = '', updated_at = $3
			WHERE workspace_id = $1 AND id = $2 AND state = 'dead'
			RETURNING `+outboxColumns, workspaceID, id, micros(now)))
		if errors.Is(err, sql.ErrNoRows) {
			var state string
			if err := tx.QueryRowContext(ctx, `SELECT state FROM outbox WHERE workspace_id = $1 AND id = $2`,
				workspaceID, id).Scan(&state); err != nil {
				return notFound("find", err, msgOutboxNotFound)
			}
			return conflict(msgOutboxNotDead)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// MessageDeliveries implements app.ConnectorStore: never nil; messages
// with no rows are absent; each message's rows are oldest first.
func (db *DB) MessageDeliveries(ctx context.Context, workspaceID relay.ID, messageIDs []relay.ID) (map[relay.ID][]relay.Delivery, error) {
	out := map[relay.ID][]relay.Delivery{}
	ids := distinctIDs(messageIDs)
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), db.inListSize())]
		ids = ids[len(chunk):]
		rows, err := db.read.QueryContext(ctx, `SELECT message_id, state, last_error, id, attempts, connector_id
			FROM outbox WHERE workspace_id = $1 AND kind = 'message.create'
				AND message_id IN (`+placeholders(2, len(chunk))+`)
			ORDER BY id`, append([]any{workspaceID}, idArgs(chunk)...)...)
		if err != nil {
			return nil, unavailable(fmt.Errorf("message deliveries: %w", err))
		}
		for rows.Next() {
			var msg relay.ID
			var connector sql.NullInt64
			var d relay.Delivery
			if err := rows.Scan(&msg, &d.State, &d.Error, &d.OutboxID, &d.Attempts, &connector); err != nil {
				rows.Close()
				return nil, fmt.Errorf("message deliveries: %w", err)
			}
			d.Connector = relay.ID(connector.Int64)
			out[msg] = append(out[msg], d)
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("message deliveries: %w", err)
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("message deliveries: %w", err)
		}
	}
	return out, nil
}

// enqueueMessageChange writes, in the caller's transaction, the rows that
// carry an edit or deletion (kind) of m to the outside conversations of
// its channel, due at now, when m is relay.Bridged. Only an external
// channel's messages can be: it reads nothing for a message that would
// not be bridged even there.
func (db *DB) enqueueMessageChange(ctx context.Context, tx *sql.Tx, m *relay.Message, kind string, now time.Time) error {
	if !relay.Bridged(m, relay.ChannelExternal) {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT cv.id, cv.connector_id, c.kind FROM conversations cv
		JOIN channels c ON c.id = cv.channel_id
		WHERE cv.workspace_id = $1 AND cv.channel_id = $2
		ORDER BY cv.id`, m.WorkspaceID, m.ChannelID)
	if err != nil {
		return fmt.Errorf("conversations: %w", err)
	}
	var out [][]any
	for rows.Next() {
		var conv, connector relay.ID
		var chKind relay.ChannelKind
		if err := rows.Scan(&conv, &connector, &chKind); err != nil {
			rows.Close()
			return fmt.Errorf("conversations: %w", err)
		}
		if relay.Bridged(m, chKind) {
			out = append(out, outboxRow(m.WorkspaceID, kind, connector, conv, nil, m.ID, m.ChannelID, "", "", now))
		}
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("conversations: %w", err)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("conversations: %w", err)
	}
	if err := db.insertRows(ctx, tx, "outbox", outboxInsertCols, out); err != nil {
		return fmt.Errorf("enqueue %s: %w", kind, err)
	}
	return nil
}

// enqueue writes the outbox rows the batch's new messages call for, by the
// domain's rule (relay.Bridged and relay.Announced, outbound.go): a row per
// outside conversation of an external channel for each bridged message,
// and a webhook row per subscription to message.created for each announced
// one; it records which messages got rows (b.queued). It costs at most three reads
// per batch, whatever its size — the conversations of the batch's
// external channels, the subscriptions of its workspaces and, when some
// are subscribed, which of its ticket channels are notes — and none when
// no message calls for a row; the rows are one multi-row insert.
func (b *batch) enqueue(ctx context.Context) error {
	var external, workspaces, tickets []relay.ID
	for _, r := range b.rows {
		m, c := r.m, b.channels[r.m.ChannelID]
		if relay.Bridged(m, c.kind) {
			external = append(external, m.ChannelID)
		}
		if relay.Announced(m, c.kind) {
			workspaces = append(workspaces, m.WorkspaceID)
			if c.kind == relay.ChannelTicket {
				tickets = append(tickets, m.ChannelID)
			}
		}
	}
	type conv struct{ id, connector relay.ID }
	convs := map[relay.ID][]conv{}
	err := eachChunk(distinctIDs(external), b.db.inListSize(), func(chunk []relay.ID) error {
		rows, err := b.q.QueryContext(ctx, `SELECT id, connector_id, channel_id FROM conversations
			WHERE channel_id IN (`+placeholders(1, len(chunk))+`) ORDER BY id`, idArgs(chunk)...)
		if err != nil {
			return err
		}
		return scanEach(rows, func(rows *sql.Rows) error {
			var c conv
			var channel relay.ID
			if err := rows.Scan(&c.id, &c.connector, &channel); err != nil {
				return err
			}
			convs[channel] = append(convs[channel], c)
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("conversations: %w", err)
	}
	subs, err := b.db.subscriptionsTo(ctx, b.q, distinctIDs(workspaces), relay.EventMessageCreated)
	if err != nil {
		return err
	}
	notes := map[relay.ID]bool{}
	if len(subs) > 0 {
		// Notes are posted internal; a notes channel is skipped all the
		// same, so a note can never leave through a webhook.
		err := eachChunk(distinctIDs(tickets), b.db.inListSize(), func(chunk []relay.ID) error {
			rows, err := b.q.QueryContext(ctx, `SELECT notes_channel_id FROM tickets
				WHERE notes_channel_id IN (`+placeholders(1, len(chunk))+`)`, idArgs(chunk)...)
			if err != nil {
				return err
			}
			return scanEach(rows, func(rows *sql.Rows) error {
				var id relay.ID
				err := rows.Scan(&id)
				notes[id] = true
				return err
			})
		})
		if err != nil {
			return fmt.Errorf("notes channels: %w", err)
		}
	}
	var out [][]any
	for _, r := range b.rows {
		m, c := r.m, b.channels[r.m.ChannelID]
		if relay.Bridged(m, c.kind) {
			for _, cv := range convs[m.ChannelID] {
				out = append(out, outboxRow(m.WorkspaceID, relay.OutboxMessageCreate, cv.connector, cv.id, nil,
					m.ID, m.ChannelID, "", "", m.CreatedAt))
				b.queued[m.ID] = true
			}
		}
		if ws := subs[m.WorkspaceID]; len(ws) > 0 && relay.Announced(m, c.kind) && !notes[m.ChannelID] {
			payload, err := relay.MessageCreatedPayload(m, m.ChannelID, c.name, c.kind)
			if err != nil {
				return err
			}
			for _, sub := range ws {
				out = append(out, outboxRow(m.WorkspaceID, relay.OutboxWebhook, nil, nil, sub,
					m.ID, m.ChannelID, relay.EventMessageCreated, string(payload), m.CreatedAt))
			}
			b.queued[m.ID] = true
		}
	}
	if err := b.db.insertRows(ctx, b.q, "outbox", outboxInsertCols, out); err != nil {
		return fmt.Errorf("enqueue: %w", err)
	}
	return nil
}

// eachChunk calls fn with ids in chunks of at most size.
func eachChunk(ids []relay.ID, size int, fn func(chunk []relay.ID) error) error {
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), size)]
		ids = ids[len(chunk):]
		if err := fn(chunk); err != nil {
			return err
		}
	}
	return nil
}

// scanEach calls fn for each row and closes rows.
func scanEach(rows *sql.Rows, fn func(rows *sql.Rows) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return rows.Close()
}
