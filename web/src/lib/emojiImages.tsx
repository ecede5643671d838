// Emoji as images where the platform has no colour emoji font (a Linux desktop without one shows every emoji as
// an empty box), as Slack and Mattermost do. At start, setupEmoji() draws an emoji on a canvas: if no coloured
// pixel comes out, emoji are shown from the Twemoji sprite sheet (assets/emoji/twitter-32.png, graphics CC-BY 4.0,
// © Twitter, Inc. and other contributors) — in messages (emojifyHTML, from renderMarkdown), reactions, statuses,
// the picker and the landing page (<Emoji>, <EmojiText>). The sheet is loaded only then, and only once, and so is
// the emoji table (lib/emoji.ts) that says where each emoji is on it: setupEmoji starts fetching it when it decides
// on images, emoji stay text until it is there, and <Emoji> and the message bodies (useEmojiImages) re-render when
// it arrives. With the platform's own emoji the table is not fetched for any of this.
// localStorage "relay.emoji" = "images" | "native" overrides the check (the browser tests use it).
import { emojiTable, loadEmoji, useEmojiTable } from "./emoji";
import "../styles/emoji.css";

let images = false;

/** Whether emoji are drawn from the image sheet. */
export const emojiImages = () => images;

/** For tests: force the mode. */
export function setEmojiImages(on: boolean) {
  images = on;
}

/** Decides once, at start, how emoji are drawn; returns true for images. */
export function setupEmoji(): boolean {
  let pref: string | null = null;
  try {
    pref = localStorage.getItem("relay.emoji");
  } catch {
    /* storage blocked: decide by the canvas */
  }
  images = pref === "images" ? true : pref === "native" ? false : !canDrawColourEmoji();
  document.documentElement.dataset.emoji = images ? "images" : "native";
  if (images) {
    loadEmoji().catch(() => {
      /* emoji stay text; the next reader (the picker, say) tries again */
    });
  }
  return images;
}

/** Draws 😀 on a canvas and looks for a coloured pixel: a missing font draws nothing or a grey box. */
export function canDrawColourEmoji(): boolean {
  const c = document.createElement("canvas");
  c.width = c.height = 24;
  let ctx: CanvasRenderingContext2D | null = null;
  try {
    ctx = c.getContext("2d", { willReadFrequently: true });
  } catch {
    ctx = null;
  }
  if (!ctx) return true; // cannot tell (no canvas): trust the platform
  ctx.textBaseline = "top";
  ctx.font = '20px "Apple Color Emoji", "Segoe UI Emoji", "Noto Color Emoji", "Twemoji Mozilla", sans-serif';
  ctx.fillStyle = "#000";
  ctx.fillText("😀", 0, 0);
  const d = ctx.getImageData(0, 0, 24, 24).data;
  for (let i = 0; i < d.length; i += 4) {
    if (d[i + 3] > 0 && (Math.abs(d[i] - d[i + 1]) > 20 || Math.abs(d[i + 1] - d[i + 2]) > 20)) return true;
  }
  return false;
}

/** One emoji (a flag, a keycap, a skin tone or a ZWJ sequence counts as one). */
export const EMOJI_RE =
  /\p{Regional_Indicator}\p{Regional_Indicator}|[#*0-9]\uFE0F?\u20E3|\p{Extended_Pictographic}[\uFE0E\uFE0F]?\p{Emoji_Modifier}?(?:\u200D\p{Extended_Pictographic}\uFE0F?\p{Emoji_Modifier}?)*[\u{E0020}-\u{E007F}]*/gu;

/**
 * Whether a matched emoji is drawn as a colour emoji, which needs an emoji font (🔒, ✉️, ❤️), rather than as a
 * text symbol that ordinary fonts have (©, ✓, ✉, or anything with U+FE0E).
 */
export function isEmojiStyle(e: string): boolean {
  if (e.includes("\uFE0E")) return false;
  return [...e].length > 1 || /\p{Emoji_Presentation}/u.test(e);
}

/**
 * The sheet cell to draw for a matched emoji, or undefined to leave it as text (text-style symbols like ©, or any
 * emoji while the table is still on its way).
 */
function cellFor(e: string): [number, number] | undefined {
  const t = emojiTable();
  return t && isEmojiStyle(e) ? t.emojiCell(e) : undefined;
}

/**
 * For a component that draws text with emoji as images through emojifyHTML (a message body): re-renders it when
 * the table arrives, if the text has an emoji to draw (a channel of plain messages is not laid out twice). The
 * returned value changes then, so it goes in the deps of a useMemo around renderMarkdown.
 */
export function useEmojiImages(text: string): boolean {
  const drawn = images && hasEmoji(text);
  const table = useEmojiTable(drawn && !emojiTable());
  return drawn && !!table;
}

function hasEmoji(text: string): boolean {
  for (const m of text.matchAll(EMOJI_RE)) if (isEmojiStyle(m[0])) return true;
  return false;
}

const BOX = 1.25; // em

/** The inline style of an emoji drawn from the sheet. */
export function spriteStyle([x, y]: [number, number]) {
  const SHEET = emojiTable()!.SHEET; // there is a cell, so the table is there
  const cell = SHEET.size + 2 * SHEET.padding;
  const scale = BOX / SHEET.size; // em per sheet pixel
  return {
    backgroundSize: `${SHEET.cols * cell * scale}em`,
    backgroundPosition: `${-(x * cell + SHEET.padding) * scale}em ${-(y * cell + SHEET.padding) * scale}em`,
  };
}

/** An emoji: the character itself, or its image where the platform cannot draw it. */
export function Emoji(p: { char: string; label?: string }) {
  useEmojiTable(images); // re-render when the table arrives
  const cell = images ? cellFor(p.char) : undefined;
  if (!cell) return <>{p.char}</>;
  return <span class="emoji-img" role="img" aria-label={p.label ?? p.char} style={spriteStyle(cell)}>{p.char}</span>;
}

/** Text with its emoji as <Emoji>. */
export function EmojiText(p: { text: string }) {
  if (!images) return <>{p.text}</>;
  const out: (string | preact.JSX.Element)[] = [];
  let last = 0;
  for (const m of p.text.matchAll(EMOJI_RE)) {
    if (m.index > last) out.push(p.text.slice(last, m.index));
    out.push(<Emoji char={m[0]} />);
    last = m.index + m[0].length;
  }
  if (last < p.text.length) out.push(p.text.slice(last));
  return <>{out}</>;
}

/** Replaces the emoji in the text of sanitised HTML (not in code) with sheet images; a no-op with native emoji. */
export function emojifyHTML(html: string): string {
  if (!images || !new RegExp(EMOJI_RE.source, "u").test(html)) return html;
  const root = document.createElement("div");
  root.innerHTML = html;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const texts: Text[] = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!(n.parentElement?.closest("code, pre"))) texts.push(n as Text);
  }
  for (const t of texts) {
    const s = t.data;
    let last = 0;
    let changed = false;
    const frag = document.createDocumentFragment();
    for (const m of s.matchAll(EMOJI_RE)) {
      const cell = cellFor(m[0]);
      if (!cell) continue;
      changed = true;
      if (m.index > last) frag.append(s.slice(last, m.index));
      const span = document.createElement("span");
      span.className = "emoji-img";
      span.setAttribute("role", "img");
      span.setAttribute("aria-label", m[0]);
      Object.assign(span.style, spriteStyle(cell));
      span.textContent = m[0];
      frag.append(span);
      last = m.index + m[0].length;
    }
    if (!changed) continue;
    if (last < s.length) frag.append(s.slice(last));
    t.replaceWith(frag);
  }
  return root.innerHTML;
}
