// The dashboard's figures: GET /admin/stats in one shape, durations as people read them, the per-day chart's days.
import type { Role } from "../types";
import type { DayCount, PersonRef, Stats } from "./types";

type Loose = Record<string, unknown>;

/** Seconds as people read a duration: "45 s", "12 min", "3 h 20 min", "2 d 4 h"; "—" when unknown. */
export function humanDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return "—";
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** The last 30 days (oldest first) with zero counts filled in for days the server left out. */
export function fillDays(days: DayCount[], n = 30, today = new Date()): DayCount[] {
  const byDate = new Map(days.map((d) => [d.date.slice(0, 10), d]));
  const out: DayCount[] = [];
  for (let i = n - 1; i >= 0; i--) {
    const d = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - i));
    const key = d.toISOString().slice(0, 10);
    const have = byDate.get(key);
    out.push({ date: key, created: have?.created ?? 0, resolved: have?.resolved ?? 0 });
  }
  return out;
}

function num(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) ? v : Number(v) || 0;
}

function optNum(v: unknown): number | null {
  return v === null || v === undefined || v === "" ? null : Number.isFinite(Number(v)) ? Number(v) : null;
}

function countMap(v: unknown): Record<string, number> {
  if (Array.isArray(v)) {
    const out: Record<string, number> = {};
    for (const x of v as Loose[]) out[String(x.status ?? x.priority ?? x.role ?? x.key ?? x.name)] = num(x.count ?? x.value ?? x.n);
    return out;
  }
  const out: Record<string, number> = {};
  for (const [k, x] of Object.entries((v ?? {}) as Loose)) out[k] = num(x);
  return out;
}

/** GET /admin/stats in one shape, whatever the nesting. */
export function normaliseStats(r: unknown): Stats {
  const o = (r ?? {}) as Loose;
  const tickets = (o.tickets ?? {}) as Loose;
  const live = (o.live ?? o.realtime ?? o) as Loose;
  const days = (o.per_day ?? o.daily ?? tickets.per_day ?? o.days ?? []) as Loose[];
  const seconds = (v: unknown, ms?: unknown) => (v !== undefined && v !== null ? optNum(v) : ms !== undefined && ms !== null ? (optNum(ms) ?? 0) / 1000 : null);
  const firstResp = (o.median_first_response ?? tickets.median_first_response) as Loose | number | undefined;
  const resol = (o.median_resolution ?? tickets.median_resolution) as Loose | number | undefined;
  return {
    by_status: countMap(o.by_status ?? tickets.by_status ?? o.status),
    by_priority: countMap(o.by_priority ?? tickets.by_priority ?? o.priority),
    per_day: days.map((d) => ({ date: String(d.date ?? d.day ?? ""), created: num(d.created), resolved: num(d.resolved) })),
    median_first_response_seconds:
      seconds(o.median_first_response_seconds ?? tickets.median_first_response_seconds, o.median_first_response_ms ?? tickets.median_first_response_ms) ??
      (typeof firstResp === "number" ? firstResp : firstResp ? optNum(firstResp.seconds) : null),
    median_resolution_seconds:
      seconds(o.median_resolution_seconds ?? tickets.median_resolution_seconds, o.median_resolution_ms ?? tickets.median_resolution_ms) ??
      (typeof resol === "number" ? resol : resol ? optNum(resol.seconds) : null),
    agents: ((o.agents ?? o.agent_load ?? []) as Loose[]).map((a) => ({
      user: ((a.user ?? a.agent) as PersonRef) ?? { id: String(a.user_id ?? a.id ?? ""), display_name: String(a.display_name ?? "Agent"), avatar_url: String(a.avatar_url ?? "") },
      role: a.role as Role | undefined,
      open: num(a.open_load ?? a.open ?? a.open_tickets ?? a.count ?? a.load),
    })),
    users_by_role: countMap(o.users_by_role ?? o.users ?? o.roles),
    live: {
      connected_clients: num(live.connected_clients),
      connected_agents: num(live.connected_agents),
      active_ticket_rooms: num(live.active_ticket_rooms),
    },
  };
}
