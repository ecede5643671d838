// The timeline model: which messages a channel's timeline shows, in what order, and the arithmetic of a page
// asked around one message (a search result). Pure: the store (store.ts) holds the state.
import type { ID, Message } from "./types";

export interface Timeline {
  /** Visible messages (top level or broadcast replies), ascending by seq. */
  ids: ID[];
  /** The newest page has been fetched over HTTP, so ids run without gaps up to the newest message. */
  loaded: boolean;
  /** There may be older messages than ids[0]. */
  hasMore: boolean;
  loadingOlder: boolean;
  /**
   * Set when the timeline is a window opened around an older message (a search result): it runs without gaps up to
   * this seq only, and newer messages are not in ids (live ones are kept in messages but wait for loadNewer).
   */
  until?: number;
  loadingNewer?: boolean;
}

/** Messages of the timeline: top-level messages and replies also sent to the channel. */
export const isVisible = (m: Pick<Message, "parent_id" | "broadcast">) => !m.parent_id || m.broadcast;

export const emptyTimeline = (): Timeline => ({ ids: [], loaded: false, hasMore: true, loadingOlder: false });

/** Insert id into ids (ascending by seq) unless present. Returns the same array when nothing changed. */
export function insertBySeq(ids: ID[], id: ID, seqOf: (id: ID) => number): ID[] {
  if (ids.includes(id)) return ids;
  const seq = seqOf(id);
  let lo = 0, hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (seqOf(ids[mid]) < seq) lo = mid + 1;
    else hi = mid;
  }
  const out = ids.slice();
  out.splice(lo, 0, id);
  return out;
}

/**
 * What a page around a message says (GET …/messages?around=seq&limit=…: up to limit/2 before seq, the rest from it
 * on): its visible messages, whether it reached the channel's oldest or newest message, and its newest seq.
 */
export function aroundPage(msgs: Message[], seq: number, limit: number) {
  const visible = msgs.filter(isVisible);
  const before = visible.filter((m) => m.seq < seq).length;
  return {
    visible,
    reachedOldest: before < Math.floor(limit / 2),
    reachedNewest: visible.length - before < limit - before,
    newest: visible.length ? visible[visible.length - 1].seq : seq,
  };
}
