// A tiny history router: the routes are few and fixed (docs/web.md), so no router library.
import { useEffect, useState } from "preact/hooks";

export type Route =
  | { name: "landing" }
  | { name: "signup" }
  | { name: "find" }
  | { name: "login" }
  | { name: "invite"; token: string }
  | { name: "handoff" }
  | { name: "home" }
  | { name: "channel"; channelId: string; threadId?: string }
  | { name: "settings"; section: SettingsSection; sub?: string }
  | { name: "desk" }
  | { name: "desk-ticket"; ticketId: string }
  | { name: "desk-dashboard" }
  | { name: "support" }
  | { name: "support-new" }
  | { name: "support-ticket"; ticketId: string }
  | { name: "not-found" };

export type SettingsSection = "profile" | "branding" | "members" | "tokens" | "audit" | "connectors" | "webhooks";
const sections: SettingsSection[] = ["profile", "branding", "members", "tokens", "audit", "connectors", "webhooks"];

/** The support desk's routes (docs/desk.md): the agent inbox and dashboard, the customer portal. */
export type DeskRoute = Extract<Route, { name: "desk" | "desk-ticket" | "desk-dashboard" | "support" | "support-new" | "support-ticket" }>;
export const isDeskRoute = (r: Route): r is DeskRoute => r.name.startsWith("desk") || r.name.startsWith("support");

export function matchRoute(host: "apex" | "workspace", path: string): Route {
  const p = path.replace(/\/+$/, "") || "/";
  if (host === "apex") {
    if (p === "/") return { name: "landing" };
    if (p === "/signup") return { name: "signup" };
    if (p === "/find") return { name: "find" };
    return { name: "not-found" };
  }
  if (p === "/") return { name: "home" };
  if (p === "/login") return { name: "login" };
  if (p === "/handoff") return { name: "handoff" };
  let m = /^\/invite\/([^/]+)$/.exec(p);
  if (m) return { name: "invite", token: decodeURIComponent(m[1]) };
  m = /^\/channels\/(\d+)(?:\/threads\/(\d+))?$/.exec(p);
  if (m) return { name: "channel", channelId: m[1], threadId: m[2] };
  if (p === "/desk") return { name: "desk" };
  if (p === "/desk/dashboard") return { name: "desk-dashboard" };
  if (p === "/support") return { name: "support" };
  if (p === "/support/new") return { name: "support-new" };
  m = /^\/(desk|support)\/tickets\/(\d+)$/.exec(p);
  if (m) return { name: m[1] === "desk" ? "desk-ticket" : "support-ticket", ticketId: m[2] };
  if (p === "/settings") return { name: "settings", section: "profile" };
  m = /^\/settings\/([a-z]+)$/.exec(p);
  if (m && (sections as string[]).includes(m[1])) return { name: "settings", section: m[1] as SettingsSection };
  // A connector's page (/settings/connectors/{id}) and the add flows (/settings/connectors/add/line|discord).
  m = /^\/settings\/connectors\/(\d+|add\/line|add\/discord)$/.exec(p);
  if (m) return { name: "settings", section: "connectors", sub: m[1] };
  return { name: "not-found" };
}

const listeners = new Set<() => void>();

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === location.pathname + location.search + location.hash) return;
  if (opts.replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  listeners.forEach((l) => l());
}

if (typeof window !== "undefined") window.addEventListener("popstate", () => listeners.forEach((l) => l()));

/** The current path, re-rendering on navigation. */
export function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const l = () => setPath(location.pathname);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return path;
}

/** The current query string and fragment ("?message=1#x"), re-rendering on navigation. */
export function useSearch(): string {
  const [search, setSearch] = useState(location.search + location.hash);
  useEffect(() => {
    const l = () => setSearch(location.search + location.hash);
    listeners.add(l);
    l();
    return () => void listeners.delete(l);
  }, []);
  return search;
}

/** onClick for <a href> that routes in-app (keeps ctrl/cmd-click opening a new tab). */
export function linkClick(e: MouseEvent): void {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.currentTarget as HTMLAnchorElement;
  if (a.target && a.target !== "_self") return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin) return;
  e.preventDefault();
  navigate(url.pathname + url.search + url.hash);
}

export const channelPath = (id: string, threadId?: string) => `/channels/${id}` + (threadId ? `/threads/${threadId}` : "");

/** The address of one message: its channel (or its thread) with ?message=<id>; what "Copy link" copies. */
export const messagePath = (channelId: string, messageId: string, parentId?: string | null) =>
  channelPath(channelId, parentId ?? undefined) + "?message=" + encodeURIComponent(messageId);

/** The message a link points at: ?message=<id>, or the older #msg-<id> form. */
export function linkedMessage(search: string, hash = ""): string | null {
  const q = new URLSearchParams(search).get("message");
  if (q && /^\d+$/.test(q)) return q;
  const h = /^#msg-(\d+)$/.exec(hash);
  return h ? h[1] : null;
}

const NO_RETURN = /^\/(login|handoff|signup|find)(\/|$)|^\/invite(\/|$)/;
const DUMMY_ORIGIN = "http://relay.invalid";

/**
 * Where to go after signing in, from a ?next= value: a path on this site (with its query and fragment), never
 * another origin (`//evil.example`, `https:…`, `/\evil.example`), never the login page itself or another public
 * page (so redirects cannot nest). Anything else gives "/".
 */
export function safeNext(raw: string | null | undefined): string {
  if (!raw || raw[0] !== "/" || raw[1] === "/" || raw[1] === "\\" || /[\u0000-\u001f\\]/.test(raw)) return "/";
  let url: URL;
  try {
    url = new URL(raw, DUMMY_ORIGIN);
  } catch {
    return "/";
  }
  if (url.origin !== DUMMY_ORIGIN || NO_RETURN.test(url.pathname)) return "/";
  return url.pathname + url.search + url.hash;
}

/**
 * The login page's address that comes back to `current` (path, query and fragment) after signing in. On the login
 * page already (or another public page), the current ?next= is kept as it is rather than nested.
 */
export function loginPath(current: string): string {
  const url = new URL(current, DUMMY_ORIGIN);
  if (url.pathname === "/login") {
    const keep = safeNext(url.searchParams.get("next"));
    return keep === "/" ? "/login" : "/login?next=" + encodeURIComponent(keep);
  }
  const next = safeNext(current);
  return next === "/" ? "/login" : "/login?next=" + encodeURIComponent(next);
}
