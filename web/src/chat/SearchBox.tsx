// The search box in the channel header: a combobox that offers "search in this conversation", filter suggestions
// (from:, in:, has:, is:, before:, after:, during:, mentions:) and recent searches; Enter runs the search into the
// right panel. "/" and Ctrl/Cmd+F focus it (chat/Workspace.tsx bumps store.searchFocus). At phone width it is an
// icon that opens into the whole header.
import { Fragment } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { runSearch } from "../lib/actions";
import { isStaff } from "../lib/desk/tickets";
import { clearRecent, loadRecent, scopeOf, scopeQuery, tokenize } from "../lib/search";
import type { suggest as Suggest } from "../lib/searchRefine";
import { loadSearchChunk } from "./searchChunk";
import { channelLabel, store, useStore } from "../lib/store";
import type { Channel } from "../lib/types";
import { Icon } from "./Icons";

type Row =
  | { kind: "scope"; q: string; label: string }
  | { kind: "suggest"; q: string; label: string; hint?: string; partial?: boolean }
  | { kind: "recent"; q: string; label: string }
  | { kind: "run"; q: string; label: string };

export function SearchBox({ channel }: { channel?: Channel }) {
  const wsId = useStore((s) => s.workspace?.id);
  const current = useStore((s) => s.search?.q ?? "");
  const focusReq = useStore((s) => s.searchFocus);
  const role = useStore((s) => s.me?.membership.role);
  const desk = useStore((s) => s.me?.membership.desk);
  const myId = useStore((s) => s.me?.user.id);
  const channels = useStore((s) => s.channels);
  const members = useStore((s) => s.members);
  const [text, setText] = useState(current);
  const [open, setOpen] = useState(false); // the list under the box
  const [expanded, setExpanded] = useState(false); // phone width: the box instead of its icon
  const [sel, setSel] = useState(-1);
  const [recent, setRecent] = useState<string[]>(() => loadRecent(wsId));
  const input = useRef<HTMLInputElement>(null);
  const wrap = useRef<HTMLDivElement>(null);
  const firstFocus = useRef(focusReq);
  // The filter suggestions come with the results panel's chunk, fetched when the box is first focused.
  const [suggest, setSuggest] = useState<typeof Suggest | null>(null);
  const wantSuggestions = () => {
    if (!suggest) loadSearchChunk().then((m) => setSuggest(() => m.suggest), () => {});
  };

  useEffect(() => setText(current), [current]);
  useEffect(() => {
    if (focusReq === firstFocus.current) return;
    setExpanded(true);
    requestAnimationFrame(() => {
      input.current?.focus();
      input.current?.select();
    });
  }, [focusReq]);

  const scope = channel ? scopeOf(channel, (id) => members[id]?.user.display_name, myId) : null;
  const scopeLabel = useStore((s) => (!channel ? "" : channel.kind === "dm" ? channelLabel(channel, s) : "#" + channel.name));
  const rows = useMemo<Row[]>(() => {
    const out: Row[] = [];
    const t = text.trim();
    if (t) out.push({ kind: "run", q: t, label: t });
    if (scope && !tokenize(text).some((k) => k.key === "in")) out.push({ kind: "scope", q: scopeQuery(text, scope), label: `Search in ${scopeLabel}` });
    const ctx = {
      channels: Object.values(channels).filter((c) => c.is_member && !c.archived).map((c) => ({ name: c.name, kind: c.kind })),
      people: Object.values(members).filter((m) => m.role !== "customer" && m.user.id !== myId).map((m) => m.user.display_name),
      staff: isStaff(role, desk),
    };
    for (const s of suggest?.(text, ctx, new Date(), t ? 6 : 4) ?? []) out.push({ kind: "suggest", ...s });
    // Recent searches: all of them in an empty box; while typing, the few that contain what is typed.
    const lower = t.toLowerCase();
    const past = t ? recent.filter((r) => r !== t && r.toLowerCase().includes(lower)).slice(0, 3) : recent;
    for (const r of past) out.push({ kind: "recent", q: r, label: r });
    return out;
  }, [text, scope, scopeLabel, channels, members, recent, role, desk, myId, suggest]);

  useEffect(() => setSel(-1), [text]);

  const run = (q: string) => {
    if (!q.trim()) return;
    void runSearch(q);
    setRecent(loadRecent(wsId));
    setOpen(false);
    setExpanded(false); // phone width: the results cover the screen, and the header is the conversation's again after
    input.current?.blur();
  };
  const take = (r: Row) => {
    if (r.kind === "recent" || r.kind === "run") return run(r.q);
    setText(r.q);
    input.current?.focus();
    // "Search in #x" with words already typed runs at once; a filter waiting for its value keeps the box open.
    if (r.kind === "scope" && tokenize(r.q).some((k) => !k.key)) run(r.q);
  };
  const close = () => {
    setOpen(false);
    if (!text) setExpanded(false);
  };
  const optId = (i: number) => `search-opt-${i}`;
  const show = open && rows.length > 0;

  return (
    <div class={"search-box" + (expanded ? " expanded" : "")} data-testid="search-box" ref={wrap}
      onFocusOut={(e) => {
        if (!wrap.current?.contains(e.relatedTarget as Node)) close();
      }}>
      <button class="icon-btn search-open" aria-label="Search" aria-expanded={expanded} onClick={() => store.focusSearch()}><Icon name="search" /></button>
      <div class="search-field">
        <span class="search-ico" aria-hidden="true"><Icon name="search" size={15} /></span>
        <input ref={input} type="search" role="combobox" data-testid="search-input" aria-label="Search messages, channels and people"
          aria-expanded={show} aria-controls="search-list" aria-autocomplete="list" aria-activedescendant={show && sel >= 0 ? optId(sel) : undefined}
          autoComplete="off" spellcheck={false} placeholder="Search" value={text}
          onFocus={() => {
            wantSuggestions();
            setRecent(loadRecent(wsId));
            setOpen(true);
          }}
          onInput={(e) => {
            setText(e.currentTarget.value);
            setOpen(true);
          }}
          onKeyDown={(e) => {
            if (e.key === "ArrowDown") {
              e.preventDefault();
              setOpen(true);
              setSel((s) => (rows.length ? (s + 1) % rows.length : -1));
            } else if (e.key === "ArrowUp") {
              e.preventDefault();
              setSel((s) => (rows.length ? (s <= 0 ? rows.length - 1 : s - 1) : -1));
            } else if (e.key === "Enter") {
              e.preventDefault();
              if (show && sel >= 0 && rows[sel]) take(rows[sel]);
              else run(text);
            } else if (e.key === "Tab" && !e.shiftKey && show && text.trim()) {
              // Tab completes: the selected suggestion, else the first one.
              const r = rows[sel]?.kind === "suggest" ? rows[sel] : rows.find((x) => x.kind === "suggest");
              if (r) {
                e.preventDefault();
                take(r);
              }
            } else if (e.key === "Escape") {
              e.preventDefault();
              e.stopPropagation();
              if (show) setOpen(false);
              else {
                setExpanded(false);
                input.current?.blur();
              }
            }
          }} />
        {expanded && <button class="icon-btn search-collapse" aria-label="Close the search box" onClick={() => { setExpanded(false); setOpen(false); }}><Icon name="close" size={16} /></button>}
      </div>
      {show && (
        <ul class="search-list" id="search-list" role="listbox" aria-label="Search suggestions" data-testid="search-suggestions">
          {rows.map((r, i) => (
            <Fragment key={r.kind + r.q}>
              {r.kind === "recent" && (i === 0 || rows[i - 1].kind !== "recent") && (
                <li class="search-group" role="presentation">
                  Recent searches
                  <button class="link-btn" data-testid="clear-recent" onMouseDown={(e) => e.preventDefault()} onClick={() => { clearRecent(wsId); setRecent([]); }}>Clear</button>
                </li>
              )}
              <li id={optId(i)} role="option" aria-selected={i === sel} data-kind={r.kind} data-testid={r.kind === "scope" ? "search-in-channel" : r.kind === "recent" ? "recent-search" : r.kind === "suggest" ? "search-suggestion" : "search-run"}
                onMouseDown={(e) => e.preventDefault()} onMouseMove={() => sel !== i && setSel(i)} onClick={() => take(r)}>
                <span class="search-row-ico" aria-hidden="true"><Icon name={r.kind === "scope" ? (channel?.kind === "private" ? "lock" : "hash") : r.kind === "recent" ? "clock" : "search"} size={14} /></span>
                <span class="search-row-label">{r.kind === "run" ? <>Search for <strong>{r.label}</strong></> : r.label}</span>
                {"hint" in r && r.hint && <span class="search-row-hint">{r.hint}</span>}
              </li>
            </Fragment>
          ))}
        </ul>
      )}
    </div>
  );
}
