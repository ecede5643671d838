// The socket module against a fake phoenix: join params carry the catch-up position at each (re)join, replayed
// and live events land in the store ordered and deduped, and a reset reloads instead of replaying.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("phoenix", async () => (await import("./fakephoenix")).phoenix);
const { fake } = await import("./fakephoenix");

const { createStore } = await import("../src/lib/store");
const { connectSocket, disconnectSocket, follow } = await import("../src/lib/socket");
const { channel, me, msg } = await import("./fixtures");

const topic = (name: string) => fake.channels.filter((c) => c.topic === name).at(-1)!;

let s: ReturnType<typeof createStore>;
beforeEach(() => {
  fake.channels = [];
  vi.stubGlobal("fetch", vi.fn(async () => new Response(JSON.stringify({ ...channel({ last_seq: 2000, last_change: 2000 }) }), { status: 200 })));
  s = createStore();
  s.setMe(me());
  connectSocket(me(), s);
});
afterEach(() => {
  disconnectSocket();
  vi.unstubAllGlobals();
});

describe("channel topics", () => {
  it("joins workspace: and user: topics", () => {
    expect(fake.channels.map((c) => c.topic)).toEqual(["workspace:1", "user:100"]);
  });

  it("rejoins with the position reached, so a reconnect replays exactly what was missed", async () => {
    s.setChannels([channel({ last_seq: 3, last_change: 3, last_read_seq: 3 })]);
    const joined = follow("10", s);
    const t = topic("channel:10");
    expect(t.joins[0]).toEqual({ last_seq: 3, last_change: 3 });
    t.joinPush.reply("ok", { last_seq: 3, last_change: 3, reset: false });
    await joined;

    // Live events, one out of order and one twice.
    t.emit("message:new", msg(5));
    t.emit("message:new", msg(4));
    t.emit("message:new", msg(5));
    t.emit("message:updated", msg(4, { change: 7, body: "edited" }));

    // The connection drops; phoenix rejoins by itself and the params function runs again.
    t.rejoin({ last_seq: 8, last_change: 9, reset: false });
    expect(t.joins[1]).toEqual({ last_seq: 5, last_change: 7 });
    // The server replays from there: 6..8 (and an overlap it would never send, to check dedupe).
    for (const n of [5, 6, 7, 8]) t.emit("message:new", msg(n));

    const st = s.get();
    expect(st.timelines["10"].ids.map((id) => st.messages[id].seq)).toEqual([4, 5, 6, 7, 8]);
    expect(st.messages["1004"].body).toBe("edited");
    expect(st.channels["10"].unread_count).toBe(5);
    expect(s.position("10")).toEqual({ seq: 8, change: 8 });
  });

  it("joins a channel with no position without params and starts from the reply", async () => {
    const joined = follow("77", s);
    const t = topic("channel:77");
    expect(t.joins[0]).toEqual({});
    t.joinPush.reply("ok", { last_seq: 50, last_change: 60, reset: false });
    expect(await joined).toMatchObject({ last_seq: 50 });
    expect(s.position("77")).toEqual({ seq: 50, change: 60 });
    t.rejoin({ last_seq: 50, last_change: 60, reset: false });
    expect(t.joins[1]).toEqual({ last_seq: 50, last_change: 60 });
  });

  it("on reset, forgets the timeline and resumes from the server's counters", async () => {
    s.setChannels([channel({ last_seq: 3, last_change: 3 })]);
    s.receiveHistory("10", [msg(1), msg(2), msg(3)], "latest", 50);
    const joined = follow("10", s);
    const t = topic("channel:10");
    t.joinPush.reply("ok", { last_seq: 2000, last_change: 2500, reset: true });
    await joined;
    expect(s.get().timelines["10"]).toMatchObject({ ids: [], loaded: false });
    expect(s.position("10")).toEqual({ seq: 2000, change: 2500 });
  });

  it("leaves a topic the server refuses, instead of letting phoenix retry forever", async () => {
    const joined = follow("99", s);
    const t = topic("channel:99");
    t.joinPush.reply("error", { reason: "not found" });
    expect(await joined).toBeNull();
    expect(t.left).toBe(true);
  });

  it("feeds typing, members and unread events to the store", async () => {
    s.setChannels([channel({ last_seq: 3, last_change: 3 })]);
    void follow("10", s);
    const t = topic("channel:10");
    t.joinPush.reply("ok", { last_seq: 3, last_change: 3, reset: false });
    t.emit("typing", { channel_id: "10", user_id: "200", display_name: "Bob", parent_id: null, expires_in_ms: 5000 });
    expect(s.get().typing["10"][0].name).toBe("Bob");
    t.emit("message:new", msg(4));
    expect(s.get().typing["10"]).toEqual([]); // they posted: the notice goes
    topic("user:100").emit("unread:updated", { channel_id: "10", last_read_seq: 4, unread_count: 0, mention_count: 0 });
    expect(s.get().channels["10"]).toMatchObject({ unread_count: 0, last_read_seq: 4 });
  });
});
