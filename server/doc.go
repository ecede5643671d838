// Package server builds one Relay process from its configuration: the
// database (opened, migrated), files, the secret box, the event bus
// (in-process or NATS), the realtime hub and presence, the app, the
// connectors (outgoing webhooks, LINE, the shared Discord bot), the socket
// layer, the Phoenix server and the HTTP API, and the background work
// (outbox, janitor, Discord gateway, socket watchers).
//
// It is the one wiring: `relay serve` (cmd/relay) is configuration plus
//
//	srv, err := server.New(ctx, cfg, server.WithLogger(log), …)
//	defer srv.Close()
//	return srv.Run(ctx)
//
// and internal/testserver builds its in-process stacks with the same New,
// passing Options for what tests change (fast password hashing, a store
// that injects faults, small queues, fakes of LINE and Discord). The order
// of the bus subscriber (app, then hub, then socket) and the shutdown
// sequence live only here.
//
// server imports every part of Relay; nothing imports server but cmd/relay
// and test helpers.
package server
