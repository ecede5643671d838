// The support desk's client side (docs/desk.md): ticket types, the desk's REST calls, the pure logic the screens
// share (filters → query, merging the conversation with the notes and events, which lifecycle buttons apply), and
// the live feeds (ticket:<id>, desk:<workspace_id>) with a polling fallback when a topic cannot be joined.
import type { Channel as PhxChannel } from "phoenix";
import { request } from "./api";
import { getSocket } from "./socket";
import { store } from "./store";
import type { ID, Message, Role, Session, Workspace } from "./types";

// ---------- types ----------

export type TicketStatus = "open" | "assigned" | "resolved" | "closed";
export type TicketPriority = "low" | "normal" | "high" | "urgent";
export const STATUSES: TicketStatus[] = ["open", "assigned", "resolved", "closed"];
export const PRIORITIES: TicketPriority[] = ["low", "normal", "high", "urgent"];

/** A person as ticket payloads carry them: never an email address. */
export interface PersonRef {
  id: ID;
  display_name: string;
  avatar_url: string;
}

export interface Ticket {
  id: ID;
  workspace_id?: ID;
  number: number;
  subject: string;
  description: string;
  status: TicketStatus;
  priority: TicketPriority;
  requester_id?: ID;
  requester?: PersonRef | null;
  assignee_id?: ID | null;
  assignee?: PersonRef | null;
  tags?: string[] | null;
  channel_id?: ID;
  notes_channel_id?: ID | null;
  reference_id?: ID | null;
  created_at: string;
  updated_at: string;
  first_response_at?: string | null;
  resolved_at?: string | null;
  closed_at?: string | null;
  last_activity_at?: string | null;
  /** The newest conversation message people wrote (never a note or a system line): its text on one line, ≤ 140 chars. */
  last_message?: TicketPreview | null;
  last_message_preview?: string;
  preview?: string;
  /** The conversation's newest seq, and the viewer's read state of it (desk events carry no viewer: see liveRow). */
  last_seq?: number;
  read_seq?: number;
  unread_count?: number;
  unread?: boolean;
}

export interface TicketPreview {
  seq?: number;
  author?: Partial<PersonRef> | null;
  body?: string;
  created_at?: string;
}

export interface TicketEvent {
  id: ID;
  ticket_id?: ID;
  actor_id?: ID | null;
  actor?: PersonRef | null;
  kind: "created" | "assigned" | "unassigned" | "status" | "priority" | "tags" | "subject" | string;
  data?: Record<string, unknown> | null;
  created_at: string;
}

export interface AuditEvent {
  id: ID;
  actor_id?: ID | null;
  /** Who acted as the log shows them (staff only read it, so the email is there). */
  actor?: { display_name: string; email?: string; avatar_url?: string } | null;
  action: string;
  target_kind: string;
  target_id: ID | null;
  data?: Record<string, unknown> | null;
  ip?: string;
  created_at: string;
}

export type AssigneeFilter = "anyone" | "me" | "unassigned";
export type TicketSort = "newest" | "oldest" | "activity" | "priority";

export interface TicketFilters {
  status?: TicketStatus | "";
  assignee?: AssigneeFilter;
  priority?: TicketPriority | "";
  tag?: string;
  q?: string;
  sort?: TicketSort;
  requester_id?: ID;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface DayCount {
  date: string;
  created: number;
  resolved: number;
}

export interface AgentLoad {
  user: PersonRef;
  role?: Role;
  /** Tickets assigned to them that are not closed. */
  open: number;
}

export interface Stats {
  by_status: Record<string, number>;
  by_priority: Record<string, number>;
  per_day: DayCount[];
  median_first_response_seconds: number | null;
  median_resolution_seconds: number | null;
  agents: AgentLoad[];
  users_by_role: Record<string, number>;
  live: { connected_clients: number; connected_agents: number; active_ticket_rooms: number };
}

// ---------- pure logic ----------

const enc = encodeURIComponent;

/** The GET /tickets query for a set of filters (empty values left out; "anyone" is the default). */
export function filtersToQuery(f: TicketFilters, cursor?: string | null, limit?: number): Record<string, string> {
  const q: Record<string, string> = {};
  if (f.status) q.status = f.status;
  if (f.assignee && f.assignee !== "anyone") q.assignee = f.assignee;
  if (f.priority) q.priority = f.priority;
  const tag = f.tag?.trim().toLowerCase();
  if (tag) q.tag = tag;
  const text = f.q?.trim();
  if (text) q.q = text;
  if (f.sort && f.sort !== "newest") q.sort = f.sort;
  if (f.requester_id) q.requester_id = f.requester_id;
  if (cursor) q.cursor = cursor;
  if (limit) q.limit = String(limit);
  return q;
}

/** The same filters as a query string ("status=open&assignee=me"), e.g. for the page address. */
export function filtersToSearch(f: TicketFilters): string {
  return new URLSearchParams(filtersToQuery(f)).toString();
}

/** Filters read back from a page address's query string (unknown values ignored). */
export function filtersFromSearch(search: string): TicketFilters {
  const p = new URLSearchParams(search);
  const f: TicketFilters = {};
  const st = p.get("status");
  if (st && (STATUSES as string[]).includes(st)) f.status = st as TicketStatus;
  const a = p.get("assignee");
  f.assignee = a === "me" || a === "unassigned" ? a : "anyone";
  const pr = p.get("priority");
  if (pr && (PRIORITIES as string[]).includes(pr)) f.priority = pr as TicketPriority;
  if (p.get("tag")) f.tag = p.get("tag")!;
  if (p.get("q")) f.q = p.get("q")!;
  const s = p.get("sort");
  f.sort = s === "oldest" || s === "activity" || s === "priority" ? s : s === "last_activity" ? "activity" : "newest";
  return f;
}

const PRIORITY_RANK: Record<string, number> = { urgent: 0, high: 1, normal: 2, low: 3 };

/** Whether a ticket passes the filters (live updates decide with this whether a row belongs in the list). */
export function matchesFilters(t: Ticket, f: TicketFilters, meId: ID | undefined): boolean {
  if (f.status && t.status !== f.status) return false;
  if (f.priority && t.priority !== f.priority) return false;
  const assignee = assigneeId(t);
  if (f.assignee === "me" && assignee !== meId) return false;
  if (f.assignee === "unassigned" && assignee) return false;
  const tag = f.tag?.trim().toLowerCase();
  if (tag && !(t.tags ?? []).includes(tag)) return false;
  if (f.requester_id && requesterId(t) !== f.requester_id) return false;
  const text = f.q?.trim().toLowerCase();
  if (text) {
    const hay = [`#${t.number}`, String(t.number), t.subject, t.description, t.requester?.display_name ?? ""].join(" ").toLowerCase();
    if (!hay.includes(text.replace(/^#/, "#"))) return false;
  }
  return true;
}

/** Order tickets as the sort asks (for inserting live rows; the server orders pages the same way). */
export function compareTickets(sort: TicketSort = "newest"): (a: Ticket, b: Ticket) => number {
  const time = (s?: string | null) => (s ? new Date(s).getTime() : 0);
  const byNewest = (a: Ticket, b: Ticket) => time(b.created_at) - time(a.created_at) || b.number - a.number;
  switch (sort) {
    case "oldest":
      return (a, b) => -byNewest(a, b);
    case "activity":
      return (a, b) => time(b.last_activity_at ?? b.updated_at) - time(a.last_activity_at ?? a.updated_at) || byNewest(a, b);
    case "priority":
      return (a, b) => (PRIORITY_RANK[a.priority] ?? 9) - (PRIORITY_RANK[b.priority] ?? 9) || byNewest(a, b);
    default:
      return byNewest;
  }
}

/**
 * A live ticket (ticket:created / ticket:updated) applied to a loaded list: replaced in place, inserted where the
 * sort puts it when it now matches, dropped when it no longer does. Returns the same array when nothing changed.
 */
export function applyLiveTicket(list: Ticket[], t: Ticket, f: TicketFilters, meId: ID | undefined): Ticket[] {
  const i = list.findIndex((x) => x.id === t.id);
  const merged = i >= 0 ? mergeTicket(list[i], t) : t;
  const keep = matchesFilters(merged, f, meId);
  if (i >= 0 && !keep) return list.filter((x) => x.id !== t.id);
  if (!keep) return list;
  const rest = i >= 0 ? list.filter((x) => x.id !== t.id) : list.slice();
  const cmp = compareTickets(f.sort);
  let at = rest.findIndex((x) => cmp(merged, x) < 0);
  if (at < 0) {
    // Past the end of a list with more pages to load: it shows up when those are loaded.
    at = rest.length;
  }
  rest.splice(at, 0, merged);
  return rest;
}

/** A partial ticket from an event merged over what we know (events may leave out the description). */
export function mergeTicket(prev: Ticket | null | undefined, next: Partial<Ticket> & { id: ID }): Ticket {
  if (!prev) return next as Ticket;
  const out = { ...prev } as Record<string, unknown>;
  for (const [k, v] of Object.entries(next)) if (v !== undefined) out[k] = v;
  return out as unknown as Ticket;
}

export const requesterId = (t: Ticket): ID | undefined => t.requester?.id ?? t.requester_id;
export const assigneeId = (t: Ticket): ID | null => t.assignee?.id ?? t.assignee_id ?? null;
/**
 * Whether someone works the desk (docs/desk.md, "Who sees what"): agents, admins and owners always; a member only
 * with the desk grant (`membership.desk`), which gives exactly an agent's desk rights; customers never.
 */
export const isStaff = (role: Role | undefined, desk?: boolean) =>
  role === "agent" || role === "admin" || role === "owner" || (role === "member" && desk === true);
export const isAdminRole = (role: Role | undefined) => role === "admin" || role === "owner";

/** The inbox row's preview: the newest message's text, one line. */
export function previewOf(t: Ticket): string {
  const raw = t.last_message?.body ?? t.last_message_preview ?? t.preview ?? "";
  return raw.replace(/<@\d+>/g, "@someone").replace(/\s+/g, " ").trim();
}

export const isUnread = (t: Ticket) => (t.unread_count ?? 0) > 0 || t.unread === true;

/**
 * A desk event's ticket (ticket:created / ticket:updated) over the row we have. Events are published once for all
 * staff, so they carry no viewer: their `read_seq`, `unread` and `unread_count` are dropped and the viewer's marker
 * is worked out here instead — a newer conversation seq than the row has read makes it unread, unless the newest
 * message is our own (writing marks the conversation read on the server too).
 */
export function liveRow(known: Ticket | null | undefined, t: Partial<Ticket> & { id: ID }, meId: ID | undefined): Ticket {
  const { read_seq: _r, unread: _u, unread_count: _c, ...shared } = t;
  const row = mergeTicket(known, shared);
  const before = known?.last_seq ?? 0;
  const last = row.last_seq ?? 0;
  if (t.last_seq === undefined || last <= before) {
    if (!known) Object.assign(row, { unread: last > 0, unread_count: last > 0 ? 1 : 0, read_seq: 0 });
    return row;
  }
  const lm = row.last_message;
  if (meId && lm?.author?.id === meId && lm.seq === last) return { ...row, read_seq: last, unread: false, unread_count: 0 };
  return { ...row, unread: last > (row.read_seq ?? 0), unread_count: (known?.unread_count ?? 0) + (last - before) };
}

/**
 * The seq to mark read in a ticket's conversation, or null: only while the page is visible and the conversation is
 * scrolled to its bottom, and only past what was already sent (the server never moves the cursor back anyway).
 */
export function seqToMarkRead(newestSeq: number, sentSeq: number, atBottom: boolean, visible: boolean): number | null {
  return visible && atBottom && newestSeq > 0 && newestSeq > sentSeq ? newestSeq : null;
}

export const ticketTitle = (t: Pick<Ticket, "subject" | "description">) =>
  t.subject?.trim() || t.description.split("\n")[0].replace(/[*_`#>~]+/g, "").trim().slice(0, 80) || "(no subject)";

/** Which lifecycle controls apply to a ticket for someone (docs/desk.md, Lifecycle and Policy). */
export interface TicketControls {
  assignToMe: boolean;
  assignOthers: boolean;
  unassign: boolean;
  resolve: boolean;
  close: boolean;
  reopen: boolean;
  edit: boolean; // priority, tags, subject
  notes: boolean;
}

export function ticketControls(t: Pick<Ticket, "status"> & { assignee_id?: ID | null; assignee?: PersonRef | null }, role: Role | undefined, meId: ID | undefined, desk?: boolean): TicketControls {
  const staff = isStaff(role, desk);
  const admin = isAdminRole(role);
  const live = t.status !== "closed";
  const assignee = t.assignee?.id ?? t.assignee_id ?? null;
  return {
    assignToMe: staff && live && assignee !== meId,
    assignOthers: admin && live,
    unassign: staff && live && !!assignee && (admin || assignee === meId),
    resolve: staff && (t.status === "open" || t.status === "assigned"),
    close: staff && live,
    reopen: staff && t.status === "resolved",
    edit: staff && live,
    notes: staff,
  };
}

/** One row of the ticket's timeline: a message (conversation or note) or an event line. */
export type TimelineItem =
  | { kind: "message"; key: string; at: number; message: Message }
  | { kind: "event"; key: string; at: number; event: TicketEvent };

/**
 * The conversation and the notes merged by time (ties: conversation order by seq, then by id), each message once
 * (the copy with the higher `change`). Events are shown as lines only when the conversation carries no system
 * messages of its own (the server posts one per transition, so both would say the same thing twice).
 */
export function mergeTimeline(conversation: Message[], notes: Message[], events: TicketEvent[] = []): TimelineItem[] {
  const byId = new Map<ID, Message>();
  for (const m of [...conversation, ...notes]) {
    const prev = byId.get(m.id);
    if (!prev || m.change >= prev.change) byId.set(m.id, m);
  }
  const items: TimelineItem[] = [...byId.values()].map((m) => ({ kind: "message", key: "m" + m.id, at: new Date(m.created_at).getTime(), message: m }));
  const hasSystem = [...byId.values()].some((m) => m.author.kind === "system" || m.source === "system");
  if (!hasSystem) {
    for (const e of events) {
      if (e.kind === "created") continue;
      items.push({ kind: "event", key: "e" + e.id, at: new Date(e.created_at).getTime(), event: e });
    }
  }
  const idNum = (s: string) => (/^\d+$/.test(s) ? BigInt(s) : 0n);
  items.sort((a, b) => {
    if (a.at !== b.at) return a.at - b.at;
    if (a.kind === "message" && b.kind === "message") {
      if (a.message.channel_id === b.message.channel_id && a.message.seq !== b.message.seq) return a.message.seq - b.message.seq;
      const x = idNum(a.message.id), y = idNum(b.message.id);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    return a.kind === "event" ? 1 : -1;
  });
  return items;
}

/** An event as a line of text ("Ann assigned the ticket to Bo", "Ann changed the status to resolved"). */
export function eventText(e: TicketEvent, name: (id: ID | null | undefined) => string): string {
  const who = e.actor?.display_name ?? name(e.actor_id);
  const d = e.data ?? {};
  const to = d.to as unknown;
  switch (e.kind) {
    case "created":
      return `${who} opened the ticket`;
    case "assigned": {
      const obj = (d.assignee ?? (to && typeof to === "object" ? to : undefined)) as PersonRef | undefined;
      const target = obj?.display_name ?? name((d.assignee_id ?? to) as ID);
      return `${who} assigned the ticket to ${target}`;
    }
    case "unassigned":
      return `${who} unassigned the ticket`;
    case "status":
      return `${who} changed the status to ${String(to ?? "")}`.trim();
    case "priority":
      return `${who} set the priority to ${String(to ?? "")}`.trim();
    case "tags":
      return `${who} changed the tags${Array.isArray(to) ? ": " + (to as string[]).join(", ") : ""}`;
    case "subject":
      return `${who} renamed the ticket${to ? ` to "${String(to)}"` : ""}`;
    default:
      return `${who}: ${e.kind}`;
  }
}

/** Seconds as people read a duration: "45 s", "12 min", "3 h 20 min", "2 d 4 h"; "—" when unknown. */
export function humanDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return "—";
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** Tags typed by a person → the server's form: lower-case, a-z 0-9 - _, 1–32 long, unique, at most 10. */
export function normaliseTags(input: string | string[]): string[] {
  const parts = Array.isArray(input) ? input : input.split(/[,\s]+/);
  const out: string[] = [];
  for (const p of parts) {
    const t = p.trim().toLowerCase().replace(/^#/, "").replace(/[^a-z0-9_-]/g, "").slice(0, 32);
    if (t && !out.includes(t)) out.push(t);
  }
  return out.slice(0, 10);
}

/** The last 30 days (oldest first) with zero counts filled in for days the server left out. */
export function fillDays(days: DayCount[], n = 30, today = new Date()): DayCount[] {
  const byDate = new Map(days.map((d) => [d.date.slice(0, 10), d]));
  const out: DayCount[] = [];
  for (let i = n - 1; i >= 0; i--) {
    const d = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - i));
    const key = d.toISOString().slice(0, 10);
    const have = byDate.get(key);
    out.push({ date: key, created: have?.created ?? 0, resolved: have?.resolved ?? 0 });
  }
  return out;
}

// ---------- response normalisers (tolerant of the shapes the backend may settle on) ----------

type Loose = Record<string, unknown>;

function pageOf<T>(r: unknown, key: string): Page<T> {
  const o = (r ?? {}) as Loose;
  const items = (Array.isArray(r) ? r : (o[key] ?? o.items ?? o.data ?? [])) as T[];
  const next = (o.next_cursor ?? o.cursor ?? (o.page as Loose | undefined)?.next_cursor ?? null) as string | null;
  return { items, next_cursor: next || null };
}

function ticketOf(r: unknown): Ticket {
  const o = r as Loose;
  return (o && typeof o === "object" && "ticket" in o && o.ticket ? o.ticket : o) as Ticket;
}

function num(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) ? v : Number(v) || 0;
}

function optNum(v: unknown): number | null {
  return v === null || v === undefined || v === "" ? null : Number.isFinite(Number(v)) ? Number(v) : null;
}

function countMap(v: unknown): Record<string, number> {
  if (Array.isArray(v)) {
    const out: Record<string, number> = {};
    for (const x of v as Loose[]) out[String(x.status ?? x.priority ?? x.role ?? x.key ?? x.name)] = num(x.count ?? x.value ?? x.n);
    return out;
  }
  const out: Record<string, number> = {};
  for (const [k, x] of Object.entries((v ?? {}) as Loose)) out[k] = num(x);
  return out;
}

/** GET /admin/stats in one shape, whatever the nesting. */
export function normaliseStats(r: unknown): Stats {
  const o = (r ?? {}) as Loose;
  const tickets = (o.tickets ?? {}) as Loose;
  const live = (o.live ?? o.realtime ?? o) as Loose;
  const days = (o.per_day ?? o.daily ?? tickets.per_day ?? o.days ?? []) as Loose[];
  const seconds = (v: unknown, ms?: unknown) => (v !== undefined && v !== null ? optNum(v) : ms !== undefined && ms !== null ? (optNum(ms) ?? 0) / 1000 : null);
  const firstResp = (o.median_first_response ?? tickets.median_first_response) as Loose | number | undefined;
  const resol = (o.median_resolution ?? tickets.median_resolution) as Loose | number | undefined;
  return {
    by_status: countMap(o.by_status ?? tickets.by_status ?? o.status),
    by_priority: countMap(o.by_priority ?? tickets.by_priority ?? o.priority),
    per_day: days.map((d) => ({ date: String(d.date ?? d.day ?? ""), created: num(d.created), resolved: num(d.resolved) })),
    median_first_response_seconds:
      seconds(o.median_first_response_seconds ?? tickets.median_first_response_seconds, o.median_first_response_ms ?? tickets.median_first_response_ms) ??
      (typeof firstResp === "number" ? firstResp : firstResp ? optNum(firstResp.seconds) : null),
    median_resolution_seconds:
      seconds(o.median_resolution_seconds ?? tickets.median_resolution_seconds, o.median_resolution_ms ?? tickets.median_resolution_ms) ??
      (typeof resol === "number" ? resol : resol ? optNum(resol.seconds) : null),
    agents: ((o.agents ?? o.agent_load ?? []) as Loose[]).map((a) => ({
      user: ((a.user ?? a.agent) as PersonRef) ?? { id: String(a.user_id ?? a.id ?? ""), display_name: String(a.display_name ?? "Agent"), avatar_url: String(a.avatar_url ?? "") },
      role: a.role as Role | undefined,
      open: num(a.open_load ?? a.open ?? a.open_tickets ?? a.count ?? a.load),
    })),
    users_by_role: countMap(o.users_by_role ?? o.users ?? o.roles),
    live: {
      connected_clients: num(live.connected_clients),
      connected_agents: num(live.connected_agents),
      active_ticket_rooms: num(live.active_ticket_rooms),
    },
  };
}

// ---------- REST ----------

export const deskApi = {
  tickets: (f: TicketFilters, cursor?: string | null, limit = 25) =>
    request<unknown>("GET", "/tickets", { query: filtersToQuery(f, cursor, limit) }).then((r) => pageOf<Ticket>(r, "tickets")),
  ticket: (id: ID) => request<unknown>("GET", `/tickets/${enc(id)}`).then(ticketOf),
  createTicket: (b: { subject?: string; description: string; priority?: TicketPriority; reference_id?: ID }) =>
    request<unknown>("POST", "/tickets", { body: b }).then(ticketOf),
  updateTicket: (id: ID, b: { priority?: TicketPriority; tags?: string[]; subject?: string }) =>
    request<unknown>("PATCH", `/tickets/${enc(id)}`, { body: b }).then(ticketOf),
  setStatus: (id: ID, status: TicketStatus) => request<unknown>("PATCH", `/tickets/${enc(id)}/status`, { body: { status } }).then(ticketOf),
  assign: (id: ID, assigneeId: ID | null) =>
    request<unknown>("PATCH", `/tickets/${enc(id)}/assign`, { body: { assignee_id: assigneeId } }).then(ticketOf),
  messages: (id: ID, q: { internal?: boolean; before?: number; limit?: number } = {}) =>
    request<unknown>("GET", `/tickets/${enc(id)}/messages`, { query: { internal: q.internal || undefined, before: q.before, limit: q.limit } })
      .then((r) => pageOf<Message>(r, "messages").items),
  postMessage: (id: ID, b: { body: string; internal?: boolean; client_msg_id?: string }) =>
    request<unknown>("POST", `/tickets/${enc(id)}/messages`, { body: b }).then((r) => ((r as Loose)?.message ?? r) as Message),
  events: (id: ID) => request<unknown>("GET", `/tickets/${enc(id)}/events`).then((r) => pageOf<TicketEvent>(r, "events").items),
  stats: () => request<unknown>("GET", "/admin/stats").then(normaliseStats),
  audit: (q: { action?: string; actor_id?: ID; cursor?: string | null; limit?: number }) =>
    request<unknown>("GET", "/audit", { query: { action: q.action || undefined, actor_id: q.actor_id || undefined, cursor: q.cursor || undefined, limit: q.limit } })
      .then((r) => pageOf<AuditEvent>(r, "events")),
  customerSignup: (b: { display_name: string; email: string; password: string }) => request<Session>("POST", "/auth/signup", { body: b }),
  setCustomerSignup: (on: boolean) => request<Workspace>("PATCH", "/workspace", { body: { customer_signup: on } }),
  /** The caller's read cursor of a ticket's conversation (requester and staff); returns the ticket as they now see it. */
  markRead: (ticketId: ID, seq: number) => request<unknown>("POST", `/tickets/${enc(ticketId)}/read`, { body: { seq } }).then(ticketOf),
};

/** Whether a workspace lets customers sign themselves up (the field is absent on older servers: off). */
export const allowsCustomerSignup = (ws: Workspace | null | undefined) => !!ws?.customer_signup;

// ---------- live feeds ----------

type Handler = (event: string, payload: unknown) => void;

/**
 * desk:<workspace_id> (staff only), shared by the inbox, the dashboard and the sidebar count: joined while
 * someone listens. `onDown(true)` tells listeners the topic is unavailable (refused or no socket), so they poll.
 */
const deskListeners = new Set<{ on: Handler; down: (down: boolean) => void }>();
let deskTopic: PhxChannel | null = null;
let deskDown = true;

const DESK_EVENTS = ["ticket:created", "ticket:updated", "stats:updated"];

let deskRetry: ReturnType<typeof setTimeout> | null = null;

function ensureDeskTopic(): void {
  if (deskTopic) return;
  const socket = getSocket();
  const me = store.get().me;
  if (!socket || !me || !isStaff(me.membership.role, me.membership.desk)) {
    setDeskDown(true);
    // The screen can mount before the session and the socket are up: try again while anyone listens.
    if (!deskRetry && (!me || isStaff(me.membership.role, me.membership.desk))) {
      deskRetry = setTimeout(() => {
        deskRetry = null;
        if (deskListeners.size) ensureDeskTopic();
      }, 250);
    }
    return;
  }
  const topic = socket.channel(`desk:${me.workspace.id}`, {});
  deskTopic = topic;
  for (const ev of DESK_EVENTS) topic.on(ev, (p: unknown) => deskListeners.forEach((l) => l.on(ev, p)));
  topic.onError(() => setDeskDown(true));
  topic
    .join()
    .receive("ok", () => setDeskDown(false))
    .receive("error", () => {
      setDeskDown(true);
      topic.leave();
      if (deskTopic === topic) deskTopic = null;
    });
}

function setDeskDown(down: boolean): void {
  deskDown = down;
  deskListeners.forEach((l) => l.down(down));
}

/** Listen to the desk topic; returns the unsubscribe. `down` is called at once with the current state. */
export function listenDesk(on: Handler, down: (down: boolean) => void): () => void {
  const l = { on, down };
  deskListeners.add(l);
  ensureDeskTopic();
  down(deskDown);
  return () => {
    deskListeners.delete(l);
    if (!deskListeners.size && deskTopic) {
      deskTopic.leave();
      deskTopic = null;
      deskDown = true;
    }
  };
}

export interface TicketLink {
  leave: () => void;
  /** Push on the topic while joined (typing); silently dropped otherwise. */
  push: (event: string, payload: object) => void;
}

/** A ticket's topic. Params come from the positions seen so far, so phoenix's rejoin after a drop catches up. */
export function joinTicket(
  ticketId: ID,
  params: () => Record<string, number>,
  on: Handler,
  status: (joined: boolean) => void,
): TicketLink {
  const socket = getSocket();
  if (!socket) {
    status(false);
    return { leave: () => {}, push: () => {} };
  }
  const topic = socket.channel(`ticket:${ticketId}`, params);
  for (const ev of ["message:new", "message:updated", "message:deleted", "status:updated", "assigned", "ticket:updated", "typing", "user_joined", "user_left"]) {
    topic.on(ev, (p: unknown) => on(ev, p));
  }
  let closed = false;
  let joined = false;
  topic.onError(() => {
    joined = false;
    status(false);
  });
  topic
    .join()
    .receive("ok", () => {
      joined = true;
      status(true);
    })
    .receive("error", () => {
      joined = false;
      status(false);
      if (!closed) topic.leave(); // refused: final, poll instead
    });
  return {
    leave: () => {
      closed = true;
      topic.leave();
    },
    push: (event, payload) => {
      if (joined && socket.isConnected()) topic.push(event, payload);
    },
  };
}

/** A client_msg_id for an optimistic send (the server dedupes a retried POST by it). */
export function newClientMsgId(): string {
  return (typeof crypto !== "undefined" && "randomUUID" in crypto ? crypto.randomUUID() : Math.random().toString(36).slice(2) + Date.now().toString(36));
}
