// Connectors in the web app: the pure helpers of lib/connectors.ts, the store's connector and delivery state, the
// settings routes, and a message's attachments and delivery line as rendered.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { h, render } from "preact";
import {
  bridgesFrom, conversationsLabel, refusedField, curlExample, deliveryLine, deliveryState, describeConnector, offerFrom, groupDiscordChannels, mergeConnector, previewKind, safeURL,
  selectionFrom, statusOf, type ConnectorInfo, type DiscordChannel,
} from "../src/lib/connectors";
import { createStore, store, type Store } from "../src/lib/store";
import { matchRoute } from "../src/lib/router";
import type { Delivery } from "../src/lib/types";
import { MessageItem } from "../src/chat/Message";
import { ME, channel, me, msg } from "./fixtures";

const dead = (outbox_id: number, error = "LINE refused the token (HTTP 401)"): Delivery => ({ state: "dead", error, outbox_id, attempts: 8, connector_id: "7" });
const ok = (outbox_id: number): Delivery => ({ state: "delivered", outbox_id, attempts: 1, connector_id: "7" });
const pending = (outbox_id: number): Delivery => ({ state: "pending", outbox_id, attempts: 2, connector_id: "7" });

describe("statusOf", () => {
  it("gives the dot, the word and a title carrying the last error", () => {
    expect(statusOf({ status: "active" })).toEqual({ dot: "ok", word: "Active", title: "Active" });
    expect(statusOf({ status: "disabled", last_error: "old" })).toEqual({ dot: "off", word: "Disabled", title: "Disabled" });
    expect(statusOf({ status: "error", last_error: "HTTP 401" })).toEqual({ dot: "error", word: "Error", title: "Error: HTTP 401" });
    expect(statusOf({ status: "error" }).title).toBe("Error");
  });
});

describe("conversationsLabel", () => {
  it("counts a connector's conversations in words", () => {
    expect(conversationsLabel({})).toBe("0 conversations");
    expect(conversationsLabel({ conversations: 1 })).toBe("1 conversation");
    expect(conversationsLabel({ conversations: 3 })).toBe("3 conversations");
  });
});

describe("refusedField", () => {
  it("names the credential a refused save starts with, else nothing", () => {
    expect(refusedField("access_token was refused by LINE (HTTP 401)")).toBe("access_token");
    expect(refusedField("channel_secret is not 32 hex characters")).toBe("channel_secret");
    expect(refusedField("channel_id must be digits")).toBe("channel_id");
    expect(refusedField("access_tokens are rate limited")).toBeUndefined();
    expect(refusedField("LINE refused the token")).toBeUndefined();
    expect(refusedField(null)).toBeUndefined();
  });
});

describe("describeConnector", () => {
  it("names the LINE account LINE gave for an own bot's token, else the channel id", () => {
    const base = { id: "1", name: "LINE", status: "active" } as const;
    expect(describeConnector({ ...base, type: "line", model: "own", external_id: "1656123456" })).toBe("LINE · your own bot (channel 1656123456)");
    expect(describeConnector({ ...base, type: "line", model: "own", external_id: "1656123456", bot: { name: "Teapot Support", basic_id: "@teapots" } }))
      .toBe("LINE · Teapot Support (@teapots)");
    expect(describeConnector({ ...base, type: "line", model: "shared" })).toBe("LINE · Relay's shared bot");
  });
});

describe("offerFrom (GET /connectors/available)", () => {
  it("offers nothing conditional until the server said, then only what it offers", () => {
    expect(offerFrom(null)).toBeNull();
    const none = offerFrom([
      { type: "line", model: "own", available: true },
      { type: "line", model: "shared", available: false },
      { type: "discord", model: "shared", available: false },
    ]);
    expect(none).toEqual({ lineOwn: true, lineShared: false, discord: false, missing: [] });
    const all = offerFrom([
      { type: "line", model: "own", available: true },
      { type: "line", model: "shared", available: true },
      { type: "discord", model: "shared", available: true },
    ]);
    expect(all).toMatchObject({ lineShared: true, discord: true, missing: [] });
  });
  it("lists what the operator must set up only when the server said (owners)", () => {
    const o = offerFrom([
      { type: "line", model: "own", available: true },
      { type: "line", model: "shared", available: true },
      { type: "discord", model: "shared", available: false, operator_setup: "They create a bot in Discord's developer portal…" },
    ]);
    expect(o?.missing).toEqual([{ label: "Discord", setup: "They create a bot in Discord's developer portal…" }]);
  });
});

describe("mergeConnector (connector:updated)", () => {
  const base: ConnectorInfo = { id: "7", type: "line", name: "LINE", status: "active", model: "own", webhook_url: "http://x/hooks/line/7", created_at: "2025-01-01T00:00:00Z", last_error_at: null };
  const t1 = new Date("2025-02-01T10:00:00Z");
  const t2 = new Date("2025-02-01T11:00:00Z");

  it("takes the name and status, and keeps what the event leaves out (URLs, model)", () => {
    const m = mergeConnector(base, { id: "7", type: "line", name: "LINE Support", status: "disabled" }, t1);
    expect(m).toMatchObject({ name: "LINE Support", status: "disabled", webhook_url: "http://x/hooks/line/7", model: "own" });
  });

  it("dates a new error now, keeps the date of the same error, and keeps the error once working again", () => {
    const e1 = mergeConnector(base, { id: "7", type: "line", name: "LINE", status: "error", last_error: "HTTP 401" }, t1);
    expect(e1).toMatchObject({ status: "error", last_error: "HTTP 401", last_error_at: t1.toISOString() });
    const same = mergeConnector(e1, { id: "7", type: "line", name: "LINE", status: "error", last_error: "HTTP 401" }, t2);
    expect(same.last_error_at).toBe(t1.toISOString());
    const other = mergeConnector(same, { id: "7", type: "line", name: "LINE", status: "error", last_error: "HTTP 429" }, t2);
    expect(other).toMatchObject({ last_error: "HTTP 429", last_error_at: t2.toISOString() });
    // Recovered: the server keeps the last error with its time, the event leaves it out.
    const back = mergeConnector(other, { id: "7", type: "line", name: "LINE", status: "active" }, t2);
    expect(back).toMatchObject({ status: "active", last_error: "HTTP 429", last_error_at: t2.toISOString() });
  });

  it("makes an entry from the event alone for a connector it did not know", () => {
    expect(mergeConnector(undefined, { id: "9", type: "discord", name: "D", status: "active" })).toMatchObject({ id: "9", type: "discord", last_error: "", last_error_at: null });
  });
});

describe("Discord channel selection", () => {
  const list: DiscordChannel[] = [
    { id: "5", name: "bugs", category: "Help", position: 5, bridged: false, channel_id: null },
    { id: "2", name: "rules", position: 2, bridged: true, channel_id: "77" },
    { id: "4", name: "support", category: "Help", position: 4, bridged: true, channel_id: null },
    { id: "9", name: "memes", category: "Fun", position: 9, bridged: false, channel_id: null },
    { id: "1", name: "welcome", position: 1, bridged: false, channel_id: null },
  ];

  it("groups by category, uncategorised first, categories and channels by position", () => {
    const g = groupDiscordChannels(list);
    expect(g.map((x) => x.category)).toEqual(["", "Help", "Fun"]);
    expect(g.map((x) => x.channels.map((c) => c.name))).toEqual([["welcome", "rules"], ["support", "bugs"], ["memes"]]);
  });

  it("starts from the current bridges and sends exactly the checked set", () => {
    const sel = selectionFrom(list);
    expect(sel).toEqual({ "2": "77", "4": "new" });
    sel["9"] = "new";
    sel["5"] = "31";
    delete sel["2"];
    expect(bridgesFrom(sel).sort((a, b) => a.discord_channel_id.localeCompare(b.discord_channel_id))).toEqual([
      { discord_channel_id: "4", channel_id: null },
      { discord_channel_id: "5", channel_id: "31" },
      { discord_channel_id: "9", channel_id: null },
    ]);
  });
});

describe("deliveryState", () => {
  it("is nothing when there is nothing outside or every trip is done", () => {
    expect(deliveryState(undefined).state).toBe("none");
    expect(deliveryState([]).state).toBe("none");
    expect(deliveryState([ok(1), ok(2)]).state).toBe("none");
  });

  it("is pending while any trip is on its way", () => {
    expect(deliveryState([ok(1), pending(2)])).toEqual({ state: "pending", reason: "", retry: [] });
    expect(deliveryState([{ ...pending(3), state: "sending" }]).state).toBe("pending");
  });

  it("is dead with every distinct reason and each dead row to retry; dead wins over pending", () => {
    const st = deliveryState([dead(4), pending(5), dead(6), dead(7, "Discord said 403")]);
    expect(st.state).toBe("dead");
    expect(st.reason).toBe("LINE refused the token (HTTP 401); Discord said 403");
    expect(st.retry).toEqual([4, 6, 7]);
    expect(deliveryState([dead(8, "  ")]).reason).toBe("the other side did not accept it");
  });
});

describe("attachments", () => {
  it("opens only our file URLs and outside http(s) addresses", () => {
    expect(safeURL("/api/v1/files/123")).toBe("/api/v1/files/123");
    expect(safeURL("https://stickershop.line-scdn.net/s/1/android/sticker.png")).toBe("https://stickershop.line-scdn.net/s/1/android/sticker.png");
    for (const bad of ["javascript:alert(1)", "data:text/html,<b>x</b>", "/api/v1/files/1/../../auth", "/settings", "vbscript:x", "", null, undefined, "//evil.example/x"]) {
      expect(safeURL(bad), String(bad)).toBeNull();
    }
  });

  it("previews by kind, never an SVG as an image, and falls back on the content type", () => {
    expect(previewKind({ kind: "image", content_type: "image/png" })).toBe("image");
    expect(previewKind({ kind: "image", content_type: "image/svg+xml" })).toBe("file");
    expect(previewKind({ kind: "sticker", content_type: "" })).toBe("sticker");
    expect(previewKind({ kind: "weird" as never, content_type: "video/mp4" })).toBe("video");
    expect(previewKind({ kind: "weird" as never, content_type: "application/pdf" })).toBe("file");
  });
});

describe("webhooks", () => {
  it("quotes the URL of the curl example for the shell", () => {
    const c = curlExample("http://a.localhost:8080/hooks/in/ab'c");
    expect(c).toContain(`curl -X POST 'http://a.localhost:8080/hooks/in/ab'\\''c'`);
    expect(c).toContain(`"text": "Hello from my script"`);
  });

  it("sums up an attempt of the delivery log", () => {
    expect(deliveryLine({ ok: true, response_code: 200, duration_ms: 84 })).toBe("HTTP 200 · 84 ms");
    expect(deliveryLine({ ok: false, response_code: 0, duration_ms: 10000, error: "timeout" })).toBe("no response · 10.0 s");
  });
});

describe("routes", () => {
  it("serves the connector and webhook screens as deep links", () => {
    expect(matchRoute("workspace", "/settings/connectors")).toEqual({ name: "settings", section: "connectors" });
    expect(matchRoute("workspace", "/settings/webhooks")).toEqual({ name: "settings", section: "webhooks" });
    expect(matchRoute("workspace", "/settings/connectors/add/line")).toEqual({ name: "settings", section: "connectors", sub: "add/line" });
    expect(matchRoute("workspace", "/settings/connectors/add/discord/")).toEqual({ name: "settings", section: "connectors", sub: "add/discord" });
    expect(matchRoute("workspace", "/settings/connectors/250151756364861440")).toEqual({ name: "settings", section: "connectors", sub: "250151756364861440" });
    expect(matchRoute("workspace", "/settings/connectors/add/slack").name).toBe("not-found");
    expect(matchRoute("workspace", "/settings/connectors/x1").name).toBe("not-found");
  });
});

describe("store: connectors and deliveries", () => {
  let s: Store;
  beforeEach(() => {
    s = createStore();
    s.setMe(me());
    s.setChannels([channel({ kind: "external", name: "line-yuki" })]);
  });

  it("ignores connector events until the list is loaded, then follows them", async () => {
    s.connectorUpdated({ id: "7", type: "line", name: "LINE", status: "error", last_error: "x" });
    expect(s.get().connectors).toBeNull();
    s.setConnectors([{ id: "7", type: "line", name: "LINE", status: "active" }, { id: "8", type: "discord", name: "D", status: "active" }]);
    s.connectorUpdated({ id: "7", type: "line", name: "LINE", status: "error", last_error: "HTTP 401" });
    expect(s.get().connectors?.["7"]).toMatchObject({ status: "error", last_error: "HTTP 401" });
    s.connectorDeleted("8");
    expect(Object.keys(s.get().connectors ?? {})).toEqual(["7"]);
    // A server answer replaces what we knew (enabling clears the error on the server).
    s.upsertConnector({ id: "7", type: "line", name: "LINE", status: "active", last_error_at: null });
    expect(s.get().connectors?.["7"].last_error).toBeUndefined();
  });

  it("moves a message's deliveries with message:delivery and keeps them through live updates", () => {
    s.receiveMessage(msg(1, { author: { id: ME, kind: "user", display_name: "Ann", avatar_url: "" }, deliveries: [pending(3)] }), "fetched");
    s.applyDeliveries({ channel_id: "10", message_id: "1001", deliveries: [dead(3)] });
    expect(s.get().messages["1001"].deliveries).toEqual([dead(3)]);
    // An edit or a reaction arrives without deliveries: the known ones stay.
    s.receiveMessage(msg(1, { change: 5, body: "edited", author: { id: ME, kind: "user", display_name: "Ann", avatar_url: "" } }), "update");
    expect(s.get().messages["1001"]).toMatchObject({ body: "edited", deliveries: [dead(3)] });
    // A message we do not hold: nothing to patch (it comes with its deliveries when fetched).
    s.applyDeliveries({ channel_id: "10", message_id: "999", deliveries: [dead(4)] });
    expect(s.get().messages["999"]).toBeUndefined();
  });
});

describe("a message from a connector, as rendered", () => {
  let root: HTMLElement;
  const fetchMock = vi.fn();
  beforeEach(() => {
    store.reset();
    store.setMe(me());
    store.setChannels([channel({ kind: "external", name: "line-yuki" })]);
    root = document.createElement("div");
    document.body.appendChild(root);
    fetchMock.mockReset();
    vi.stubGlobal("fetch", fetchMock);
  });
  afterEach(() => {
    render(null, root);
    root.remove();
    vi.unstubAllGlobals();
  });
  const flush = () => new Promise((r) => setTimeout(r, 0));
  const mine = { id: ME, kind: "user" as const, display_name: "Ann", avatar_url: "" };

  it("shows images, stickers, players, locations and files, and hides the [kind] placeholder body", async () => {
    const m = msg(1, {
      source: "line", author: { id: "55", kind: "contact", display_name: "Yuki", avatar_url: "" }, body: "[image] [sticker] [video] [audio] [location] [file] [image]",
      attachments: [
        { id: "1", name: "photo.jpg", content_type: "image/jpeg", size: 2048, url: "/api/v1/files/1", kind: "image" },
        { id: "2", name: "sticker.png", content_type: "image/png", size: 0, url: "https://stickershop.line-scdn.net/s/2/android/sticker.png", kind: "sticker" },
        { id: "3", name: "clip.mp4", content_type: "video/mp4", size: 9, url: "/api/v1/files/3", kind: "video" },
        { id: "4", name: "voice.m4a", content_type: "audio/mp4", size: 9, url: "/api/v1/files/4", kind: "audio" },
        { id: "5", name: "Tokyo Tower", content_type: "", size: 0, url: "https://maps.google.com/?q=35.65,139.74", kind: "location" },
        { id: "6", name: "invoice.pdf", content_type: "application/pdf", size: 3 * 1024 * 1024, url: "/api/v1/files/6", kind: "file" },
        { id: "7", name: "evil", content_type: "image/png", size: 1, url: "javascript:alert(1)", kind: "image" },
      ],
    });
    store.receiveMessage(m, "fetched");
    render(h(MessageItem, { m, grouped: false, canPost: true }), root);
    await flush();
    const kinds = [...root.querySelectorAll<HTMLElement>("[data-testid=attachment]")].map((e) => e.dataset.kind);
    expect(kinds).toEqual(["image", "sticker", "video", "audio", "location", "file", "image"]);
    expect(root.querySelector("[data-testid=message-body]")!.textContent).toBe("");
    expect(root.querySelector<HTMLImageElement>(".att-image img")!.getAttribute("src")).toBe("/api/v1/files/1");
    expect(root.querySelector<HTMLVideoElement>("video")!.controls).toBe(true);
    const file = root.querySelector<HTMLAnchorElement>("a.att-file")!;
    expect(file.getAttribute("href")).toBe("/api/v1/files/6");
    expect(file.getAttribute("download")).toBe("invoice.pdf");
    expect(file.textContent).toContain("3.0 MB");
    expect(root.querySelector<HTMLAnchorElement>("a.att-location")!.rel).toContain("noopener");
    // The javascript: URL is shown as a broken chip, never as a link or an image.
    expect(root.innerHTML).not.toContain("javascript:");
    // An image opens full size; Escape closes it.
    root.querySelector<HTMLButtonElement>(".att-image")!.click();
    await flush();
    expect(root.querySelector<HTMLImageElement>("[data-testid=lightbox] img")!.getAttribute("src")).toBe("/api/v1/files/1");
    await vi.waitFor(() => expect(document.activeElement?.getAttribute("aria-label")).toBe("Close")); // its effect ran
    document.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    await flush();
    expect(root.querySelector("[data-testid=lightbox]")).toBeNull();
  });

  it("keeps the body of a message that has text besides its files", async () => {
    const m = msg(2, { body: "Here is the invoice", attachments: [{ id: "6", name: "a.pdf", content_type: "application/pdf", size: 1, url: "/api/v1/files/6", kind: "file" }] });
    render(h(MessageItem, { m, grouped: false, canPost: true }), root);
    await flush();
    expect(root.querySelector("[data-testid=message-body]")!.textContent).toContain("Here is the invoice");
  });

  it("says nothing once delivered, 'sending…' on its way, and 'Not delivered — reason · Retry' when dead", async () => {
    const base = msg(3, { author: mine, body: "We ship today" });
    render(h(MessageItem, { m: { ...base, deliveries: [ok(1)] }, grouped: false, canPost: true }), root);
    await flush();
    expect(root.querySelector("[data-testid=delivery-state]")).toBeNull();

    render(h(MessageItem, { m: { ...base, deliveries: [ok(1), pending(2)] }, grouped: false, canPost: true }), root);
    await flush();
    expect(root.querySelector<HTMLElement>("[data-testid=delivery-state]")!.dataset.state).toBe("pending");
    expect(root.querySelector("[data-testid=delivery-state]")!.textContent).toBe("sending…");

    // Someone else's message shows no delivery state.
    render(h(MessageItem, { m: { ...base, id: "2001", author: { id: "200", kind: "user", display_name: "Bob", avatar_url: "" }, deliveries: [dead(9)] }, grouped: false, canPost: true }), root);
    await flush();
    expect(root.querySelector("[data-testid=delivery-state]")).toBeNull();

    const m = { ...base, deliveries: [dead(41), dead(42, "Discord said 403")] };
    store.receiveMessage(m, "fetched");
    render(h(MessageItem, { m, grouped: false, canPost: true }), root);
    await flush();
    const line = root.querySelector<HTMLElement>("[data-testid=delivery-state]")!;
    expect(line.dataset.state).toBe("dead");
    expect(line.textContent).toContain("Not delivered — LINE refused the token (HTTP 401); Discord said 403");
    fetchMock.mockImplementation(() => Promise.resolve(new Response(JSON.stringify({ id: 1, state: "pending" }), { status: 200, headers: { "Content-Type": "application/json" } })));
    root.querySelector<HTMLButtonElement>("[data-testid=delivery-retry]")!.click();
    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(2));
    expect(fetchMock.mock.calls.map((c) => [c[0], (c[1] as RequestInit).method])).toEqual([
      ["/api/v1/outbox/41/retry", "POST"],
      ["/api/v1/outbox/42/retry", "POST"],
    ]);
    // Shown on its way until the server's message:delivery says how it went.
    await vi.waitFor(() => expect(store.get().messages[m.id].deliveries!.every((d) => d.state === "pending")).toBe(true));
  });
});
