// No raw emoji in the app's own UI: a platform without a colour emoji font (a Linux desktop, a headless browser,
// CI) draws them as empty boxes. UI icons are SVG (chat/Icons.tsx); an emoji that is content is drawn with
// <Emoji char> / <EmojiText> (lib/emojiImages.tsx), which falls back to the Twemoji sheet. This test reads every
// source file under src/ and fails on an emoji in a string, a template or JSX text that is neither the `char` of an
// <Emoji> nor in the short list below of emoji that are data handed to <Emoji> elsewhere.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { describe, expect, it } from "vitest";
import { parseSync, Visitor } from "vite";
import { EMOJI_RE, isEmojiStyle } from "../src/lib/emojiImages";

const SRC = join(import.meta.dirname, "..", "src");

/** Emoji that are data, each drawn through <Emoji> by the code named (or never drawn). Keep it short. */
const ALLOWED: Record<string, { emoji: string; why: string; drawnWith?: RegExp }> = {
  "dialogs/StatusMenu.tsx": {
    emoji: "📅 🚌 🤒 🌴 🏠 🎧 💬 ☕ 🍔 🍕 🎉 🚀 💻 📞 ✈️ 🏖️ 🤔 👀 ✅ 🔥 ⏰ 📚 🏃 🛠️ 🎯 😴 🤝 💡 📝 🙏 ❤️ 😀 😎 🥳 🤧 🧘 🎮 🐶 👶 🔕",
    why: "status presets and choices",
    drawnWith: /<Emoji char=\{p\.emoji\}|<Emoji char=\{c\}/,
  },
  "pages/Landing.tsx": { emoji: "💬 🎨 🔌", why: "the landing page's feature pictures", drawnWith: /<Emoji char=\{f\.icon\}/ },
  "lib/emoji.ts": { emoji: "👍 ❤️ 😂 🎉 👀 🙏 ✅ 🔥", why: "QUICK_REACTIONS, drawn by the emoji picker with <Emoji>" },
  "lib/emojiImages.tsx": { emoji: "😀", why: "drawn on a canvas to test for a colour emoji font, never shown" },
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return d.name === "assets" ? [] : sources(p);
    return /\.(tsx?|css)$/.test(d.name) ? [p] : [];
  });
}

/** The emoji that need an emoji font in a piece of text. */
const emojiIn = (text: string) => [...text.matchAll(EMOJI_RE)].map((m) => m[0]).filter(isEmojiStyle);

type Found = { emoji: string; line: number };

/** Every emoji in a source file's strings, templates and JSX text, except the `char` of an <Emoji>. */
function rawEmoji(file: string, code: string): Found[] {
  const lineOf = (offset: number) => code.slice(0, offset).split("\n").length;
  if (file.endsWith(".css")) {
    const noComments = code.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, " "));
    return [...noComments.matchAll(EMOJI_RE)].filter((m) => isEmojiStyle(m[0])).map((m) => ({ emoji: m[0], line: lineOf(m.index) }));
  }
  const parsed = parseSync(file, code);
  expect(parsed.errors, file).toEqual([]);
  const wrapped: [number, number][] = []; // source ranges of <Emoji char={…}> values
  const texts: { text: string; start: number }[] = [];
  type Node = { start: number; end: number };
  new Visitor({
    JSXOpeningElement(n) {
      if (n.name.type !== "JSXIdentifier" || n.name.name !== "Emoji") return;
      for (const a of n.attributes) {
        if (a.type === "JSXAttribute" && a.name.type === "JSXIdentifier" && a.name.name === "char" && a.value) {
          const v = a.value as unknown as Node;
          wrapped.push([v.start, v.end]);
        }
      }
    },
    Literal(n) {
      if (typeof n.value === "string") texts.push({ text: n.value, start: (n as unknown as Node).start });
    },
    TemplateElement(n) {
      texts.push({ text: n.value.cooked ?? n.value.raw, start: (n as unknown as Node).start });
    },
    JSXText(n) {
      texts.push({ text: n.value, start: (n as unknown as Node).start });
    },
  }).visit(parsed.program);
  return texts
    .filter((t) => !wrapped.some(([s, e]) => t.start >= s && t.start < e))
    .flatMap((t) => emojiIn(t.text).map((emoji) => ({ emoji, line: lineOf(t.start) })));
}

describe("no raw emoji in the UI", () => {
  const files = sources(SRC);
  const found = new Map<string, Found[]>();
  for (const f of files) {
    const rel = relative(SRC, f).split(sep).join("/");
    const list = rawEmoji(f, readFileSync(f, "utf8"));
    if (list.length) found.set(rel, list);
  }

  it("reads the sources", () => {
    expect(files.length).toBeGreaterThan(50);
    expect(files.some((f) => f.endsWith("QuickSwitcher.tsx"))).toBe(true);
  });

  it("finds emoji in strings, templates and JSX text, and lets <Emoji char> through", () => {
    const code = [
      "const a = <p title={`x ${1} 🔗`}>hi 🔍 {'🔒'}</p>;",
      "const b = <Emoji char={x || \"🙂\"} label=\"Do not disturb\" />;",
      "// 🌴 in a comment",
      "const c = ['©', '✓', '✉', '✉️', '⚠'];",
    ].join("\n");
    expect(rawEmoji("probe.tsx", code)).toEqual([
      { emoji: "🔗", line: 1 },
      { emoji: "🔍", line: 1 },
      { emoji: "🔒", line: 1 },
      { emoji: "✉️", line: 4 },
    ]);
    expect(rawEmoji("probe.css", ".a::before { content: \"🔒\"; } /* 🌴 */")).toEqual([{ emoji: "🔒", line: 1 }]);
  });

  it("has none outside <Emoji> and the allowed data", () => {
    const bad: string[] = [];
    for (const [file, list] of found) {
      const allowed = new Set(emojiIn(ALLOWED[file]?.emoji ?? ""));
      for (const f of list) if (!allowed.has(f.emoji)) bad.push(`src/${file}:${f.line}: ${f.emoji}`);
    }
    expect(bad, "use an SVG icon (chat/Icons.tsx) or <Emoji char> (lib/emojiImages.tsx)").toEqual([]);
  });

  it("keeps the allowed list true: each entry is still there and still drawn with <Emoji>", () => {
    for (const [file, a] of Object.entries(ALLOWED)) {
      const seen = new Set((found.get(file) ?? []).map((f) => f.emoji));
      expect(emojiIn(a.emoji).filter((e) => !seen.has(e)), `${file}: ${a.why}`).toEqual([]);
      if (a.drawnWith) expect(readFileSync(join(SRC, file), "utf8"), `${file}: ${a.why}`).toMatch(a.drawnWith);
    }
  });
});
