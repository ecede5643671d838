// Boot data: the server injects <script id="relay-boot" type="application/json"> into the shell, so the first
// screen knows whether it is on the apex or a workspace host without a request. Under `vite dev` and in unit
// tests there is no such tag, so the host is deduced from the location (a subdomain of *.localhost is a workspace).
import type { Workspace } from "./types";

export interface Boot {
  host: "apex" | "workspace";
  base_url: string;
  workspace: Workspace | null;
  /** True when the workspace is known to be missing (the server said so); false when merely not in the boot data. */
  missing: boolean;
}

export function readBoot(doc: Document = document, loc: Location = location): Boot {
  const el = doc.getElementById("relay-boot");
  if (el?.textContent) {
    try {
      const d = JSON.parse(el.textContent) as Partial<Boot>;
      if (d.host === "apex" || d.host === "workspace") {
        return {
          host: d.host,
          base_url: d.base_url || loc.origin,
          workspace: d.workspace ?? null,
          missing: d.host === "workspace" && !d.workspace,
        };
      }
    } catch {
      /* fall through to the guess */
    }
  }
  return guessBoot(loc);
}

export function guessBoot(loc: { hostname: string; port: string; protocol: string; origin: string }): Boot {
  const host = loc.hostname.toLowerCase();
  const parts = host.split(".");
  const isIP = /^[\d.]+$/.test(host) || host.includes(":");
  const workspace = !isIP && parts.length >= 2 && parts[0] !== "www";
  const apexHost = workspace ? parts.slice(1).join(".") : host;
  const base = `${loc.protocol}//${apexHost}${loc.port ? ":" + loc.port : ""}`;
  return { host: workspace ? "workspace" : "apex", base_url: base, workspace: null, missing: false };
}

/** The address of a workspace, e.g. http://acme.localhost:8080, from the apex base URL. */
export function workspaceURL(baseURL: string, subdomain: string): string {
  try {
    const u = new URL(baseURL);
    return `${u.protocol}//${subdomain}.${u.host}`;
  } catch {
    return `http://${subdomain}.localhost:8080`;
  }
}
