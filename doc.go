// Package relay holds Relay's domain: the types every other package speaks
// (workspaces, users, memberships, sessions, invitations), the one Error type
// with its codes, identifiers, and the context helpers that carry the acting
// user through a request.
//
// This package imports nothing of the project's own. Everything else points
// inward at it: store implements persistence for these types, policy decides
// what an Actor may do with them, app combines the two into use cases, and
// httpapi, server (the wiring) and cmd/relay sit at the edge. See
// docs/architecture.md for the map.
package relay
