import { describe, expect, it } from "vitest";
import { hueOf, humanSize, initials, notSentText } from "../src/lib/format";

describe("initials", () => {
  it.each([
    ["Ann Lee", "AL"],
    ["ann", "A"],
    ["Yuki (LINE)", "YL"],
    ["ops@customer.example", "OC"],
    ["nova#2231", "N2"],
    ["  Émile  Zola  ", "ÉZ"],
    ["山田 太郎", "山太"],
    ["(((", "?"],
    ["", "?"],
    ["🙂 Smiley", "S"],
  ])("%j → %s", (name, want) => expect(initials(name)).toBe(want));
});

describe("hueOf", () => {
  it("is stable per id and varies across ids", () => {
    expect(hueOf("123")).toBe(hueOf("123"));
    expect(new Set(["1", "2", "3", "4", "5", "6", "7", "8"].map(hueOf)).size).toBeGreaterThan(2);
  });
});

describe("humanSize", () => {
  it("says sizes as people read them", () => {
    expect(humanSize(0)).toBe("");
    expect(humanSize(512)).toBe("512 B");
    expect(humanSize(2048)).toBe("2.0 KB");
    expect(humanSize(5 * 1024 * 1024)).toBe("5.0 MB");
  });
});

describe("notSentText", () => {
  it("never doubles the reason's full stop", () => {
    expect(notSentText("Cannot reach the server. Check your connection and try again.")).toBe("Not sent: Cannot reach the server. Check your connection and try again.");
    expect(notSentText("Forbidden")).toBe("Not sent: Forbidden.");
    expect(notSentText("")).toBe("Not sent.");
    expect(notSentText(undefined)).toBe("Not sent.");
    expect(notSentText("Cannot reach the server. Check your connection and try again.", true)).toBe("Not sent: no connection. It goes out when the connection is back.");
    expect(notSentText("x", true)).not.toMatch(/\.\./);
  });
});
