// Package line bridges LINE Official Accounts and Relay, both ways, through
// the Messaging API (github.com/line/line-bot-sdk-go/v8).
//
// Inbound, a Connector serves LINE's webhook: it checks X-Line-Signature
// (base64 HMAC-SHA256 of the raw body with the channel secret) before it
// does anything else, drops redelivered events by webhookEventId, answers
// at once and hands the events to a bounded in-process queue whose workers
// fetch names (profiles, group summaries) and media (the content API) and
// post into Relay through the Relay interface. Two models share the code:
// a workspace's own bot (its channel secret and access token, one webhook
// URL per connector) and the operator's shared bot (one webhook URL; a LINE
// user joins a workspace by sending "join <code>").
//
// Outbound, Deliverer sends outbox rows with the Push API: the Relay
// author shown through the message's sender, text split to LINE's limits,
// a retry key derived from the outbox row so a retried row is never sent
// twice, and LINE's answers mapped onto the outbox's retry rules.
//
// The package imports app for its adapter types only; it never touches the
// store, and it never logs a secret or a token. linefake is a LINE platform
// for tests that speaks the same wire format.
package line
