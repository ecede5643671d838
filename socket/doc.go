// Package socket is Relay's realtime application on the Phoenix socket: what
// the topics mean, who may join them, how a rejoining client catches up
// without gaps or duplicates, typing notices, presence, and closing a
// socket's topics when its user loses access. It implements phoenix.Handler
// on top of app (every send goes through the same use case as HTTP), the
// realtime hub and the presence tracker.
//
// The map, for a newcomer:
//
//   - socket.go: Handler; Connect (the credential, from the token
//     parameter, the bearer subprotocol, an Authorization header or the
//     session cookie); Join's dispatch by topic; channel:<id> (subscribe,
//     then read counters and catch-up, with the ordered guard that turns a
//     seq gap into a rejoin); workspace:<id> (staff presence) and
//     user:<id>; the pushes message:send, typing and read, their payloads
//     decoded strictly (unknown fields, wrong types and duplicate keys are
//     invalid replies).
//   - ticket.go: the desk's topics, ticket:<id> (the conversation, and for
//     staff the notes stream framed under the same topic) and
//     desk:<workspace_id>; ticket pushes.
//   - watch.go: Observe, run for every bus event after the hub: leaving a
//     non-public channel closes that topic (phx_close), ended sessions and
//     changed roles close the socket, renames and statuses refresh
//     presence; auto-away; Resync after the bus may have lost events.
//
// Errors are replies, never closes. A join or push that fails gets an error
// reply with the error's code (phoenix writes it); the socket and its other
// topics stay. In particular, while the database is unreachable store calls
// fail with relay.EUNAVAILABLE and clients get "unavailable" replies (the
// upgrade itself 503): no topic is closed under a client for an outage, so
// nothing has to be replayed when it ends. Only a change of access closes
// something: the topic the user may no longer read, or the whole socket
// when the credential or the role changed (checked at connect and again at
// the first join, where only an unauthenticated answer counts as a change).
//
// socket imports relay, app, policy, realtime and phoenix (and
// internal/strictjson); it never touches the store or the bus directly.
// Only the process's wiring (package server, which the test stack in
// internal/testserver also uses) imports it: httpapi serves it as a plain
// http.Handler.
package socket
