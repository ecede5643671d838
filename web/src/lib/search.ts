// Search (issue 11, docs/web.md "Search"): the GET /api/v1/search client, and the pure rules the search box and the
// results panel share — the query's tokens (as the server's search.Parse splits them), filter chips and removing
// one, "search in this channel", filter suggestions, recent searches (localStorage, per workspace) and the
// snippet's HTML turned into text runs (only <mark> survives; nothing is ever set as innerHTML).
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

export const FILTER_KEYS = ["from", "in", "has", "is", "mentions", "before", "after", "on", "during", "status"] as const;

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

const sameValue = (a: string, b: string) => a.localeCompare(b, undefined, { sensitivity: "accent" }) === 0;

/** Whether a token is this filter (`@name` alone is `mentions:@name`). */
function isFilter(t: Token, f: SearchFilter): boolean {
  const key = f.key.toLowerCase();
  if (t.key === key && t.value !== undefined && sameValue(t.value, f.value)) return true;
  return key === "mentions" && !t.key && t.raw.startsWith("@") && sameValue(t.raw, f.value);
}

/** The query without one filter (a chip's ✕): the other tokens stay as typed. */
export function removeFilter(q: string, f: SearchFilter): string {
  return tokenize(q).filter((t) => !isFilter(t, f)).map((t) => t.raw).join(" ");
}

/** The query with one more filter (left as it is when the filter is already there). */
export function addFilter(q: string, f: SearchFilter): string {
  const toks = tokenize(q);
  if (toks.some((t) => isFilter(t, f))) return toks.map((t) => t.raw).join(" ");
  return [...toks.map((t) => t.raw), `${f.key}:${quoteValue(f.value)}`].join(" ");
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

// --- chips ---

export interface Chip {
  filter: SearchFilter;
  /** The group the chip belongs to ("date" for before/after/on/during). */
  group: "from" | "in" | "date" | "has" | "is" | "mentions" | "status";
  label: string;
}

const DATE_KEYS = new Set(["before", "after", "on", "during"]);
const chipWords: Record<string, string> = {
  from: "From", in: "In", has: "Has", is: "Is", mentions: "Mentions", before: "Before", after: "After", on: "On", during: "During", status: "Status",
};

/** The response's filters as chips, in the order the server parsed them (unknown keys are left out). */
export function chipsOf(filters: SearchFilter[] | null | undefined): Chip[] {
  const out: Chip[] = [];
  for (const f of filters ?? []) {
    const key = f.key.toLowerCase();
    if (!(key in chipWords)) continue;
    const group = (DATE_KEYS.has(key) ? "date" : key) as Chip["group"];
    out.push({ filter: f, group, label: `${chipWords[key]}: ${f.value}` });
  }
  return out;
}

// --- suggestions while typing ---

export interface Suggestion {
  /** What the box holds once the suggestion is taken. */
  q: string;
  label: string;
  hint?: string;
  /** Taking it leaves the box open for more (a filter key waiting for its value). */
  partial?: boolean;
}

interface SuggestContext {
  channels: { name: string; kind: ChannelKind }[];
  people: string[];
  staff: boolean;
}

const keyHints: Record<string, string> = {
  from: "a person", in: "a channel or conversation", has: "link, file, reaction", is: "thread, archived", mentions: "a person",
  before: "a date", after: "a date", on: "a date", during: "a month or year", status: "a ticket status",
};
const MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

/** The filters the box offers (desk staff also get is:ticket and status:). */
export function offeredKeys(staff: boolean): string[] {
  return ["from", "in", "has", "is", "before", "after", "during", "mentions", ...(staff ? ["on", "status"] : ["on"])];
}

function valuesFor(key: string, ctx: SuggestContext, today: Date): { value: string; hint?: string }[] {
  const iso = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  switch (key) {
    case "from":
    case "mentions":
      return [{ value: "me", hint: "you" }, ...ctx.people.map((n) => ({ value: "@" + n }))];
    case "in":
      return ctx.channels.filter((c) => c.kind !== "dm").map((c) => ({ value: "#" + c.name }));
    case "has":
      return [{ value: "link" }, { value: "file" }, { value: "reaction" }];
    case "is":
      return [{ value: "thread" }, { value: "archived" }, ...(ctx.staff ? [{ value: "ticket" }] : [])];
    case "status":
      return ["open", "assigned", "resolved", "closed", "unresolved"].map((value) => ({ value }));
    case "before":
    case "after":
    case "on":
      return [{ value: "today" }, { value: "yesterday" }, { value: iso(today), hint: "YYYY-MM-DD" }];
    case "during": {
      const m = today.getMonth();
      return [
        { value: "today" }, { value: "yesterday" }, { value: MONTHS[m] }, { value: MONTHS[(m + 11) % 12] },
        { value: String(today.getFullYear()) }, { value: iso(today).slice(0, 7), hint: "YYYY-MM" },
      ];
    }
  }
  return [];
}

/**
 * Suggestions for what is being typed (the last token): filter names for a bare word that starts one ("fr" →
 * "from:"), values for a filter being written ("in:ge" → "in:#general"). At most `max`.
 */
export function suggest(q: string, ctx: SuggestContext, today = new Date(), max = 8): Suggestion[] {
  if (/\s$/u.test(q) || !q) {
    const head = q.trimEnd();
    return offeredKeys(ctx.staff).slice(0, max).map((k) => ({ q: (head ? head + " " : "") + k + ":", label: k + ":", hint: keyHints[k], partial: true }));
  }
  const toks = tokenize(q);
  const last = toks[toks.length - 1];
  const head = toks.slice(0, -1).map((t) => t.raw).join(" ");
  const join = (s: string) => (head ? head + " " : "") + s;
  const keys = offeredKeys(ctx.staff);
  if (last.key && keys.includes(last.key)) {
    const typed = (last.value ?? "").toLowerCase().replace(/^[#@]/, "");
    return valuesFor(last.key, ctx, today)
      .filter((v) => v.value.toLowerCase().replace(/^[#@]/, "").startsWith(typed) && v.value.toLowerCase() !== (last.value ?? "").toLowerCase())
      .slice(0, max)
      .map((v) => ({ q: join(`${last.key}:${quoteValue(v.value)}`) + " ", label: `${last.key}:${v.value}`, hint: v.hint }));
  }
  if (!last.key && /^[a-z]+$/i.test(last.raw)) {
    const w = last.raw.toLowerCase();
    return keys.filter((k) => k.startsWith(w) && k !== w).slice(0, max).map((k) => ({ q: join(k + ":"), label: k + ":", hint: keyHints[k], partial: true }));
  }
  return [];
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

/** "42 results", "1 result", "More than 500 results". */
export function totalText(total: number, exact: boolean): string {
  if (!exact) return `More than ${total.toLocaleString("en")} results`;
  return `${total.toLocaleString("en")} ${total === 1 ? "result" : "results"}`;
}
