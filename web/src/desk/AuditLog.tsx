// /settings/audit (admins, owners): the append-only audit log, newest first, filtered by action and actor, paged
// by cursor. Read-only: the API has no way to change it.
import { useEffect, useState } from "preact/hooks";
import { useStore } from "../lib/store";
import { deskApi, type AuditEvent } from "../lib/desk";
import type { ID } from "../lib/types";
import { Alert, errText, Loading } from "../dialogs/kit";
import { fullTime } from "../lib/format";
import { Person, RelTime } from "./common";
import "../styles/desk.css";

/** The audit vocabulary (app.Audit*), with words for people. */
export const AUDIT_ACTIONS: Record<string, string> = {
  "member.role_changed": "Role changed",
  "member.desk_access_changed": "Support desk access changed",
  "member.removed": "Member removed",
  "invite.created": "Invitation sent",
  "invite.revoked": "Invitation revoked",
  "invite.accepted": "Invitation accepted",
  "member.signed_up": "Customer signed up",
  "workspace.ownership_transferred": "Ownership transferred",
  "workspace.branding_changed": "Branding changed",
  "workspace.settings_changed": "Settings changed",
  "ticket.assigned": "Ticket assigned",
  "ticket.status_changed": "Ticket status changed",
  "ticket.updated": "Ticket updated",
};

export function auditSummary(e: AuditEvent): string {
  const d = e.data ?? {};
  const from = d.from ?? d.old, to = d.to ?? d.new ?? d.role ?? d.status;
  const parts: string[] = [];
  if (d.email) parts.push(String(d.email));
  if (from !== undefined && to !== undefined) parts.push(`${fmt(from)} → ${fmt(to)}`);
  else if (to !== undefined) parts.push(fmt(to));
  if (!parts.length) {
    const rest = Object.entries(d).filter(([, v]) => v !== null && v !== "" && typeof v !== "object").slice(0, 3);
    for (const [k, v] of rest) parts.push(`${k}: ${String(v)}`);
  }
  return parts.join(" · ");
}

function targetText(e: AuditEvent, name: (id: ID) => string): string {
  if (!e.target_kind) return "—";
  if (e.target_kind === "workspace") return "Workspace";
  if (!e.target_id) return e.target_kind;
  if (e.target_kind === "user") return name(e.target_id);
  return `${e.target_kind} ${e.target_id}`;
}

const fmt = (v: unknown) => (v === null ? "none" : Array.isArray(v) ? v.join(", ") || "none" : typeof v === "object" ? JSON.stringify(v) : String(v));

export function AuditLog() {
  const members = useStore((s) => s.members);
  const [action, setAction] = useState("");
  const [actor, setActor] = useState<ID>("");
  const [events, setEvents] = useState<AuditEvent[] | null>(null);
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
  const name = (id: ID | null | undefined) => (id ? members[id]?.user.display_name ?? `User ${id}` : "System");

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
        <div class="dk-table-scroll">
          <table class="dk-table dk-audit-table">
            <thead>
              <tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Details</th><th scope="col">IP</th></tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.id} data-testid="audit-row" data-action={e.action}>
                  <td title={fullTime(e.created_at)}><RelTime iso={e.created_at} /></td>
                  <td>{e.actor ? <Person p={{ id: e.actor_id ?? "0", display_name: e.actor.display_name, avatar_url: e.actor.avatar_url ?? "" }} size={18} /> : name(e.actor_id)}</td>
                  <td><code class="dk-action">{AUDIT_ACTIONS[e.action] ?? e.action}</code></td>
                  <td>{targetText(e, name)}</td>
                  <td class="dk-audit-data">{auditSummary(e)}</td>
                  <td class="muted"><code>{e.ip || "—"}</code></td>
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
