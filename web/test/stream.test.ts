// lib/stream.ts on its own: the one model every stream (a channel, a ticket's conversation, its notes) follows.
import { beforeEach, describe, expect, it } from "vitest";
import { createStore, type Store } from "../src/lib/store";
import { resumeFrom, streamJoined, streamMessage } from "../src/lib/stream";
import { BOB, me, msg } from "./fixtures";

let s: Store;
beforeEach(() => {
  s = createStore();
  s.setMe(me());
});

describe("a stream", () => {
  it("resumes from nothing before anything was seen, then from the highest seq and change", () => {
    expect(resumeFrom(s, "10")).toBeNull();
    streamMessage(s, msg(3), "new");
    streamMessage(s, msg(2, { change: 7 }), "update");
    expect(resumeFrom(s, "10")).toEqual({ last_seq: 3, last_change: 7 });
  });

  it("takes the reply's counters when it joined without a position, and keeps its own when it resumed", () => {
    expect(streamJoined(s, "20", { last_seq: 40, last_change: 41 }, false)).toBe(false);
    expect(s.position("20")).toEqual({ seq: 40, change: 41 });
    streamMessage(s, msg(5), "new");
    expect(streamJoined(s, "10", { last_seq: 9, last_change: 9 }, true)).toBe(false);
    expect(s.position("10")).toEqual({ seq: 5, change: 5 }); // the replay brings 6..9
  });

  it("on reset, empties the timeline and starts again from the reply", () => {
    s.receiveHistory("10", [msg(1), msg(2)], "latest", 50);
    expect(streamJoined(s, "10", { last_seq: 900, last_change: 950, reset: true }, true)).toBe(true);
    expect(s.get().timelines["10"]).toMatchObject({ ids: [], loaded: false });
    expect(s.position("10")).toEqual({ seq: 900, change: 950 });
  });

  it("dedupes by id keeping the higher change, and a new message ends its author's typing", () => {
    s.typingStarted({ channel_id: "10", user_id: BOB, display_name: "Bob", parent_id: null, expires_in_ms: 5000 });
    streamMessage(s, msg(4, { change: 9, body: "edited" }), "update");
    streamMessage(s, msg(4), "new"); // a stale replay
    expect(s.get().messages["1004"].body).toBe("edited");
    expect(s.get().timelines["10"].ids).toEqual(["1004"]);
    expect(s.get().typing["10"]).toEqual([]);
  });
});
