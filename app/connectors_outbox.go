package app

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/relayhq/relay"
)

// EvMessageDelivery tells a channel's readers how a message's trip outside
// went (delivered, retrying, dead with the reason).
const EvMessageDelivery = "message:delivery"

// DeliveryEvent is the payload of EvMessageDelivery.
type DeliveryEvent struct {
	ChannelID  relay.ID         `json:"channel_id"`
	MessageID  relay.ID         `json:"message_id"`
	Deliveries []relay.Delivery `json:"deliveries"`
}

// WakeOutbox tells this process's outbox workers there may be due rows
// (other processes find them by polling).
func (a *Connectors) WakeOutbox() { a.wakeOutbox() }

// RunOutbox delivers outbox rows until ctx ends: it claims due rows (a
// lease makes each row one worker's), hands each to the Deliverer of its
// kind, and records the outcome — delivered, retried later with backoff and
// jitter, or dead after the last try. Rows claimed by a process that died
// become due again when their lease runs out, so nothing is lost; the
// attempt counter fences a worker whose lease was taken over.
func (a *Connectors) RunOutbox(ctx context.Context) {
	cfg := a.conn.cfg
	sem := make(chan struct{}, cfg.OutboxWorkers)
	var wg sync.WaitGroup
	defer wg.Wait()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-a.outbox:
		}
		for {
			free := cfg.OutboxWorkers - len(sem)
			if free <= 0 {
				break
			}
			items, err := a.store.ClaimOutbox(ctx, a.Now(), cfg.OutboxLease, free)
			if err != nil {
				if ctx.Err() == nil {
					a.log.Warn("outbox: claim", "err", err)
				}
				break
			}
			for i := range items {
				it := items[i]
				sem <- struct{}{}
				wg.Add(1)
				go func() {
					defer func() { <-sem; wg.Done(); a.wakeOutbox() }()
					a.deliverOne(context.WithoutCancel(ctx), &it)
				}()
			}
			if len(items) < free {
				break
			}
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(cfg.OutboxPoll)
	}
}

// DeliverDue runs one pass of the outbox in the caller's goroutine: it
// claims and delivers every row due now (tests, `relay` tools).
func (a *Connectors) DeliverDue(ctx context.Context) (int, error) {
	n := 0
	for {
		items, err := a.store.ClaimOutbox(ctx, a.Now(), a.conn.cfg.OutboxLease, 16)
		if err != nil || len(items) == 0 {
			return n, err
		}
		for i := range items {
			a.deliverOne(ctx, &items[i])
			n++
		}
	}
}

// deliverOne makes one attempt at a claimed row and records the outcome.
func (a *Connectors) deliverOne(ctx context.Context, it *relay.OutboxItem) {
	start := time.Now()
	o, err := a.outgoing(ctx, it)
	var sent relay.Sent
	if err == nil {
		kind := relay.ConnectorWebhook
		if o.Connector != nil {
			kind = o.Connector.Type
		}
		d := a.deliverer(kind)
		if d == nil {
			err = &relay.DeliveryError{Err: errors.New("no deliverer for " + kind + " on this server"), RetryAfter: time.Minute}
		} else {
			dctx, cancel := context.WithTimeout(ctx, 60*time.Second)
			sent, err = safeDeliver(dctx, d, o)
			cancel()
		}
	}
	elapsed := time.Since(start)
	now := a.Now()
	skipped := errors.Is(err, relay.Skip)
	var de *relay.DeliveryError
	errors.As(err, &de)
	switch {
	case err == nil || skipped:
		it.State, it.LastError, it.DeliveredAt = relay.OutboxDelivered, "", &now
		if skipped {
			it.LastError = "skipped: " + err.Error()
		}
	case (de != nil && de.Permanent) || it.Attempts >= a.conn.cfg.OutboxMaxAttempts:
		it.State, it.LastError = relay.OutboxDead, truncateError(err)
	default:
		it.State, it.LastError = relay.OutboxPending, truncateError(err)
		delay := a.backoff(it.Attempts)
		if de != nil && de.RetryAfter > delay {
			delay = de.RetryAfter
		}
		it.NextAt = now.Add(delay)
	}
	// The attempt is logged while the row is still ours, so the log is in
	// attempt order even when the next attempt starts right away.
	if o != nil && o.Subscription != nil {
		code := sent.ResponseCode
		if de != nil && de.ResponseCode != 0 {
			code = de.ResponseCode
		}
		d := &relay.WebhookDelivery{SubscriptionID: o.Subscription.ID, OutboxID: it.ID, Event: it.Event, Attempt: it.Attempts,
			OK: err == nil, ResponseCode: code, DurationMS: elapsed.Milliseconds(), CreatedAt: now}
		if err != nil {
			d.Error = truncateError(err)
		}
		if rerr := a.store.RecordDelivery(ctx, it.WorkspaceID, d); rerr != nil {
			a.log.Warn("outbox: record delivery", "outbox_id", it.ID, "err", rerr)
		}
		if code == 410 && err != nil {
			// 410 Gone: the receiver says the hook is gone for good.
			if serr := a.store.SetSubscriptionActive(ctx, it.WorkspaceID, o.Subscription.ID, false); serr != nil {
				a.log.Warn("outbox: switch off subscription", "subscription_id", o.Subscription.ID, "err", serr)
			} else {
				a.log.Info("outbox: subscription switched off (410 Gone)", "subscription_id", o.Subscription.ID)
			}
		}
	}
	// Linked before the row is finished: the message's edit, next in its
	// conversation's order, must find the outside copy.
	if o != nil && err == nil && sent.ExternalID != "" && it.Kind == relay.OutboxMessageCreate && o.Message != nil && o.Connector != nil {
		if lerr := a.store.LinkExternalMessage(ctx, it.WorkspaceID, o.Connector.ID, sent.ExternalID, o.Message.ID, now); lerr != nil {
			a.log.Warn("outbox: link external message", "outbox_id", it.ID, "err", lerr)
		}
	}
	ok, ferr := a.store.FinishOutbox(ctx, it, now)
	if ferr != nil {
		a.log.Warn("outbox: finish", "outbox_id", it.ID, "err", ferr)
		return
	}
	if !ok {
		// Another worker took the row over after our lease ran out.
		a.log.Warn("outbox: lease lost", "outbox_id", it.ID)
		return
	}
	if err != nil && !skipped {
		a.log.Info("outbox: delivery failed", "outbox_id", it.ID, "kind", it.Kind, "attempt", it.Attempts,
			"state", it.State, "err", it.LastError)
	}
	if o == nil {
		return
	}
	if o.Connector != nil && !skipped {
		switch {
		case err == nil:
			a.ReportConnectorHealth(ctx, o.Connector, nil)
		case it.State == relay.OutboxDead:
			a.ReportConnectorHealth(ctx, o.Connector, err)
		}
	}
	if it.Kind == relay.OutboxMessageCreate && it.MessageID != nil && it.ChannelID != nil &&
		(it.State == relay.OutboxDelivered || it.State == relay.OutboxDead || it.Attempts == 1) {
		a.publishDeliveries(ctx, it.WorkspaceID, *it.ChannelID, *it.MessageID)
	}
}

// safeDeliver keeps a panicking deliverer from taking the process down.
func safeDeliver(ctx context.Context, d relay.Deliverer, o *relay.Outgoing) (s relay.Sent, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = relay.Permanent(errors.New("the deliverer crashed"))
		}
	}()
	return d.Deliver(ctx, o)
}

// truncateError is an error's text as stored: at most 500 characters (cut
// on a character, never inside one: outside systems answer in any script).
func truncateError(err error) string { return truncate(err.Error(), 500) }

// backoff is the delay before try n+1: base·2^(n-1), capped, with jitter
// in [½, 1] of it so retries from many rows spread out.
func (a *Connectors) backoff(attempts int) time.Duration {
	cfg := a.conn.cfg
	d := cfg.OutboxBackoff
	for i := 1; i < attempts && d < cfg.OutboxMaxBackoff; i++ {
		d *= 2
	}
	d = min(d, cfg.OutboxMaxBackoff)
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// outgoing loads what a row refers to. An error here is a failed attempt
// (retried), except rows whose targets are gone (Skip).
func (a *Connectors) outgoing(ctx context.Context, it *relay.OutboxItem) (*relay.Outgoing, error) {
	o := &relay.Outgoing{Item: *it}
	o.SiteURL = a.SiteURL(ctx, it.WorkspaceID)
	if it.Kind == relay.OutboxWebhook {
		if it.SubscriptionID == nil {
			return nil, relay.Permanent(errors.New("webhook row without a subscription"))
		}
		sub, err := a.store.Subscription(ctx, it.WorkspaceID, *it.SubscriptionID)
		if relay.ErrorCode(err) == relay.ENOTFOUND {
			return nil, relay.Skip
		} else if err != nil {
			return nil, err
		}
		if !sub.Active {
			return nil, relay.Skip
		}
		o.Subscription = sub
		secrets, err := a.OpenSecrets(subscriptionAAD(sub.ID), sub.Secrets)
		if err != nil {
			return nil, relay.Permanent(err)
		}
		o.Secret = secrets["secret"]
		return o, nil
	}
	if it.ConnectorID == nil || it.ConversationID == nil || it.MessageID == nil || it.ChannelID == nil {
		return nil, relay.Permanent(errors.New("message row without its connector, conversation or message"))
	}
	c, err := a.store.Connector(ctx, it.WorkspaceID, *it.ConnectorID)
	if relay.ErrorCode(err) == relay.ENOTFOUND {
		return nil, relay.Skip
	} else if err != nil {
		return nil, err
	}
	if c.Status == relay.ConnectorDisabled {
		return o, relay.Permanent(errors.New("the connector is disabled"))
	}
	if o.Connector, o.Credentials, err = a.withSecrets(c); err != nil {
		return o, relay.Permanent(err)
	}
	convs, err := a.store.ChannelConversations(ctx, it.WorkspaceID, *it.ChannelID)
	if err != nil {
		return o, err
	}
	for i := range convs {
		if convs[i].ID == *it.ConversationID {
			o.Conversation = &convs[i]
		}
	}
	if o.Conversation == nil {
		return o, relay.Skip // unbridged since
	}
	if o.ConversationSecrets, err = a.OpenSecrets(conversationAAD(o.Conversation.ID), o.Conversation.Secrets); err != nil {
		return o, relay.Permanent(err)
	}
	m, err := a.store.Message(ctx, it.WorkspaceID, *it.MessageID)
	if relay.ErrorCode(err) == relay.ENOTFOUND {
		return o, relay.Skip
	} else if err != nil {
		return o, err
	}
	o.Message = m
	switch it.Kind {
	case relay.OutboxMessageCreate:
		if m.DeletedAt != nil {
			return o, relay.Skip
		}
	case relay.OutboxMessageUpdate, relay.OutboxMessageDelete:
		ext, err := a.store.ExternalIDOf(ctx, it.WorkspaceID, c.ID, m.ID)
		if relay.ErrorCode(err) == relay.ENOTFOUND {
			// Not out yet: wait while its create is still on its way
			// (rows of a conversation go in order, so it is ahead of
			// us only if it failed for good).
			return o, relay.Skip
		} else if err != nil {
			return o, err
		}
		o.ExternalID = ext
		if it.Kind == relay.OutboxMessageUpdate && m.DeletedAt != nil {
			return o, relay.Skip
		}
	}
	return o, nil
}

// publishDeliveries sends a message's delivery states to its channel.
func (a *Connectors) publishDeliveries(ctx context.Context, ws, channelID, messageID relay.ID) {
	ds, err := a.store.MessageDeliveries(ctx, ws, []relay.ID{messageID})
	if err != nil {
		a.log.Warn("outbox: deliveries", "message_id", messageID, "err", err)
		return
	}
	a.publish(ctx, ws, relay.ChannelTopic(channelID), EvMessageDelivery,
		DeliveryEvent{ChannelID: channelID, MessageID: messageID, Deliveries: ds[messageID]}, 0, 0)
}

// OutboxList lists the workspace's outbox rows in a state ("" for all).
func (a *Connectors) OutboxList(ctx context.Context, actor *relay.Actor, state string, limit int) ([]relay.OutboxItem, error) {
	if err := manageConnectors(actor); err != nil {
		return nil, err
	}
	switch state {
	case "", relay.OutboxPending, relay.OutboxSending, relay.OutboxDelivered, relay.OutboxDead:
	default:
		return nil, relay.Errorf(relay.EINVALID, "state must be pending, sending, delivered or dead.")
	}
	if limit <= 0 {
		limit = 50
	}
	if limit > 200 {
		return nil, relay.Errorf(relay.EINVALID, "limit must be between 1 and 200.")
	}
	return a.store.OutboxItems(ctx, actor.Workspace.ID, state, limit)
}

// RetryOutbox gives a dead row another round of tries (owners and admins,
// and the author of the message it carries).
func (a *Connectors) RetryOutbox(ctx context.Context, actor *relay.Actor, id int64) (*relay.OutboxItem, error) {
	if actor == nil || actor.Membership == nil {
		return nil, manageConnectors(actor)
	}
	it, err := a.store.OutboxItem(ctx, actor.Workspace.ID, id)
	if err != nil {
		if relay.ErrorCode(err) == relay.ENOTFOUND {
			return nil, relay.Errorf(relay.ENOTFOUND, "Outbox item not found.")
		}
		return nil, err
	}
	if err := manageConnectors(actor); err != nil {
		// The author of a message that was not delivered may retry it.
		if it.MessageID == nil {
			return nil, err
		}
		m, merr := a.store.Message(ctx, actor.Workspace.ID, *it.MessageID)
		if merr != nil || m.Author.Kind != relay.AuthorUser || m.Author.ID != actor.User.ID {
			return nil, err
		}
		if _, _, cerr := a.msg.channelAccess(ctx, actor, m.ChannelID, false); cerr != nil {
			return nil, cerr
		}
	}
	out, err := a.store.RetryOutbox(ctx, actor.Workspace.ID, id, a.Now())
	if err != nil {
		if relay.ErrorCode(err) == relay.ECONFLICT {
			return nil, relay.Errorf(relay.ECONFLICT, "Only a dead delivery can be retried (this one is %s).", it.State)
		}
		return nil, err
	}
	a.audit(ctx, actor, relay.AuditOutboxRetried, "outbox", relay.ID(id), map[string]any{"kind": it.Kind})
	if out.MessageID != nil && out.ChannelID != nil {
		a.publishDeliveries(ctx, out.WorkspaceID, *out.ChannelID, *out.MessageID)
	}
	a.wakeOutbox()
	return out, nil
}
