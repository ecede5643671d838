// The timeline of a channel (or the replies of a thread): day separators, grouping, the "New messages"
// divider, infinite scroll upwards, pinned to the bottom while you are at the bottom, position kept when
// history is prepended, "Jump to latest", and marking the channel read when you can see its end.
import { Fragment } from "preact";
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { jumpToLatest, loadNewer, loadOlder, markRead } from "../lib/actions";
import { dayKey, dayLabel } from "../lib/format";
import { store, useStore, type Pending } from "../lib/store";
import type { ID, Message } from "../lib/types";
import { MessageItem, PendingItem } from "./Message";
import { Icon } from "./Icons";

const GROUP_MS = 5 * 60 * 1000;

function groupsWith(prev: Message | undefined, m: Message): boolean {
  if (!prev || prev.author.id !== m.author.id || prev.deleted_at || m.author.kind === "system") return false;
  if (dayKey(prev.created_at) !== dayKey(m.created_at)) return false;
  if (prev.source !== m.source) return false;
  return new Date(m.created_at).getTime() - new Date(prev.created_at).getTime() < GROUP_MS && !(prev.reply_count > 0);
}

export function MessageList(p: { channelId: ID; canPost: boolean; header?: preact.ComponentChildren }) {
  const timeline = useStore((s) => s.timelines[p.channelId]);
  const messages = useStore((s) => s.messages);
  const pendingAll = useStore((s) => s.pending);
  const marker = useStore((s) => s.readMarkers[p.channelId]);
  const meId = useStore((s) => s.me?.user.id);
  const highlight = useStore((s) => (s.highlight?.channelId === p.channelId ? s.highlight.messageId : null));
  const highlightKey = useStore((s) => (s.highlight?.channelId === p.channelId ? `${s.highlight.messageId}:${s.highlight.n ?? 0}` : null));
  const ids = timeline?.ids ?? [];
  const list = ids.map((id) => messages[id]).filter(Boolean);
  const pending = pendingAll.filter((x) => x.channel_id === p.channelId && !x.parent_id);

  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const prevHeight = useRef(0);
  const prevFirst = useRef<ID | undefined>(undefined);
  const initialised = useRef(false);
  const shownHighlight = useRef<string | null>(null);
  const [showJump, setShowJump] = useState(false);

  const checkRead = useCallback(() => {
    // A window around an older message (a search result) is not the end of the channel: nothing is read there.
    const reading = atBottom.current && document.visibilityState === "visible" && !!timeline?.loaded && timeline.until === undefined;
    // Live messages arriving while the user reads the bottom of a visible page are read at once: no divider.
    store.setReading(p.channelId, reading);
    if (reading) markRead(p.channelId);
  }, [p.channelId, timeline?.loaded, timeline?.until]);
  useEffect(() => () => store.setReading(p.channelId, false), [p.channelId]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const bottom = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
    atBottom.current = bottom;
    setShowJump(!bottom && el.scrollHeight - el.scrollTop - el.clientHeight > 400);
    if (el.scrollTop < 400) void loadOlder(p.channelId);
    if (el.scrollHeight - el.scrollTop - el.clientHeight < 400) void loadNewer(p.channelId);
    checkRead();
  };

  // After each render: keep the reader where they were (bottom stays bottom; prepends keep the visible message).
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const first = ids[0];
    // A window around an older message replaced what was on screen (a search result in this same channel).
    const windowOpened = timeline?.until !== undefined && prevFirst.current !== undefined && first !== prevFirst.current && !ids.includes(prevFirst.current);
    if (!initialised.current && timeline?.loaded) {
      initialised.current = true;
      // The first screen is usable: history laid out, composer mounted. Measured by web/e2e (docs/perf.md).
      if (typeof performance !== "undefined" && !performance.getEntriesByName("relay:first-screen").length) performance.mark("relay:first-screen");
      const divider = el.querySelector<HTMLElement>("[data-testid=new-divider]");
      if (timeline.until !== undefined) {
        // A window around an older message: start in its middle (the highlight below centres the message).
        el.scrollTop = (el.scrollHeight - el.clientHeight) / 2;
        atBottom.current = false;
      } else if (divider && divider.offsetTop > el.clientHeight / 2) {
        el.scrollTop = divider.offsetTop - 80;
        atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
      } else {
        el.scrollTop = el.scrollHeight;
        atBottom.current = true;
      }
    } else if (windowOpened) {
      el.scrollTop = (el.scrollHeight - el.clientHeight) / 2;
      atBottom.current = false;
      shownHighlight.current = null;
    } else if (atBottom.current && timeline?.until === undefined) {
      el.scrollTop = el.scrollHeight;
    } else if (prevFirst.current && first !== prevFirst.current) {
      el.scrollTop += el.scrollHeight - prevHeight.current;
    }
    // A message link: bring the message to the middle of the list, once (again after the highlight has gone).
    if (!highlightKey) shownHighlight.current = null;
    if (highlight && highlightKey && shownHighlight.current !== highlightKey) {
      const target = el.querySelector<HTMLElement>(`#msg-${CSS.escape(highlight)}`);
      if (target) {
        shownHighlight.current = highlightKey;
        el.scrollTop += target.getBoundingClientRect().top - el.getBoundingClientRect().top - (el.clientHeight - target.offsetHeight) / 2;
        atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
      }
    }
    prevHeight.current = el.scrollHeight;
    prevFirst.current = first;
    // A short channel cannot scroll: keep loading history until it can (or there is no more).
    if (timeline?.loaded && timeline.hasMore && el.scrollHeight <= el.clientHeight + 50) void loadOlder(p.channelId);
    if (timeline?.until !== undefined && el.scrollHeight <= el.clientHeight + 50) void loadNewer(p.channelId);
    checkRead();
  });

  // Images or fonts loading, or the composer growing, change the height: stay pinned if we were.
  useEffect(() => {
    const el = scroller.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    const ro = new ResizeObserver(() => {
      if (atBottom.current) el.scrollTop = el.scrollHeight;
      prevHeight.current = el.scrollHeight;
    });
    ro.observe(el);
    if (el.firstElementChild) ro.observe(el.firstElementChild);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const v = () => checkRead();
    document.addEventListener("visibilitychange", v);
    window.addEventListener("focus", v);
    window.addEventListener("blur", v);
    return () => {
      document.removeEventListener("visibilitychange", v);
      window.removeEventListener("focus", v);
      window.removeEventListener("blur", v);
    };
  }, [checkRead]);

  const jump = async () => {
    const el = scroller.current;
    if (!el) return;
    if (timeline?.until !== undefined) {
      atBottom.current = true;
      await jumpToLatest(p.channelId);
      el.scrollTop = el.scrollHeight;
    }
    el.scrollTo({ top: el.scrollHeight, behavior: "smooth" });
    atBottom.current = true;
    setShowJump(false);
    checkRead();
  };

  let dividerShown = false;
  const rows: preact.ComponentChildren[] = [];
  let prev: Message | undefined;
  for (const m of list) {
    if (!prev || dayKey(prev.created_at) !== dayKey(m.created_at)) {
      rows.push(<DaySeparator key={"d" + dayKey(m.created_at)} iso={m.created_at} />);
      prev = undefined;
    }
    let divider = false;
    if (!dividerShown && marker !== undefined && m.seq > marker && m.author.id !== meId && !m.deleted_at) {
      dividerShown = divider = true;
      rows.push(<div key="new-divider" class="new-divider" data-testid="new-divider" role="separator" aria-label="New messages"><span>New messages</span></div>);
    }
    rows.push(<MessageItem key={m.id} m={m} grouped={!divider && groupsWith(prev, m)} canPost={p.canPost} highlighted={m.id === highlight} />);
    prev = m;
  }
  let lastMine = prev && prev.author.id === meId;
  for (const x of pending) {
    rows.push(<PendingItem key={x.client_msg_id} p={x} grouped={!!lastMine} />);
    lastMine = true;
  }

  return (
    <div class="message-list-wrap">
      <div class="message-list" ref={scroller} onScroll={onScroll} role="log" aria-label="Messages" aria-live="polite" tabIndex={0} onKeyDown={arrowKeys}>
        <div class="message-list-inner">
          {timeline?.loaded && !timeline.hasMore && p.header}
          {timeline?.loadingOlder && <div class="loading-older"><span class="spinner small" /> Loading older messages…</div>}
          {!timeline?.loaded && <div class="loading-older"><span class="spinner small" /> Loading messages…</div>}
          {rows}
          {timeline?.loadingNewer && <div class="loading-older"><span class="spinner small" /> Loading newer messages…</div>}
        </div>
      </div>
      {(showJump || timeline?.until !== undefined) && <button class="jump-latest" onClick={jump}><Icon name="arrowDown" size={14} /> Jump to latest</button>}
    </div>
  );
}

/** Up/Down move between messages (each shows its actions while focused; Tab then reaches them). */
function arrowKeys(e: KeyboardEvent) {
  if (e.key !== "ArrowUp" && e.key !== "ArrowDown") return;
  const t = e.target as HTMLElement;
  if (!t.classList.contains("msg") && !t.classList.contains("message-list")) return;
  const all = [...(e.currentTarget as HTMLElement).querySelectorAll<HTMLElement>(".msg")];
  if (!all.length) return;
  e.preventDefault();
  const i = all.indexOf(t);
  const next = i < 0 ? all[all.length - 1] : all[Math.max(0, Math.min(all.length - 1, i + (e.key === "ArrowUp" ? -1 : 1)))];
  next.focus();
  next.scrollIntoView({ block: "nearest" });
}

function DaySeparator({ iso }: { iso: string }) {
  return (
    <div class="day-separator" role="separator" aria-label={dayLabel(iso)}>
      <span>{dayLabel(iso)}</span>
    </div>
  );
}

/** Replies of a thread, under its parent. */
export function ThreadMessages(p: { parent: Message | undefined; ids: ID[]; pending: Pending[]; canPost: boolean }) {
  const messages = useStore((s) => s.messages);
  const meId = useStore((s) => s.me?.user.id);
  const highlight = useStore((s) => s.highlight?.messageId ?? null);
  const highlightKey = useStore((s) => (s.highlight ? `${s.highlight.messageId}:${s.highlight.n ?? 0}` : null));
  const ref = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const shownHighlight = useRef<string | null>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const target = highlight && highlightKey && shownHighlight.current !== highlightKey ? el.querySelector<HTMLElement>(`[data-id="${CSS.escape(highlight)}"]`) : null;
    if (target) {
      shownHighlight.current = highlightKey;
      el.scrollTop += target.getBoundingClientRect().top - el.getBoundingClientRect().top - (el.clientHeight - target.offsetHeight) / 2;
      atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
    } else if (atBottom.current) el.scrollTop = el.scrollHeight;
  });
  const replies = p.ids.map((id) => messages[id]).filter(Boolean);
  let prev: Message | undefined;
  return (
    <div class="thread-scroll" ref={ref} role="log" aria-label="Thread" onScroll={(e) => {
      const el = e.currentTarget;
      atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
    }}>
      {p.parent && <MessageItem m={p.parent} grouped={false} inThread canPost={p.canPost} />}
      {p.parent && (
        <div class="thread-count-sep"><span>{replies.length} {replies.length === 1 ? "reply" : "replies"}</span></div>
      )}
      {replies.map((m) => {
        const g = groupsWith(prev, m);
        prev = m;
        return <Fragment key={m.id}><MessageItem m={m} grouped={g} inThread canPost={p.canPost} highlighted={m.id === highlight} /></Fragment>;
      })}
      {p.pending.map((x, i) => <PendingItem key={x.client_msg_id} p={x} grouped={i > 0 || (prev?.author.id === meId)} />)}
    </div>
  );
}
