import { describe, expect, it } from "vitest";
import { contrast, ensureContrast, readableOn, themeVars } from "../src/lib/theme";
import { guessBoot } from "../src/lib/boot";
import { matchRoute } from "../src/lib/router";
import { encodeMentions } from "../src/chat/Composer";

describe("readable colours", () => {
  it("picks black or white text with at least AA contrast on any brand colour", () => {
    for (const bg of ["#4f46e5", "#f59e0b", "#ffffff", "#000000", "#06c755", "#5865f2", "#777777", "#3f0e40", "#ffff00"]) {
      expect(contrast(bg, readableOn(bg)), bg).toBeGreaterThanOrEqual(4.5);
    }
  });

  it("deepens a pale accent until it reads as text on the page", () => {
    const c = ensureContrast("#f59e0b", "#ffffff");
    expect(contrast(c, "#ffffff")).toBeGreaterThanOrEqual(4.5);
    expect(ensureContrast("#1264a3", "#ffffff")).toBe("#1264a3");
  });

  it("gives the sidebar readable text in light and dark themes", () => {
    for (const dark of [false, true]) {
      const v = themeVars({ primary: "#f59e0b", accent: "#4f46e5" }, dark);
      expect(contrast(v["--sidebar-bg"], v["--sidebar-fg"])).toBeGreaterThanOrEqual(4.5);
      expect(contrast(v["--sidebar-active"], v["--sidebar-active-fg"])).toBeGreaterThanOrEqual(4.5);
    }
  });

  it("falls back to defaults for invalid colours", () => {
    expect(themeVars({ primary: "red; background:url(x)" }, false)["--brand"]).toBe("#3f0e40");
  });
});

describe("boot and routes", () => {
  it("deduces the host from the location without boot data", () => {
    expect(guessBoot({ hostname: "acme.localhost", port: "5173", protocol: "http:", origin: "http://acme.localhost:5173" }))
      .toMatchObject({ host: "workspace", base_url: "http://localhost:5173" });
    expect(guessBoot({ hostname: "localhost", port: "8080", protocol: "http:", origin: "http://localhost:8080" }).host).toBe("apex");
  });

  it("matches the app's routes", () => {
    expect(matchRoute("workspace", "/channels/12/threads/34")).toEqual({ name: "channel", channelId: "12", threadId: "34" });
    expect(matchRoute("workspace", "/settings/branding")).toEqual({ name: "settings", section: "branding" });
    expect(matchRoute("workspace", "/invite/abc")).toEqual({ name: "invite", token: "abc" });
    expect(matchRoute("apex", "/channels/1").name).toBe("not-found");
  });
});

describe("composer mentions", () => {
  it("turns @Display Name into the server's <@id> syntax, longest names first", () => {
    const people = [{ id: "1", name: "Ann" }, { id: "2", name: "Ann Lee" }];
    expect(encodeMentions("hi @Ann Lee and @Ann, mail ann@acme.test", people)).toBe("hi <@2> and <@1>, mail ann@acme.test");
  });
});
