package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/relayhq/relay"
)

// DefaultSubject is the NATS subject used when NewNATS is given none.
const DefaultSubject = "relay.events"

// NATS is the cluster bus over core NATS: one subject, JSON-encoded events.
// Every node, the publisher included, receives each event through NATS.
// Order is kept per publisher (one connection per bus); delivery is at most
// once (see OnGap).
type NATS struct {
	nc      *nats.Conn
	subject string
	log     *slog.Logger
	closed  atomic.Bool
	onGap   atomic.Pointer[func(reason string)]
}

// NewNATS connects to the NATS server at url (credentials in it are never
// logged) and uses subject (DefaultSubject if empty). The first connection
// must succeed; afterwards the bus reconnects forever, buffering publishes
// meanwhile (8 MiB).
func NewNATS(url, subject string, log *slog.Logger) (*NATS, error) {
	if subject == "" {
		subject = DefaultSubject
	}
	if log == nil {
		log = slog.Default()
	}
	b := &NATS{subject: subject, log: log.With("bus", "nats", "subject", subject)}
	nc, err := nats.Connect(url,
		nats.Name("relay"),
		nats.Timeout(5*time.Second),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(500*time.Millisecond),
		nats.ReconnectJitter(250*time.Millisecond, time.Second),
		nats.PingInterval(20*time.Second),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if !b.closed.Load() {
				b.log.Warn("bus: disconnected from NATS; reconnecting", "err", err)
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			b.log.Info("bus: reconnected to NATS", "server", redact(nc.ConnectedUrl()))
			b.gap("reconnected: events published while disconnected were missed")
		}),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			b.log.Error("bus: NATS error", "err", err)
			if errors.Is(err, nats.ErrSlowConsumer) {
				b.gap("slow consumer: NATS dropped events")
			}
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("bus: connect to NATS at %s: %w", redact(url), err)
	}
	b.nc = nc
	return b, nil
}

// OnGap sets fn to be called (on a NATS goroutine) whenever this node may
// have missed events: after a reconnect, or when NATS dropped events for a
// slow subscriber. The node should make its sockets resync, e.g. close them
// gradually so that clients rejoin and catch up from the store.
func (b *NATS) OnGap(fn func(reason string)) { b.onGap.Store(&fn) }

func (b *NATS) gap(reason string) {
	if fn := b.onGap.Load(); fn != nil && *fn != nil {
		(*fn)(reason)
	}
}

// Publish encodes ev and hands it to the NATS connection, which sends it
// asynchronously (buffered while reconnecting).
func (b *NATS) Publish(ctx context.Context, ev relay.Event) error {
	if b.closed.Load() {
		return ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	data, err := encodeEvent(ev)
	if err != nil {
		return err
	}
	if err := b.nc.Publish(b.subject, data); err != nil {
		if errors.Is(err, nats.ErrConnectionClosed) {
			return ErrClosed
		}
		return fmt.Errorf("bus: publish %s %s: %w", ev.Topic, ev.Name, err)
	}
	return nil
}

// Subscribe makes a NATS subscription whose events are passed to fn one at a
// time, in the order NATS delivers them. It waits (up to 5 s) for the server
// to confirm the subscription, so events published anywhere after it returns
// are received. An event that cannot be decoded is logged and skipped.
func (b *NATS) Subscribe(fn func(relay.Event)) (func(), error) {
	if b.closed.Load() {
		return nil, ErrClosed
	}
	sub, err := b.nc.Subscribe(b.subject, func(m *nats.Msg) {
		ev, err := decodeEvent(m.Data)
		if err != nil {
			b.log.Error("bus: undecodable event skipped", "err", err, "bytes", len(m.Data))
			return
		}
		fn(ev)
	})
	if err != nil {
		return nil, fmt.Errorf("bus: subscribe: %w", err)
	}
	// SUB is sent asynchronously; a round trip makes the server apply it.
	// While disconnected it cannot: the client re-subscribes on reconnect.
	if err := b.nc.FlushTimeout(5 * time.Second); err != nil {
		b.log.Warn("bus: subscription not confirmed by NATS yet", "err", err)
	}
	return func() { _ = sub.Unsubscribe() }, nil
}

// Close sends what is buffered (waiting up to 5 s) and closes the
// connection. Callbacks already running may still finish after it returns.
func (b *NATS) Close() error {
	if b.closed.Swap(true) {
		return nil
	}
	err := b.nc.FlushTimeout(5 * time.Second)
	b.nc.Close()
	if err != nil {
		return fmt.Errorf("bus: flush on close: %w", err)
	}
	return nil
}

// wireEvent is relay.Event on the wire. The ID travels as a decimal string,
// as relay.ID does, but a zero ID is allowed (omitted).
type wireEvent struct {
	Topic       string          `json:"topic"`
	Name        string          `json:"event"`
	WorkspaceID int64           `json:"workspace_id,string,omitempty"`
	Seq         int64           `json:"seq,omitempty"`
	Change      int64           `json:"change,omitempty"`
	MessageID   int64           `json:"message_id,string,omitempty"`
	Exclude     string          `json:"exclude,omitempty"`
	Payload     json.RawMessage `json:"payload,omitempty"`
}

// encodeEvent encodes ev with its payload spliced in byte for byte
// (json.Marshal would compact it).
func encodeEvent(ev relay.Event) ([]byte, error) {
	if len(ev.Payload) > 0 && !json.Valid(ev.Payload) {
		return nil, fmt.Errorf("bus: event %s %s: payload is not valid JSON", ev.Topic, ev.Name)
	}
	b, err := json.Marshal(wireEvent{
		Topic: ev.Topic, Name: ev.Name, WorkspaceID: int64(ev.WorkspaceID),
		Seq: ev.Seq, Change: ev.Change, MessageID: int64(ev.MessageID), Exclude: ev.Exclude,
	})
	if err != nil {
		return nil, fmt.Errorf("bus: encode event: %w", err)
	}
	if len(ev.Payload) == 0 {
		return b, nil
	}
	out := make([]byte, 0, len(b)+len(ev.Payload)+12)
	out = append(out, b[:len(b)-1]...) // without the closing brace
	out = append(out, `,"payload":`...)
	out = append(out, ev.Payload...)
	return append(out, '}'), nil
}

func decodeEvent(data []byte) (relay.Event, error) {
	var w wireEvent
	if err := json.Unmarshal(data, &w); err != nil {
		return relay.Event{}, err
	}
	return relay.Event{
		Topic: w.Topic, Name: w.Name, Payload: w.Payload, WorkspaceID: relay.ID(w.WorkspaceID),
		Seq: w.Seq, Change: w.Change, MessageID: relay.ID(w.MessageID), Exclude: w.Exclude,
	}, nil
}

// redact hides the credentials (user, password or token) of a NATS URL or
// comma-separated list of URLs, for messages.
func redact(s string) string {
	parts := strings.Split(s, ",")
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if u, err := url.Parse(p); err == nil {
			if u.User != nil {
				u.User = url.User("redacted")
			}
			parts[i] = u.String()
		} else if at := strings.LastIndex(p, "@"); at >= 0 {
			parts[i] = "redacted" + p[at:]
		}
	}
	return strings.Join(parts, ",")
}
