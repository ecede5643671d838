// One message in a list: avatar and name (unless grouped with the previous one), source badge, Markdown body,
// attachments (images open full size, players, download chips, stickers, locations), edited/deleted markers, the
// delivery state of your own messages in external channels, reactions, thread summary and the hover actions.
import { memo } from "preact/compat";
import { useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import { connApi, deliveryState, previewKind, safeURL } from "../lib/connectors";
import { deleteMessage, discardSend, editMessage, openChannel, retrySend, toggleReaction } from "../lib/actions";
import { fullTime, humanSize, notSentText, timeOf } from "../lib/format";
import { renderMarkdown } from "../lib/markdown";
import { errText } from "../dialogs/kit";
import { messagePath } from "../lib/router";
import { store, useStore, type Pending } from "../lib/store";
import type { Attachment, ID, Message, Source } from "../lib/types";
import { Avatar } from "./Avatar";
import { EmojiPicker } from "./EmojiPicker";
import { InlineEditor } from "./Composer";
import { Icon } from "./Icons";
import "../styles/connectors.css";
import { Emoji, useEmojiImages } from "../lib/emojiImages";

const sourceLabel: Record<Source, string> = {
  internal: "", line: "LINE", discord: "Discord", email: "Email", webhook: "Webhook", assistant: "Assistant", system: "System",
};

export interface MessageProps {
  m: Message;
  grouped: boolean;
  inThread?: boolean;
  canPost: boolean;
  /** Opened through a message link: highlighted for a moment. */
  highlighted?: boolean;
}

export const MessageItem = memo(function MessageItem({ m, grouped, inThread, canPost, highlighted }: MessageProps) {
  const me = useStore((s) => s.me);
  const members = useStore((s) => s.members);
  const editing = useStore((s) => s.editing === m.id);
  const presence = useStore((s) => s.presence[m.author.id]?.presence);
  const [picker, setPicker] = useState<false | "up" | "down">(false);
  const openPicker = (e: Event) => {
    if (picker) return setPicker(false);
    const r = (e.currentTarget as HTMLElement).getBoundingClientRect();
    setPicker(r.top > window.innerHeight / 2 ? "up" : "down");
  };
  const [error, setError] = useState<string | null>(null);
  const mine = m.author.id === me?.user.id && m.author.kind === "user";
  const staffAdmin = me?.membership.role === "owner" || me?.membership.role === "admin";
  const deleted = !!m.deleted_at;
  const emojiImgs = useEmojiImages(m.body); // images drawn once the emoji table is there
  const html = useMemo(
    () => (deleted ? "" : renderMarkdown(m.body, { name: (id) => members[id]?.user.display_name, me: me?.user.id })),
    [m.body, deleted, members, me?.user.id, emojiImgs],
  );
  const fail = (e: unknown) => setError(errText(e));
  const source = m.source ?? "internal";
  // People's current name and picture (member:updated keeps them fresh); the message's copy for others.
  const known = m.author.kind === "user" ? members[m.author.id]?.user : undefined;
  const authorName = known?.display_name || m.author.display_name || "Unknown";
  const avatarUrl = known ? known.avatar_url || undefined : m.author.avatar_url || undefined;

  return (
    <div
      class={"msg" + (grouped ? " grouped" : "") + (mine ? " mine" : "") + ` src-${source}` + (deleted ? " deleted" : "") + (picker ? " active" : "") + (highlighted ? " highlight" : "")}
      data-testid="message"
      data-id={m.id}
      data-seq={m.seq}
      data-source={source}
      data-highlighted={highlighted ? "true" : undefined}
      id={inThread ? undefined : `msg-${m.id}`}
      tabIndex={-1}
    >
      <div class="msg-gutter">
        {grouped ? (
          <time class="msg-hover-time" dateTime={m.created_at} title={fullTime(m.created_at)}>{timeOf(m.created_at)}</time>
        ) : (
          <Avatar id={m.author.id} name={authorName} url={avatarUrl} size={36} />
        )}
      </div>
      <div class="msg-main">
        {!grouped && (
          <div class="msg-head">
            <span class="msg-author">{authorName}</span>
            {source !== "internal" && <span class={`source-badge src-${source}`} data-testid="source-badge">{sourceLabel[source]}</span>}
            {m.author.kind === "bot" && source === "internal" && <span class="source-badge">App</span>}
            {presence === "dnd" && <span class="msg-dnd" title="Do not disturb"><Emoji char="⛔" label="Do not disturb" /></span>}
            <time class="msg-time" dateTime={m.created_at} title={fullTime(m.created_at)}>{timeOf(m.created_at)}</time>
          </div>
        )}
        {editing ? (
          <InlineEditor
            initial={m.body}
            onCancel={() => store.setEditing(null)}
            onSave={(body) => {
              store.setEditing(null);
              if (body.trim() && body !== m.body) editMessage(m.id, body).catch(fail);
            }}
          />
        ) : deleted ? (
          <div class="msg-body tombstone" data-testid="message-body">This message was deleted.</div>
        ) : (
          <div class={"msg-body" + (m.edited_at ? " has-edited" : "") + (placeholderBody(m) ? " only-files" : "")}>
            <div class="md" data-testid="message-body" dangerouslySetInnerHTML={{ __html: placeholderBody(m) ? "" : html }} />
            {m.edited_at && <span class="edited" title={fullTime(m.edited_at)}> (edited)</span>}
          </div>
        )}
        {!deleted && !editing && m.attachments && m.attachments.length > 0 && <Attachments list={m.attachments} />}
        {!deleted && mine && m.deliveries && m.deliveries.length > 0 && <DeliveryLine m={m} />}
        {m.parent_id && m.broadcast && !inThread && <div class="msg-meta muted small">replied to a thread</div>}
        {!deleted && m.reactions.length > 0 && (
          <div class="reactions" aria-label="Reactions">
            {m.reactions.map((r) => {
              const reacted = !!me && r.users.includes(me.user.id);
              const who = r.users.map((u) => members[u]?.user.display_name ?? "Someone").join(", ");
              return (
                <button class={"reaction" + (reacted ? " reacted" : "")} data-testid="reaction" data-emoji={r.emoji} aria-pressed={reacted}
                  title={`${who} reacted with ${r.emoji}`} disabled={!canPost} onClick={() => toggleReaction(m, r.emoji).catch(fail)}>
                  <span class="reaction-emoji"><Emoji char={r.emoji} /></span> <span class="reaction-count">{r.count}</span>
                </button>
              );
            })}
            {canPost && <button class="reaction add-reaction" aria-label="Add another reaction" title="Add reaction" onClick={openPicker}><Icon name="smile" size={15} /><Icon name="plus" size={11} /></button>}
          </div>
        )}
        {!inThread && m.reply_count > 0 && <ThreadSummary m={m} />}
        {error && <div class="msg-error" role="alert">{error} <button class="link-btn" onClick={() => setError(null)}>Dismiss</button></div>}
      </div>
      {!deleted && (
        <div class="msg-actions" role="toolbar" aria-label="Message actions">
          {canPost && <button class="icon-btn" aria-label="Add reaction" title="Add reaction" onClick={openPicker}><Icon name="smile" /></button>}
          {!inThread && !m.parent_id && canPost && (
            <button class="icon-btn" aria-label="Reply in thread" title="Reply in thread" onClick={() => openChannel(m.channel_id, m.id)}><Icon name="thread" /></button>
          )}
          {mine && canPost && <button class="icon-btn" aria-label="Edit message" title="Edit message" onClick={() => store.setEditing(m.id)}><Icon name="edit" /></button>}
          <button class="icon-btn" aria-label="Copy link" title="Copy link" onClick={() => copyLink(m)}><Icon name="link" /></button>
          {(mine || staffAdmin) && (
            <button class="icon-btn danger" aria-label="Delete message" title="Delete message"
              onClick={() => { if (confirm("Delete this message? This cannot be undone.")) deleteMessage(m.id).catch(fail); }}><Icon name="trash" /></button>
          )}
        </div>
      )}
      {picker && (
        <EmojiPicker align={picker === "up" ? "up" : "right"} onClose={() => setPicker(false)} onPick={(e) => { setPicker(false); toggleReaction(m, e).catch(fail); }} />
      )}
    </div>
  );
});

/** The body is only the "[image] [sticker]" placeholder a connector writes for a message without text. */
function placeholderBody(m: Message): boolean {
  if (!m.attachments?.length) return false;
  return m.body.trim() === m.attachments.map((a) => `[${a.kind}]`).join(" ");
}

/** Your message's trip outside: nothing once delivered, "sending…" on its way, "Not delivered — reason · Retry" dead. */
function DeliveryLine({ m }: { m: Message }) {
  const st = deliveryState(m.deliveries);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (st.state === "none") return null;
  if (st.state === "pending") {
    return <div class="msg-delivery pending" data-testid="delivery-state" data-state="pending" title="Relay is delivering this message outside">sending…</div>;
  }
  const retry = async () => {
    setBusy(true);
    setError(null);
    try {
      for (const id of st.retry) await connApi.retryOutbox(id);
      // The server confirms with message:delivery; show it on its way meanwhile.
      const cur = store.get().messages[m.id];
      if (cur?.deliveries) {
        store.applyDeliveries({ channel_id: m.channel_id, message_id: m.id, deliveries: cur.deliveries.map((d) => (d.state === "dead" ? { ...d, state: "pending" } : d)) });
      }
    } catch (e) {
      setError(errText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="msg-delivery dead" role="alert" data-testid="delivery-state" data-state="dead">
      <span class="msg-delivery-icon" aria-hidden="true">!</span>
      <span>
        Not delivered — <span data-testid="delivery-reason">{st.reason}</span> ·{" "}
        <button class="link-btn" onClick={() => void retry()} disabled={busy} data-testid="delivery-retry">{busy ? "Retrying…" : "Retry"}</button>
        {error && <span class="msg-delivery-err"> ({error})</span>}
      </span>
    </div>
  );
}

/** A message's files: images (open full size), video and audio players, stickers, locations, download chips. */
function Attachments({ list }: { list: Attachment[] }) {
  const [open, setOpen] = useState<{ url: string; name: string } | null>(null);
  return (
    <div class="msg-attachments" data-testid="attachments">
      {list.map((a) => {
        const url = safeURL(a.url);
        const kind = previewKind(a);
        const common = { key: a.id || a.url, "data-testid": "attachment", "data-kind": kind };
        if (!url) {
          return <span {...common} class="att-file broken"><span class="att-file-icon" aria-hidden="true">⚠</span><span class="att-file-name">{a.name || "Attachment"}</span></span>;
        }
        switch (kind) {
          case "image":
            return (
              <button {...common} type="button" class="att-image" onClick={() => setOpen({ url, name: a.name })} aria-label={`Open ${a.name || "image"} full size`}>
                <img src={url} alt={a.name || "Image"} loading="lazy" />
              </button>
            );
          case "sticker":
            return <img {...common} class="att-sticker" src={url} alt={a.name && a.name !== "sticker.png" ? `Sticker: ${a.name}` : "Sticker"} loading="lazy" />;
          case "video":
            return <video {...common} class="att-video" src={url} controls preload="metadata" aria-label={a.name || "Video"} />;
          case "audio":
            return (
              <div {...common} class="att-audio">
                <span class="att-file-name">{a.name || "Audio"}</span>
                <audio src={url} controls preload="metadata" aria-label={a.name || "Audio"} />
              </div>
            );
          case "location":
            return (
              <a {...common} class="att-location" href={url} target="_blank" rel="noopener noreferrer nofollow">
                <span class="att-file-icon" aria-hidden="true"><Icon name="pin" size={22} /></span>
                <span class="att-file-text"><span class="att-file-name">{a.name || "Location"}</span><span class="att-file-sub">Open in maps ↗</span></span>
              </a>
            );
          default:
            return (
              <a {...common} class="att-file" href={url} download={a.name || true} target="_blank" rel="noopener noreferrer nofollow" title={`Download ${a.name}`}>
                <span class="att-file-icon" aria-hidden="true"><Icon name="file" size={22} /></span>
                <span class="att-file-text">
                  <span class="att-file-name">{a.name || "File"}</span>
                  <span class="att-file-sub">{[humanSize(a.size), "Download"].filter(Boolean).join(" · ")}</span>
                </span>
              </a>
            );
        }
      })}
      {open && <Lightbox url={open.url} name={open.name} onClose={() => setOpen(null)} />}
    </div>
  );
}

/** An image at full size over the page; Escape, the backdrop and the close button close it. */
function Lightbox({ url, name, onClose }: { url: string; name: string; onClose: () => void }) {
  const close = useRef<HTMLButtonElement>(null);
  const closeFn = useRef(onClose);
  closeFn.current = onClose;
  useLayoutEffect(() => {
    const prev = document.activeElement as HTMLElement | null;
    close.current?.focus();
    // Escape closes it wherever focus is (before the thread panel's own Escape).
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      e.stopPropagation();
      e.preventDefault();
      closeFn.current();
    };
    document.addEventListener("keydown", onKey, true);
    return () => {
      document.removeEventListener("keydown", onKey, true);
      prev?.focus?.();
    };
  }, []);
  return (
    <div class="att-lightbox" role="dialog" aria-modal="true" aria-label={name || "Image"} data-testid="lightbox"
      onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div class="att-lightbox-bar">
        <span class="att-lightbox-name">{name}</span>
        <a class="att-lightbox-btn" href={url} target="_blank" rel="noopener noreferrer">Open original ↗</a>
        <button ref={close} type="button" class="att-lightbox-btn" onClick={onClose} aria-label="Close"><Icon name="close" /></button>
      </div>
      <img src={url} alt={name || "Image"} onMouseDown={(e) => e.stopPropagation()} />
    </div>
  );
}

function copyLink(m: Message) {
  // A reply that is not in the channel's timeline opens in its thread.
  const url = location.origin + messagePath(m.channel_id, m.id, m.parent_id && !m.broadcast ? m.parent_id : null);
  navigator.clipboard?.writeText(url).catch(() => {});
}

function ThreadSummary({ m }: { m: Message }) {
  const members = useStore((s) => s.members);
  const users = m.reply_users.slice(0, 4);
  return (
    <button class="thread-summary" data-testid="thread-summary" onClick={() => openChannel(m.channel_id, m.id)}>
      <span class="thread-avatars">
        {users.map((u) => <Avatar key={u} id={u} name={members[u]?.user.display_name ?? "?"} url={members[u]?.user.avatar_url} size={20} />)}
      </span>
      <span class="thread-count">{m.reply_count} {m.reply_count === 1 ? "reply" : "replies"}</span>
      {m.last_reply_at && <span class="thread-last muted">Last reply {timeOf(m.last_reply_at)}</span>}
    </button>
  );
}

/** An optimistic message: shown at once, marked pending, or failed with retry. */
export function PendingItem({ p, grouped }: { p: Pending; grouped: boolean }) {
  const me = useStore((s) => s.me);
  const members = useStore((s) => s.members);
  const emojiImgs = useEmojiImages(p.body);
  const html = useMemo(() => renderMarkdown(p.body, { name: (id: ID) => members[id]?.user.display_name, me: me?.user.id }), [p.body, members, emojiImgs]);
  if (!me) return null;
  const failed = p.state === "failed";
  return (
    <div class={"msg mine pending" + (grouped ? " grouped" : "") + (failed ? " failed" : "")} data-testid="message" data-id={`pending-${p.client_msg_id}`}
      data-pending={failed ? undefined : "true"} data-failed={failed ? "true" : undefined} aria-busy={!failed}>
      <div class="msg-gutter">{!grouped && <Avatar id={me.user.id} name={me.user.display_name} url={me.user.avatar_url} size={36} />}</div>
      <div class="msg-main">
        {!grouped && (
          <div class="msg-head"><span class="msg-author">{me.user.display_name}</span><span class="msg-time">{failed ? "" : "Sending…"}</span></div>
        )}
        <div class="msg-body"><div class="md" data-testid="message-body" dangerouslySetInnerHTML={{ __html: html }} /></div>
        {failed && <NotSent p={p} />}
      </div>
    </div>
  );
}

/** Under a failed send: why, and Retry / Delete (a send that failed offline goes again by itself on reconnect). */
export function NotSent({ p }: { p: Pending }) {
  return (
    <div class="msg-error" role="alert" data-testid="not-sent">
      {notSentText(p.error, p.resend)} <button class="link-btn" onClick={() => retrySend(p.client_msg_id)}>Retry</button> · <button class="link-btn" onClick={() => discardSend(p.client_msg_id)}>Delete</button>
    </div>
  );
}
