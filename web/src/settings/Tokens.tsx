// /settings/tokens: personal API tokens for bots and scripts. The secret is shown once, at creation.
import { useEffect, useState } from "preact/hooks";
import { Icon } from "../chat/Icons";
import { api } from "../lib/api";
import { fullTime, relative } from "../lib/format";
import type { APIToken } from "../lib/types";
import { Alert, ConfirmDialog, CopyField, errText, Loading, Spinner } from "../dialogs/kit";

export function Tokens() {
  const [tokens, setTokens] = useState<APIToken[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<APIToken | null>(null);
  const [revoking, setRevoking] = useState<APIToken | null>(null);

  const load = () =>
    api.tokens().then(
      (t) => {
        setTokens(t);
        setLoadError(null);
      },
      (e) => {
        setLoadError(errText(e));
        setTokens((t) => t ?? []);
      },
    );
  useEffect(() => void load(), []);

  return (
    <div class="st-page">
      <h2>API tokens</h2>
      <p class="st-lead">
        Personal tokens let bots and scripts use the API as you. Send one as <code>Authorization: Bearer …</code> to this
        workspace's address. Treat them like passwords.
      </p>

      {created?.token && (
        <div class="st-secret" role="status" data-testid="new-token">
          <p><strong>Token “{created.name}” created.</strong> Copy it now — you won't be able to see it again.</p>
          <CopyField value={created.token} label="New API token" mono />
          <div><button class="ui-btn sm" onClick={() => setCreated(null)}>I've copied it</button></div>
        </div>
      )}

      <section class="st-section" aria-labelledby="st-new-token">
        <h3 id="st-new-token">Create a token</h3>
        <form
          class="ui-form"
          data-testid="create-token"
          onSubmit={async (e) => {
            e.preventDefault();
            const n = name.trim();
            if (!n) return;
            setBusy(true);
            setError(null);
            try {
              const t = await api.createToken(n);
              setCreated(t);
              setName("");
              setTokens((l) => [{ ...t, token: undefined }, ...(l ?? []).filter((x) => x.id !== t.id)]);
            } catch (err) {
              setError(errText(err));
            } finally {
              setBusy(false);
            }
          }}
        >
          <div class="st-inline">
            <div class="ui-field">
              <label class="ui-label" for="st-token-name">Name</label>
              <input id="st-token-name" class="ui-input" name="token_name" required maxLength={80} placeholder="e.g. deploy-bot" value={name} onInput={(e) => setName(e.currentTarget.value)} aria-describedby="st-token-hint" />
            </div>
            <button class="ui-btn primary" type="submit" disabled={busy || !name.trim()} style={{ minHeight: "40px" }}>{busy && <Spinner />}Create token</button>
          </div>
          <p class="ui-hint" id="st-token-hint">A name to recognise it by later, such as what uses it.</p>
          {error && <Alert kind="error">{error}</Alert>}
        </form>
      </section>

      <section class="st-section" aria-labelledby="st-token-list">
        <div class="st-list-head"><h3 id="st-token-list">Your tokens</h3>{tokens && <span class="ui-pill">{tokens.length}</span>}</div>
        {loadError && <Alert kind="error">{loadError}</Alert>}
        {!tokens ? (
          <Loading label="Loading tokens…" />
        ) : tokens.length === 0 ? (
          <div class="ui-empty"><strong>No tokens yet</strong>Create one above when a script or bot needs to talk to Relay.</div>
        ) : (
          <ul class="st-list" data-testid="token-list">
            {tokens.map((t) => (
              <li key={t.id}>
                <span class="ui-avatar" aria-hidden="true" style={{ width: "32px", height: "32px", background: "var(--ui-bg-sunken)", color: "var(--ui-muted)" }}><Icon name="key" size={16} /></span>
                <span class="st-who">
                  <span class="st-name">{t.name}</span>
                  <span class="st-sub" title={fullTime(t.created_at)}>
                    Created {relative(t.created_at)} · {t.last_used_at ? `last used ${relative(t.last_used_at)}` : "never used"}
                    {t.expires_at ? ` · expires ${new Date(t.expires_at).toLocaleDateString()}` : ""}
                  </span>
                </span>
                <button class="ui-btn sm danger" onClick={() => setRevoking(t)} aria-label={`Revoke token ${t.name}`}>Revoke</button>
              </li>
            ))}
          </ul>
        )}
      </section>

      {revoking && (
        <ConfirmDialog
          title={`Revoke “${revoking.name}”?`}
          confirmLabel="Revoke token"
          onClose={() => setRevoking(null)}
          onConfirm={async () => {
            await api.deleteToken(revoking.id);
            setTokens((l) => (l ?? []).filter((x) => x.id !== revoking.id));
            if (created?.id === revoking.id) setCreated(null);
          }}
        >
          <p style={{ margin: 0 }}>Anything using this token stops working immediately. This can't be undone.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}
