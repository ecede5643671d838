// The emoji table is loaded on demand (lib/emoji.ts): nothing reads it until the picker, the ":" autocomplete or
// the image fallback asks, and what was drawn without it is drawn again once it is there.
import { render } from "preact";
import { useMemo } from "preact/hooks";
import { act } from "preact/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { emojiTable, loadEmoji, QUICK_REACTIONS } from "../src/lib/emoji";
import { Emoji, emojifyHTML, setEmojiImages, useEmojiImages } from "../src/lib/emojiImages";
import { EmojiPicker } from "../src/chat/EmojiPicker";

afterEach(() => setEmojiImages(false));

/** A message body as chat/Message.tsx draws it: HTML made once, again when the emoji table arrives. */
function Body({ html }: { html: string }) {
  const imgs = useEmojiImages(html);
  const out = useMemo(() => emojifyHTML(html), [html, imgs]);
  return <div class="body" dangerouslySetInnerHTML={{ __html: out }} />;
}

describe("the emoji table on demand", () => {
  // One test, in order: the table is module state, fetched once per page.
  it("is absent until asked; emoji images and the picker follow once it arrives", async () => {
    expect(emojiTable()).toBeNull();
    setEmojiImages(true);
    expect(emojifyHTML("<p>🎉</p>")).toBe("<p>🎉</p>"); // text until the table says where 🎉 is on the sheet

    const root = document.createElement("div");
    document.body.append(root);
    act(() => {
      render(
        <>
          <span id="one"><Emoji char="🎉" /></span>
          <Body html="<p>Shipped 🎉</p>" />
          <EmojiPicker onPick={() => {}} onClose={() => {}} />
        </>,
        root,
      );
    });
    expect(root.querySelector("#one")!.innerHTML).toBe("🎉");
    expect(root.querySelector(".body")!.innerHTML).toBe("<p>Shipped 🎉</p>");
    // The picker: the quick reactions at once, a loading note instead of the rest.
    const picked = () => [...root.querySelectorAll("[data-testid=emoji-picker] button[data-emoji]")].map((b) => b.getAttribute("data-emoji"));
    expect(picked()).toEqual(QUICK_REACTIONS);
    expect(root.querySelector("[data-testid=emoji-loading]")?.textContent).toBe("Loading emoji…");

    const [a, b] = [loadEmoji(), loadEmoji()];
    expect(a).toBe(b); // one request for everyone
    await act(async () => {
      await a;
    });
    expect(emojiTable()).not.toBeNull();
    expect(root.querySelector("#one .emoji-img")?.textContent).toBe("🎉");
    expect(root.querySelector(".body .emoji-img")?.textContent).toBe("🎉");
    expect(root.querySelector("[data-testid=emoji-loading]")).toBeNull();
    expect(picked().length).toBeGreaterThan(1500);
    const thumbs = [...root.querySelectorAll("button[data-emoji]")].find((b) => b.getAttribute("data-emoji") === "👍");
    expect(thumbs?.getAttribute("title")).toBe(":+1:"); // the quick reactions get their names
    expect(emojifyHTML("<p>🎉</p>")).toContain('class="emoji-img"');
    render(null, root);
  });
});
