// lib/search.ts and lib/searchRefine.ts: the request, the query's tokens, chips and removing one, "search in this conversation", filter
// suggestions, recent searches, snippets (only <mark> survives), the total, and the search shortcut.
import { beforeEach, describe, expect, it } from "vitest";
import {
  clearRecent, loadRecent, quoteValue, rememberSearch, scopeOf, scopeQuery, searchQuery, searchShortcut, snippetRuns, tokenize,
} from "../src/lib/search";
import { addFilter, chipsOf, removeFilter, suggest, totalText } from "../src/lib/searchRefine";
import { matchesSearchFilters, ticketSearchQuery } from "../src/lib/desk/tickets";
import { channel, ME, BOB } from "./fixtures";

describe("the request", () => {
  it("leaves defaults out and sends the browser's zone", () => {
    expect(searchQuery({ q: "  deploy  " }, "UTC")).toEqual({ q: "deploy" });
    expect(searchQuery({ q: "deploy", kind: "messages", sort: "relevance" }, undefined)).toEqual({ q: "deploy" });
    expect(searchQuery({ q: "x", kind: "tickets", sort: "newest", limit: 20, cursor: "abc" }, "Asia/Tokyo")).toEqual({
      q: "x", kind: "tickets", sort: "newest", limit: "20", cursor: "abc", tz: "Asia/Tokyo",
    });
  });
});

describe("tokens", () => {
  it("split on whitespace, keep quoted spaces, classify filters like search.Parse", () => {
    expect(tokenize('deploy  "error budget" -flaky from:@ana in:"#ops team" http://x.test 10:30 デプロイ\tzz')).toEqual([
      { raw: "deploy" },
      { raw: '"error budget"' },
      { raw: "-flaky" },
      { raw: "from:@ana", key: "from", value: "@ana" },
      { raw: 'in:"#ops team"', key: "in", value: "#ops team" },
      { raw: "http://x.test" },
      { raw: "10:30" },
      { raw: "デプロイ" },
      { raw: "zz" },
    ]);
  });
  it("let an unterminated quote run to the end", () => {
    expect(tokenize('a "b c').map((t) => t.raw)).toEqual(["a", '"b c']);
  });
  it("quote values with spaces", () => {
    expect(quoteValue("@Ann Lee")).toBe('"@Ann Lee"');
    expect(quoteValue("#general")).toBe("#general");
  });
});

describe("chips", () => {
  it("come from the response's filters, dates grouped", () => {
    const chips = chipsOf([
      { key: "from", value: "@ana" }, { key: "in", value: "#ops" }, { key: "after", value: "2026-01-01" }, { key: "during", value: "2026-11" },
      { key: "has", value: "link" }, { key: "is", value: "thread" }, { key: "bogus", value: "x" },
    ]);
    expect(chips.map((c) => [c.group, c.label])).toEqual([
      ["from", "From: @ana"], ["in", "In: #ops"], ["date", "After: 2026-01-01"], ["date", "During: 2026-11"], ["has", "Has: link"], ["is", "Is: thread"],
    ]);
    expect(chipsOf(null)).toEqual([]);
    // People and conversations given by id are named when known.
    const named = chipsOf([{ key: "from", value: "<@200>" }, { key: "in", value: "<#10>" }, { key: "in", value: "<#99>" }], {
      person: (id) => (id === "200" ? "Bob" : undefined), channel: (id) => (id === "10" ? "general" : undefined),
    });
    expect(named.map((c) => c.label)).toEqual(["From: @Bob", "In: #general", "In: <#99>"]);
  });

  it("removing one rebuilds the query from the rest, as typed", () => {
    const q = 'deploy from:@ana "error budget" IN:#ops has:link';
    expect(removeFilter(q, { key: "from", value: "@ana" })).toBe('deploy "error budget" IN:#ops has:link');
    expect(removeFilter(q, { key: "in", value: "#ops" })).toBe('deploy from:@ana "error budget" has:link');
    expect(removeFilter('x in:"#ops team" y', { key: "in", value: "#ops team" })).toBe("x y");
    expect(removeFilter("x @bob y", { key: "mentions", value: "@bob" })).toBe("x y"); // @name alone is mentions:
    expect(removeFilter("x from:@Ana", { key: "from", value: "@ana" })).toBe("x"); // keys and values fold case
    expect(removeFilter("x from:@bob", { key: "from", value: "@ana" })).toBe("x from:@bob");
  });

  it("adding one does not repeat it", () => {
    expect(addFilter("deploy", { key: "has", value: "link" })).toBe("deploy has:link");
    expect(addFilter("deploy has:link", { key: "has", value: "link" })).toBe("deploy has:link");
    expect(addFilter("", { key: "from", value: "@Ann Lee" })).toBe('from:"@Ann Lee"');
  });
});

describe("search in this conversation", () => {
  const names: Record<string, string> = { [BOB]: "Bob", "300": "Cat Stevens" };
  const nameOf = (id: string) => names[id];
  it("names a channel #name, a DM @Name, a group DM by id", () => {
    expect(scopeOf(channel({ name: "ops" }), nameOf, ME)).toBe("#ops");
    expect(scopeOf(channel({ kind: "dm", name: "", dm_user_ids: [ME, BOB] }), nameOf, ME)).toBe("@Bob");
    expect(scopeOf(channel({ kind: "dm", dm_user_ids: [ME, "300"] }), nameOf, ME)).toBe("@Cat Stevens");
    expect(scopeOf(channel({ id: "77", kind: "dm", dm_user_ids: [ME, BOB, "300"] }), nameOf, ME)).toBe("<#77>");
  });
  it("puts one in: first, replacing another", () => {
    expect(scopeQuery("deploy", "#ops")).toBe("in:#ops deploy");
    expect(scopeQuery("deploy in:#random from:me", "#ops")).toBe("in:#ops deploy from:me");
    expect(scopeQuery("", "@Cat Stevens")).toBe('in:"@Cat Stevens"');
  });
});

describe("suggestions", () => {
  const ctx = { channels: [{ name: "general", kind: "public" as const }, { name: "ops", kind: "private" as const }, { name: "", kind: "dm" as const }], people: ["Ann", "Bob Lee"], staff: false };
  const today = new Date(2026, 10, 15);
  it("offer the filters on an empty box or after a space", () => {
    expect(suggest("", ctx, today, 20).map((s) => s.label)).toEqual(["from:", "in:", "has:", "is:", "before:", "after:", "during:", "mentions:", "on:"]);
    expect(suggest("deploy ", ctx, today, 2).map((s) => s.q)).toEqual(["deploy from:", "deploy in:"]);
    expect(suggest("", { ...ctx, staff: true }, today, 20).map((s) => s.label)).toContain("status:");
  });
  it("complete a filter's name from a word", () => {
    expect(suggest("deploy fr", ctx, today)).toEqual([{ q: "deploy from:", label: "from:", hint: "a person", partial: true }]);
    expect(suggest("d", ctx, today).map((s) => s.label)).toEqual(["during:"]);
  });
  it("complete a filter's value", () => {
    expect(suggest("x from:b", ctx, today).map((s) => s.q)).toEqual(['x from:"@Bob Lee" ']);
    expect(suggest("in:", ctx, today).map((s) => s.label)).toEqual(["in:#general", "in:#ops", "in:@Ann", "in:@Bob Lee"]);
    expect(suggest("in:b", ctx, today).map((s) => s.q)).toEqual(['in:"@Bob Lee" ']);
    expect(suggest("in:#g", ctx, today).map((s) => s.q)).toEqual(["in:#general "]);
    expect(suggest("has:", ctx, today).map((s) => s.label)).toEqual(["has:link", "has:file", "has:reaction"]);
    expect(suggest("is:", ctx, today).map((s) => s.label)).toEqual(["is:thread", "is:archived"]);
    expect(suggest("is:", { ...ctx, staff: true }, today).map((s) => s.label)).toContain("is:ticket");
    expect(suggest("before:", ctx, today).map((s) => s.label)).toEqual(["before:today", "before:yesterday", "before:2026-11-15"]);
    expect(suggest("during:", ctx, today).map((s) => s.label)).toEqual([
      "during:today", "during:yesterday", "during:november", "during:october", "during:2026", "during:2026-11",
    ]);
    expect(suggest("has:link", ctx, today)).toEqual([]); // complete already
    expect(suggest("deploy", ctx, today)).toEqual([]);
  });
});

describe("recent searches", () => {
  beforeEach(() => localStorage.clear());
  it("are kept per workspace, newest first, without duplicates, at most 10, and can be cleared", () => {
    for (let i = 0; i < 12; i++) rememberSearch("1", `q${i}`);
    rememberSearch("1", "  q5  ");
    rememberSearch("2", "other");
    const list = loadRecent("1");
    expect(list).toHaveLength(10);
    expect(list.slice(0, 3)).toEqual(["q5", "q11", "q10"]);
    expect(list.filter((x) => x === "q5")).toHaveLength(1);
    expect(loadRecent("2")).toEqual(["other"]);
    rememberSearch("1", "   ");
    expect(loadRecent("1")).toHaveLength(10);
    clearRecent("1");
    expect(loadRecent("1")).toEqual([]);
    expect(loadRecent("2")).toEqual(["other"]);
    expect(loadRecent(undefined)).toEqual([]);
  });
  it("survive garbage in storage", () => {
    localStorage.setItem("relay.search.recent.1", "{not json");
    expect(loadRecent("1")).toEqual([]);
    localStorage.setItem("relay.search.recent.1", JSON.stringify(["a", 3, null, "b"]));
    expect(loadRecent("1")).toEqual(["a", "b"]);
  });
});

describe("snippets", () => {
  it("keep only <mark>, as text runs", () => {
    expect(snippetRuns("…the <mark>deploy</mark> failed…")).toEqual([
      { text: "…the ", hit: false }, { text: "deploy", hit: true }, { text: " failed…", hit: false },
    ]);
  });
  it("decode the server's escaping, so it shows as typed and is never markup", () => {
    expect(snippetRuns("a &lt;b&gt; &amp; &quot;c&quot; &#39;d&#39; &#x1F389; <mark>x&amp;y</mark>")).toEqual([
      { text: "a <b> & \"c\" 'd' 🎉 ", hit: false }, { text: "x&y", hit: true },
    ]);
  });
  it("drop every other tag, attributes on mark included", () => {
    const runs = snippetRuns('<script>alert(1)</script><img src=x onerror=alert(1)><mark onclick="x()">hi</mark> <b>bold</b><!-- c --><MARK>UP</MARK>');
    expect(runs).toEqual([{ text: "alert(1)hi bold", hit: false }, { text: "UP", hit: true }]);
    expect(runs.some((r) => r.text.includes("<"))).toBe(false);
  });
  it("cope with unbalanced and empty input", () => {
    expect(snippetRuns("</mark>a<mark>b<mark>c</mark>d")).toEqual([{ text: "a", hit: false }, { text: "bcd", hit: true }]);
    expect(snippetRuns("")).toEqual([]);
    expect(snippetRuns(null)).toEqual([]);
    expect(snippetRuns("1 < 2 &bogus; &#0;")).toEqual([{ text: "1 < 2 &bogus; ", hit: false }]);
  });
});

describe("the total", () => {
  it("is exact or a lower bound", () => {
    expect(totalText(42, true)).toBe("42 results");
    expect(totalText(1, true)).toBe("1 result");
    expect(totalText(0, true)).toBe("0 results");
    expect(totalText(500, false)).toBe("More than 500 results");
    expect(totalText(12000, true)).toBe("12,000 results");
  });
});

describe("the shortcut", () => {
  const key = (k: string, over: Partial<KeyboardEvent> = {}, target: Element = document.body) =>
    searchShortcut({ key: k, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, target, ...over } as KeyboardEvent);
  it("is Ctrl/Cmd+F anywhere and / outside text fields", () => {
    const input = document.createElement("input");
    const area = document.createElement("textarea");
    const editable = document.createElement("div");
    editable.setAttribute("contenteditable", "true");
    const inner = document.createElement("span");
    editable.append(inner);
    document.body.append(editable);
    expect(key("/")).toBe(true);
    expect(key("/", {}, input)).toBe(false);
    expect(key("/", {}, area)).toBe(false);
    expect(key("/", {}, inner)).toBe(false);
    expect(key("f", { ctrlKey: true }, area)).toBe(true);
    expect(key("F", { metaKey: true })).toBe(true);
    expect(key("f", { ctrlKey: true, shiftKey: true })).toBe(false);
    expect(key("f", { ctrlKey: true, altKey: true })).toBe(false);
    expect(key("/", { ctrlKey: true })).toBe(false);
    expect(key("f")).toBe(false);
    editable.remove();
  });
});

describe("the desk inbox's search", () => {
  it("sends the text with the status as a filter", () => {
    expect(ticketSearchQuery({ q: " refund ", status: "open" })).toBe("refund status:open");
    expect(ticketSearchQuery({ q: "refund status:closed", status: "open" })).toBe("refund status:closed");
    expect(ticketSearchQuery({ q: "refund" })).toBe("refund");
  });
  it("applies the other filters to the results, not the text", () => {
    const t = {
      id: "1", number: 1001, subject: "Printer", description: "", status: "open" as const, priority: "high" as const, tags: ["vip"],
      assignee: { id: ME, display_name: "Ann", avatar_url: "" }, created_at: "", updated_at: "",
    };
    expect(matchesSearchFilters(t, { q: "words only in the conversation", assignee: "me", priority: "high", tag: "vip" }, ME)).toBe(true);
    expect(matchesSearchFilters(t, { q: "x", assignee: "unassigned" }, ME)).toBe(false);
    expect(matchesSearchFilters(t, { q: "x", tag: "billing" }, ME)).toBe(false);
  });
});
