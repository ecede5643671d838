// Channel settings: About (rename, topic, purpose), Members (list, add, remove), Settings (archive/unarchive,
// leave). Controls follow docs/api.md "Channel permissions"; the server has the last word.
import { useEffect, useState } from "preact/hooks";
import { Icon } from "../chat/Icons";
import { api } from "../lib/api";
import { leaveChannel, loadChannelMembers } from "../lib/actions";
import { channelLabel, store, useStore } from "../lib/store";
import type { Channel, ID } from "../lib/types";
import { Alert, ConfirmDialog, Dialog, errText, Loading, Spinner, UserAvatar } from "./kit";
import { channelNameProblem, normaliseChannelName } from "./CreateChannel";
import { PeoplePicker } from "./PeoplePicker";
import "../styles/dialogs.css";

type Tab = "about" | "members" | "settings";

export function ChannelSettingsDialog({ channelId, onClose }: { channelId: ID; onClose: () => void }) {
  const ch = useStore((s) => s.channels[channelId]);
  const label = useStore((s) => (ch ? channelLabel(ch, s) : ""));
  const [tab, setTab] = useState<Tab>("about");
  useEffect(() => void loadChannelMembers(channelId), [channelId]);
  if (!ch) return null;
  const dm = ch.kind === "dm";
  const tabs: { id: Tab; label: string }[] = dm
    ? [{ id: "members", label: "Members" }]
    : [{ id: "about", label: "About" }, { id: "members", label: `Members (${ch.member_count})` }, { id: "settings", label: "Settings" }];
  const current = dm ? "members" : tab;
  const title = dm ? label : ch.kind === "private" ? <><Icon name="lock" size={18} class="dg-title-ico" /><span class="sr-only">Private channel </span>{ch.name}</> : `#${ch.name}`;

  const onTabKey = (e: KeyboardEvent) => {
    const i = tabs.findIndex((t) => t.id === current);
    let n = -1;
    if (e.key === "ArrowRight") n = (i + 1) % tabs.length;
    else if (e.key === "ArrowLeft") n = (i - 1 + tabs.length) % tabs.length;
    else if (e.key === "Home") n = 0;
    else if (e.key === "End") n = tabs.length - 1;
    if (n < 0) return;
    e.preventDefault();
    setTab(tabs[n].id);
    (document.getElementById(`dg-tab-${tabs[n].id}`) as HTMLElement | null)?.focus();
  };

  return (
    <Dialog title={title} onClose={onClose} size="wide" flush testid="channel-settings" initialFocus="[role=tab][aria-selected=true]">
      {ch.archived && <div class="dg-pad"><Alert kind="warn">This channel is archived: it's read-only until someone unarchives it.</Alert></div>}
      <div class="dg-tabs" role="tablist" aria-label="Channel settings" onKeyDown={onTabKey}>
        {tabs.map((t) => (
          <button
            key={t.id}
            id={`dg-tab-${t.id}`}
            type="button"
            role="tab"
            aria-selected={current === t.id}
            aria-controls={`dg-panel-${t.id}`}
            tabIndex={current === t.id ? 0 : -1}
            onClick={() => setTab(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div class="dg-tabpanel" role="tabpanel" id={`dg-panel-${current}`} aria-labelledby={`dg-tab-${current}`}>
        {current === "about" && <About ch={ch} />}
        {current === "members" && <ChannelMembers ch={ch} />}
        {current === "settings" && <ChannelActions ch={ch} onClose={onClose} />}
      </div>
    </Dialog>
  );
}

function usePerms(ch: Channel) {
  const me = useStore((s) => s.me);
  const role = me?.membership.role;
  const admin = role === "owner" || role === "admin";
  const creator = !!me && ch.created_by === me.user.id;
  const dm = ch.kind === "dm";
  const general = ch.name === "general" && ch.kind === "public";
  return {
    meId: me?.user.id,
    rename: !dm && !ch.archived && (admin || creator),
    topic: !ch.archived && (admin || ch.is_member),
    archive: !dm && !general && (admin || creator),
    add: !dm && !ch.archived && (admin || ch.is_member),
    removeOthers: !dm && !general && admin,
    leave: !dm && !general && ch.is_member,
    general,
  };
}

function About({ ch }: { ch: Channel }) {
  const perms = usePerms(ch);
  const [name, setName] = useState(ch.name);
  const [topic, setTopic] = useState(ch.topic);
  const [purpose, setPurpose] = useState(ch.purpose);
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const norm = normaliseChannelName(name);
  const problem = channelNameProblem(norm);
  const patch: { name?: string; topic?: string; purpose?: string } = {};
  if (perms.rename && norm && norm !== ch.name) patch.name = norm;
  if (perms.topic && topic.trim() !== ch.topic) patch.topic = topic.trim();
  if (perms.topic && purpose.trim() !== ch.purpose) patch.purpose = purpose.trim();
  const dirty = Object.keys(patch).length > 0;

  return (
    <form
      class="ui-form"
      data-testid="channel-about"
      onSubmit={async (e) => {
        e.preventDefault();
        if (problem || !dirty) return;
        setBusy(true);
        setMsg(null);
        try {
          const next = await api.updateChannel(ch.id, patch);
          store.upsertChannel(next, false);
          setName(next.name);
          setTopic(next.topic);
          setPurpose(next.purpose);
          setMsg({ ok: true, text: "Saved." });
        } catch (err) {
          setMsg({ ok: false, text: errText(err) });
        } finally {
          setBusy(false);
        }
      }}
    >
      <div class="ui-field">
        <label class="ui-label" for="dg-cs-name">Channel name</label>
        <div class="ui-affix" data-invalid={problem ? "true" : undefined}>
          <span class="ui-affix-text pre" aria-hidden="true">{ch.kind === "private" ? <Icon name="lock" size={15} /> : "#"}</span>
          <input id="dg-cs-name" class="ui-input" name="name" value={name} maxLength={81} disabled={!perms.rename} aria-describedby="dg-cs-name-hint" onInput={(e) => { setName(e.currentTarget.value); setMsg(null); }} />
        </div>
        <p class={"ui-hint" + (problem ? " bad" : "")} id="dg-cs-name-hint">
          {problem ?? (!perms.rename ? (ch.archived ? "Archived channels can't be renamed." : "Only the channel's creator, owners and admins can rename it.") : norm !== name.trim() && norm ? `It will be saved as #${norm}.` : "Lower-case, no spaces.")}
        </p>
      </div>
      <div class="ui-field">
        <label class="ui-label" for="dg-cs-topic">Topic</label>
        <input id="dg-cs-topic" class="ui-input" name="topic" value={topic} maxLength={250} placeholder="Add a topic" disabled={!perms.topic} onInput={(e) => { setTopic(e.currentTarget.value); setMsg(null); }} />
        <p class="ui-hint">Shown in the channel's header.</p>
      </div>
      <div class="ui-field">
        <label class="ui-label" for="dg-cs-purpose">Purpose</label>
        <textarea id="dg-cs-purpose" class="ui-textarea" name="purpose" value={purpose} maxLength={250} rows={3} placeholder="What is this channel for?" disabled={!perms.topic} onInput={(e) => { setPurpose(e.currentTarget.value); setMsg(null); }} />
      </div>
      {msg && <Alert kind={msg.ok ? "ok" : "error"}>{msg.text}</Alert>}
      <div class="ui-row" style={{ justifyContent: "flex-end" }}>
        <button type="button" class="ui-btn ghost" disabled={!dirty || busy} onClick={() => { setName(ch.name); setTopic(ch.topic); setPurpose(ch.purpose); setMsg(null); }}>Reset</button>
        <button type="submit" class="ui-btn primary" disabled={!dirty || busy || !!problem}>{busy && <Spinner />}Save changes</button>
      </div>
    </form>
  );
}

function ChannelMembers({ ch }: { ch: Channel }) {
  const perms = usePerms(ch);
  const ids = useStore((s) => s.channelMembers[ch.id]);
  const members = useStore((s) => s.members);
  const presence = useStore((s) => s.presence);
  const [adding, setAdding] = useState(false);
  const [picked, setPicked] = useState<ID[]>([]);
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const [removing, setRemoving] = useState<ID | null>(null);
  const [q, setQ] = useState("");

  const inChannel = new Set(ids ?? []);
  const candidates = Object.values(members).filter((m) => !inChannel.has(m.user.id) && m.role !== "customer");
  const list = (ids ?? [])
    .map((id) => ({ id, m: members[id] }))
    .filter(({ m }) => !q || (m?.user.display_name ?? "").toLowerCase().includes(q.toLowerCase()))
    .sort((a, b) => (a.m?.user.display_name ?? "").localeCompare(b.m?.user.display_name ?? ""));
  const name = (id: ID) => members[id]?.user.display_name ?? "Someone";

  if (adding) {
    return (
      <div class="ui-form">
        <PeoplePicker candidates={candidates} picked={picked} onChange={setPicked} max={100} label={`Add people to #${ch.name}`} onSubmit={() => document.getElementById("dg-add-go")?.click()} />
        {msg && !msg.ok && <Alert kind="error">{msg.text}</Alert>}
        <div class="ui-row" style={{ justifyContent: "flex-end" }}>
          <button type="button" class="ui-btn" onClick={() => { setAdding(false); setPicked([]); setMsg(null); }}>Back</button>
          <button
            id="dg-add-go"
            type="button"
            class="ui-btn primary"
            disabled={!picked.length || busy}
            onClick={async () => {
              setBusy(true);
              setMsg(null);
              try {
                store.upsertChannel(await api.addChannelMembers(ch.id, picked), false);
                await loadChannelMembers(ch.id);
                setMsg({ ok: true, text: `Added ${picked.map(name).join(", ")}.` });
                setPicked([]);
                setAdding(false);
              } catch (e) {
                setMsg({ ok: false, text: errText(e) });
              } finally {
                setBusy(false);
              }
            }}
          >
            {busy && <Spinner />}Add {picked.length ? picked.length : ""} {picked.length === 1 ? "person" : "people"}
          </button>
        </div>
      </div>
    );
  }

  return (
    <div class="ui-form" style={{ gap: "12px" }}>
      <div class="ui-row">
        <div class="dg-search" style={{ flex: 1 }}>
          <span class="dg-search-ico" aria-hidden="true"><Icon name="search" size={16} /></span>
          <input type="search" placeholder="Find members" aria-label="Find members" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
        </div>
        {perms.add && <button type="button" class="ui-btn primary" onClick={() => { setAdding(true); setMsg(null); }}>Add people</button>}
      </div>
      {msg && <Alert kind={msg.ok ? "ok" : "error"}>{msg.text}</Alert>}
      {!ids ? (
        <Loading label="Loading members…" />
      ) : list.length === 0 ? (
        <div class="ui-empty"><strong>{q ? `No members match “${q}”` : "No members"}</strong></div>
      ) : (
        <ul class="dg-list" style={{ margin: "0 -24px", padding: 0 }} aria-label="Channel members">
          {list.map(({ id, m }) => {
            const self = id === perms.meId;
            const pr = presence[id]?.presence ?? "offline";
            return (
              <li key={id} class="dg-row" data-user-id={id}>
                <UserAvatar id={id} name={m?.user.display_name ?? "?"} url={m?.user.avatar_url} size={32} />
                <span class="dg-main">
                  <span class="dg-title">{m?.user.display_name ?? "Unknown"}{self && <span class="ui-muted" style={{ fontWeight: 400 }}> (you)</span>}</span>
                  <span class="dg-meta">{m?.user.email ?? ""}</span>
                </span>
                <span class="dg-end">
                  <span class="dg-dot" data-presence={pr} role="img" aria-label={pr === "dnd" ? "Do not disturb" : pr} />
                  {id === ch.created_by && <span class="ui-pill">Creator</span>}
                  {!self && perms.removeOthers && (
                    <button type="button" class="ui-btn sm ghost" aria-label={`Remove ${m?.user.display_name ?? "member"} from #${ch.name}`} onClick={() => setRemoving(id)}>Remove</button>
                  )}
                </span>
              </li>
            );
          })}
        </ul>
      )}
      {removing && (
        <ConfirmDialog
          title={`Remove ${name(removing)} from #${ch.name}?`}
          confirmLabel="Remove"
          onClose={() => setRemoving(null)}
          onConfirm={async () => {
            await api.removeChannelMember(ch.id, removing);
            await loadChannelMembers(ch.id);
            const c = store.get().channels[ch.id];
            if (c) store.upsertChannel({ ...c, member_count: Math.max(0, (store.get().channelMembers[ch.id] ?? []).length) }, false);
            setMsg({ ok: true, text: `${name(removing)} was removed.` });
          }}
        >
          <p style={{ margin: 0 }}>{ch.kind === "private" ? "They won't be able to see this private channel any more unless someone adds them back." : "They can join again at any time."}</p>
        </ConfirmDialog>
      )}
    </div>
  );
}

function ChannelActions({ ch, onClose }: { ch: Channel; onClose: () => void }) {
  const perms = usePerms(ch);
  const [confirm, setConfirm] = useState<null | "archive" | "leave">(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const unarchive = async () => {
    setBusy(true);
    setError(null);
    try {
      store.upsertChannel(await api.unarchiveChannel(ch.id), false);
    } catch (e) {
      setError(errText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="dg-danger-zone">
      {error && <Alert kind="error">{error}</Alert>}
      {perms.general && <Alert kind="info">#{ch.name} is the workspace's default channel: everyone is in it, and it can't be archived or left.</Alert>}
      {perms.leave && (
        <div class="dg-dz-row">
          <div>
            <strong>Leave channel</strong>
            <p>{ch.kind === "private" ? "You'll need to be added again to rejoin." : "You can join again at any time."}</p>
          </div>
          <button type="button" class="ui-btn" onClick={() => setConfirm("leave")}>Leave #{ch.name}</button>
        </div>
      )}
      {perms.archive && (
        <div class="dg-dz-row">
          <div>
            <strong>{ch.archived ? "Unarchive channel" : "Archive channel"}</strong>
            <p>{ch.archived ? "Make it active again: people can post, react and join." : "Keep its history, but stop new messages. It disappears from the sidebar and channel lists."}</p>
          </div>
          {ch.archived ? (
            <button type="button" class="ui-btn primary" disabled={busy} onClick={() => void unarchive()}>{busy && <Spinner />}Unarchive</button>
          ) : (
            <button type="button" class="ui-btn danger" onClick={() => setConfirm("archive")}>Archive channel</button>
          )}
        </div>
      )}
      {!perms.leave && !perms.archive && !perms.general && <p class="ui-muted">There's nothing you can change here.</p>}
      {confirm === "archive" && (
        <ConfirmDialog
          title={`Archive #${ch.name}?`}
          confirmLabel="Archive channel"
          onClose={() => setConfirm(null)}
          onConfirm={async () => store.upsertChannel(await api.archiveChannel(ch.id), false)}
        >
          <p style={{ margin: 0 }}>Nobody can post in an archived channel, but its history stays searchable. You can unarchive it later.</p>
        </ConfirmDialog>
      )}
      {confirm === "leave" && (
        <ConfirmDialog
          title={`Leave #${ch.name}?`}
          confirmLabel="Leave channel"
          onClose={() => setConfirm(null)}
          onConfirm={async () => {
            await leaveChannel(ch.id);
            onClose();
          }}
        >
          <p style={{ margin: 0 }}>{ch.kind === "private" ? "This is a private channel: you'll need someone to add you back." : "You'll stop getting its messages. You can rejoin from Browse channels."}</p>
        </ConfirmDialog>
      )}
    </div>
  );
}
