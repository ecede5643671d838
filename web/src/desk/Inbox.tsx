// /desk: the agent inbox. Filters (status, assignee, priority, tag, text) and sort live in the address, pages
// load by cursor ("Load more"), and desk:<workspace_id> events insert, move and drop rows live; without the
// topic the list refetches on focus and every 15 s. With text in `q` the list is the search engine's answer
// (GET /search?kind=tickets: subject, description, number, conversation and notes), best matches first, each row
// with its highlighted snippet; live events then update the rows shown but add none.
import { useEffect, useRef, useState } from "preact/hooks";
import { linkClick, navigate, useSearch } from "../lib/router";
import { useStore } from "../lib/store";
import {
  applyLiveTicket, deskApi, filtersFromSearch, filtersToSearch, isAdminRole, isUnread, listenDesk, liveRow, matchesSearchFilters, mergeTicket,
  PRIORITIES, previewOf, STATUSES, ticketSearchQuery, ticketTitle, type Page, type Ticket, type TicketFilters,
} from "../lib/desk";
import { searchApi, type TicketHit } from "../lib/search";
import { Snippet } from "../chat/Snippet";
import { errText } from "../dialogs/kit";
import { DeskHeader, Person, PriorityBadge, priorityLabel, RelTime, StatusPill, statusLabel, ticketNo, useRefresh } from "./common";
import { Icon } from "../chat/Icons";

const PAGE = 25;

/** One page of the inbox: the ticket list, or (with text to find) the search engine's tickets and their snippets. */
async function fetchPage(f: TicketFilters, cursor: string | null, meId: string | undefined): Promise<Page<Ticket> & { snippets?: Record<string, string> }> {
  if (!f.q?.trim()) return deskApi.tickets(f, cursor, PAGE);
  // Assignee, priority and tag are applied here, so a page can come out empty: read on (a few pages at most).
  const hits: TicketHit[] = [];
  let next: string | null = cursor;
  for (let pages = 0; pages < 4 && (pages === 0 || next) && hits.length === 0; pages++) {
    const r = await searchApi.search<TicketHit>({ q: ticketSearchQuery(f), kind: "tickets", limit: PAGE, cursor: next ?? undefined });
    hits.push(...(r.results ?? []).filter((h) => h.ticket && matchesSearchFilters(h.ticket, f, meId)));
    next = r.next_cursor || null;
  }
  return { items: hits.map((h) => h.ticket), next_cursor: next, snippets: Object.fromEntries(hits.map((h) => [h.ticket.id, h.snippet])) };
}

export function Inbox() {
  const search = useSearch();
  const filters = filtersFromSearch(search.split("#")[0]);
  const key = filtersToSearch(filters);
  const meId = useStore((s) => s.me?.user.id);
  const role = useStore((s) => s.me?.membership.role);
  const [tickets, setTickets] = useState<Ticket[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [down, setDown] = useState(true);
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const [snippets, setSnippets] = useState<Record<string, string>>({});
  const searching = !!filters.q?.trim();
  const gen = useRef(0);
  const filtersRef = useRef(filters);
  filtersRef.current = filters;

  const setFilters = (patch: Partial<TicketFilters>) => {
    const qs = filtersToSearch({ ...filters, ...patch });
    navigate("/desk" + (qs ? "?" + qs : ""), { replace: true });
  };

  /** The first page again (filters changed, focus came back, or no live topic): keeps "load more" pages out. */
  const reload = (quiet = false) => {
    const g = ++gen.current;
    if (!quiet) setLoading(true);
    fetchPage(filters, null, meId).then(
      (p) => {
        if (g !== gen.current) return;
        setTickets(p.items);
        setSnippets(p.snippets ?? {});
        setCursor(p.next_cursor);
        setError(null);
        setLoading(false);
      },
      (e) => {
        if (g !== gen.current) return;
        setError(errText(e));
        setLoading(false);
      },
    );
  };
  useEffect(() => reload(), [key]);

  const loadMore = () => {
    if (!cursor || more) return;
    setMore(true);
    const g = gen.current;
    fetchPage(filters, cursor, meId).then(
      (p) => {
        if (g !== gen.current) return;
        setTickets((list) => [...list, ...p.items.filter((t) => !list.some((x) => x.id === t.id))]);
        if (p.snippets) setSnippets((s) => ({ ...s, ...p.snippets }));
        setCursor(p.next_cursor);
        setMore(false);
      },
      (e) => {
        setError(errText(e));
        setMore(false);
      },
    );
  };

  useEffect(
    () =>
      listenDesk((ev, payload) => {
        if (ev !== "ticket:created" && ev !== "ticket:updated") return;
        const t = ((payload as { ticket?: Ticket })?.ticket ?? payload) as Ticket;
        if (!t?.id) return;
        if (filtersRef.current.q?.trim()) {
          // Search results: only the engine knows what matches, so rows shown are updated and none are added.
          setTickets((list) => (list.some((x) => x.id === t.id) ? list.map((x) => (x.id === t.id ? mergeTicket(x, t) : x)) : list));
          return;
        }
        setTickets((list) => {
          const known = list.find((x) => x.id === t.id);
          // Events may carry only what changed: fetch the full row once when we have never seen it.
          if (!known && (t.number === undefined || t.status === undefined)) {
            deskApi.ticket(t.id).then((full) => setTickets((l) => applyLiveTicket(l, full, filtersRef.current, meId)), () => {});
            return list;
          }
          return applyLiveTicket(list, liveRow(known, t, meId), filtersRef.current, meId);
        });
        if (ev === "ticket:created") {
          setFresh((s) => new Set(s).add(t.id));
          setTimeout(() => setFresh((s) => {
            const n = new Set(s);
            n.delete(t.id);
            return n;
          }), 4000);
        }
      }, setDown),
    [],
  );
  useRefresh(() => reload(true), 15_000, down);

  const [q, setQ] = useState(filters.q ?? "");
  const [tag, setTag] = useState(filters.tag ?? "");
  useEffect(() => {
    setQ(filters.q ?? "");
    setTag(filters.tag ?? "");
  }, [key]);

  return (
    <div class="dk-page dk-inbox" data-testid="inbox">
      <DeskHeader
        title="Inbox"
        sub={<>{down ? <span class="dk-live off" title="Refreshing every 15 s">Auto-refresh</span> : <span class="dk-live" title="Updates arrive live">Live</span>}</>}
        actions={<>
          {isAdminRole(role) && <a class="btn small" href="/desk/dashboard" onClick={linkClick}>Dashboard</a>}
          <a class="btn small primary" href="/support/new" onClick={linkClick}><Icon name="plus" size={14} /> New ticket</a>
        </>}
      />
      <div class="dk-tabs" role="tablist" aria-label="Assignee">
        {(["anyone", "me", "unassigned"] as const).map((a) => (
          <button key={a} role="tab" aria-selected={filters.assignee === a} class={"dk-tab" + (filters.assignee === a ? " on" : "")} onClick={() => setFilters({ assignee: a })}>
            {a === "anyone" ? "All" : a === "me" ? "Mine" : "Unassigned"}
          </button>
        ))}
      </div>
      <form class="dk-filters" aria-label="Filters" onSubmit={(e) => { e.preventDefault(); setFilters({ q, tag }); }}>
        <label class="dk-search">
          <Icon name="search" size={15} />
          <input type="search" name="q" placeholder="Search tickets, conversations, #number…" aria-label="Search tickets" value={q}
            onInput={(e) => setQ(e.currentTarget.value)} onBlur={() => q !== (filters.q ?? "") && setFilters({ q, tag })} />
        </label>
        <select aria-label="Status" name="status" value={filters.status ?? ""} onChange={(e) => setFilters({ status: e.currentTarget.value as TicketFilters["status"] })}>
          <option value="">Any status</option>
          {STATUSES.map((s) => <option key={s} value={s}>{statusLabel[s]}</option>)}
        </select>
        <select aria-label="Assignee" name="assignee" value={filters.assignee} onChange={(e) => setFilters({ assignee: e.currentTarget.value as TicketFilters["assignee"] })}>
          <option value="anyone">Anyone</option>
          <option value="me">Assigned to me</option>
          <option value="unassigned">Unassigned</option>
        </select>
        <select aria-label="Priority" name="priority" value={filters.priority ?? ""} onChange={(e) => setFilters({ priority: e.currentTarget.value as TicketFilters["priority"] })}>
          <option value="">Any priority</option>
          {PRIORITIES.map((p) => <option key={p} value={p}>{priorityLabel[p]}</option>)}
        </select>
        <input class="dk-tag-input" name="tag" placeholder="Tag" aria-label="Tag" value={tag} onInput={(e) => setTag(e.currentTarget.value)}
          onBlur={() => tag !== (filters.tag ?? "") && setFilters({ q, tag })} />
        <select aria-label="Sort" name="sort" value={filters.sort} disabled={searching} title={searching ? "Search results come best match first" : undefined} onChange={(e) => setFilters({ sort: e.currentTarget.value as TicketFilters["sort"] })}>
          <option value="newest">Newest</option>
          <option value="oldest">Oldest</option>
          <option value="activity">Last activity</option>
          <option value="priority">Priority</option>
        </select>
        <button type="submit" class="sr-only">Apply</button>
      </form>
      {error && <div class="dk-error" role="alert">{error} <button class="link-btn" onClick={() => reload()}>Retry</button></div>}
      <div class="dk-list-wrap">
        {loading && !tickets.length ? (
          <div class="dk-empty"><span class="spinner" aria-label="Loading" /></div>
        ) : !tickets.length ? (
          <div class="dk-empty" data-testid="inbox-empty">
            <h2>No tickets here</h2>
            <p class="muted">{searching ? (cursor ? `None of the first matches for “${filters.q}” pass these filters. Load more to look further.` : `No ticket matches “${filters.q}”.`) : key && key !== "" ? "Nothing matches these filters." : "New tickets from customers will appear here as they arrive."}</p>
          </div>
        ) : (
          <table class="dk-table">
            <thead>
              <tr>
                <th scope="col" class="dk-col-no">#</th>
                <th scope="col">Subject</th>
                <th scope="col" class="dk-col-req">Requester</th>
                <th scope="col">Status</th>
                <th scope="col" class="dk-col-asg">Assignee</th>
                <th scope="col" class="dk-col-prio">Priority</th>
                <th scope="col" class="dk-col-time">Updated</th>
              </tr>
            </thead>
            <tbody>
              {tickets.map((t) => <Row key={t.id} t={t} fresh={fresh.has(t.id)} snippet={searching ? snippets[t.id] : undefined} />)}
            </tbody>
          </table>
        )}
        {cursor && (tickets.length > 0 || searching) && (
          <div class="dk-more">
            <button class="btn" onClick={loadMore} disabled={more}>{more ? <><span class="spinner small" /> Loading…</> : "Load more"}</button>
          </div>
        )}
      </div>
    </div>
  );
}

function Row({ t, fresh, snippet }: { t: Ticket; fresh: boolean; snippet?: string }) {
  const unread = isUnread(t);
  const href = `/desk/tickets/${t.id}`;
  const preview = previewOf(t);
  return (
    <tr class={"dk-row" + (unread ? " unread" : "") + (fresh ? " fresh" : "")} data-testid="ticket-row" data-ticket-id={t.id} data-number={t.number}
      onClick={(e) => {
        if ((e.target as HTMLElement).closest("a")) return;
        navigate(href);
      }}>
      <td class="dk-col-no"><span class="dk-no">{ticketNo(t.number)}</span></td>
      <td class="dk-col-subj">
        <a href={href} onClick={linkClick} class="dk-subj">
          {unread && <span class="dk-unread-dot" data-testid="unread-marker" aria-label="Unread" />}
          <span class="dk-subj-text">{ticketTitle(t)}</span>
        </a>
        {snippet ? <span class="dk-preview"><Snippet html={snippet} /></span> : preview && <span class="dk-preview">{preview}</span>}
        {(t.tags ?? []).length > 0 && <span class="dk-tags-inline">{(t.tags ?? []).map((g) => <span key={g} class="dk-tag">{g}</span>)}</span>}
      </td>
      <td class="dk-col-req"><Person p={t.requester} fallback="—" /></td>
      <td><StatusPill status={t.status} /></td>
      <td class="dk-col-asg"><Person p={t.assignee} /></td>
      <td class="dk-col-prio"><PriorityBadge priority={t.priority} /></td>
      <td class="dk-col-time"><RelTime iso={t.last_activity_at || t.updated_at} /></td>
    </tr>
  );
}
