// The right panel: the channel's members with presence, its details, or search results (chat/SearchPanel.tsx, a
// chunk of its own loaded the first time it shows).
import { useEffect, useState } from "preact/hooks";
import { leaveChannel, openChannel, openDM } from "../lib/actions";
import { fullTime } from "../lib/format";
import { channelLabel, store, useStore, type RightPanel as Panel } from "../lib/store";
import type { ID } from "../lib/types";
import { Avatar } from "./Avatar";
import { Icon } from "./Icons";
import { Emoji } from "../lib/emojiImages";
import { loadSearchChunk } from "./searchChunk";

export function RightPanel({ channelId, panel }: { channelId: ID; panel: NonNullable<Panel> }) {
  if (panel === "search") return <LazySearchPanel />;
  return (
    <aside class="side-panel" aria-label={panel === "members" ? "Members" : "Channel details"}>
      <header class="side-head">
        <h2>{panel === "members" ? "Members" : "Details"}</h2>
        <button class="icon-btn" aria-label="Close panel" onClick={() => store.setRightPanel(null)}><Icon name="close" /></button>
      </header>
      {panel === "members" ? <Members channelId={channelId} /> : <Details channelId={channelId} />}
    </aside>
  );
}

const rank = { online: 0, dnd: 1, away: 2, offline: 3 } as const;

function Members({ channelId }: { channelId: ID }) {
  const ids = useStore((s) => s.channelMembers[channelId]);
  const members = useStore((s) => s.members);
  const presence = useStore((s) => s.presence);
  const meId = useStore((s) => s.me?.user.id);
  const list = (ids ?? []).map((id) => ({ id, m: members[id], p: presence[id] }));
  list.sort((a, b) => rank[a.p?.presence ?? "offline"] - rank[b.p?.presence ?? "offline"] || (a.m?.user.display_name ?? "").localeCompare(b.m?.user.display_name ?? ""));
  return (
    <ul class="member-list" data-testid="members-panel">
      {list.map(({ id, m, p }) => (
        <li key={id} data-testid="member" data-user-id={id}>
          <button class="member-row" onClick={() => id !== meId && openDM([id]).then((c) => openChannel(c.id), () => {})} title={id === meId ? "You" : `Message ${m?.user.display_name}`}>
            <Avatar id={id} name={m?.user.display_name ?? "?"} url={m?.user.avatar_url} size={32} presence={p?.presence ?? "offline"} />
            <span class="member-text">
              <span class="member-name">{m?.user.display_name ?? "Unknown"}{id === meId && <span class="muted"> (you)</span>}</span>
              {(p?.emoji || p?.text) && <span class="member-status muted small"><Emoji char={p.emoji ?? ""} /> {p.text}</span>}
            </span>
            {m?.role && m.role !== "member" && <span class="pill">{m.role}</span>}
          </button>
        </li>
      ))}
      {!ids && <li class="muted">Loading…</li>}
    </ul>
  );
}

function Details({ channelId }: { channelId: ID }) {
  const ch = useStore((s) => s.channels[channelId]);
  const label = useStore((s) => (ch ? channelLabel(ch, s) : ""));
  const creator = useStore((s) => (ch ? s.members[ch.created_by]?.user.display_name : undefined));
  if (!ch) return null;
  const dm = ch.kind === "dm";
  return (
    <div class="details">
      <dl>
        <dt>Name</dt><dd>{dm ? label : `#${ch.name}`}</dd>
        {!dm && <><dt>Topic</dt><dd>{ch.topic || <span class="muted">No topic</span>}</dd></>}
        {!dm && <><dt>Purpose</dt><dd>{ch.purpose || <span class="muted">No purpose</span>}</dd></>}
        <dt>Type</dt><dd>{ch.kind === "private" ? "Private channel" : dm ? "Direct message" : ch.kind === "public" ? "Public channel" : ch.kind}</dd>
        <dt>Members</dt><dd>{ch.member_count}</dd>
        <dt>Created</dt><dd>{fullTime(ch.created_at)}{creator ? ` by ${creator}` : ""}</dd>
      </dl>
      {!dm && ch.is_member && (
        <div class="details-actions">
          <button class="btn" onClick={() => store.openDialog({ kind: "channel-settings", channelId })}>Edit channel</button>
          {ch.name !== "general" && <button class="btn danger" onClick={() => confirm(`Leave #${ch.name}?`) && leaveChannel(ch.id).catch(() => {})}>Leave channel</button>}
        </div>
      )}
    </div>
  );
}

type SearchPanelModule = typeof import("./SearchPanel");

function LazySearchPanel() {
  const [mod, setMod] = useState<SearchPanelModule | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    loadSearchChunk().then((m) => live && setMod(m), () => live && setFailed(true));
    return () => void (live = false);
  }, []);
  if (mod) return <mod.SearchPanel />;
  return (
    <aside class="side-panel" data-testid="search-panel" aria-label="Search results" aria-busy="true">
      <header class="side-head">
        <h2>Search</h2>
        <button class="icon-btn" aria-label="Close search" onClick={() => store.setRightPanel(null)}><Icon name="close" /></button>
      </header>
      {failed ? <p class="muted" style={{ padding: "16px" }} role="alert">Search could not load. Check your connection and try again.</p> : <div class="loading-older"><span class="spinner small" /> Loading…</div>}
    </aside>
  );
}
