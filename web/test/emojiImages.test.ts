import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadEmoji } from "../src/lib/emoji";
import { EMOJI_RE, canDrawColourEmoji, emojifyHTML, setEmojiImages, spriteStyle } from "../src/lib/emojiImages";
import { renderMarkdown } from "../src/lib/markdown";

// The sheet cells come with the emoji table, which the app loads on demand (setupEmoji starts it).
beforeAll(() => loadEmoji());
afterEach(() => setEmojiImages(false));

describe("emoji as images where the platform cannot draw them", () => {
  it("finds whole emoji: flags, keycaps, skin tones, ZWJ sequences", () => {
    const found = "a 🎉 🇯🇵 1️⃣ 👍🏽 👨‍👩‍👧 ❤️ b".match(EMOJI_RE);
    expect(found).toEqual(["🎉", "🇯🇵", "1️⃣", "👍🏽", "👨‍👩‍👧", "❤️"]);
  });
  it("leaves HTML alone with native emoji", () => {
    expect(emojifyHTML("<p>hi 🎉</p>")).toBe("<p>hi 🎉</p>");
  });
  it("draws emoji in text from the sheet, not in code, and keeps the character", () => {
    setEmojiImages(true);
    const html = renderMarkdown("Shipped 🎉 `🎉` ©");
    const div = document.createElement("div");
    div.innerHTML = html;
    const imgs = div.querySelectorAll("span.emoji-img");
    expect(imgs.length).toBe(1);
    expect(imgs[0].textContent).toBe("🎉");
    expect(imgs[0].getAttribute("role")).toBe("img");
    expect((imgs[0] as HTMLElement).style.backgroundPosition).not.toBe("");
    expect(div.querySelector("code")!.textContent).toBe("🎉");
    expect(div.textContent!.trim()).toBe("Shipped 🎉 🎉 ©"); // copy and paste keep the text
  });
  it("places the sheet so one cell fills the box", () => {
    expect(spriteStyle([0, 0]).backgroundPosition).toBe("-0.0390625em -0.0390625em");
    expect(spriteStyle([1, 2]).backgroundPosition).toBe("-1.3671875em -2.6953125em");
  });
  it("trusts the platform when it cannot check (no canvas)", () => {
    expect(canDrawColourEmoji()).toBe(true);
  });
});
