// Package phoenix serves the Phoenix Channels v2 wire protocol over
// WebSocket, so that the official phoenix JavaScript client (and its
// Presence) and the other Phoenix client libraries talk to Relay unchanged.
// shared PROTOCOL.md is the reference; this package is what it says, in Go.
//
// The map, for a newcomer:
//
//   - frame.go: the v2 message [join_ref, ref, topic, event, payload]
//     (DecodeFrame, AppendFrame), and server WebSocket frames built by hand:
//     a broadcast is encoded once (EncodeBroadcast, the hub's
//     realtime.EncodeFunc) into a complete frame written unchanged to every
//     subscriber.
//   - server.go: Server (the upgrade: origin, vsn=2.0.0, Handler.Connect,
//     the "phoenix" subprotocol) and the Handler interface the application
//     implements.
//   - conn.go: one socket: the reader goroutine (heartbeat, phx_join,
//     phx_leave, pushes), the channel lifecycle, and the writer behind a
//     bounded realtime.Queue.
//
// Per socket: one reader goroutine (ServeHTTP returns after the upgrade, so
// net/http's per-request buffers are freed), a 1 KiB read buffer, and a
// writer goroutine only while frames wait; writers coalesce every queued
// frame into one pooled buffer and one write. A full queue closes the socket
// (the client reconnects and catches up); nothing is dropped silently and
// the hub is never blocked.
//
// Policies where the protocol leaves a choice: vsn must be 2.0.0 (1.0.0 and
// a missing vsn get 403); a frame that cannot be decoded gets an error reply
// if its ref can be read, otherwise the socket is closed with 1007; binary
// frames (kind 0 pushes, Supabase kind 3) get an error reply "binary frames
// are not supported" when their header can be read, otherwise close 1003;
// a message over MaxFrameBytes closes with 1009; an idle socket closes with
// 1000 "idle timeout"; Shutdown closes with 1001.
//
// Handler errors: a refused Connect answers 401 (unauthenticated), 503 with
// Retry-After (unavailable) or 403 (anything else); a failed Join or
// HandleIn gets the error reply {"reason", "code"} and nothing else
// happens: the socket and its joined topics stay open. A panic in the
// Handler crashes the topic (phx_error, the client rejoins); apart from
// that and the closes above (bad frames, idle, a full queue, Shutdown),
// only the Handler closes topics (Conn.CloseChannel) or sockets
// (Conn.Close).
// Internal errors are logged with their detail; the client sees the
// generic message.
//
// What this package knows of Relay, exactly: from the root package, the
// error vocabulary — relay.ErrorCode and relay.ErrorMessage for the reply
// of a Handler error, relay.Error's RetryAfter, and the codes
// EUNAUTHORIZED, EUNAVAILABLE and EINTERNAL, which choose a refused
// upgrade's status and what gets logged; and through realtime, which it
// imports for the hub, the presence tracker and the bounded queue, the
// relay.Event the hub carries. It knows nothing of Relay's domain beyond
// that: it must never import app, store, httpapi, bus, policy or socket.
// docs/protocol.md says what Relay's topics carry.
package phoenix
