// /settings/audit (admins, owners): the append-only audit log, newest first, filtered by action and actor, paged
// by cursor. Read-only: the API has no way to change it.
import { useEffect, useState } from "preact/hooks";
import { useStore } from "../lib/store";
import { deskApi } from "../lib/desk";
import type { ID } from "../lib/types";
import { Alert, errText, Loading } from "../dialogs/kit";
import { fullTime } from "../lib/format";
import { linkClick } from "../lib/router";
import { Person, RelTime } from "./common";
import { AUDIT_ACTIONS, actionLabel, auditDetails, auditTarget, type NamedAuditEvent } from "./audit";
import "../styles/desk.css";

/** Details with each #rrggbb colour shown as a swatch before it. */
function Details({ text }: { text: string }) {
  if (!text) return <span class="muted">—</span>;
  const parts = text.split(/(#[0-9a-fA-F]{6})\b/);
  return (
    <>
      {parts.map((p, i) =>
        i % 2 ? (
          <span key={i} class="dk-swatch-wrap"><span class="dk-swatch" style={{ background: p }} aria-hidden="true" />{p}</span>
        ) : (
          p
        ),
      )}
    </>
  );
}

export function AuditLog() {
  const members = useStore((s) => s.members);
  const [action, setAction] = useState("");
  const [actor, setActor] = useState<ID>("");
  const [events, setEvents] = useState<NamedAuditEvent[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    setEvents(null);
    deskApi.audit({ action, actor_id: actor, limit: 50 }).then(
      (p) => {
        if (!live) return;
        setEvents(p.items);
        setCursor(p.next_cursor);
        setError(null);
      },
      (e) => live && (setError(errText(e)), setEvents([])),
    );
    return () => void (live = false);
  }, [action, actor]);

  const more = () => {
    if (!cursor) return;
    setBusy(true);
    deskApi.audit({ action, actor_id: actor, cursor, limit: 50 }).then(
      (p) => {
        setEvents((l) => [...(l ?? []), ...p.items]);
        setCursor(p.next_cursor);
        setBusy(false);
      },
      (e) => {
        setError(errText(e));
        setBusy(false);
      },
    );
  };

  const staffPeople = Object.values(members).filter((m) => m.role !== "customer").sort((a, b) => a.user.display_name.localeCompare(b.user.display_name));
  const memberName = (id: ID) => members[id]?.user.display_name;
  const name = (id: ID | null | undefined) => (id ? memberName(id) ?? "A former member" : "System");

  return (
    <div class="st-page dk-audit" data-testid="audit-log">
      <h2>Audit log</h2>
      <p class="st-lead">Admin and desk actions in this workspace: who did what, to what, when and from where. Entries cannot be changed or deleted.</p>
      <div class="dk-filters" role="group" aria-label="Filters">
        <select aria-label="Action" name="action" value={action} onChange={(e) => setAction(e.currentTarget.value)}>
          <option value="">All actions</option>
          {Object.entries(AUDIT_ACTIONS).map(([k, v]) => <option key={k} value={k}>{v}</option>)}
        </select>
        <select aria-label="Actor" name="actor" value={actor} onChange={(e) => setActor(e.currentTarget.value)}>
          <option value="">Anyone</option>
          {staffPeople.map((m) => <option key={m.user.id} value={m.user.id}>{m.user.display_name}</option>)}
        </select>
      </div>
      {error && <Alert kind="error">{error}</Alert>}
      {events === null ? <Loading /> : !events.length ? <p class="ui-muted">No entries{action || actor ? " match these filters" : " yet"}.</p> : (
        <div class="dk-table-scroll dk-audit-scroll">
          <table class="dk-table dk-audit-table">
            <thead>
              <tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Details</th><th scope="col" class="dk-audit-ip">IP</th></tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.id} data-testid="audit-row" data-action={e.action}>
                  <td class="dk-audit-when" title={fullTime(e.created_at)}><RelTime iso={e.created_at} />{e.ip && <span class="dk-audit-ip2">{e.ip}</span>}</td>
                  <td class="dk-audit-who">{e.actor ? <Person p={{ id: e.actor_id ?? "0", display_name: e.actor.display_name, avatar_url: e.actor.avatar_url ?? "" }} size={18} /> : name(e.actor_id)}</td>
                  <td class="dk-audit-action"><span class="dk-action" data-testid="audit-action">{actionLabel(e.action)}</span></td>
                  <td class="dk-audit-target" data-testid="audit-target">
                    {e.target_kind === "ticket" && e.target_id && e.target_name ? (
                      <a class="ui-link" href={`/desk/tickets/${e.target_id}`} onClick={linkClick}>{auditTarget(e, memberName)}</a>
                    ) : (
                      auditTarget(e, memberName)
                    )}
                  </td>
                  <td class="dk-audit-data" data-testid="audit-details"><Details text={auditDetails(e, memberName)} /></td>
                  <td class="dk-audit-ip muted"><span class="dk-audit-label">IP </span><code>{e.ip || "—"}</code></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && <div class="dk-more"><button class="ui-btn" onClick={more} disabled={busy}>{busy ? "Loading…" : "Load more"}</button></div>}
    </div>
  );
}
