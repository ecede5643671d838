// A ticket's timeline: the conversation and the internal notes merged by time, with the ticket's events as lines.
import type { ID, Message } from "../types";
import type { PersonRef, TicketEvent } from "./types";

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
