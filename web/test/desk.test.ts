// lib/desk.ts: filters ↔ query, live rows in a filtered list, the merged timeline, lifecycle controls, helpers.
import { describe, expect, it, vi } from "vitest";

vi.mock("../src/lib/socket", () => ({ getSocket: () => null }));

const {
  applyLiveTicket, compareTickets, filtersFromSearch, filtersToQuery, filtersToSearch, fillDays, humanDuration, isUnread, liveRow, matchesFilters,
  isStaff, mergeFetchedTicket, mergeTimeline, normaliseStats, normaliseTags, previewOf, seqToMarkRead, ticketControls, eventText,
} = await import("../src/lib/desk");
import type { Ticket, TicketEvent } from "../src/lib/desk";
import type { Message } from "../src/lib/types";

const ticket = (over: Partial<Ticket> = {}): Ticket => ({
  id: "1", number: 1001, subject: "Printer on fire", description: "It is on fire", status: "open", priority: "normal",
  requester: { id: "50", display_name: "Cat", avatar_url: "" }, assignee: null, tags: [],
  created_at: "2025-01-01T10:00:00Z", updated_at: "2025-01-01T10:00:00Z", ...over,
});

const msg = (over: Partial<Message>): Message => ({
  id: "1", channel_id: "c", seq: 1, change: 1, author: { id: "50", kind: "user", display_name: "Cat", avatar_url: "" }, source: "internal",
  body: "hi", parent_id: null, broadcast: false, reply_count: 0, last_reply_at: null, reply_users: [], client_msg_id: "", internal: false,
  created_at: "2025-01-01T10:00:00Z", edited_at: null, deleted_at: null, reactions: [], mentions: [], mention_all: false, ...over,
});

describe("filters", () => {
  it("leave out empty values and defaults", () => {
    expect(filtersToQuery({ assignee: "anyone", sort: "newest", q: "  ", tag: "" })).toEqual({});
    expect(filtersToQuery({ status: "open", assignee: "unassigned", priority: "urgent", tag: " Billing ", q: " refund ", sort: "priority" }, "abc", 25)).toEqual({
      status: "open", assignee: "unassigned", priority: "urgent", tag: "billing", q: "refund", sort: "priority", cursor: "abc", limit: "25",
    });
  });
  it("round-trip through the address", () => {
    const f = { status: "resolved" as const, assignee: "me" as const, priority: "high" as const, tag: "vip", q: "x y", sort: "activity" as const };
    expect(filtersFromSearch("?" + filtersToSearch(f))).toEqual(f);
    expect(filtersFromSearch("?status=bogus&sort=nope&assignee=42")).toEqual({ assignee: "anyone", sort: "newest" });
  });
  it("match tickets like the server", () => {
    const t = ticket({ status: "assigned", assignee: { id: "7", display_name: "Ann", avatar_url: "" }, tags: ["vip"] });
    expect(matchesFilters(t, { assignee: "me" }, "7")).toBe(true);
    expect(matchesFilters(t, { assignee: "me" }, "8")).toBe(false);
    expect(matchesFilters(t, { assignee: "unassigned" }, "7")).toBe(false);
    expect(matchesFilters(t, { status: "open" }, "7")).toBe(false);
    expect(matchesFilters(t, { tag: "VIP" }, "7")).toBe(true);
    expect(matchesFilters(t, { q: "printer" }, "7")).toBe(true);
    expect(matchesFilters(t, { q: "#1001" }, "7")).toBe(true);
    expect(matchesFilters(t, { q: "scanner" }, "7")).toBe(false);
  });
});

describe("live rows", () => {
  const a = ticket({ id: "1", number: 1001, created_at: "2025-01-01T10:00:00Z" });
  const b = ticket({ id: "2", number: 1002, created_at: "2025-01-02T10:00:00Z" });
  it("insert a new ticket where the sort puts it", () => {
    const c = ticket({ id: "3", number: 1003, created_at: "2025-01-03T10:00:00Z" });
    expect(applyLiveTicket([b, a], c, { sort: "newest" }, "7").map((t) => t.id)).toEqual(["3", "2", "1"]);
    expect(applyLiveTicket([a, b], c, { sort: "oldest" }, "7").map((t) => t.id)).toEqual(["1", "2", "3"]);
  });
  it("drop a ticket that no longer matches, update one that does", () => {
    const list = [b, a];
    expect(applyLiveTicket(list, { ...a, status: "assigned", assignee: { id: "7", display_name: "Ann", avatar_url: "" } }, { assignee: "unassigned" }, "7").map((t) => t.id)).toEqual(["2"]);
    const out = applyLiveTicket(list, { ...a, priority: "urgent" }, {}, "7");
    expect(out.find((t) => t.id === "1")?.priority).toBe("urgent");
    expect(applyLiveTicket(list, ticket({ id: "9", status: "closed" }), { status: "open" }, "7")).toBe(list);
  });
  it("sort by priority, then newest", () => {
    const u = ticket({ id: "5", priority: "urgent", created_at: "2024-01-01T00:00:00Z" });
    expect([a, b, u].sort(compareTickets("priority")).map((t) => t.id)).toEqual(["5", "2", "1"]);
  });
});

describe("preview and unread marker", () => {
  const carl = { id: "50", display_name: "Cat" };
  const row = ticket({ id: "1", last_seq: 3, read_seq: 3, unread: false, unread_count: 0, last_message: { seq: 3, author: carl, body: "old" } });
  it("reads the server's fields", () => {
    expect(previewOf(ticket({ last_message: { seq: 1, author: carl, body: "Hello  there", created_at: "2025-01-01T10:00:00Z" } }))).toBe("Hello there");
    expect(previewOf(ticket({ last_message: null }))).toBe("");
    expect(isUnread(ticket({ unread: true, unread_count: 0 }))).toBe(true);
    expect(isUnread(row)).toBe(false);
  });
  it("a desk event's viewer-less fields never clear or set the marker", () => {
    // Same seq (status change): the row keeps its own read state, whatever the event says.
    const unreadRow = { ...row, read_seq: 2, unread: true, unread_count: 1 };
    const same = liveRow(unreadRow, { id: "1", status: "resolved", last_seq: 3, read_seq: 0, unread: false, unread_count: 0 }, "7");
    expect(same.status).toBe("resolved");
    expect(isUnread(same)).toBe(true);
    expect(same.read_seq).toBe(2);
    // A newer message from someone else: unread, with the new preview.
    const next = liveRow(row, { id: "1", last_seq: 4, unread: false, unread_count: 0, last_message: { seq: 4, author: carl, body: "new" } }, "7");
    expect(next.unread).toBe(true);
    expect(next.unread_count).toBe(1);
    expect(previewOf(next)).toBe("new");
    // Our own message: read.
    const mine = liveRow(row, { id: "1", last_seq: 4, last_message: { seq: 4, author: { id: "7", display_name: "Ann" }, body: "reply" } }, "7");
    expect(isUnread(mine)).toBe(false);
    expect(mine.read_seq).toBe(4);
    // An event without seqs leaves the marker alone.
    expect(isUnread(liveRow(unreadRow, { id: "1", priority: "high" }, "7"))).toBe(true);
  });
  it("a ticket first seen through an event is unread only when it has messages", () => {
    expect(isUnread(liveRow(undefined, ticket({ id: "9", last_seq: 0, unread: false }), "7"))).toBe(false);
    expect(isUnread(liveRow(undefined, ticket({ id: "9", last_seq: 2, unread: false }), "7"))).toBe(true);
  });
  it("marks read only what is seen at the bottom of a visible page, and only forward", () => {
    expect(seqToMarkRead(5, 0, true, true)).toBe(5);
    expect(seqToMarkRead(5, 5, true, true)).toBeNull();
    expect(seqToMarkRead(5, 3, false, true)).toBeNull();
    expect(seqToMarkRead(5, 3, true, false)).toBeNull();
    expect(seqToMarkRead(0, 0, true, true)).toBeNull();
  });
});

describe("timeline", () => {
  it("merges conversation and notes by time, each message once", () => {
    const c1 = msg({ id: "10", seq: 1, created_at: "2025-01-01T10:00:00Z" });
    const c2 = msg({ id: "12", seq: 2, created_at: "2025-01-01T10:05:00Z" });
    const n1 = msg({ id: "11", channel_id: "n", seq: 1, internal: true, created_at: "2025-01-01T10:02:00Z" });
    const c2edited = { ...c2, change: 5, body: "edited" };
    const items = mergeTimeline([c1, c2, c2edited], [n1]);
    expect(items.map((i) => (i.kind === "message" ? i.message.id : i.key))).toEqual(["10", "11", "12"]);
    const last = items[2];
    expect(last.kind === "message" && last.message.body).toBe("edited");
  });
  it("orders equal times by seq within the conversation", () => {
    const t = "2025-01-01T10:00:00Z";
    const items = mergeTimeline([msg({ id: "21", seq: 2, created_at: t }), msg({ id: "20", seq: 1, created_at: t })], []);
    expect(items.map((i) => i.kind === "message" && i.message.id)).toEqual(["20", "21"]);
  });
  it("shows events as lines only when the conversation has no system messages", () => {
    const ev: TicketEvent = { id: "e1", kind: "assigned", actor_id: "7", data: { to: "7" }, created_at: "2025-01-01T10:01:00Z" };
    const created: TicketEvent = { id: "e0", kind: "created", created_at: "2025-01-01T09:00:00Z" };
    const c1 = msg({ id: "10", created_at: "2025-01-01T10:00:00Z" });
    expect(mergeTimeline([c1], [], [created, ev]).map((i) => i.key)).toEqual(["m10", "ee1"]);
    const sys = msg({ id: "13", seq: 2, author: { id: "0", kind: "system", display_name: "", avatar_url: "" }, source: "system", created_at: "2025-01-01T10:01:00Z" });
    expect(mergeTimeline([c1, sys], [], [ev]).map((i) => i.key)).toEqual(["m10", "m13"]);
  });
  it("words events", () => {
    const name = (id: string | null | undefined) => (id === "7" ? "Ann" : "Bo");
    expect(eventText({ id: "1", kind: "assigned", actor_id: "7", data: { to: "8" }, created_at: "" }, name)).toBe("Ann assigned the ticket to Bo");
    expect(eventText({ id: "1", kind: "status", actor_id: "7", data: { from: "open", to: "resolved" }, created_at: "" }, name)).toBe("Ann changed the status to resolved");
  });
});

describe("lifecycle controls", () => {
  const me = "7";
  const assignedToMe = { assignee: { id: me, display_name: "Ann", avatar_url: "" } };
  it("agents: resolve and close while live, reopen when resolved, nothing but notes when closed", () => {
    expect(ticketControls({ status: "open" }, "agent", me)).toMatchObject({ assignToMe: true, assignOthers: false, unassign: false, resolve: true, close: true, reopen: false });
    expect(ticketControls({ status: "assigned", ...assignedToMe }, "agent", me)).toMatchObject({ assignToMe: false, unassign: true, resolve: true, close: true, reopen: false });
    expect(ticketControls({ status: "assigned", assignee_id: "8" }, "agent", me)).toMatchObject({ assignToMe: true, unassign: false });
    expect(ticketControls({ status: "resolved" }, "agent", me)).toMatchObject({ resolve: false, close: true, reopen: true });
    expect(ticketControls({ status: "closed" }, "agent", me)).toMatchObject({ assignToMe: false, resolve: false, close: false, reopen: false, edit: false, notes: true });
  });
  it("admins and owners also assign to anyone and unassign others", () => {
    for (const role of ["admin", "owner"] as const) {
      expect(ticketControls({ status: "assigned", assignee_id: "8" }, role, me)).toMatchObject({ assignOthers: true, unassign: true });
      expect(ticketControls({ status: "closed" }, role, me).assignOthers).toBe(false);
    }
  });
  it("customers and members get no controls", () => {
    for (const role of ["customer", "member", undefined] as const) {
      for (const status of ["open", "assigned", "resolved", "closed"] as const) {
        expect(Object.values(ticketControls({ status }, role, me)).some(Boolean)).toBe(false);
      }
    }
  });
  it("a member with the desk grant gets exactly an agent's controls; the grant means nothing for a customer", () => {
    const tickets = [{ status: "open" }, { status: "assigned", ...assignedToMe }, { status: "assigned", assignee_id: "8" }, { status: "resolved" }, { status: "closed" }] as const;
    for (const t of tickets) {
      expect(ticketControls(t, "member", me, true)).toEqual(ticketControls(t, "agent", me));
      expect(Object.values(ticketControls(t, "member", me, false)).some(Boolean)).toBe(false);
      expect(Object.values(ticketControls(t, "customer", me, true)).some(Boolean)).toBe(false);
    }
  });
});

describe("isStaff", () => {
  it("agents, admins and owners always; members only with the desk grant; customers never", () => {
    for (const role of ["agent", "admin", "owner"] as const) {
      expect(isStaff(role)).toBe(true);
      expect(isStaff(role, false)).toBe(true);
      expect(isStaff(role, true)).toBe(true);
    }
    expect(isStaff("member")).toBe(false);
    expect(isStaff("member", false)).toBe(false);
    expect(isStaff("member", true)).toBe(true);
    expect(isStaff("customer", true)).toBe(false);
    expect(isStaff("customer")).toBe(false);
    expect(isStaff(undefined, true)).toBe(false);
  });
});

describe("helpers", () => {
  it("durations", () => {
    expect(humanDuration(null)).toBe("—");
    expect(humanDuration(42)).toBe("42 s");
    expect(humanDuration(600)).toBe("10 min");
    expect(humanDuration(3 * 3600 + 20 * 60)).toBe("3 h 20 min");
    expect(humanDuration(2 * 86400 + 4 * 3600)).toBe("2 d 4 h");
  });
  it("tags", () => {
    expect(normaliseTags("Billing, #VIP  vip refund!")).toEqual(["billing", "vip", "refund"]);
    expect(normaliseTags(Array.from({ length: 12 }, (_, i) => "t" + i))).toHaveLength(10);
  });
  it("fills 30 days", () => {
    const days = fillDays([{ date: "2025-03-10", created: 3, resolved: 1 }], 30, new Date("2025-03-10T12:00:00Z"));
    expect(days).toHaveLength(30);
    expect(days[29]).toEqual({ date: "2025-03-10", created: 3, resolved: 1 });
    expect(days[0]).toEqual({ date: "2025-02-09", created: 0, resolved: 0 });
  });
  it("normalises stats", () => {
    const s = normaliseStats({ by_status: { open: 2 }, live: { connected_clients: 3, connected_agents: 1, active_ticket_rooms: 2 }, median_first_response_seconds: 90, agents: [{ user: { id: "7", display_name: "Ann", avatar_url: "" }, role: "agent", open_load: 2 }], daily: [{ date: "2025-03-10", created: 1, resolved: 0 }] });
    expect(s.per_day).toEqual([{ date: "2025-03-10", created: 1, resolved: 0 }]);
    expect(s.by_status.open).toBe(2);
    expect(s.live).toEqual({ connected_clients: 3, connected_agents: 1, active_ticket_rooms: 2 });
    expect(s.median_first_response_seconds).toBe(90);
    expect(s.median_resolution_seconds).toBeNull();
    expect(s.agents[0].open).toBe(2);
  });
});

describe("desk routes", async () => {
  const { matchRoute } = await import("../src/lib/router");
  it("match", () => {
    expect(matchRoute("workspace", "/desk")).toEqual({ name: "desk" });
    expect(matchRoute("workspace", "/desk/tickets/42")).toEqual({ name: "desk-ticket", ticketId: "42" });
    expect(matchRoute("workspace", "/desk/dashboard")).toEqual({ name: "desk-dashboard" });
    expect(matchRoute("workspace", "/support/")).toEqual({ name: "support" });
    expect(matchRoute("workspace", "/support/new")).toEqual({ name: "support-new" });
    expect(matchRoute("workspace", "/support/tickets/7")).toEqual({ name: "support-ticket", ticketId: "7" });
    expect(matchRoute("workspace", "/settings/audit")).toEqual({ name: "settings", section: "audit" });
    expect(matchRoute("workspace", "/desk/tickets/abc").name).toBe("not-found");
  });
});

describe("mergeFetchedTicket", () => {
  it("takes a ticket read again after a join, unless a live event brought a newer copy", () => {
    const live = ticket({ status: "resolved", updated_at: "2025-01-01T10:00:05.12Z" });
    const older = ticket({ status: "assigned", updated_at: "2025-01-01T10:00:05.1Z" });
    expect(mergeFetchedTicket(live, older).status).toBe("resolved");
    const newer = ticket({ status: "resolved", updated_at: "2025-01-01T10:00:06Z" });
    expect(mergeFetchedTicket(ticket({ status: "assigned" }), newer).status).toBe("resolved");
    const same = ticket({ status: "resolved" });
    expect(mergeFetchedTicket(ticket({ status: "assigned" }), same).status).toBe("resolved"); // equal: the read wins
    expect(mergeFetchedTicket(null, same)).toEqual(same);
  });
});
