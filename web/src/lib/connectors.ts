// Connectors, webhooks and the outbox as the web app sees them (docs/connectors.md, httpapi/openapi.json tags
// "Connectors" and "Webhooks"): types, one typed call per endpoint, and the pure helpers the screens use (status
// dots, Discord channel grouping, a message's delivery state, attachment previews), unit-tested in
// test/connectors.test.ts.
import { request } from "./api";
import type { Attachment, Delivery, ID } from "./types";

export type ConnectorType = "line" | "discord" | "webhook";
export type ConnectorStatus = "active" | "error" | "disabled";

/** What every staff member sees (GET /connectors for non-admins, and the connector:updated event). */
export interface ConnectorSummary {
  id: ID;
  type: ConnectorType;
  name: string;
  status: ConnectorStatus;
  last_error?: string;
}

/** A connector as owners and admins see it (GET /connectors, /connectors/{id}). */
export interface ConnectorView extends ConnectorSummary {
  model?: "own" | "shared";
  last_error_at?: string | null;
  /** LINE own bot: the channel id; Discord: the server (guild) id once the bot is in one. */
  external_id?: string;
  join_code?: string;
  config?: Record<string, string>;
  created_by?: ID;
  created_at?: string;
  updated_at?: string;
  /** LINE own bot: paste into the LINE Developers console. */
  webhook_url?: string;
  /** LINE own bot: why LINE can never call webhook_url from this server (http, localhost), and how to fix it. */
  webhook_url_warning?: string;
  /** LINE own bot: the bot LINE named when the access token was checked. */
  bot?: ConnectorBot;
  /** LINE shared bot: opens a chat with the bot with "join <code>" typed in, and its QR code (same origin). */
  join_url?: string;
  qr_png_url?: string;
  /** Discord, until the bot is in a server: adds it (opens Discord). */
  invite_url?: string;
  conversations?: number;
}

/** The outside bot a connector speaks as, as the platform named it. */
export interface ConnectorBot {
  name: string;
  basic_id?: string;
  picture_url?: string;
}

/** A kind of connector and whether this server offers it (GET /connectors/available). */
export interface ConnectorKind {
  type: "line" | "discord";
  model: "own" | "shared";
  available: boolean;
  /** Owners only, for a kind the server does not offer: what the person who runs the server must set up. */
  operator_setup?: string;
}

/** What the add-connector screens offer: null while unknown (nothing conditional is offered until the server says). */
export interface Offer {
  lineOwn: boolean;
  lineShared: boolean;
  discord: boolean;
  /** Kinds the server does not offer, with what the operator must do (only owners get these). */
  missing: { label: string; setup: string }[];
}

export function offerFrom(kinds: ConnectorKind[] | null): Offer | null {
  if (!kinds) return null;
  const find = (type: string, model: string) => kinds.find((k) => k.type === type && k.model === model);
  const missing = kinds
    .filter((k) => !k.available && k.operator_setup)
    .map((k) => ({ label: kindLabel(k), setup: k.operator_setup as string }));
  return {
    lineOwn: find("line", "own")?.available ?? false,
    lineShared: find("line", "shared")?.available ?? false,
    discord: find("discord", "shared")?.available ?? false,
    missing,
  };
}

function kindLabel(k: Pick<ConnectorKind, "type" | "model">): string {
  if (k.type === "line") return k.model === "shared" ? "Relay's shared LINE bot" : "Your own LINE bot";
  return "Discord";
}

/** The store keeps summaries for everyone and the full view where the settings loaded it. */
export type ConnectorInfo = ConnectorView;

export type ConnectorInput =
  | { type: "line"; model: "own"; name?: string; channel_id: string; channel_secret: string; access_token: string }
  | { type: "line"; model: "shared"; name?: string }
  | { type: "discord"; name?: string };

export interface ConnectorUpdate {
  name?: string;
  status?: "active" | "disabled";
  channel_secret?: string;
  access_token?: string;
}

export interface DiscordChannel {
  id: string;
  name: string;
  category?: string;
  position: number;
  bridged: boolean;
  /** The Relay channel it is bridged to. */
  channel_id: ID | null;
}

export interface BridgeInput {
  discord_channel_id: string;
  /** An existing Relay channel; null makes a new external channel. */
  channel_id: ID | null;
}

export interface Conversation {
  id: ID;
  connector_id: ID;
  channel_id: ID;
  key: string;
  name: string;
}

export type OutboxState = "pending" | "sending" | "delivered" | "dead";

export interface OutboxItem {
  id: number;
  kind: "message.create" | "message.update" | "message.delete" | "webhook";
  connector_id: ID | null;
  conversation_id: ID | null;
  subscription_id: ID | null;
  message_id: ID | null;
  channel_id: ID | null;
  event?: string;
  state: OutboxState;
  attempts: number;
  next_at: string;
  last_error?: string;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
}

export const WEBHOOK_EVENTS = ["message.created", "ticket.created", "ticket.status_changed"] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
export const webhookEventHelp: Record<WebhookEvent, string> = {
  "message.created": "A message is posted in a public, external or ticket channel",
  "ticket.created": "A support ticket is opened",
  "ticket.status_changed": "A ticket is assigned, resolved, closed or reopened",
};

export interface WebhookSubscription {
  id: ID;
  url: string;
  events: string[];
  description: string;
  active: boolean;
  created_by: ID;
  created_at: string;
  /** The signing secret: only in the answer to its creation. */
  secret?: string;
}

export interface WebhookDelivery {
  id: number;
  subscription_id: ID;
  outbox_id: number;
  event: string;
  attempt: number;
  ok: boolean;
  response_code: number;
  duration_ms: number;
  error?: string;
  created_at: string;
}

export interface IncomingWebhook {
  id: ID;
  channel_id: ID;
  name: string;
  created_by: ID;
  created_at: string;
  /** Only in the answer to its creation. */
  url?: string;
  token?: string;
}

/** message:delivery on channel:<id>. */
export interface DeliveryEvent {
  channel_id: ID;
  message_id: ID;
  deliveries: Delivery[];
}

const enc = encodeURIComponent;

export const connApi = {
  connectors: () => request<{ connectors: ConnectorView[] }>("GET", "/connectors").then((r) => r.connectors ?? []),
  connector: (id: ID) => request<ConnectorView>("GET", `/connectors/${enc(id)}`),
  createConnector: (b: ConnectorInput) => request<ConnectorView>("POST", "/connectors", { body: b }),
  updateConnector: (id: ID, b: ConnectorUpdate) => request<ConnectorView>("PATCH", `/connectors/${enc(id)}`, { body: b }),
  deleteConnector: (id: ID) => request<void>("DELETE", `/connectors/${enc(id)}`),
  available: () => request<{ kinds: ConnectorKind[] }>("GET", "/connectors/available").then((r) => r.kinds ?? []),
  discordChannels: (id: ID) =>
    request<{ channels: DiscordChannel[] }>("GET", `/connectors/${enc(id)}/discord/channels`).then((r) => r.channels ?? []),
  setDiscordBridges: (id: ID, bridges: BridgeInput[]) =>
    request<{ bridges: Conversation[] }>("PUT", `/connectors/${enc(id)}/discord/bridges`, { body: { bridges } }).then((r) => r.bridges ?? []),

  outbox: (state?: OutboxState, limit?: number) =>
    request<{ items: OutboxItem[] }>("GET", "/outbox", { query: { state, limit } }).then((r) => r.items ?? []),
  retryOutbox: (id: number) => request<OutboxItem>("POST", `/outbox/${enc(String(id))}/retry`),

  webhooks: () => request<{ webhooks: WebhookSubscription[] }>("GET", "/webhooks").then((r) => r.webhooks ?? []),
  createWebhook: (b: { url: string; events: string[]; description?: string }) => request<WebhookSubscription>("POST", "/webhooks", { body: b }),
  deleteWebhook: (id: ID) => request<void>("DELETE", `/webhooks/${enc(id)}`),
  webhookDeliveries: (id: ID, limit?: number) =>
    request<{ deliveries: WebhookDelivery[] }>("GET", `/webhooks/${enc(id)}/deliveries`, { query: { limit } }).then((r) => r.deliveries ?? []),

  incomingWebhooks: (channelId: ID) =>
    request<{ incoming_webhooks: IncomingWebhook[] }>("GET", `/channels/${enc(channelId)}/incoming-webhooks`).then((r) => r.incoming_webhooks ?? []),
  createIncomingWebhook: (channelId: ID, name: string) =>
    request<IncomingWebhook>("POST", `/channels/${enc(channelId)}/incoming-webhooks`, { body: { name } }),
  deleteIncomingWebhook: (id: ID) => request<void>("DELETE", `/incoming-webhooks/${enc(id)}`),
};

// --- pure helpers ---

export const typeLabel: Record<ConnectorType, string> = { line: "LINE", discord: "Discord", webhook: "Webhook" };

/** The dot and the word for a connector's status. */
export function statusOf(c: Pick<ConnectorSummary, "status" | "last_error">): { dot: "ok" | "error" | "off"; word: string; title: string } {
  switch (c.status) {
    case "active":
      return { dot: "ok", word: "Active", title: "Active" };
    case "error":
      return { dot: "error", word: "Error", title: c.last_error ? `Error: ${c.last_error}` : "Error" };
    default:
      return { dot: "off", word: "Disabled", title: "Disabled" };
  }
}

/** A model-aware one-line description of a connector. */
export function describeConnector(c: ConnectorView): string {
  if (c.type === "line") {
    if (c.model === "shared") return "LINE · Relay's shared bot";
    if (c.bot?.name) return `LINE · ${c.bot.name}${c.bot.basic_id ? ` (${c.bot.basic_id})` : ""}`;
    return `LINE · your own bot${c.external_id ? ` (channel ${c.external_id})` : ""}`;
  }
  if (c.type === "discord") return c.external_id ? `Discord · server ${c.external_id}` : "Discord · waiting for the bot to be added to a server";
  return typeLabel[c.type] ?? c.type;
}

/**
 * Apply a connector:updated event (a summary) to what we know: the name and status change. The server keeps the last
 * error (with its time) when a connector recovers, and the event leaves it out then, so an event without one keeps
 * the one we know; a new error gets "now" as its time (the event carries none).
 */
export function mergeConnector(prev: ConnectorInfo | undefined, ev: ConnectorSummary, now = new Date()): ConnectorInfo {
  let last_error = prev?.last_error ?? "";
  let last_error_at = prev?.last_error_at ?? null;
  if (ev.last_error && (ev.last_error !== last_error || !last_error_at || prev?.status !== "error")) {
    last_error = ev.last_error;
    last_error_at = now.toISOString();
  }
  return { ...(prev ?? {}), id: ev.id, type: ev.type, name: ev.name, status: ev.status, last_error, last_error_at };
}

/**
 * The credential field a refused create or update names first ("access_token was refused by LINE…"), so the form
 * can mark that field; undefined when the error names none.
 */
export function refusedField(error: string | null | undefined): string | undefined {
  return (error && /^(channel_id|channel_secret|access_token)\b/.exec(error)?.[1]) || undefined;
}

/** "1 conversation", "3 conversations". */
export function conversationsLabel(c: Pick<ConnectorView, "conversations">): string {
  const n = c.conversations ?? 0;
  return n === 1 ? "1 conversation" : `${n} conversations`;
}

/** Discord channels grouped by category (channels without one first), each group and its channels by position. */
export function groupDiscordChannels(list: DiscordChannel[]): { category: string; channels: DiscordChannel[] }[] {
  const groups = new Map<string, DiscordChannel[]>();
  for (const ch of list) {
    const k = ch.category ?? "";
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(ch);
  }
  const byPos = (a: DiscordChannel, b: DiscordChannel) => a.position - b.position || a.name.localeCompare(b.name);
  const out = [...groups.entries()].map(([category, channels]) => ({ category, channels: channels.slice().sort(byPos) }));
  // Categories in the order of their first channel's position; uncategorised first, as Discord shows them.
  out.sort((a, b) => (a.category === "" ? -1 : b.category === "" ? 1 : a.channels[0].position - b.channels[0].position || a.category.localeCompare(b.category)));
  return out;
}

/** The selection state of the channel-selection screen: Discord channel id → target ("new" or a Relay channel id). */
export type BridgeSelection = Record<string, "new" | ID>;

export function selectionFrom(list: DiscordChannel[]): BridgeSelection {
  const sel: BridgeSelection = {};
  for (const ch of list) if (ch.bridged) sel[ch.id] = ch.channel_id ?? "new";
  return sel;
}

export function bridgesFrom(sel: BridgeSelection): BridgeInput[] {
  return Object.entries(sel).map(([discord_channel_id, t]) => ({ discord_channel_id, channel_id: t === "new" ? null : t }));
}

/**
 * How a message's trip outside went, for the line under one's own message in an external channel: nothing once
 * every delivery is done, "pending" while any is on its way, "dead" (with the reasons and the rows to retry) when
 * one gave up. Dead wins over pending: the person has something to do.
 */
export function deliveryState(ds: Delivery[] | undefined | null): { state: "none" | "pending" | "dead"; reason: string; retry: number[] } {
  const list = ds ?? [];
  const dead = list.filter((d) => d.state === "dead");
  if (dead.length) {
    const reasons = [...new Set(dead.map((d) => (d.error ?? "").trim()).filter(Boolean))];
    return { state: "dead", reason: reasons.join("; ") || "the other side did not accept it", retry: dead.map((d) => d.outbox_id) };
  }
  if (list.some((d) => d.state === "pending" || d.state === "sending")) return { state: "pending", reason: "", retry: [] };
  return { state: "none", reason: "", retry: [] };
}

/** Only links a browser may open safely: our own file URLs and outside http(s) addresses. */
export function safeURL(url: string | undefined | null): string | null {
  if (!url) return null;
  if (/^\/api\/v1\/files\/\d+$/.test(url)) return url;
  try {
    const u = new URL(url);
    return u.protocol === "https:" || u.protocol === "http:" ? u.href : null;
  } catch {
    return null;
  }
}

/** What an attachment shows as: a kind the player knows, else a download chip. */
export function previewKind(a: Pick<Attachment, "kind" | "content_type">): Attachment["kind"] {
  const ct = (a.content_type ?? "").toLowerCase();
  switch (a.kind) {
    case "image":
      return ct === "image/svg+xml" ? "file" : "image";
    case "video":
    case "audio":
    case "sticker":
    case "location":
    case "file":
      return a.kind;
    default:
      if (ct.startsWith("image/") && ct !== "image/svg+xml") return "image";
      if (ct.startsWith("video/")) return "video";
      if (ct.startsWith("audio/")) return "audio";
      return "file";
  }
}

/** A shell line that posts to an incoming webhook, for the screen to show next to its URL. */
export function curlExample(url: string): string {
  const q = (s: string) => "'" + s.replace(/'/g, `'\\''`) + "'";
  return `curl -X POST ${q(url)} \\\n  -H 'Content-Type: application/json' \\\n  -d '{"text": "Hello from my script", "username": "Deploy bot"}'`;
}

/** "200 · 84 ms", "timeout · 10 s", for the delivery log. */
export function deliveryLine(d: Pick<WebhookDelivery, "ok" | "response_code" | "duration_ms" | "error">): string {
  const code = d.response_code ? `HTTP ${d.response_code}` : d.ok ? "OK" : "no response";
  const ms = d.duration_ms >= 1000 ? `${(d.duration_ms / 1000).toFixed(1)} s` : `${d.duration_ms} ms`;
  return `${code} · ${ms}`;
}
