// The "New messages" divider (store.readMarkers) and people who joined after the page loaded.
import { beforeEach, describe, expect, it } from "vitest";
import { createStore, type Store } from "../src/lib/store";
import { BOB, ME, channel, me, msg } from "./fixtures";

let s: Store;
const marker = () => s.get().readMarkers["10"];
/** What the list shows the divider before: the first message from someone else after the marker. */
const dividerBefore = () => {
  const st = s.get();
  const m = st.timelines["10"]?.ids.map((id) => st.messages[id]).find((x) => x.seq > marker() && x.author.id !== ME && !x.deleted_at);
  return m?.seq ?? null;
};
const flush = () => new Promise<void>((r) => queueMicrotask(r));

beforeEach(() => {
  s = createStore();
  s.setMe(me());
});

describe("New messages divider", () => {
  it("opening a channel with unread messages puts it before the first unread one, and it stays while reading", () => {
    s.setChannels([channel({ last_seq: 5, last_change: 5, last_read_seq: 3, unread_count: 2 })]);
    s.receiveHistory("10", [1, 2, 3, 4, 5].map((n) => msg(n)), "latest", 50);
    s.setActiveChannel("10");
    expect(dividerBefore()).toBe(4);
    // The view sees the bottom: the channel is read, the divider stays where it was.
    s.setReading("10", true);
    s.markReadLocal("10", 5);
    expect(s.get().channels["10"].unread_count).toBe(0);
    expect(dividerBefore()).toBe(4);
    // A live message while reading does not move it either.
    s.receiveMessage(msg(6), "new");
    expect(dividerBefore()).toBe(4);
  });

  it("no divider for live messages while reading the bottom of a channel opened with nothing unread", () => {
    s.setChannels([channel({ last_seq: 3, last_change: 3, last_read_seq: 3 })]);
    s.receiveHistory("10", [1, 2, 3].map((n) => msg(n)), "latest", 50);
    s.setActiveChannel("10");
    expect(dividerBefore()).toBeNull();
    s.setReading("10", true);
    s.receiveMessage(msg(4), "new");
    s.receiveMessage(msg(5, { author: { id: ME, kind: "user", display_name: "Ann", avatar_url: "" } }), "new");
    s.receiveMessage(msg(6), "new");
    expect(dividerBefore()).toBeNull();
  });

  it("messages that arrive while the page is hidden or scrolled up get a divider before the first of them", () => {
    s.setChannels([channel({ last_seq: 3, last_change: 3, last_read_seq: 3 })]);
    s.receiveHistory("10", [1, 2, 3].map((n) => msg(n)), "latest", 50);
    s.setActiveChannel("10");
    s.setReading("10", true);
    s.receiveMessage(msg(4), "new");
    s.setReading("10", false); // tab hidden
    s.receiveMessage(msg(5), "new");
    s.receiveMessage(msg(6), "new");
    expect(dividerBefore()).toBe(5);
    s.setReading("10", true); // back: it stays while the channel is open
    s.receiveMessage(msg(7), "new");
    expect(dividerBefore()).toBe(5);
  });

  it("re-opening a channel read to the end shows none, even if the read cursor lags behind our own messages", () => {
    s.setChannels([channel({ last_seq: 8, last_change: 8, last_read_seq: 6, unread_count: 0 })]);
    s.receiveHistory("10", [5, 6, 7, 8].map((n) => msg(n)), "latest", 50);
    s.setActiveChannel("10");
    expect(dividerBefore()).toBeNull();
  });

  it("does not follow live messages of a channel that is not on screen", () => {
    s.setChannels([channel({ last_seq: 3, last_change: 3, last_read_seq: 3 }), channel({ id: "11", name: "random" })]);
    s.setActiveChannel("10");
    s.setReading("10", true);
    s.setActiveChannel("11");
    s.receiveMessage(msg(4), "new");
    s.setActiveChannel("10");
    expect(s.get().channels["10"].unread_count).toBe(1);
    expect(marker()).toBe(3);
  });
});

describe("members who joined after the page loaded", () => {
  beforeEach(() => {
    s.setChannels([channel({ last_seq: 3, last_change: 3, last_read_seq: 3, member_count: 1 })]);
    s.setMembers([{ user: me().user, role: "owner", joined_at: "2025-01-01T00:00:00Z" }]);
  });

  it("a message from an unknown author makes them known by name and asks for the member list", async () => {
    const asked: string[] = [];
    s.setUnknownMemberHandler((id) => asked.push(id));
    s.receiveMessage(msg(4, { author: { id: "300", kind: "user", display_name: "Bea", avatar_url: "/a.png" } }), "new");
    expect(s.get().members["300"].user).toMatchObject({ display_name: "Bea", avatar_url: "/a.png" });
    await flush();
    expect(asked).toEqual(["300"]);
    // The real list replaces the placeholder.
    s.setMembers([
      { user: me().user, role: "owner", joined_at: "2025-01-01T00:00:00Z" },
      { user: { id: "300", email: "bea@x", display_name: "Bea", avatar_url: "/a.png", created_at: "" }, role: "admin", joined_at: "2025-02-01T00:00:00Z" },
    ]);
    expect(s.get().members["300"].role).toBe("admin");
  });

  it("a channel's member list names them and sets the member count", () => {
    s.setChannelMembers("10", [me().user, { id: "300", email: "", display_name: "Bea", avatar_url: "", created_at: "" }]);
    expect(s.get().members["300"].user.display_name).toBe("Bea");
    expect(s.get().channels["10"].member_count).toBe(2);
  });

  it("member:joined and a first message from a new member update the list and the count", () => {
    s.setChannelMembers("10", [me().user]);
    s.memberJoined({ channel_id: "10", user: { id: "300", email: "", display_name: "Bea", avatar_url: "", created_at: "" } });
    expect(s.get().channelMembers["10"]).toEqual([ME, "300"]);
    expect(s.get().channels["10"].member_count).toBe(2);
    s.receiveMessage(msg(4, { author: { id: "400", kind: "user", display_name: "Cy", avatar_url: "" } }), "new");
    expect(s.get().channelMembers["10"]).toEqual([ME, "300", "400"]);
    expect(s.get().channels["10"].member_count).toBe(3);
  });

  it("member:added makes a new member known with their role; member:removed drops them everywhere", async () => {
    const asked: string[] = [];
    s.setUnknownMemberHandler((id) => asked.push(id));
    s.setChannelMembers("10", [me().user]);
    s.memberAdded({ user_id: "300", display_name: "Bea", avatar_url: "/b.png", role: "agent" });
    expect(s.get().members["300"]).toMatchObject({ role: "agent", user: { display_name: "Bea", avatar_url: "/b.png" } });
    // #general's member:joined follows; the member is known, so nothing is fetched.
    s.memberJoined({ channel_id: "10", user: { id: "300", email: "", display_name: "Bea", avatar_url: "/b.png", created_at: "" } });
    expect(s.get().channels["10"].member_count).toBe(2);
    await flush();
    expect(asked).toEqual([]);
    s.memberRemoved({ user_id: "300" });
    expect(s.get().members["300"]).toBeUndefined();
    expect(s.get().channelMembers["10"]).toEqual([ME]);
    expect(s.get().channels["10"].member_count).toBe(1);
    s.memberRemoved({ user_id: "300" }); // twice: nothing more
    expect(s.get().channels["10"].member_count).toBe(1);
  });

  it("member:updated renames them (and me)", () => {
    s.receiveMessage(msg(4), "new");
    s.memberUpdated({ user_id: BOB, display_name: "Robert", avatar_url: "/r.png" });
    expect(s.get().members[BOB].user).toMatchObject({ display_name: "Robert", avatar_url: "/r.png" });
    s.memberUpdated({ user_id: ME, display_name: "Annie", avatar_url: "" });
    expect(s.get().me?.user.display_name).toBe("Annie");
    expect(s.get().members[ME].user.display_name).toBe("Annie");
  });

  it("someone online we do not know yet is named from presence", () => {
    s.setPresence([{ userId: "500", presence: "online", text: "", emoji: "", name: "Dee" }]);
    expect(s.get().members["500"].user.display_name).toBe("Dee");
  });
});
