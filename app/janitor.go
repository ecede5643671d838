package app

import (
	"context"
	"time"
)

// InviteRetention is how long an expired, unaccepted invitation stays listed
// (marked expired) before the janitor deletes it.
const InviteRetention = 30 * 24 * time.Hour

// HookEventRetention is how long outside event ids are kept to recognise
// redeliveries.
const HookEventRetention = 7 * 24 * time.Hour

// DeliveredRetention is how long delivered outbox rows and webhook
// delivery-log entries stay (for GET /outbox and the delivery log).
const DeliveredRetention = 14 * 24 * time.Hour

// Purge deletes expired sessions and long-expired invitations once.
func (a *App) Purge(ctx context.Context) (sessions, invites int64, err error) {
	now := a.Now()
	sessions, invites, err = a.store.PurgeExpired(ctx, now, now.Add(-InviteRetention))
	if err != nil {
		return 0, 0, err
	}
	// Outside event ids (LINE's webhookEventId) only need to outlive
	// the outside system's redeliveries.
	if n, err := a.store.PurgeHookEvents(ctx, now.Add(-HookEventRetention)); err != nil {
		return sessions, invites, err
	} else if n > 0 {
		a.k.log.InfoContext(ctx, "purged old webhook event ids", "events", n)
	}
	if n, err := a.store.PurgeDelivered(ctx, now.Add(-DeliveredRetention)); err != nil {
		return sessions, invites, err
	} else if n > 0 {
		a.k.log.InfoContext(ctx, "purged delivered outbox rows and old delivery logs", "rows", n)
	}
	if sessions+invites > 0 {
		a.k.log.InfoContext(ctx, "purged expired credentials", "sessions", sessions, "invites", invites)
	}
	return sessions, invites, nil
}

// RunJanitor purges at start and then every interval until ctx ends.
// Several processes may run it at once: the deletes are idempotent.
func (a *App) RunJanitor(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, _, err := a.Purge(ctx); err != nil && ctx.Err() == nil {
			a.k.log.WarnContext(ctx, "janitor", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
