import { describe, expect, it } from "vitest";
import { EMOJI, EMOJI_GROUPS, emojiByName, emojiCell, searchEmoji } from "../src/lib/emojiTable";

describe("emoji search", () => {
  it("finds 👍 by its usual names (:thu… autocompletes it, :+1 too)", () => {
    expect(searchEmoji("thu")[0].char).toBe("👍");
    expect(searchEmoji("thumbsdown")[0].char).toBe("👎");
    expect(searchEmoji("+1")[0].char).toBe("👍");
    expect(emojiByName("+1")).toBe("👍");
    expect(emojiByName("thumbsup")).toBe("👍");
  });
  it("lists each emoji once, whatever name matched", () => {
    const hits = searchEmoji("1", 60).map((e) => e.char);
    expect(new Set(hits).size).toBe(hits.length);
  });
  it("parses every entry into a character and a name", () => {
    for (const e of EMOJI) {
      expect(e.char.length).toBeGreaterThan(0);
      expect(e.name).toMatch(/^[a-z0-9_+-]+$/);
    }
  });
});

describe("the one emoji table (internal/emoji/emoji.json, shared with the server)", () => {
  it("knows Slack's names and the full set", () => {
    expect(emojiByName("tada")).toBe("🎉");
    expect(emojiByName("slightly_smiling_face")).toBe("🙂");
    expect(EMOJI.length).toBeGreaterThan(1500);
    expect(searchEmoji("tada")[0].char).toBe("🎉");
  });
  it("offers no skin tone swatches as a picker group", () => {
    expect(EMOJI_GROUPS).not.toContain("Component");
    expect(EMOJI_GROUPS[0]).toBe("Smileys & Emotion");
  });
  it("finds a sheet cell for emoji, skin tones and text-style variants", () => {
    expect(emojiCell("🎉")).toBeDefined();
    expect(emojiCell("👍🏽")).toBeDefined();
    expect(emojiCell("👍🏽")).not.toEqual(emojiCell("👍"));
    expect(emojiCell("❤")).toEqual(emojiCell("❤️"));
    expect(emojiCell("a")).toBeUndefined();
  });
});
