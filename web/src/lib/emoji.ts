// The emoji table, loaded on demand. The table (lib/emojiTable.ts: internal/emoji/emoji.json, 1,911 emoji with
// names, groups and sheet cells) is as large as the rest of the app, and only the emoji picker, the composer's ":"
// autocomplete and the image fallback (lib/emojiImages.tsx) read it, so it is a dynamic import: its own chunk,
// fetched when one of them first needs it — never for the first screen where the platform draws emoji itself.
// What the first screen needs stays here, small and static.
import { useEffect, useReducer } from "preact/hooks";

export interface Emoji {
  char: string;
  name: string;
  /** Other names it answers to (Slack's :+1: for :thumbsup:). */
  aliases: string[];
  group: string;
  /** Cell in the fallback image sheet (lib/emojiImages.ts). */
  x: number;
  y: number;
}

/** The reactions offered first. */
export const QUICK_REACTIONS = ["👍", "❤️", "😂", "🎉", "👀", "🙏", "✅", "🔥"];

export type EmojiTable = typeof import("./emojiTable");

let table: EmojiTable | null = null;
let loading: Promise<EmojiTable> | null = null;
let failed = false;
const listeners = new Set<() => void>();

function notify() {
  for (const fn of [...listeners]) fn();
}

/** The table if it has arrived, else null (see loadEmoji). */
export const emojiTable = (): EmojiTable | null => table;

/** Whether the last attempt to load the table failed (offline, say); the next loadEmoji() tries again. */
export const emojiTableFailed = () => failed;

/** Fetches the table once; every caller shares the one request. A failed load is tried again on the next call. */
export function loadEmoji(): Promise<EmojiTable> {
  loading ??= import("./emojiTable").then(
    (m) => {
      table = m;
      failed = false;
      notify();
      return m;
    },
    (err: unknown) => {
      loading = null;
      failed = true;
      notify();
      throw err;
    },
  );
  return loading;
}

/** Calls fn when the table arrives (or fails to); returns the unsubscribe. */
export function onEmojiTable(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/**
 * The table for a component: starts loading it when `want` and re-renders the component when it arrives (as
 * useStore does for the store). Null until then. With `want` false it only returns what is there.
 */
export function useEmojiTable(want = true): EmojiTable | null {
  const [, force] = useReducer((n: number) => n + 1, 0);
  const seen = table;
  useEffect(() => {
    if (!want) return;
    if (table !== seen) force(0); // arrived between the render and this effect
    if (table) return;
    const unsub = onEmojiTable(() => force(0));
    loadEmoji().catch(() => {
      /* shown by the caller (emojiTableFailed); tried again on the next use */
    });
    return unsub;
  }, [want]);
  return table;
}
