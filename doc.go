// Package relay holds Relay's domain: the types every other package speaks
// (workspaces, users, memberships, sessions, invitations, channels, messages,
// tickets, connectors), the one Error type with its codes, identifiers, the
// context helpers that carry the acting user through a request, and the
// types that the app's services and the adapters share, split by noun:
// delivery.go (Deliverer, Outgoing, Sent, DeliveryError and what arrives from
// outside), webhook.go (subscriptions, the delivery log, incoming webhooks,
// event names), audit.go (the audit log's rows, filter and vocabulary),
// stats.go (the desk's raw figures), validate.go (names, emails, subdomains,
// passwords), and the store filters and results (ChannelFilter, PostResult,
// TicketChange) next to the nouns they select.
//
// This package imports nothing of the project's own. Everything else points
// inward at it: store implements persistence for these types, policy decides
// what an Actor may do with them, app combines the two into use cases, and
// httpapi, server (the wiring) and cmd/relay sit at the edge. See
// docs/architecture.md for the map.
package relay
