// Ctrl/Cmd+K: jump to a channel, a DM or a person. A combobox over a listbox: type to filter (fuzzy), ↑ ↓ to
// move, Enter to open, Escape to close. What you belong to is matched here; public channels you have not joined
// come from the server (GET /search?kind=channels, 150 ms after typing stops) and are merged in; the last row
// runs a full search of messages for what was typed.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { Icon } from "../chat/Icons";
import { openChannel, openDM, searchFromAnywhere } from "../lib/actions";
import { searchApi, type ChannelHit } from "../lib/search";
import { channelLabel, useStore } from "../lib/store";
import type { Channel, ID } from "../lib/types";
import { Dialog, errText, UserAvatar } from "./kit";
import { fuzzy } from "./fuzzy";
import { Highlight } from "./Highlight";
import "../styles/dialogs.css";

type Item =
  | { kind: "channel"; key: string; label: string; ch: Channel; unread: number; mentions: number; joined?: boolean }
  | { kind: "dm"; key: string; label: string; ch: Channel; userId: ID | null; unread: number; mentions: number }
  | { kind: "person"; key: string; label: string; userId: ID; email: string };

export function QuickSwitcher({ onClose }: { onClose: () => void }) {
  const channels = useStore((s) => s.channels);
  const members = useStore((s) => s.members);
  const me = useStore((s) => s.me);
  const presence = useStore((s) => s.presence);
  const active = useStore((s) => s.activeChannel);
  const [q, setQ] = useState("");
  const [sel, setSel] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const myId = me?.user.id;
  const remote = useRemoteChannels(q, me?.membership.role !== "customer");

  const all = useMemo<Item[]>(() => {
    const items: Item[] = [];
    const dmWith = new Set<ID>();
    for (const c of Object.values(channels)) {
      if (!c.is_member || c.archived) continue;
      if (c.kind === "dm") {
        const others = (c.dm_user_ids ?? []).filter((id) => id !== myId);
        if (others.length === 1) dmWith.add(others[0]);
        items.push({ kind: "dm", key: "c" + c.id, label: channelLabel(c, { members, me }), ch: c, userId: others.length === 1 ? others[0] : others.length ? null : myId ?? null, unread: c.unread_count, mentions: c.mention_count });
      } else {
        items.push({ kind: "channel", key: "c" + c.id, label: c.name, ch: c, unread: c.unread_count, mentions: c.mention_count });
      }
    }
    if (me?.membership.role !== "customer") {
      for (const m of Object.values(members)) {
        if (m.user.id === myId || m.role === "customer" || dmWith.has(m.user.id)) continue;
        items.push({ kind: "person", key: "u" + m.user.id, label: m.user.display_name, userId: m.user.id, email: m.user.email });
      }
    }
    return items;
  }, [channels, members, me]);

  const rows = useMemo<{ item: Item; idx: number[] }[]>(() => {
    if (!q.trim()) {
      // Nothing typed: unread first, then channels, then DMs; people only once you type.
      const rank = (i: Item) => ("ch" in i ? (i.mentions ? 0 : i.unread ? 1 : 2) : 3);
      return all
        .filter((i) => i.kind !== "person" && !("ch" in i && i.ch.id === active))
        .sort((a, b) => rank(a) - rank(b) || (a.kind === b.kind ? 0 : a.kind === "channel" ? -1 : 1) || a.label.localeCompare(b.label))
        .slice(0, 12)
        .map((item) => ({ item, idx: [] as number[] }));
    }
    return withRemote(all, remote)
      .map((item) => {
        // The server's channels may match by topic or purpose rather than by name: they stay, below name matches.
        const remoteOnly = item.kind === "channel" && item.joined !== undefined;
        const m = fuzzy(q.replace(/^[#@]/, ""), item.label) ?? (remoteOnly ? { score: -200, indices: [] } : null);
        if (!m) return null;
        // Where you are a member counts more than a person you have not talked to (or a channel you have not
        // joined); unread gets a nudge.
        const bonus = (item.kind === "person" ? -40 : 0) + (item.kind === "channel" && item.joined === false ? -20 : 0) + ("ch" in item && item.unread ? 20 : 0) + (q.startsWith("#") && item.kind === "channel" ? 60 : 0) + (q.startsWith("@") && item.kind !== "channel" ? 60 : 0);
        return { item, idx: m.indices, score: m.score + bonus };
      })
      .filter((x): x is { item: Item; idx: number[]; score: number } => !!x)
      .sort((a, b) => b.score - a.score || a.item.label.localeCompare(b.item.label))
      .slice(0, 30);
  }, [all, q, active, remote]);
  // The last row: a full search for what was typed.
  const searchRow = q.trim() && me?.membership.role !== "customer" ? rows.length : -1;
  const count = rows.length + (searchRow >= 0 ? 1 : 0);

  useEffect(() => setSel(0), [q]);
  useEffect(() => {
    listRef.current?.querySelector<HTMLElement>(`[data-index="${sel}"]`)?.scrollIntoView({ block: "nearest" });
  }, [sel]);

  const choose = async (item: Item | undefined) => {
    if (sel === searchRow && !item) {
      onClose();
      searchFromAnywhere(q);
      return;
    }
    if (!item) return;
    if (item.kind === "person") {
      try {
        const ch = await openDM([item.userId]);
        onClose();
        openChannel(ch.id);
      } catch (e) {
        setError(errText(e));
      }
      return;
    }
    onClose();
    openChannel(item.ch.id);
  };

  const optId = (i: number) => `dg-switch-opt-${i}`;
  const isMac = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

  return (
    <Dialog title="Jump to a conversation" onClose={onClose} flush className="dg-switcher" testid="quick-switcher" initialFocus="input[role=combobox]">
      <div class="dg-switch-input">
        <span aria-hidden="true" class="ui-muted dg-switch-ico"><Icon name="search" size={20} /></span>
        <input
          role="combobox"
          aria-label="Jump to a channel, direct message or person"
          aria-expanded={count > 0}
          aria-controls="dg-switch-list"
          aria-autocomplete="list"
          aria-activedescendant={sel < count ? optId(sel) : undefined}
          autoComplete="off"
          spellcheck={false}
          placeholder="Jump to…"
          value={q}
          onInput={(e) => { setQ(e.currentTarget.value); setError(null); }}
          onKeyDown={(e) => {
            if (e.key === "ArrowDown" || (e.ctrlKey && e.key === "n")) {
              e.preventDefault();
              setSel((s) => (count ? (s + 1) % count : 0));
            } else if (e.key === "ArrowUp" || (e.ctrlKey && e.key === "p")) {
              e.preventDefault();
              setSel((s) => (count ? (s - 1 + count) % count : 0));
            } else if (e.key === "Home" && e.ctrlKey) {
              setSel(0);
            } else if (e.key === "Enter") {
              e.preventDefault();
              void choose(rows[sel]?.item);
            }
          }}
        />
        <kbd class="key-hint">{isMac ? "⌘K" : "Ctrl K"}</kbd>
      </div>
      {error && <div class="dg-pad" style={{ paddingTop: "10px" }}><p class="ui-hint bad" role="alert">{error}</p></div>}
      <ul class="dg-switch-list" id="dg-switch-list" role="listbox" aria-label={q ? "Results" : "Suggestions"} ref={listRef}>
        {!q && rows.length > 0 && <li class="dg-group" role="presentation">Suggestions</li>}
        {rows.map(({ item, idx }, i) => {
          const selected = i === sel;
          const pr = item.kind === "person" ? presence[item.userId]?.presence : item.kind === "dm" && item.userId ? presence[item.userId]?.presence : undefined;
          return (
            <li
              key={item.key}
              id={optId(i)}
              data-index={i}
              role="option"
              aria-selected={selected}
              onMouseDown={(e) => e.preventDefault()}
              onMouseMove={() => sel !== i && setSel(i)}
              onClick={() => void choose(item)}
            >
              {item.kind === "channel" ? (
                <span class="dg-hash" aria-hidden="true">{item.ch.kind === "private" ? <Icon name="lock" size={15} /> : "#"}</span>
              ) : item.kind === "dm" && !item.userId ? (
                <span class="dg-hash" aria-hidden="true"><Icon name="people" size={16} /></span>
              ) : (
                <UserAvatar id={item.userId ?? ""} name={item.label} url={members[item.userId ?? ""]?.user.avatar_url} size={20} />
              )}
              <span class="dg-label">
                <Highlight text={item.label} indices={idx} />
                {item.kind === "person" && <span class="dg-meta"> {item.email}</span>}
              </span>
              {pr && <span class="dg-dot" data-presence={pr} aria-label={pr} />}
              {"ch" in item && (item.mentions > 0 || (item.kind === "dm" && item.unread > 0)) ? (
                <span class="dg-badge" aria-label={`${item.mentions || item.unread} unread`}>{item.mentions || item.unread}</span>
              ) : "ch" in item && item.unread > 0 ? (
                <span class="dg-meta">unread</span>
              ) : null}
              <span class="dg-meta">{item.kind === "channel" ? (item.joined === false ? "Channel · not joined" : "Channel") : item.kind === "dm" ? "Direct message" : "Person"}</span>
            </li>
          );
        })}
        {searchRow >= 0 && (
          <li id={optId(searchRow)} data-index={searchRow} role="option" aria-selected={sel === searchRow} data-testid="switcher-search"
            onMouseDown={(e) => e.preventDefault()} onMouseMove={() => sel !== searchRow && setSel(searchRow)} onClick={() => { onClose(); searchFromAnywhere(q); }}>
            <span class="dg-hash" aria-hidden="true"><Icon name="search" size={15} /></span>
            <span class="dg-label">Search messages for “{q.trim()}”</span>
          </li>
        )}
        {rows.length === 0 && searchRow < 0 && (
          <li class="ui-empty" role="presentation">
            {q ? <><strong>Nothing matches “{q}”</strong>Try a channel name or a person's name.</> : <><strong>No conversations yet</strong>Join a channel to see it here.</>}
          </li>
        )}
      </ul>
      <div class="dg-hints" aria-hidden="true">
        <span><kbd>↑</kbd> <kbd>↓</kbd> to move</span>
        <span><kbd>Enter</kbd> to open</span>
        <span><kbd>Esc</kbd> to close</span>
        <span>Start with <kbd>#</kbd> for channels, <kbd>@</kbd> for people</span>
      </div>
    </Dialog>
  );
}

/**
 * Public channels matching what is typed, from the server (GET /search?kind=channels), 150 ms after the typing
 * stops; a newer query cancels the older request. Empty until then, and on any error (the local list still works).
 */
function useRemoteChannels(q: string, enabled: boolean): Channel[] {
  const [found, setFound] = useState<{ q: string; list: Channel[] }>({ q: "", list: [] });
  useEffect(() => {
    const text = q.trim().replace(/^#/, "");
    if (!enabled || !text || q.trim().startsWith("@")) return;
    const ctl = new AbortController();
    const t = setTimeout(() => {
      searchApi.search<ChannelHit>({ q: text, kind: "channels", limit: 20 }, ctl.signal).then(
        (r) => setFound({ q, list: (r.results ?? []).map((h) => h.channel).filter((c) => c && c.kind !== "dm") }),
        () => {},
      );
    }, 150);
    return () => {
      clearTimeout(t);
      ctl.abort();
    };
  }, [q, enabled]);
  return found.q === q ? found.list : [];
}

/**
 * The local items with the server's channels added: a channel already listed (you are in it) is not repeated;
 * one you have not joined shows as a channel to open (a preview, with Join).
 */
export function withRemote<T extends { kind: string; key: string }>(items: T[], remote: Channel[]): (T | Item)[] {
  const have = new Set(items.map((i) => i.key));
  const out: (T | Item)[] = items.slice();
  for (const ch of remote) {
    if (ch.archived || have.has("c" + ch.id)) continue;
    have.add("c" + ch.id);
    out.push({ kind: "channel", key: "c" + ch.id, label: ch.name, ch, unread: 0, mentions: 0, joined: ch.is_member });
  }
  return out;
}
