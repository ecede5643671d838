package bus

import (
	"context"
	"errors"

	"github.com/relayhq/relay"
)

// Bus fans events out to every node.
type Bus interface {
	// Publish sends ev to every subscriber of every node. Call it after the
	// change ev describes is committed. Events published by one goroutine
	// arrive in the order published.
	Publish(ctx context.Context, ev relay.Event) error
	// Subscribe calls fn for every event published on the bus, one event at
	// a time per subscription. fn must not block for long (hub.Dispatch
	// never does), and must not modify ev.Payload, which may be shared.
	Subscribe(fn func(relay.Event)) (unsubscribe func(), err error)
	// Close stops the bus. Publish then returns ErrClosed.
	Close() error
}

// ErrClosed is returned by Publish and Subscribe after Close.
var ErrClosed = errors.New("bus: closed")

var (
	_ Bus = (*Memory)(nil)
	_ Bus = (*NATS)(nil)
)
