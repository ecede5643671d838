// Ticket rules the screens share, all pure: filters ↔ query, list order and live rows, who may do what, titles,
// previews, tags and the read cursor.
import type { ID, Role } from "../types";
import { PRIORITIES, STATUSES, type PersonRef, type Ticket, type TicketFilters, type TicketPriority, type TicketSort, type TicketStatus } from "./types";

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

/**
 * A ticket read over HTTP merged into what the screen holds, unless what it holds is newer (`updated_at`): a live
 * event can overtake a read that started before it, and the older copy must not undo it.
 */
export function mergeFetchedTicket(prev: Ticket | null | undefined, fetched: Ticket): Ticket {
  if (prev && Date.parse(prev.updated_at) > Date.parse(fetched.updated_at)) return prev;
  return mergeTicket(prev, fetched);
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

/**
 * The inbox's text search goes to the search engine (GET /search?kind=tickets, which also finds words in the
 * conversation and, for staff, in internal notes): the typed text plus the status as a `status:` filter. The
 * other inbox filters (assignee, priority, tag) have no search filter and are applied to the results here.
 */
export function ticketSearchQuery(f: TicketFilters): string {
  const text = f.q?.trim() ?? "";
  return f.status && !/(^|\s)status:/i.test(text) ? `${text} status:${f.status}` : text;
}

/** Whether a search result passes the inbox's other filters (the text and the status were the server's part). */
export function matchesSearchFilters(t: Ticket, f: TicketFilters, meId: ID | undefined): boolean {
  return matchesFilters(t, { ...f, q: undefined }, meId);
}
