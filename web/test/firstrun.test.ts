// When a new workspace's checklist starts, and what counts as done.
import { beforeEach, describe, expect, it } from "vitest";
import { brandingDone, firstRunMode, startFirstRun } from "../src/lib/firstrun";
import type { Member } from "../src/lib/types";
import { BOB, channel, me } from "./fixtures";

const bob = (over: Partial<Member> = {}): Member => ({
  user: { id: BOB, email: "", display_name: "Bob", avatar_url: "", created_at: "" }, role: "member", joined_at: "2025-01-01T00:00:00Z", ...over,
});
const general = channel({ id: "10", name: "general" });

beforeEach(() => localStorage.clear());

describe("startFirstRun", () => {
  it("starts for an owner alone with #general, once, and stays on", () => {
    const s = { me: me(), members: {}, channels: { "10": general } };
    expect(startFirstRun(s)).toBe(true);
    expect(firstRunMode("1")).toBe("on");
    // Later the workspace fills up: still on until done or dismissed (the card ticks steps off).
    expect(startFirstRun({ ...s, members: { [BOB]: bob() } })).toBe(true);
  });

  it.each([
    ["someone else joined", { members: { [BOB]: bob() } }],
    ["another channel exists", { channels: { "10": general, "11": channel({ id: "11", name: "random" }) } }],
  ])("does not start when %s", (_, over) => {
    expect(startFirstRun({ me: me(), members: {}, channels: { "10": general }, ...over })).toBe(false);
    expect(firstRunMode("1")).toBeNull();
  });

  it("counts neither customers, people known only from a message, nor DMs", () => {
    const members = { [BOB]: bob({ role: "customer" }), "300": bob({ user: { ...bob().user, id: "300" }, joined_at: "" }) };
    const channels = { "10": general, "12": channel({ id: "12", name: "", kind: "dm" }) };
    expect(startFirstRun({ me: me(), members, channels })).toBe(true);
  });

  it("is for owners and admins only, and never comes back once off", () => {
    const member = me();
    member.membership.role = "member";
    expect(startFirstRun({ me: member, members: {}, channels: { "10": general } })).toBe(false);
    localStorage.setItem("relay.firstRun.1", "off");
    expect(startFirstRun({ me: me(), members: {}, channels: { "10": general } })).toBe(false);
  });
});

describe("brandingDone", () => {
  it.each([
    [{ logo_url: "", primary_color: "#4F46E5", accent_color: "#f59e0b" }, false],
    [{ logo_url: "/logo", primary_color: "#4f46e5", accent_color: "#f59e0b" }, true],
    [{ logo_url: "", primary_color: "#0f766e", accent_color: "#f59e0b" }, true],
    [{ logo_url: "", primary_color: "#4f46e5", accent_color: "#000000" }, true],
  ])("%o → %s", (ws, done) => expect(brandingDone(ws)).toBe(done));
});
