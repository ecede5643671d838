// Small shared pieces for dialogs, settings and the public pages: the modal frame (focus trap, Escape, focus
// return), a confirmation dialog, alerts, a spinner, copy-to-clipboard, a person's avatar and error text.
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { ComponentChildren } from "preact";
import { ApiError } from "../lib/api";
import { hueOf, initials } from "../lib/format";
import "../styles/ui-kit.css";

/** A message safe to show for any failure (ApiError.message comes from the server and is meant for people). */
export function errText(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 429 && e.retryAfter) return `${e.message} Try again in ${e.retryAfter} s.`;
    return e.message;
  }
  if (e instanceof Error) return e.message;
  return String(e);
}

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

function focusables(root: HTMLElement): HTMLElement[] {
  return Array.from(root.querySelectorAll<HTMLElement>(FOCUSABLE)).filter((el) => el.offsetParent !== null || el === document.activeElement);
}

let dialogSeq = 0;

export interface DialogProps {
  title: ComponentChildren;
  onClose: () => void;
  children: ComponentChildren;
  /** Shown under the title. */
  subtitle?: ComponentChildren;
  footer?: ComponentChildren;
  size?: "narrow" | "wide";
  testid?: string;
  /** The body has no padding (lists that scroll edge to edge). */
  flush?: boolean;
  /** The element to focus first (a selector inside the dialog); default: the first field, else the first button. */
  initialFocus?: string;
  /** role=alertdialog for confirmations. */
  alert?: boolean;
  /** Extra class on the dialog box. */
  className?: string;
}

/**
 * A modal dialog: focus moves in and is trapped (Tab cycles), Escape and the backdrop close it, and focus goes back
 * to where it was when it closes.
 */
export function Dialog(p: DialogProps) {
  const ref = useRef<HTMLDivElement>(null);
  const [ids] = useState(() => ++dialogSeq);
  const close = useRef(p.onClose);
  close.current = p.onClose;

  // A layout effect: focus and the Escape listener are in place before the
  // dialog is painted, so a key pressed as soon as it shows is not lost.
  useLayoutEffect(() => {
    const prev = document.activeElement as HTMLElement | null;
    const root = ref.current;
    if (root) {
      const first =
        (p.initialFocus && root.querySelector<HTMLElement>(p.initialFocus)) ||
        root.querySelector<HTMLElement>(".ui-modal-body input:not([type=hidden]):not([disabled]), .ui-modal-body textarea, .ui-modal-body select") ||
        root.querySelector<HTMLElement>(".ui-modal-body button, .ui-modal-foot button");
      (first ?? root).focus();
    }
    // Focus can fall out of the dialog (a focused button that becomes disabled, e.g. Save once saved): Escape
    // still closes the topmost dialog.
    const onDocKey = (e: KeyboardEvent) => {
      const el = ref.current;
      if (e.key !== "Escape" || e.defaultPrevented || !el || el.contains(document.activeElement)) return;
      const modals = document.querySelectorAll(".ui-modal");
      if (modals[modals.length - 1] !== el) return;
      e.preventDefault();
      close.current();
    };
    document.addEventListener("keydown", onDocKey);
    return () => {
      document.removeEventListener("keydown", onDocKey);
      if (prev && document.contains(prev)) prev.focus?.();
    };
  }, []);

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Escape") {
      e.stopPropagation();
      e.preventDefault();
      close.current();
      return;
    }
    if (e.key !== "Tab" || !ref.current) return;
    e.stopPropagation(); // a dialog opened from this one traps its own focus
    const list = focusables(ref.current);
    if (!list.length) {
      e.preventDefault();
      return;
    }
    const first = list[0];
    const last = list[list.length - 1];
    const active = document.activeElement;
    if (e.shiftKey && (active === first || active === ref.current)) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && active === last) {
      e.preventDefault();
      first.focus();
    }
  };

  const titleId = `ui-dialog-title-${ids}`;
  return (
    <div class="ui-backdrop" onMouseDown={(e) => e.target === e.currentTarget && close.current()}>
      <div
        ref={ref}
        class={"ui-modal" + (p.size ? " " + p.size : "") + (p.className ? " " + p.className : "")}
        role={p.alert ? "alertdialog" : "dialog"}
        aria-modal="true"
        aria-labelledby={titleId}
        data-testid={p.testid}
        tabIndex={-1}
        onKeyDown={onKeyDown}
      >
        <header class="ui-modal-head">
          <h2 id={titleId}>{p.title}</h2>
          <button type="button" class="ui-icon-btn" aria-label="Close" onClick={() => close.current()}>
            <span aria-hidden="true">✕</span>
          </button>
        </header>
        {p.subtitle && <p class="ui-modal-sub">{p.subtitle}</p>}
        <div class={"ui-modal-body" + (p.flush ? " flush" : "")}>{p.children}</div>
        {p.footer && <footer class="ui-modal-foot">{p.footer}</footer>}
      </div>
    </div>
  );
}

/** "Are you sure?" with a destructive confirm button; shows the action's error and a spinner while it runs. */
export function ConfirmDialog(p: {
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
  danger?: boolean;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const go = async () => {
    setBusy(true);
    setError(null);
    try {
      await p.onConfirm();
      p.onClose();
    } catch (e) {
      setError(errText(e));
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={p.title}
      onClose={p.onClose}
      size="narrow"
      alert
      initialFocus=".ui-modal-foot .ui-btn:not(.danger):not(.primary)"
      footer={
        <>
          <button type="button" class="ui-btn" onClick={p.onClose}>Cancel</button>
          <button type="button" class={"ui-btn " + (p.danger === false ? "primary" : "danger solid")} onClick={go} disabled={busy}>
            {busy && <Spinner />}
            {p.confirmLabel}
          </button>
        </>
      }
    >
      <div class="ui-form">
        <div class="ui-confirm-text">{p.children}</div>
        {error && <Alert kind="error">{error}</Alert>}
      </div>
    </Dialog>
  );
}

export function Spinner({ label }: { label?: string }) {
  return <span class="ui-spinner" role={label ? "status" : undefined} aria-label={label} aria-hidden={label ? undefined : "true"} />;
}

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <div class="ui-loading" role="status" aria-live="polite">
      <Spinner /> <span>{label}</span>
    </div>
  );
}

export function Alert({ kind, children, id }: { kind: "error" | "ok" | "info" | "warn"; children: ComponentChildren; id?: string }) {
  const icon = kind === "error" ? "!" : kind === "ok" ? "✓" : kind === "warn" ? "⚠" : "i";
  return (
    <div id={id} class={"ui-alert " + kind} role={kind === "error" ? "alert" : "status"}>
      <span class="ui-alert-icon" aria-hidden="true">{icon}</span>
      <div>{children}</div>
    </div>
  );
}

/** Copy text to the clipboard; falls back to a hidden textarea where the Clipboard API is unavailable (http). */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    /* fall back */
  }
  const ta = document.createElement("textarea");
  ta.value = text;
  ta.setAttribute("readonly", "");
  ta.style.position = "fixed";
  ta.style.opacity = "0";
  document.body.appendChild(ta);
  ta.select();
  let ok = false;
  try {
    ok = document.execCommand("copy");
  } catch {
    ok = false;
  }
  ta.remove();
  return ok;
}

/** A read-only value with a Copy button that says "Copied" for a moment. */
export function CopyField(p: { value: string; label: string; testid?: string; mono?: boolean }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (state === "idle") return;
    const t = setTimeout(() => setState("idle"), 2000);
    return () => clearTimeout(t);
  }, [state]);
  return (
    <div class="ui-copy">
      <input
        ref={input}
        class={"ui-input" + (p.mono ? " mono" : "")}
        readOnly
        value={p.value}
        aria-label={p.label}
        data-testid={p.testid}
        onFocus={(e) => e.currentTarget.select()}
      />
      <button
        type="button"
        class="ui-btn"
        onClick={async () => {
          const ok = await copyText(p.value);
          if (!ok) input.current?.select();
          setState(ok ? "copied" : "failed");
        }}
      >
        {state === "copied" ? "✓ Copied" : "Copy"}
      </button>
      <span class="ui-sr-only" aria-live="polite">{state === "copied" ? "Copied to clipboard" : state === "failed" ? "Press Ctrl+C to copy" : ""}</span>
    </div>
  );
}

/** A person's picture, or initials on a colour derived from their id. */
export function UserAvatar(p: { id: string; name: string; url?: string; size?: number }) {
  const size = p.size ?? 32;
  return (
    <span
      class="ui-avatar"
      aria-hidden="true"
      style={{ width: size + "px", height: size + "px", fontSize: Math.round(size * 0.4) + "px", borderRadius: Math.max(4, Math.round(size / 5)) + "px", background: p.url ? "transparent" : `hsl(${hueOf(p.id)} 55% 38%)` }}
    >
      {p.url ? <img src={p.url} alt="" width={size} height={size} loading="lazy" /> : initials(p.name)}
    </span>
  );
}

export const roleLabel: Record<string, string> = { owner: "Owner", admin: "Admin", agent: "Agent", member: "Member", customer: "Customer" };
