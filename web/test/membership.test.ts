import { afterEach, describe, expect, it, vi } from "vitest";
import { createStore } from "../src/lib/store";
import { applyMembership } from "../src/lib/socket";
import { BOB, ME, me } from "./fixtures";

afterEach(() => vi.unstubAllGlobals());

describe("a role change applies live (member:role_changed)", () => {
  it("changes your membership at once, so navigation follows", () => {
    const s = createStore();
    s.setMe({ ...me(), membership: { ...me().membership, role: "member" } });
    const before = s.get().me;
    applyMembership({ user_id: ME, role: "agent", desk: false }, s);
    expect(s.get().me?.membership.role).toBe("agent");
    expect(s.get().me?.user).toBe(before?.user);
    applyMembership({ user_id: ME, role: "member", desk: true }, s);
    expect(s.get().me?.membership).toMatchObject({ role: "member", desk: true });
  });
  it("updates another member's role in the member list, not yours", () => {
    const s = createStore();
    s.setMe({ ...me(), membership: { ...me().membership, role: "owner" } });
    s.setMembers([{ user: { id: BOB, email: "", display_name: "Bob", avatar_url: "", created_at: "" }, role: "member", joined_at: "" }]);
    applyMembership({ user_id: BOB, role: "admin", desk: false }, s);
    expect(s.get().members[BOB].role).toBe("admin");
    expect(s.get().me?.membership.role).toBe("owner");
  });
  it("changes nothing when nothing changed (no re-render)", () => {
    const s = createStore();
    s.setMe({ ...me(), membership: { ...me().membership, role: "agent" } });
    const before = s.get();
    applyMembership({ user_id: ME, role: "agent", desk: false }, s);
    expect(s.get()).toBe(before);
  });
  it("reloads the app when you become a customer or stop being one", () => {
    const reload = vi.fn();
    vi.stubGlobal("location", { ...window.location, reload });
    const s = createStore();
    s.setMe({ ...me(), membership: { ...me().membership, role: "member" } });
    applyMembership({ user_id: ME, role: "customer", desk: false }, s);
    expect(reload).toHaveBeenCalledTimes(1);
    expect(s.get().me?.membership.role).toBe("member");
  });
});
