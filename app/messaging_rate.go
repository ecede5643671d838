package app

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/ratelimit"
	"github.com/relayhq/relay/policy"
)

// The per-user message rate limit: each member of a workspace may post the
// workspace's MessageRate messages a second sustained, in bursts of up to
// MessageBurst (0 in either: no limit). Every path a person posts by — REST
// and the socket, in channels and in tickets — goes through
// checkMessageRate; what connectors and webhooks bring in has limits of its
// own. Buckets live in memory per process, so in a cluster each node limits
// on its own.

// messageRateTTL bounds how long a node uses a workspace's limit without
// reading it again, so a change made on another node applies within it.
const messageRateTTL = 10 * time.Second

// messageRates holds a token bucket per (workspace, user), with one
// limiter per workspace at the workspace's settings.
type messageRates struct {
	now func() time.Time
	mu  sync.Mutex
	ws  map[relay.ID]*workspaceRate
	// swept is when idle workspaces were last dropped.
	swept time.Time
}

type workspaceRate struct {
	rate, burst int
	updated     time.Time          // the workspace's UpdatedAt the settings come from
	read        time.Time          // when they were read
	used        time.Time          // last post checked
	lim         *ratelimit.Limiter // nil when off
}

func newMessageRates(now func() time.Time) *messageRates {
	return &messageRates{now: now, ws: map[relay.ID]*workspaceRate{}}
}

// learn takes the workspace's settings if they are newer than those held
// (by UpdatedAt), or fresh when read is set, and reports whether what it
// now holds should be read again (older than messageRateTTL): one lock for
// both on every post.
func (r *messageRates) learn(ws *relay.Workspace, read bool) (stale bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	e := r.ws[ws.ID]
	if e != nil && ws.UpdatedAt.Before(e.updated) {
		if read {
			e.read = now // what is held is newer still
		}
		return now.Sub(e.read) > messageRateTTL
	}
	if e == nil || e.rate != ws.MessageRate || e.burst != ws.MessageBurst {
		e = &workspaceRate{rate: ws.MessageRate, burst: ws.MessageBurst, used: now, read: now}
		if e.rate > 0 && e.burst > 0 {
			e.lim = ratelimit.New(e.burst, time.Duration(float64(e.burst)/float64(e.rate)*float64(time.Second)))
			e.lim.Now = r.now
		}
		r.ws[ws.ID] = e
	}
	e.updated = ws.UpdatedAt
	if read {
		e.read = now
	}
	return now.Sub(e.read) > messageRateTTL
}

// allow takes one post of user in the workspace, or says how long to wait.
func (r *messageRates) allow(wsID, userID relay.ID) (bool, time.Duration) {
	r.mu.Lock()
	now := r.now()
	r.sweep(now)
	e := r.ws[wsID]
	if e == nil || e.lim == nil {
		r.mu.Unlock()
		return true, 0
	}
	e.used = now
	lim := e.lim
	r.mu.Unlock()
	return lim.Allow(userID.String())
}

// sweep drops, now and then, workspaces nobody posted in for a while.
func (r *messageRates) sweep(now time.Time) {
	if now.Sub(r.swept) < 10*time.Minute {
		return
	}
	r.swept = now
	for id, e := range r.ws {
		if now.Sub(e.used) > 10*time.Minute {
			delete(r.ws, id)
		}
	}
}

// checkMessageRate takes one post of the actor from their workspace's
// message rate limit: ERATELIMITED with the seconds to wait when spent.
// The actor's Workspace may be older than the stored one (a socket keeps
// the one it connected with): the stored settings are read again every
// messageRateTTL.
func (a *kernel) checkMessageRate(ctx context.Context, st workspaceReader, actor *relay.Actor) error {
	if actor == nil || actor.Workspace == nil || actor.User == nil {
		return nil
	}
	ws := actor.Workspace
	if a.rates.learn(ws, false) {
		if fresh, err := st.WorkspaceByID(ctx, ws.ID); err == nil {
			a.rates.learn(fresh, true)
		} else {
			a.log.WarnContext(ctx, "message rate: read workspace", "workspace_id", ws.ID, "err", err)
		}
	}
	if ok, wait := a.rates.allow(ws.ID, actor.User.ID); !ok {
		secs := retryAfterSeconds(wait)
		return &relay.Error{Code: relay.ERATELIMITED, RetryAfter: secs,
			Message: fmt.Sprintf("You are sending messages too fast. Try again in %d s.", secs)}
	}
	return nil
}

// workspaceReader reads a workspace's stored settings.
type workspaceReader interface {
	WorkspaceByID(ctx context.Context, id relay.ID) (*relay.Workspace, error)
}

// validateMessageRate checks a change of the message rate limit: only an
// owner makes it, within bounds.
func validateMessageRate(actor *relay.Actor, upd relay.WorkspaceUpdate) error {
	if upd.MessageRate == nil && upd.MessageBurst == nil {
		return nil
	}
	if err := policy.Check(actor, policy.SetMessageRate, policy.Target{}); err != nil {
		return err
	}
	if v := upd.MessageRate; v != nil && (*v < 0 || *v > relay.MaxMessageRate) {
		return relay.Errorf(relay.EINVALID, "message_rate must be 0 (no limit) to %d messages a second.", relay.MaxMessageRate)
	}
	if v := upd.MessageBurst; v != nil && (*v < 0 || *v > relay.MaxMessageBurst) {
		return relay.Errorf(relay.EINVALID, "message_burst must be 0 (no limit) to %d messages.", relay.MaxMessageBurst)
	}
	return nil
}

// messageRateChange is the audit detail of a change of the limit, or nil.
func messageRateChange(old, ws *relay.Workspace) map[string]any {
	d := map[string]any{}
	if old.MessageRate != ws.MessageRate {
		d["message_rate"] = map[string]int{"from": old.MessageRate, "to": ws.MessageRate}
	}
	if old.MessageBurst != ws.MessageBurst {
		d["message_burst"] = map[string]int{"from": old.MessageBurst, "to": ws.MessageBurst}
	}
	if len(d) == 0 {
		return nil
	}
	return d
}
