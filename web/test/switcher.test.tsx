// The quick switcher: channels you belong to are matched locally; public channels you have not joined come from
// GET /search?kind=channels (debounced, merged without duplicates); the last row runs a full message search.
import { render } from "preact";
import { act } from "preact/test-utils";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { channel, me } from "./fixtures";

vi.mock("../src/lib/socket", async () => (await import("./socketstub")).socketStub);

const { QuickSwitcher, withRemote } = await import("../src/dialogs/QuickSwitcher");
const { store } = await import("../src/lib/store");

Element.prototype.scrollIntoView ??= function () {}; // not in jsdom

const requests: URL[] = [];
const serverChannels = [
  channel({ id: "10", name: "general", is_member: true }), // also in the local list
  channel({ id: "31", name: "design-review", is_member: false }),
  channel({ id: "32", name: "archive-old", is_member: false, archived: true }),
  channel({ id: "33", name: "marketing", topic: "all about design", is_member: false }), // found by its topic
];

beforeEach(() => {
  store.reset();
  store.setMe(me());
  store.setChannels([channel({ id: "10", name: "general" }), channel({ id: "11", name: "design" })]);
  requests.length = 0;
  vi.stubGlobal("fetch", vi.fn(async (url: string) => {
    const u = new URL(url, "http://acme.localhost");
    requests.push(u);
    const body = u.pathname === "/api/v1/search"
      ? { kind: "channels", total: 3, total_exact: true, next_cursor: "", filters: [], terms: [], results: serverChannels.map((c) => ({ channel: c, snippet: c.name })) }
      : {};
    return new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
  }));
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe("withRemote", () => {
  it("adds the server's channels once, leaving out what is listed and archived ones", () => {
    const local = [{ kind: "channel", key: "c10", label: "general" }];
    const out = withRemote(local, serverChannels);
    expect(out.map((i) => i.key)).toEqual(["c10", "c31", "c33"]);
    expect(out[1]).toMatchObject({ kind: "channel", label: "design-review", joined: false });
    expect(withRemote(local, [...serverChannels, serverChannels[1]]).map((i) => i.key)).toEqual(["c10", "c31", "c33"]);
  });
});

describe("the quick switcher", () => {
  it("finds public channels you are not in, 150 ms after typing, and offers a message search last", async () => {
    vi.useFakeTimers();
    const root = document.createElement("div");
    document.body.append(root);
    const onClose = vi.fn();
    act(() => render(<QuickSwitcher onClose={onClose} />, root));
    const input = root.querySelector<HTMLInputElement>("input[role=combobox]")!;
    const labels = () => [...root.querySelectorAll("[role=option]")].map((o) => o.querySelector(".dg-label")?.textContent);

    act(() => {
      input.value = "des";
      input.dispatchEvent(new Event("input", { bubbles: true }));
    });
    expect(labels()).toEqual(["design", "Search messages for “des”"]);
    await act(async () => void vi.advanceTimersByTime(100));
    expect(requests).toHaveLength(0); // still typing
    act(() => {
      input.value = "desi";
      input.dispatchEvent(new Event("input", { bubbles: true }));
    });
    await act(async () => {
      await vi.advanceTimersByTimeAsync(160);
    });
    expect(requests).toHaveLength(1);
    expect(Object.fromEntries(requests[0].searchParams)).toMatchObject({ q: "desi", kind: "channels" });
    await act(async () => {
      await vi.runAllTimersAsync();
    });
    // Yours first, then the one you have not joined, then the topic match; #general and the archived one not.
    expect(labels()).toEqual(["design", "design-review", "marketing", "Search messages for “desi”"]);
    expect(root.querySelector("[data-testid=switcher-search]")).not.toBeNull();

    // The last row runs the search into the right panel.
    act(() => (root.querySelector("[data-testid=switcher-search]") as HTMLElement).click());
    expect(onClose).toHaveBeenCalled();
    expect(store.get().search?.q).toBe("desi");
    expect(store.get().rightPanel).toBe("search");
    await act(async () => {
      await vi.runAllTimersAsync();
    });
    expect(requests.at(-1)?.searchParams.get("kind")).toBeNull(); // messages, the default
    render(null, root);
  });
});
