// A ticket's two streams — the conversation and, for staff, the internal notes — are the same stream slice of the
// store as a channel (lib/stream.ts): join params from the store's positions on every (re)join, merge by id keeping
// the higher change, order by seq, pending sends replaced by the server's copy with the same client_msg_id, typing
// notices that expire, and a reset stream reloaded over HTTP. Driven through desk/live.ts against a fake phoenix.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("phoenix", async () => (await import("./fakephoenix")).phoenix);
const { fake } = await import("./fakephoenix");

const { createStore } = await import("../src/lib/store");
const { connectSocket, disconnectSocket } = await import("../src/lib/socket");
const { followTicket, loadTicketStream } = await import("../src/lib/desk");
const { me, msg } = await import("./fixtures");

const CONV = "500";
const NOTES = "501";
const ticket = { id: "7", channel_id: CONV, notes_channel_id: NOTES };
const conv = (seq: number, over = {}) => msg(seq, { id: "c" + seq, channel_id: CONV, ...over });
const note = (seq: number, over = {}) => msg(seq, { id: "n" + seq, channel_id: NOTES, internal: true, ...over });

let s: ReturnType<typeof createStore>;
/** What GET /tickets/7/messages answers (?internal=true: the notes). */
let pages: { conversation: unknown[]; notes: unknown[] };
const topic = () => fake.channels.filter((c) => c.topic === "ticket:7").at(-1)!;
const seqs = (channelId: string) => (s.get().timelines[channelId]?.ids ?? []).map((id) => s.get().messages[id].seq);

beforeEach(() => {
  fake.channels = [];
  pages = { conversation: [], notes: [] };
  vi.stubGlobal("fetch", vi.fn(async (url: string) => {
    const notes = String(url).includes("internal=true");
    return new Response(JSON.stringify({ messages: notes ? pages.notes : pages.conversation }), { status: 200 });
  }));
  s = createStore();
  s.setMe(me());
  connectSocket(me(), s);
});
afterEach(() => {
  disconnectSocket();
  vi.unstubAllGlobals();
});

describe("a ticket's streams in the store", () => {
  it("joins without params first, then rejoins from each stream's position (notes only for staff)", async () => {
    const joined: boolean[] = [];
    followTicket(ticket, true, () => {}, (j) => joined.push(j), s);
    const t = topic();
    expect(t.joins[0]).toEqual({});
    t.joinPush.reply("ok", { last_seq: 2, last_change: 2, reset: false, notes_last_seq: 1, notes_last_change: 1, notes_reset: false });
    expect(joined).toEqual([true]);
    expect(s.position(CONV)).toEqual({ seq: 2, change: 2 });
    expect(s.position(NOTES)).toEqual({ seq: 1, change: 1 });

    t.emit("message:new", conv(3));
    t.emit("message:new", note(2));
    t.emit("message:updated", conv(1, { change: 9, body: "edited" }));
    t.rejoin({ last_seq: 3, last_change: 9, reset: false, notes_last_seq: 2, notes_last_change: 2, notes_reset: false });
    expect(t.joins[1]).toEqual({ last_seq: 3, last_change: 9, notes_last_seq: 2, notes_last_change: 2 });

    // A customer's join never names the notes.
    followTicket({ id: "7", channel_id: CONV }, false, () => {}, () => {}, s);
    expect(topic().joins[0]).toEqual({ last_seq: 3, last_change: 9 });
  });

  it("sorts messages into their stream by channel_id, merges by change, orders by seq, marks notes internal", async () => {
    followTicket(ticket, true, () => {}, () => {}, s);
    const t = topic();
    t.joinPush.reply("ok", { last_seq: 0, last_change: 0, notes_last_seq: 0, notes_last_change: 0 });
    pages = { conversation: [conv(2), conv(1)], notes: [note(1, { internal: false })] };
    await loadTicketStream(ticket, false, "latest", s);
    await loadTicketStream(ticket, true, "latest", s);
    t.emit("message:new", conv(4));
    t.emit("message:new", conv(3));
    t.emit("message:new", conv(4)); // twice
    t.emit("message:updated", conv(2, { change: 8, body: "v2" }));
    t.emit("message:new", conv(2, { change: 2, body: "v1" })); // a stale replay after the edit
    expect(seqs(CONV)).toEqual([1, 2, 3, 4]);
    expect(seqs(NOTES)).toEqual([1]);
    expect(s.get().messages.c2.body).toBe("v2");
    expect(s.get().messages.n1.internal).toBe(true);
    expect(s.get().timelines[CONV].loaded).toBe(true);
  });

  it("replaces a pending reply with the server's copy (same client_msg_id), once", () => {
    followTicket(ticket, true, () => {}, () => {}, s);
    topic().joinPush.reply("ok", { last_seq: 0, last_change: 0 });
    s.addPending({ client_msg_id: "abc", channel_id: CONV, parent_id: null, broadcast: false, body: "hi", ticket_id: "7" });
    expect(s.get().pending).toHaveLength(1);
    const mine = conv(1, { author: { id: me().user.id, kind: "user", display_name: "Ann", avatar_url: "" }, client_msg_id: "abc", body: "hi" });
    topic().emit("message:new", mine);
    s.receiveMessage(mine, "fetched"); // the POST's answer arrives after the live event
    expect(s.get().pending).toEqual([]);
    expect(seqs(CONV)).toEqual([1]);
  });

  it("shows typing per stream until it expires or the typist posts", () => {
    followTicket(ticket, true, () => {}, () => {}, s);
    const t = topic();
    t.joinPush.reply("ok", { last_seq: 0, last_change: 0 });
    const now = Date.now();
    t.emit("typing", { ticket_id: "7", channel_id: CONV, user_id: "200", display_name: "Bob", internal: false, expires_in_ms: 5000 });
    t.emit("typing", { ticket_id: "7", channel_id: NOTES, user_id: "300", display_name: "Cy", internal: true, expires_in_ms: 5000 });
    t.emit("typing", { ticket_id: "7", channel_id: CONV, user_id: me().user.id, display_name: "Ann", expires_in_ms: 5000 }); // ourselves: never shown
    expect(s.get().typing[CONV].map((x) => x.name)).toEqual(["Bob"]);
    expect(s.get().typing[NOTES].map((x) => x.name)).toEqual(["Cy"]);
    t.emit("message:new", conv(1)); // Bob (fixtures' author) posted
    expect(s.get().typing[CONV]).toEqual([]);
    s.pruneTyping(now + 6000);
    expect(s.get().typing[NOTES]).toBeUndefined();
  });

  it("reloads a stream the server reset, and leaves the rest alone", async () => {
    s.receiveHistory(CONV, [conv(1), conv(2)], "latest", 200);
    s.receiveHistory(NOTES, [note(1)], "latest", 200);
    followTicket(ticket, true, () => {}, () => {}, s);
    const t = topic();
    expect(t.joins[0]).toEqual({ last_seq: 2, last_change: 2, notes_last_seq: 1, notes_last_change: 1 });
    pages = { conversation: [conv(900), conv(901)], notes: [] };
    t.joinPush.reply("ok", { last_seq: 901, last_change: 950, reset: true, notes_last_seq: 1, notes_last_change: 1, notes_reset: false });
    expect(s.position(CONV)).toEqual({ seq: 901, change: 950 });
    await vi.waitFor(() => expect(seqs(CONV)).toEqual([900, 901]));
    expect(seqs(NOTES)).toEqual([1]);
  });

  it("passes the ticket's own changes on, and forgets the timelines when left", () => {
    const seen: string[] = [];
    const link = followTicket(ticket, true, (ev) => seen.push(ev), () => {}, s);
    const t = topic();
    t.joinPush.reply("ok", { last_seq: 0, last_change: 0 });
    t.emit("status:updated", { id: "7", status: "resolved" });
    t.emit("assigned", { id: "7" });
    expect(seen).toEqual(["status:updated", "assigned"]);
    t.emit("message:new", conv(1));
    link.push("typing", {});
    expect(t.pushes).toEqual([{ event: "typing", payload: {} }]);
    link.leave();
    expect(t.left).toBe(true);
    expect(s.get().timelines[CONV]).toMatchObject({ ids: [], loaded: false });
  });

  it("joins once the workspace has opened the socket, if the ticket loaded first", async () => {
    disconnectSocket();
    fake.channels = [];
    const joined: boolean[] = [];
    followTicket(ticket, true, () => {}, (j) => joined.push(j), s);
    expect(joined).toEqual([false]);
    expect(fake.channels).toEqual([]);
    connectSocket(me(), s);
    await vi.waitFor(() => expect(fake.channels.some((c) => c.topic === "ticket:7")).toBe(true));
    topic().joinPush.reply("ok", { last_seq: 0, last_change: 0 });
    expect(joined).toEqual([false, true]);
  });

  it("polls instead when the server refuses the topic", () => {
    const joined: boolean[] = [];
    followTicket(ticket, false, () => {}, (j) => joined.push(j), s);
    topic().joinPush.reply("error", { reason: "forbidden" });
    expect(joined).toEqual([false]);
    expect(topic().left).toBe(true);
  });
});
