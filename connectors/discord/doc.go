// Package discord bridges Discord servers (guilds) to Relay through one
// shared bot that the operator configures (docs/connectors.md, "Discord").
//
// A Bot plays four parts, each behind a small contract of package app:
//
//   - the invite (InviteURL) and its OAuth2 callback
//     (ServeOAuthCallback, GET /hooks/discord/oauth): the authorisation code
//     is exchanged at Discord first, so the guild recorded is the one Discord
//     confirms, then the signed state names the workspace
//     (app.SetDiscordGuild);
//   - the directory (TextChannels) the channel-selection screen lists;
//   - the gateway listener (Run): one per process, intents GUILDS,
//     GUILD_MESSAGES and MESSAGE_CONTENT; it resumes after drops, reconnects
//     with backoff and jitter, and turns MESSAGE_CREATE/UPDATE/DELETE of
//     bridged channels into app.ReceiveExternal/EditExternal/DeleteExternal.
//     Bots' and webhooks' messages (ours included) are ignored: no echo loops;
//   - the Deliverer for outbox rows of connectors of type "discord": a
//     per-channel Discord webhook (created on first use, its id and token kept
//     sealed with the conversation) shows the Relay author's name and avatar;
//     the bot posts itself when the webhook cannot be made.
//
// The client library is github.com/bwmarrin/discordgo. Its REST and gateway
// addresses are package variables, so New points them at Config.APIURL for
// the whole process: one API URL per process, and tests that start a Bot
// cannot run in parallel with each other.
//
// discord imports app (contracts) and the root package; app, the store and
// httpapi never import it. Package discordfake is a local Discord (REST and
// gateway) for tests.
package discord
