// Not found, and a workspace host whose subdomain has no workspace.
import { linkClick } from "../lib/router";
import { ApexShell, BrandedShell, useTitle, type PageProps } from "./common";

export function NotFound({ boot }: PageProps) {
  useTitle("Page not found");
  const card = (
    <div class="pg-card pg-center">
      <p class="pg-code" aria-hidden="true">404</p>
      <h1>Page not found</h1>
      <p class="pg-lead">The page you're looking for doesn't exist or has moved.</p>
      <div class="pg-actions">
        <a class="ui-btn primary" href="/" onClick={linkClick}>{boot.host === "workspace" ? "Back to the workspace" : "Go to the home page"}</a>
      </div>
    </div>
  );
  return boot.host === "workspace" && boot.workspace ? <BrandedShell ws={boot.workspace} boot={boot}>{card}</BrandedShell> : <ApexShell>{card}</ApexShell>;
}

export function WorkspaceMissing({ boot }: PageProps) {
  useTitle("Workspace not found · Relay");
  return (
    <ApexShell nav={false}>
      <div class="pg-card pg-center">
        <span class="pg-mark lg" aria-hidden="true">?</span>
        <h1>There's no workspace here</h1>
        <p class="pg-lead">
          Nothing is registered at <strong>{location.host}</strong>. Check the address, or look your workspace up by name.
        </p>
        <div class="pg-actions">
          <a class="ui-btn primary" href={boot.base_url + "/find"}>Find your workspace</a>
          <a class="ui-btn" href={boot.base_url + "/signup"}>Create a workspace</a>
        </div>
      </div>
    </ApexShell>
  );
}
