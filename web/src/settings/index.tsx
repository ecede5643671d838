// Settings: profile, branding, members, API tokens (docs/web.md). Renders inside the workspace layout's centre
// column (the sidebar stays), with its own left nav of sections.
//
// Props contract: Settings({ section, sub? }) where section is "profile" | "branding" | "members" | "tokens" |
// "audit" | "connectors" | "webhooks" (from the route /settings/{section}); sub is the rest of a connectors path
// ("add/line", "add/discord" or a connector id). Branding, members, audit, connectors and webhooks are for owners and
// admins; others see profile and tokens.
// Selectors (docs/web.md): form[data-testid=branding] with inputs name, primary_color, accent_color, file input
// logo; form[data-testid=invite] with email, role, and the new link in input[data-testid=invite-link].
import { useEffect } from "preact/hooks";
import type { SettingsSection } from "../lib/router";
import { linkClick } from "../lib/router";
import { Icon, type IconName } from "../chat/Icons";
import { store, useStore } from "../lib/store";
import type { Role } from "../lib/types";
import { Profile } from "./Profile";
import { Branding } from "./Branding";
import { Members } from "./Members";
import { Tokens } from "./Tokens";
import { AuditLog } from "../desk";
import { Connectors } from "./Connectors";
import { Webhooks } from "./connectors/Webhooks";
import "../styles/ui-kit.css";
import "../styles/settings.css";

export const isAdmin = (role: Role | undefined) => role === "owner" || role === "admin";

const sections: { id: SettingsSection; label: string; icon: IconName; admin: boolean }[] = [
  { id: "profile", label: "Profile", icon: "smile", admin: false },
  { id: "tokens", label: "API tokens", icon: "lock", admin: false },
  { id: "branding", label: "Branding", icon: "contrast", admin: true },
  { id: "members", label: "Members", icon: "people", admin: true },
  { id: "connectors", label: "Connectors", icon: "plug", admin: true },
  { id: "webhooks", label: "Webhooks", icon: "link", admin: true },
  { id: "audit", label: "Audit log", icon: "info", admin: true },
];

export function Settings({ section, sub }: { section: SettingsSection; sub?: string }) {
  const role = useStore((s) => s.me?.membership.role);
  const wsName = useStore((s) => s.workspace?.name ?? "");
  const admin = isAdmin(role);
  const current = sections.find((s) => s.id === section)!;
  useEffect(() => {
    document.title = `${current.label} · Settings · ${wsName || "Relay"}`;
  }, [current.label, wsName]);

  const link = (s: (typeof sections)[number]) => (
    <li key={s.id}>
      <a href={`/settings/${s.id}`} onClick={linkClick} aria-current={s.id === section ? "page" : undefined}>
        <span class="st-ico" aria-hidden="true"><Icon name={s.icon} size={16} /></span>
        {s.label}
      </a>
    </li>
  );

  return (
    <section class="st-root" aria-labelledby="st-title" data-testid="settings">
      <header class="st-head">
        <button class="ui-icon-btn st-menu" aria-label="Open sidebar" onClick={() => store.setDrawer(true)}>☰</button>
        <h1 id="st-title">Settings</h1>
        <a class="ui-btn ghost sm st-back" href="/" onClick={linkClick} aria-label="Back to chat">
          <span aria-hidden="true">←</span> <span class="st-back-text">Back to chat</span>
        </a>
      </header>
      <div class="st-body">
        <nav class="st-nav" aria-label="Settings sections">
          <h2>You</h2>
          <ul>{sections.filter((s) => !s.admin).map(link)}</ul>
          {admin && (
            <>
              <h2>Workspace</h2>
              <ul>{sections.filter((s) => s.admin).map(link)}</ul>
            </>
          )}
        </nav>
        <div class="st-content">
          {current.admin && !admin ? (
            <div class="st-denied">
              <h2>Only owners and admins can change this</h2>
              <p class="ui-muted">Ask an owner or admin of {wsName || "this workspace"} if something here needs changing.</p>
              <a class="ui-btn primary" href="/settings/profile" onClick={linkClick}>Go to your profile</a>
            </div>
          ) : section === "profile" ? (
            <Profile />
          ) : section === "branding" ? (
            <Branding />
          ) : section === "members" ? (
            <Members />
          ) : section === "audit" ? (
            <AuditLog />
          ) : section === "connectors" ? (
            <Connectors sub={sub} />
          ) : section === "webhooks" ? (
            <Webhooks />
          ) : (
            <Tokens />
          )}
        </div>
      </div>
    </section>
  );
}
