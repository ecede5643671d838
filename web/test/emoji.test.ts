import { describe, expect, it } from "vitest";
import { EMOJI, emojiByName, searchEmoji } from "../src/lib/emoji";

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
