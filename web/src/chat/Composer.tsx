// The composer: multi-line, Enter sends and Shift+Enter breaks the line, @ and : autocomplete, Up edits your
// last message, typing notices, and a draft per channel (and per thread) that survives a reload.
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { JSX, TargetedKeyboardEvent } from "preact";
import { sendMessage, sendTyping } from "../lib/actions";
import { emojiTable, loadEmoji } from "../lib/emoji";
import { loadDraft, saveDraft, store, useStore } from "../lib/store";
import type { ID } from "../lib/types";
import { Avatar } from "./Avatar";
import { EmojiPicker } from "./EmojiPicker";
import { Icon } from "./Icons";
import { Emoji } from "../lib/emojiImages";

interface Suggestion {
  key: string;
  label: string;
  hint?: string;
  insert: string;
  icon: JSX.Element | string;
}

const SPECIAL = [
  { name: "channel", hint: "Notify everyone in this channel" },
  { name: "here", hint: "Notify everyone online" },
  { name: "everyone", hint: "Notify everyone" },
];

/** Turn "@Display Name" that the user picked (or typed exactly) into the server's <@id> syntax. */
export function encodeMentions(text: string, people: { id: ID; name: string }[]): string {
  const sorted = [...people].filter((p) => p.name).sort((a, b) => b.name.length - a.name.length);
  let out = text;
  for (const p of sorted) {
    const esc = p.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    out = out.replace(new RegExp(`(^|[^\\w<])@${esc}(?![\\w])`, "g"), `$1<@${p.id}>`);
  }
  return out;
}

function autoGrow(el: HTMLTextAreaElement | null) {
  if (!el) return;
  el.style.height = "auto";
  el.style.height = Math.min(el.scrollHeight, 240) + "px";
}

export function Composer(p: { channelId: ID; parentId?: ID | null; placeholder: string; disabled?: boolean; disabledText?: string; broadcastTo?: string }) {
  const parentId = p.parentId ?? null;
  const ref = useRef<HTMLTextAreaElement>(null);
  const [text, setText] = useState(() => loadDraft(p.channelId, parentId));
  const [sugg, setSugg] = useState<{ items: Suggestion[]; start: number; sel: number } | null>(null);
  const [picker, setPicker] = useState(false);
  const blurTimer = useRef<ReturnType<typeof setTimeout>>();
  const [broadcast, setBroadcast] = useState(false);
  const members = useStore((s) => s.members);
  const channelMembers = useStore((s) => s.channelMembers[p.channelId]);
  const meId = useStore((s) => s.me?.user.id);

  useEffect(() => {
    setText(loadDraft(p.channelId, parentId));
    ref.current?.focus();
  }, [p.channelId, parentId]);
  useLayoutEffect(() => autoGrow(ref.current), [text]);
  useEffect(() => {
    const t = setTimeout(() => saveDraft(p.channelId, parentId, text), 250);
    return () => clearTimeout(t);
  }, [text, p.channelId, parentId]);
  // Leaving the conversation (the view is keyed by channel) within the 250 ms above must not lose the draft.
  const latest = useRef({ channelId: p.channelId, parentId, text });
  const suggestRef = useRef<(value: string, caret: number) => void>(() => {});
  latest.current = { channelId: p.channelId, parentId, text };
  useEffect(() => () => {
    clearTimeout(blurTimer.current);
    const l = latest.current;
    saveDraft(l.channelId, l.parentId, l.text);
  }, []);

  const people = () => {
    const ids = channelMembers?.length ? channelMembers : Object.keys(members);
    return ids.map((id) => members[id]).filter(Boolean).map((m) => ({ id: m.user.id, name: m.user.display_name, url: m.user.avatar_url }));
  };

  const suggest = (value: string, caret: number) => {
    const before = value.slice(0, caret);
    let m = /(^|\s)@([\p{L}\p{N}_.-]{0,30})$/u.exec(before);
    if (m) {
      const q = m[2].toLowerCase();
      const items: Suggestion[] = people()
        .filter((x) => x.name.toLowerCase().split(/\s+/).some((w) => w.startsWith(q)) || x.name.toLowerCase().startsWith(q))
        .slice(0, 7)
        .map((x) => ({ key: x.id, label: x.name + (x.id === meId ? " (you)" : ""), insert: `@${x.name} `, icon: <Avatar id={x.id} name={x.name} url={x.url} size={20} /> }));
      for (const sp of SPECIAL) if (sp.name.startsWith(q)) items.push({ key: sp.name, label: "@" + sp.name, hint: sp.hint, insert: `@${sp.name} `, icon: <Icon name="megaphone" size={16} /> });
      setSugg(items.length ? { items, start: caret - m[2].length - 1, sel: 0 } : null);
      return;
    }
    // The emoji table comes on demand (lib/emoji.ts): the first ":" fetches it, and the suggestions follow once
    // it is there if the caret is still after a ":name".
    const table = emojiTable();
    if (!table && /(^|\s):[a-z0-9_+-]*$/.test(before)) {
      loadEmoji().then(() => {
        const el = ref.current;
        if (el && document.activeElement === el) suggestRef.current(el.value, el.selectionStart);
      }, () => {});
    }
    m = /(^|\s):([a-z0-9_+-]{2,})$/.exec(before);
    if (m) {
      const items = (table?.searchEmoji(m[2], 8) ?? []).map((e) => ({ key: e.name, label: `:${e.name}:`, insert: e.char + " ", icon: <Emoji char={e.char} /> }));
      setSugg(items.length ? { items, start: caret - m[2].length - 1, sel: 0 } : null);
      return;
    }
    setSugg(null);
  };
  suggestRef.current = suggest;

  const accept = (s: Suggestion) => {
    const el = ref.current;
    if (!el || !sugg) return;
    // Work on the element itself, synchronously: the caret is placed before the next key can arrive.
    // (Placing it later, e.g. in an animation frame, moved it back under keys typed in between.)
    const value = el.value;
    const caret = el.selectionStart;
    const next = value.slice(0, sugg.start) + s.insert + value.slice(caret);
    const pos = sugg.start + s.insert.length;
    el.value = next;
    el.focus();
    el.setSelectionRange(pos, pos);
    setText(next);
    setSugg(null);
  };

  const submit = () => {
    const body = text.trim();
    if (!body || p.disabled) return;
    sendMessage(p.channelId, encodeMentions(body, people()), parentId, !!parentId && broadcast);
    setText("");
    setSugg(null);
    saveDraft(p.channelId, parentId, "");
  };

  const editLast = () => {
    const st = store.get();
    const ids = parentId ? st.threads[parentId]?.ids ?? [] : st.timelines[p.channelId]?.ids ?? [];
    for (let i = ids.length - 1; i >= 0; i--) {
      const m = st.messages[ids[i]];
      if (m && m.author.id === meId && !m.deleted_at) {
        store.setEditing(m.id);
        return true;
      }
    }
    return false;
  };

  const onKeyDown = (e: TargetedKeyboardEvent<HTMLTextAreaElement>) => {
    if (e.isComposing) return;
    if (sugg) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        const n = sugg.items.length;
        setSugg({ ...sugg, sel: (sugg.sel + (e.key === "ArrowDown" ? 1 : n - 1)) % n });
        return;
      }
      if (e.key === "Enter" || e.key === "Tab") {
        e.preventDefault();
        accept(sugg.items[sugg.sel]);
        return;
      }
      if (e.key === "Escape") {
        e.preventDefault();
        setSugg(null);
        return;
      }
    }
    if (e.key === "Enter" && !e.shiftKey && !e.altKey) {
      e.preventDefault();
      submit();
    } else if (e.key === "ArrowUp" && !text && editLast()) {
      e.preventDefault();
    }
  };

  if (p.disabled) return <div class="composer disabled" data-testid="composer-disabled">{p.disabledText}</div>;

  return (
    <div class="composer" data-testid="composer">
      {sugg && (
        <ul class="suggestions" role="listbox" aria-label="Suggestions">
          {sugg.items.map((s, i) => (
            <li key={s.key} role="option" aria-selected={i === sugg.sel} class={i === sugg.sel ? "selected" : ""}
              onMouseDown={(e) => { e.preventDefault(); accept(s); }}>
              <span class="sugg-icon">{s.icon}</span><span class="sugg-label">{s.label}</span>{s.hint && <span class="sugg-hint">{s.hint}</span>}
            </li>
          ))}
        </ul>
      )}
      <textarea
        ref={ref}
        rows={1}
        value={text}
        placeholder={p.placeholder}
        aria-label={p.placeholder}
        onInput={(e) => {
          clearTimeout(blurTimer.current);
          const el = e.currentTarget;
          setText(el.value);
          suggest(el.value, el.selectionStart);
          if (el.value.trim()) sendTyping(p.channelId, parentId);
        }}
        onKeyDown={onKeyDown}
        onFocus={() => clearTimeout(blurTimer.current)}
        onBlur={() => {
          // Late enough for a click on a suggestion to land first; cancelled
          // when focus (or typing) comes back, so a quick return keeps the list.
          clearTimeout(blurTimer.current);
          blurTimer.current = setTimeout(() => setSugg(null), 150);
        }}
      />
      <div class="composer-tools">
        <button type="button" class="icon-btn" aria-label="Insert emoji" title="Emoji" onClick={() => setPicker(!picker)}><Icon name="smile" /></button>
        {parentId && p.broadcastTo ? (
          <label class="composer-broadcast"><input type="checkbox" checked={broadcast} onChange={(e) => setBroadcast(e.currentTarget.checked)} /> Also send to {p.broadcastTo}</label>
        ) : (
          <span class="composer-hint"><kbd>Enter</kbd> to send · <kbd>Shift</kbd>+<kbd>Enter</kbd> for a new line</span>
        )}
        <button type="button" class="send-btn" aria-label="Send message" disabled={!text.trim()} onClick={submit}><Icon name="send" size={16} /></button>
      </div>
      {picker && (
        <EmojiPicker align="left" onClose={() => setPicker(false)} onPick={(emoji) => {
          const el = ref.current;
          setPicker(false);
          if (!el) { setText(text + emoji); return; }
          const at = el.selectionStart;
          const next = el.value.slice(0, at) + emoji + el.value.slice(el.selectionEnd);
          el.value = next;
          el.focus();
          el.setSelectionRange(at + emoji.length, at + emoji.length);
          setText(next);
        }} />
      )}
    </div>
  );
}

/** Editing a message in place: Enter saves, Escape cancels. */
export function InlineEditor(p: { initial: string; onSave: (body: string) => void; onCancel: () => void }) {
  const members = useStore((s) => s.members);
  const decoded = p.initial.replace(/<@(\d+)>/g, (_, id: string) => "@" + (members[id]?.user.display_name ?? id));
  const [text, setText] = useState(decoded);
  const ref = useRef<HTMLTextAreaElement>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    autoGrow(el);
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  }, []);
  const save = () => p.onSave(encodeMentions(text, Object.values(members).map((m) => ({ id: m.user.id, name: m.user.display_name }))));
  return (
    <div class="inline-editor">
      <textarea ref={ref} value={text} aria-label="Edit message" onInput={(e) => { setText(e.currentTarget.value); autoGrow(e.currentTarget); }}
        onKeyDown={(e) => {
          if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); p.onCancel(); }
          if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); save(); }
        }} />
      <div class="inline-editor-actions">
        <span class="muted small">Escape to cancel · Enter to save</span>
        <button class="btn small" onClick={p.onCancel}>Cancel</button>
        <button class="btn small primary" onClick={save}>Save</button>
      </div>
    </div>
  );
}
