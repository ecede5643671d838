// Search → jump to message: one page around the message (around=seq) becomes the timeline, or joins it when the
// two meet; a window ends at `until` and grows towards the newest; thread replies open their thread; runSearch
// keeps the newest search's answer only.
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Message } from "../src/lib/types";
import { channel, me, msg } from "./fixtures";

vi.mock("../src/lib/socket", async () => (await import("./socketstub")).socketStub);

const calls: { path: string; query?: Record<string, unknown> }[] = [];
let history: (q: Record<string, number | undefined>) => Message[] = () => [];
let searchAnswer: (q: Record<string, string>) => Promise<unknown> = () => Promise.resolve({});
vi.mock("../src/lib/api", () => ({
  ApiError: class extends Error {},
  request: (_m: string, path: string, opts: { query?: Record<string, string> } = {}) => {
    calls.push({ path, query: opts.query });
    return searchAnswer(opts.query ?? {});
  },
  api: {
    messages: (_id: string, q: Record<string, number | undefined>) => {
      calls.push({ path: "messages", query: q });
      return Promise.resolve(history(q));
    },
    openDM: (ids: string[]) => Promise.resolve(channel({ id: "55", kind: "dm", dm_user_ids: ["100", ...ids] })),
  },
}));

const { AROUND, jumpToMessage, loadNewer, openResult, revealMessage, runSearch } = await import("../src/lib/actions");
const { store } = await import("../src/lib/store");
const { loadRecent } = await import("../src/lib/search");

/** The visible page GET …/messages?around=seq&limit=n gives, over messages numbered 1..newest. */
function around(seq: number, limit: number, newest: number): Message[] {
  const from = Math.max(1, seq - Math.floor(limit / 2));
  const before = seq - from;
  const to = Math.min(newest, seq + (limit - before) - 1);
  return Array.from({ length: to - from + 1 }, (_, i) => msg(from + i));
}
const seqs = () => (store.get().timelines["10"]?.ids ?? []).map((id) => store.get().messages[id].seq);
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

beforeEach(() => {
  store.reset();
  store.setMe(me());
  store.setChannels([channel({ last_seq: 1000, last_change: 1000, last_read_seq: 1000 })]);
  calls.length = 0;
  history = () => [];
  localStorage.clear();
  window.history.replaceState(null, "", "/");
});

describe("a window around a message", () => {
  it("replaces a timeline it cannot meet, and keeps newer messages out until they are loaded", () => {
    store.receiveHistory("10", range(951, 1000).map((n) => msg(n)), "latest", 50);
    store.receiveAround("10", around(100, AROUND, 1000), 100, AROUND);
    const tl = store.get().timelines["10"];
    expect(seqs()).toEqual(range(50, 149));
    expect(tl.until).toBe(149);
    expect(tl.hasMore).toBe(true);
    // A live message (and the newest page loading late) do not land after the gap.
    store.receiveMessage(msg(1001), "new");
    store.receiveHistory("10", range(951, 1000).map((n) => msg(n)), "latest", 50);
    expect(seqs()).toEqual(range(50, 149));
    expect(store.get().messages["2001"]).toBeDefined();
  });

  it("grows towards the newest and joins it, live messages included", () => {
    store.receiveAround("10", around(100, AROUND, 230), 100, AROUND);
    expect(store.get().timelines["10"].until).toBe(149);
    store.receiveMessage(msg(231), "new");
    store.receiveNewer("10", range(150, 199).map((n) => msg(n)), 50);
    expect(store.get().timelines["10"].until).toBe(199);
    expect(seqs().at(-1)).toBe(199);
    store.receiveNewer("10", range(200, 230).map((n) => msg(n)), 50);
    expect(store.get().timelines["10"].until).toBeUndefined();
    expect(seqs()).toEqual(range(50, 231));
    store.receiveMessage(msg(232), "new");
    expect(seqs().at(-1)).toBe(232);
  });

  it("joins the timeline when the page meets it (no window)", () => {
    store.receiveHistory("10", range(951, 1000).map((n) => msg(n)), "latest", 50);
    store.receiveAround("10", around(930, AROUND, 1000), 930, AROUND);
    const tl = store.get().timelines["10"];
    expect(tl.until).toBeUndefined();
    expect(seqs()).toEqual(range(880, 1000));
    expect(tl.hasMore).toBe(true);
  });

  it("is a plain timeline when the page reaches the newest message", () => {
    store.receiveAround("10", around(20, AROUND, 40), 20, AROUND);
    const tl = store.get().timelines["10"];
    expect(tl.until).toBeUndefined();
    expect(tl.loaded).toBe(true);
    expect(tl.hasMore).toBe(false); // fewer than limit/2 before it: the start of the channel
    expect(seqs()).toEqual(range(1, 40));
  });

  it("loads newer pages with after=until", async () => {
    store.receiveAround("10", around(100, AROUND, 1000), 100, AROUND);
    history = (q) => range(q.after! + 1, q.after! + 50).map((n) => msg(n));
    await loadNewer("10");
    expect(calls.at(-1)).toEqual({ path: "messages", query: { after: 149, limit: 50 } });
    expect(store.get().timelines["10"].until).toBe(199);
  });

  it("is forgotten when another channel opens, so the channel opens at its newest next time", () => {
    store.setActiveChannel("10");
    store.receiveAround("10", around(100, AROUND, 1000), 100, AROUND);
    store.setActiveChannel("10");
    expect(store.get().timelines["10"].until).toBe(149);
    store.setActiveChannel("11");
    expect(store.get().timelines["10"]).toMatchObject({ ids: [], loaded: false });
  });

  it("a newest page that meets the window ends it", () => {
    store.receiveAround("10", around(100, AROUND, 1000), 100, AROUND);
    store.receiveHistory("10", range(140, 189).map((n) => msg(n)), "latest", 50);
    expect(store.get().timelines["10"].until).toBeUndefined();
    expect(seqs()).toEqual(range(50, 189));
  });
});

describe("jumpToMessage", () => {
  it("loads one page around the message, opens the channel with ?message= and highlights it", async () => {
    history = (q) => around(q.around!, q.limit!, 1000);
    await jumpToMessage(msg(300));
    expect(calls).toEqual([{ path: "messages", query: { around: 300, limit: AROUND } }]);
    expect(location.pathname + location.search).toBe("/channels/10?message=1300");
    expect(seqs()).toContain(300);
    expect(await revealMessage("10", "1300")).toBe(true); // what ChannelView does for ?message=
    expect(store.get().highlight).toMatchObject({ channelId: "10", messageId: "1300" });
    expect(calls).toHaveLength(1); // no paging from the newest
  });

  it("highlights again (a new request number) when the same message is asked for twice", () => {
    store.setHighlight({ channelId: "10", messageId: "1300" });
    const first = store.get().highlight!.n;
    store.setHighlight({ channelId: "10", messageId: "1300" });
    expect(store.get().highlight!.n).toBeGreaterThan(first!);
    store.setHighlight(null);
    expect(store.get().highlight).toBeNull();
  });

  it("asks nothing when the message is on screen already", async () => {
    store.receiveHistory("10", range(951, 1000).map((n) => msg(n)), "latest", 50);
    await jumpToMessage(msg(960));
    expect(calls).toEqual([]);
    expect(location.search).toBe("?message=1960");
  });

  it("opens a reply in its thread, the channel around the thread's root", async () => {
    history = (q) => around(q.around!, q.limit!, 1000);
    await jumpToMessage(msg(305, { parent_id: "1290" }), 290);
    expect(calls).toEqual([{ path: "messages", query: { around: 290, limit: AROUND } }]);
    expect(location.pathname + location.search).toBe("/channels/10/threads/1290?message=1305");
  });
});

describe("runSearch", () => {
  it("shows the newest search only, remembers it, and opens the panel", async () => {
    const answers: ((v: unknown) => void)[] = [];
    searchAnswer = () => new Promise((r) => answers.push(r));
    const first = runSearch("deploy");
    const second = runSearch("deploy from:@ana", { sort: "newest" });
    expect(store.get().rightPanel).toBe("search");
    expect(calls.map((c) => c.query?.q)).toEqual(["deploy", "deploy from:@ana"]);
    expect(calls[1].query?.sort).toBe("newest");
    answers[1]({ kind: "messages", total: 1, total_exact: true, next_cursor: "c2", filters: [{ key: "from", value: "@ana" }], terms: ["deploy"], results: [{ message: msg(5), channel: { id: "10", name: "general", kind: "public" }, snippet: "<mark>deploy</mark>" }] });
    await second;
    answers[0]({ kind: "messages", total: 9, total_exact: true, next_cursor: "", filters: [], terms: [], results: [] });
    await first;
    const s = store.get().search!;
    expect(s.q).toBe("deploy from:@ana");
    expect(s.status).toBe("ready");
    expect(s.total).toBe(1);
    expect(s.cursor).toBe("c2");
    expect(s.filters).toEqual([{ key: "from", value: "@ana" }]);
    expect(loadRecent("1")).toEqual(["deploy from:@ana", "deploy"]);
  });

  it("closes an open thread so the results take the right side", async () => {
    searchAnswer = () => Promise.resolve({ kind: "messages", total: 0, total_exact: true, next_cursor: "", filters: [], terms: [], results: [] });
    window.history.replaceState(null, "", "/channels/10/threads/1290?message=1305");
    await runSearch("invoices");
    expect(location.pathname).toBe("/channels/10");
    expect(store.get().rightPanel).toBe("search");
  });

  it("shows the server's message for a refused query", async () => {
    searchAnswer = () => Promise.reject(new Error('Unknown filter "foo:". Filters: from:, in:…'));
    await runSearch("foo:bar");
    expect(store.get().search?.status).toBe("error");
    expect(store.get().search?.error).toMatch(/Unknown filter "foo:"/);
  });
});

describe("openResult", () => {
  it("opens a person's DM, a channel, a ticket", async () => {
    await openResult({ user: { id: "200", display_name: "Bob", avatar_url: "", email: "", role: "member" } });
    expect(location.pathname).toBe("/channels/55");
    await openResult({ channel: channel({ id: "12", name: "ops" }), snippet: "" });
    expect(location.pathname).toBe("/channels/12");
    await openResult({ ticket: { id: "9", number: 1009, subject: "", description: "", status: "open", priority: "normal", created_at: "", updated_at: "" }, snippet: "" });
    expect(location.pathname).toBe("/desk/tickets/9");
  });
});
