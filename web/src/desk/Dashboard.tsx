// /desk/dashboard (admins, owners): totals by status and priority, created/resolved per day for 30 days (inline
// SVG), medians, agents' open load, users by role and the live figures. Live: stats:updated on the desk topic,
// else a refetch every 10 s while the page is visible.
import { useEffect, useRef, useState } from "preact/hooks";
import { linkClick } from "../lib/router";
import { deskApi, fillDays, humanDuration, listenDesk, normaliseStats, PRIORITIES, STATUSES, type DayCount, type Stats } from "../lib/desk";
import { errText, roleLabel } from "../dialogs/kit";
import { DeskHeader, Person, priorityLabel, statusLabel, useRefresh } from "./common";

export function Dashboard() {
  const [stats, setStats] = useState<Stats | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [updated, setUpdated] = useState<Date | null>(null);
  const inflight = useRef(false);
  const load = () => {
    if (inflight.current) return;
    inflight.current = true;
    deskApi.stats().then(
      (s) => {
        setStats(s);
        setError(null);
        setUpdated(new Date());
      },
      (e) => setError(errText(e)),
    ).finally(() => (inflight.current = false));
  };
  useEffect(load, []);
  useEffect(() => listenDesk((ev, payload) => {
    if (ev !== "stats:updated" && ev !== "ticket:created" && ev !== "ticket:updated") return;
    // reason "live": the payload carries the live figures; "tickets" (or a ticket event): refetch the totals.
    const reason = (payload as { reason?: string } | null)?.reason;
    const part = ev === "stats:updated" && reason !== "tickets" && payload && typeof payload === "object" ? deskStats(payload) : {};
    if (part.by_status) {
      setStats((prev) => ({ ...(prev ?? {}), ...part }) as Stats);
      setUpdated(new Date());
    } else {
      if (part.live) setStats((prev) => (prev ? { ...prev, live: part.live! } : prev));
      else load(); // a ticket change: the totals moved
    }
  }, () => {}), []);
  // Live figures change without desk events (people connect and leave): refetch every 10 s while visible anyway.
  useRefresh(load, 10_000, true);

  return (
    <div class="dk-page dk-dash" data-testid="dashboard">
      <DeskHeader title="Dashboard" sub={updated ? <>Updated {updated.toLocaleTimeString()}</> : "Loading…"}
        actions={<a class="btn small" href="/desk" onClick={linkClick}>Inbox</a>} />
      {error && <div class="dk-error" role="alert">{error}</div>}
      {!stats ? (
        <div class="dk-empty"><span class="spinner" aria-label="Loading" /></div>
      ) : (
        <div class="dk-dash-grid">
          <section class="dk-card dk-span" aria-label="Live">
            <h3>Right now</h3>
            <div class="dk-figures">
              <Figure name="connected_clients" label="Connected clients" value={stats.live.connected_clients} />
              <Figure name="connected_agents" label="Connected agents" value={stats.live.connected_agents} />
              <Figure name="active_ticket_rooms" label="Active ticket rooms" value={stats.live.active_ticket_rooms} />
            </div>
          </section>
          <section class="dk-card dk-span" aria-label="Tickets by status">
            <h3>Tickets by status</h3>
            <div class="dk-figures">
              {STATUSES.map((s) => <Figure key={s} name={s} label={statusLabel[s]} value={stats.by_status[s] ?? 0} tone={s} />)}
            </div>
          </section>
          <section class="dk-card" aria-label="Tickets by priority">
            <h3>Tickets by priority</h3>
            <div class="dk-figures small">
              {PRIORITIES.map((p) => <Figure key={p} name={`priority-${p}`} label={priorityLabel[p]} value={stats.by_priority[p] ?? 0} />)}
            </div>
          </section>
          <section class="dk-card" aria-label="Response times">
            <h3>Median times</h3>
            <div class="dk-figures small">
              <Figure name="median_first_response" label="First response" value={humanDuration(stats.median_first_response_seconds)} />
              <Figure name="median_resolution" label="Resolution" value={humanDuration(stats.median_resolution_seconds)} />
            </div>
          </section>
          <section class="dk-card dk-span" aria-label="Created and resolved per day">
            <h3>Created and resolved, last 30 days</h3>
            <DayChart days={fillDays(stats.per_day)} />
          </section>
          <section class="dk-card" aria-label="Agents with open load">
            <h3>Open load by agent</h3>
            {!stats.agents.length ? <p class="muted small">No agents yet.</p> : (
              <ul class="dk-load">
                {[...stats.agents].sort((a, b) => b.open - a.open).map((a) => {
                  const max = Math.max(1, ...stats.agents.map((x) => x.open));
                  return (
                    <li key={a.user.id} data-testid="agent-load" data-user-id={a.user.id}>
                      <Person p={a.user} size={20} />
                      <span class="dk-load-bar" aria-hidden="true"><span style={{ width: `${(a.open / max) * 100}%` }} /></span>
                      <span class="dk-load-n">{a.open}</span>
                    </li>
                  );
                })}
              </ul>
            )}
          </section>
          <section class="dk-card" aria-label="Users by role">
            <h3>Users by role</h3>
            <div class="dk-figures small">
              {["owner", "admin", "agent", "member", "customer"].map((r) => <Figure key={r} name={`role-${r}`} label={roleLabel[r] + "s"} value={stats.users_by_role[r] ?? 0} />)}
            </div>
          </section>
        </div>
      )}
    </div>
  );
}

/** stats:updated may carry the full stats or only the live figures: what it has, in the Stats shape. */
function deskStats(p: unknown): Partial<Stats> {
  const o = p as Record<string, unknown>;
  if ("by_status" in o || "tickets" in o) return normaliseStats(o);
  if ("connected_clients" in o || "live" in o) return { live: normaliseStats("live" in o ? o : { live: o }).live };
  return {};
}

function Figure(p: { name: string; label: string; value: number | string; tone?: string }) {
  return (
    <div class={"dk-figure" + (p.tone ? " tone-" + p.tone : "")}>
      <span class="dk-figure-n" data-testid={`stat-${p.name}`} data-value={p.value}>{p.value}</span>
      <span class="dk-figure-l">{p.label}</span>
    </div>
  );
}

/** Bars: created (brand colour) and resolved (green) side by side per day; a grid line at each quarter. */
function DayChart({ days }: { days: DayCount[] }) {
  const W = 720, H = 180, pad = { l: 28, r: 8, t: 10, b: 22 };
  const max = Math.max(1, ...days.map((d) => Math.max(d.created, d.resolved)));
  const top = niceMax(max);
  const iw = W - pad.l - pad.r, ih = H - pad.t - pad.b;
  const slot = iw / days.length;
  const bw = Math.max(2, slot / 2 - 1.5);
  const y = (v: number) => pad.t + ih - (v / top) * ih;
  const totalC = days.reduce((n, d) => n + d.created, 0), totalR = days.reduce((n, d) => n + d.resolved, 0);
  return (
    <figure class="dk-chart" data-testid="chart-per-day">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Tickets created (${totalC}) and resolved (${totalR}) per day over the last 30 days`} preserveAspectRatio="none">
        {[0, 0.25, 0.5, 0.75, 1].map((f) => (
          <g key={f}>
            <line x1={pad.l} x2={W - pad.r} y1={y(top * f)} y2={y(top * f)} class="dk-grid" />
            <text x={pad.l - 4} y={y(top * f) + 3} class="dk-axis" text-anchor="end">{Math.round(top * f)}</text>
          </g>
        ))}
        {days.map((d, i) => {
          const x = pad.l + i * slot + (slot - 2 * bw - 1) / 2;
          return (
            <g key={d.date} data-date={d.date}>
              <title>{`${d.date}: ${d.created} created, ${d.resolved} resolved`}</title>
              <rect x={x} y={y(d.created)} width={bw} height={Math.max(0, pad.t + ih - y(d.created))} class="dk-bar-created" rx="1" />
              <rect x={x + bw + 1} y={y(d.resolved)} width={bw} height={Math.max(0, pad.t + ih - y(d.resolved))} class="dk-bar-resolved" rx="1" />
              {(i % 5 === 0 || i === days.length - 1) && <text x={pad.l + i * slot + slot / 2} y={H - 6} class="dk-axis" text-anchor="middle">{d.date.slice(5)}</text>}
            </g>
          );
        })}
      </svg>
      <figcaption class="dk-legend">
        <span><i class="dk-sw created" /> Created ({totalC})</span>
        <span><i class="dk-sw resolved" /> Resolved ({totalR})</span>
      </figcaption>
    </figure>
  );
}

function niceMax(n: number): number {
  if (n <= 4) return 4;
  const mag = Math.pow(10, Math.floor(Math.log10(n)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * mag >= n) return m * mag;
  return 10 * mag;
}
