// sendTyping's throttle, and that sending a message resets it.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const pushes: { channelId: string; event: string; payload: unknown }[] = [];
vi.mock("../src/lib/socket", async () => ({
  ...(await import("./socketstub")).socketStub,
  pushOn: (channelId: string, event: string, payload: unknown) => {
    pushes.push({ channelId, event, payload });
    return Promise.resolve({});
  },
}));
vi.mock("../src/lib/api", () => ({
  ApiError: class extends Error {},
  api: { postMessage: () => new Promise(() => {}) },
}));

const { sendMessage, sendTyping } = await import("../src/lib/actions");
const typings = () => pushes.filter((p) => p.event === "typing");

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date("2025-01-01T12:00:00Z"));
  pushes.length = 0;
});
afterEach(() => vi.useRealTimers());

describe("sendTyping", () => {
  it("pushes at most once per 2.5 s per conversation", () => {
    sendTyping("10");
    vi.advanceTimersByTime(1000);
    sendTyping("10");
    expect(typings()).toHaveLength(1);
    vi.advanceTimersByTime(1600);
    sendTyping("10");
    expect(typings()).toHaveLength(2);
  });

  it("announces typing right after sending a message", () => {
    sendTyping("20");
    vi.advanceTimersByTime(2100);
    sendMessage("20", "hello");
    sendTyping("20");
    expect(typings().filter((p) => p.channelId === "20")).toHaveLength(2);
    // …and throttles again from there.
    sendTyping("20");
    vi.advanceTimersByTime(3000);
    expect(typings().filter((p) => p.channelId === "20")).toHaveLength(2);
  });

  it("a push the server would drop (within 2 s on the same topic) waits for it, not for a whole round", () => {
    sendTyping("30", "99"); // typing in a thread…
    vi.advanceTimersByTime(500);
    sendMessage("30", "reply", "99");
    sendTyping("30"); // …then in the channel's composer, 0.5 s later
    expect(typings().filter((p) => p.channelId === "30")).toHaveLength(1);
    vi.advanceTimersByTime(1600);
    expect(typings().filter((p) => p.channelId === "30").map((p) => p.payload)).toEqual([{ parent_id: "99" }, {}]);
  });

  it("a message sent meanwhile cancels the delayed notice", () => {
    sendTyping("40");
    vi.advanceTimersByTime(300);
    sendMessage("40", "quick");
    sendTyping("40");
    sendMessage("40", "another");
    vi.advanceTimersByTime(3000);
    expect(typings().filter((p) => p.channelId === "40")).toHaveLength(1);
  });
});
