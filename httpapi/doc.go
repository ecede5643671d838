// Package httpapi is Relay's HTTP transport: the REST API under /api/v1, the
// plain pages, /healthz, /readyz and /metrics. It resolves the tenant from the
// Host header, authenticates sessions and tokens, guards cookie-authenticated
// writes against cross-origin requests, limits body sizes, maps error codes
// to statuses in one table (statusFor) and records metrics by route pattern.
//
// Handlers are thin: they decode, call one app use case and encode. Every
// route is declared once in routes() — the list the OpenAPI test checks the
// spec (openapi.json) against. httpapi imports app, policy-free domain types
// and nothing below app; nothing imports httpapi but server (the wiring).
// Outside systems' webhooks are served by their connectors behind small
// interfaces declared here and wired by server — LINEHooks, DiscordHooks,
// IncomingHooks — so httpapi imports no connector.
package httpapi
