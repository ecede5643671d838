// A popover of emoji: quick reactions, a search box and the built-in set by group. The quick reactions show at
// once; the rest comes with the emoji table (lib/emoji.ts), fetched the first time a picker opens.
import { useEffect, useRef, useState } from "preact/hooks";
import { emojiTableFailed, QUICK_REACTIONS, useEmojiTable } from "../lib/emoji";
import { Emoji, emojiImages } from "../lib/emojiImages";

export function EmojiPicker(p: { onPick: (emoji: string) => void; onClose: () => void; align?: "left" | "right" | "up" }) {
  const [q, setQ] = useState("");
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.querySelector("input")?.focus();
    const away = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) p.onClose();
    };
    const t = setTimeout(() => document.addEventListener("mousedown", away), 0);
    return () => {
      clearTimeout(t);
      document.removeEventListener("mousedown", away);
    };
  }, []);
  const table = useEmojiTable();
  const results = q && table ? table.searchEmoji(q, 60) : null;
  const waiting = !table && (
    <p class="muted small" data-testid="emoji-loading">{emojiTableFailed() ? "Emoji could not be loaded. Close and open again to retry." : "Loading emoji…"}</p>
  );
  const button = (char: string, name?: string) => (
    <button type="button" class="emoji-btn" data-emoji={char} title={name ? `:${name}:` : char} aria-label={name ?? char} onClick={() => p.onPick(char)}><Emoji char={char} label={name} /></button>
  );
  return (
    <div ref={ref} class={"emoji-picker " + (p.align ?? "right")} data-testid="emoji-picker" role="dialog" aria-label="Emoji picker"
      onKeyDown={(e) => { if (e.key === "Escape") { e.stopPropagation(); p.onClose(); } }}>
      <input class="emoji-search" placeholder="Search emoji" aria-label="Search emoji" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
      <div class="emoji-scroll">
        {q && waiting ? (
          waiting
        ) : results ? (
          <div class="emoji-grid">{results.map((e) => button(e.char, e.name))}{!results.length && <p class="muted small">No emoji found</p>}</div>
        ) : (
          <>
            <div class="emoji-group-title">Frequently used</div>
            <div class="emoji-grid">{QUICK_REACTIONS.map((c) => button(c, table?.EMOJI.find((e) => e.char === c)?.name))}</div>
            {waiting}
            {table?.EMOJI_GROUPS.map((g) => (
              <>
                <div class="emoji-group-title">{g}</div>
                <div class="emoji-grid">{table.EMOJI.filter((e) => e.group === g && !QUICK_REACTIONS.includes(e.char)).map((e) => button(e.char, e.name))}</div>
              </>
            ))}
          </>
        )}
      </div>
      {emojiImages() && (
        <p class="emoji-credit muted small">
          Emoji: <a href="https://github.com/jdecked/twemoji" target="_blank" rel="noopener noreferrer">Twemoji</a>, CC-BY 4.0
        </p>
      )}
    </div>
  );
}
