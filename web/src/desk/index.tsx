// The support desk's screens (docs/desk.md, docs/web.md): the agent inbox, the ticket view, the admin dashboard,
// and the customer portal (my tickets, new ticket, a ticket). Rendered in the workspace layout's centre column.
//
// Contract: DeskMain({ route }) for the desk routes (router.isDeskRoute); AuditLog for /settings/audit;
// CustomerSignupToggle (workspace settings) and CustomerSignupForm (the login page).
import { useEffect } from "preact/hooks";
import type { DeskRoute } from "../lib/router";
import { linkClick } from "../lib/router";
import { useStore } from "../lib/store";
import { isAdminRole, isStaff } from "../lib/desk";
import { Inbox } from "./Inbox";
import { TicketView } from "./TicketView";
import { Dashboard } from "./Dashboard";
import { MyTickets, NewTicket } from "./Portal";
import "../styles/desk.css";

export { AuditLog } from "./AuditLog";
export { CustomerSignupForm, CustomerSignupToggle } from "./CustomerSignup";
export { SupportNav } from "./SupportNav";

export function DeskMain({ route }: { route: DeskRoute }) {
  const role = useStore((s) => s.me?.membership.role);
  const desk = useStore((s) => s.me?.membership.desk);
  const wsName = useStore((s) => s.workspace?.name ?? "Relay");
  const staff = isStaff(role, desk);
  const title =
    route.name === "desk" ? "Inbox" : route.name === "desk-dashboard" ? "Dashboard" : route.name === "support" ? "My tickets"
      : route.name === "support-new" ? "New ticket" : "Ticket";
  useEffect(() => {
    document.title = `${title} · ${wsName}`;
  }, [title, wsName]);

  switch (route.name) {
    case "desk":
      return staff ? <Inbox /> : <Denied what="The inbox is for agents and admins." />;
    case "desk-ticket":
      return staff ? <TicketView key={route.ticketId} ticketId={route.ticketId} mode="staff" /> : <TicketView key={route.ticketId} ticketId={route.ticketId} mode="customer" />;
    case "desk-dashboard":
      return isAdminRole(role) ? <Dashboard /> : <Denied what="The dashboard is for admins and owners." />;
    case "support":
      return <MyTickets />;
    case "support-new":
      return <NewTicket />;
    case "support-ticket":
      return <TicketView key={route.ticketId} ticketId={route.ticketId} mode={role === "customer" ? "customer" : "staff"} />;
  }
}

function Denied({ what }: { what: string }) {
  return (
    <div class="dk-page">
      <div class="dk-empty">
        <h2>Not available</h2>
        <p class="muted">{what}</p>
        <a class="btn" href="/" onClick={linkClick}>Back</a>
      </div>
    </div>
  );
}
