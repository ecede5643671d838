// The customer portal: /support (my tickets) and /support/new (the new ticket form).
import { useEffect, useState } from "preact/hooks";
import { linkClick, navigate } from "../lib/router";
import { useStore } from "../lib/store";
import { deskApi, isStaff, previewOf, PRIORITIES, ticketTitle, type Ticket, type TicketPriority } from "../lib/desk";
import { errText } from "../dialogs/kit";
import { Icon } from "../chat/Icons";
import { DeskHeader, Person, priorityLabel, RelTime, StatusPill, ticketNo, useRefresh } from "./common";

export function MyTickets() {
  const me = useStore((s) => s.me);
  const ws = useStore((s) => s.workspace);
  const [tickets, setTickets] = useState<Ticket[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const staff = isStaff(me?.membership.role, me?.membership.desk);
  const load = () =>
    deskApi.tickets(staff && me ? { requester_id: me.user.id, sort: "activity" } : { sort: "activity" }, null, 50).then(
      (p) => {
        setTickets(p.items);
        setCursor(p.next_cursor);
        setError(null);
      },
      (e) => {
        setError(errText(e));
        setTickets((l) => l ?? []);
      },
    );
  useEffect(() => void load(), []);
  useRefresh(() => void load(), 15_000);
  const more = () =>
    cursor && deskApi.tickets({ sort: "activity" }, cursor, 50).then((p) => {
      setTickets((l) => [...(l ?? []), ...p.items]);
      setCursor(p.next_cursor);
    }, (e) => setError(errText(e)));

  return (
    <div class="dk-page dk-portal" data-testid="my-tickets">
      <DeskHeader
        title="My tickets"
        sub={ws ? <>Support from {ws.name}</> : undefined}
        actions={<a class="btn small primary" href="/support/new" onClick={linkClick}><Icon name="plus" size={14} /> New ticket</a>}
      />
      <div class="dk-portal-body">
        {error && <div class="dk-error" role="alert">{error}</div>}
        {tickets === null ? (
          <div class="dk-empty"><span class="spinner" aria-label="Loading" /></div>
        ) : !tickets.length ? (
          <div class="dk-empty dk-welcome">
            <h2>How can we help?</h2>
            <p class="muted">Tell us what is going on and someone from {ws?.name ?? "the team"} will reply here.</p>
            <a class="btn primary" href="/support/new" onClick={linkClick}>Open a ticket</a>
          </div>
        ) : (
          <ul class="dk-cards" aria-label="Your tickets">
            {tickets.map((t) => (
              <li key={t.id} class="dk-ticket-card" data-testid="ticket-row" data-ticket-id={t.id}>
                <a href={`/support/tickets/${t.id}`} onClick={linkClick}>
                  <div class="dk-tc-top">
                    <span class="dk-no">{ticketNo(t.number)}</span>
                    <span class="dk-tc-title">{ticketTitle(t)}</span>
                    <StatusPill status={t.status} />
                  </div>
                  {previewOf(t) && <p class="dk-preview">{previewOf(t)}</p>}
                  <div class="dk-tc-meta muted small">
                    <Person p={t.assignee} size={16} fallback="Waiting for an agent" /> · Updated <RelTime iso={t.last_activity_at || t.updated_at} />
                  </div>
                </a>
              </li>
            ))}
          </ul>
        )}
        {cursor && <div class="dk-more"><button class="btn" onClick={() => void more()}>Load more</button></div>}
      </div>
    </div>
  );
}

export function NewTicket() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [description, setDescription] = useState("");
  const ref = new URLSearchParams(location.search).get("ref");
  const membership = useStore((s) => s.me?.membership);
  const staff = isStaff(membership?.role, membership?.desk);
  return (
    <div class="dk-page dk-portal">
      <DeskHeader title="New ticket" sub="Describe the problem; you can chat with the team on the ticket afterwards." />
      <div class="dk-portal-body">
        <form
          class="dk-form ui-form"
          data-testid="new-ticket"
          onSubmit={async (e) => {
            e.preventDefault();
            const fd = new FormData(e.currentTarget);
            const desc = String(fd.get("description") ?? "").trim();
            if (!desc) {
              setError("Please describe the problem.");
              return;
            }
            setBusy(true);
            setError(null);
            try {
              const subject = String(fd.get("subject") ?? "").trim();
              const priority = String(fd.get("priority") ?? "") as TicketPriority | "";
              const t = await deskApi.createTicket({
                description: desc,
                ...(subject ? { subject } : {}),
                ...(priority ? { priority } : {}),
                ...(ref && /^\d+$/.test(ref) ? { reference_id: ref } : {}),
              });
              navigate((staff ? "/desk/tickets/" : "/support/tickets/") + t.id);
            } catch (err) {
              setError(errText(err));
              setBusy(false);
            }
          }}
        >
          <label class="ui-field">
            <span class="ui-label">Subject <span class="muted">(optional)</span></span>
            <input class="ui-input" name="subject" maxLength={200} placeholder="A short summary" autoFocus />
          </label>
          <label class="ui-field">
            <span class="ui-label">Description</span>
            <textarea class="ui-input dk-textarea" name="description" required rows={7} maxLength={20000} value={description}
              onInput={(e) => setDescription(e.currentTarget.value)}
              placeholder="What happened? What did you expect? Steps, order numbers, error messages…" />
          </label>
          <label class="ui-field">
            <span class="ui-label">Priority <span class="muted">(optional)</span></span>
            <select class="ui-input" name="priority" defaultValue="">
              <option value="">Normal</option>
              {PRIORITIES.filter((p) => p !== "normal").map((p) => <option key={p} value={p}>{priorityLabel[p]}</option>)}
            </select>
          </label>
          {error && <div class="dk-error" role="alert">{error}</div>}
          <div class="dk-form-actions">
            <a class="btn" href={staff ? "/desk" : "/support"} onClick={linkClick}>Cancel</a>
            <button class="btn primary" type="submit" disabled={busy || !description.trim()}>{busy ? "Submitting…" : "Submit ticket"}</button>
          </div>
        </form>
      </div>
    </div>
  );
}
