// Package bench is Relay's load generator: it drives a running server over
// its real REST API and Phoenix socket, exactly as clients do, and measures
// what the server sustains — accepted messages per second, deliveries per
// second, send-to-receive latency, errors, dropped sockets and the server's
// memory per connection.
//
// A run signs up a fresh workspace (a random subdomain), creates users by
// invitation, creates channels, opens sockets and joins topics, then sends
// for a fixed duration, drains, and closes everything. Run is bounded in time
// by Config.Duration plus the setup, drain and teardown timeouts, and it
// talks only to loopback addresses unless Config.AllowRemote is set.
//
// bench is a client: it imports nothing of the server (only the wire
// formats documented in docs/api.md and docs/protocol.md), so it measures
// what a real client would see. `relay bench` is its command line.
package bench
