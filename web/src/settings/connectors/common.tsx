// Pieces shared by the connector screens: the type mark, the status dot and word, the last error, the actions
// (enable/disable, rename, remove) and the hook that keeps the store's connector list loaded.
import { useEffect, useState } from "preact/hooks";
import { connApi, offerFrom, statusOf, typeLabel, type ConnectorInfo, type ConnectorKind, type ConnectorType, type Offer } from "../../lib/connectors";
import { fullTime, relative } from "../../lib/format";
import { linkClick, navigate } from "../../lib/router";
import { store, useStore } from "../../lib/store";
import { Alert, ConfirmDialog, Dialog, errText, Spinner } from "../../dialogs/kit";
import "../../styles/connectors.css";

/** A connector's kind as a small coloured mark (brand colours, a glyph, no outside images). */
export function TypeMark({ type, size = 40 }: { type: ConnectorType | string; size?: number }) {
  const glyph =
    type === "line" ? (
      <>
        <path d="M12 4.5c-4.7 0-8.5 3-8.5 6.8 0 3.4 3 6.2 7.1 6.7.3.1.6.2.7.4.1.2.1.5 0 .7l-.1.8c0 .2-.2.9.8.5s5.3-3.1 7.2-5.3c1.3-1.4 1.9-2.9 1.9-4.3 0-3.8-3.8-6.8-8.5-6.8z" fill="#fff" stroke="none" />
        <path d="M7.6 9.6v3.2h1.8M10.6 9.6v3.2M12.3 12.8V9.6l2 3.2V9.6M17.2 9.6h-1.7v3.2h1.7M15.5 11.2h1.6" stroke="var(--cn-line)" stroke-width="1.1" fill="none" />
      </>
    ) : type === "discord" ? (
      <path
        d="M18.6 6.4A15 15 0 0 0 15 5.3l-.5 1a13.8 13.8 0 0 0-5 0l-.5-1a15 15 0 0 0-3.6 1.1C3.1 9.8 2.5 13.2 2.8 16.5a15 15 0 0 0 4.5 2.3l1-1.5c-.6-.2-1.1-.5-1.6-.8l.4-.3a10.6 10.6 0 0 0 9.8 0l.4.3c-.5.3-1 .6-1.6.8l1 1.5a15 15 0 0 0 4.5-2.3c.4-3.8-.6-7.2-2.6-10.1zM9 14.5c-.9 0-1.6-.8-1.6-1.9 0-1 .7-1.9 1.6-1.9s1.7.9 1.6 1.9c0 1-.7 1.9-1.6 1.9zm6 0c-.9 0-1.6-.8-1.6-1.9 0-1 .7-1.9 1.6-1.9s1.7.9 1.6 1.9c0 1-.7 1.9-1.6 1.9z"
        fill="#fff"
        stroke="none"
      />
    ) : (
      <path d="M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1" stroke="#fff" stroke-width="2" fill="none" stroke-linecap="round" />
    );
  return (
    <span class={`cn-mark cn-mark-${type}`} style={{ width: size + "px", height: size + "px" }} aria-hidden="true">
      <svg viewBox="0 0 24 24" width={Math.round(size * 0.7)} height={Math.round(size * 0.7)} focusable="false">{glyph}</svg>
    </span>
  );
}

/** The status dot and its word; the title carries the last error. */
export function StatusBadge({ c }: { c: Pick<ConnectorInfo, "status" | "last_error"> }) {
  const st = statusOf(c);
  return (
    <span class={`cn-status cn-status-${st.dot}`} data-testid="connector-status" data-status={c.status} title={st.title}>
      <span class="cn-dot" aria-hidden="true" />
      {st.word}
    </span>
  );
}

/** The last error, said plainly, with when it happened. */
export function LastError({ c }: { c: Pick<ConnectorInfo, "last_error" | "last_error_at" | "status"> }) {
  if (!c.last_error) return null;
  const now = c.status === "error";
  return (
    <div class={"cn-error" + (now ? "" : " past")} data-testid="connector-error" data-current={now ? "true" : "false"} role={now ? "alert" : undefined}>
      <span class="cn-error-head">
        {now ? "Last error" : "Last error · resolved"}{c.last_error_at && <> · <time dateTime={c.last_error_at} title={fullTime(c.last_error_at)}>{relative(c.last_error_at)}</time></>}
      </span>
      <span class="cn-error-text">{c.last_error}</span>
    </div>
  );
}

/** Load the workspace's connectors into the store (owners and admins get the full views). */
export function useConnectorList(): { list: ConnectorInfo[] | null; error: string | null } {
  const map = useStore((s) => s.connectors);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    connApi.connectors().then(
      (l) => store.setConnectors(l),
      (e) => setError(errText(e)),
    );
  }, []);
  const list = map ? Object.values(map).sort((a, b) => (a.created_at ?? "").localeCompare(b.created_at ?? "") || a.name.localeCompare(b.name)) : null;
  return { list, error };
}

// The server's offer does not change while it runs: asked once per page load.
let kindsOnce: Promise<ConnectorKind[]> | null = null;

/** Which connector kinds this server offers (null until it said; an error offers what needs no operator set-up). */
export function useOffer(): Offer | null {
  const [kinds, setKinds] = useState<ConnectorKind[] | null>(null);
  useEffect(() => {
    let live = true;
    kindsOnce ??= connApi.available();
    kindsOnce.then(
      (k) => live && setKinds(k),
      () => {
        kindsOnce = null;
        if (live) setKinds([{ type: "line", model: "own", available: true }]);
      },
    );
    return () => {
      live = false;
    };
  }, []);
  return offerFrom(kinds);
}

/** For owners: the kinds this server does not offer and what the person who runs it must set up. */
export function OperatorSetup({ offer, only }: { offer: Offer | null; only?: string }) {
  const missing = (offer?.missing ?? []).filter((m) => !only || m.label === only);
  if (!missing.length) return null;
  return (
    <div class="cn-operator" data-testid="operator-setup">
      <strong>Not offered on this server</strong>
      {missing.map((m) => (
        <p key={m.label}><span class="cn-operator-kind">{m.label}:</span> {m.setup}</p>
      ))}
      <p class="ui-hint">Only owners see this note.</p>
    </div>
  );
}

export function BackLink({ href = "/settings/connectors", label = "Connectors" }: { href?: string; label?: string }) {
  return (
    <a class="cn-back" href={href} onClick={linkClick}>
      <span aria-hidden="true">←</span> {label}
    </a>
  );
}

/** Enable/Disable, Rename, Remove for one connector; results go to the store (and the sidebar follows). */
export function ConnectorActions({ c, onMessage }: { c: ConnectorInfo; onMessage?: (m: { ok: boolean; text: string }) => void }) {
  const [busy, setBusy] = useState(false);
  const [renaming, setRenaming] = useState(false);
  const [removing, setRemoving] = useState(false);
  const say = (ok: boolean, text: string) => onMessage?.({ ok, text });
  const toggle = async () => {
    setBusy(true);
    try {
      const next = c.status === "disabled" ? "active" : "disabled";
      store.upsertConnector(await connApi.updateConnector(c.id, { status: next }));
      say(true, next === "disabled" ? `${c.name} is disabled: nothing comes in or goes out until you enable it.` : `${c.name} is enabled again.`);
    } catch (e) {
      say(false, errText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="cn-actions">
      {busy && <Spinner />}
      <button type="button" class="ui-btn sm" onClick={toggle} disabled={busy} aria-label={`${c.status === "disabled" ? "Enable" : "Disable"} ${c.name}`}>
        {c.status === "disabled" ? "Enable" : "Disable"}
      </button>
      <button type="button" class="ui-btn sm" onClick={() => setRenaming(true)} aria-label={`Rename ${c.name}`}>Rename</button>
      <button type="button" class="ui-btn sm danger" onClick={() => setRemoving(true)} aria-label={`Remove ${c.name}`}>Remove</button>
      {renaming && <RenameDialog c={c} onClose={() => setRenaming(false)} onDone={(name) => say(true, `Renamed to ${name}.`)} />}
      {removing && (
        <ConfirmDialog
          title={`Remove ${c.name}?`}
          confirmLabel="Remove connector"
          onClose={() => setRemoving(false)}
          onConfirm={async () => {
            await connApi.deleteConnector(c.id);
            store.connectorDeleted(c.id);
            say(true, `${c.name} was removed.`);
            if (location.pathname !== "/settings/connectors") navigate("/settings/connectors");
          }}
        >
          <p style={{ margin: 0 }}>
            {typeLabel[c.type] ?? c.type} messages stop arriving and replies written in Relay stop going out. The channels and
            their history stay. {c.type === "line" && c.model === "own" ? "Remove the webhook URL in the LINE console too." : ""}
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}

function RenameDialog({ c, onClose, onDone }: { c: ConnectorInfo; onClose: () => void; onDone: (name: string) => void }) {
  const [name, setName] = useState(c.name);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const save = async (e: Event) => {
    e.preventDefault();
    const n = name.trim();
    if (!n) return setError("Give it a name.");
    setBusy(true);
    setError(null);
    try {
      store.upsertConnector(await connApi.updateConnector(c.id, { name: n }));
      onDone(n);
      onClose();
    } catch (err) {
      setError(errText(err));
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={`Rename ${c.name}`}
      onClose={onClose}
      size="narrow"
      footer={
        <>
          <button type="button" class="ui-btn" onClick={onClose}>Cancel</button>
          <button type="submit" form="cn-rename" class="ui-btn primary" disabled={busy}>{busy && <Spinner />}Save</button>
        </>
      }
    >
      <form id="cn-rename" class="ui-form" onSubmit={save} data-testid="connector-rename">
        <div class="ui-field">
          <label class="ui-label" for="cn-rename-name">Name</label>
          <input id="cn-rename-name" class="ui-input" name="name" maxLength={80} value={name} onInput={(e) => setName(e.currentTarget.value)} />
          <p class="ui-hint">Shown in the sidebar and on this page; customers never see it.</p>
        </div>
        {error && <Alert kind="error">{error}</Alert>}
      </form>
    </Dialog>
  );
}
