// /settings/profile: display name, avatar (upload / remove), and the light/dark preference.
import { useEffect, useState } from "preact/hooks";
import { api } from "../lib/api";
import { store, useStore, type ThemeChoice } from "../lib/store";
import { Alert, errText, Spinner, UserAvatar } from "../dialogs/kit";

export const IMAGE_TYPES = ["image/png", "image/jpeg", "image/webp"];
export const MAX_IMAGE = 1024 * 1024;

/** Why an image file cannot be uploaded, or null. The server checks again (bytes, 4096 px a side). */
export function imageProblem(f: File): string | null {
  if (f.type && !IMAGE_TYPES.includes(f.type)) return "Choose a PNG, JPEG or WebP image.";
  if (f.size > MAX_IMAGE) return `That image is ${(f.size / 1024 / 1024).toFixed(1)} MB; the limit is 1 MB.`;
  return null;
}

export function Profile() {
  const me = useStore((s) => s.me);
  const theme = useStore((s) => s.theme);
  const [name, setName] = useState(me?.user.display_name ?? "");
  const [saving, setSaving] = useState(false);
  const [nameMsg, setNameMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [avatarBusy, setAvatarBusy] = useState(false);
  const [avatarMsg, setAvatarMsg] = useState<{ ok: boolean; text: string } | null>(null);

  useEffect(() => () => void (preview && URL.revokeObjectURL(preview)), [preview]);
  if (!me) return null;
  const user = me.user;
  const trimmed = name.trim();
  const changed = trimmed !== user.display_name;

  const upload = async (file: File) => {
    setAvatarMsg(null);
    const bad = imageProblem(file);
    if (bad) {
      setAvatarMsg({ ok: false, text: bad });
      return;
    }
    setPreview(URL.createObjectURL(file));
    setAvatarBusy(true);
    try {
      store.updateMyUser(await api.uploadAvatar(file));
      setAvatarMsg({ ok: true, text: "Photo updated." });
    } catch (e) {
      setAvatarMsg({ ok: false, text: errText(e) });
    } finally {
      setPreview(null);
      setAvatarBusy(false);
    }
  };

  const remove = async () => {
    setAvatarMsg(null);
    setAvatarBusy(true);
    try {
      store.updateMyUser(await api.deleteAvatar());
      setAvatarMsg({ ok: true, text: "Photo removed." });
    } catch (e) {
      setAvatarMsg({ ok: false, text: errText(e) });
    } finally {
      setAvatarBusy(false);
    }
  };

  return (
    <div class="st-page">
      <h2>Your profile</h2>
      <p class="st-lead">How you appear to others in every workspace you belong to.</p>

      <section class="st-section" aria-labelledby="st-photo">
        <h3 id="st-photo">Profile photo</h3>
        <p class="st-desc">PNG, JPEG or WebP, up to 1 MB. Square images look best.</p>
        <div class="st-avatar-row">
          <div class="st-avatar">
            <UserAvatar id={user.id} name={trimmed || user.display_name} url={preview ?? user.avatar_url} size={96} />
            {avatarBusy && <span class="st-busy"><Spinner label="Uploading" /></span>}
          </div>
          <div class="st-actions">
            <span class="st-file">
              <span class="ui-btn" aria-hidden="true">{user.avatar_url ? "Change photo" : "Upload photo"}</span>
              <input
                type="file"
                name="avatar"
                accept={IMAGE_TYPES.join(",")}
                aria-label={user.avatar_url ? "Change photo" : "Upload photo"}
                disabled={avatarBusy}
                onChange={(e) => {
                  const f = e.currentTarget.files?.[0];
                  e.currentTarget.value = "";
                  if (f) void upload(f);
                }}
              />
            </span>
            {user.avatar_url && (
              <button type="button" class="ui-btn ghost" onClick={remove} disabled={avatarBusy}>Remove photo</button>
            )}
          </div>
        </div>
        {avatarMsg && <div style={{ marginTop: "14px" }}><Alert kind={avatarMsg.ok ? "ok" : "error"}>{avatarMsg.text}</Alert></div>}
      </section>

      <section class="st-section" aria-labelledby="st-name">
        <h3 id="st-name">Name and email</h3>
        <form
          class="ui-form"
          data-testid="profile"
          onSubmit={async (e) => {
            e.preventDefault();
            if (!trimmed) {
              setNameMsg({ ok: false, text: "Your display name cannot be empty." });
              return;
            }
            setSaving(true);
            setNameMsg(null);
            try {
              const u = await api.updateProfile({ display_name: trimmed });
              store.updateMyUser(u);
              setName(u.display_name);
              setNameMsg({ ok: true, text: "Saved." });
            } catch (err) {
              setNameMsg({ ok: false, text: errText(err) });
            } finally {
              setSaving(false);
            }
          }}
        >
          <div class="ui-field">
            <label class="ui-label" for="st-display-name">Display name</label>
            <input id="st-display-name" class="ui-input" name="display_name" required maxLength={80} value={name} autoComplete="name" onInput={(e) => { setName(e.currentTarget.value); setNameMsg(null); }} />
          </div>
          <div class="ui-field">
            <label class="ui-label" for="st-email">Email</label>
            <input id="st-email" class="ui-input" value={user.email} readOnly aria-describedby="st-email-hint" />
            <p class="ui-hint" id="st-email-hint">You sign in with this address.</p>
          </div>
          {nameMsg && <Alert kind={nameMsg.ok ? "ok" : "error"}>{nameMsg.text}</Alert>}
          <div class="st-actions">
            <button class="ui-btn primary" type="submit" disabled={saving || !changed}>{saving && <Spinner />}Save changes</button>
            {changed && <button type="button" class="ui-btn ghost" onClick={() => setName(user.display_name)}>Cancel</button>}
          </div>
        </form>
      </section>

      <section class="st-section" aria-labelledby="st-theme">
        <h3 id="st-theme">Appearance</h3>
        <p class="st-desc">Applies to this browser.</p>
        <fieldset class="st-theme">
          <legend class="ui-sr-only">Theme</legend>
          {(["system", "light", "dark"] as ThemeChoice[]).map((t) => (
            <label key={t}>
              <input type="radio" name="theme" value={t} checked={theme === t} onChange={() => store.setTheme(t)} />
              {t === "system" ? "Match system" : t === "light" ? "Light" : "Dark"}
            </label>
          ))}
        </fieldset>
      </section>
    </div>
  );
}
