// What the screens do: each action talks to the API or the socket and records the outcome in the store.
// Pages, settings and dialogs call these rather than api.* when the store must follow.
import { api, ApiError } from "./api";
import { deskApi } from "./desk/api";
import { startFirstRun } from "./firstrun";
import { channelPath, matchRoute, messagePath, navigate } from "./router";
import { rememberSearch, searchApi, type SearchHit, type SearchKind, type SearchSort } from "./search";
import { applyMembership, connectSocket, disconnectSocket, follow, followChannels, isFollowing, pushActivity, pushOn, setSocketHooks, unfollow } from "./socket";
import { store } from "./store";
import type { Channel, ChannelKind, ID, Message, Presence, Status } from "./types";

export const PAGE = 50;
const LAST_CHANNEL_KEY = "relay.lastChannel";
let started = false;
let listening = false;

/** Load what the workspace needs and connect the socket (idempotent). Call once the user is known. */
export async function startWorkspace(): Promise<void> {
  const me = store.get().me;
  if (!me || started) return;
  started = true;
  setSocketHooks({
    onChannelReset: (id) => {
      if (store.get().activeChannel === id) void loadLatest(id);
    },
    onReconnect: () => {
      void refreshChannels();
      void refreshMyMembership();
      resendFailed();
    },
  });
  store.setUnknownMemberHandler(() => refreshMembersSoon());
  try {
    const [channels, members] = await Promise.all([
      api.channels(),
      me.membership.role === "customer" ? Promise.resolve([]) : api.members().catch(() => []),
    ]);
    store.setChannels(channels);
    store.setMembers(members);
    startFirstRun(store.get()); // a brand-new workspace: the owner's checklist (chat/FirstRun.tsx)
  } catch {
    started = false; // the AuthGate's 401 handler or the next mount tries again
    return;
  }
  connectSocket(me);
  followChannels();
  if (listening) return;
  listening = true;
  const refresh = () => {
    if (document.visibilityState === "visible" && started) void refreshChannels();
  };
  window.addEventListener("focus", refresh);
  window.addEventListener("online", () => resendFailed());
  setInterval(refresh, 120_000);
  let lastActivity = 0;
  const active = () => {
    const now = Date.now();
    if (now - lastActivity > 60_000) {
      lastActivity = now;
      pushActivity();
    }
  };
  for (const ev of ["keydown", "pointerdown", "focus"]) window.addEventListener(ev, active, { passive: true });
  setInterval(() => store.pruneTyping(), 1000);
}

/**
 * After a reconnect, take the role the server has now: a role change closes the socket, and the event that says so
 * (member:role_changed) reaches staff only, so a customer made a member learns it here.
 */
async function refreshMyMembership(): Promise<void> {
  const fresh = await api.me().catch(() => null);
  if (fresh) applyMembership({ user_id: fresh.user.id, role: fresh.membership.role, desk: !!fresh.membership.desk });
}

let membersTimer: ReturnType<typeof setTimeout> | null = null;
let membersFetchedAt = 0;
/**
 * Someone we do not know showed up (a new member's message, presence or channel membership): re-read the member
 * list, at most every 5 s, so names, pictures and roles appear without a reload.
 */
export function refreshMembersSoon(): void {
  const me = store.get().me;
  if (!me || me.membership.role === "customer" || membersTimer) return;
  const wait = Math.max(200, membersFetchedAt + 5000 - Date.now());
  membersTimer = setTimeout(() => {
    membersTimer = null;
    membersFetchedAt = Date.now();
    api.members().then((list) => store.setMembers(list), () => {});
  }, wait);
}

/** Re-read the channel list (counts for channels whose topics we do not follow, and after a reconnect). */
export async function refreshChannels(): Promise<void> {
  try {
    store.setChannels(await api.channels());
    followChannels();
  } catch {
    /* offline: the next focus tries again */
  }
}

/** The channel to open at /: the last one viewed, else #general, else the first. */
export function homeChannel(): ID | null {
  const { channels } = store.get();
  let last: string | null = null;
  try {
    last = localStorage.getItem(LAST_CHANNEL_KEY);
  } catch {
    /* ignore */
  }
  if (last && channels[last]?.is_member) return last;
  const list = Object.values(channels).filter((c) => c.is_member);
  return (list.find((c) => c.name === "general") ?? list.find((c) => c.kind !== "dm") ?? list[0])?.id ?? null;
}

export function openChannel(id: ID, threadId?: ID): void {
  navigate(channelPath(id, threadId));
}

/** The channel on screen changed: follow its topic, load its newest page if needed. */
export async function viewChannel(id: ID): Promise<void> {
  store.setActiveChannel(id);
  try {
    localStorage.setItem(LAST_CHANNEL_KEY, id);
  } catch {
    /* ignore */
  }
  if (!store.get().channels[id]) {
    try {
      store.upsertChannel(await api.channel(id), true); // a public channel we are not in: a preview
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) {
        navigate("/", { replace: true });
        return;
      }
    }
  }
  followChannels();
  await follow(id); // join first, then load: nothing can fall between the two
  if (!store.get().timelines[id]?.loaded) await loadLatest(id);
}

export async function loadLatest(id: ID): Promise<void> {
  try {
    const msgs = await api.messages(id, { limit: PAGE });
    // Live events collected before this page overlap it or follow it, so a plain merge leaves no gap.
    store.receiveHistory(id, msgs, "latest", PAGE);
  } catch {
    /* shown as an empty channel; the next view retries */
  }
}

export async function loadOlder(id: ID, limit = PAGE): Promise<void> {
  const st = store.get();
  const tl = st.timelines[id];
  if (!tl || !tl.loaded || !tl.hasMore || tl.loadingOlder) return;
  const oldest = tl.ids.length ? st.messages[tl.ids[0]].seq : undefined;
  store.setLoadingOlder(id, true);
  try {
    const msgs = await api.messages(id, { before: oldest, limit });
    store.receiveHistory(id, msgs, "older", limit);
  } catch {
    store.setLoadingOlder(id, false);
  }
}

/**
 * Open a message link (?message=<id>): make sure the message is loaded, then scroll to it and highlight it. The
 * timeline runs without gaps from its oldest loaded message to the newest, so an older message is reached by
 * loading the pages between (the seq of a message is not in its link, so `around=` cannot be asked directly).
 * Thread replies show in the thread panel, which loads all of them.
 */
export async function revealMessage(channelId: ID, messageId: ID, inThread = false): Promise<boolean> {
  const have = () => {
    const st = store.get();
    const m = st.messages[messageId];
    if (inThread) return !!m;
    return !!m && !!st.timelines[channelId]?.ids.includes(messageId);
  };
  for (let i = 0; i < 30 && !have(); i++) {
    const tl = store.get().timelines[channelId];
    if (inThread || !tl?.loaded) {
      await new Promise((r) => setTimeout(r, 100)); // the view is still loading the newest page or the thread
      continue;
    }
    if (!tl.hasMore) break;
    if (tl.loadingOlder) {
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    await loadOlder(channelId, 200);
  }
  if (!have()) return false;
  store.setHighlight({ channelId, messageId });
  const n = store.get().highlight?.n;
  setTimeout(() => {
    if (store.get().highlight?.n === n) store.setHighlight(null); // unless another has come since
  }, 4000);
  return true;
}

/** A page around a message when the search jumps to it (up to AROUND/2 before it, the rest after). */
export const AROUND = 100;

/**
 * Jump to a message found by search: load one page around it (`around=seq`, no paging from the newest), then open
 * its channel with ?message=, which highlights it (revealMessage). A thread reply opens its thread, the reply
 * highlighted there, with the channel around the thread's root when its seq is known.
 */
export async function jumpToMessage(m: Pick<Message, "id" | "channel_id" | "seq" | "parent_id">, parentSeq?: number): Promise<void> {
  const st = store.get();
  const anchor = m.parent_id ? parentSeq : m.seq;
  const anchorId = m.parent_id ?? m.id;
  if (anchor !== undefined && !st.timelines[m.channel_id]?.ids.includes(anchorId)) {
    try {
      store.receiveAround(m.channel_id, await api.messages(m.channel_id, { around: anchor, limit: AROUND }), anchor, AROUND);
    } catch {
      /* revealMessage pages from the newest instead */
    }
  }
  const to = messagePath(m.channel_id, m.id, m.parent_id);
  if (location.pathname + location.search === to) void revealMessage(m.channel_id, m.id, !!m.parent_id);
  else navigate(to);
}

/** Load the messages after a window opened around an older message (scrolling down towards the newest). */
export async function loadNewer(id: ID, limit = PAGE): Promise<void> {
  const tl = store.get().timelines[id];
  if (!tl || tl.until === undefined || tl.loadingNewer) return;
  store.setLoadingNewer(id, true);
  try {
    store.receiveNewer(id, await api.messages(id, { after: tl.until, limit }), limit);
  } catch {
    store.setLoadingNewer(id, false);
  }
}

/** "Jump to latest" from a window around an older message: the newest page replaces it. */
export async function jumpToLatest(id: ID): Promise<void> {
  try {
    store.receiveHistory(id, await api.messages(id, { limit: PAGE }), "reset", PAGE);
  } catch {
    /* offline: the window stays */
  }
}

// --- search ---
const SEARCH_PAGE = 20;

/**
 * Run a search into the store (the right panel shows it): remembered among the recent searches, a newer search
 * or tab drops the answer of an older one. Errors (a 400 names what is wrong with the query) go in `error`.
 */
export async function runSearch(q: string, opt: { kind?: SearchKind; sort?: SearchSort; remember?: boolean } = {}): Promise<void> {
  const text = q.trim();
  if (!text) return;
  const prev = store.get().search;
  const kind = opt.kind ?? prev?.kind ?? "messages";
  const sort = opt.sort ?? prev?.sort ?? "relevance";
  const gen = (prev?.gen ?? 0) + 1;
  if (opt.remember !== false) rememberSearch(store.get().workspace?.id, text);
  store.setSearch({
    q: text, kind, sort, status: "loading", total: 0, totalExact: true, cursor: "", filters: prev?.q === text ? prev.filters : [], terms: [],
    results: [], loadingMore: false, gen,
  });
  store.setRightPanel("search");
  // An open thread holds the right side (the route names it): close it so the results show there.
  const route = matchRoute("workspace", location.pathname);
  if (route.name === "channel" && route.threadId) navigate(channelPath(route.channelId));
  try {
    const r = await searchApi.search({ q: text, kind, sort, limit: SEARCH_PAGE });
    store.patchSearch(gen, {
      status: "ready", total: r.total, totalExact: r.total_exact, cursor: r.next_cursor ?? "", filters: r.filters ?? [], terms: r.terms ?? [],
      results: r.results ?? [],
    });
  } catch (e) {
    store.patchSearch(gen, { status: "error", error: e instanceof Error ? e.message : "Search failed." });
  }
}

/** A search from outside a conversation (the quick switcher on the desk or settings): open one to show it beside. */
export function searchFromAnywhere(q: string): void {
  if (!store.get().activeChannel) {
    const home = homeChannel();
    if (home) openChannel(home);
  }
  void runSearch(q);
}

/** The next page of the search on screen ("Load more"). */
export async function loadMoreResults(): Promise<void> {
  const s = store.get().search;
  if (!s || s.status !== "ready" || !s.cursor || s.loadingMore) return;
  store.patchSearch(s.gen, { loadingMore: true });
  try {
    const r = await searchApi.search({ q: s.q, kind: s.kind, sort: s.sort, limit: SEARCH_PAGE, cursor: s.cursor });
    const cur = store.get().search;
    if (cur?.gen !== s.gen) return;
    store.patchSearch(s.gen, { results: [...cur.results, ...(r.results ?? [])], cursor: r.next_cursor ?? "", loadingMore: false, total: r.total, totalExact: r.total_exact });
  } catch (e) {
    store.patchSearch(s.gen, { loadingMore: false, error: e instanceof Error ? e.message : "Search failed." });
  }
}

/** What a result opens: its message (jump), channel, person (their DM) or ticket (the desk's view). */
export async function openResult(hit: SearchHit): Promise<void> {
  if ("message" in hit) return jumpToMessage(hit.message, hit.parent?.seq);
  if ("channel" in hit) return openChannel(hit.channel.id);
  if ("user" in hit) {
    const ch = await openDM([hit.user.id]);
    return openChannel(ch.id);
  }
  if ("ticket" in hit) navigate(`/desk/tickets/${hit.ticket.id}`);
}

export async function loadThread(parentId: ID, channelId: ID): Promise<void> {
  try {
    const replies = await api.replies(parentId);
    store.receiveReplies(parentId, replies);
    // A deep link to a thread whose parent is not loaded: the parent is older than its first reply.
    if (!store.get().messages[parentId]) {
      const before = replies.length ? replies[0].seq : undefined;
      for (const m of await api.messages(channelId, { before, limit: 200 })) store.receiveMessage(m, "fetched");
    }
  } catch {
    /* the panel shows what it has */
  }
}

// --- sending ---
function newClientMsgId(): string {
  return typeof crypto !== "undefined" && "randomUUID" in crypto ? crypto.randomUUID() : "m-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
}

/** Send optimistically: a pending copy shows at once; the server's message replaces it (by client_msg_id). */
export function sendMessage(channelId: ID, body: string, parentId: ID | null = null, broadcast = false): void {
  // Sending ends the typing notice for the others (they drop it on our message): whatever is typed next is
  // announced at once, and a notice still waiting for the server's throttle is not sent after the message.
  typingSent.delete(typingKey(channelId, parentId));
  const later = typingLater.get(channelId);
  if (later) {
    clearTimeout(later);
    typingLater.delete(channelId);
  }
  const p = store.addPending({ client_msg_id: newClientMsgId(), channel_id: channelId, parent_id: parentId, broadcast, body });
  queueSend(p.client_msg_id);
}

/**
 * A ticket's reply (or, internal, its note), sent like a channel message: a pending copy in the ticket's stream,
 * replaced by the server's when it comes back. Resolves once it is sent or has failed.
 */
export function sendTicketMessage(t: { id: ID; channel_id?: ID; notes_channel_id?: ID | null }, body: string, internal: boolean): Promise<void> {
  const channelId = internal ? t.notes_channel_id : t.channel_id;
  if (!channelId) return Promise.resolve();
  const p = store.addPending({ client_msg_id: newClientMsgId(), channel_id: channelId, parent_id: null, broadcast: false, body, ticket_id: t.id, internal: internal || undefined });
  return queueSend(p.client_msg_id);
}

export function retrySend(clientMsgId: string): void {
  store.setPendingState(clientMsgId, "pending");
  void queueSend(clientMsgId);
}

export function discardSend(clientMsgId: string): void {
  store.removePending(clientMsgId);
}

/**
 * Send again, in the order they were written, what failed for want of a connection (the socket is back, or the
 * browser is online again). The same client_msg_id makes the server keep one copy, whatever got through before.
 */
export function resendFailed(): void {
  for (const p of store.get().pending) {
    if (p.state !== "failed" || !p.resend) continue;
    store.setPendingState(p.client_msg_id, "pending");
    void queueSend(p.client_msg_id);
  }
}

/**
 * Sends go out one at a time per conversation, so they reach the server in the order they were written. A new
 * message behind one that failed for want of a connection takes that one along first (else it would overtake it).
 */
const sendQueues = new Map<ID, Promise<void>>();
function queueSend(clientMsgId: string): Promise<void> {
  const { pending } = store.get();
  const mine = pending.findIndex((x) => x.client_msg_id === clientMsgId);
  if (mine < 0) return Promise.resolve();
  const p = pending[mine];
  const ids: string[] = [];
  pending.forEach((x, i) => {
    if (i < mine && x.channel_id === p.channel_id && x.state === "failed" && x.resend) {
      store.setPendingState(x.client_msg_id, "pending");
      ids.push(x.client_msg_id);
    }
  });
  ids.push(clientMsgId);
  let chain = sendQueues.get(p.channel_id) ?? Promise.resolve();
  for (const id of ids) chain = chain.then(() => deliver(id));
  sendQueues.set(p.channel_id, chain);
  void chain.then(() => {
    if (sendQueues.get(p.channel_id) === chain) sendQueues.delete(p.channel_id);
  });
  return chain;
}

/** What a failed send says (the server's words are meant for people; a 429 adds how long to wait). */
function sendError(e: unknown): string {
  if (e instanceof ApiError && e.status === 429 && e.retryAfter) return `${e.message} Try again in ${e.retryAfter} s.`;
  return e instanceof Error ? e.message : "Could not send";
}

/** Whether a failed send failed for want of a connection (sent again on reconnect), not because it was refused. */
function offlineFailure(e: unknown): boolean {
  return e instanceof ApiError && e.status === 0 && e.code === "network";
}

async function deliver(clientMsgId: string): Promise<void> {
  const p = store.get().pending.find((x) => x.client_msg_id === clientMsgId);
  if (!p || p.state !== "pending") return;
  try {
    let m: Message;
    if (p.ticket_id) {
      m = await deskApi.postMessage(p.ticket_id, { body: p.body, internal: p.internal || undefined, client_msg_id: p.client_msg_id });
      if (p.internal && !m.internal) m = { ...m, internal: true };
    } else {
      const payload: { body: string; client_msg_id: string; parent_id?: ID; broadcast?: boolean } = { body: p.body, client_msg_id: p.client_msg_id };
      if (p.parent_id) payload.parent_id = p.parent_id;
      if (p.parent_id && p.broadcast) payload.broadcast = true;
      if (isFollowing(p.channel_id)) {
        try {
          m = (await pushOn<{ message: Message }>(p.channel_id, "message:send", payload)).message;
        } catch (e) {
          const err = e as { reason?: string; code?: string };
          if (err.code) throw new ApiError(0, err.code, err.reason ?? "Could not send");
          // Timeout or the topic dropped: the same client_msg_id over HTTP never posts twice.
          m = await api.postMessage(p.channel_id, payload);
        }
      } else {
        m = await api.postMessage(p.channel_id, payload);
      }
    }
    store.receiveMessage(m, "fetched");
    store.removePending(clientMsgId);
  } catch (e) {
    store.setPendingState(clientMsgId, "failed", sendError(e), offlineFailure(e));
  }
}

/** Conversation (channel, or channel and thread) → when we last announced typing there. */
const typingSent = new Map<string, number>();
/** Channel → when we last pushed typing on its topic (the server relays one per socket and topic per 2 s). */
const typingPushed = new Map<ID, number>();
/** Channel → a typing push waiting for the server's throttle to pass. */
const typingLater = new Map<ID, ReturnType<typeof setTimeout>>();
const TYPING_EVERY = 2500;
const SERVER_TYPING_EVERY = 2000;
const typingKey = (channelId: ID, parentId: ID | null) => channelId + ":" + (parentId ?? "");
/**
 * Tell others we are typing: at most one push per 2.5 s per conversation. Sending a message resets that wait, so
 * typing right after sending is announced at once. The server drops a push that comes within 2 s of the previous
 * one on the same channel topic (a thread's and the channel's composer share it, and so does typing just before
 * sending): such a push is delayed until the server takes it, not lost for a whole 2.5 s round.
 */
export function sendTyping(channelId: ID, parentId: ID | null = null): void {
  const key = typingKey(channelId, parentId);
  const now = Date.now();
  if (now - (typingSent.get(key) ?? 0) < TYPING_EVERY) return;
  typingSent.set(key, now);
  const payload = parentId ? { parent_id: parentId } : {};
  const push = () => {
    typingPushed.set(channelId, Date.now());
    pushOn(channelId, "typing", payload).catch(() => {});
  };
  const wait = (typingPushed.get(channelId) ?? -Infinity) + SERVER_TYPING_EVERY + 50 - now;
  const pending = typingLater.get(channelId);
  if (pending) clearTimeout(pending);
  typingLater.delete(channelId);
  if (wait <= 0) return push();
  typingLater.set(channelId, setTimeout(() => {
    typingLater.delete(channelId);
    push();
  }, wait));
}

// --- message actions ---
export async function editMessage(id: ID, body: string): Promise<void> {
  store.receiveMessage(await api.editMessage(id, body), "fetched");
}

export async function deleteMessage(id: ID): Promise<void> {
  await api.deleteMessage(id);
  const m = store.get().messages[id];
  if (m && !m.deleted_at) store.receiveMessage({ ...m, body: "", deleted_at: new Date().toISOString(), reactions: [], change: m.change }, "fetched");
}

export async function toggleReaction(m: Message, emoji: string): Promise<void> {
  const me = store.get().me?.user.id;
  const mine = m.reactions.some((r) => r.emoji === emoji && me && r.users.includes(me));
  const next = mine ? await api.removeReaction(m.id, emoji) : await api.addReaction(m.id, emoji);
  store.receiveMessage(next, "fetched");
}

// --- read state ---
const readSent = new Map<ID, number>();
/** Move the read cursor to the newest message of the channel (the view calls it when visible at the bottom). */
export function markRead(channelId: ID): void {
  const st = store.get();
  const ch = st.channels[channelId];
  // Only the channel on screen, once viewChannel has placed its "New messages" divider.
  if (!ch?.is_member || st.activeChannel !== channelId) return;
  const tl = st.timelines[channelId];
  const newest = Math.max(ch.last_seq, tl?.ids.length ? st.messages[tl.ids[tl.ids.length - 1]].seq : 0);
  if (newest <= ch.last_read_seq && !ch.unread_count && !ch.mention_count) return;
  if ((readSent.get(channelId) ?? 0) >= newest && !ch.unread_count) return;
  readSent.set(channelId, newest);
  // The "New messages" divider does not move here: it marks what was unread when the channel opened (or what
  // arrived while the page was hidden or scrolled up) for as long as the channel stays open.
  store.markReadLocal(channelId, newest);
  pushOn(channelId, "read", { seq: newest }).catch(() => api.markRead(channelId, newest).catch(() => {}));
}

// --- channels and people ---
export async function createChannel(b: { name: string; kind?: ChannelKind; topic?: string; purpose?: string; user_ids?: ID[] }): Promise<Channel> {
  const ch = await api.createChannel(b);
  store.upsertChannel(ch, true);
  followChannels();
  return ch;
}

export async function joinChannel(id: ID): Promise<Channel> {
  const ch = await api.joinChannel(id);
  store.upsertChannel(ch, true);
  followChannels();
  return ch;
}

export async function leaveChannel(id: ID): Promise<void> {
  await api.leaveChannel(id);
  store.removeChannel(id);
  unfollow(id);
  if (store.get().activeChannel === id) navigate("/");
}

export async function openDM(userIds: ID[]): Promise<Channel> {
  const ch = await api.openDM(userIds);
  store.upsertChannel(ch, true);
  followChannels();
  return ch;
}

export function browseChannels(): Promise<Channel[]> {
  return api.channels({ browse: true });
}

export async function loadChannelMembers(id: ID): Promise<void> {
  try {
    store.setChannelMembers(id, await api.channelMembers(id));
  } catch {
    /* ignore */
  }
}

export async function setMyStatus(b: { presence?: Presence; text?: string; emoji?: string; expires_at?: string | null }): Promise<Status> {
  const st = await api.setStatus(b);
  const me = store.get().me;
  if (me) {
    store.setStatus({ user_id: me.user.id, ...st });
    store.setMe({ ...store.get().me!, status: st });
  }
  return st;
}

export async function signOut(): Promise<void> {
  try {
    await api.logout();
  } finally {
    disconnectSocket();
    started = false;
    store.reset();
    navigate("/login", { replace: true });
  }
}
