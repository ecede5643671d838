// The desk's live feeds: desk:<workspace_id> (the inbox, the dashboard and the sidebar count share one join) and
// ticket:<id>, whose two streams — the conversation and, for staff, the internal notes — feed the store exactly as
// a channel's topic does (lib/stream.ts): same positions, same merge, same pending sends, same typing notices.
// When a topic is refused or the socket is down, screens poll (see docs/web.md).
import type { Channel as PhxChannel } from "phoenix";
import { getSocket } from "../socket";
import { store, type Store } from "../store";
import { resumeFrom, streamJoined, streamMessage, type StreamReply } from "../stream";
import type { ID, Message } from "../types";
import { deskApi } from "./api";
import { isStaff } from "./tickets";
import type { Ticket } from "./types";

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

/** The ids a ticket's streams live under in the store: its conversation and (staff only) its notes channel. */
export type TicketStreams = Pick<Ticket, "id" | "channel_id" | "notes_channel_id">;

/** The newest messages a ticket view loads per stream (the store merges them with what the topic brought). */
export const TICKET_PAGE = 200;

/** A ticket message as the store keeps it: a message of the notes stream is always marked internal. */
export function ticketMessage(t: TicketStreams, m: Message): Message {
  return !m.internal && !!t.notes_channel_id && m.channel_id === t.notes_channel_id ? { ...m, internal: true } : m;
}

/**
 * The newest page of a ticket's conversation (notes: its internal notes) into the store. "reset": the server said
 * the stream missed too much, so the page replaces what the store held.
 */
export async function loadTicketStream(t: TicketStreams, notes: boolean, mode: "latest" | "reset" = "latest", s: Store = store): Promise<void> {
  const channelId = notes ? t.notes_channel_id : t.channel_id;
  if (!channelId) return;
  const msgs = await deskApi.messages(t.id, { internal: notes || undefined, limit: TICKET_PAGE });
  s.receiveHistory(channelId, msgs.map((m) => ticketMessage(t, m)), mode, TICKET_PAGE);
}

export interface TicketLink {
  leave: () => void;
  /** Push on the topic while joined (typing); silently dropped otherwise. */
  push: (event: string, payload: object) => void;
}

interface TicketJoinReply extends StreamReply {
  notes_last_seq?: number;
  notes_last_change?: number;
  notes_reset?: boolean;
}

const TICKET_EVENTS = ["status:updated", "assigned", "ticket:updated"];

/**
 * Follow ticket:<id>: its messages, typing and catch-up go to the store's streams (conversation and, for staff,
 * notes); the ticket's own changes go to `onTicket`; `status` says whether the topic is joined (else poll). The
 * join params are a function of the store's positions, so phoenix's own rejoin after a drop catches up; a stream
 * the server reset is reloaded over HTTP. Leaving forgets the timelines (events stop; they reload when viewed).
 */
export function followTicket(
  t: TicketStreams,
  staff: boolean,
  onTicket: (event: string, payload: unknown) => void,
  status: (joined: boolean) => void,
  s: Store = store,
): TicketLink {
  const conv = t.channel_id;
  if (!conv) {
    status(false);
    return { leave: () => {}, push: () => {} };
  }
  const notes = staff ? t.notes_channel_id ?? null : null;
  let topic: PhxChannel | null = null;
  let closed = false;
  let joined = false;
  let retry: ReturnType<typeof setTimeout> | null = null;

  const join = (socket: NonNullable<ReturnType<typeof getSocket>>) => {
    let resumed = { conv: false, notes: false };
    const params = () => {
      const out: Record<string, number> = {};
      const c = resumeFrom(s, conv);
      const n = notes ? resumeFrom(s, notes) : null;
      resumed = { conv: !!c, notes: !!n };
      if (c) Object.assign(out, c);
      if (n) Object.assign(out, { notes_last_seq: n.last_seq, notes_last_change: n.last_change });
      return out;
    };
    const tp = socket.channel(`ticket:${t.id}`, params);
    topic = tp;
    const onMsg = (kind: "new" | "update") => (p: unknown) => {
      const m = ((p as { message?: Message }).message ?? p) as Message;
      if (m?.id) streamMessage(s, ticketMessage(t, m), kind);
    };
    tp.on("message:new", onMsg("new"));
    for (const ev of ["message:updated", "message:deleted"]) tp.on(ev, onMsg("update"));
    tp.on("typing", (e: { channel_id?: ID; user_id: ID; display_name?: string; expires_in_ms?: number }) =>
      s.typingStarted({ channel_id: e.channel_id ?? conv, user_id: e.user_id, display_name: e.display_name ?? "Someone", parent_id: null, expires_in_ms: e.expires_in_ms ?? 0 }));
    for (const ev of TICKET_EVENTS) tp.on(ev, (p: unknown) => onTicket(ev, p));
    tp.onError(() => {
      joined = false;
      status(false);
    });
    tp.join()
      .receive("ok", (reply: TicketJoinReply) => {
        joined = true;
        if (streamJoined(s, conv, reply, resumed.conv)) void loadTicketStream(t, false, "reset", s).catch(() => {});
        if (notes && reply.notes_last_seq !== undefined) {
          const r = { last_seq: reply.notes_last_seq, last_change: reply.notes_last_change ?? 0, reset: reply.notes_reset };
          if (streamJoined(s, notes, r, resumed.notes)) void loadTicketStream(t, true, "reset", s).catch(() => {});
        }
        status(true);
      })
      .receive("error", () => {
        joined = false;
        status(false);
        if (!closed) tp.leave(); // refused: final, poll instead
      });
  };
  // The ticket can load before the workspace has opened the socket: poll meanwhile, join once it is there.
  const start = () => {
    retry = null;
    if (closed) return;
    const socket = getSocket();
    if (socket) return join(socket);
    retry = setTimeout(start, 250);
  };
  if (!getSocket()) status(false);
  start();
  return {
    leave: () => {
      closed = true;
      if (retry) clearTimeout(retry);
      topic?.leave();
      s.unloadTimeline(conv);
      if (notes) s.unloadTimeline(notes);
    },
    push: (event, payload) => {
      const socket = getSocket();
      if (joined && topic && socket?.isConnected()) topic.push(event, payload);
    },
  };
}
