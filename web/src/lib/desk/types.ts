// Desk types: tickets, their events, filters, pages, the dashboard's figures and the audit log (docs/desk.md).
import type { ID, Role } from "../types";

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
