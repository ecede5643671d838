// Package app holds Relay's use cases, split by domain into services. It is
// the only place that combines policy, the store, files and the bus; HTTP,
// the socket and the connectors are thin adapters over it.
//
// # The services
//
// App (app.go) is a facade the wiring builds with New and the transports
// hold. It has one named field per service and, as methods, only the
// process's lifecycle (Close, Ready, Store, Purge, RunJanitor). Each
// service owns its use cases, in files prefixed by its name, so the tree
// says who owns what:
//
//	Accounts    accounts_*.go    workspaces and branding, users and profiles,
//	                             sign-up, log-in, sessions, API tokens,
//	                             hand-off codes, invitations, members, roles
//	Messaging   messaging_*.go   channels and their members, messages,
//	                             threads, reactions, reads, statuses,
//	                             catch-up, posts from outside (PostInbound),
//	                             the sequencer, the socket event names
//	Webhooks    webhooks*.go     outgoing subscriptions and their delivery
//	                             log, webhook events, incoming webhook URLs
//	Desk        desk_*.go        tickets, their lifecycle and messages,
//	                             customers, the dashboard's stats and live
//	                             figures, reading the audit log
//	Connectors  connectors_*.go  connectors CRUD and credentials, the outbox
//	                             and its deliverers, outside conversations
//	                             and contacts, messages arriving from
//	                             outside, the shared LINE bot's joins,
//	                             Discord bridging
//
// A service that uses another holds a pointer to it, and only downwards in
// the order Accounts, Messaging, Webhooks, Desk, Connectors: Webhooks posts
// incoming webhooks through Messaging; the Desk uses Accounts, Messaging
// (ticket conversations are channels) and Webhooks (ticket events);
// Connectors posts through Messaging. Nothing points back up: where a
// lower service must react to a higher one's work it does so through the
// kernel (the outbox wake-up, the access cache) or the store, never by a
// call.
//
// The plumbing every service shares lives in one unexported kernel struct
// (kernel.go) that each service holds by pointer: ids, the clock, the
// logger, the bus and the publish helpers, the file store, the secret box,
// the channel access cache, the outbox wake-up signal and the audit writer.
// It holds no use case and no business rule.
//
// # Stores
//
// Each service declares the store interface it needs, next to it:
// AccountStore (accounts_store.go), MessagingStore (messaging_store.go),
// TicketStore, StatsStore, CustomerStore and AuditStore (desk_*.go),
// ConnectorStore and WebhookStore (connectors_store.go). A service is
// handed its own interface plus the few reads of others it needs, listed
// method by method in an unexported type beside it (accountStore,
// messagingStore, deskStore, webhookStore, connectorStore). Store
// (store.go) is only the composite the wiring passes to New; package store
// implements all of it for SQLite and PostgreSQL, and store_test.go checks
// that at compile time. The store keeps queries, not rules: which messages
// leave Relay is the domain's (relay.Bridged, relay.Announced).
//
// # Adding a domain
//
// A new domain (search, files, mail…) is a new service: a struct in
// <domain>.go holding *kernel, its store interface in <domain>_store.go,
// its use cases in <domain>_*.go, its store interface added to Store, and
// one field on App built in New after the services it uses. No other
// service's struct changes. structure_test.go keeps the shape: no struct
// over 60 methods, no service embedded in App or in another service.
//
// # Imports
//
// app imports the root relay package, policy, files, small internal
// helpers and the SSRF guard (connectors/webhook/ssrf, a leaf that imports
// nothing of ours). It never imports a transport (httpapi, socket, cmd), a
// connector, or a storage implementation; those import app, while the
// store and the connectors import only the domain (relay) for the types
// they share with it.
package app
