// Small pieces the desk screens share: status and priority pills, a person chip, relative times that tick, the
// page header, and a hook that refetches on focus and on a timer while the page is visible.
import { useEffect, useRef, useState } from "preact/hooks";
import type { ComponentChildren } from "preact";
import { relative, fullTime } from "../lib/format";
import type { PersonRef, TicketPriority, TicketStatus } from "../lib/desk";
import { store } from "../lib/store";
import { Avatar } from "../chat/Avatar";
import { Icon } from "../chat/Icons";

export const statusLabel: Record<TicketStatus, string> = { open: "Open", assigned: "Assigned", resolved: "Resolved", closed: "Closed" };
export const priorityLabel: Record<TicketPriority, string> = { low: "Low", normal: "Normal", high: "High", urgent: "Urgent" };

export function StatusPill({ status }: { status: TicketStatus }) {
  return <span class={`dk-pill dk-status-${status}`} data-testid="ticket-status" data-status={status}>{statusLabel[status] ?? status}</span>;
}

export function PriorityBadge({ priority, quiet }: { priority: TicketPriority; quiet?: boolean }) {
  if (quiet && priority === "normal") return null;
  return (
    <span class={`dk-prio dk-prio-${priority}`} data-testid="ticket-priority" data-priority={priority} title={`Priority: ${priorityLabel[priority] ?? priority}`}>
      <span class="dk-prio-dot" aria-hidden="true" />{priorityLabel[priority] ?? priority}
    </span>
  );
}

export function Person({ p, size = 20, fallback = "Unassigned" }: { p: PersonRef | null | undefined; size?: number; fallback?: string }) {
  if (!p) return <span class="dk-person none">{fallback}</span>;
  return (
    <span class="dk-person">
      <Avatar id={p.id} name={p.display_name} url={p.avatar_url || undefined} size={size} />
      <span class="dk-person-name">{p.display_name}</span>
    </span>
  );
}

/** "5 min ago", re-rendered every 30 s. */
export function RelTime({ iso }: { iso: string | null | undefined }) {
  const [, tick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => tick((n) => n + 1), 30_000);
    return () => clearInterval(t);
  }, []);
  if (!iso) return <span class="muted">—</span>;
  return <time dateTime={iso} title={fullTime(iso)}>{relative(iso)}</time>;
}

export function DeskHeader(p: { title: ComponentChildren; sub?: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <header class="dk-head">
      <button class="icon-btn menu-btn" aria-label="Open sidebar" onClick={() => store.setDrawer(true)}><Icon name="menu" /></button>
      <div class="dk-head-text">
        <h1>{p.title}</h1>
        {p.sub && <p class="dk-head-sub">{p.sub}</p>}
      </div>
      {p.actions && <div class="dk-head-actions">{p.actions}</div>}
    </header>
  );
}

/**
 * Run `fn` when the window regains focus, and every `ms` while the page is visible and `enabled` (the live
 * topic is down or the view wants it anyway).
 */
export function useRefresh(fn: () => void, ms: number, enabled = true): void {
  const latest = useRef(fn);
  latest.current = fn;
  useEffect(() => {
    const run = () => {
      if (document.visibilityState === "visible") latest.current();
    };
    window.addEventListener("focus", run);
    const t = enabled ? setInterval(run, ms) : null;
    return () => {
      window.removeEventListener("focus", run);
      if (t) clearInterval(t);
    };
  }, [ms, enabled]);
}

export function ticketNo(n: number | undefined): string {
  return n ? `#${n}` : "#…";
}
