// The left sidebar: workspace identity, your status, connectors, channels with unread state, DMs with presence.
import { useEffect, useRef } from "preact/hooks";
import { connApi, statusOf, typeLabel } from "../lib/connectors";
import { linkClick, usePath } from "../lib/router";
import { channelLabel, store, useStore } from "../lib/store";
import type { Channel } from "../lib/types";
import { signOut } from "../lib/actions";
import { Avatar, PresenceDot } from "./Avatar";
import { Icon } from "./Icons";
import { SupportNav } from "../desk";
import "../styles/connectors.css";
import { EmojiText } from "../lib/emojiImages";

export function Sidebar() {
  const ws = useStore((s) => s.workspace);
  const channels = useStore((s) => s.channels);
  const role = useStore((s) => s.me?.membership.role);
  const list = Object.values(channels).filter((c) => c.is_member || c.id === store.get().activeChannel);
  const rooms = list.filter((c) => c.kind !== "dm").sort((a, b) => a.name.localeCompare(b.name));
  const dms = list.filter((c) => c.kind === "dm");
  const staff = role !== "customer";
  return (
    <nav class="sidebar" aria-label="Workspace navigation">
      <header class="sidebar-head">
        {ws?.logo_url ? <img class="ws-logo" src={ws.logo_url} alt="" data-testid="sidebar-logo" /> : <span class="ws-mark" aria-hidden="true">{(ws?.name ?? "R").slice(0, 1).toUpperCase()}</span>}
        <span class="ws-name" title={ws?.name}>{ws?.name}</span>
        <button class="icon-btn sidebar-close" aria-label="Close sidebar" onClick={() => store.setDrawer(false)}><Icon name="close" /></button>
      </header>
      {/* Each role sees what it can use: customers have no channels to jump to and no one to show a status to. */}
      {staff ? <MyStatus /> : <MyName />}
      {staff && (
        <button class="jump" onClick={() => store.openDialog({ kind: "switcher" })} data-testid="jump">
          <span>Jump to…</span><kbd class="key-hint" data-testid="jump-hint">{navigator.platform?.startsWith("Mac") ? "⌘K" : "Ctrl K"}</kbd>
        </button>
      )}
      <div class="sidebar-scroll">
        <SupportNav />
        {staff && <ConnectorsNav admin={role === "owner" || role === "admin"} />}
        {(staff || rooms.length > 0) && <Section title="Channels" action={staff ? { label: "Create channel", onClick: () => store.openDialog({ kind: "create-channel" }) } : undefined}>
          <ul class="nav-list">
            {rooms.map((c) => <ChannelLink key={c.id} ch={c} />)}
          </ul>
          {staff && <button class="nav-extra" onClick={() => store.openDialog({ kind: "browse-channels" })}><span class="nav-icon"><Icon name="search" size={16} /></span>Browse channels</button>}
        </Section>}
        {staff && (
          <Section title="Direct messages" action={{ label: "New message", onClick: () => store.openDialog({ kind: "new-dm" }) }}>
            <ul class="nav-list">
              {dms.map((c) => <DMLink key={c.id} ch={c} />)}
            </ul>
            {!dms.length && <button class="nav-extra" onClick={() => store.openDialog({ kind: "new-dm" })}><span class="nav-icon"><Icon name="plus" size={16} /></span>Message someone</button>}
          </Section>
        )}
      </div>
      <footer class="sidebar-foot">
        <a class="nav-extra" href="/settings/profile" onClick={linkClick}><span class="nav-icon"><Icon name="gear" size={16} /></span>Settings</a>
        <ThemeToggle />
        <button class="nav-extra" onClick={() => void signOut()}><span class="nav-icon"><Icon name="logout" size={16} /></span>Sign out</button>
      </footer>
    </nav>
  );
}

function Section(p: { title: string; action?: { label: string; onClick: () => void }; children: preact.ComponentChildren }) {
  return (
    <section class="sidebar-section" aria-label={p.title}>
      <h2 class="sidebar-title">
        <span>{p.title}</span>
        {p.action && <button class="icon-btn add" aria-label={p.action.label} title={p.action.label} onClick={p.action.onClick}><Icon name="plus" size={16} /></button>}
      </h2>
      {p.children}
    </section>
  );
}

/**
 * The workspace's connectors with status dots (green active, red error with the last error as the title, grey
 * disabled), live through connector:updated / connector:deleted. Admins open a connector's settings and get "+ Add".
 */
function ConnectorsNav({ admin }: { admin: boolean }) {
  const map = useStore((s) => s.connectors);
  const connection = useStore((s) => s.connection);
  const path = usePath();
  const load = () => connApi.connectors().then((l) => store.setConnectors(l), () => {});
  useEffect(() => {
    if (!store.get().connectors) void load();
    // Events missed while the window was away are caught up when it comes back.
    window.addEventListener("focus", load);
    return () => window.removeEventListener("focus", load);
  }, []);
  // …and those missed while the socket was down, once it is back.
  const wasDown = useRef(false);
  useEffect(() => {
    if (connection === "down") wasDown.current = true;
    else if (connection === "open" && wasDown.current) {
      wasDown.current = false;
      void load();
    }
  }, [connection]);
  const list = map ? Object.values(map).sort((a, b) => a.name.localeCompare(b.name)) : [];
  // Only admins can add one: for everyone else an empty box is nothing they can use.
  if (!admin && !list.length) return null;
  return (
    <section class="sidebar-section" aria-label="Connectors" data-testid="sidebar-connectors">
      <h2 class="sidebar-title">
        <span>Connectors</span>
        {admin && <a class="sidebar-add-link" href="/settings/connectors" onClick={linkClick} data-testid="connectors-add">+ Add</a>}
      </h2>
      {list.length === 0 ? (
        <p class="sidebar-empty">No connectors yet. Add LINE or Discord and their conversations appear here.</p>
      ) : (
        <ul class="nav-list">
          {list.map((c) => {
            const st = statusOf(c);
            const href = `/settings/connectors/${c.id}`;
            const active = path === href;
            const inner = (
              <>
                <span class={`nav-icon conn-type conn-${c.type}`} aria-hidden="true">{c.type === "line" ? "L" : c.type === "discord" ? "D" : "W"}</span>
                <span class="nav-label">{c.name}</span>
                <span class={`conn-dot conn-${st.dot}`} data-testid="connector-dot" data-status={c.status} title={st.title} role="img" aria-label={st.title} />
              </>
            );
            return (
              <li key={c.id} data-testid="sidebar-connector" data-connector-id={c.id} data-status={c.status} title={`${typeLabel[c.type] ?? c.type} · ${st.title}`}>
                {admin ? (
                  <a class={"nav-item conn-item" + (active ? " active" : "")} href={href} onClick={linkClick} aria-current={active ? "page" : undefined}>{inner}</a>
                ) : (
                  <span class="nav-item conn-item">{inner}</span>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function ChannelLink({ ch }: { ch: Channel }) {
  const active = useStore((s) => s.activeChannel === ch.id);
  const unread = ch.unread_count > 0;
  return (
    <li>
      <a
        href={`/channels/${ch.id}`}
        onClick={linkClick}
        class={"nav-item" + (active ? " active" : "") + (unread ? " unread" : "") + (!ch.is_member ? " preview" : "")}
        data-testid="channel-link"
        data-channel-name={ch.name}
        aria-current={active ? "page" : undefined}
      >
        <span class="nav-icon" aria-hidden="true"><Icon name={ch.kind === "private" ? "lock" : ch.kind === "external" ? "plug" : "hash"} size={16} /></span>
        <span class="nav-label">{ch.name}</span>
        <Badge ch={ch} />
      </a>
    </li>
  );
}

function DMLink({ ch }: { ch: Channel }) {
  const active = useStore((s) => s.activeChannel === ch.id);
  const label = useStore((s) => channelLabel(ch, s));
  const me = useStore((s) => s.me?.user.id);
  const others = (ch.dm_user_ids ?? []).filter((id) => id !== me);
  const first = others[0] ?? me ?? "";
  const presence = useStore((s) => s.presence[first]?.presence ?? "offline");
  const member = useStore((s) => s.members[first]);
  const unread = ch.unread_count > 0;
  return (
    <li>
      <a href={`/channels/${ch.id}`} onClick={linkClick} class={"nav-item dm" + (active ? " active" : "") + (unread ? " unread" : "")} data-testid="dm-link" aria-current={active ? "page" : undefined}>
        {others.length > 1 ? (
          <span class="nav-icon group-count" aria-hidden="true">{others.length}</span>
        ) : (
          <span class="nav-avatar"><Avatar id={first} name={member?.user.display_name ?? label} url={member?.user.avatar_url} size={20} /></span>
        )}
        {others.length <= 1 && <PresenceDot presence={presence} />}
        <span class="nav-label">{label}</span>
        <Badge ch={ch} dm />
      </a>
    </li>
  );
}

function Badge({ ch, dm }: { ch: Channel; dm?: boolean }) {
  if (!ch.unread_count && !ch.mention_count) return null;
  // Mentions (and DMs, which are all for you) get the loud badge; other unread channels a quiet count.
  const loud = ch.mention_count > 0 || dm;
  const n = ch.mention_count > 0 ? ch.mention_count : ch.unread_count;
  const label = ch.mention_count > 0 ? `${n} mention${n === 1 ? "" : "s"}` : `${n} unread`;
  return <span class={"badge" + (loud ? "" : " quiet")} data-testid="unread-badge" aria-label={label} data-count={ch.unread_count}>{n}</span>;
}

function MyStatus() {
  const me = useStore((s) => s.me);
  const st = useStore((s) => (me ? s.presence[me.user.id] : undefined));
  const conn = useStore((s) => s.connection);
  if (!me) return null;
  const presence = st?.presence && st.presence !== "offline" ? st.presence : conn === "open" ? "online" : "offline";
  return (
    <button class="my-status" onClick={() => store.openDialog({ kind: "status" })} aria-label="Set your status">
      <Avatar id={me.user.id} name={me.user.display_name} url={me.user.avatar_url} size={28} presence={presence} />
      <span class="my-status-text">
        <span class="my-name">{me.user.display_name}</span>
        <span class="my-custom">{st?.emoji || st?.text ? <EmojiText text={`${st.emoji} ${st.text}`.trim()} /> : presence === "dnd" ? "Do not disturb" : presence === "away" ? "Away" : "Set a status"}</span>
      </span>
    </button>
  );
}

/** A customer's own name and picture at the top of the sidebar (no status: nobody they talk to sees one). */
function MyName() {
  const me = useStore((s) => s.me);
  if (!me) return null;
  return (
    <div class="my-status static" data-testid="my-name">
      <Avatar id={me.user.id} name={me.user.display_name} url={me.user.avatar_url} size={28} />
      <span class="my-status-text"><span class="my-name">{me.user.display_name}</span></span>
    </div>
  );
}

function ThemeToggle() {
  const theme = useStore((s) => s.theme);
  const next = theme === "system" ? "dark" : theme === "dark" ? "light" : "system";
  const label = theme === "system" ? "Theme: system" : theme === "dark" ? "Theme: dark" : "Theme: light";
  return (
    <button class="nav-extra" onClick={() => store.setTheme(next)} aria-label={`${label} (switch to ${next})`}>
      <span class="nav-icon"><Icon name={theme === "dark" ? "moon" : theme === "light" ? "sun" : "contrast"} size={16} /></span>{label}
    </button>
  );
}
