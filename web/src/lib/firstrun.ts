// The first-run checklist of a new workspace (chat/FirstRun.tsx): when it starts, what counts as done, and the
// per-workspace memory of it in this browser ("on" while it shows, "off" once done or dismissed).
import type { State } from "./store";
import type { Workspace } from "./types";

/** Signup's colours (relay.DefaultPrimaryColor / DefaultAccentColor): the branding step is done once either changed. */
const DEFAULT_COLORS = ["#4f46e5", "#f59e0b"];

export const brandingDone = (ws: Pick<Workspace, "logo_url" | "primary_color" | "accent_color">) =>
  !!ws.logo_url || ws.primary_color.toLowerCase() !== DEFAULT_COLORS[0] || ws.accent_color.toLowerCase() !== DEFAULT_COLORS[1];

const keyOf = (workspaceId: string) => `relay.firstRun.${workspaceId}`;

export function firstRunMode(workspaceId: string): "on" | "off" | null {
  try {
    const v = localStorage.getItem(keyOf(workspaceId));
    return v === "on" || v === "off" ? v : null;
  } catch {
    return null;
  }
}

export function setFirstRunMode(workspaceId: string, v: "on" | "off"): void {
  try {
    localStorage.setItem(keyOf(workspaceId), v);
  } catch {
    /* private mode: no checklist */
  }
}

/** Other people who joined (not customers, not people known only from a message). */
export function otherMembers(s: Pick<State, "me" | "members">): number {
  const me = s.me?.user.id;
  return Object.values(s.members).filter((m) => m.joined_at && m.user.id !== me && m.role !== "customer").length;
}

/** Channels besides #general (DMs aside). */
export function otherChannels(s: Pick<State, "channels">): number {
  return Object.values(s.channels).filter((c) => c.kind !== "dm" && c.name !== "general").length;
}

/**
 * Once the channels and the members are loaded: an owner or admin in a workspace with nobody else and no channel
 * but #general starts the checklist (once per workspace and browser). Returns whether it is on.
 */
export function startFirstRun(s: Pick<State, "me" | "members" | "channels">): boolean {
  const me = s.me;
  if (!me || (me.membership.role !== "owner" && me.membership.role !== "admin")) return false;
  const mode = firstRunMode(me.workspace.id);
  if (mode === null && otherMembers(s) === 0 && otherChannels(s) === 0) {
    setFirstRunMode(me.workspace.id, "on");
    return true;
  }
  return mode === "on";
}
