// /settings/branding (owners, admins): name, colours, logo — with a live preview of the sidebar and the login
// card in the chosen colours before saving. Saving updates the store's workspace, so the app re-themes at once.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api } from "../lib/api";
import { store, useStore } from "../lib/store";
import { contrast, isDark, parseHex, readableOn, themeVars } from "../lib/theme";
import type { Workspace } from "../lib/types";
import { Alert, ConfirmDialog, errText, Spinner } from "../dialogs/kit";
import { IMAGE_TYPES, imageProblem } from "./Profile";

const DEFAULTS = { primary: "#3f0e40", accent: "#1264a3" };

/** "#ABC" / "abc123" → "#aabbcc"; null when not a colour. */
export function normHex(v: string): string | null {
  const rgb = parseHex(v);
  if (!rgb) return null;
  return "#" + rgb.map((n) => n.toString(16).padStart(2, "0")).join("");
}

function ColorField(p: { name: string; label: string; value: string; onChange: (hex: string) => void; hint: string }) {
  const [text, setText] = useState(p.value);
  useEffect(() => {
    if (normHex(text) !== p.value) setText(p.value);
  }, [p.value]);
  const bad = normHex(text) === null;
  const id = "st-" + p.name;
  return (
    <div class="ui-field">
      <label class="ui-label" for={id}>{p.label}</label>
      <div class="st-color">
        <input
          id={id}
          type="color"
          name={p.name}
          value={p.value}
          onInput={(e) => p.onChange(e.currentTarget.value.toLowerCase())}
          onChange={(e) => p.onChange(e.currentTarget.value.toLowerCase())}
        />
        <input
          class="ui-input"
          aria-label={`${p.label} (hex)`}
          value={text}
          maxLength={7}
          spellcheck={false}
          aria-invalid={bad ? "true" : undefined}
          aria-describedby={id + "-hint"}
          onInput={(e) => {
            const v = e.currentTarget.value.trim();
            setText(v);
            const h = normHex(v);
            if (h && (v.replace("#", "").length === 6 || v.replace("#", "").length === 3)) p.onChange(h);
          }}
          onBlur={() => setText(p.value)}
        />
      </div>
      <p class={"ui-hint" + (bad ? " bad" : "")} id={id + "-hint"}>{bad ? "Use the form #rrggbb." : p.hint}</p>
    </div>
  );
}

export function Branding() {
  const ws = useStore((s) => s.workspace);
  const theme = useStore((s) => s.theme);
  const [name, setName] = useState(ws?.name ?? "");
  const [primary, setPrimary] = useState(normHex(ws?.primary_color ?? "") ?? DEFAULTS.primary);
  const [accent, setAccent] = useState(normHex(ws?.accent_color ?? "") ?? DEFAULTS.accent);
  const [logoFile, setLogoFile] = useState<File | null>(null);
  const [logoURL, setLogoURL] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const fileRef = useRef<HTMLInputElement>(null);

  useEffect(() => () => void (logoURL && URL.revokeObjectURL(logoURL)), [logoURL]);
  const vars = useMemo(() => themeVars({ primary, accent }, isDark(theme)), [primary, accent, theme]);
  if (!ws) return null;

  const savedPrimary = normHex(ws.primary_color) ?? DEFAULTS.primary;
  const savedAccent = normHex(ws.accent_color) ?? DEFAULTS.accent;
  const dirty = name.trim() !== ws.name || primary !== savedPrimary || accent !== savedAccent || !!logoFile;
  const shownLogo = logoURL ?? (ws.logo_url || null);
  const shownName = name.trim() || ws.name;

  const reset = (w: Workspace) => {
    setName(w.name);
    setPrimary(normHex(w.primary_color) ?? DEFAULTS.primary);
    setAccent(normHex(w.accent_color) ?? DEFAULTS.accent);
    setLogoFile(null);
    setLogoURL(null);
    if (fileRef.current) fileRef.current.value = "";
  };

  const pickLogo = (f: File | undefined) => {
    setMsg(null);
    if (!f) {
      setLogoFile(null);
      setLogoURL(null);
      return;
    }
    const bad = imageProblem(f);
    if (bad) {
      setMsg({ ok: false, text: bad });
      if (fileRef.current) fileRef.current.value = "";
      return;
    }
    setLogoFile(f);
    setLogoURL(URL.createObjectURL(f));
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const fd = new FormData(form);
    // Read the form itself: the colour inputs are the source of truth (a test may set them directly).
    const nm = String(fd.get("name") ?? "").trim();
    const pc = normHex(String(fd.get("primary_color") ?? "")) ?? primary;
    const ac = normHex(String(fd.get("accent_color") ?? "")) ?? accent;
    const file = fd.get("logo");
    const logo = file instanceof File && file.size > 0 ? file : logoFile;
    if (!nm) {
      setMsg({ ok: false, text: "The workspace name cannot be empty." });
      return;
    }
    if (logo) {
      const bad = imageProblem(logo);
      if (bad) {
        setMsg({ ok: false, text: bad });
        return;
      }
    }
    setBusy(true);
    setMsg(null);
    try {
      let next = await api.updateWorkspace({ name: nm, primary_color: pc, accent_color: ac });
      if (logo) next = await api.uploadLogo(logo);
      store.setWorkspace(next);
      reset(next);
      setMsg({ ok: true, text: "Branding saved. Everyone sees it the next time their page loads." });
    } catch (err) {
      setMsg({ ok: false, text: errText(err) });
    } finally {
      setBusy(false);
    }
  };

  const ratio = (fg: string, bg: string) => contrast(fg, bg).toFixed(1);
  const sideFg = vars["--sidebar-fg"];

  return (
    <div class="st-page" style={{ maxWidth: "980px" }}>
      <h2>Branding</h2>
      <p class="st-lead">Make {ws.name} look like your own product: the sidebar, buttons and sign-in page use these.</p>
      <div class="st-brand">
        <form data-testid="branding" class="st-section ui-form" onSubmit={submit} onReset={(e) => { e.preventDefault(); reset(ws); setMsg(null); }}>
          <div class="ui-field">
            <label class="ui-label" for="st-ws-name">Workspace name</label>
            <input id="st-ws-name" class="ui-input" name="name" required maxLength={80} value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </div>
          <ColorField name="primary_color" label="Primary colour" value={primary} onChange={setPrimary} hint="The sidebar and the sign-in page's header." />
          <ColorField name="accent_color" label="Accent colour" value={accent} onChange={setAccent} hint="Buttons, links and the selected channel." />
          <div class="ui-field">
            <span class="ui-label" id="st-logo-label">Logo</span>
            <div class="st-logo-row">
              <span class="st-logo-box">{shownLogo ? <img src={shownLogo} alt="Logo preview" /> : "None"}</span>
              <span class="st-file">
                <span class="ui-btn" aria-hidden="true">{shownLogo ? "Replace logo" : "Choose logo"}</span>
                <input
                  ref={fileRef}
                  type="file"
                  name="logo"
                  accept={IMAGE_TYPES.join(",")}
                  aria-labelledby="st-logo-label"
                  aria-describedby="st-logo-hint"
                  onChange={(e) => pickLogo(e.currentTarget.files?.[0])}
                />
              </span>
              {logoFile ? (
                <button type="button" class="ui-btn ghost" onClick={() => { pickLogo(undefined); if (fileRef.current) fileRef.current.value = ""; }}>Don't use this file</button>
              ) : ws.logo_url ? (
                <button type="button" class="ui-btn ghost" onClick={() => setConfirmRemove(true)}>Remove logo</button>
              ) : null}
            </div>
            <p class="ui-hint" id="st-logo-hint">{logoFile ? `${logoFile.name} — uploaded when you save.` : "PNG, JPEG or WebP, up to 1 MB. A square image works best."}</p>
          </div>
          {msg && <Alert kind={msg.ok ? "ok" : "error"}>{msg.text}</Alert>}
          <div class="st-actions">
            <button class="ui-btn primary" type="submit" disabled={busy}>{busy && <Spinner />}Save branding</button>
            <button class="ui-btn ghost" type="reset" disabled={busy || !dirty}>Revert</button>
            {dirty && !busy && <span class="ui-muted ui-small">Unsaved changes</span>}
          </div>
        </form>

        <aside class="st-preview" style={vars} aria-label="Live preview">
          <h3>Preview</h3>
          <div class="st-pv-app" aria-hidden="true">
            <div class="st-pv-side">
              <div class="st-pv-ws">
                {shownLogo ? <img src={shownLogo} alt="" /> : <span class="st-pv-mark">{shownName.slice(0, 1).toUpperCase()}</span>}
                <span>{shownName}</span>
              </div>
              <span class="st-pv-item"># announcements</span>
              <span class="st-pv-item on"># general</span>
              <span class="st-pv-item bold"># support <span class="st-pv-badge">3</span></span>
              <span class="st-pv-item"># random</span>
            </div>
            <div class="st-pv-main">
              <strong># general</strong>
              <span class="st-pv-line" style={{ width: "90%" }} />
              <span class="st-pv-line" style={{ width: "70%" }} />
              <span>See the <span class="st-pv-link">release notes</span></span>
              <span class="st-pv-send">Send</span>
            </div>
          </div>
          <div class="st-pv-login" aria-hidden="true">
            <div class="st-pv-band">
              {shownLogo ? <img src={shownLogo} alt="" /> : <span class="st-pv-mark">{shownName.slice(0, 1).toUpperCase()}</span>}
              {shownName}
            </div>
            <div class="st-pv-card">
              <strong style={{ fontSize: "13px" }}>Sign in</strong>
              <span class="st-pv-input" />
              <span class="st-pv-input" />
              <span class="st-pv-btn">Sign in</span>
            </div>
          </div>
          <p class="st-contrast">
            Text on the sidebar: <b>{sideFg === "#ffffff" ? "white" : "black"}</b> ({ratio(sideFg, vars["--sidebar-bg"])}:1). On buttons:{" "}
            <b>{readableOn(accent) === "#ffffff" ? "white" : "black"}</b> ({ratio(readableOn(accent), accent)}:1). Chosen automatically for readability.
          </p>
        </aside>
      </div>
      {confirmRemove && (
        <ConfirmDialog
          title="Remove the logo?"
          confirmLabel="Remove logo"
          onClose={() => setConfirmRemove(false)}
          onConfirm={async () => {
            const next = await api.deleteLogo();
            store.setWorkspace(next);
            setMsg({ ok: true, text: "Logo removed." });
          }}
        >
          <p style={{ margin: 0 }}>{ws.name} will show its initial instead of a logo in the sidebar and on the sign-in page.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}
