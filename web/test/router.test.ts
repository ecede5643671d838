// Sign-in redirects (no nesting, no open redirect) and message links.
import { describe, expect, it } from "vitest";
import { linkedMessage, loginPath, messagePath, safeNext } from "../src/lib/router";

describe("safeNext", () => {
  it("keeps a path on this site with its query and fragment", () => {
    expect(safeNext("/channels/1/threads/2")).toBe("/channels/1/threads/2");
    expect(safeNext("/channels/1?message=5#x")).toBe("/channels/1?message=5#x");
    expect(safeNext("/settings/profile")).toBe("/settings/profile");
  });

  it("refuses other origins and anything that is not a plain path", () => {
    for (const bad of [
      "//evil.example/x", "/\\evil.example", "https://evil.example/", "http:/evil.example", "javascript:alert(1)",
      "evil.example", "/\\\\evil", "/a\\b", "/\t/evil.example", "", null, undefined,
    ]) {
      expect(safeNext(bad), String(bad)).toBe("/");
    }
  });

  it("never goes back to the login page or another public page (redirects cannot nest)", () => {
    expect(safeNext("/login")).toBe("/");
    expect(safeNext("/login?next=%2Fchannels%2F1")).toBe("/");
    expect(safeNext("/Login/../login?next=/x")).toBe("/");
    expect(safeNext("/handoff#code=1")).toBe("/");
    expect(safeNext("/invite/abc")).toBe("/");
  });
});

describe("loginPath", () => {
  it("comes back to a deep link, thread and message included", () => {
    expect(loginPath("/channels/7/threads/9")).toBe("/login?next=" + encodeURIComponent("/channels/7/threads/9"));
    expect(loginPath("/channels/7?message=3")).toBe("/login?next=" + encodeURIComponent("/channels/7?message=3"));
    expect(loginPath("/")).toBe("/login");
  });

  it("does not nest when called again on the login page", () => {
    const first = loginPath("/channels/7/threads/9");
    expect(loginPath(first)).toBe(first);
    expect(loginPath(loginPath(first))).toBe(first);
    expect(loginPath("/login?next=" + encodeURIComponent("/login?next=%2Fchannels%2F1"))).toBe("/login");
    expect(loginPath("/login?next=" + encodeURIComponent("//evil.example"))).toBe("/login");
  });
});

describe("message links", () => {
  it("Copy link's address opens the message", () => {
    const p = messagePath("10", "1004");
    expect(p).toBe("/channels/10?message=1004");
    const u = new URL(p, "http://acme.localhost");
    expect(linkedMessage(u.search, u.hash)).toBe("1004");
    expect(messagePath("10", "1005", "1004")).toBe("/channels/10/threads/1004?message=1005");
  });

  it("reads the older #msg- form and ignores junk", () => {
    expect(linkedMessage("", "#msg-77")).toBe("77");
    expect(linkedMessage("?message=abc", "")).toBeNull();
    expect(linkedMessage("", "#other")).toBeNull();
  });
});
