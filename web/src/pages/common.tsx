// Layout and form helpers shared by the public pages.
import { useEffect, useState } from "preact/hooks";
import type { ComponentChildren, TargetedEvent } from "preact";
import type { Boot } from "../lib/boot";
import { linkClick } from "../lib/router";
import { store } from "../lib/store";
import type { Workspace } from "../lib/types";
import { errText } from "../dialogs/kit";
import "../styles/pages.css";

export type PageProps = { boot: Boot };

/** The host part of the apex address, e.g. "localhost:8080". */
export function baseHost(boot: Boot): string {
  try {
    return new URL(boot.base_url).host;
  } catch {
    return location.host;
  }
}

/** A same-origin path to go to after signing in (?next=/channels/1), never another site. */
export function safeNext(raw: string | null): string {
  // A redirect that happened on the login page itself nests: /login?next=/login?next=/channels/1 → /channels/1.
  for (let i = 0; i < 5 && raw && /^\/login(?:[?#]|$)/.test(raw); i++) {
    try {
      raw = new URL(raw, "http://x").searchParams.get("next");
    } catch {
      raw = null;
    }
  }
  if (!raw || !raw.startsWith("/") || raw.startsWith("//") || raw.startsWith("/\\")) return "/";
  if (/^\/(login|handoff|invite\/)/.test(raw)) return "/";
  return raw;
}

export function useTitle(title: string): void {
  useEffect(() => {
    document.title = title;
  }, [title]);
}

/** Busy/error state for a form's async submit. */
export function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [errorCode, setErrorCode] = useState<{ status: number; code: string } | null>(null);
  const run = async (fn: () => Promise<void>) => {
    if (busy) return;
    setBusy(true);
    setError(null);
    setErrorCode(null);
    try {
      await fn();
    } catch (e) {
      setError(errText(e));
      const ae = e as { status?: number; code?: string };
      if (typeof ae.status === "number") setErrorCode({ status: ae.status, code: ae.code ?? "" });
      setBusy(false);
      return;
    }
    setBusy(false);
  };
  return { busy, error, errorCode, run, setError };
}

export function formValues(e: TargetedEvent<HTMLFormElement, Event>): Record<string, string> {
  e.preventDefault();
  const out: Record<string, string> = {};
  new FormData(e.currentTarget).forEach((v, k) => (out[k] = String(v)));
  return out;
}

/** Keep the store's workspace (and so the theme) in step with the branding a public page shows. */
export function useBranding(ws: Workspace | null | undefined): void {
  useEffect(() => {
    if (!ws) return;
    const cur = store.get().workspace;
    if (!cur || cur.id !== ws.id || cur.primary_color !== ws.primary_color || cur.accent_color !== ws.accent_color || cur.logo_url !== ws.logo_url || cur.name !== ws.name) {
      store.setWorkspace(ws);
    }
  }, [ws?.id, ws?.primary_color, ws?.accent_color, ws?.logo_url, ws?.name]);
}

/** Apex pages: the Relay bar on top, content centred. */
export function ApexShell({ children, nav = true }: { children: ComponentChildren; nav?: boolean }) {
  return (
    <div class="pg-page">
      <header class="pg-top">
        <a class="pg-logo" href="/" onClick={linkClick} aria-label="Relay home">
          <span class="pg-mark" aria-hidden="true">R</span>
          <span>Relay</span>
        </a>
        {nav && (
          <nav aria-label="Account">
            <a class="ui-btn ghost pg-hide-sm" href="/find" onClick={linkClick}>Sign in</a>
            <a class="ui-btn primary" href="/signup" onClick={linkClick}>Create a workspace</a>
          </nav>
        )}
      </header>
      <main class="pg-main" id="main">{children}</main>
    </div>
  );
}

/** Workspace pages: a band in the workspace's colour with its logo and name, the card overlapping it. */
export function BrandedShell({ ws, boot, children }: { ws: Workspace | null; boot: Boot; children: ComponentChildren }) {
  useBranding(ws);
  const name = ws?.name ?? "";
  return (
    <div class="pg-page branded">
      <header class="pg-brand">
        {ws?.logo_url ? (
          <img class="pg-brand-logo" data-testid="workspace-logo" src={ws.logo_url} alt={`${name} logo`} />
        ) : (
          <span class="pg-mark" aria-hidden="true">{(name || "R").slice(0, 1).toUpperCase()}</span>
        )}
        <p class="pg-brand-name" data-testid="workspace-name">{name || "\u00a0"}</p>
        {ws && <p class="pg-brand-host">{ws.subdomain}.{baseHost(boot)}</p>}
      </header>
      <main class="pg-main" id="main">{children}</main>
    </div>
  );
}

export function Field(p: {
  label: string;
  name: string;
  type?: string;
  autoComplete?: string;
  required?: boolean;
  value?: string;
  minLength?: number;
  maxLength?: number;
  hint?: ComponentChildren;
  placeholder?: string;
  readOnly?: boolean;
  autoFocus?: boolean;
  onInput?: (v: string) => void;
  invalid?: boolean;
}) {
  const id = "f-" + p.name;
  return (
    <div class="ui-field">
      <label class="ui-label" for={id}>{p.label}</label>
      <input
        id={id}
        class="ui-input"
        name={p.name}
        type={(p.type ?? "text") as "text"}
        autoComplete={p.autoComplete}
        required={p.required ?? true}
        value={p.value}
        minLength={p.minLength}
        maxLength={p.maxLength}
        placeholder={p.placeholder}
        readOnly={p.readOnly}
        autoFocus={p.autoFocus}
        aria-invalid={p.invalid ? "true" : undefined}
        aria-describedby={p.hint ? id + "-hint" : undefined}
        onInput={p.onInput ? (e) => p.onInput!(e.currentTarget.value) : undefined}
      />
      {p.hint && <p class="ui-hint" id={id + "-hint"}>{p.hint}</p>}
    </div>
  );
}

/** A password field with a show/hide toggle. */
export function PasswordField(p: { name?: string; label?: string; autoComplete: string; hint?: ComponentChildren; autoFocus?: boolean }) {
  const [show, setShow] = useState(false);
  const name = p.name ?? "password";
  const id = "f-" + name;
  return (
    <div class="ui-field">
      <label class="ui-label" for={id}>{p.label ?? "Password"}</label>
      <div class="ui-affix">
        <input
          id={id}
          class="ui-input"
          name={name}
          type={(show ? "text" : "password") as "text"}
          autoComplete={p.autoComplete}
          required
          minLength={p.autoComplete === "new-password" ? 8 : undefined}
          maxLength={1024}
          autoFocus={p.autoFocus}
          aria-describedby={p.hint ? id + "-hint" : undefined}
        />
        <button type="button" class="ui-btn ghost sm" style={{ margin: "4px", minHeight: "30px" }} aria-pressed={show} aria-label={show ? "Hide password" : "Show password"} onClick={() => setShow(!show)}>
          {show ? "Hide" : "Show"}
        </button>
      </div>
      {p.hint && <p class="ui-hint" id={id + "-hint"}>{p.hint}</p>}
    </div>
  );
}

export function SubmitButton({ busy, children, busyText }: { busy: boolean; children: ComponentChildren; busyText?: string }) {
  return (
    <button class="ui-btn primary lg block" type="submit" disabled={busy} aria-busy={busy}>
      {busy && <span class="ui-spinner" aria-hidden="true" />}
      {busy ? busyText ?? children : children}
    </button>
  );
}
