// "Ann is typing…" under the messages: kept in the layout (fixed height) so the list never jumps.
import { useStore } from "../lib/store";
import type { ID } from "../lib/types";

export function typingText(names: string[]): string {
  if (!names.length) return "";
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return "Several people are typing…";
}

export function TypingLine({ channelId, parentId }: { channelId: ID; parentId: ID | null }) {
  const list = useStore((s) => s.typing[channelId]);
  const names = (list ?? []).filter((t) => t.parent_id === parentId && t.until > Date.now()).map((t) => t.name);
  return (
    <div class="typing-line" aria-live="polite">
      {names.length > 0 && (
        <span data-testid="typing"><span class="typing-dots" aria-hidden="true"><i /><i /><i /></span>{typingText(names)}</span>
      )}
    </div>
  );
}
