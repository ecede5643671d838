package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/relayhq/relay"
)

const (
	msgSubscriptionNotFound    = "Webhook subscription not found."
	msgIncomingWebhookNotFound = "Incoming webhook not found."
	msgBadSubscription         = "That is not a valid webhook subscription."
	msgBadEvent                = "That is not a valid webhook event."
)

// encodeEvents stores a subscription's events as ",a,b,": a comma at each
// end, so one event is found as ",name," in it.
func encodeEvents(events []string) (string, error) {
	for _, e := range events {
		if e == "" || strings.ContainsAny(e, ", ") {
			return "", invalid(msgBadEvent)
		}
	}
	return "," + strings.Join(events, ",") + ",", nil
}

// decodeEvents reads what encodeEvents wrote; never nil.
func decodeEvents(s string) []string {
	out := []string{}
	for e := range strings.SplitSeq(s, ",") {
		if e != "" {
			out = append(out, e)
		}
	}
	return out
}

// subscribed reports whether stored events (",a,b,") name event.
func subscribed(events, event string) bool {
	return strings.Contains(events, ","+event+",")
}

// subscriptionsTo returns the active subscriptions to event of each of
// the workspaces, in one query per chunk of workspaces. Subscriptions are
// few per workspace: they are filtered here rather than by a LIKE pattern.
func (db *DB) subscriptionsTo(ctx context.Context, q querier, workspaceIDs []relay.ID, event string) (map[relay.ID][]relay.ID, error) {
	out := map[relay.ID][]relay.ID{}
	err := eachChunk(workspaceIDs, db.inListSize(), func(chunk []relay.ID) error {
		rows, err := q.QueryContext(ctx, `SELECT id, workspace_id, events FROM webhook_subscriptions
			WHERE workspace_id IN (`+placeholders(1, len(chunk))+`) AND active ORDER BY id`, idArgs(chunk)...)
		if err != nil {
			return err
		}
		return scanEach(rows, func(rows *sql.Rows) error {
			var id, ws relay.ID
			var events string
			if err := rows.Scan(&id, &ws, &events); err != nil {
				return err
			}
			if subscribed(events, event) {
				out[ws] = append(out[ws], id)
			}
			return nil
		})
	})
	if err != nil {
		return nil, unavailable(fmt.Errorf("subscriptions: %w", err))
	}
	return out, nil
}

const subscriptionColumns = `id, workspace_id, url, events, description, active, created_by, created_at, secrets`

func scanSubscription(row interface{ Scan(...any) error }) (*relay.WebhookSubscription, error) {
	var s relay.WebhookSubscription
	var events string
	var created int64
	if err := row.Scan(&s.ID, &s.WorkspaceID, &s.URL, &events, &s.Description, &s.Active, &s.CreatedBy, &created,
		&s.Secrets); err != nil {
		return nil, err
	}
	s.Events, s.CreatedAt = decodeEvents(events), fromMicros(created)
	if len(s.Secrets) == 0 {
		s.Secrets = nil
	}
	return &s, nil
}

// CreateSubscription implements app.WebhookStore. An event that is empty
// or holds a comma or space is EINVALID; s.CreatedAt is normalised.
func (db *DB) CreateSubscription(ctx context.Context, s *relay.WebhookSubscription) error {
	events, err := encodeEvents(s.Events)
	if err != nil {
		return fmt.Errorf("create subscription: %w", err)
	}
	s.CreatedAt = normal(s.CreatedAt)
	return db.update(ctx, "create subscription", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO webhook_subscriptions (id, workspace_id, url, events, description,
				secrets, active, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			s.ID, s.WorkspaceID, s.URL, events, s.Description, nullBytes(s.Secrets), s.Active, s.CreatedBy, micros(s.CreatedAt))
		if err != nil {
			return classify("insert", err, on{
				primaryKeyViolation: conflict(msgIDTaken),
				foreignKeyViolation: missing(msgWorkspaceNotFound),
				checkViolation:      invalid(msgBadSubscription),
			})
		}
		return nil
	})
}

// Subscriptions implements app.WebhookStore: oldest first.
func (db *DB) Subscriptions(ctx context.Context, workspaceID relay.ID) ([]relay.WebhookSubscription, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+subscriptionColumns+` FROM webhook_subscriptions
		WHERE workspace_id = $1 ORDER BY created_at, id`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("subscriptions: %w", err)
	}
	out := []relay.WebhookSubscription{}
	err = scanEach(rows, func(rows *sql.Rows) error {
		s, err := scanSubscription(rows)
		if err == nil {
			out = append(out, *s)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("subscriptions: %w", err)
	}
	return out, nil
}

// Subscription implements app.WebhookStore.
func (db *DB) Subscription(ctx context.Context, workspaceID, id relay.ID) (*relay.WebhookSubscription, error) {
	s, err := scanSubscription(db.read.QueryRowContext(ctx, `SELECT `+subscriptionColumns+` FROM webhook_subscriptions
		WHERE workspace_id = $1 AND id = $2`, workspaceID, id))
	if err != nil {
		return nil, notFound("subscription", err, msgSubscriptionNotFound)
	}
	return s, nil
}

// DeleteSubscription implements app.WebhookStore: its outbox rows and
// delivery log go with it.
func (db *DB) DeleteSubscription(ctx context.Context, workspaceID, id relay.ID) error {
	return db.update(ctx, "delete subscription", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM webhook_subscriptions WHERE workspace_id = $1 AND id = $2`, workspaceID, id)
		if err != nil {
			return fmt.Errorf("delete: %w", err)
		}
		return oneRow(res, msgSubscriptionNotFound)
	})
}

// SetSubscriptionActive implements app.WebhookStore.
func (db *DB) SetSubscriptionActive(ctx context.Context, workspaceID, id relay.ID, active bool) error {
	return db.update(ctx, "set subscription active", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE webhook_subscriptions SET active = $3 WHERE workspace_id = $1 AND id = $2`,
			workspaceID, id, active)
		if err != nil {
			return fmt.Errorf("update: %w", err)
		}
		return oneRow(res, msgSubscriptionNotFound)
	})
}

// EnqueueEvent implements app.WebhookStore. The payload must be a JSON
// object (EINVALID otherwise); an event nobody subscribes to writes
// nothing.
func (db *DB) EnqueueEvent(ctx context.Context, workspaceID relay.ID, event string, payload []byte, now time.Time) error {
	if event == "" || strings.ContainsAny(event, ", ") {
		return fmt.Errorf("enqueue event: %w", invalid(msgBadEvent))
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(payload, &obj); err != nil || obj == nil {
		return fmt.Errorf("enqueue event: %w", invalid("The event payload must be a JSON object."))
	}
	return db.update(ctx, "enqueue event", func(tx *sql.Tx) error {
		return db.enqueueEvent(ctx, tx, workspaceID, event, string(payload), now)
	})
}

// enqueueEvent writes, in the caller's transaction, one webhook row per
// active subscription of the workspace to event.
func (db *DB) enqueueEvent(ctx context.Context, tx *sql.Tx, workspaceID relay.ID, event, payload string, now time.Time) error {
	subs, err := db.subscriptionsTo(ctx, tx, []relay.ID{workspaceID}, event)
	if err != nil {
		return err
	}
	var rows [][]any
	for _, sub := range subs[workspaceID] {
		rows = append(rows, outboxRow(workspaceID, relay.OutboxWebhook, nil, nil, sub, nil, nil, event, payload, now))
	}
	if err := db.insertRows(ctx, tx, "outbox", outboxInsertCols, rows); err != nil {
		return fmt.Errorf("enqueue %s: %w", event, err)
	}
	return nil
}

// RecordDelivery implements app.WebhookStore: d gets its id; a
// subscription not in the workspace is ENOTFOUND.
func (db *DB) RecordDelivery(ctx context.Context, workspaceID relay.ID, d *relay.WebhookDelivery) error {
	d.CreatedAt = normal(d.CreatedAt)
	return db.update(ctx, "record delivery", func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO webhook_deliveries (workspace_id, subscription_id, outbox_id, event,
				attempt, ok, response_code, duration_ms, error, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			workspaceID, d.SubscriptionID, d.OutboxID, d.Event, d.Attempt, d.OK, d.ResponseCode, d.DurationMS,
			d.Error, micros(d.CreatedAt)).Scan(&d.ID)
		if err != nil {
			return classify("insert", err, on{foreignKeyViolation: missing(msgSubscriptionNotFound)})
		}
		return nil
	})
}

// Deliveries implements app.WebhookStore: newest first; limit defaults to
// 50 and is at most 500. A subscription not in the workspace is ENOTFOUND.
func (db *DB) Deliveries(ctx context.Context, workspaceID, subscriptionID relay.ID, limit int) ([]relay.WebhookDelivery, error) {
	limit = limitOr(limit, 50, 500)
	out := []relay.WebhookDelivery{}
	err := db.view(ctx, "deliveries", func(tx *sql.Tx) error {
		var id relay.ID
		if err := tx.QueryRowContext(ctx, `SELECT id FROM webhook_subscriptions WHERE workspace_id = $1 AND id = $2`,
			workspaceID, subscriptionID).Scan(&id); err != nil {
			return notFound("subscription", err, msgSubscriptionNotFound)
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, subscription_id, outbox_id, event, attempt, ok, response_code,
				duration_ms, error, created_at
			FROM webhook_deliveries WHERE subscription_id = $1 AND workspace_id = $2
			ORDER BY id DESC LIMIT $3`, subscriptionID, workspaceID, limit)
		if err != nil {
			return err
		}
		return scanEach(rows, func(rows *sql.Rows) error {
			var d relay.WebhookDelivery
			var created int64
			if err := rows.Scan(&d.ID, &d.SubscriptionID, &d.OutboxID, &d.Event, &d.Attempt, &d.OK, &d.ResponseCode,
				&d.DurationMS, &d.Error, &created); err != nil {
				return err
			}
			d.CreatedAt = fromMicros(created)
			out = append(out, d)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

const incomingColumns = `id, workspace_id, channel_id, name, created_by, created_at`

func scanIncoming(row interface{ Scan(...any) error }) (*relay.IncomingWebhook, error) {
	var w relay.IncomingWebhook
	var created int64
	if err := row.Scan(&w.ID, &w.WorkspaceID, &w.ChannelID, &w.Name, &w.CreatedBy, &created); err != nil {
		return nil, err
	}
	w.CreatedAt = fromMicros(created)
	return &w, nil
}

// CreateIncomingWebhook implements app.WebhookStore: a channel not in the
// workspace is ENOTFOUND, a token hash in use ECONFLICT.
func (db *DB) CreateIncomingWebhook(ctx context.Context, w *relay.IncomingWebhook, tokenHash []byte) error {
	if len(tokenHash) == 0 {
		return fmt.Errorf("create incoming webhook: %w", invalid(msgBadSubscription))
	}
	w.CreatedAt = normal(w.CreatedAt)
	return db.update(ctx, "create incoming webhook", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO incoming_webhooks (id, workspace_id, channel_id, name, token_hash,
				created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			w.ID, w.WorkspaceID, w.ChannelID, w.Name, tokenHash, w.CreatedBy, micros(w.CreatedAt))
		if err != nil {
			return classify("insert", err, on{
				primaryKeyViolation: conflict(msgIDTaken),
				uniqueViolation:     conflict(msgTokenTaken),
				foreignKeyViolation: missing(msgChannelNotFound),
			})
		}
		return nil
	})
}

// IncomingWebhooks implements app.WebhookStore: the channel's, oldest
// first; a channel not in the workspace is ENOTFOUND.
func (db *DB) IncomingWebhooks(ctx context.Context, workspaceID, channelID relay.ID) ([]relay.IncomingWebhook, error) {
	out := []relay.IncomingWebhook{}
	err := db.view(ctx, "incoming webhooks", func(tx *sql.Tx) error {
		if err := channelExists(ctx, tx, workspaceID, channelID); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+incomingColumns+` FROM incoming_webhooks
			WHERE workspace_id = $1 AND channel_id = $2 ORDER BY created_at, id`, workspaceID, channelID)
		if err != nil {
			return err
		}
		return scanEach(rows, func(rows *sql.Rows) error {
			w, err := scanIncoming(rows)
			if err == nil {
				out = append(out, *w)
			}
			return err
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// IncomingWebhookByToken implements app.WebhookStore.
func (db *DB) IncomingWebhookByToken(ctx context.Context, tokenHash []byte) (*relay.IncomingWebhook, error) {
	if len(tokenHash) == 0 {
		return nil, missing(msgIncomingWebhookNotFound)
	}
	w, err := scanIncoming(db.read.QueryRowContext(ctx, `SELECT `+incomingColumns+` FROM incoming_webhooks
		WHERE token_hash = $1`, tokenHash))
	if err != nil {
		return nil, notFound("incoming webhook", err, msgIncomingWebhookNotFound)
	}
	return w, nil
}

// DeleteIncomingWebhook implements app.WebhookStore.
func (db *DB) DeleteIncomingWebhook(ctx context.Context, workspaceID, id relay.ID) error {
	return db.update(ctx, "delete incoming webhook", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM incoming_webhooks WHERE workspace_id = $1 AND id = $2`, workspaceID, id)
		if err != nil {
			return fmt.Errorf("delete: %w", err)
		}
		return oneRow(res, msgIncomingWebhookNotFound)
	})
}
