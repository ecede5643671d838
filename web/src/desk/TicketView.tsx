// A ticket: the case summary above its live chat, and (for staff) the controls and the requester's other tickets
// beside it. Staff see the conversation and the internal notes merged by time; customers only the conversation.
// Live over ticket:<id> (messages, status, assignment, typing); without it, refetch on focus and every 15 s.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import { ApiError } from "../lib/api";
import { sendTicketMessage } from "../lib/actions";
import { fullTime, timeOf, dayKey, dayLabel } from "../lib/format";
import { renderMarkdown } from "../lib/markdown";
import { useEmojiImages } from "../lib/emojiImages";
import { linkClick } from "../lib/router";
import { useStore, type Pending, type TypingEntry } from "../lib/store";
import type { ID, Message, Role } from "../lib/types";
import {
  deskApi, eventText, followTicket, loadTicketStream, mergeFetchedTicket, mergeTicket, mergeTimeline, normaliseTags, PRIORITIES, requesterId,
  seqToMarkRead, ticketControls, ticketTitle, type Ticket, type TicketEvent, type TicketLink, type TicketPriority, type TicketStatus,
} from "../lib/desk";
import { errText } from "../dialogs/kit";
import { Avatar } from "../chat/Avatar";
import { Icon } from "../chat/Icons";
import { NotSent } from "../chat/Message";
import { DeskHeader, Person, PriorityBadge, priorityLabel, RelTime, StatusPill, ticketNo, useRefresh } from "./common";

type Mode = "staff" | "customer";

const NO_IDS: ID[] = [];
const NO_TYPING: TypingEntry[] = [];

export function TicketView({ ticketId, mode }: { ticketId: ID; mode: Mode }) {
  const me = useStore((s) => s.me);
  const role = me?.membership.role;
  const staff = mode === "staff";
  const [ticket, setTicket] = useState<Ticket | null>(null);
  const [loadError, setLoadError] = useState<{ status: number; text: string } | null>(null);
  const [events, setEvents] = useState<TicketEvent[]>([]);
  const [joined, setJoined] = useState(false);
  const link = useRef<TicketLink | null>(null);
  const joinedRef = useRef(false);
  joinedRef.current = joined;

  // The conversation and (staff) the notes are two streams of the store, like channels (lib/stream.ts): the
  // ticket topic and the HTTP pages feed them, and pending sends and typing live there too.
  const convId = ticket?.channel_id;
  const notesId = staff ? ticket?.notes_channel_id ?? undefined : undefined;
  const convIds = useStore((s) => (convId && s.timelines[convId]?.ids) || NO_IDS);
  const noteIds = useStore((s) => (notesId && s.timelines[notesId]?.ids) || NO_IDS);
  const messages = useStore((s) => s.messages);
  const pendingAll = useStore((s) => s.pending);
  const typingConv = useStore((s) => (convId && s.typing[convId]) || NO_TYPING);
  const typingNotes = useStore((s) => (notesId && s.typing[notesId]) || NO_TYPING);
  const conv = useMemo(() => convIds.map((id) => messages[id]).filter(Boolean), [convIds, messages]);
  const notes = useMemo(() => noteIds.map((id) => messages[id]).filter(Boolean), [noteIds, messages]);
  const pending = pendingAll.filter((p) => p.ticket_id === ticketId && (staff || !p.internal));
  const typing: { id: ID; name: string }[] = [];
  const now = Date.now();
  for (const t of [...typingConv, ...typingNotes]) if (t.until > now && !typing.some((x) => x.id === t.user_id)) typing.push({ id: t.user_id, name: t.name });

  /** Load the ticket, then (first time) join its topic, then its streams' newest pages: nothing falls between. */
  const loadAll = async (first: boolean, follow?: (t: Ticket) => void) => {
    try {
      const t = await deskApi.ticket(ticketId);
      setTicket((prev) => mergeTicket(prev, t));
      setLoadError(null);
      follow?.(t);
      const [, , e] = await Promise.all([
        loadTicketStream(t, false),
        staff ? loadTicketStream(t, true).catch(() => {}) : Promise.resolve(),
        staff ? deskApi.events(ticketId).catch(() => [] as TicketEvent[]) : Promise.resolve([] as TicketEvent[]),
      ]);
      setEvents(e);
    } catch (err) {
      if (first || (err instanceof ApiError && err.status === 404)) {
        setLoadError({ status: err instanceof ApiError ? err.status : 0, text: errText(err) });
      }
    }
  };

  useEffect(() => {
    let alive = true;
    const onTicket = (_ev: string, payload: unknown) => {
      const t = ((payload as { ticket?: Ticket }).ticket ?? payload) as Ticket;
      if (t?.id === ticketId || (t && !t.id)) setTicket((prev) => mergeTicket(prev, { ...t, id: ticketId }));
      if (staff) deskApi.events(ticketId).then(setEvents, () => {});
    };
    // A join catches up the messages, but not the ticket's own changes (status, assignee) published before it was
    // subscribed — after the ticket was read, or while the topic was down: read the ticket again on every join.
    const onJoined = (j: boolean) => {
      setJoined(j);
      if (!j) return;
      deskApi.ticket(ticketId).then((t) => alive && setTicket((prev) => mergeFetchedTicket(prev, t)), () => {});
      if (staff) deskApi.events(ticketId).then((e) => alive && setEvents(e), () => {});
    };
    void loadAll(true, (t) => {
      if (alive && !link.current) link.current = followTicket(t, staff, onTicket, onJoined);
    });
    return () => {
      alive = false;
      link.current?.leave();
      link.current = null;
    };
  }, [ticketId]);

  useRefresh(() => void loadAll(false), 15_000, !joined);

  // Read cursor of the conversation (POST /tickets/{id}/read, for the requester and staff alike): what has been
  // seen at the bottom of a visible page is read, which clears the inbox row's unread marker.
  const newestSeq = Math.max(0, ...conv.map((m) => m.seq));
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

  const items = useMemo(() => mergeTimeline(conv, staff ? notes : [], staff ? events : []), [conv, notes, events, staff]);

  const send = (body: string, internal: boolean) => {
    if (!ticket) return;
    void sendTicketMessage(ticket, body, internal).then(() => {
      // A customer's reply reopens a resolved ticket: the server says so in an event; fetch if we are not live.
      if (!joinedRef.current) void loadAll(false);
    });
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
          <Timeline ticket={ticket} items={items} pending={pending} staff={staff} onBottom={setAtBottom} />
          {typing.length > 0 && <div class="typing-line dk-typing" data-testid="typing">{typing.map((t) => t.name).join(", ")} {typing.length === 1 ? "is" : "are"} typing…</div>}
          {closed && !staff ? (
            <div class="composer disabled dk-closed-note" data-testid="composer-disabled">
              This ticket is closed. <a href="/support/new" onClick={linkClick}>Open a new ticket</a> if you need more help.
            </div>
          ) : (
            <TicketComposer staff={staff} ticket={ticket} onSend={send} onTyping={() => link.current?.push("typing", {})} />
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
  const emojiImgs = useEmojiImages(ticket.description);
  const html = useMemo(() => renderMarkdown(ticket.description, { name: () => undefined }), [ticket.description, emojiImgs]);
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

function Timeline(p: { ticket: Ticket; items: ReturnType<typeof mergeTimeline>; pending: Pending[]; staff: boolean; onBottom?: (atBottom: boolean) => void }) {
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
      {p.pending.map((x) => {
        const failed = x.state === "failed";
        return (
          <div key={x.client_msg_id} class={"dk-msg mine" + (x.internal ? " note" : "") + (failed ? " failed" : "")} data-testid="message" data-id={"pending-" + x.client_msg_id}
            data-internal={x.internal ? "true" : "false"} data-pending={failed ? undefined : "true"} data-failed={failed ? "true" : undefined}>
            <div class="dk-msg-gutter">{me && <Avatar id={me.user.id} name={me.user.display_name} url={me.user.avatar_url || undefined} size={32} />}</div>
            <div class="dk-msg-main">
              <div class="dk-msg-head"><span class="msg-author">{me?.user.display_name}</span>{x.internal && <span class="dk-note-badge">Internal note</span>}<span class="muted small">{failed ? "" : "Sending…"}</span></div>
              <div class="md" data-testid="message-body">{x.body}</div>
              {failed && <NotSent p={x} />}
            </div>
          </div>
        );
      })}
    </div>
  );
}

function TicketMessage({ m, requester }: { m: Message; requester: ID | undefined }) {
  const members = useStore((s) => s.members);
  const meId = useStore((s) => s.me?.user.id);
  const deleted = !!m.deleted_at;
  const emojiImgs = useEmojiImages(m.body);
  const html = useMemo(() => (deleted ? "" : renderMarkdown(m.body, { name: (id) => members[id]?.user.display_name, me: meId })), [m.body, deleted, members, meId, emojiImgs]);
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
  // A member known only from a message (joined_at empty: the store's placeholder) has no known role yet.
  const role = members[m.author.id]?.joined_at ? members[m.author.id].role : undefined;
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
