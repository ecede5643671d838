// The centre column for one channel: header, messages, typing line and composer; beside it the right panel
// (members or details) or the thread panel.
import { useEffect } from "preact/hooks";
import { joinChannel, loadChannelMembers, revealMessage } from "../lib/actions";
import { linkedMessage, useSearch } from "../lib/router";
import { badgeCount, channelLabel, store, useStore, type PersonStatus } from "../lib/store";
import type { Channel, ID } from "../lib/types";
import { Composer } from "./Composer";
import { MessageList } from "./MessageList";
import { RightPanel } from "./RightPanel";
import { ThreadPanel } from "./ThreadPanel";
import { TypingLine } from "./TypingLine";
import { Icon } from "./Icons";
import { Avatar, presenceLabel } from "./Avatar";
import { FirstRun } from "./FirstRun";
import { SearchBox } from "./SearchBox";
import { EmojiText } from "../lib/emojiImages";

export function ChannelView({ channelId, threadId }: { channelId: ID; threadId?: ID }) {
  const ch = useStore((s) => s.channels[channelId]);
  const label = useStore((s) => (ch ? channelLabel(ch, s) : ""));
  const panel = useStore((s) => s.rightPanel);
  const role = useStore((s) => s.me?.membership.role);

  useEffect(() => void loadChannelMembers(channelId), [channelId]);

  // A message link (?message=<id>, or #msg-<id>): load back to the message, scroll to it and highlight it.
  const loc = useSearch();
  const hashAt = loc.indexOf("#");
  const target = linkedMessage(hashAt < 0 ? loc : loc.slice(0, hashAt), hashAt < 0 ? "" : loc.slice(hashAt));
  useEffect(() => {
    if (target) void revealMessage(channelId, target, !!threadId && target !== threadId);
  }, [channelId, threadId, target]);

  if (!ch) {
    return <div class="empty-main"><div class="spinner" aria-label="Loading" /></div>;
  }
  const canPost = ch.is_member && !ch.archived;
  const name = ch.kind === "dm" ? label : ch.name;
  const placeholder = ch.kind === "dm" ? `Message ${label}` : `Message #${ch.name}`;

  return (
    <div class="channel-view">
      <section class="channel-col" aria-label={ch.kind === "dm" ? `Conversation with ${label}` : `Channel ${ch.name}`}>
        <ChannelHeader ch={ch} name={name} />
        <MessageList channelId={channelId} canPost={canPost} header={<ChannelIntro ch={ch} name={name} />} />
        <TypingLine channelId={channelId} parentId={null} />
        {ch.is_member ? (
          <Composer channelId={channelId} placeholder={placeholder} disabled={ch.archived} disabledText="This channel is archived. You can read its history but not post." />
        ) : (
          <div class="join-bar">
            <span>You are viewing <strong>#{ch.name}</strong>.</span>
            {role !== "customer" && !ch.archived && (
              <button class="btn primary" onClick={() => joinChannel(ch.id).catch(() => {})}>Join channel</button>
            )}
          </div>
        )}
      </section>
      {threadId ? <ThreadPanel channelId={channelId} parentId={threadId} canPost={canPost} /> : panel ? <RightPanel channelId={channelId} panel={panel} /> : null}
    </div>
  );
}

function ChannelHeader({ ch, name }: { ch: Channel; name: string }) {
  const panel = useStore((s) => s.rightPanel);
  const dm = ch.kind === "dm";
  // A DM with one other person: their picture, presence and status, live (workspace presence and status:updated).
  const meId = useStore((s) => s.me?.user.id);
  const others = dm ? (ch.dm_user_ids ?? []).filter((id) => id !== meId) : [];
  const other = others.length === 1 ? others[0] : null;
  const otherUser = useStore((s) => (other ? s.members[other]?.user : undefined));
  const otherStatus = useStore((s) => (other ? s.presence[other] : undefined));
  const toggle = (p: "members" | "details") => store.setRightPanel(panel === p ? null : p);
  const role = useStore((s) => s.me?.membership.role);
  // Phone width hides the sidebar: the menu button carries the unread mentions (and DMs) elsewhere.
  const elsewhere = useStore((s) => {
    const here = s.channels[ch.id];
    return badgeCount(s) - (here ? badgeCount({ channels: { [ch.id]: here } }) : 0);
  });
  return (
    <header class="channel-header">
      <button class="icon-btn menu-btn" aria-label="Open sidebar" aria-describedby={elsewhere > 0 ? "menu-badge" : undefined} onClick={() => store.setDrawer(true)}>
        <Icon name="menu" />
        {elsewhere > 0 && <span class="menu-badge" id="menu-badge" data-testid="menu-badge" data-count={elsewhere}><span class="sr-only">{elsewhere} unread {elsewhere === 1 ? "mention" : "mentions"}</span><span aria-hidden="true">{elsewhere > 99 ? "99+" : elsewhere}</span></span>}
      </button>
      <div class="channel-heading">
        <h1 class="channel-title">
          {dm && other ? (
            <span class="channel-hash dm-avatar"><Avatar id={other} name={name} url={otherUser?.avatar_url || undefined} size={22} presence={otherStatus?.presence ?? "offline"} /></span>
          ) : (
            <span class="channel-hash" aria-hidden="true">{dm ? "@" : <Icon name={ch.kind === "private" ? "lock" : "hash"} size={18} />}</span>
          )}
          <span data-testid="channel-name">{name}</span>
          {ch.archived && <span class="pill">Archived</span>}
        </h1>
        {dm && other ? <DMStatusLine status={otherStatus} /> : ch.topic && <p class="channel-topic" title={ch.topic}>{ch.topic}</p>}
      </div>
      <div class="channel-actions">
        {role !== "customer" && <SearchBox channel={ch} />}
        <button class={"member-count" + (panel === "members" ? " on" : "")} aria-label={`Members (${ch.member_count})`} aria-pressed={panel === "members"} onClick={() => toggle("members")}>
          <Icon name="people" size={16} /> {ch.member_count}
        </button>
        <button class={"icon-btn" + (panel === "details" ? " on" : "")} aria-label="Channel details" aria-pressed={panel === "details"} onClick={() => toggle("details")}><Icon name="info" /></button>
      </div>
    </header>
  );
}

/** Under a DM's name: the other person's presence in words and their status ("Active · 🌴 On holiday"). */
function DMStatusLine({ status }: { status: PersonStatus | undefined }) {
  const presence = status?.presence ?? "offline";
  const custom = `${status?.emoji ?? ""} ${status?.text ?? ""}`.trim();
  return (
    <p class="channel-topic dm-status" data-testid="dm-status" data-presence={presence}>
      <span data-testid="dm-presence">{presenceLabel[presence]}</span>
      {custom && <> · <span data-testid="dm-custom-status" title={custom}><EmojiText text={custom} /></span></>}
    </p>
  );
}

function ChannelIntro({ ch, name }: { ch: Channel; name: string }) {
  return (
    <div class="channel-intro" data-testid="channel-intro">
      <span class="channel-intro-mark" aria-hidden="true">{ch.kind === "dm" ? "@" : <Icon name={ch.kind === "private" ? "lock" : "hash"} size={26} />}</span>
      <h2>{ch.kind === "dm" ? name : `Welcome to #${name}`}</h2>
      <p class="muted">
        {ch.kind === "dm"
          ? "This is the start of your conversation."
          : ch.purpose || `This is the very beginning of the #${name} channel.`}
      </p>
      {ch.kind === "public" && ch.name === "general" && <FirstRun />}
    </div>
  );
}
