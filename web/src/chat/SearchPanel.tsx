// The right panel's search results (its own chunk, loaded the first time a search runs): tabs by kind, the
// query's filters as removable chips, Relevance/Newest, the total, highlighted snippets, "Load more", the
// server's message for a refused query, and an empty state. A result opens its message (jump to it), channel,
// person (their DM) or ticket.
import { loadMoreResults, openResult, runSearch } from "../lib/actions";
import { isStaff } from "../lib/desk/tickets";
import { dayLabel, fullTime, timeOf } from "../lib/format";
import type { ChannelHit, MessageHit, PersonHit, SearchHit, SearchKind, TicketHit } from "../lib/search";
import { chipsOf, removeFilter, totalText } from "../lib/searchRefine";
import { channelLabel, store, useStore } from "../lib/store";
import { Avatar } from "./Avatar";
import { Icon } from "./Icons";
import { Snippet } from "./Snippet";
import { StatusPill, ticketNo } from "../desk/common";
import "../styles/search.css";

// The search box's suggestions come with this chunk (chat/searchChunk.ts loads it when the box is first focused).
export { suggest } from "../lib/searchRefine";

const KINDS: { kind: SearchKind; label: string }[] = [
  { kind: "messages", label: "Messages" },
  { kind: "channels", label: "Channels" },
  { kind: "people", label: "People" },
  { kind: "tickets", label: "Tickets" },
];

/** Phone width: the panel covers the conversation, so opening a result closes it (the search stays). */
const narrow = () => typeof matchMedia === "function" && matchMedia("(max-width: 768px)").matches;

export function SearchPanel() {
  const s = useStore((st) => st.search);
  const role = useStore((st) => st.me?.membership.role);
  const desk = useStore((st) => st.me?.membership.desk);
  const kinds = KINDS.filter((k) => k.kind !== "tickets" || isStaff(role, desk));
  const close = () => store.setRightPanel(null);
  const open = (hit: SearchHit) => {
    if (narrow()) close();
    void openResult(hit);
  };
  const members = useStore((st) => st.members);
  const channels = useStore((st) => st.channels);
  const chips = chipsOf(s?.filters, {
    person: (id) => members[id]?.user.display_name,
    channel: (id) => (channels[id] ? channelLabel(channels[id], store.get()) : undefined),
  });

  return (
    <aside class="side-panel search-panel" data-testid="search-panel" aria-label="Search results"
      onKeyDown={(e) => {
        if (e.key === "Escape" && !e.defaultPrevented) {
          e.preventDefault();
          close();
        }
      }}>
      <header class="side-head">
        <div>
          <h2>Search</h2>
          {s && <span class="muted small search-q" title={s.q}>{s.q}</span>}
        </div>
        <button class="icon-btn" aria-label="Close search" onClick={close}><Icon name="close" /></button>
      </header>
      {!s ? (
        <div class="search-empty"><p class="muted">Type in the search box above and press Enter.</p></div>
      ) : (
        <>
          <div class="search-tabs" role="tablist" aria-label="What to search">
            {kinds.map((k) => (
              <button key={k.kind} role="tab" class="search-tab" aria-selected={s.kind === k.kind} data-kind={k.kind}
                onClick={() => s.kind !== k.kind && void runSearch(s.q, { kind: k.kind, remember: false })}>{k.label}</button>
            ))}
          </div>
          <div class="search-bar">
            {chips.length > 0 && (
              <ul class="search-chips" aria-label="Filters">
                {chips.map((c) => (
                  <li key={c.filter.key + ":" + c.filter.value} class="search-chip" data-testid="search-chip" data-group={c.group} data-key={c.filter.key}>
                    <span>{c.label}</span>
                    <button class="chip-x" aria-label={`Remove filter ${c.label}`} onClick={() => {
                      const q = removeFilter(s.q, c.filter);
                      // The last filter gone and no words left: nothing to search for.
                      if (q.trim()) void runSearch(q, { remember: false });
                      else store.setSearch(null);
                    }}><Icon name="close" size={12} /></button>
                  </li>
                ))}
              </ul>
            )}
            <div class="search-meta">
              <span data-testid="search-total" aria-live="polite">{s.status === "ready" ? totalText(s.total, s.totalExact) : s.status === "loading" ? "Searching…" : ""}</span>
              {(s.kind === "messages" || s.kind === "tickets") && (
                <span class="search-sort" role="group" aria-label="Sort">
                  {(["relevance", "newest"] as const).map((o) => (
                    <button key={o} class={"search-sort-btn" + (s.sort === o ? " on" : "")} aria-pressed={s.sort === o}
                      onClick={() => s.sort !== o && void runSearch(s.q, { sort: o, remember: false })}>{o === "relevance" ? "Relevance" : "Newest"}</button>
                  ))}
                </span>
              )}
            </div>
          </div>
          <div class="search-results" aria-busy={s.status === "loading"}>
            {s.status === "error" && <div class="search-error" role="alert" data-testid="search-error">{s.error}</div>}
            {s.status === "loading" && <div class="loading-older"><span class="spinner small" /> Searching…</div>}
            {s.status === "ready" && !s.results.length && (
              <div class="search-empty" data-testid="search-empty">
                <h3>No results{s.q ? <> for “{s.q}”</> : null}</h3>
                <p class="muted">Try fewer words or remove a filter{s.kind !== "messages" ? ", or look in Messages" : ""}.</p>
              </div>
            )}
            {s.results.map((hit, i) => <Result key={i} hit={hit} onOpen={open} />)}
            {s.status === "ready" && s.cursor && (
              <div class="search-more">
                <button class="btn" onClick={() => void loadMoreResults()} disabled={s.loadingMore}>{s.loadingMore ? <><span class="spinner small" /> Loading…</> : "Load more"}</button>
              </div>
            )}
            {s.status === "ready" && s.error && s.results.length > 0 && <div class="search-error" role="alert">{s.error}</div>}
          </div>
        </>
      )}
    </aside>
  );
}

/** When a result was written: the time today, "Yesterday at …", else the day (with the year when not this one). */
function when(iso: string, now = new Date()): string {
  const label = dayLabel(iso, now);
  if (label === "Today") return timeOf(iso);
  if (label === "Yesterday") return `Yesterday at ${timeOf(iso)}`;
  const d = new Date(iso);
  return d.toLocaleDateString([], { month: "short", day: "numeric", year: d.getFullYear() === now.getFullYear() ? undefined : "numeric" });
}

function Result({ hit, onOpen }: { hit: SearchHit; onOpen: (h: SearchHit) => void }) {
  if ("message" in hit) return <MessageResult hit={hit} onOpen={onOpen} />;
  if ("channel" in hit) return <ChannelResult hit={hit} onOpen={onOpen} />;
  if ("user" in hit) return <PersonResult hit={hit} onOpen={onOpen} />;
  if ("ticket" in hit) return <TicketResult hit={hit} onOpen={onOpen} />;
  return null;
}

function MessageResult({ hit, onOpen }: { hit: MessageHit; onOpen: (h: SearchHit) => void }) {
  const m = hit.message;
  const where = useStore((s) => {
    const ch = s.channels[hit.channel.id];
    if (ch) return (ch.kind === "dm" ? "" : "#") + channelLabel(ch, s);
    return hit.channel.kind === "dm" ? hit.channel.name || "Direct message" : "#" + hit.channel.name;
  });
  return (
    <button class="search-result" data-testid="search-result" data-kind="message" data-id={m.id} data-channel-id={m.channel_id} onClick={() => onOpen(hit)}>
      <span class="search-where">
        <span class="search-channel">{where}</span>
        {m.parent_id && <span class="search-thread"><Icon name="thread" size={12} /> Reply in a thread</span>}
      </span>
      {hit.parent?.snippet && <span class="search-parent" data-testid="search-parent">Thread: <Snippet html={hit.parent.snippet} /></span>}
      <span class="search-msg">
        <Avatar id={m.author.id} name={m.author.display_name} url={m.author.avatar_url || undefined} size={28} />
        <span class="search-msg-text">
          <span class="search-author">
            <strong>{m.author.display_name}</strong>
            <time dateTime={m.created_at} title={fullTime(m.created_at)}>{when(m.created_at)}</time>
          </span>
          <Snippet html={hit.snippet} />
        </span>
      </span>
    </button>
  );
}

function ChannelResult({ hit, onOpen }: { hit: ChannelHit; onOpen: (h: SearchHit) => void }) {
  const c = hit.channel;
  return (
    <button class="search-result" data-testid="search-result" data-kind="channel" data-id={c.id} onClick={() => onOpen(hit)}>
      <span class="search-msg">
        <span class="search-hash" aria-hidden="true"><Icon name={c.kind === "private" ? "lock" : "hash"} size={16} /></span>
        <span class="search-msg-text">
          <span class="search-author"><strong>{c.name}</strong>{c.archived && <span class="pill">Archived</span>}<span class="muted small">{c.member_count} {c.member_count === 1 ? "member" : "members"}{c.is_member ? " · Joined" : ""}</span></span>
          <Snippet html={hit.snippet} />
        </span>
      </span>
    </button>
  );
}

function PersonResult({ hit, onOpen }: { hit: PersonHit; onOpen: (h: SearchHit) => void }) {
  const u = hit.user;
  return (
    <button class="search-result" data-testid="search-result" data-kind="person" data-id={u.id} onClick={() => onOpen(hit)}>
      <span class="search-msg">
        <Avatar id={u.id} name={u.display_name} url={u.avatar_url || undefined} size={28} />
        <span class="search-msg-text">
          <span class="search-author"><strong>{u.display_name}</strong>{u.role && u.role !== "member" && <span class="pill">{u.role}</span>}</span>
          {u.email && <span class="muted small">{u.email}</span>}
        </span>
      </span>
    </button>
  );
}

function TicketResult({ hit, onOpen }: { hit: TicketHit; onOpen: (h: SearchHit) => void }) {
  const t = hit.ticket;
  return (
    <button class="search-result" data-testid="search-result" data-kind="ticket" data-id={t.id} onClick={() => onOpen(hit)}>
      <span class="search-msg">
        <span class="search-hash" aria-hidden="true"><Icon name="mail" size={16} /></span>
        <span class="search-msg-text">
          <span class="search-author"><strong>{ticketNo(t.number)} {t.subject || "(no subject)"}</strong><StatusPill status={t.status} /></span>
          <Snippet html={hit.snippet} />
          {hit.match === "note" && <span class="muted small">In an internal note</span>}
        </span>
      </span>
    </button>
  );
}
