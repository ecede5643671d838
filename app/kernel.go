package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/files"
	"github.com/relayhq/relay/internal/secretbox"
)

// kernel is the plumbing every service shares, held by pointer (embedded
// for brevity: a.log, a.Now(), a.publish…). It carries no use case and no
// business rule, only ids, the clock, the logger, the bus, the file store,
// the secret box, the channel access cache (filled by messaging, dropped
// by accounts when a member's access changes), the outbox wake-up signal
// (raised by whoever commits outbox rows, read by the connectors' workers)
// and the append-only audit log every service writes to.
type kernel struct {
	files  files.Store
	log    *slog.Logger
	ids    *relay.IDGen
	now    func() time.Time
	box    *secretbox.Box
	bus    Publisher
	audits AuditStore
	access *accessCache
	outbox chan struct{}
	// rates is the per-user message rate limit every post path checks
	// (messaging_rate.go): Messaging's and the Desk's posts, Accounts'
	// workspace settings.
	rates *messageRates
}

// Now returns the current time as stored: UTC, microsecond precision.
func (k *kernel) Now() time.Time { return k.now().UTC().Truncate(time.Microsecond) }

// wakeOutbox tells this process's outbox workers there may be due rows
// (other processes find them by polling).
func (k *kernel) wakeOutbox() {
	select {
	case k.outbox <- struct{}{}:
	default:
	}
}

// tokenPrefix marks Relay secrets so secret scanners can find leaked ones.
const tokenPrefix = "rly_"

// newToken returns a fresh random secret and the hash under which it is stored.
func newToken() (string, []byte) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	tok := tokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return tok, hashToken(tok)
}

// hashToken is how secrets are stored and looked up. A fast hash suffices:
// the secrets are 256-bit random, not guessable passwords.
func hashToken(tok string) []byte {
	h := sha256.Sum256([]byte(tok))
	return h[:]
}

// plausibleToken rejects obviously malformed secrets before any lookup.
func plausibleToken(tok string) bool {
	return strings.HasPrefix(tok, tokenPrefix) && len(tok) == len(tokenPrefix)+43
}

func rateLimited(wait time.Duration) error {
	return &relay.Error{Code: relay.ERATELIMITED, Message: "Too many attempts. Try again later.", RetryAfter: retryAfterSeconds(wait)}
}

// retryAfterSeconds is a wait as a Retry-After: whole seconds, rounded up, at least 1.
func retryAfterSeconds(wait time.Duration) int { return max(int(wait.Seconds()+0.999), 1) }

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// accessChanged publishes access:changed for a user.
func (a *kernel) accessChanged(ctx context.Context, ws, user, session relay.ID, reason string) {
	a.access.dropUser(user)
	a.publish(ctx, ws, relay.UserTopic(user), EvAccessChanged,
		AccessEvent{WorkspaceID: ws, UserID: user, SessionID: session, Reason: reason}, 0, 0)
}

// publish encodes the payload once and hands the event to the bus.
func (a *kernel) publish(ctx context.Context, ws relay.ID, topic, name string, payload any, seq, change int64) {
	a.emit(ctx, relay.Event{Topic: topic, Name: name, WorkspaceID: ws, Seq: seq, Change: change}, payload)
}

// publishMessage publishes an event about message m (its id and change go
// on the event, and seq too for message:new).
//
// A message of a ticket (TicketID set) goes to the ticket's topic instead
// of its channel's: ticket:<id> for the conversation, the staff-only
// ticket:<id>:staff for internal notes.
func (a *kernel) publishMessage(ctx context.Context, name string, payload any, m *relay.Message) {
	topic := relay.ChannelTopic(m.ChannelID)
	switch {
	case m.TicketID != 0 && m.Internal:
		topic = relay.TicketStaffTopic(m.TicketID)
	case m.TicketID != 0:
		topic = relay.TicketTopic(m.TicketID)
	}
	ev := relay.Event{Topic: topic, Name: name, WorkspaceID: m.WorkspaceID,
		Change: m.Change, MessageID: m.ID}
	if name == EvMessageNew {
		ev.Seq = m.Seq
	}
	a.emit(ctx, ev, payload)
}

// emit encodes payload into ev, once for every subscriber, and publishes it.
// A bus failure is logged, not returned: the change is committed, and
// clients that missed the event catch up from the store when they rejoin.
func (a *kernel) emit(ctx context.Context, ev relay.Event, payload any) {
	b, err := json.Marshal(payload)
	if err != nil {
		a.log.ErrorContext(ctx, "encode event", "event", ev.Name, "err", err)
		return
	}
	ev.Payload = b
	a.Publish(ctx, ev)
}

func (noPublisher) Publish(context.Context, relay.Event) error { return nil }

// audit records an action of actor on a target (kind and id, e.g. "user",
// 42) with optional details. It never fails the action it records: a
// failure to write is logged. The client IP comes from ctx
// (relay.ClientIPFromContext).
func (a *kernel) audit(ctx context.Context, actor *relay.Actor, action, targetKind string, targetID relay.ID, data any) {
	if actor == nil || actor.Workspace == nil {
		a.log.ErrorContext(ctx, "audit: no actor or workspace", "action", action)
		return
	}
	var actorID relay.ID
	if actor.User != nil {
		actorID = actor.User.ID
	}
	a.auditAs(ctx, actor.Workspace.ID, actorID, action, targetKind, targetID, data)
}

// auditAs is audit for a workspace and actor id given directly (an
// invitation accepted, a customer signing up: no actor in the request).
func (a *kernel) auditAs(ctx context.Context, wsID, actorID relay.ID, action, targetKind string, targetID relay.ID, data any) {
	raw := json.RawMessage("{}")
	if data != nil {
		b, err := json.Marshal(data)
		if err != nil {
			a.log.ErrorContext(ctx, "audit: encode data", "action", action, "err", err)
		} else {
			raw = b
		}
	}
	e := &relay.AuditEvent{ID: a.ids.New(), WorkspaceID: wsID, ActorID: actorID, Action: action, TargetKind: targetKind,
		TargetID: targetID, Data: raw, IP: relay.ClientIPFromContext(ctx), CreatedAt: a.Now()}
	// The action is committed: record it even if the request was cancelled
	// in the meantime.
	if err := a.audits.AppendAudit(context.WithoutCancel(ctx), e); err != nil {
		a.log.ErrorContext(ctx, "audit: append", "workspace_id", wsID, "action", action, "target_kind", targetKind,
			"target_id", targetID, "err", err)
	}
}

// SealSecrets encrypts a map of credentials under the server's secret key,
// bound to aad (e.g. "connector:<id>").
func (a *kernel) SealSecrets(aad string, m map[string]string) ([]byte, error) {
	if a.box == nil {
		return nil, relay.Errorf(relay.EINTERNAL, "No secret key is configured to encrypt credentials.")
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return a.box.Seal(b, []byte(aad)), nil
}

// OpenSecrets decrypts what SealSecrets sealed with the same aad; nil
// sealed is an empty map.
func (a *kernel) OpenSecrets(aad string, sealed []byte) (map[string]string, error) {
	m := map[string]string{}
	if len(sealed) == 0 {
		return m, nil
	}
	if a.box == nil {
		return nil, relay.Errorf(relay.EINTERNAL, "No secret key is configured to decrypt credentials.")
	}
	b, err := a.box.Open(sealed, []byte(aad))
	if err != nil {
		return nil, fmt.Errorf("open secrets %s: %w", aad, err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("open secrets %s: %w", aad, err)
	}
	return m, nil
}
