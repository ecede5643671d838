// Package realtime is the hub between events and the connections that want
// them: topics, subscriptions (with catch-up buffering), per-connection
// bounded ordered queues and a presence tracker.
//
// The map, for a newcomer:
//
//   - Hub.Dispatch takes a relay.Event (from the bus), encodes its broadcast
//     frame once with Options.Encode, and queues that same byte slice to every
//     subscriber of the event's topic. It never blocks: a subscriber whose
//     queue is full is disconnected as a slow consumer and the others are not
//     affected.
//   - Hub.Subscribe with buffered=true holds live events for a subscription
//     while the application sends catch-up from the store; Subscription.Release
//     then delivers the held events it has not already sent and switches to
//     live delivery, atomically with respect to Dispatch.
//   - Queue is the per-connection outbound queue a transport puts in front of
//     its socket: bounded, ordered, drained in batches by one writer goroutine
//     that exists only while there is something to write.
//   - Presence tracks who is present on a topic in the phoenix.js format and
//     broadcasts presence_diff through the hub. It is node-local: each node
//     knows only its own connections (see Presence).
//
// Lock order, outermost first: Presence shard, Hub topic shard, topic,
// Hub connection shard, Queue. Conn.Send (a Queue push) is called with a
// topic lock held, so it must never call back into the Hub.
//
// This package knows no transport: it must never import net/http, a
// WebSocket library, the phoenix package, or anything of the application
// (app, store, httpapi). Connections are the Conn interface, and the wire
// encoding of a broadcast is the EncodeFunc the transport provides.
package realtime
