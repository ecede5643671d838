// The desk inbox: an empty `q` lists tickets as before (GET /tickets); text in `q` asks the search engine
// (GET /search?kind=tickets) with the status as a filter, applies the other filters here, and shows each row's
// snippet.
import { render } from "preact";
import { act } from "preact/test-utils";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { me } from "./fixtures";

vi.mock("../src/lib/socket", () => ({ getSocket: () => null }));

const { Inbox } = await import("../src/desk/Inbox");
const { store } = await import("../src/lib/store");

const ticket = (id: string, over: Record<string, unknown> = {}) => ({
  id, number: 1000 + Number(id), subject: `Ticket ${id}`, description: "", status: "open", priority: "normal", tags: [],
  requester: { id: "50", display_name: "Cat", avatar_url: "" }, assignee: null,
  created_at: "2026-12-01T10:00:00Z", updated_at: "2026-12-01T10:00:00Z", ...over,
});

const requests: URL[] = [];
let root: HTMLElement;
beforeEach(() => {
  store.reset();
  store.setMe(me());
  requests.length = 0;
  vi.stubGlobal("fetch", vi.fn(async (url: string) => {
    const u = new URL(url, "http://acme.localhost");
    requests.push(u);
    let body: unknown = {};
    if (u.pathname === "/api/v1/tickets") body = { tickets: [ticket("1", { last_message: { body: "last words" } })], next_cursor: null };
    if (u.pathname === "/api/v1/search") {
      body = u.searchParams.get("cursor") === "p2"
        ? { kind: "tickets", total: 3, total_exact: true, next_cursor: "", results: [{ ticket: ticket("3", { priority: "high" }), snippet: "third <mark>printer</mark>", match: "message" }] }
        : {
          kind: "tickets", total: 3, total_exact: true, next_cursor: "p2", results: [
            { ticket: ticket("2", { priority: "low" }), snippet: "the <mark>printer</mark> &amp; fax", match: "description" },
          ],
        };
    }
    return new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
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
  for (let i = 0; i < 6; i++) await new Promise((r) => setTimeout(r, 0));
});
const rows = () => [...root.querySelectorAll("[data-testid=ticket-row]")].map((r) => [r.getAttribute("data-ticket-id"), r.querySelector(".dk-preview")?.textContent]);

describe("the inbox", () => {
  it("lists tickets as before when there is no text", async () => {
    history.replaceState(null, "", "/desk?status=open");
    act(() => render(<Inbox />, root));
    await settle();
    expect(requests.map((u) => u.pathname)).toEqual(["/api/v1/tickets"]);
    expect(rows()).toEqual([["1", "last words"]]);
  });

  it("searches with the engine when there is text, the status as a filter, snippets in the rows", async () => {
    history.replaceState(null, "", "/desk?q=printer&status=open");
    act(() => render(<Inbox />, root));
    await settle();
    expect(requests.map((u) => u.pathname)).toEqual(["/api/v1/search"]);
    expect(Object.fromEntries(requests[0].searchParams)).toMatchObject({ q: "printer status:open", kind: "tickets", limit: "25" });
    expect(rows()).toEqual([["2", "the printer & fax"]]);
    expect(root.querySelector("[data-testid=ticket-row] mark")?.textContent).toBe("printer");
  });

  it("applies priority to the results and reads on when a page has none left", async () => {
    history.replaceState(null, "", "/desk?q=printer&priority=high");
    act(() => render(<Inbox />, root));
    await settle();
    expect(requests.map((u) => u.searchParams.get("cursor"))).toEqual([null, "p2"]);
    expect(rows()).toEqual([["3", "third printer"]]);
  });
});
