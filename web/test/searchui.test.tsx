// The search box and the results panel as people use them: suggestions and recent searches, Enter, "search in
// this channel"; tabs (Tickets for desk staff only), chips whose ✕ searches again without that filter, the total,
// snippets with only <mark>, errors, the empty state, "Load more", and a result that jumps to its message.
import { render } from "preact";
import { act } from "preact/test-utils";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { channel, me, msg } from "./fixtures";
import type { Me } from "../src/lib/types";

vi.mock("../src/lib/socket", async () => (await import("./socketstub")).socketStub);

const { SearchBox } = await import("../src/chat/SearchBox");
const { SearchPanel } = await import("../src/chat/SearchPanel");
const { store } = await import("../src/lib/store");
const { rememberSearch } = await import("../src/lib/search");

const requests: URL[] = [];
let reply: (u: URL) => { status: number; body: unknown } = () => ({ status: 200, body: {} });
const hit = (seq: number, snippet: string) => ({ message: msg(seq), channel: { id: "10", name: "general", kind: "public" }, snippet, parent: null });
const page = (over: Record<string, unknown> = {}) => ({
  kind: "messages", total: 42, total_exact: true, next_cursor: "", filters: [], terms: ["deploy"], results: [hit(5, "the <mark>deploy</mark> <img src=x onerror=alert(1)>failed")], ...over,
});

let root: HTMLElement;
beforeEach(() => {
  store.reset();
  store.setMe(me());
  store.setChannels([channel({ id: "10", name: "general" })]);
  localStorage.clear();
  requests.length = 0;
  reply = () => ({ status: 200, body: page() });
  vi.stubGlobal("fetch", vi.fn(async (url: string) => {
    const u = new URL(url, "http://acme.localhost");
    requests.push(u);
    const r = reply(u);
    return new Response(JSON.stringify(r.body), { status: r.status, headers: { "Content-Type": "application/json" } });
  }));
  root = document.createElement("div");
  document.body.append(root);
});
afterEach(() => {
  render(null, root);
  root.remove();
  vi.unstubAllGlobals();
});

const settle = () => act(async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
});
const type = (input: HTMLInputElement, text: string) => act(() => {
  input.value = text;
  input.dispatchEvent(new Event("input", { bubbles: true }));
});
const key = (el: Element, k: string) => act(() => void el.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true })));

describe("the search box", () => {
  it("offers this channel, the filters and recent searches; Enter searches", async () => {
    rememberSearch("1", "older search");
    act(() => render(<SearchBox channel={store.get().channels["10"]} />, root));
    const input = root.querySelector<HTMLInputElement>("[data-testid=search-input]")!;
    act(() => void input.dispatchEvent(new FocusEvent("focus")));
    await settle(); // the suggestions come with the results panel's chunk
    await vi.dynamicImportSettled();
    await settle();
    const options = () => [...root.querySelectorAll("[role=option]")].map((o) => o.textContent);
    expect(options()).toContain("Search in #general");
    expect(options()).toContain("older search");
    expect(root.querySelector("[data-testid=search-suggestion]")?.textContent).toContain("from:");

    type(input, "deploy fr");
    expect(options()).toEqual(["Search for deploy fr", "Search in #general", "from:a person"]);
    key(input, "ArrowDown");
    key(input, "ArrowDown");
    key(input, "ArrowDown");
    key(input, "Enter"); // takes "from:" and keeps the box open for its value
    expect(input.value).toBe("deploy from:");
    expect(requests).toHaveLength(0);

    type(input, "deploy in:#ge");
    key(input, "Tab"); // completes the first suggestion
    expect(input.value).toBe("deploy in:#general ");

    type(input, "deploy");
    key(input, "Enter");
    await settle();
    expect(requests.map((u) => u.searchParams.get("q"))).toEqual(["deploy"]);
    expect(store.get().rightPanel).toBe("search");
    expect(store.get().search?.total).toBe(42);
  });

  it("scopes the query to the channel", async () => {
    act(() => render(<SearchBox channel={store.get().channels["10"]} />, root));
    const input = root.querySelector<HTMLInputElement>("[data-testid=search-input]")!;
    act(() => void input.dispatchEvent(new FocusEvent("focus")));
    type(input, "deploy");
    act(() => (root.querySelector("[data-testid=search-in-channel]") as HTMLElement).click());
    await settle();
    expect(requests.at(-1)?.searchParams.get("q")).toBe("in:#general deploy");
  });

  it("while typing, offers the recent searches that contain the text", () => {
    for (const r of ["deploy failed", "lunch", "Deploy rollback", "deploy"]) rememberSearch("1", r);
    act(() => render(<SearchBox />, root));
    const input = root.querySelector<HTMLInputElement>("[data-testid=search-input]")!;
    act(() => void input.dispatchEvent(new FocusEvent("focus")));
    type(input, "deploy");
    expect([...root.querySelectorAll("[data-testid=recent-search]")].map((o) => o.textContent)).toEqual(["Deploy rollback", "deploy failed"]);
  });

  it("clears the recent searches", () => {
    rememberSearch("1", "one");
    act(() => render(<SearchBox />, root));
    const input = root.querySelector<HTMLInputElement>("[data-testid=search-input]")!;
    act(() => void input.dispatchEvent(new FocusEvent("focus")));
    expect(root.querySelectorAll("[data-testid=recent-search]")).toHaveLength(1);
    act(() => (root.querySelector("[data-testid=clear-recent]") as HTMLElement).click());
    expect(root.querySelectorAll("[data-testid=recent-search]")).toHaveLength(0);
    expect(localStorage.getItem("relay.search.recent.1")).toBeNull();
  });
});

describe("the results panel", () => {
  const show = async (q: string) => {
    const { runSearch } = await import("../src/lib/actions");
    act(() => render(<SearchPanel />, root));
    await act(() => runSearch(q));
    await settle();
  };

  it("shows the total, chips, sort and highlighted snippets with nothing but <mark>", async () => {
    reply = () => ({ status: 200, body: page({ total: 500, total_exact: false, filters: [{ key: "from", value: "@ana" }, { key: "after", value: "2026-01-01" }] }) });
    await show("deploy from:@ana after:2026-01-01");
    expect(root.querySelector("[data-testid=search-total]")?.textContent).toBe("More than 500 results");
    expect([...root.querySelectorAll("[data-testid=search-chip]")].map((c) => [c.getAttribute("data-group"), c.textContent])).toEqual([
      ["from", "From: @ana"], ["date", "After: 2026-01-01"],
    ]);
    const snip = root.querySelector("[data-testid=search-result] [data-testid=snippet]")!;
    expect(snip.innerHTML).toBe("the <mark>deploy</mark> failed");
    expect(root.querySelector("img")).toBeNull();
    expect(root.querySelector("[data-testid=search-result] .search-channel")?.textContent).toBe("#general");

    // ✕ on a chip searches again without that filter.
    act(() => (root.querySelector('[aria-label="Remove filter From: @ana"]') as HTMLElement).click());
    await settle();
    expect(requests.at(-1)?.searchParams.get("q")).toBe("deploy after:2026-01-01");

    act(() => ([...root.querySelectorAll(".search-sort-btn")].find((b) => b.textContent === "Newest") as HTMLElement).click());
    await settle();
    expect(requests.at(-1)?.searchParams.get("sort")).toBe("newest");
  });

  it("has a Tickets tab for desk staff only", async () => {
    const member: Me = { ...me(), membership: { ...me().membership, role: "member" } };
    store.setMe(member);
    await show("deploy");
    const tabs = () => [...root.querySelectorAll("[role=tab]")].map((t) => t.textContent);
    expect(tabs()).toEqual(["Messages", "Channels", "People"]);
    act(() => store.setMe({ ...member, membership: { ...member.membership, desk: true } }));
    await settle();
    expect(tabs()).toEqual(["Messages", "Channels", "People", "Tickets"]);
    reply = () => ({ status: 200, body: page({ kind: "people", results: [{ user: { id: "200", display_name: "Bob", avatar_url: "", email: "", role: "agent" } }] }) });
    act(() => ([...root.querySelectorAll("[role=tab]")].find((t) => t.textContent === "People") as HTMLElement).click());
    await settle();
    expect(requests.at(-1)?.searchParams.get("kind")).toBe("people");
    expect(root.querySelector("[data-testid=search-result][data-kind=person]")?.textContent).toContain("Bob");
  });

  it("shows a refused query's message, and an empty state", async () => {
    reply = () => ({ status: 400, body: { error: { code: "invalid", message: 'Unknown filter "foo:". Filters: from:, in:, has:, is:, mentions:, before:, after:, on:, during:, status:.' } } });
    await show("foo:bar");
    expect(root.querySelector("[data-testid=search-error]")?.textContent).toMatch(/^Unknown filter "foo:"/);
    reply = () => ({ status: 200, body: page({ total: 0, results: [] }) });
    const { runSearch } = await import("../src/lib/actions");
    await act(() => runSearch("zzz"));
    await settle();
    expect(root.querySelector("[data-testid=search-empty]")?.textContent).toContain("No results for “zzz”");
  });

  it("loads more with the cursor, and a message result jumps to it", async () => {
    reply = (u) => ({ status: 200, body: u.searchParams.get("cursor") ? page({ results: [hit(6, "six")] }) : page({ next_cursor: "abc" }) });
    await show("deploy");
    act(() => ([...root.querySelectorAll("button")].find((b) => b.textContent === "Load more") as HTMLElement).click());
    await settle();
    expect(requests.at(-1)?.searchParams.get("cursor")).toBe("abc");
    expect(root.querySelectorAll("[data-testid=search-result]")).toHaveLength(2);
    expect([...root.querySelectorAll("button")].some((b) => b.textContent === "Load more")).toBe(false);

    reply = () => ({ status: 200, body: { messages: [4, 5, 6].map((n) => msg(n)) } });
    act(() => (root.querySelector("[data-testid=search-result][data-id='1005']") as HTMLElement).click());
    await settle();
    expect(requests.at(-1)?.pathname).toBe("/api/v1/channels/10/messages");
    expect(requests.at(-1)?.searchParams.get("around")).toBe("5");
    expect(location.pathname + location.search).toBe("/channels/10?message=1005");
  });
});
