// Package bus carries relay.Events between the nodes of a cluster, so every
// node's hub can deliver every event to its local sockets.
//
// The app publishes an event after the change it describes is committed; each
// node subscribes its hub's Dispatch. Two implementations:
//
//   - Memory (memory.go): one process, delivery synchronous and in publish
//     order. The default for `relay serve`.
//   - NATS (nats.go): core NATS on one subject. Every node, the publisher
//     included, receives its own events through NATS, so all nodes take the
//     same path; order from one publisher is kept; the connection reconnects
//     forever. Delivery is at most once: events published while a node is
//     cut off are not redelivered, which OnGap reports so that the node can
//     make its sockets resync (clients catch up from the store on rejoin).
//
// The payload travels as the publisher encoded it: the bus never re-encodes
// it, and a subscriber receives the same bytes.
//
// This package must never import app, store, httpapi, realtime, phoenix or
// cmd: it knows only the domain's Event.
package bus
