import { beforeEach, describe, expect, it } from "vitest";
import { createStore, type Store } from "../src/lib/store";
import { channelsToFollow } from "../src/lib/socket";
import { BOB, ME, channel, me, msg } from "./fixtures";

let s: Store;
const ids = () => s.get().timelines["10"]?.ids.map((id) => s.get().messages[id].seq) ?? [];
const ch = () => s.get().channels["10"];

beforeEach(() => {
  s = createStore();
  s.setMe(me());
  s.setChannels([channel({ last_seq: 3, last_change: 3, last_read_seq: 3 })]);
});

describe("timeline merging", () => {
  it("orders by seq whatever the arrival order", () => {
    for (const n of [6, 4, 5, 8, 7]) s.receiveMessage(msg(n), "new");
    expect(ids()).toEqual([4, 5, 6, 7, 8]);
  });

  it("dedupes by id, keeping the copy with the higher change", () => {
    s.receiveMessage(msg(4, { body: "v2", change: 9 }), "update");
    s.receiveMessage(msg(4, { body: "v1", change: 4 }), "new"); // a stale replay after the edit
    s.receiveMessage(msg(4, { body: "v1", change: 4 }), "new");
    expect(ids()).toEqual([4]);
    expect(s.get().messages["1004"].body).toBe("v2");
  });

  it("merges history pages with live events without duplicates or holes", () => {
    s.receiveMessage(msg(9), "new");
    s.receiveMessage(msg(10), "new");
    s.receiveHistory("10", [6, 7, 8, 9, 10].map((n) => msg(n)), "latest", 5);
    expect(ids()).toEqual([6, 7, 8, 9, 10]);
    expect(s.get().timelines["10"].loaded).toBe(true);
    expect(s.get().timelines["10"].hasMore).toBe(true);
    s.receiveHistory("10", [4, 5].map((n) => msg(n)), "older", 5);
    expect(ids()).toEqual([4, 5, 6, 7, 8, 9, 10]);
    expect(s.get().timelines["10"].hasMore).toBe(false);
  });

  it("keeps thread replies out of the timeline unless broadcast", () => {
    s.receiveMessage(msg(4), "new");
    s.receiveMessage(msg(5, { parent_id: "1004" }), "new");
    s.receiveMessage(msg(6, { parent_id: "1004", broadcast: true }), "new");
    expect(ids()).toEqual([4, 6]);
    expect(s.get().threads["1004"].ids).toEqual(["1005", "1006"]);
  });

  it("replaces a message by its tombstone", () => {
    s.receiveMessage(msg(4, { reactions: [{ emoji: "👍", count: 1, users: [ME] }] }), "new");
    s.receiveMessage(msg(4, { change: 12, body: "", deleted_at: "2025-01-02T00:00:00Z", reactions: [] }), "update");
    const m = s.get().messages["1004"];
    expect(m.deleted_at).not.toBeNull();
    expect(m.reactions).toEqual([]);
    expect(ids()).toEqual([4]);
  });

  it("a reset drops the old timeline and starts from the new page", () => {
    s.receiveHistory("10", [1, 2, 3].map((n) => msg(n)), "latest", 50);
    s.receiveHistory("10", [2000, 2001].map((n) => msg(n)), "reset", 50);
    expect(ids()).toEqual([2000, 2001]);
  });
});

describe("catch-up position", () => {
  it("starts from the channel list and follows the highest seq and change seen", () => {
    expect(s.position("10")).toEqual({ seq: 3, change: 3 });
    s.receiveMessage(msg(5, { change: 7 }), "new");
    s.receiveMessage(msg(4, { change: 9 }), "update");
    expect(s.position("10")).toEqual({ seq: 5, change: 9 });
  });

  it("is not moved back by a refreshed channel list (a reconnect must replay from where we were)", () => {
    s.receiveMessage(msg(8), "new");
    s.setChannels([channel({ last_seq: 3, last_change: 3, last_read_seq: 3 })]);
    expect(s.position("10")?.seq).toBe(8);
  });
});

describe("optimistic sends", () => {
  it("replaces the pending copy when our message comes back by client_msg_id (live event first)", () => {
    s.addPending({ client_msg_id: "c-1", channel_id: "10", parent_id: null, broadcast: false, body: "hi" });
    expect(s.get().pending).toHaveLength(1);
    const mine = msg(4, { author: { id: ME, kind: "user", display_name: "Ann", avatar_url: "" }, client_msg_id: "c-1", body: "hi" });
    s.receiveMessage(mine, "new");
    expect(s.get().pending).toHaveLength(0);
    s.receiveMessage(mine, "fetched"); // then the push reply: no duplicate
    expect(ids()).toEqual([4]);
  });

  it("marks failed and back to pending on retry, keeping the same client_msg_id", () => {
    s.addPending({ client_msg_id: "c-2", channel_id: "10", parent_id: null, broadcast: false, body: "hi" });
    s.setPendingState("c-2", "failed", "offline");
    expect(s.get().pending[0]).toMatchObject({ state: "failed", error: "offline", client_msg_id: "c-2" });
    s.setPendingState("c-2", "pending");
    expect(s.get().pending[0].state).toBe("pending");
  });

  it("does not take someone else's message with the same client_msg_id", () => {
    s.addPending({ client_msg_id: "same", channel_id: "10", parent_id: null, broadcast: false, body: "hi" });
    s.receiveMessage(msg(4, { client_msg_id: "same" }), "new");
    expect(s.get().pending).toHaveLength(1);
  });
});

describe("unread counts", () => {
  it("counts timeline messages from others, and mentions", () => {
    s.receiveMessage(msg(4), "new");
    s.receiveMessage(msg(5, { mentions: [ME] }), "new");
    s.receiveMessage(msg(6, { mention_all: true }), "new");
    s.receiveMessage(msg(7, { parent_id: "1004" }), "new"); // thread-only reply: not in the timeline
    expect(ch()).toMatchObject({ unread_count: 3, mention_count: 2, last_seq: 7 });
  });

  it("does not count duplicates, replays of counted messages, or updates", () => {
    s.receiveMessage(msg(4), "new");
    s.receiveMessage(msg(4), "new");
    s.receiveMessage(msg(3), "new"); // at or below the list's last_seq: already in its counts
    s.receiveMessage(msg(5), "update");
    expect(ch().unread_count).toBe(1);
  });

  it("counts the messages missed during a disconnect once, when the rejoin replays them", () => {
    s.receiveMessage(msg(4), "new");
    // Reconnect: the list is refreshed (its counts include 4 and 5), then the replay brings 5 and 6.
    s.setChannels([channel({ last_seq: 5, last_change: 5, last_read_seq: 3, unread_count: 2 })]);
    s.receiveMessage(msg(5), "new");
    s.receiveMessage(msg(6), "new");
    expect(ch().unread_count).toBe(3);
  });

  it("our own message moves our cursor and clears the counts", () => {
    s.receiveMessage(msg(4, { mentions: [ME] }), "new");
    s.receiveMessage(msg(5, { author: { id: ME, kind: "user", display_name: "Ann", avatar_url: "" } }), "new");
    expect(ch()).toMatchObject({ unread_count: 0, mention_count: 0, last_read_seq: 5 });
  });

  it("takes unread:updated from another tab as it is", () => {
    s.receiveMessage(msg(4), "new");
    s.receiveMessage(msg(5), "new");
    s.applyUnread({ channel_id: "10", last_read_seq: 5, unread_count: 0, mention_count: 0 });
    expect(ch()).toMatchObject({ unread_count: 0, last_read_seq: 5 });
    s.receiveMessage(msg(5), "new"); // a late duplicate does not bring it back
    expect(ch().unread_count).toBe(0);
  });

  it("does not count messages below the read cursor", () => {
    s.setChannels([channel({ last_seq: 3, last_change: 3, last_read_seq: 10 })]);
    s.receiveMessage(msg(8), "new");
    expect(ch().unread_count).toBe(0);
  });

  it("keeps per-user counts when a broadcast Channel update arrives", () => {
    s.receiveMessage(msg(4), "new");
    s.upsertChannel(channel({ topic: "new topic", unread_count: 0, last_read_seq: 0, is_member: false }), false);
    expect(ch()).toMatchObject({ topic: "new topic", unread_count: 1, is_member: true, last_read_seq: 3 });
  });
});

describe("presence and typing", () => {
  it("marks people who leave presence as offline and keeps their custom status", () => {
    s.setPresence([{ userId: BOB, presence: "online", text: "lunch", emoji: "🍔" }]);
    expect(s.get().presence[BOB]).toEqual({ presence: "online", text: "lunch", emoji: "🍔" });
    s.setPresence([]);
    expect(s.get().presence[BOB].presence).toBe("offline");
  });

  it("shows typing for a while, ignores our own, and drops it when they post", () => {
    s.typingStarted({ channel_id: "10", user_id: ME, display_name: "Ann", parent_id: null, expires_in_ms: 5000 }, 0);
    s.typingStarted({ channel_id: "10", user_id: BOB, display_name: "Bob", parent_id: null, expires_in_ms: 5000 }, 0);
    expect(s.get().typing["10"].map((t) => t.name)).toEqual(["Bob"]);
    s.pruneTyping(4000);
    expect(s.get().typing["10"]).toHaveLength(1);
    s.pruneTyping(6000);
    expect(s.get().typing["10"]).toBeUndefined();
    s.typingStarted({ channel_id: "10", user_id: BOB, display_name: "Bob", parent_id: null, expires_in_ms: 5000 }, 0);
    s.typingStopped("10", BOB);
    expect(s.get().typing["10"]).toEqual([]);
  });
});

describe("which channel topics to follow", () => {
  it("prefers mentions, unread and DMs within the topic limit, plus the channel on screen", () => {
    const list = [
      channel({ id: "1", name: "a" }),
      channel({ id: "2", name: "b", unread_count: 2 }),
      channel({ id: "3", name: "", kind: "dm" }),
      channel({ id: "4", name: "c", mention_count: 1, unread_count: 1 }),
      channel({ id: "5", name: "d", is_member: false }),
    ];
    expect(channelsToFollow(list, null, 3)).toEqual(["4", "2", "3"]);
    expect(channelsToFollow(list, "5", 2)).toEqual(["4", "2", "5"]);
  });
});
