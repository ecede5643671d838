// Search (issue 11, docs/web.md "Search"): the GET /api/v1/search client, and the pure rules the first screen
// needs — the query's tokens (as the server's search.Parse splits them), "search in this channel", recent searches
// (localStorage, per workspace), the keyboard shortcut, and the snippet's HTML turned into text runs (only <mark>
// survives; nothing is ever set as innerHTML). Chips, filters and suggestions are lib/searchRefine.ts (lazy).
import { request } from "./api";
import type { Ticket } from "./desk/types";
import type { Channel, ChannelKind, ID, Message, Role } from "./types";

export type SearchKind = "messages" | "channels" | "people" | "tickets";
export type SearchSort = "relevance" | "newest";

export interface SearchFilter {
  key: string;
  value: string;
}

export interface MessageHit {
  message: Message;
  channel: { id: ID; name: string; kind: ChannelKind };
  snippet: string;
  parent?: { id: ID; seq: number; snippet: string } | null;
}
export interface ChannelHit {
  channel: Channel;
  snippet: string;
}
export interface PersonHit {
  user: { id: ID; display_name: string; avatar_url: string; email: string; role: Role };
}
export interface TicketHit {
  ticket: Ticket;
  snippet: string;
  match?: "subject" | "description" | "message" | "note" | "number";
}
export type SearchHit = MessageHit | ChannelHit | PersonHit | TicketHit;

export interface SearchResponse<T = SearchHit> {
  kind: SearchKind;
  total: number;
  total_exact: boolean;
  next_cursor: string;
  filters: SearchFilter[] | null;
  terms: string[] | null;
  results: T[] | null;
}

export interface SearchParams {
  q: string;
  kind?: SearchKind;
  limit?: number;
  cursor?: string;
  sort?: SearchSort;
}

/** The browser's time zone, so `on:today` and `during:` mean the searcher's days. */
export function localZone(): string | undefined {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || undefined;
  } catch {
    return undefined;
  }
}

/** The query string the app sends: defaults left out, the time zone added. */
export function searchQuery(p: SearchParams, tz = localZone()): Record<string, string> {
  const out: Record<string, string> = { q: p.q.trim() };
  if (p.kind && p.kind !== "messages") out.kind = p.kind;
  if (p.sort && p.sort !== "relevance") out.sort = p.sort;
  if (p.limit) out.limit = String(p.limit);
  if (p.cursor) out.cursor = p.cursor;
  if (tz && tz !== "UTC") out.tz = tz;
  return out;
}

export const searchApi = {
  search: <T extends SearchHit = SearchHit>(p: SearchParams, signal?: AbortSignal) =>
    request<SearchResponse<T>>("GET", "/search", { query: searchQuery(p), signal }),
};

/** Whether a key press asks for the search box: Ctrl/Cmd+F anywhere, "/" when not typing somewhere. */
export function searchShortcut(e: Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "altKey" | "shiftKey" | "target">): boolean {
  if (e.altKey) return false;
  if ((e.ctrlKey || e.metaKey) && !e.shiftKey && e.key.toLowerCase() === "f") return true;
  if (e.key !== "/" || e.ctrlKey || e.metaKey) return false;
  const t = e.target as HTMLElement | null;
  return !(t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName) || t.closest?.('[contenteditable]:not([contenteditable="false"])')));
}

// --- the query's tokens ---

/** One whitespace-separated piece of a query as typed (quotes keep spaces inside one token). */
export interface Token {
  raw: string;
  /** For a filter token: its key, lower-case. */
  key?: string;
  /** For a filter token: its value without the surrounding quotes. */
  value?: string;
}

/** Split a query as search.Parse does: whitespace separates, a quote runs to the next quote (or the end). */
export function tokenize(q: string): Token[] {
  const out: Token[] = [];
  let cur = "";
  let quoted = false;
  for (const ch of q) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && /\s/u.test(ch)) {
      if (cur) out.push(classify(cur));
      cur = "";
      continue;
    }
    cur += ch;
  }
  if (cur) out.push(classify(cur));
  return out;
}

function classify(raw: string): Token {
  const m = /^([A-Za-z]+):(.*)$/s.exec(raw);
  if (!m || m[2].startsWith("//")) return { raw };
  return { raw, key: m[1].toLowerCase(), value: unquote(m[2]) };
}

const unquote = (v: string) => v.replace(/^"/, "").replace(/"$/, "");

/** `value` as it goes after `key:` (quoted when it holds a space or a quote would be ambiguous). */
export function quoteValue(v: string): string {
  return /[\s"]/u.test(v) ? `"${v.replace(/"/g, "")}"` : v;
}

/** "Search in this channel": the query scoped to one conversation (any other in: filter is replaced). */
export function scopeQuery(q: string, where: string): string {
  const rest = tokenize(q).filter((t) => t.key !== "in").map((t) => t.raw);
  return [`in:${quoteValue(where)}`, ...rest].join(" ");
}

/**
 * How `in:` names a conversation: `#name` for a channel, `@Name` for a DM with one other person (quoted by
 * quoteValue when the name has a space), `<#id>` for a group DM (no single name says which).
 */
export function scopeOf(ch: Pick<Channel, "id" | "kind" | "name" | "dm_user_ids">, nameOf: (id: ID) => string | undefined, myId: ID | undefined): string {
  if (ch.kind !== "dm") return "#" + ch.name;
  const others = (ch.dm_user_ids ?? []).filter((id) => id !== myId);
  if (others.length === 1) {
    const name = nameOf(others[0]);
    if (name) return "@" + name;
  }
  if (others.length === 0) return "@me";
  return `<#${ch.id}>`;
}

// --- recent searches ---

const RECENT_MAX = 10;
const recentKey = (workspaceId: ID) => `relay.search.recent.${workspaceId}`;

export function loadRecent(workspaceId: ID | undefined): string[] {
  if (!workspaceId) return [];
  try {
    const v = JSON.parse(localStorage.getItem(recentKey(workspaceId)) ?? "[]");
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string").slice(0, RECENT_MAX) : [];
  } catch {
    return [];
  }
}

/** Remember a search: newest first, no duplicates (ignoring spaces at the ends), at most 10. */
export function rememberSearch(workspaceId: ID | undefined, q: string): string[] {
  const text = q.trim().replace(/\s+/gu, " ");
  if (!workspaceId || !text) return loadRecent(workspaceId);
  const list = [text, ...loadRecent(workspaceId).filter((x) => x !== text)].slice(0, RECENT_MAX);
  try {
    localStorage.setItem(recentKey(workspaceId), JSON.stringify(list));
  } catch {
    /* private mode or full: recent searches are a convenience */
  }
  return list;
}

export function clearRecent(workspaceId: ID | undefined): void {
  if (!workspaceId) return;
  try {
    localStorage.removeItem(recentKey(workspaceId));
  } catch {
    /* ignore */
  }
}

// --- snippets ---

export interface Run {
  text: string;
  hit: boolean;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, e: string) => {
    if (e[0] === "#") {
      const n = e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(n) && n > 0 && n <= 0x10ffff && !(n >= 0xd800 && n <= 0xdfff) ? String.fromCodePoint(n) : "";
    }
    return ENTITIES[e.toLowerCase()] ?? whole;
  });
}

/**
 * The server's snippet (HTML-escaped text with <mark>…</mark> around matches) as runs of plain text, each marked
 * or not. Only a bare <mark> and </mark> count; every other tag is dropped (its text kept), entities are decoded,
 * and the result is rendered as text, so nothing in a snippet can ever become markup.
 */
export function snippetRuns(html: string | null | undefined): Run[] {
  const runs: Run[] = [];
  let depth = 0;
  const push = (text: string) => {
    if (!text) return;
    const hit = depth > 0;
    const last = runs[runs.length - 1];
    if (last && last.hit === hit) last.text += text;
    else runs.push({ text, hit });
  };
  const tag = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)\b[^>]*>|<!--[\s\S]*?(?:-->|$)/g;
  const src = html ?? "";
  let at = 0;
  for (let m = tag.exec(src); m; m = tag.exec(src)) {
    push(decodeEntities(src.slice(at, m.index)));
    at = m.index + m[0].length;
    if (m[2]?.toLowerCase() === "mark" && /^<\/?mark>$/i.test(m[0])) depth = Math.max(0, depth + (m[1] ? -1 : 1));
  }
  push(decodeEntities(src.slice(at)));
  return runs;
}

/** The search on screen (the right panel's "search" kind): what was asked and what came back so far. */
export interface SearchState {
  q: string;
  kind: SearchKind;
  sort: SearchSort;
  status: "loading" | "ready" | "error";
  /** The server's words for a refused query (400), or why it failed. */
  error?: string;
  total: number;
  totalExact: boolean;
  cursor: string;
  filters: SearchFilter[];
  terms: string[];
  results: SearchHit[];
  loadingMore: boolean;
  /** Bumped by every new search, so a late answer to an older one is dropped. */
  gen: number;
}
