// The audit log in words: one table of action labels (audit-actions.json, checked against the server's vocabulary by
// a Go test in web/), the target's name and what changed, from the names the server resolves for the log
// (`target_name`, and `names` for ids in the details). Pure, unit-tested in test/audit.test.ts.
import type { AuditEvent } from "../lib/desk";
import labels from "./audit-actions.json";

/** An audit event with the names the server adds when listing. */
export type NamedAuditEvent = AuditEvent & { target_name?: string; names?: Record<string, string> };

/** Every action the server writes, with its label: the filter's options, in this order. */
export const AUDIT_ACTIONS: Record<string, string> = labels;

export function actionLabel(action: string): string {
  return AUDIT_ACTIONS[action] ?? action.replace(/[._]/g, " ").replace(/^./, (c) => c.toUpperCase());
}

const typeWords: Record<string, string> = { line: "LINE", discord: "Discord", webhook: "Webhook" };
const fieldWords: Record<string, string> = {
  name: "Name",
  primary_color: "Primary colour",
  accent_color: "Accent colour",
  subject: "Subject",
  priority: "Priority",
  tags: "Tags",
  customer_signup: "Customer sign-up",
  status: "Status",
};

type Data = Record<string, unknown>;

function val(v: unknown): string {
  if (v === null || v === undefined || v === "") return "none";
  if (typeof v === "boolean") return v ? "on" : "off";
  if (Array.isArray(v)) return v.length ? v.map(String).join(", ") : "none";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

const isChange = (v: unknown): v is { from?: unknown; to?: unknown } =>
  !!v && typeof v === "object" && !Array.isArray(v) && ("from" in v || "to" in v);

/** "Primary colour #112233 → #445566"-style lines for every {from, to} field of the details. */
function changes(d: Data): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(d)) {
    if (!isChange(v)) continue;
    const quote = k === "subject" || k === "name" ? (x: unknown) => (x ? `“${String(x)}”` : "none") : val;
    out.push(`${fieldWords[k] ?? k.replace(/_/g, " ")} ${quote(v.from)} → ${quote(v.to)}`);
  }
  return out;
}

/** The target as people know it: "Ticket #1001 Kettle broken", the member's name, the connector's name… */
export function auditTarget(e: NamedAuditEvent, memberName: (id: string) => string | undefined): string {
  const n = e.target_name;
  switch (e.target_kind) {
    case "":
    case undefined:
      return "—";
    case "workspace":
      return n || "Workspace";
    case "user":
      return n || (e.target_id && memberName(e.target_id)) || "A former member";
    case "ticket":
      return n ? `Ticket ${n}` : "A deleted ticket";
    case "connector":
      return n ? `Connector ${n}` : "A connector";
    case "webhook":
      return n ? `Webhook ${n}` : "An outgoing webhook";
    case "incoming_webhook":
      return n ? `Incoming webhook “${n}”` : "An incoming webhook";
    case "invite":
      return n ? `Invitation for ${n}` : "An invitation";
    case "outbox":
      return "A message delivery";
  }
  return n || e.target_kind;
}

/** What changed, in words; "" when the action says it all. */
export function auditDetails(e: NamedAuditEvent, memberName: (id: string) => string | undefined = () => undefined): string {
  const d: Data = (e.data ?? {}) as Data;
  const who = (v: unknown) => {
    if (v === null || v === undefined || v === "" || v === "0") return "nobody";
    const id = String(v);
    return e.names?.[id] ?? memberName(id) ?? "a former member";
  };
  const s = (k: string) => (typeof d[k] === "string" ? (d[k] as string) : "");
  switch (e.action) {
    case "member.role_changed":
      return `${val(d.from)} → ${val(d.to)}`;
    case "member.desk_access_changed":
      return d.to ? "Support desk granted" : "Support desk revoked";
    case "member.removed":
      return d.left ? "Left the workspace" : d.role ? `Was ${val(d.role)}` : "";
    case "member.signed_up":
      return [s("email"), d.new_account ? "new account" : ""].filter(Boolean).join(" · ");
    case "invite.created":
      return [s("email"), d.role ? `as ${val(d.role)}` : ""].filter(Boolean).join(" ");
    case "invite.accepted":
      return [s("email"), d.role ? `as ${val(d.role)}` : "", d.invited_by ? `invited by ${who(d.invited_by)}` : ""].filter(Boolean).join(" · ");
    case "workspace.branding_changed": {
      const out = changes(d);
      if (d.logo === "set") out.push("Logo changed");
      if (d.logo === "removed") out.push("Logo removed");
      return out.join(" · ");
    }
    case "workspace.ownership_transferred":
      return `From ${who(d.from)}`;
    case "ticket.assigned":
      return `${who(d.from)} → ${who(d.to)}`;
    case "ticket.status_changed":
      return `${val(d.from)} → ${val(d.to)}${d.automatic ? " (automatic)" : ""}`;
    case "connector.created":
      return [typeWords[s("type")] ?? s("type"), s("model") === "shared" ? "Relay's shared bot" : s("model") === "own" ? "own bot" : ""]
        .filter(Boolean)
        .join(" · ");
    case "connector.updated": {
      const out: string[] = [];
      if (d.status) out.push(`Status ${val(d.status)}`);
      if (d.credentials) out.push("Credentials replaced");
      return out.join(" · ");
    }
    case "connector.deleted":
      return typeWords[s("type")] ?? s("type");
    case "connector.bridges": {
      const n = Number(d.channels ?? 0);
      return n === 0 ? "No channels bridged" : `${n} channel${n === 1 ? "" : "s"} bridged`;
    }
    case "connector.discord_guild":
      return s("guild_id") ? `Discord server ${s("guild_id")}` : "";
    case "outbox.retried":
      return s("kind") === "webhook" ? "Webhook event" : "Message";
    case "webhook.created":
      return [s("url"), Array.isArray(d.events) ? `events: ${val(d.events)}` : ""].filter(Boolean).join(" · ");
    case "webhook.deleted":
      return s("url");
    case "incoming_webhook.created": {
      const ch = s("channel_id");
      return ch ? `Posts into ${e.names?.[ch] ?? "a channel"}` : "";
    }
  }
  // Anything else: its changes, else its plain values.
  const out = changes(d);
  if (out.length) return out.join(" · ");
  return Object.entries(d)
    .filter(([, v]) => v !== null && v !== "" && typeof v !== "object")
    .slice(0, 3)
    .map(([k, v]) => `${k.replace(/_/g, " ")}: ${val(v)}`)
    .join(" · ");
}
