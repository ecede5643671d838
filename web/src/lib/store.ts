// The one store of mutable state: channels and their unread counts, messages (ordered by seq, deduped by id and
// by client_msg_id), optimistic sends, threads, members, presence, typing, connection state and UI state.
//
// State is replaced, never mutated, so components re-render by reference comparison (useStore(selector)). The
// socket module and the actions feed it; nothing else holds mutable state. createStore() makes a fresh one for
// tests; `store` is the app's.
//
// Messages, timelines, positions, pending sends and typing are kept per stream (a channel's id): channels and a
// ticket's conversation and notes alike (lib/stream.ts). Ticket streams have no entry in `channels`, so unread
// counts and the "New messages" divider, which are about channels, leave them alone.
import { useEffect, useReducer, useRef } from "preact/hooks";
import type {
  Channel, ID, Me, Member, MemberAddedEvent, MemberEvent, MemberRemovedEvent, MemberRoleChangedEvent, Message, Presence, StatusEvent, TypingEvent, UnreadEvent, User, Workspace,
} from "./types";
import { mergeConnector, type ConnectorInfo, type ConnectorSummary, type DeliveryEvent } from "./connectors";
import type { SearchState } from "./search";
import { aroundPage, emptyTimeline, insertBySeq, isVisible, type Timeline } from "./timeline";

export type Connection = "idle" | "connecting" | "open" | "down";

export interface Pending {
  client_msg_id: string;
  channel_id: ID;
  parent_id: ID | null;
  broadcast: boolean;
  body: string;
  created_at: string;
  state: "pending" | "failed";
  error?: string;
  /** Failed for want of a connection (not refused by the server): sent again, same client_msg_id, on reconnect. */
  resend?: boolean;
  /** A ticket's message (channel_id is its conversation, or its notes when internal): posted to the ticket. */
  ticket_id?: ID;
  internal?: boolean;
}

export interface Thread {
  /** Replies, ascending by seq. */
  ids: ID[];
  loaded: boolean;
}

export interface PersonStatus {
  presence: Presence | "offline";
  text: string;
  emoji: string;
}

export interface TypingEntry {
  user_id: ID;
  name: string;
  parent_id: ID | null;
  until: number;
}

export type Dialog =
  | { kind: "create-channel" }
  | { kind: "browse-channels" }
  | { kind: "new-dm" }
  | { kind: "switcher" }
  | { kind: "status" }
  | { kind: "channel-settings"; channelId: ID };

export type RightPanel = "members" | "details" | "search" | null;

export type ThemeChoice = "system" | "light" | "dark";

export interface State {
  me: Me | null;
  workspace: Workspace | null;
  connection: Connection;
  /** True once the socket has been open at least once (the banner shows only after a drop). */
  wasOpen: boolean;
  channels: Record<ID, Channel>;
  channelsLoaded: boolean;
  /** Workspace members by user id. */
  members: Record<ID, Member>;
  /** Channel id → member user ids (loaded on demand). */
  channelMembers: Record<ID, ID[]>;
  messages: Record<ID, Message>;
  timelines: Record<ID, Timeline>;
  threads: Record<ID, Thread>;
  pending: Pending[];
  presence: Record<ID, PersonStatus>;
  typing: Record<ID, TypingEntry[]>;
  /**
   * Channel id → the "New messages" divider goes before the first message from someone else with a higher seq.
   * Set to the read cursor when the channel is opened with unread messages (else past the newest message); it
   * stays there while the channel is open, and moves along with live messages while you read at the bottom.
   */
  readMarkers: Record<ID, number>;
  /**
   * A message to scroll to and highlight (a ?message= link, a search result). `n` numbers each request, so asking
   * for the same message again scrolls to it again.
   */
  highlight: { channelId: ID; messageId: ID; n?: number } | null;
  /** The message being edited in place, if any. */
  editing: ID | null;
  activeChannel: ID | null;
  rightPanel: RightPanel;
  drawerOpen: boolean;
  dialog: Dialog | null;
  theme: ThemeChoice;
  /** The workspace's connectors (sidebar status dots, settings), null until loaded; live by connector:* events. */
  connectors: Record<ID, ConnectorInfo> | null;
  search: SearchState | null;
  /** Bumped by "/" and Ctrl/Cmd+F: the search box takes the focus (and opens, on a phone). */
  searchFocus: number;
}

export function mentionsMe(m: Message, myId: ID | undefined): boolean {
  return !!myId && (m.mention_all || m.mentions.includes(myId));
}

function initialState(): State {
  return {
    me: null, workspace: null, connection: "idle", wasOpen: false,
    channels: {}, channelsLoaded: false, members: {}, channelMembers: {},
    messages: {}, timelines: {}, threads: {}, pending: [], presence: {}, typing: {}, readMarkers: {},
    editing: null, activeChannel: null, rightPanel: null, drawerOpen: false, dialog: null, highlight: null,
    theme: loadTheme(),
    connectors: null,
    search: null, searchFocus: 0,
  };
}

function loadTheme(): ThemeChoice {
  try {
    const t = localStorage.getItem("relay.theme");
    return t === "light" || t === "dark" ? t : "system";
  } catch {
    return "system";
  }
}

export type Store = ReturnType<typeof createStore>;

export function createStore() {
  let state = initialState();
  const subs = new Set<() => void>();
  /** Per channel: the highest seq and change seen, sent as last_seq/last_change on (re)join. */
  const positions = new Map<ID, { seq: number; change: number }>();
  /** Per channel: the unread counts already include every message up to this seq (no double counting). */
  const countedThrough = new Map<ID, number>();
  let notifyQueued = false;
  /** The channel the user is reading at its bottom in a visible page (live messages there are read at once). */
  let reading: ID | null = null;
  /** Called (soon) when we meet a user id that is not among the known members (see placeholderMember). */
  let onUnknownMember: ((id: ID) => void) | null = null;
  let unknownQueued = new Set<ID>();
  let highlights = 0;

  function set(patch: Partial<State>): void {
    state = { ...state, ...patch };
    if (!notifyQueued) {
      notifyQueued = true;
      queueMicrotask(() => {
        notifyQueued = false;
        subs.forEach((s) => s());
      });
    }
  }

  const myId = () => state.me?.user.id;

  /** Remember a user we only know from a message, a channel's member list or presence; the app fetches the rest. */
  function placeholderMember(members: Record<ID, Member>, u: Pick<User, "id" | "display_name" | "avatar_url"> & Partial<User>): Record<ID, Member> {
    if (members[u.id]) return members;
    if (!unknownQueued.size) {
      queueMicrotask(() => {
        const ids = [...unknownQueued];
        unknownQueued = new Set();
        for (const id of ids) onUnknownMember?.(id);
      });
    }
    unknownQueued.add(u.id);
    const user: User = { email: "", created_at: "", ...u };
    return { ...members, [u.id]: { user, role: "member", joined_at: "" } };
  }

  /** Whether the channel shows a "New messages" divider now (a message from someone else after the marker). */
  function dividerShown(channelId: ID, marker: number, messages: Record<ID, Message>, ids: ID[], except?: ID): boolean {
    const me = myId();
    for (let i = ids.length - 1; i >= 0; i--) {
      const m = messages[ids[i]];
      if (!m) continue;
      if (m.seq <= marker) return false;
      if (m.id !== except && m.author.id !== me && !m.deleted_at && m.channel_id === channelId) return true;
    }
    return false;
  }

  function bumpPosition(channelId: ID, seq: number, change: number): void {
    const p = positions.get(channelId) ?? { seq: 0, change: 0 };
    positions.set(channelId, { seq: Math.max(p.seq, seq), change: Math.max(p.change, change) });
  }

  function patchChannel(id: ID, patch: Partial<Channel>): void {
    const ch = state.channels[id];
    if (!ch) return;
    set({ channels: { ...state.channels, [id]: { ...ch, ...patch } } });
  }

  /** The per-user fields the server leaves out of broadcast Channel payloads. */
  function keepPerUser(next: Channel, prev: Channel | undefined): Channel {
    if (!prev) return next;
    return {
      ...next,
      unread_count: prev.unread_count, mention_count: prev.mention_count, last_read_seq: prev.last_read_seq,
      is_member: prev.is_member, membership: prev.membership,
      last_seq: Math.max(prev.last_seq, next.last_seq), last_change: Math.max(prev.last_change, next.last_change),
    };
  }

  const api = {
    get: (): State => state,
    subscribe(fn: () => void): () => void {
      subs.add(fn);
      return () => void subs.delete(fn);
    },
    position: (channelId: ID) => positions.get(channelId),
    setPosition(channelId: ID, seq: number, change: number) {
      positions.set(channelId, { seq, change });
    },
    bumpPosition,

    setMe(me: Me | null) {
      const presence = { ...state.presence };
      if (me?.status) presence[me.user.id] = { presence: presence[me.user.id]?.presence ?? "online", text: me.status.text, emoji: me.status.emoji };
      set({ me, workspace: me?.workspace ?? state.workspace, presence });
    },
    setWorkspace(workspace: Workspace | null) {
      set({ workspace, me: state.me && workspace ? { ...state.me, workspace } : state.me });
    },
    updateMyUser(user: User) {
      if (!state.me) return;
      const m = state.members[user.id];
      set({ me: { ...state.me, user }, members: m ? { ...state.members, [user.id]: { ...m, user } } : state.members });
    },
    setConnection(connection: Connection) {
      if (connection === state.connection) return;
      set({ connection, wasOpen: state.wasOpen || connection === "open" });
    },

    // --- channels and read state ---
    /** Replace the channel list with the server's (GET /api/v1/channels): its counts are authoritative. */
    setChannels(list: Channel[]) {
      const channels: Record<ID, Channel> = {};
      for (const ch of list) {
        channels[ch.id] = ch;
        if (!positions.has(ch.id)) positions.set(ch.id, { seq: ch.last_seq, change: ch.last_change });
        countedThrough.set(ch.id, Math.max(countedThrough.get(ch.id) ?? 0, ch.last_seq));
      }
      // Keep channels we know but the list leaves out only if we are viewing them (a public preview).
      const active = state.activeChannel;
      if (active && !channels[active] && state.channels[active]) channels[active] = state.channels[active];
      set({ channels, channelsLoaded: true });
    },
    /** A Channel from the server. perUser: the payload carries your counts (REST), not a broadcast. */
    upsertChannel(ch: Channel, perUser: boolean) {
      const prev = state.channels[ch.id];
      const next = perUser ? ch : keepPerUser(ch, prev);
      if (perUser) {
        if (!positions.has(ch.id)) positions.set(ch.id, { seq: ch.last_seq, change: ch.last_change });
        countedThrough.set(ch.id, Math.max(countedThrough.get(ch.id) ?? 0, ch.last_seq));
      }
      set({ channels: { ...state.channels, [ch.id]: next } });
    },
    removeChannel(id: ID) {
      if (!state.channels[id]) return;
      const channels = { ...state.channels };
      delete channels[id];
      set({ channels });
    },
    applyUnread(u: UnreadEvent) {
      const ch = state.channels[u.channel_id];
      if (!ch) return;
      countedThrough.set(u.channel_id, Math.max(countedThrough.get(u.channel_id) ?? 0, ch.last_seq, u.last_read_seq));
      patchChannel(u.channel_id, { last_read_seq: u.last_read_seq, unread_count: u.unread_count, mention_count: u.mention_count });
    },
    /** Optimistically mark read up to seq (the server confirms with unread:updated). */
    markReadLocal(channelId: ID, seq: number) {
      const ch = state.channels[channelId];
      if (!ch || seq <= ch.last_read_seq && ch.unread_count === 0 && ch.mention_count === 0) return;
      patchChannel(channelId, { last_read_seq: Math.max(ch.last_read_seq, seq), unread_count: 0, mention_count: 0 });
    },

    // --- messages ---
    /**
     * Insert or replace a message by id, keeping the copy with the higher `change`. kind "new" is a message:new
     * event (it may move unread counts); "update" any other event; "fetched" an HTTP answer or a push reply.
     * Returns true when the message was new to the store.
     */
    receiveMessage(m: Message, kind: "new" | "update" | "fetched" = "update"): boolean {
      const prev = state.messages[m.id];
      const patch: Partial<State> = {};
      bumpPosition(m.channel_id, m.seq, m.change);
      // Live events leave out a message's deliveries: the copy we hold keeps them (message:delivery moves them).
      if (prev?.deliveries && m.deliveries === undefined) m = { ...m, deliveries: prev.deliveries };
      if (!prev || m.change >= prev.change) patch.messages = { ...state.messages, [m.id]: m };
      const messages = patch.messages ?? state.messages;
      const seqOf = (id: ID) => messages[id]?.seq ?? 0;

      const window = state.timelines[m.channel_id]?.until;
      if (isVisible(m) && !(window !== undefined && m.seq > window)) {
        const tl = state.timelines[m.channel_id] ?? emptyTimeline();
        const ids = insertBySeq(tl.ids, m.id, seqOf);
        if (ids !== tl.ids || !state.timelines[m.channel_id]) patch.timelines = { ...state.timelines, [m.channel_id]: { ...tl, ids } };
      }
      if (m.parent_id) {
        const th = state.threads[m.parent_id] ?? { ids: [], loaded: false };
        const ids = insertBySeq(th.ids, m.id, seqOf);
        if (ids !== th.ids) patch.threads = { ...state.threads, [m.parent_id]: { ...th, ids } };
      }
      // Our own message: it replaces the optimistic copy with the same client_msg_id.
      if (m.client_msg_id && m.author.id === myId() && state.pending.some((p) => p.client_msg_id === m.client_msg_id)) {
        patch.pending = state.pending.filter((p) => p.client_msg_id !== m.client_msg_id);
      }
      // An author we do not know yet (joined after the page loaded): the message carries name and picture.
      if (m.author.kind === "user" && !state.members[m.author.id]) {
        patch.members = placeholderMember(state.members, m.author);
      }
      const ch = state.channels[m.channel_id];
      const chMembers = state.channelMembers[m.channel_id];
      let joinedNow = false;
      if (kind === "new" && m.author.kind === "user" && chMembers && !chMembers.includes(m.author.id) && !m.deleted_at) {
        // Only members post: the list we loaded is out of date.
        patch.channelMembers = { ...state.channelMembers, [m.channel_id]: [...chMembers, m.author.id] };
        joinedNow = true;
      }
      // Reading the channel at its bottom: a live message is read as it arrives, so the divider does not jump
      // above it (unless a divider already marks older unread messages: that one stays where it is).
      const marker = state.readMarkers[m.channel_id];
      if (kind === "new" && !prev && reading === m.channel_id && state.activeChannel === m.channel_id && marker !== undefined && m.seq > marker) {
        const tl = patch.timelines?.[m.channel_id] ?? state.timelines[m.channel_id];
        if (!dividerShown(m.channel_id, marker, messages, tl?.ids ?? [], m.id)) {
          patch.readMarkers = { ...state.readMarkers, [m.channel_id]: m.seq };
        }
      }
      if (ch) {
        let chNext: Channel = ch;
        if (joinedNow) chNext = { ...chNext, member_count: chNext.member_count + 1 };
        if (m.seq > ch.last_seq || m.change > ch.last_change) {
          chNext = { ...chNext, last_seq: Math.max(ch.last_seq, m.seq), last_change: Math.max(ch.last_change, m.change) };
        }
        const me = myId();
        if (ch.is_member && m.author.id === me && m.author.kind === "user") {
          // Posting moves our own cursor: everything up to our message is read (protocol: unread rule 3).
          if (m.seq > chNext.last_read_seq) chNext = { ...chNext, last_read_seq: m.seq, unread_count: 0, mention_count: 0 };
        } else if (kind === "new" && ch.is_member && !prev) {
          const counted = countedThrough.get(m.channel_id) ?? 0;
          if (isVisible(m) && m.seq > chNext.last_read_seq && m.seq > counted && !m.deleted_at) {
            chNext = {
              ...chNext,
              unread_count: chNext.unread_count + 1,
              mention_count: chNext.mention_count + (mentionsMe(m, me) ? 1 : 0),
            };
          }
        }
        if (chNext !== ch) patch.channels = { ...state.channels, [ch.id]: chNext };
      }
      if (Object.keys(patch).length) set(patch);
      return !prev;
    },

    /**
     * Merge a page of history. "latest": the newest page (the timeline becomes loaded); "older": a page before
     * the oldest loaded message; "reset": the newest page after the server said the gap was too big, replacing
     * the timeline.
     */
    receiveHistory(channelId: ID, msgs: Message[], mode: "latest" | "older" | "reset", limit: number) {
      if (mode === "reset") {
        set({ timelines: { ...state.timelines, [channelId]: emptyTimeline() } });
      }
      const win = state.timelines[channelId];
      if (mode === "latest" && win?.until !== undefined && msgs.length && msgs[0].seq <= win.until + 1) {
        // The newest page reaches back into a window opened around an older message: no gap is left.
        const { until: _u, loadingNewer: _l, ...joined } = win;
        set({ timelines: { ...state.timelines, [channelId]: joined } });
      }
      for (const m of msgs) api.receiveMessage(m, "fetched");
      const tl = state.timelines[channelId] ?? emptyTimeline();
      const next: Timeline = { ...tl, loadingOlder: false };
      if (mode === "older") next.hasMore = msgs.length >= limit;
      else {
        next.loaded = true;
        if (!tl.loaded || mode === "reset") next.hasMore = msgs.length >= limit;
      }
      set({ timelines: { ...state.timelines, [channelId]: next } });
    },
    /**
     * A page around a message (GET …/messages?around=seq&limit=…: up to limit/2 before seq, the rest from it on),
     * to show that message. Merged into the timeline when the two meet (no gap); otherwise the timeline becomes a
     * window around the message, running to `until` (unless the page reached the newest message).
     */
    receiveAround(channelId: ID, msgs: Message[], seq: number, limit: number) {
      const { visible, reachedOldest, reachedNewest, newest } = aroundPage(msgs, seq, limit);
      const tl = state.timelines[channelId];
      const first = tl?.ids.length ? state.messages[tl.ids[0]]?.seq : undefined;
      const meets = !!tl?.loaded && tl.until === undefined && (reachedNewest || first === undefined || newest >= first);
      if (meets) {
        for (const m of msgs) api.receiveMessage(m, "fetched");
        const cur = state.timelines[channelId]!;
        const older = first === undefined || (visible.length > 0 && visible[0].seq < first);
        set({ timelines: { ...state.timelines, [channelId]: { ...cur, hasMore: older ? !reachedOldest : cur.hasMore } } });
        return;
      }
      const win: Timeline = { ids: [], loaded: true, hasMore: !reachedOldest, loadingOlder: false };
      if (!reachedNewest) win.until = newest;
      set({ timelines: { ...state.timelines, [channelId]: win } });
      for (const m of msgs) api.receiveMessage(m, "fetched");
    },
    /** A page after the newest message of a window (GET …?after=until): the window grows, or meets the newest. */
    receiveNewer(channelId: ID, msgs: Message[], limit: number) {
      const tl = state.timelines[channelId];
      if (!tl || tl.until === undefined) return;
      const visible = msgs.filter(isVisible);
      const next: Timeline = { ...tl, loadingNewer: false };
      if (visible.length < limit) delete next.until;
      else next.until = Math.max(tl.until, visible[visible.length - 1].seq);
      set({ timelines: { ...state.timelines, [channelId]: next } });
      for (const m of msgs) api.receiveMessage(m, "fetched");
      // Messages that arrived live while the window was open are in `messages` already: bring them in too.
      if (next.until === undefined) {
        const cur = state.timelines[channelId]!;
        let ids = cur.ids;
        const seqOf = (id: ID) => state.messages[id]?.seq ?? 0;
        const from = ids.length ? seqOf(ids[0]) : 0;
        for (const m of Object.values(state.messages)) if (m.channel_id === channelId && isVisible(m) && m.seq > from) ids = insertBySeq(ids, m.id, seqOf);
        if (ids !== cur.ids) set({ timelines: { ...state.timelines, [channelId]: { ...cur, ids } } });
      }
    },
    setLoadingNewer(channelId: ID, loadingNewer: boolean) {
      const tl = state.timelines[channelId];
      if (tl) set({ timelines: { ...state.timelines, [channelId]: { ...tl, loadingNewer } } });
    },
    setLoadingOlder(channelId: ID, loadingOlder: boolean) {
      const tl = state.timelines[channelId] ?? emptyTimeline();
      set({ timelines: { ...state.timelines, [channelId]: { ...tl, loadingOlder } } });
    },
    /** Forget a channel's timeline (we stop following its topic, or the server reset it): reload when viewed. */
    unloadTimeline(channelId: ID) {
      if (!state.timelines[channelId]) return;
      set({ timelines: { ...state.timelines, [channelId]: emptyTimeline() } });
    },
    receiveReplies(parentId: ID, msgs: Message[]) {
      for (const m of msgs) api.receiveMessage(m, "fetched");
      const th = state.threads[parentId] ?? { ids: [], loaded: false };
      set({ threads: { ...state.threads, [parentId]: { ...th, loaded: true } } });
    },

    /** message:delivery: how a message's trip outside went (a message we do not hold gets it when fetched). */
    applyDeliveries(e: DeliveryEvent) {
      const m = state.messages[e.message_id];
      if (!m) return;
      set({ messages: { ...state.messages, [m.id]: { ...m, deliveries: e.deliveries ?? [] } } });
    },

    // --- connectors ---
    setConnectors(list: ConnectorInfo[]) {
      const connectors: Record<ID, ConnectorInfo> = {};
      for (const c of list) connectors[c.id] = c;
      set({ connectors });
    },
    /** A connector as the server answered (created, fetched, changed): it replaces what we knew. */
    upsertConnector(c: ConnectorInfo) {
      set({ connectors: { ...(state.connectors ?? {}), [c.id]: c } });
    },
    connectorUpdated(e: ConnectorSummary) {
      if (!state.connectors) return; // not loaded yet: the list, when it comes, has it
      set({ connectors: { ...state.connectors, [e.id]: mergeConnector(state.connectors[e.id], e) } });
    },
    connectorDeleted(id: ID) {
      if (!state.connectors?.[id]) return;
      const { [id]: _gone, ...connectors } = state.connectors;
      set({ connectors });
    },

    // --- optimistic sends ---
    addPending(p: Omit<Pending, "state" | "created_at">): Pending {
      const full: Pending = { ...p, state: "pending", created_at: new Date().toISOString() };
      set({ pending: [...state.pending.filter((x) => x.client_msg_id !== p.client_msg_id), full] });
      return full;
    },
    setPendingState(clientMsgId: string, st: "pending" | "failed", error?: string, resend?: boolean) {
      if (!state.pending.some((p) => p.client_msg_id === clientMsgId)) return;
      set({ pending: state.pending.map((p) => (p.client_msg_id === clientMsgId ? { ...p, state: st, error, resend } : p)) });
    },
    removePending(clientMsgId: string) {
      set({ pending: state.pending.filter((p) => p.client_msg_id !== clientMsgId) });
    },
    /** Whether a message with this client_msg_id from us is already stored (the send completed). */
    hasSent(channelId: ID, clientMsgId: string): boolean {
      const me = myId();
      const tl = state.timelines[channelId];
      return !!tl && tl.ids.some((id) => state.messages[id]?.client_msg_id === clientMsgId && state.messages[id]?.author.id === me);
    },

    // --- members ---
    /** The workspace's member list (GET /members): replaces what we knew, placeholders included. */
    setMembers(list: Member[]) {
      const members: Record<ID, Member> = {};
      // Keep people we know only from messages or channels (e.g. a list that failed to load for a customer).
      for (const [id, m] of Object.entries(state.members)) if (!m.joined_at) members[id] = m;
      for (const m of list) members[m.user.id] = m;
      set({ members });
    },
    /** The member of a channel (GET /channels/{id}/members): authoritative for its member count too. */
    setChannelMembers(channelId: ID, users: User[]) {
      let members = { ...state.members };
      for (const u of users) {
        if (members[u.id]) members[u.id] = { ...members[u.id], user: { ...members[u.id].user, ...u } };
        else members = placeholderMember(members, u);
      }
      set({ channelMembers: { ...state.channelMembers, [channelId]: users.map((u) => u.id) }, members });
      const ch = state.channels[channelId];
      if (ch && ch.member_count !== users.length) patchChannel(channelId, { member_count: users.length });
    },
    /** Call fn with each user id met that is not a known member (to fetch the member list again). */
    setUnknownMemberHandler(fn: ((id: ID) => void) | null) {
      onUnknownMember = fn;
    },
    /** member:updated on the workspace topic: a new name or picture. */
    memberUpdated(e: { user_id: ID; display_name: string; avatar_url: string }) {
      const m = state.members[e.user_id];
      const patch: Partial<State> = {};
      if (m) patch.members = { ...state.members, [e.user_id]: { ...m, user: { ...m.user, display_name: e.display_name, avatar_url: e.avatar_url } } };
      else patch.members = placeholderMember(state.members, { id: e.user_id, display_name: e.display_name, avatar_url: e.avatar_url });
      if (state.me && state.me.user.id === e.user_id) patch.me = { ...state.me, user: { ...state.me.user, display_name: e.display_name, avatar_url: e.avatar_url } };
      set(patch);
    },
    /**
     * member:role_changed on the workspace topic (or a fresh /auth/me): a member's new role and desk access. When it is
     * you, your membership changes at once, so navigation (Inbox, Dashboard, settings) follows without a reload.
     */
    memberRoleChanged(e: MemberRoleChangedEvent) {
      const m = state.members[e.user_id];
      const patch: Partial<State> = {};
      if (m) patch.members = { ...state.members, [e.user_id]: { ...m, role: e.role, desk: e.desk } };
      const mine = state.me?.membership;
      if (state.me && mine && state.me.user.id === e.user_id && (mine.role !== e.role || !!mine.desk !== e.desk)) {
        patch.me = { ...state.me, membership: { ...mine, role: e.role, desk: e.desk } };
      }
      if (patch.members || patch.me) set(patch);
    },
    /** member:added on the workspace topic: a new member, known at once with their role. */
    memberAdded(e: MemberAddedEvent) {
      const m = state.members[e.user_id];
      const user: User = m
        ? { ...m.user, display_name: e.display_name, avatar_url: e.avatar_url }
        : { id: e.user_id, email: "", created_at: "", display_name: e.display_name, avatar_url: e.avatar_url };
      set({ members: { ...state.members, [e.user_id]: { user, role: e.role, joined_at: m?.joined_at || new Date().toISOString() } } });
    },
    /** member:removed on the workspace topic: gone from the workspace, so from every channel's member list too. */
    memberRemoved(e: MemberRemovedEvent) {
      if (!state.members[e.user_id]) return;
      const { [e.user_id]: _gone, ...members } = state.members;
      const channelMembers = { ...state.channelMembers };
      let channels = state.channels;
      for (const [cid, ids] of Object.entries(state.channelMembers)) {
        if (!ids.includes(e.user_id)) continue;
        channelMembers[cid] = ids.filter((i) => i !== e.user_id);
        const ch = channels[cid];
        if (ch) channels = { ...channels, [cid]: { ...ch, member_count: Math.max(0, ch.member_count - 1) } };
      }
      set({ members, channelMembers, channels });
    },
    memberJoined(e: MemberEvent) {
      const ids = state.channelMembers[e.channel_id];
      const known = state.members[e.user.id];
      const members = known
        ? { ...state.members, [e.user.id]: { ...known, user: { ...known.user, ...e.user } } }
        : { ...state.members, [e.user.id]: { user: e.user, role: "member" as const, joined_at: "" } };
      if (!known) placeholderMember(state.members, e.user); // fetch the role and the rest
      const patch: Partial<State> = { members };
      const isNew = !ids || !ids.includes(e.user.id);
      if (ids && isNew) patch.channelMembers = { ...state.channelMembers, [e.channel_id]: [...ids, e.user.id] };
      set(patch);
      const ch = state.channels[e.channel_id];
      if (ch && isNew) patchChannel(ch.id, { member_count: ch.member_count + 1 });
    },
    memberLeft(e: MemberEvent) {
      const ids = state.channelMembers[e.channel_id];
      const ch = state.channels[e.channel_id];
      if (ids?.includes(e.user.id)) {
        set({ channelMembers: { ...state.channelMembers, [e.channel_id]: ids.filter((i) => i !== e.user.id) } });
        if (ch) patchChannel(ch.id, { member_count: Math.max(0, ch.member_count - 1) });
      }
    },

    // --- presence, status, typing ---
    setPresence(list: { userId: ID; presence: Presence; text: string; emoji: string; name?: string }[]) {
      const presence: Record<ID, PersonStatus> = {};
      // Everyone not in the presence list is offline but keeps a custom status we know of.
      for (const [id, p] of Object.entries(state.presence)) presence[id] = { ...p, presence: "offline" };
      let members = state.members;
      for (const p of list) {
        presence[p.userId] = { presence: p.presence, text: p.text, emoji: p.emoji };
        // Someone online we have never heard of joined the workspace after the page loaded.
        if (!members[p.userId] && p.name) members = placeholderMember(members, { id: p.userId, display_name: p.name, avatar_url: "" });
      }
      set(members === state.members ? { presence } : { presence, members });
    },
    setStatus(e: StatusEvent) {
      const cur = state.presence[e.user_id];
      const live = cur && cur.presence !== "offline";
      set({
        presence: {
          ...state.presence,
          [e.user_id]: { presence: live ? e.presence : cur?.presence ?? "offline", text: e.text, emoji: e.emoji },
        },
      });
    },
    typingStarted(e: TypingEvent, now = Date.now()) {
      if (e.user_id === myId()) return;
      const list = (state.typing[e.channel_id] ?? []).filter((t) => !(t.user_id === e.user_id && t.parent_id === e.parent_id) && t.until > now);
      list.push({ user_id: e.user_id, name: e.display_name, parent_id: e.parent_id ?? null, until: now + (e.expires_in_ms || 5000) });
      set({ typing: { ...state.typing, [e.channel_id]: list } });
    },
    /** Someone who posted stopped typing; and expired notices go. */
    typingStopped(channelId: ID, userId: ID) {
      const list = state.typing[channelId];
      if (list?.some((t) => t.user_id === userId)) set({ typing: { ...state.typing, [channelId]: list.filter((t) => t.user_id !== userId) } });
    },
    pruneTyping(now = Date.now()) {
      let changed = false;
      const typing: Record<ID, TypingEntry[]> = {};
      for (const [k, list] of Object.entries(state.typing)) {
        const kept = list.filter((t) => t.until > now);
        if (kept.length !== list.length) changed = true;
        if (kept.length) typing[k] = kept;
      }
      if (changed) set({ typing });
    },

    // --- UI ---
    setActiveChannel(id: ID | null) {
      if (id === state.activeChannel) return;
      const patch: Partial<State> = { activeChannel: id, drawerOpen: false, editing: null };
      // Leaving a window around an older message (a search result): next time the channel opens at its newest.
      const left = state.activeChannel;
      if (left && state.timelines[left]?.until !== undefined) patch.timelines = { ...state.timelines, [left]: emptyTimeline() };
      if (id) {
        // Unread messages: the divider goes before the first of them, and stays while the channel is open.
        // Nothing unread: no divider now (past the newest message we know of, read or not counted).
        const ch = state.channels[id];
        const tl = state.timelines[id];
        const newest = tl?.ids.length ? state.messages[tl.ids[tl.ids.length - 1]]?.seq ?? 0 : 0;
        const marker = !ch ? Number.MAX_SAFE_INTEGER
          : ch.is_member && ch.unread_count > 0 ? ch.last_read_seq
          : Math.max(ch.last_read_seq, ch.last_seq, newest);
        patch.readMarkers = { ...state.readMarkers, [id]: marker };
      }
      if (reading && reading !== id) reading = null;
      set(patch);
    },
    /** The view says whether the user is reading `channelId` at its bottom in a visible page. */
    setReading(channelId: ID, on: boolean) {
      if (on) reading = channelId;
      else if (reading === channelId) reading = null;
    },
    setHighlight(h: { channelId: ID; messageId: ID } | null) {
      if (!h) {
        if (state.highlight) set({ highlight: null });
        return;
      }
      set({ highlight: { channelId: h.channelId, messageId: h.messageId, n: ++highlights } });
    },
    /** Move the "New messages" divider (e.g. once the user has read everything and left the channel). */
    setReadMarker(channelId: ID, seq: number) {
      set({ readMarkers: { ...state.readMarkers, [channelId]: seq } });
    },
    setEditing: (editing: ID | null) => set({ editing }),
    setRightPanel: (rightPanel: RightPanel) => set({ rightPanel }),
    setSearch: (search: SearchState | null) => set({ search }),
    /** Patch the search on screen, only if it is still search number `gen`. */
    patchSearch(gen: number, patch: Partial<SearchState>) {
      if (state.search?.gen === gen) set({ search: { ...state.search, ...patch } });
    },
    focusSearch: () => set({ searchFocus: state.searchFocus + 1 }),
    setDrawer: (drawerOpen: boolean) => set({ drawerOpen }),
    openDialog: (dialog: Dialog | null) => set({ dialog }),
    setTheme(theme: ThemeChoice) {
      try {
        localStorage.setItem("relay.theme", theme);
      } catch {
        /* private mode */
      }
      set({ theme });
    },
    /** Forget everything (sign-out). */
    reset() {
      positions.clear();
      countedThrough.clear();
      reading = null;
      set({ ...initialState() });
    },
  };
  return api;
}

export const store = createStore();

/** Subscribe a component to a slice of the store; re-renders when the selected value changes (by ===). */
export function useStore<T>(selector: (s: State) => T): T {
  const [, force] = useReducer((n: number) => n + 1, 0);
  const sel = useRef(selector);
  sel.current = selector;
  const value = selector(store.get());
  const last = useRef(value);
  last.current = value;
  useEffect(() => {
    const check = () => {
      const next = sel.current(store.get());
      if (!Object.is(next, last.current)) force(0);
    };
    const unsub = store.subscribe(check);
    check();
    return unsub;
  }, []);
  return value;
}

// --- drafts: per channel (and thread), in localStorage so they survive a reload ---
const draftKey = (channelId: ID, parentId?: ID | null) => `relay.draft.${channelId}${parentId ? "." + parentId : ""}`;
export function loadDraft(channelId: ID, parentId?: ID | null): string {
  try {
    return localStorage.getItem(draftKey(channelId, parentId)) ?? "";
  } catch {
    return "";
  }
}
export function saveDraft(channelId: ID, parentId: ID | null | undefined, text: string): void {
  try {
    if (text.trim()) localStorage.setItem(draftKey(channelId, parentId), text);
    else localStorage.removeItem(draftKey(channelId, parentId));
  } catch {
    /* storage full or disabled: drafts are a convenience */
  }
}

// --- derived views ---
export function channelLabel(ch: Channel, s: Pick<State, "members" | "me">): string {
  if (ch.kind !== "dm") return ch.name;
  const me = s.me?.user.id;
  const others = (ch.dm_user_ids ?? []).filter((id) => id !== me);
  if (!others.length) return (s.me?.user.display_name ?? "You") + " (you)";
  return others.map((id) => s.members[id]?.user.display_name ?? "Someone").join(", ");
}

export function displayName(s: Pick<State, "members">, id: ID): string {
  return s.members[id]?.user.display_name ?? "Someone";
}

/** Unread mentions for the title and favicon: mentions everywhere plus unread DMs. */
export function badgeCount(s: Pick<State, "channels">): number {
  let n = 0;
  for (const ch of Object.values(s.channels)) {
    if (!ch.is_member) continue;
    n += ch.kind === "dm" ? Math.max(ch.unread_count, ch.mention_count) : ch.mention_count;
  }
  return n;
}
