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
// This package knows nothing of Relay's domain: it must never import app,
// store, httpapi, bus or policy; from the root package it uses only the
// error codes and messages (relay.ErrorCode, relay.ErrorMessage) to answer
// Handler errors. It imports realtime for the hub and the queue.
package phoenix
