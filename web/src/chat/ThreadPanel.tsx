// The thread panel: the parent message, its replies, and a composer for replies.
import { useEffect } from "preact/hooks";
import { loadThread, openChannel } from "../lib/actions";
import { useStore } from "../lib/store";
import type { ID } from "../lib/types";
import { Composer } from "./Composer";
import { ThreadMessages } from "./MessageList";
import { TypingLine } from "./TypingLine";
import { Icon } from "./Icons";

export function ThreadPanel({ channelId, parentId, canPost }: { channelId: ID; parentId: ID; canPost: boolean }) {
  const parent = useStore((s) => s.messages[parentId]);
  const thread = useStore((s) => s.threads[parentId]);
  const pendingAll = useStore((s) => s.pending);
  const ch = useStore((s) => s.channels[channelId]);
  const chName = ch?.kind === "dm" ? "" : ch?.name;
  const pending = pendingAll.filter((p) => p.parent_id === parentId);

  useEffect(() => void loadThread(parentId, channelId), [parentId, channelId]);
  useEffect(() => {
    const esc = (e: KeyboardEvent) => {
      if (e.key === "Escape" && !(e.target as HTMLElement)?.closest?.(".modal, .emoji-picker, .inline-editor")) openChannel(channelId);
    };
    window.addEventListener("keydown", esc);
    return () => window.removeEventListener("keydown", esc);
  }, [channelId]);

  return (
    <aside class="side-panel thread-panel" data-testid="thread-panel" aria-label="Thread">
      <header class="side-head">
        <div>
          <h2>Thread</h2>
          {chName && <span class="muted small">#{chName}</span>}
        </div>
        <button class="icon-btn" aria-label="Close thread" onClick={() => openChannel(channelId)}><Icon name="close" /></button>
      </header>
      {!parent && !thread?.loaded ? (
        <div class="loading-older"><span class="spinner small" /> Loading thread…</div>
      ) : (
        <ThreadMessages parent={parent} ids={thread?.ids ?? []} pending={pending} canPost={canPost} />
      )}
      <TypingLine channelId={channelId} parentId={parentId} />
      {canPost && parent && !parent.deleted_at && <Composer channelId={channelId} parentId={parentId} placeholder="Reply…" broadcastTo={chName ? `#${chName}` : "the conversation"} />}
    </aside>
  );
}
