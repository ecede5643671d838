// The one socket module: a phoenix Socket on the workspace host (the relay_session cookie authenticates it), the
// workspace:, user: and channel: topics, and catch-up across reconnects (docs/protocol.md).
//
// Which channel topics: every channel we are a member of, up to MAX_CHANNEL_TOPICS, plus the channel on screen.
// The server does not push per-message unread counts (one event per member per message would be too many), so
// live sidebar badges need each channel's topic; a socket may join at most 100 topics, and workspace: + user:
// + a previewed public channel take three. Members of more channels follow the ones with unread messages, then
// DMs, then the rest by name; the others get their counts from GET /channels when the window regains focus.
import { Presence, Socket, type Channel as PhxChannel } from "phoenix";
import { api } from "./api";
import { navigate } from "./router";
import { store, type Store } from "./store";
import { resumeFrom, streamJoined, streamMessage } from "./stream";
import type { ConnectorSummary, DeliveryEvent } from "./connectors";
import type {
  Channel, ID, JoinReply, Me, MemberAddedEvent, MemberEvent, MemberRemovedEvent, MemberRoleChangedEvent, MemberUpdatedEvent, Message, PresenceMeta, StatusEvent, TypingEvent, UnreadEvent,
} from "./types";

export const MAX_CHANNEL_TOPICS = 96;

interface Followed {
  topic: PhxChannel;
  /** Resolves on the first successful join (the first join's reply). */
  joined: Promise<JoinReply | null>;
  isJoined: boolean;
}

export interface Relay {
  socket: Socket;
  /** The store, for debugging and browser tests (read it; do not mutate). */
  store?: Store;
}

declare global {
  interface Window {
    __relay?: Relay;
  }
}

let socket: Socket | null = null;
let workspaceTopic: PhxChannel | null = null;
let userTopic: PhxChannel | null = null;
const followed = new Map<ID, Followed>();
/** Called after a channel topic (re)joins with reset or for the first time: the view reloads history. */
let onChannelReset: (channelId: ID) => void = () => {};
let onReconnect: () => void = () => {};

export function setSocketHooks(h: { onChannelReset?: (id: ID) => void; onReconnect?: () => void }): void {
  if (h.onChannelReset) onChannelReset = h.onChannelReset;
  if (h.onReconnect) onReconnect = h.onReconnect;
}

export function getSocket(): Socket | null {
  return socket;
}

/** Open the socket and join workspace: and user:. Channel topics follow with followChannels(). */
export function connectSocket(me: Me, s: Store = store): Socket {
  if (socket) return socket;
  s.setConnection("connecting");
  socket = new Socket("/socket", { heartbeatIntervalMs: 30000 });
  let opened = false;
  socket.onOpen(() => {
    s.setConnection("open");
    if (opened) onReconnect();
    opened = true;
  });
  let lastCheck = 0;
  socket.onError(() => {
    s.setConnection("down");
    // A refused upgrade looks like a network error: ask HTTP whether the session is still good (a 401 there
    // sends the app to the login page through the API client's handler).
    const now = Date.now();
    if (now - lastCheck > 15000) {
      lastCheck = now;
      api.me().catch(() => {});
    }
  });
  socket.onClose(() => {
    if (socket?.connectionState() !== "open") s.setConnection("down");
  });
  socket.connect();
  window.__relay = { socket, store: s };

  // Customers follow their own tickets only: the workspace topic (presence, channels, members) is staff's,
  // and the server refuses it to them.
  if (me.membership.role !== "customer") {
    const wt = socket.channel(`workspace:${me.workspace.id}`, {});
    const presence = new Presence(wt);
    presence.onSync(() => {
      const list = presence.list((userId: string, { metas }: { metas: PresenceMeta[] }) => {
        const pick = metas.some((m) => m.status === "dnd") ? "dnd" : metas.some((m) => m.status === "online") ? "online" : "away";
        const withText = metas.find((m) => m.text || m.emoji) ?? metas[0];
        return { userId, presence: pick as "online" | "away" | "dnd", text: withText?.text ?? "", emoji: withText?.emoji ?? "", name: metas[0]?.display_name };
      });
      s.setPresence(list);
    });
    wt.on("channel:created", (c: Channel) => s.upsertChannel(c, false));
    wt.on("channel:updated", (c: Channel) => {
      if (s.get().channels[c.id]) s.upsertChannel(c, false);
    });
    wt.on("status:updated", (e: StatusEvent) => s.setStatus(e));
    wt.on("member:updated", (e: MemberUpdatedEvent) => s.memberUpdated(e));
    wt.on("member:added", (e: MemberAddedEvent) => s.memberAdded(e));
    wt.on("member:removed", (e: MemberRemovedEvent) => s.memberRemoved(e));
    // Your own role change arrives here just before the server closes the socket to re-authorise it: apply it now.
    wt.on("member:role_changed", (e: MemberRoleChangedEvent) => applyMembership(e, s));
    wt.on("connector:updated", (e: ConnectorSummary) => s.connectorUpdated(e));
    wt.on("connector:deleted", (e: { id: ID }) => s.connectorDeleted(e.id));
    wt.join();
    workspaceTopic = wt;
  }

  userTopic = socket.channel(`user:${me.user.id}`, {});
  userTopic.on("unread:updated", (u: UnreadEvent) => s.applyUnread(u));
  const added = (c: Channel) => {
    // The payload has no per-user fields: fetch our counts, then follow the topic.
    api.channel(c.id).then((full) => {
      s.upsertChannel(full, true);
      followChannels(s);
    }, () => {});
  };
  userTopic.on("channel:joined", added);
  userTopic.on("dm:opened", added);
  userTopic.on("channel:left", (c: Channel) => {
    if (s.get().activeChannel === c.id && c.kind === "public") {
      // Still readable as a preview: keep the topic, drop the membership.
      s.upsertChannel({ ...c, is_member: false, unread_count: 0, mention_count: 0, last_read_seq: 0 }, true);
      return;
    }
    s.removeChannel(c.id);
    unfollow(c.id, s);
    if (s.get().activeChannel === c.id) navigate("/", { replace: true });
  });
  userTopic.join();
  return socket;
}

/**
 * A member's new role and desk access (member:role_changed, or /auth/me after a reconnect). Yours changes the
 * navigation at once; becoming a customer (who has no channels) reloads the app, which is a different one.
 */
export function applyMembership(e: MemberRoleChangedEvent, s: Store = store): void {
  const me = s.get().me;
  if (me && me.user.id === e.user_id && (me.membership.role === "customer") !== (e.role === "customer")) {
    location.reload();
    return;
  }
  s.memberRoleChanged(e);
}

export function disconnectSocket(): void {
  for (const id of [...followed.keys()]) followed.get(id)?.topic.leave();
  followed.clear();
  workspaceTopic = userTopic = null;
  socket?.disconnect();
  socket = null;
}

/** Tell the server the user is active (keeps presence "online"). */
export function pushActivity(): void {
  if (workspaceTopic && socket?.isConnected()) workspaceTopic.push("activity", {});
}

/** The channels whose topics we keep joined, in priority order (see the file comment). */
export function channelsToFollow(channels: Channel[], active: ID | null, max = MAX_CHANNEL_TOPICS): ID[] {
  const members = channels.filter((c) => c.is_member && !c.archived);
  const rank = (c: Channel) => (c.mention_count ? 0 : c.unread_count ? 1 : c.kind === "dm" ? 2 : 3);
  members.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
  const ids = members.slice(0, max).map((c) => c.id);
  if (active && !ids.includes(active)) ids.push(active);
  return ids;
}

/** Join the topics of the channels to follow and leave the others. */
export function followChannels(s: Store = store): void {
  if (!socket) return;
  const st = s.get();
  const want = new Set(channelsToFollow(Object.values(st.channels), st.activeChannel));
  for (const id of want) follow(id, s);
  for (const id of [...followed.keys()]) if (!want.has(id)) unfollow(id, s);
}

/** Join channel:<id> (once) and resolve with its first join reply; null if the server refused it. */
export function follow(channelId: ID, s: Store = store): Promise<JoinReply | null> {
  const have = followed.get(channelId);
  if (have) return have.joined;
  if (!socket) return Promise.resolve(null);
  // Params as a function: phoenix calls it on every rejoin, so a reconnect resumes from the last seq/change seen.
  let sentPosition = false;
  const params = () => {
    const from = resumeFrom(s, channelId);
    sentPosition = !!from;
    return from ?? {};
  };
  const topic = socket.channel(`channel:${channelId}`, params);
  const onMsg = (kind: "new" | "update") => (m: Message) => streamMessage(s, m, kind);
  topic.on("message:new", onMsg("new"));
  for (const ev of ["message:updated", "message:deleted", "reaction:added", "reaction:removed", "thread:updated"]) topic.on(ev, onMsg("update"));
  topic.on("channel:updated", (c: Channel) => s.upsertChannel(c, false));
  topic.on("member:joined", (e: MemberEvent) => s.memberJoined(e));
  topic.on("member:left", (e: MemberEvent) => s.memberLeft(e));
  topic.on("typing", (e: TypingEvent) => s.typingStarted(e));
  topic.on("message:delivery", (e: DeliveryEvent) => s.applyDeliveries(e));

  let resolve!: (r: JoinReply | null) => void;
  const entry: Followed = { topic, joined: new Promise((r) => (resolve = r)), isJoined: false };
  followed.set(channelId, entry);
  // Every join, the first and each automatic rejoin, comes through here.
  topic.onError(() => void (entry.isJoined = false));
  topic.onClose(() => void (entry.isJoined = false));
  const handleReply = (reply: JoinReply) => {
    entry.isJoined = true;
    // Joined without last_seq: nothing is replayed, live events follow the reply, history comes over HTTP.
    if (streamJoined(s, channelId, reply, sentPosition)) {
      // Too much missed (or the server went back in time): reload instead of replaying.
      api.channel(channelId).then((c) => s.upsertChannel(c, true), () => {});
      onChannelReset(channelId);
    }
    resolve(reply);
  };
  topic
    .join()
    .receive("ok", handleReply)
    .receive("error", () => {
      // Forbidden or unknown: final. Stop phoenix retrying.
      resolve(null);
      unfollow(channelId, s);
    });
  return entry.joined;
}

export function unfollow(channelId: ID, s: Store = store): void {
  const f = followed.get(channelId);
  if (!f) return;
  followed.delete(channelId);
  f.topic.leave();
  // Events stop: the timeline could get a gap, so it reloads when next viewed.
  s.unloadTimeline(channelId);
}

export function isFollowing(channelId: ID): boolean {
  return followed.get(channelId)?.isJoined === true && !!socket?.isConnected();
}

export interface PushError {
  reason: string;
  code?: string;
}

/** Push on a followed channel topic; rejects with {reason, code} or {reason: "timeout"}. */
export function pushOn<T>(channelId: ID, event: string, payload: object, timeout = 10000): Promise<T> {
  const f = followed.get(channelId);
  if (!f || !isFollowing(channelId)) return Promise.reject({ reason: "not_joined" } as PushError);
  return new Promise((resolve, reject) => {
    f.topic
      .push(event, payload, timeout)
      .receive("ok", (r: T) => resolve(r))
      .receive("error", (e: PushError) => reject(e))
      .receive("timeout", () => reject({ reason: "timeout" } as PushError));
  });
}
