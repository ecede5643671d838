// What refines a search once it runs, kept out of the first download (loaded with chat/SearchPanel.tsx, when the
// search box is first focused): the response's filters as chips and removing one (the query rebuilt from the
// other tokens, as typed), adding one, the total in words, and the suggestions the box offers while typing.
import { quoteValue, tokenize, type SearchFilter, type Token } from "./search";
import type { ChannelKind } from "./types";

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
export function chipsOf(filters: SearchFilter[] | null | undefined, names: ChipNames = {}): Chip[] {
  const out: Chip[] = [];
  for (const f of filters ?? []) {
    const key = f.key.toLowerCase();
    if (!(key in chipWords)) continue;
    const group = (DATE_KEYS.has(key) ? "date" : key) as Chip["group"];
    out.push({ filter: f, group, label: `${chipWords[key]}: ${chipValue(f.value, names)}` });
  }
  return out;
}

/** How a chip names people and conversations given by id (`<@123>`, `<#123>`): by name when known. */
export interface ChipNames {
  person?: (id: string) => string | undefined;
  channel?: (id: string) => string | undefined;
}

function chipValue(v: string, names: ChipNames): string {
  const m = /^<([@#])(\d+)>$/.exec(v);
  if (!m) return v;
  const name = m[1] === "@" ? names.person?.(m[2]) : names.channel?.(m[2]);
  return name ? (m[1] === "@" ? "@" : "#") + name : v;
}

/** "42 results", "1 result", "More than 500 results". */
export function totalText(total: number, exact: boolean): string {
  if (!exact) return `More than ${total.toLocaleString("en")} results`;
  return `${total.toLocaleString("en")} ${total === 1 ? "result" : "results"}`;
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
      return [...ctx.channels.filter((c) => c.kind !== "dm").map((c) => ({ value: "#" + c.name })), ...ctx.people.map((n) => ({ value: "@" + n, hint: "direct messages" }))];
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
