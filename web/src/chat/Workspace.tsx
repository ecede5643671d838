// The signed-in workspace: sidebar, the channel (or settings) in the centre, the right panel, dialogs, the
// reconnecting banner, keyboard shortcuts, and the tab's title/favicon badge.
import { useEffect } from "preact/hooks";
import type { Route } from "../lib/router";
import { isDeskRoute, navigate } from "../lib/router";
import { homeChannel, startWorkspace, viewChannel } from "../lib/actions";
import { badgeCount, channelLabel, store, useStore } from "../lib/store";
import { setBadge } from "../lib/favicon";
import { searchShortcut } from "../lib/search";
import { Settings } from "../settings";
import {
  BrowseChannelsDialog, ChannelSettingsDialog, CreateChannelDialog, NewDMDialog, QuickSwitcher, StatusMenu,
} from "../dialogs";
import { Sidebar } from "./Sidebar";
import { ChannelView } from "./ChannelView";
import { DeskMain } from "../desk";

type WorkspaceRoute = Extract<Route, { name: "home" | "channel" | "settings" | "desk" | "desk-ticket" | "desk-dashboard" | "support" | "support-new" | "support-ticket" }>;

export function Workspace({ route }: { route: WorkspaceRoute }) {
  const channelsLoaded = useStore((s) => s.channelsLoaded);
  const drawerOpen = useStore((s) => s.drawerOpen);
  const dialog = useStore((s) => s.dialog);
  const channelId = route.name === "channel" ? route.channelId : null;

  useEffect(() => void startWorkspace(), []);

  // / opens the last channel, else #general; customers (no channels of their own) land on their tickets.
  const role = useStore((s) => s.me?.membership.role);
  useEffect(() => {
    if (route.name === "home" && role === "customer") return void navigate("/support", { replace: true });
    if (route.name !== "home" || !channelsLoaded) return;
    const id = homeChannel();
    if (id) navigate(`/channels/${id}`, { replace: true });
  }, [route.name, channelsLoaded, role]);

  useEffect(() => {
    if (channelId && channelsLoaded) void viewChannel(channelId);
    if (route.name === "settings" || isDeskRoute(route)) store.setActiveChannel(null);
  }, [channelId, channelsLoaded, route.name]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === "k" && store.get().me?.membership.role !== "customer") {
        e.preventDefault();
        store.openDialog(store.get().dialog?.kind === "switcher" ? null : { kind: "switcher" });
      } else if (searchShortcut(e) && !store.get().dialog && document.querySelector("[data-testid=search-box]")) {
        // "/" (outside text fields) and Ctrl/Cmd+F focus the search box, where there is one (a conversation is
        // open); elsewhere the browser's own find stays.
        e.preventDefault();
        store.focusSearch();
      } else if (e.key === "Escape" && store.get().drawerOpen) {
        store.setDrawer(false);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  useTitleBadge();
  const close = () => store.openDialog(null);

  return (
    <div class={"workspace" + (drawerOpen ? " drawer-open" : "")}>
      <ReconnectingBanner />
      <Sidebar />
      {drawerOpen && <div class="drawer-scrim" onClick={() => store.setDrawer(false)} aria-hidden="true" />}
      <main class="main" id="main">
        {route.name === "settings" ? (
          <Settings section={route.section} sub={route.sub} />
        ) : isDeskRoute(route) ? (
          <DeskMain route={route} />
        ) : channelId ? (
          <ChannelView key={channelId} channelId={channelId} threadId={route.name === "channel" ? route.threadId : undefined} />
        ) : (
          <EmptyMain loaded={channelsLoaded} />
        )}
      </main>
      {dialog?.kind === "create-channel" && <CreateChannelDialog onClose={close} />}
      {dialog?.kind === "browse-channels" && <BrowseChannelsDialog onClose={close} />}
      {dialog?.kind === "new-dm" && <NewDMDialog onClose={close} />}
      {dialog?.kind === "switcher" && <QuickSwitcher onClose={close} />}
      {dialog?.kind === "status" && <StatusMenu onClose={close} />}
      {dialog?.kind === "channel-settings" && <ChannelSettingsDialog channelId={dialog.channelId} onClose={close} />}
    </div>
  );
}

function EmptyMain({ loaded }: { loaded: boolean }) {
  return (
    <div class="empty-main">
      {loaded ? (
        <>
          <h2>No conversation open</h2>
          <p class="muted">Pick a channel on the left, or browse the workspace's channels.</p>
          <button class="btn primary" onClick={() => store.openDialog({ kind: "browse-channels" })}>Browse channels</button>
        </>
      ) : (
        <div class="spinner" aria-label="Loading" />
      )}
    </div>
  );
}

function ReconnectingBanner() {
  const conn = useStore((s) => s.connection);
  if (conn !== "down") return null;
  return (
    <div class="reconnecting" data-testid="reconnecting" role="status" aria-live="polite">
      <span class="spinner small" aria-hidden="true" /> Connection lost. Reconnecting…
    </div>
  );
}

function useTitleBadge() {
  const count = useStore(badgeCount);
  const ws = useStore((s) => s.workspace);
  const activeName = useStore((s) => {
    const ch = s.activeChannel ? s.channels[s.activeChannel] : null;
    return ch ? (ch.kind === "dm" ? "" : "#") + channelLabel(ch, s) : "";
  });
  useEffect(() => {
    const title = [activeName, ws?.name ?? "Relay"].filter(Boolean).join(" · ");
    setBadge(count, title, { color: ws?.primary_color || "#3f0e40", letter: (ws?.name ?? "R").slice(0, 1).toUpperCase(), logo: ws?.logo_url || undefined });
  }, [count, activeName, ws?.name, ws?.primary_color, ws?.logo_url]);
}
