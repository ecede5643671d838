// Sending: a message that failed for want of a connection goes again by itself on reconnect, with the same
// client_msg_id (so the server keeps one copy), in the order it was written; a refused one waits for Retry.
// Tickets' replies and notes go through the same pending sends.
import { beforeEach, describe, expect, it, vi } from "vitest";

const posts: { where: string; body: string; client_msg_id: string; internal?: boolean }[] = [];
let offline = true;
let refuse = false;

vi.mock("../src/lib/socket", async () => ({
  ...(await import("./socketstub")).socketStub,
  pushOn: () => Promise.reject({ reason: "not_joined" }),
}));

const { ApiError } = await vi.importActual<typeof import("../src/lib/api")>("../src/lib/api");
const { msg, me, ME } = await import("./fixtures");
let seq = 0;
const answer = (where: string, b: { body: string; client_msg_id: string; internal?: boolean }, channelId: string) => {
  if (offline) return Promise.reject(new ApiError(0, "network", "Cannot reach the server. Check your connection and try again."));
  if (refuse) return Promise.reject(new ApiError(400, "invalid", "The message is too long."));
  posts.push({ where, ...b });
  seq++;
  return Promise.resolve(msg(seq, { id: "m" + seq, channel_id: channelId, body: b.body, client_msg_id: b.client_msg_id, author: { id: ME, kind: "user", display_name: "Ann", avatar_url: "" } }));
};
vi.mock("../src/lib/api", async () => ({
  ApiError: (await vi.importActual<typeof import("../src/lib/api")>("../src/lib/api")).ApiError,
  api: { postMessage: (channelId: string, b: { body: string; client_msg_id: string }) => answer("channel:" + channelId, b, channelId) },
}));
vi.mock("../src/lib/desk/api", () => ({
  deskApi: { postMessage: (id: string, b: { body: string; client_msg_id: string; internal?: boolean }) => answer("ticket:" + id, b, b.internal ? "501" : "500") },
}));

const { sendMessage, sendTicketMessage, resendFailed, retrySend } = await import("../src/lib/actions");
const { store } = await import("../src/lib/store");

const settle = () => vi.waitFor(() => expect(store.get().pending.every((p) => p.state === "failed")).toBe(true));

beforeEach(() => {
  store.reset();
  store.setMe(me());
  posts.length = 0;
  offline = true;
  refuse = false;
});

describe("sending while offline", () => {
  it("marks the send failed, then resends it on reconnect with the same client_msg_id, once, in order", async () => {
    sendMessage("10", "first");
    sendMessage("10", "second");
    await settle();
    const [a, b] = store.get().pending;
    expect(a).toMatchObject({ body: "first", state: "failed", resend: true });
    expect(b).toMatchObject({ body: "second", state: "failed", resend: true });

    offline = false;
    resendFailed();
    resendFailed(); // a second reconnect signal (socket open and the browser's online event) sends nothing twice
    await vi.waitFor(() => expect(store.get().pending).toEqual([]));
    expect(posts.map((p) => [p.body, p.client_msg_id])).toEqual([["first", a.client_msg_id], ["second", b.client_msg_id]]);
    const ids = store.get().timelines["10"].ids;
    expect(ids.map((id) => store.get().messages[id].body)).toEqual(["first", "second"]);
  });

  it("takes an earlier failed message along before a new one, so the new one never overtakes it", async () => {
    sendMessage("10", "written offline");
    await settle();
    offline = false;
    sendMessage("10", "written later");
    await vi.waitFor(() => expect(store.get().pending).toEqual([]));
    expect(posts.map((p) => p.body)).toEqual(["written offline", "written later"]);
  });

  it("leaves a send the server refused for Retry", async () => {
    offline = false;
    refuse = true;
    sendMessage("10", "too long");
    await settle();
    expect(store.get().pending[0]).toMatchObject({ state: "failed", resend: false, error: "The message is too long." });
    refuse = false;
    resendFailed();
    await Promise.resolve();
    expect(posts).toEqual([]);
    retrySend(store.get().pending[0].client_msg_id);
    await vi.waitFor(() => expect(store.get().pending).toEqual([]));
    expect(posts.map((p) => p.body)).toEqual(["too long"]);
  });

  it("sends a ticket's reply and note to the ticket, into its streams, and resends them like channel messages", async () => {
    const t = { id: "7", channel_id: "500", notes_channel_id: "501" };
    const reply = sendTicketMessage(t, "a reply", false);
    const note = sendTicketMessage(t, "a note", true);
    await Promise.all([reply, note]);
    expect(store.get().pending.map((p) => [p.channel_id, p.ticket_id, p.internal, p.state])).toEqual([["500", "7", undefined, "failed"], ["501", "7", true, "failed"]]);
    offline = false;
    resendFailed();
    await vi.waitFor(() => expect(store.get().pending).toEqual([]));
    expect(posts.map((p) => [p.where, p.body, p.internal])).toEqual([["ticket:7", "a reply", undefined], ["ticket:7", "a note", true]]);
    expect(store.get().timelines["500"].ids).toHaveLength(1);
    expect(store.get().messages[store.get().timelines["501"].ids[0]].internal).toBe(true);
  });
});
