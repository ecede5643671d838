// The sidebar's "Support" section: Inbox (with the open, unassigned count), Dashboard for admins; "My tickets"
// for customers. The count follows desk:<workspace_id> and refreshes on focus (every 30 s without the topic).
import { useEffect, useState } from "preact/hooks";
import { linkClick, usePath } from "../lib/router";
import { useStore } from "../lib/store";
import { deskApi, isAdminRole, isStaff, listenDesk } from "../lib/desk";
import { useRefresh } from "./common";

export function SupportNav() {
  const role = useStore((s) => s.me?.membership.role);
  const desk = useStore((s) => s.me?.membership.desk);
  const path = usePath();
  const staff = isStaff(role, desk);
  const [count, setCount] = useState<number | null>(null);
  const [down, setDown] = useState(true);
  const load = () => {
    if (!staff) return;
    deskApi.tickets({ status: "open", assignee: "unassigned" }, null, 100).then((p) => setCount(p.items.length + (p.next_cursor ? 1 : 0)), () => {});
  };
  useEffect(() => {
    if (!staff) return;
    load();
    let t: ReturnType<typeof setTimeout> | null = null;
    const off = listenDesk((ev) => {
      if (ev !== "ticket:created" && ev !== "ticket:updated") return;
      if (t) clearTimeout(t);
      t = setTimeout(load, 300);
    }, setDown);
    return () => {
      off();
      if (t) clearTimeout(t);
    };
  }, [staff]);
  useRefresh(load, 30_000, staff && down);

  if (!role || (role === "member" && !staff)) return null; // members see the desk only when granted
  const item = (href: string, label: string, testid: string, badge?: preact.ComponentChildren) => {
    const active = href === "/desk" ? path === "/desk" || path.startsWith("/desk/tickets") : path === href || (href === "/support" && path.startsWith("/support/tickets"));
    return (
      <li>
        <a href={href} onClick={linkClick} class={"nav-item" + (active ? " active" : "")} data-testid={testid} aria-current={active ? "page" : undefined}>
          <span class="nav-icon" aria-hidden="true">{testid === "nav-dashboard" ? "▦" : testid === "nav-new-ticket" ? "+" : "✉"}</span>
          <span class="nav-label">{label}</span>
          {badge}
        </a>
      </li>
    );
  };
  return (
    <section class="sidebar-section" aria-label="Support">
      <h2 class="sidebar-title"><span>Support</span></h2>
      <ul class="nav-list">
        {staff ? (
          <>
            {item("/desk", "Inbox", "nav-inbox", count ? (
              <span class="badge" data-testid="inbox-count" data-count={count} aria-label={`${count > 99 ? "over 99" : count} open unassigned tickets`}>{count > 99 ? "99+" : count}</span>
            ) : null)}
            {isAdminRole(role) && item("/desk/dashboard", "Dashboard", "nav-dashboard")}
          </>
        ) : (
          <>
            {item("/support", "My tickets", "nav-my-tickets")}
            {item("/support/new", "New ticket", "nav-new-ticket")}
          </>
        )}
      </ul>
    </section>
  );
}
