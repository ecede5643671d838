// A ticket: the case summary above its live chat, and (for staff) the controls and the requester's other tickets
// beside it. Staff see the conversation and the internal notes merged by time; customers only the conversation.
// Live over ticket:<id> (messages, status, assignment, typing); without it, refetch on focus and every 15 s.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import { ApiError } from "../lib/api";
import { fullTime, timeOf, dayKey, dayLabel } from "../lib/format";
import { renderMarkdown } from "../lib/markdown";
import { linkClick } from "../lib/router";
import { store, useStore } from "../lib/store";
import type { ID, Message, Role } from "../lib/types";
import {
  deskApi, eventText, joinTicket, mergeTicket, mergeTimeline, newClientMsgId, normaliseTags, PRIORITIES, requesterId,
  seqToMarkRead, ticketControls, ticketTitle, type Ticket, type TicketEvent, type TicketLink, type TicketPriority, type TicketStatus,
} from "../lib/desk";
import { errText } from "../dialogs/kit";
import { Avatar } from "../chat/Avatar";
import { Icon } from "../chat/Icons";
import { DeskHeader, Person, PriorityBadge, priorityLabel, RelTime, StatusPill, ticketNo, useRefresh } from "./common";

type Mode = "staff" | "customer";

interface PendingNote {
  client_msg_id: string;
  body: string;
  internal: boolean;
  created_at: string;
  failed?: string;
}

export function TicketView({ ticketId, mode }: { ticketId: ID; mode: Mode }) {
  const me = useStore((s) => s.me);
  const role = me?.membership.role;
  const staff = mode === "staff";
  const [ticket, setTicket] = useState<Ticket | null>(null);
  const [loadError, setLoadError] = useState<{ status: number; text: string } | null>(null);
  const [conv, setConv] = useState<Record<ID, Message>>({});
  const [notes, setNotes] = useState<Record<ID, Message>>({});
  const [events, setEvents] = useState<TicketEvent[]>([]);
  const [pending, setPending] = useState<PendingNote[]>([]);
  const [joined, setJoined] = useState(false);
  const [typing, setTyping] = useState<{ id: ID; name: string; until: number }[]>([]);
  const link = useRef<TicketLink | null>(null);
  const ticketRef = useRef<Ticket | null>(null);
  ticketRef.current = ticket;
  const positions = useRef({ seq: 0, change: 0, nseq: 0, nchange: 0 });

  const isNote = (m: Message) => m.internal || (!!ticketRef.current?.notes_channel_id && m.channel_id === ticketRef.current.notes_channel_id);
  const receive = (list: Message[]) => {
    const c: Message[] = [], n: Message[] = [];
    for (const m of list) {
      (isNote(m) ? n : c).push(m);
      const p = positions.current;
      if (isNote(m)) {
        p.nseq = Math.max(p.nseq, m.seq);
        p.nchange = Math.max(p.nchange, m.change);
      } else {
        p.seq = Math.max(p.seq, m.seq);
        p.change = Math.max(p.change, m.change);
      }
    }
    const merge = (prev: Record<ID, Message>, add: Message[]) => {
      if (!add.length) return prev;
      const out = { ...prev };
      for (const m of add) if (!out[m.id] || m.change >= out[m.id].change) out[m.id] = m;
      return out;
    };
    setConv((prev) => merge(prev, c));
    setNotes((prev) => merge(prev, n));
    const sent = new Set(list.map((m) => m.client_msg_id).filter(Boolean));
    if (sent.size) setPending((p) => p.filter((x) => !sent.has(x.client_msg_id)));
  };

  const loadAll = async (first: boolean) => {
    try {
      const t = await deskApi.ticket(ticketId);
      setTicket((prev) => mergeTicket(prev, t));
      ticketRef.current = t;
      setLoadError(null);
      const [c, n, e] = await Promise.all([
        deskApi.messages(ticketId, { limit: 200 }),
        staff ? deskApi.messages(ticketId, { internal: true, limit: 200 }).catch(() => [] as Message[]) : Promise.resolve([] as Message[]),
        staff ? deskApi.events(ticketId).catch(() => [] as TicketEvent[]) : Promise.resolve([] as TicketEvent[]),
      ]);
      receive([...c, ...n.map((m) => ({ ...m, internal: true }))]);
      setEvents(e);
    } catch (err) {
      if (first || (err instanceof ApiError && err.status === 404)) {
        setLoadError({ status: err instanceof ApiError ? err.status : 0, text: errText(err) });
      }
    }
  };

  useEffect(() => {
    let alive = true;
    void loadAll(true).then(() => {
      if (!alive) return;
      link.current = joinTicket(
        ticketId,
        () => {
          const p = positions.current;
          const out: Record<string, number> = {};
          if (p.seq) Object.assign(out, { last_seq: p.seq, last_change: p.change });
          if (staff && p.nseq) Object.assign(out, { notes_last_seq: p.nseq, notes_last_change: p.nchange });
          return out;
        },
        (ev, payload) => {
          if (ev.startsWith("message:")) {
            const m = ((payload as { message?: Message }).message ?? payload) as Message;
            if (m?.id) receive([m]);
            if (m?.author) setTyping((t) => t.filter((x) => x.id !== m.author.id));
          } else if (ev === "status:updated" || ev === "assigned" || ev === "ticket:updated") {
            const t = ((payload as { ticket?: Ticket }).ticket ?? payload) as Ticket;
            if (t?.id === ticketId || (t && !t.id)) setTicket((prev) => mergeTicket(prev, { ...t, id: ticketId }));
            if (staff) deskApi.events(ticketId).then(setEvents, () => {});
          } else if (ev === "typing") {
            const e = payload as { user_id: ID; display_name?: string; expires_in_ms?: number };
            if (e.user_id === store.get().me?.user.id) return;
            const until = Date.now() + (e.expires_in_ms || 5000);
            setTyping((t) => [...t.filter((x) => x.id !== e.user_id), { id: e.user_id, name: e.display_name ?? "Someone", until }]);
          }
        },
        setJoined,
      );
    });
    return () => {
      alive = false;
      link.current?.leave();
      link.current = null;
    };
  }, [ticketId]);

  useRefresh(() => void loadAll(false), 15_000, !joined);
  useEffect(() => {
    if (!typing.length) return;
    const t = setInterval(() => setTyping((list) => list.filter((x) => x.until > Date.now())), 1000);
    return () => clearInterval(t);
  }, [typing.length > 0]);

  // Read cursor of the conversation (POST /tickets/{id}/read, for the requester and staff alike): what has been
  // seen at the bottom of a visible page is read, which clears the inbox row's unread marker.
  const newestSeq = Math.max(0, ...Object.values(conv).map((m) => m.seq));
  const [atBottom, setAtBottom] = useState(true);
  const sentSeq = useRef(0);
  useEffect(() => {
    sentSeq.current = 0;
  }, [ticketId]);
  useEffect(() => {
    const mark = () => {
      const seq = seqToMarkRead(newestSeq, sentSeq.current, atBottom, document.visibilityState === "visible");
      if (seq === null) return;
      sentSeq.current = seq;
      deskApi.markRead(ticketId, seq).catch(() => {
        if (sentSeq.current === seq) sentSeq.current = 0; // try again on the next change
      });
    };
    mark();
    document.addEventListener("visibilitychange", mark);
    return () => document.removeEventListener("visibilitychange", mark);
  }, [ticketId, newestSeq, atBottom]);

  const items = useMemo(() => mergeTimeline(Object.values(conv), staff ? Object.values(notes) : [], staff ? events : []), [conv, notes, events, staff]);

  const send = async (body: string, internal: boolean, retryId?: string) => {
    const id = retryId ?? newClientMsgId();
    const p: PendingNote = { client_msg_id: id, body, internal, created_at: new Date().toISOString() };
    setPending((list) => [...list.filter((x) => x.client_msg_id !== id), p]);
    try {
      const m = await deskApi.postMessage(ticketId, { body, internal: internal || undefined, client_msg_id: id });
      receive([internal ? { ...m, internal: true } : m]);
      setPending((list) => list.filter((x) => x.client_msg_id !== id));
      // A customer's reply reopens a resolved ticket: the server says so in an event; fetch if we are not live.
      if (!joined) void loadAll(false);
    } catch (e) {
      setPending((list) => list.map((x) => (x.client_msg_id === id ? { ...x, failed: errText(e) } : x)));
    }
  };

  if (loadError) {
    return (
      <div class="dk-page">
        <DeskHeader title="Ticket" />
        <div class="dk-empty">
          <h2>{loadError.status === 404 ? "Ticket not found" : "Could not load the ticket"}</h2>
          <p class="muted">{loadError.status === 404 ? "It does not exist, or it is not yours to see." : loadError.text}</p>
          <a class="btn" href={staff ? "/desk" : "/support"} onClick={linkClick}>{staff ? "Back to the inbox" : "Back to my tickets"}</a>
        </div>
      </div>
    );
  }
  if (!ticket) return <div class="dk-page"><div class="dk-empty"><span class="spinner" aria-label="Loading" /></div></div>;

  const closed = ticket.status === "closed";
  const back = staff ? "/desk" : "/support";
  return (
    <div class="dk-page dk-ticket" data-testid="ticket-view" data-ticket-id={ticket.id} data-status={ticket.status}>
      <DeskHeader
        title={<><a class="dk-back" href={back} onClick={linkClick} aria-label={staff ? "Back to the inbox" : "Back to my tickets"}>←</a> <span class="dk-no">{ticketNo(ticket.number)}</span> {ticketTitle(ticket)}</>}
        sub={<><StatusPill status={ticket.status} /> <PriorityBadge priority={ticket.priority} /> <span class="muted">Opened <RelTime iso={ticket.created_at} /></span> {joined ? <span class="dk-live">Live</span> : <span class="dk-live off">Auto-refresh</span>}</>}
      />
      <div class="dk-ticket-body">
        <section class="dk-conv" aria-label="Conversation">
          <Timeline ticket={ticket} items={items} pending={pending} staff={staff} onBottom={setAtBottom} onRetry={(p) => send(p.body, p.internal, p.client_msg_id)}
            onDiscard={(p) => setPending((l) => l.filter((x) => x.client_msg_id !== p.client_msg_id))} />
          {typing.length > 0 && <div class="typing-line dk-typing" data-testid="typing">{typing.map((t) => t.name).join(", ")} {typing.length === 1 ? "is" : "are"} typing…</div>}
          {closed && !staff ? (
            <div class="composer disabled dk-closed-note" data-testid="composer-disabled">
              This ticket is closed. <a href="/support/new" onClick={linkClick}>Open a new ticket</a> if you need more help.
            </div>
          ) : (
            <TicketComposer staff={staff} ticket={ticket} onSend={(b, i) => void send(b, i)} onTyping={() => link.current?.push("typing", {})} />
          )}
        </section>
        {staff ? (
          <StaffPanel ticket={ticket} setTicket={(t) => setTicket((prev) => mergeTicket(prev, t))} events={events} role={role} desk={me?.membership.desk} meId={me?.user.id} onChanged={() => deskApi.events(ticketId).then(setEvents, () => {})} />
        ) : (
          <CustomerPanel ticket={ticket} />
        )}
      </div>
    </div>
  );
}

function CaseSummary({ ticket }: { ticket: Ticket }) {
  const html = useMemo(() => renderMarkdown(ticket.description, { name: () => undefined }), [ticket.description]);
  return (
    <article class="dk-case" data-testid="case-summary" aria-label="Case summary">
      <header class="dk-case-head">
        <Person p={ticket.requester} size={24} fallback="Requester" />
        <span class="muted">opened this ticket <time dateTime={ticket.created_at} title={fullTime(ticket.created_at)}>{fullTime(ticket.created_at)}</time></span>
      </header>
      {ticket.subject && <h2 class="dk-case-subject">{ticket.subject}</h2>}
      <div class="md dk-case-desc" data-testid="ticket-description" dangerouslySetInnerHTML={{ __html: html }} />
      {(ticket.tags ?? []).length > 0 && <div class="dk-case-tags">{(ticket.tags ?? []).map((t) => <span key={t} class="dk-tag">{t}</span>)}</div>}
    </article>
  );
}

function Timeline(p: { ticket: Ticket; items: ReturnType<typeof mergeTimeline>; pending: PendingNote[]; staff: boolean; onBottom?: (atBottom: boolean) => void; onRetry: (p: PendingNote) => void; onDiscard: (p: PendingNote) => void }) {
  const ref = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const members = useStore((s) => s.members);
  const me = useStore((s) => s.me);
  const name = (id: ID | null | undefined) => (id ? members[id]?.user.display_name ?? (id === me?.user.id ? me.user.display_name : "Someone") : "Someone");
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && atBottom.current) el.scrollTop = el.scrollHeight;
  });
  let lastDay = "";
  const rows: preact.ComponentChildren[] = [];
  for (const it of p.items) {
    const iso = it.kind === "message" ? it.message.created_at : it.event.created_at;
    const d = dayKey(iso);
    if (d !== lastDay) {
      lastDay = d;
      rows.push(<div key={"d" + d} class="day-separator" role="separator" aria-label={dayLabel(iso)}><span>{dayLabel(iso)}</span></div>);
    }
    if (it.kind === "event") {
      rows.push(<div key={it.key} class="dk-sysline" data-testid="ticket-event" data-kind={it.event.kind}><span>{eventText(it.event, name)}</span> <time class="muted" dateTime={iso}>{timeOf(iso)}</time></div>);
    } else {
      rows.push(<TicketMessage key={it.key} m={it.message} requester={requesterId(p.ticket)} />);
    }
  }
  return (
    <div class="dk-timeline" ref={ref} role="log" aria-label="Messages" aria-live="polite" tabIndex={0}
      onScroll={(e) => {
        const el = e.currentTarget;
        const bottom = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
        if (bottom !== atBottom.current) p.onBottom?.(bottom);
        atBottom.current = bottom;
      }}>
      <CaseSummary ticket={p.ticket} />
      {rows}
      {!p.items.length && <p class="dk-conv-empty muted">{p.staff ? "No replies yet. Your first reply sets the first response time." : "An agent will reply here. You can add details below in the meantime."}</p>}
      {p.pending.map((x) => (
        <div key={x.client_msg_id} class={"dk-msg mine" + (x.internal ? " note" : "") + (x.failed ? " failed" : "")} data-testid="message" data-id={"pending-" + x.client_msg_id}
          data-internal={x.internal ? "true" : "false"} data-pending={x.failed ? undefined : "true"} data-failed={x.failed ? "true" : undefined}>
          <div class="dk-msg-gutter">{me && <Avatar id={me.user.id} name={me.user.display_name} url={me.user.avatar_url || undefined} size={32} />}</div>
          <div class="dk-msg-main">
            <div class="dk-msg-head"><span class="msg-author">{me?.user.display_name}</span>{x.internal && <span class="dk-note-badge">Internal note</span>}<span class="muted small">{x.failed ? "" : "Sending…"}</span></div>
            <div class="md" data-testid="message-body">{x.body}</div>
            {x.failed && <div class="msg-error" role="alert">Not sent: {x.failed}. <button class="link-btn" onClick={() => p.onRetry(x)}>Retry</button> · <button class="link-btn" onClick={() => p.onDiscard(x)}>Delete</button></div>}
          </div>
        </div>
      ))}
    </div>
  );
}

function TicketMessage({ m, requester }: { m: Message; requester: ID | undefined }) {
  const members = useStore((s) => s.members);
  const meId = useStore((s) => s.me?.user.id);
  const deleted = !!m.deleted_at;
  const html = useMemo(() => (deleted ? "" : renderMarkdown(m.body, { name: (id) => members[id]?.user.display_name, me: meId })), [m.body, deleted, members, meId]);
  if (m.author.kind === "system" || m.source === "system") {
    return (
      <div class="dk-sysline" data-testid="message" data-id={m.id} data-internal="false" data-system="true">
        <span class="md-inline" dangerouslySetInnerHTML={{ __html: html }} /> <time class="muted" dateTime={m.created_at} title={fullTime(m.created_at)}>{timeOf(m.created_at)}</time>
      </div>
    );
  }
  const known = members[m.author.id]?.user;
  const authorName = known?.display_name || m.author.display_name || "Unknown";
  const fromRequester = m.author.id === requester;
  const role = members[m.author.id]?.role;
  const staffAuthor = !fromRequester && (role === "agent" || role === "admin" || role === "owner" || (!role && m.author.kind === "user"));
  return (
    <div class={"dk-msg" + (m.internal ? " note" : "") + (m.author.id === meId ? " mine" : "") + (fromRequester ? " requester" : "") + (deleted ? " deleted" : "")}
      data-testid="message" data-id={m.id} data-seq={m.seq} data-internal={m.internal ? "true" : "false"} id={"msg-" + m.id}>
      <div class="dk-msg-gutter"><Avatar id={m.author.id} name={authorName} url={(known?.avatar_url ?? m.author.avatar_url) || undefined} size={32} /></div>
      <div class="dk-msg-main">
        <div class="dk-msg-head">
          <span class="msg-author">{authorName}</span>
          {fromRequester ? <span class="dk-role-badge">Customer</span> : staffAuthor ? <span class="dk-role-badge staff">Support</span> : null}
          {m.internal && <span class="dk-note-badge" data-testid="internal-badge">Internal note</span>}
          <time class="msg-time" dateTime={m.created_at} title={fullTime(m.created_at)}>{timeOf(m.created_at)}</time>
          {m.edited_at && !deleted && <span class="muted small">(edited)</span>}
        </div>
        {deleted ? <div class="md muted"><em>This message was deleted.</em></div> : <div class="md" data-testid="message-body" dangerouslySetInnerHTML={{ __html: html }} />}
      </div>
    </div>
  );
}

function TicketComposer(p: { staff: boolean; ticket: Ticket; onSend: (body: string, internal: boolean) => void; onTyping: () => void }) {
  const key = `relay.draft.ticket.${p.ticket.id}`;
  const [text, setText] = useState(() => {
    try {
      return localStorage.getItem(key) ?? "";
    } catch {
      return "";
    }
  });
  const [internal, setInternal] = useState(false);
  const ref = useRef<HTMLTextAreaElement>(null);
  const lastTyping = useRef(0);
  useEffect(() => {
    const t = setTimeout(() => {
      try {
        if (text.trim()) localStorage.setItem(key, text);
        else localStorage.removeItem(key);
      } catch {
        /* drafts are a convenience */
      }
    }, 250);
    return () => clearTimeout(t);
  }, [text]);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = "auto";
    el.style.height = Math.min(el.scrollHeight, 240) + "px";
  }, [text]);
  const submit = () => {
    const body = text.trim();
    if (!body) return;
    p.onSend(body, p.staff && internal);
    setText("");
    ref.current?.focus();
  };
  const placeholder = internal ? "Write an internal note — only agents and admins see it" : p.staff ? `Reply to ${p.ticket.requester?.display_name ?? "the customer"}` : "Write a reply…";
  return (
    <div class={"composer dk-composer" + (internal ? " note" : "")} data-testid="composer">
      {p.staff && (
        <div class="dk-composer-mode" role="group" aria-label="Reply or internal note">
          <button type="button" class={"dk-mode" + (!internal ? " on" : "")} aria-pressed={!internal} onClick={() => setInternal(false)}>Reply</button>
          <label class={"dk-mode" + (internal ? " on note" : "")}>
            <input type="checkbox" data-testid="internal-toggle" name="internal" checked={internal} onChange={(e) => setInternal(e.currentTarget.checked)} />
            Internal note
          </label>
        </div>
      )}
      <textarea ref={ref} rows={2} value={text} placeholder={placeholder} aria-label={internal ? "Internal note" : "Message"}
        onInput={(e) => {
          setText(e.currentTarget.value);
          const now = Date.now();
          if (!internal && e.currentTarget.value.trim() && now - lastTyping.current > 2500) {
            lastTyping.current = now;
            p.onTyping();
          }
        }}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey && !e.altKey && !e.isComposing) {
            e.preventDefault();
            submit();
          }
        }} />
      <div class="composer-tools">
        <span class="composer-hint">{internal ? <strong>Only staff can see this note.</strong> : <><kbd>Enter</kbd> to send · <kbd>Shift</kbd>+<kbd>Enter</kbd> for a new line</>}</span>
        <button type="button" class="send-btn" aria-label={internal ? "Add note" : "Send message"} disabled={!text.trim()} onClick={submit}><Icon name="send" size={16} /></button>
      </div>
    </div>
  );
}

function StaffPanel(p: { ticket: Ticket; setTicket: (t: Ticket) => void; events: TicketEvent[]; role: Role | undefined; desk: boolean | undefined; meId: ID | undefined; onChanged: () => void }) {
  const t = p.ticket;
  const c = ticketControls(t, p.role, p.meId, p.desk);
  const members = useStore((s) => s.members);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const agents = Object.values(members)
    .filter((m) => m.role === "agent" || m.role === "admin" || m.role === "owner")
    .sort((a, b) => a.user.display_name.localeCompare(b.user.display_name));

  const run = async (what: string, fn: () => Promise<Ticket>) => {
    setBusy(what);
    setError(null);
    try {
      p.setTicket(await fn());
      p.onChanged();
    } catch (e) {
      // 409: the server says why (e.g. "a closed ticket cannot be assigned").
      setError(errText(e));
    } finally {
      setBusy(null);
    }
  };
  const status = (s: TicketStatus) => run(s, () => deskApi.setStatus(t.id, s));
  const assign = (id: ID | null) => run("assign", () => deskApi.assign(t.id, id));

  return (
    <aside class="dk-side" aria-label="Ticket details">
      {error && <div class="dk-error" role="alert" data-testid="ticket-error">{error} <button class="link-btn" onClick={() => setError(null)}>Dismiss</button></div>}
      <section class="dk-card">
        <h3>Status</h3>
        <div class="dk-status-row"><StatusPill status={t.status} /></div>
        <div class="dk-actions">
          {t.status !== "resolved" && t.status !== "closed" && (
            <button class="btn small primary" aria-label="Resolve" disabled={!c.resolve || !!busy} onClick={() => status("resolved")}>{busy === "resolved" ? "Resolving…" : "Resolve"}</button>
          )}
          {t.status === "resolved" && (
            <button class="btn small" aria-label="Reopen" disabled={!c.reopen || !!busy} onClick={() => status(t.assignee || t.assignee_id ? "assigned" : "open")}>{busy === "open" || busy === "assigned" ? "Reopening…" : "Reopen"}</button>
          )}
          {t.status !== "closed" ? (
            <button class="btn small danger" aria-label="Close ticket" disabled={!c.close || !!busy} onClick={() => status("closed")}>{busy === "closed" ? "Closing…" : "Close"}</button>
          ) : (
            <p class="muted small">Closed tickets are final. A follow-up is a new ticket.</p>
          )}
        </div>
      </section>
      <section class="dk-card">
        <h3>Assignee</h3>
        <div class="dk-status-row"><Person p={t.assignee} size={24} /></div>
        <div class="dk-actions">
          {c.assignToMe && <button class="btn small" aria-label="Assign to me" disabled={!!busy} onClick={() => assign(p.meId ?? null)}>Assign to me</button>}
          {c.unassign && <button class="btn small" aria-label="Unassign" disabled={!!busy} onClick={() => assign(null)}>Unassign</button>}
        </div>
        {c.assignOthers && (
          <label class="dk-field">
            <span>Assign to…</span>
            <select aria-label="Assign to…" disabled={!!busy} value={t.assignee?.id ?? t.assignee_id ?? ""} onChange={(e) => assign(e.currentTarget.value || null)}>
              <option value="">Unassigned</option>
              {agents.map((a) => <option key={a.user.id} value={a.user.id}>{a.user.display_name} ({a.role})</option>)}
            </select>
          </label>
        )}
      </section>
      <section class="dk-card">
        <h3>Priority</h3>
        <select aria-label="Priority" disabled={!c.edit || !!busy} value={t.priority} onChange={(e) => run("priority", () => deskApi.updateTicket(t.id, { priority: e.currentTarget.value as TicketPriority }))}>
          {PRIORITIES.map((x) => <option key={x} value={x}>{priorityLabel[x]}</option>)}
        </select>
      </section>
      <TagsEditor ticket={t} disabled={!c.edit || !!busy} onSave={(tags) => run("tags", () => deskApi.updateTicket(t.id, { tags }))} />
      <section class="dk-card dk-facts">
        <h3>Details</h3>
        <dl>
          <dt>Requester</dt><dd><Person p={t.requester} fallback="—" /></dd>
          <dt>Created</dt><dd><RelTime iso={t.created_at} /></dd>
          <dt>First response</dt><dd><RelTime iso={t.first_response_at} /></dd>
          {t.resolved_at && <><dt>Resolved</dt><dd><RelTime iso={t.resolved_at} /></dd></>}
          {t.closed_at && <><dt>Closed</dt><dd><RelTime iso={t.closed_at} /></dd></>}
          {t.reference_id && <><dt>Follows up</dt><dd><a href={`/desk/tickets/${t.reference_id}`} onClick={linkClick}>an earlier ticket</a></dd></>}
        </dl>
      </section>
      <OtherTickets ticket={t} />
    </aside>
  );
}

function TagsEditor(p: { ticket: Ticket; disabled: boolean; onSave: (tags: string[]) => void }) {
  const tags = p.ticket.tags ?? [];
  const [text, setText] = useState("");
  const add = () => {
    const next = normaliseTags([...tags, ...normaliseTags(text)]);
    setText("");
    if (next.join() !== tags.join()) p.onSave(next);
  };
  return (
    <section class="dk-card" aria-label="Tags">
      <h3>Tags</h3>
      <div class="dk-tags" data-testid="ticket-tags">
        {tags.map((g) => (
          <span key={g} class="dk-tag">{g}{!p.disabled && <button class="dk-tag-x" aria-label={`Remove tag ${g}`} onClick={() => p.onSave(tags.filter((x) => x !== g))}>×</button>}</span>
        ))}
        {!tags.length && <span class="muted small">No tags</span>}
      </div>
      {!p.disabled && (
        <form class="dk-tag-form" onSubmit={(e) => { e.preventDefault(); add(); }}>
          <input name="tag" aria-label="Add tag" placeholder="Add a tag" value={text} maxLength={32} onInput={(e) => setText(e.currentTarget.value)} />
          <button class="btn small" type="submit" disabled={!normaliseTags(text).length || tags.length >= 10}>Add</button>
        </form>
      )}
    </section>
  );
}

function OtherTickets({ ticket }: { ticket: Ticket }) {
  const rid = requesterId(ticket);
  const [list, setList] = useState<Ticket[] | null>(null);
  useEffect(() => {
    if (!rid) return;
    deskApi.tickets({ requester_id: rid, sort: "newest" }, null, 10).then(
      (p) => setList(p.items.filter((t) => t.id !== ticket.id && requesterId(t) === rid)),
      () => setList([]),
    );
  }, [rid, ticket.id]);
  return (
    <section class="dk-card" aria-label="Requester's other tickets" data-testid="other-tickets">
      <h3>{ticket.requester?.display_name ? `${ticket.requester.display_name}'s other tickets` : "Other tickets"}</h3>
      {list === null ? <span class="spinner small" /> : !list.length ? <p class="muted small">None.</p> : (
        <ul class="dk-mini-list">
          {list.map((t) => (
            <li key={t.id}>
              <a href={`/desk/tickets/${t.id}`} onClick={linkClick}><span class="dk-no">{ticketNo(t.number)}</span> {ticketTitle(t)}</a>
              <StatusPill status={t.status} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function CustomerPanel({ ticket }: { ticket: Ticket }) {
  return (
    <aside class="dk-side" aria-label="Ticket details">
      <section class="dk-card dk-facts">
        <h3>Your ticket</h3>
        <dl>
          <dt>Status</dt><dd><StatusPill status={ticket.status} /></dd>
          <dt>Assigned to</dt><dd data-testid="ticket-assignee"><Person p={ticket.assignee} fallback="Waiting for an agent" /></dd>
          <dt>Priority</dt><dd><PriorityBadge priority={ticket.priority} /></dd>
          <dt>Opened</dt><dd><RelTime iso={ticket.created_at} /></dd>
          {ticket.resolved_at && <><dt>Resolved</dt><dd><RelTime iso={ticket.resolved_at} /></dd></>}
        </dl>
        {ticket.status === "resolved" && <p class="muted small">Marked resolved. Reply if you still need help and it reopens.</p>}
      </section>
      <a class="btn small" href="/support/new" onClick={linkClick}><Icon name="plus" size={14} /> New ticket</a>
    </aside>
  );
}
