// Package webhook is Relay's automation surface (docs/connectors.md,
// "Webhooks"):
//
//   - outgoing: the Deliverer for outbox rows of kind "webhook" POSTs each
//     event as JSON, signed with the subscription's secret (Sign, Verify),
//     through an HTTP client that never reaches the server's own network
//     (package ssrf) and never follows redirects;
//   - incoming: ParseIncoming reads the body of POST /hooks/in/{token}
//     strictly; the HTTP layer hands the result to app.PostIncomingWebhook.
//
// webhook imports app (the Deliverer contract) and the root package; app
// and the store never import it. Subscriptions, incoming URLs and the
// delivery log are kept by app and the store.
package webhook
