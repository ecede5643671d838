// The audit log in words (src/desk/audit.ts): labels for every action, targets by name, what changed.
import { describe, expect, it } from "vitest";
import { AUDIT_ACTIONS, actionLabel, auditDetails, auditTarget, type NamedAuditEvent } from "../src/desk/audit";

const ev = (action: string, data: Record<string, unknown>, extra: Partial<NamedAuditEvent> = {}): NamedAuditEvent => ({
  id: "1", action, target_kind: "", target_id: null, data, created_at: "2026-01-01T00:00:00Z", ...extra,
});

describe("audit labels", () => {
  it("gives every action in the table words, never its code (the table is also the filter's list)", () => {
    const entries = Object.entries(AUDIT_ACTIONS);
    expect(entries.length).toBeGreaterThanOrEqual(23);
    for (const [code, label] of entries) {
      expect(label.trim()).not.toBe("");
      expect(label).not.toContain(code);
      expect(label).not.toMatch(/[._]/);
      expect(actionLabel(code)).toBe(label);
    }
    expect(AUDIT_ACTIONS["incoming_webhook.created"]).toBe("Incoming webhook added");
    expect(AUDIT_ACTIONS["connector.created"]).toBe("Connector added");
  });
  it("still says something readable for an action it does not know", () => {
    expect(actionLabel("thing.exploded")).toBe("Thing exploded");
  });
});

describe("auditTarget", () => {
  const none = () => undefined;
  it("names targets as people know them, and says when they are gone", () => {
    expect(auditTarget(ev("ticket.assigned", {}, { target_kind: "ticket", target_id: "9", target_name: "#1001 Kettle" }), none)).toBe("Ticket #1001 Kettle");
    expect(auditTarget(ev("member.removed", {}, { target_kind: "user", target_id: "5", target_name: "Meg" }), none)).toBe("Meg");
    expect(auditTarget(ev("member.role_changed", {}, { target_kind: "user", target_id: "5" }), (id) => (id === "5" ? "Gus" : undefined))).toBe("Gus");
    expect(auditTarget(ev("member.role_changed", {}, { target_kind: "user", target_id: "5" }), none)).toBe("A former member");
    expect(auditTarget(ev("connector.created", {}, { target_kind: "connector", target_id: "3", target_name: "Shop LINE" }), none)).toBe("Connector Shop LINE");
    expect(auditTarget(ev("incoming_webhook.deleted", {}, { target_kind: "incoming_webhook", target_id: "3" }), none)).toBe("An incoming webhook");
  });
});

describe("auditDetails", () => {
  it("shows colour and name changes from → to (the branding change is never empty)", () => {
    expect(auditDetails(ev("workspace.branding_changed", { primary_color: { from: "#112233", to: "#445566" }, name: { from: "Acme", to: "Acme Two" } })))
      .toBe("Primary colour #112233 → #445566 · Name “Acme” → “Acme Two”");
    expect(auditDetails(ev("workspace.branding_changed", { logo: "removed" }))).toBe("Logo removed");
    expect(auditDetails(ev("workspace.settings_changed", { customer_signup: { from: false, to: true } }))).toBe("Customer sign-up off → on");
  });
  it("names people by the names the server resolved, not their ids", () => {
    const e = ev("ticket.assigned", { from: null, to: "255728796324110336" }, { names: { "255728796324110336": "Gus" } });
    expect(auditDetails(e)).toBe("nobody → Gus");
    expect(auditDetails(ev("ticket.assigned", { from: "1", to: "2" }))).toBe("a former member → a former member");
    expect(auditDetails(ev("workspace.ownership_transferred", { from: "7" }), (id) => (id === "7" ? "Ann" : undefined))).toBe("From Ann");
  });
  it("says what changed on tickets, connectors and webhooks", () => {
    expect(auditDetails(ev("ticket.updated", { priority: { from: "normal", to: "high" }, tags: { from: [], to: ["vip"] } }))).toBe("Priority normal → high · Tags none → vip");
    expect(auditDetails(ev("ticket.updated", { subject: null, priority: "high", tags: null }))).toBe("priority: high"); // written before names
    expect(auditDetails(ev("ticket.status_changed", { from: "open", to: "resolved", automatic: false }))).toBe("open → resolved");
    expect(auditDetails(ev("connector.created", { type: "line", model: "own", name: "Shop" }))).toBe("LINE · own bot");
    expect(auditDetails(ev("connector.updated", { name: "Shop", status: "disabled", credentials: "replaced" }))).toBe("Status disabled · Credentials replaced");
    expect(auditDetails(ev("connector.bridges", { channels: 2 }))).toBe("2 channels bridged");
    expect(auditDetails(ev("incoming_webhook.created", { channel_id: "4", name: "CI" }, { names: { "4": "#general" } }))).toBe("Posts into #general");
    expect(auditDetails(ev("member.desk_access_changed", { from: false, to: true, role: "member" }))).toBe("Support desk granted");
  });
});
