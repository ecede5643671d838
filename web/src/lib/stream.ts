// One stream model for the whole app: a live, caught-up, de-duplicated list of messages. A stream is one channel's
// messages with its own seq and change counters: a channel, a ticket's conversation, a ticket's internal notes.
// The store holds every stream the same way — messages merged by id keeping the higher `change`, timelines ordered
// by seq, the position seen so far (sent as last_seq/last_change on every rejoin), optimistic sends until the
// server's copy with the same client_msg_id arrives, typing notices that expire. This module is how a topic feeds
// a stream: the join params from its position, the join reply (catch-up or reset), and its message events. The
// channel topics (socket.ts) and the ticket topics (desk/live.ts) both go through it.
import type { Store } from "./store";
import type { ID, Message } from "./types";

/** A stream's counters in a join reply (a ticket's notes come as notes_last_seq…, renamed by the caller). */
export interface StreamReply {
  last_seq: number;
  last_change: number;
  reset?: boolean;
}

/** Join params that resume a stream from its position; null before anything was seen (nothing is replayed). */
export function resumeFrom(s: Store, channelId: ID): { last_seq: number; last_change: number } | null {
  const p = s.position(channelId);
  return p && p.seq > 0 ? { last_seq: p.seq, last_change: p.change } : null;
}

/**
 * A join reply for one stream; `resumed`: the join sent a position. Returns true when the stream must be reloaded
 * over HTTP (the server reset it: too much missed, or it went back in time): its timeline is emptied and its
 * position set to the reply's. Without a position nothing is replayed, so the reply's counters are the position.
 */
export function streamJoined(s: Store, channelId: ID, reply: StreamReply, resumed: boolean): boolean {
  if (reply.reset) {
    s.setPosition(channelId, reply.last_seq, reply.last_change);
    s.unloadTimeline(channelId);
    return true;
  }
  if (!resumed) s.bumpPosition(channelId, reply.last_seq, reply.last_change);
  return false;
}

/** A message event on a stream's topic ("new": message:new). A new message ends its author's typing notice. */
export function streamMessage(s: Store, m: Message, kind: "new" | "update"): void {
  s.receiveMessage(m, kind);
  if (kind === "new") s.typingStopped(m.channel_id, m.author.id);
}
