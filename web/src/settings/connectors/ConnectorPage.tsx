// /settings/connectors/{id}: one connector and what connects it to the outside — the webhook URL and the LINE console
// steps (own LINE bot), the QR code, join link and join code (shared LINE bot), the invite and then the channel
// selection (Discord). The Discord OAuth callback comes back here.
import { useEffect, useRef, useState } from "preact/hooks";
import { connApi, conversationsLabel, describeConnector, refusedField, type ConnectorInfo } from "../../lib/connectors";
import { useSearch } from "../../lib/router";
import { store, useStore } from "../../lib/store";
import { Alert, CopyField, Dialog, errText, Loading, Spinner } from "../../dialogs/kit";
import { BackLink, ConnectorActions, LastError, StatusBadge, TypeMark } from "./common";
import { DiscordChannels } from "./DiscordChannels";

export function ConnectorPage({ id }: { id: string }) {
  const c = useStore((s) => s.connectors?.[id]);
  const [error, setError] = useState<string | null>(null);
  const [gone, setGone] = useState(false);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const search = useSearch();
  const created = new URLSearchParams(search).get("created") === "1";
  const load = async () => {
    try {
      store.upsertConnector(await connApi.connector(id));
      setError(null);
    } catch (e) {
      if ((e as { status?: number }).status === 404) setGone(true);
      else setError(errText(e));
    }
  };
  useEffect(() => {
    setGone(false);
    void load();
  }, [id]);

  // Discord waits for the bot to join a server: the connector:updated event says so (its summary has no guild,
  // so fetch the whole view), and a slow poll covers a missed event or a refused topic.
  const waiting = !!c && c.type === "discord" && !c.external_id;
  const lastSeen = useRef<string>("");
  useEffect(() => {
    if (!c) return;
    const sig = `${c.status}|${c.name}|${c.last_error ?? ""}`;
    if (lastSeen.current && lastSeen.current !== sig && waiting) void load();
    lastSeen.current = sig;
  }, [c?.status, c?.name, c?.last_error]);
  useEffect(() => {
    if (!waiting) return;
    const t = setInterval(() => void load(), 4000);
    const onFocus = () => void load();
    window.addEventListener("focus", onFocus);
    return () => {
      clearInterval(t);
      window.removeEventListener("focus", onFocus);
    };
  }, [waiting, id]);

  useEffect(() => {
    if (c) document.title = `${c.name} · Connectors · ${store.get().workspace?.name ?? "Relay"}`;
  }, [c?.name]);

  if (gone) {
    return (
      <div class="st-page cn-page">
        <BackLink />
        <div class="ui-empty"><strong>This connector does not exist</strong>It may have been removed.</div>
      </div>
    );
  }
  if (!c || !c.created_at) return <div class="st-page cn-page"><BackLink />{error ? <Alert kind="error">{error}</Alert> : <Loading label="Loading connector…" />}</div>;

  return (
    <div class="st-page cn-page" data-testid="connector-page" data-connector-id={c.id} data-status={c.status} data-type={c.type}>
      <BackLink />
      <div class="cn-title">
        <TypeMark type={c.type} size={44} />
        <div class="cn-title-text">
          <h2>{c.name}</h2>
          <p class="cn-title-sub">
            <StatusBadge c={c} /> <span aria-hidden="true">·</span> {describeConnector(c)} <span aria-hidden="true">·</span>{" "}
            {conversationsLabel(c)}
          </p>
        </div>
      </div>
      <ConnectorActions c={c} onMessage={setMsg} />
      {created && <div class="cn-gap"><Alert kind="ok">{createdText(c)}</Alert></div>}
      {msg && <div class="cn-gap"><Alert kind={msg.ok ? "ok" : "error"}>{msg.text}</Alert></div>}
      {error && <div class="cn-gap"><Alert kind="error">{error}</Alert></div>}
      <div class="cn-gap"><LastError c={c} /></div>
      {c.status === "disabled" && <div class="cn-gap"><Alert kind="warn">This connector is disabled: nothing comes in or goes out until you enable it.</Alert></div>}

      {c.type === "line" && c.model !== "shared" && <LineOwnSetup c={c} />}
      {c.type === "line" && c.model === "shared" && <LineSharedSetup c={c} />}
      {c.type === "discord" && (c.external_id ? <DiscordChannels c={c} /> : <DiscordInvite c={c} />)}
    </div>
  );
}

function createdText(c: ConnectorInfo): string {
  if (c.type === "line" && c.model === "shared") return "Your join code is ready. Share the QR code or the link below with your customers.";
  if (c.type === "line") {
    const who = c.bot?.name ? `LINE accepted the access token of “${c.bot.name}”.` : "Saved.";
    return `${who} One last step in the LINE console: paste the webhook URL below.`;
  }
  return "Created. Now add the bot to your Discord server.";
}

function LineOwnSetup({ c }: { c: ConnectorInfo }) {
  const [replacing, setReplacing] = useState(false);
  const [replaced, setReplaced] = useState(false);
  return (
    <section class="st-section" aria-labelledby="cn-webhook">
      <div class="cn-bot-row">
        {c.bot && <LineBot bot={c.bot} />}
        <button type="button" class="ui-btn sm" onClick={() => { setReplaced(false); setReplacing(true); }} data-testid="line-replace-open">Replace credentials</button>
      </div>
      {replaced && <div class="cn-gap"><Alert kind="ok">LINE accepted the new credentials.</Alert></div>}
      {replacing && <ReplaceCredentials c={c} onClose={() => setReplacing(false)} onDone={() => setReplaced(true)} />}
      <h3 id="cn-webhook">Webhook URL</h3>
      <p class="st-desc">LINE sends your customers' messages to this address. Relay checks LINE's signature on every one.</p>
      {c.webhook_url ? (
        <>
          <CopyField value={c.webhook_url} label="Webhook URL" testid="line-webhook-url" mono />
          {c.webhook_url_warning && (
            <div class="cn-gap" data-testid="webhook-url-warning"><Alert kind="warn">{c.webhook_url_warning}</Alert></div>
          )}
        </>
      ) : (
        <Alert kind="warn">The server has no public address configured, so it cannot show the webhook URL (RELAY_PUBLIC_URL).</Alert>
      )}
      <ol class="cn-steps" data-testid="line-steps">
        <li>Open the <a class="ui-link" href="https://developers.line.biz/console/" target="_blank" rel="noopener noreferrer">LINE Developers console</a> and choose your <strong>Messaging API</strong> channel{c.external_id ? <> (<span class="cn-mono">{c.external_id}</span>)</> : null}.</li>
        <li>In the <strong>Messaging API</strong> tab, under <strong>Webhook settings</strong>, paste the URL above into <strong>Webhook URL</strong> and press <strong>Update</strong>. <strong>Verify</strong> should answer “Success”.</li>
        <li>Switch on <strong>Use webhook</strong>.</li>
        <li>In <strong>LINE Official Account features</strong>, turn off <strong>Auto-reply messages</strong> and <strong>Greeting messages</strong> so customers only get your replies.</li>
      </ol>
      <p class="ui-hint">Send your account a message from LINE: it appears in a new channel in the sidebar within a second or two.</p>
    </section>
  );
}

/** Replace an own bot's channel secret and/or access token; the server checks a new token with LINE first. */
function ReplaceCredentials({ c, onClose, onDone }: { c: ConnectorInfo; onClose: () => void; onDone: () => void }) {
  const [secret, setSecret] = useState("");
  const [token, setToken] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const refused = refusedField(error);
  const save = async (e: Event) => {
    e.preventDefault();
    const s = secret.trim(), t = token.trim();
    if (!s && !t) return setError("Paste a new channel secret, a new access token, or both.");
    setBusy(true);
    setError(null);
    try {
      store.upsertConnector(await connApi.updateConnector(c.id, { ...(s ? { channel_secret: s } : {}), ...(t ? { access_token: t } : {}) }));
      onDone();
      onClose();
    } catch (err) {
      setError(errText(err));
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={`Replace the credentials of ${c.name}`}
      onClose={onClose}
      footer={
        <>
          <button type="button" class="ui-btn" onClick={onClose}>Cancel</button>
          <button type="submit" form="cn-replace" class="ui-btn primary" disabled={busy}>{busy && <Spinner />}{busy ? "Checking with LINE…" : "Save"}</button>
        </>
      }
    >
      <form id="cn-replace" class="ui-form" onSubmit={save} data-testid="line-replace" noValidate>
        <p class="ui-hint" style={{ margin: 0 }}>Leave a field empty to keep what is saved. Relay never shows saved credentials.</p>
        <div class="ui-field">
          <label class="ui-label" for="cn-replace-secret">New channel secret</label>
          <input id="cn-replace-secret" class="ui-input mono" name="channel_secret" autoComplete="off" spellcheck={false} value={secret}
            onInput={(e) => setSecret(e.currentTarget.value)} aria-invalid={refused === "channel_secret"} />
        </div>
        <div class="ui-field">
          <label class="ui-label" for="cn-replace-token">New channel access token (long-lived)</label>
          <textarea id="cn-replace-token" class="ui-textarea mono" name="access_token" rows={3} autoComplete="off" spellcheck={false} value={token}
            onInput={(e) => setToken(e.currentTarget.value)} aria-invalid={refused === "access_token"} />
          <p class="ui-hint">Relay checks a new token with LINE before saving it.</p>
        </div>
        {error && <Alert kind="error">{error}</Alert>}
      </form>
    </Dialog>
  );
}

/** The LINE account the access token belongs to, as LINE named it. */
function LineBot({ bot }: { bot: NonNullable<ConnectorInfo["bot"]> }) {
  const [broken, setBroken] = useState(false);
  return (
    <div class="cn-bot" data-testid="line-bot">
      {bot.picture_url && !broken ? (
        <img class="cn-bot-pic" src={bot.picture_url} width={40} height={40} alt="" referrerpolicy="no-referrer" onError={() => setBroken(true)} />
      ) : (
        <TypeMark type="line" size={40} />
      )}
      <span class="cn-bot-text">
        <span class="cn-bot-label">LINE account</span>
        <strong data-testid="line-bot-name">{bot.name}</strong>
        {bot.basic_id && <span class="cn-mono cn-bot-id">{bot.basic_id}</span>}
      </span>
    </div>
  );
}

function LineSharedSetup({ c }: { c: ConnectorInfo }) {
  const [qrFailed, setQrFailed] = useState(false);
  return (
    <section class="st-section" aria-labelledby="cn-join">
      <h3 id="cn-join">Invite your customers</h3>
      <p class="st-desc">A customer who scans the code (or opens the link) on their phone gets a LINE chat with Relay's bot, with the join message typed in. They press send once; from then on their messages come to you.</p>
      <div class="cn-join">
        <div class="cn-qr">
          {c.qr_png_url && !qrFailed ? (
            <img src={c.qr_png_url} width={220} height={220} alt={`QR code that opens LINE with “join ${c.join_code ?? ""}” typed in`} data-testid="line-qr" onError={() => setQrFailed(true)} />
          ) : (
            <div class="cn-qr-missing">QR code unavailable</div>
          )}
        </div>
        <div class="cn-join-text">
          <span class="cn-join-label">Join code</span>
          <span class="cn-join-code" data-testid="join-code" aria-label={`Join code ${(c.join_code ?? "").split("").join(" ")}`}>{c.join_code}</span>
          <p class="ui-hint">Customers can also add the bot themselves and send <strong class="cn-mono">join {c.join_code}</strong>. The code is not case-sensitive.</p>
          {c.join_url && (
            <>
              <span class="cn-join-label">Join link</span>
              <CopyField value={c.join_url} label="Join link" testid="join-url" mono />
              <div><a class="ui-btn sm" href={c.join_url} target="_blank" rel="noopener noreferrer">Open in LINE ↗</a></div>
            </>
          )}
        </div>
      </div>
      <ol class="cn-steps">
        <li>Print the QR code on receipts or show it at your counter; put the link on your website or in e-mails.</li>
        <li>Each customer who joins gets their own channel here, named after their LINE name.</li>
      </ol>
    </section>
  );
}

function DiscordInvite({ c }: { c: ConnectorInfo }) {
  return (
    <section class="st-section" aria-labelledby="cn-invite" data-testid="discord-invite-step">
      <h3 id="cn-invite">Add the bot to your Discord server</h3>
      <p class="st-desc">Discord opens in a new tab: choose your server and authorise. You need the “Manage Server” permission there.</p>
      {c.invite_url ? (
        <div class="cn-invite">
          <a class="ui-btn primary lg cn-discord-btn" href={c.invite_url} target="_blank" rel="noopener noreferrer" data-testid="discord-invite">
            <TypeMark type="discord" size={24} /> Add the bot to your Discord server
          </a>
          <p class="cn-waiting" role="status"><Spinner /> Waiting for Discord… this page moves on by itself once the bot is in.</p>
        </div>
      ) : (
        <Alert kind="warn">This server has no Discord bot set up, so there is no invite link. Ask the person who runs this Relay server.</Alert>
      )}
    </section>
  );
}
