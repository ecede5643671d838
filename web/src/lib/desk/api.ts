// The desk's REST calls (docs/api.md): tickets, their messages and events, stats, the audit log, customer sign-up.
import { request } from "../api";
import type { ID, Message, Session, Workspace } from "../types";
import { normaliseStats } from "./stats";
import { filtersToQuery } from "./tickets";
import type { AuditEvent, Page, Ticket, TicketEvent, TicketFilters, TicketPriority, TicketStatus } from "./types";

const enc = encodeURIComponent;

// Response normalisers (tolerant of the shapes the backend may settle on).
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
