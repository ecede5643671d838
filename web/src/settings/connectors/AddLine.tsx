// /settings/connectors/add/line: your own LINE bot (channel id, secret and access token) or Relay's shared bot (a
// join code). Creation goes to the connector's page, which shows the webhook URL or the QR code and join code.
import { useState } from "preact/hooks";
import { connApi, refusedField } from "../../lib/connectors";
import { navigate } from "../../lib/router";
import { store } from "../../lib/store";
import { Alert, errText, Spinner } from "../../dialogs/kit";
import { BackLink, OperatorSetup, TypeMark, useOffer } from "./common";

type Model = "own" | "shared";

const channelIdOK = (v: string) => /^[0-9]{6,20}$/.test(v);
const secretOK = (v: string) => /^[0-9a-fA-F]{32}$/.test(v);
const tokenOK = (v: string) => /^[A-Za-z0-9+/=._-]{20,1000}$/.test(v);

export function AddLine() {
  const [model, setModel] = useState<Model>("own");
  const [name, setName] = useState("");
  const [channelId, setChannelId] = useState("");
  const [secret, setSecret] = useState("");
  const [token, setToken] = useState("");
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // Relay's shared bot is offered only when this server has one.
  const offer = useOffer();
  const shared = !!offer?.lineShared;

  const problems =
    model === "own"
      ? [
          !channelIdOK(channelId.trim()) && "channel_id",
          !secretOK(secret.trim()) && "channel_secret",
          !tokenOK(token.trim()) && "access_token",
        ].filter(Boolean)
      : [];
  // The server names the field it refused (LINE refused the token: "access_token was refused by LINE…").
  const refused = refusedField(error);
  const bad = (f: string) => (touched && problems.includes(f)) || refused === f;

  const submit = async (e: Event) => {
    e.preventDefault();
    setTouched(true);
    if (problems.length) return;
    setBusy(true);
    setError(null);
    try {
      const c = await connApi.createConnector(
        model === "own"
          ? { type: "line", model: "own", name: name.trim() || undefined, channel_id: channelId.trim(), channel_secret: secret.trim(), access_token: token.trim() }
          : { type: "line", model: "shared", name: name.trim() || undefined },
      );
      store.upsertConnector(c);
      navigate(`/settings/connectors/${c.id}?created=1`);
    } catch (err) {
      setError(errText(err));
      setBusy(false);
    }
  };

  return (
    <div class="st-page cn-page" data-testid="add-line-page">
      <BackLink />
      <div class="cn-title">
        <TypeMark type="line" size={44} />
        <div>
          <h2>Add LINE</h2>
          <p class="st-lead">People who message the LINE account land in their own channel here; your replies go back to them on LINE.</p>
        </div>
      </div>

      <form class="ui-form" onSubmit={submit} data-testid={model === "own" ? "line-own" : "line-shared"} noValidate>
        {shared && <fieldset class="cn-models" aria-label="Which LINE bot">
          <label class="cn-model">
            <input type="radio" name="model" value="own" checked={model === "own"} onChange={() => { setModel("own"); setError(null); }} data-testid="line-model-own" />
            <span>
              <strong>Your own LINE bot</strong>
              <span class="cn-choice-sub">Your company's LINE Official Account. You enter its Messaging API credentials once; customers keep talking to your account.</span>
            </span>
          </label>
          <label class="cn-model">
            <input type="radio" name="model" value="shared" checked={model === "shared"} onChange={() => { setModel("shared"); setError(null); }} data-testid="line-model-shared" />
            <span>
              <strong>Relay's shared LINE bot</strong>
              <span class="cn-choice-sub">Nothing to set up. Customers add Relay's bot and send your join code (a QR code does it for them).</span>
            </span>
          </label>
        </fieldset>}
        <OperatorSetup offer={offer} only="Relay's shared LINE bot" />

        <section class="st-section cn-form-section">
          <div class="ui-field">
            <label class="ui-label" for="ln-name">Name <span class="ui-optional">(optional)</span></label>
            <input id="ln-name" class="ui-input" name="name" maxLength={80} placeholder={model === "own" ? "LINE · Support" : "LINE"} value={name} onInput={(e) => setName(e.currentTarget.value)} />
            <p class="ui-hint">For you: shown in the sidebar and here.</p>
          </div>
          {model === "own" && (
            <>
              <p class="cn-where">
                Find these in the <strong>LINE Developers console</strong> → your provider → your <strong>Messaging API</strong> channel.
              </p>
              <div class="ui-field">
                <label class="ui-label" for="ln-channel-id">Channel ID</label>
                <input id="ln-channel-id" class="ui-input mono" name="channel_id" inputMode="numeric" autoComplete="off" placeholder="1234567890"
                  value={channelId} onInput={(e) => setChannelId(e.currentTarget.value)} aria-invalid={bad("channel_id")} aria-describedby="ln-channel-id-hint" />
                <p id="ln-channel-id-hint" class={"ui-hint" + (bad("channel_id") ? " bad" : "")}>
                  {bad("channel_id") ? "The channel ID is a number of 6 to 20 digits." : "“Basic settings” tab, a number."}
                </p>
              </div>
              <div class="ui-field">
                <label class="ui-label" for="ln-secret">Channel secret</label>
                <input id="ln-secret" class="ui-input mono" name="channel_secret" autoComplete="off" spellcheck={false} placeholder="32 characters, 0–9 and a–f"
                  value={secret} onInput={(e) => setSecret(e.currentTarget.value)} aria-invalid={bad("channel_secret")} aria-describedby="ln-secret-hint" />
                <p id="ln-secret-hint" class={"ui-hint" + (bad("channel_secret") ? " bad" : "")}>
                  {bad("channel_secret") ? "The channel secret is 32 characters of 0–9 and a–f." : "“Basic settings” tab. Relay keeps it encrypted and never shows it again."}
                </p>
              </div>
              <div class="ui-field">
                <label class="ui-label" for="ln-token">Channel access token (long-lived)</label>
                <textarea id="ln-token" class="ui-textarea mono" name="access_token" rows={3} autoComplete="off" spellcheck={false}
                  value={token} onInput={(e) => { setToken(e.currentTarget.value); if (refused === "access_token") setError(null); }} aria-invalid={bad("access_token")} aria-describedby="ln-token-hint" />
                <p id="ln-token-hint" class={"ui-hint" + (bad("access_token") ? " bad" : "")}>
                  {refused === "access_token"
                    ? "LINE refused this token. Copy it again; if it was reissued, the old one no longer works."
                    : bad("access_token") ? "Paste the whole long-lived token (at least 20 characters)." : "“Messaging API” tab → Channel access token → Issue. Relay checks it with LINE."}
                </p>
              </div>
            </>
          )}
          {error && <Alert kind="error">{error}</Alert>}
          <div class="st-actions">
            <button class="ui-btn primary" type="submit" disabled={busy}>{busy && <Spinner />}{model === "own" ? (busy ? "Checking with LINE…" : "Connect LINE bot") : "Create join code"}</button>
            <button class="ui-btn ghost" type="button" onClick={() => navigate("/settings/connectors")}>Cancel</button>
          </div>
        </section>
      </form>
    </div>
  );
}
