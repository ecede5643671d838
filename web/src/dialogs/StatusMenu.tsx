// Your status: presence (automatic / away / do not disturb), a custom status text + emoji that clears itself
// after a chosen time, and sign out. PUT /users/me/status replaces the whole status, so every change sends all of it.
import { useState } from "preact/hooks";
import { setMyStatus, signOut } from "../lib/actions";
import { useStore } from "../lib/store";
import type { Presence, Status } from "../lib/types";
import { Alert, Dialog, errText, Spinner, UserAvatar } from "./kit";
import "../styles/dialogs.css";
import { Emoji } from "../lib/emojiImages";

export type Expiry = "never" | "30m" | "1h" | "today" | "week";

const expiryLabels: Record<Expiry, string> = {
  never: "Don't clear",
  "30m": "30 minutes",
  "1h": "1 hour",
  today: "Today",
  week: "This week",
};

/** When a status chosen now with this expiry lapses (null: never). "This week" ends Sunday at midnight. */
export function expiryTime(e: Expiry, now = new Date()): string | null {
  const d = new Date(now);
  switch (e) {
    case "never":
      return null;
    case "30m":
      return new Date(now.getTime() + 30 * 60_000).toISOString();
    case "1h":
      return new Date(now.getTime() + 60 * 60_000).toISOString();
    case "today":
      d.setHours(23, 59, 59, 0);
      return d.toISOString();
    case "week": {
      const toSunday = (7 - d.getDay()) % 7;
      d.setDate(d.getDate() + toSunday);
      d.setHours(23, 59, 59, 0);
      return d.toISOString();
    }
  }
}

const presets: { emoji: string; text: string; expiry: Expiry }[] = [
  { emoji: "📅", text: "In a meeting", expiry: "1h" },
  { emoji: "🚌", text: "Commuting", expiry: "30m" },
  { emoji: "🤒", text: "Out sick", expiry: "today" },
  { emoji: "🌴", text: "Vacationing", expiry: "never" },
  { emoji: "🏠", text: "Working remotely", expiry: "today" },
  { emoji: "🎧", text: "Focusing", expiry: "1h" },
];

const emojiChoices = "💬 📅 🚌 🤒 🌴 🏠 🎧 ☕ 🍔 🍕 🎉 🚀 💻 📞 ✈️ 🏖️ 🤔 👀 ✅ 🔥 ⏰ 📚 🏃 🛠️ 🎯 😴 🤝 💡 📝 🙏 ❤️ 😀 😎 🥳 🤧 🧘 🎮 🐶 👶 🔕".split(" ");

const presenceOptions: { id: Presence; label: string; hint: string }[] = [
  { id: "online", label: "Automatic", hint: "Active while you're here" },
  { id: "away", label: "Away", hint: "Appear away" },
  { id: "dnd", label: "Do not disturb", hint: "Pause notifications" },
];

export function StatusMenu({ onClose }: { onClose: () => void }) {
  const me = useStore((s) => s.me);
  const status: Status = me?.status ?? { presence: "online", text: "", emoji: "", expires_at: null };
  const [emoji, setEmoji] = useState(status.emoji);
  const [text, setText] = useState(status.text);
  const [expiry, setExpiry] = useState<Expiry>(status.expires_at ? "today" : "never");
  const [keepExpiry, setKeepExpiry] = useState<string | null>(status.expires_at);
  const [picker, setPicker] = useState(false);
  const [busy, setBusy] = useState<null | "save" | "presence" | "clear" | "signout">(null);
  const [error, setError] = useState<string | null>(null);
  const [presence, setPresence] = useState<Presence>(status.presence ?? "online");
  if (!me) return null;

  const run = async (what: NonNullable<typeof busy>, fn: () => Promise<unknown>, close = false) => {
    setBusy(what);
    setError(null);
    try {
      await fn();
      if (close) onClose();
    } catch (e) {
      setError(errText(e));
    } finally {
      setBusy(null);
    }
  };

  const changePresence = (p: Presence) => {
    setPresence(p);
    // Keep the custom status as saved; only the presence changes.
    void run("presence", () => setMyStatus({ presence: p, text: status.text, emoji: status.emoji, expires_at: status.expires_at }));
  };

  const save = (e: Event) => {
    e.preventDefault();
    const t = text.trim();
    const expires_at = !t && !emoji ? null : keepExpiry ?? expiryTime(expiry);
    void run("save", () => setMyStatus({ presence, text: t, emoji: t || emoji ? emoji : "", expires_at }), true);
  };

  const until = status.expires_at ? new Date(status.expires_at) : null;
  const hasCustom = !!(status.text || status.emoji);

  return (
    <Dialog title="Set a status" onClose={onClose} testid="status-dialog" initialFocus="#dg-status-text"
      footer={
        <div class="dg-signout">
          <button type="button" class="ui-btn ghost" onClick={() => void run("signout", signOut)} disabled={busy === "signout"}>
            {busy === "signout" && <Spinner />}Sign out of {me.workspace.name}
          </button>
          <span class="ui-row">
            <button type="button" class="ui-btn" onClick={onClose}>Cancel</button>
            <button type="submit" form="dg-status-form" class="ui-btn primary" disabled={!!busy}>{busy === "save" && <Spinner />}Save</button>
          </span>
        </div>
      }
    >
      <div class="dg-status-me">
        <UserAvatar id={me.user.id} name={me.user.display_name} url={me.user.avatar_url} size={44} />
        <div>
          <strong>{me.user.display_name}</strong>
          <span class="ui-muted ui-small">
            {hasCustom ? <><Emoji char={status.emoji} /> {status.text}{until ? ` · until ${until.toLocaleString([], { weekday: "short", hour: "numeric", minute: "2-digit" })}` : ""}</> : "No custom status"}
          </span>
        </div>
      </div>

      <form id="dg-status-form" class="ui-form" data-testid="status" onSubmit={save}>
        <fieldset class="dg-presence" style={{ gap: "8px" }} aria-busy={busy === "presence"}>
          <legend class="dg-section-title">Availability</legend>
          {presenceOptions.map((o) => (
            <label key={o.id} title={o.hint}>
              <input type="radio" name="presence" value={o.id} checked={presence === o.id} onChange={() => changePresence(o.id)} />
              <span class="dg-dot" data-presence={o.id} aria-hidden="true" />
              {o.label}
            </label>
          ))}
        </fieldset>

        <div class="ui-field">
          <label class="dg-section-title" for="dg-status-text" style={{ margin: 0 }}>Custom status</label>
          <div class="dg-status-input">
            <button type="button" class="dg-emoji-btn" aria-label={emoji ? `Emoji: ${emoji}. Change emoji` : "Choose an emoji"} aria-expanded={picker} onClick={() => setPicker(!picker)}>
              <Emoji char={emoji || "🙂"} />
            </button>
            <input
              id="dg-status-text"
              name="text"
              maxLength={100}
              placeholder="What's your status?"
              value={text}
              onInput={(e) => { setText(e.currentTarget.value); setKeepExpiry(null); }}
            />
            {(text || emoji) && (
              <button type="button" class="dg-clear-btn" aria-label="Clear the custom status" onClick={() => { setText(""); setEmoji(""); setKeepExpiry(null); }}>✕</button>
            )}
          </div>
          {picker && (
            <div class="dg-emoji-grid" role="group" aria-label="Status emoji">
              {emojiChoices.map((c) => (
                <button type="button" key={c} aria-pressed={c === emoji} aria-label={c} onClick={() => { setEmoji(c); setPicker(false); setKeepExpiry(null); }}><Emoji char={c} /></button>
              ))}
            </div>
          )}
          <input type="hidden" name="emoji" value={emoji} />
        </div>

        {!text && !emoji ? (
          <div>
            <p class="dg-section-title">Suggestions</p>
            <ul class="dg-presets">
              {presets.map((p) => (
                <li key={p.text}>
                  <button type="button" onClick={() => { setEmoji(p.emoji); setText(p.text); setExpiry(p.expiry); setKeepExpiry(null); }}>
                    <span class="dg-emo" aria-hidden="true"><Emoji char={p.emoji} /></span>
                    <span>{p.text}</span>
                    <span class="ui-muted ui-small">— {expiryLabels[p.expiry]}</span>
                  </button>
                </li>
              ))}
            </ul>
          </div>
        ) : (
          <div class="ui-field">
            <label class="dg-section-title" for="dg-status-expiry" style={{ margin: 0 }}>Clear after</label>
            <select id="dg-status-expiry" class="ui-select" name="expiry" value={keepExpiry ? "keep" : expiry} onChange={(e) => { const v = e.currentTarget.value; if (v !== "keep") { setExpiry(v as Expiry); setKeepExpiry(null); } }}>
              {keepExpiry && <option value="keep">{`Keep (until ${new Date(keepExpiry).toLocaleString([], { weekday: "short", hour: "numeric", minute: "2-digit" })})`}</option>}
              {(Object.keys(expiryLabels) as Expiry[]).map((k) => <option key={k} value={k}>{expiryLabels[k]}</option>)}
            </select>
          </div>
        )}
        {error && <Alert kind="error">{error}</Alert>}
      </form>
    </Dialog>
  );
}
