// /settings/webhooks (owners, admins): incoming webhooks (a secret URL per channel that posts into it, shown once with
// a curl example), outgoing subscriptions (URL and events; the signing secret shown once; a delivery log per
// subscription) and outgoing events that gave up (Retry).
import { useEffect, useState } from "preact/hooks";
import {
  connApi, curlExample, deliveryLine, WEBHOOK_EVENTS, webhookEventHelp, type IncomingWebhook, type WebhookDelivery, type WebhookSubscription,
} from "../../lib/connectors";
import { fullTime, relative } from "../../lib/format";
import { useStore } from "../../lib/store";
import type { Channel } from "../../lib/types";
import { Alert, ConfirmDialog, CopyField, errText, Loading, Spinner } from "../../dialogs/kit";
import { DeadDeliveries } from "./DeadDeliveries";
import "../../styles/connectors.css";

export function Webhooks() {
  return (
    <div class="st-page cn-page" data-testid="webhooks-page">
      <h2>Webhooks</h2>
      <p class="st-lead">
        Connect automation tools such as n8n, Zapier or your own scripts. Incoming webhooks post messages into a channel;
        outgoing webhooks send events to your URL, signed, with retries.
      </p>
      <Incoming />
      <Outgoing />
      <DeadDeliveries kind="webhook" />
    </div>
  );
}

const postable = (c: Channel) => (c.kind === "public" || c.kind === "private" || c.kind === "external") && !c.archived;

function Incoming() {
  const channels = useStore((s) => s.channels);
  const options = Object.values(channels).filter(postable).sort((a, b) => a.name.localeCompare(b.name));
  const general = options.find((c) => c.name === "general");
  const [channelId, setChannelId] = useState<string>("");
  const chosen = channelId || general?.id || options[0]?.id || "";
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<IncomingWebhook | null>(null);
  const [list, setList] = useState<IncomingWebhook[] | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<IncomingWebhook | null>(null);

  const load = (id: string) => {
    if (!id) return;
    setList(null);
    connApi.incomingWebhooks(id).then(
      (l) => {
        setList(l);
        setListError(null);
      },
      (e) => {
        setList([]);
        setListError(errText(e));
      },
    );
  };
  useEffect(() => load(chosen), [chosen]);
  const chName = channels[chosen]?.name ?? "";

  return (
    <section class="st-section" aria-labelledby="wh-in" data-testid="incoming-webhooks">
      <h3 id="wh-in">Incoming webhooks</h3>
      <p class="st-desc">A secret URL that posts into one channel. Anyone with the URL can post, so keep it like a password.</p>
      <form
        class="ui-form"
        data-testid="incoming-webhook"
        onSubmit={async (e) => {
          e.preventDefault();
          const n = name.trim();
          if (!chosen) return setError("Pick a channel.");
          if (!n) return setError("Give the webhook a name: it is shown as the author of its posts.");
          setBusy(true);
          setError(null);
          try {
            const h = await connApi.createIncomingWebhook(chosen, n);
            setCreated(h);
            setName("");
            load(chosen);
          } catch (err) {
            setError(errText(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        <div class="st-inline">
          <div class="ui-field" style={{ flex: "0 1 220px" }}>
            <label class="ui-label" for="wh-in-channel">Channel</label>
            <select id="wh-in-channel" class="ui-select" name="channel_id" value={chosen} onChange={(e) => { setChannelId(e.currentTarget.value); setCreated(null); }}>
              {options.map((c) => <option key={c.id} value={c.id}>{c.kind === "private" ? `${c.name} (private)` : `#${c.name}`}</option>)}
            </select>
          </div>
          <div class="ui-field">
            <label class="ui-label" for="wh-in-name">Name</label>
            <input id="wh-in-name" class="ui-input" name="name" maxLength={80} placeholder="Deploy bot" value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </div>
          <button class="ui-btn primary" type="submit" disabled={busy} style={{ minHeight: "40px" }}>{busy && <Spinner />}Create URL</button>
        </div>
        {error && <Alert kind="error">{error}</Alert>}
      </form>

      {created?.url && (
        <div class="st-secret cn-gap" role="status" data-testid="incoming-webhook-created">
          <p><strong>“{created.name}” posts into #{channels[created.channel_id]?.name ?? chName}.</strong> Copy the URL now — it is shown only this once.</p>
          <CopyField value={created.url} label="Incoming webhook URL" testid="incoming-webhook-url" mono />
          <p>Try it:</p>
          <pre class="cn-code" data-testid="incoming-webhook-curl">{curlExample(created.url)}</pre>
          <p class="ui-hint">
            Body: <code>text</code> (required), optional <code>username</code> and <code>avatar_url</code>. Send an
            <code> Idempotency-Key</code> header to make retries safe.
          </p>
          <div><button type="button" class="ui-btn sm" onClick={() => setCreated(null)}>I've copied it</button></div>
        </div>
      )}

      <div class="st-list-head cn-subhead">
        <h4 class="cn-h4">Posting into #{chName}</h4>
        {list && <span class="ui-pill">{list.length}</span>}
      </div>
      {listError && <Alert kind="error">{listError}</Alert>}
      {list === null ? (
        <Loading label="Loading…" />
      ) : list.length === 0 ? (
        !listError && <p class="cn-none">No incoming webhooks for this channel yet.</p>
      ) : (
        <ul class="st-list" data-testid="incoming-list">
          {list.map((h) => (
            <li key={h.id} data-testid="incoming-row" data-id={h.id}>
              <span class="cn-mini-mark" aria-hidden="true">↘</span>
              <span class="st-who">
                <span class="st-name">{h.name}</span>
                <span class="st-sub">created <time dateTime={h.created_at} title={fullTime(h.created_at)}>{relative(h.created_at)}</time></span>
              </span>
              <button type="button" class="ui-btn sm danger" onClick={() => setRevoking(h)} aria-label={`Delete the incoming webhook ${h.name}`}>Delete</button>
            </li>
          ))}
        </ul>
      )}
      {revoking && (
        <ConfirmDialog
          title={`Delete “${revoking.name}”?`}
          confirmLabel="Delete webhook"
          onClose={() => setRevoking(null)}
          onConfirm={async () => {
            await connApi.deleteIncomingWebhook(revoking.id);
            setList((l) => (l ?? []).filter((x) => x.id !== revoking.id));
            if (created?.id === revoking.id) setCreated(null);
          }}
        >
          <p style={{ margin: 0 }}>Its URL stops working at once; anything still posting to it gets a 404. Messages it posted stay.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}

function Outgoing() {
  const [list, setList] = useState<WebhookSubscription[] | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState<string[]>(["message.created"]);
  const [description, setDescription] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<WebhookSubscription | null>(null);
  const [removing, setRemoving] = useState<WebhookSubscription | null>(null);
  const load = () =>
    connApi.webhooks().then(
      (l) => {
        setList(l);
        setListError(null);
      },
      (e) => {
        setList((x) => x ?? []);
        setListError(errText(e));
      },
    );
  useEffect(() => void load(), []);

  return (
    <section class="st-section" aria-labelledby="wh-out" data-testid="outgoing-webhooks">
      <h3 id="wh-out">Outgoing webhooks</h3>
      <p class="st-desc">
        Relay POSTs JSON to your URL when something happens, signed with HMAC-SHA256 in <code>Relay-Webhook-Signature</code>{" "}
        (over <code>timestamp.body</code>; refuse timestamps older than 5 minutes). Failed deliveries are retried with backoff.
      </p>
      <form
        class="ui-form"
        data-testid="outgoing-webhook"
        onSubmit={async (e) => {
          e.preventDefault();
          const u = url.trim();
          if (!/^https?:\/\//i.test(u)) return setError("The URL must start with https:// (or http://).");
          if (!events.length) return setError("Pick at least one event.");
          setBusy(true);
          setError(null);
          try {
            const s = await connApi.createWebhook({ url: u, events, description: description.trim() || undefined });
            setCreated(s);
            setUrl("");
            setDescription("");
            void load();
          } catch (err) {
            setError(errText(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        <div class="ui-field">
          <label class="ui-label" for="wh-out-url">URL</label>
          <input id="wh-out-url" class="ui-input mono" name="url" type="url" placeholder="https://n8n.example.com/webhook/…" value={url} onInput={(e) => setUrl(e.currentTarget.value)} />
        </div>
        <fieldset class="cn-events">
          <legend class="ui-label">Events</legend>
          {WEBHOOK_EVENTS.map((ev) => (
            <label class="ui-check" key={ev}>
              <input
                type="checkbox"
                name="events"
                value={ev}
                checked={events.includes(ev)}
                onChange={(e) => setEvents(e.currentTarget.checked ? [...events, ev] : events.filter((x) => x !== ev))}
              />
              <span><code>{ev}</code> <span class="ui-muted">— {webhookEventHelp[ev]}</span></span>
            </label>
          ))}
        </fieldset>
        <div class="ui-field">
          <label class="ui-label" for="wh-out-desc">Description <span class="ui-optional">(optional)</span></label>
          <input id="wh-out-desc" class="ui-input" name="description" maxLength={200} placeholder="n8n: new tickets to the on-call sheet" value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
        </div>
        {error && <Alert kind="error">{error}</Alert>}
        <div class="st-actions"><button class="ui-btn primary" type="submit" disabled={busy}>{busy && <Spinner />}Add webhook</button></div>
      </form>

      {created?.secret && (
        <div class="st-secret cn-gap" role="status" data-testid="webhook-created">
          <p><strong>Webhook added.</strong> Copy its signing secret now — it is shown only this once. Use it to check <code>Relay-Webhook-Signature</code>.</p>
          <CopyField value={created.secret} label="Signing secret" testid="webhook-secret" mono />
          <div><button type="button" class="ui-btn sm" onClick={() => setCreated(null)}>I've copied it</button></div>
        </div>
      )}

      <div class="st-list-head cn-subhead">
        <h4 class="cn-h4">Subscriptions</h4>
        {list && <span class="ui-pill">{list.length}</span>}
      </div>
      {listError && <Alert kind="error">{listError}</Alert>}
      {list === null ? (
        <Loading label="Loading…" />
      ) : list.length === 0 ? (
        !listError && <p class="cn-none">No outgoing webhooks yet.</p>
      ) : (
        <ul class="cn-subs" data-testid="webhook-list">
          {list.map((s) => <Subscription key={s.id} s={s} onRemove={() => setRemoving(s)} />)}
        </ul>
      )}
      {removing && (
        <ConfirmDialog
          title="Remove this webhook?"
          confirmLabel="Remove webhook"
          onClose={() => setRemoving(null)}
          onConfirm={async () => {
            await connApi.deleteWebhook(removing.id);
            setList((l) => (l ?? []).filter((x) => x.id !== removing.id));
          }}
        >
          <p style={{ margin: 0 }}>
            <span class="cn-mono cn-wrap">{removing.url}</span> stops getting events, including deliveries still waiting, and its
            delivery log is deleted.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}

function Subscription({ s, onRemove }: { s: WebhookSubscription; onRemove: () => void }) {
  const [open, setOpen] = useState(false);
  const [log, setLog] = useState<WebhookDelivery[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = () =>
    connApi.webhookDeliveries(s.id, 50).then(
      (l) => {
        setLog(l);
        setError(null);
      },
      (e) => {
        setLog((x) => x ?? []);
        setError(errText(e));
      },
    );
  useEffect(() => {
    if (open) void load();
  }, [open]);
  return (
    <li class="cn-sub" data-testid="webhook-row" data-id={s.id}>
      <div class="cn-sub-head">
        <span class="cn-mini-mark out" aria-hidden="true">↗</span>
        <span class="st-who">
          <span class="cn-mono cn-wrap cn-sub-url">{s.url}</span>
          {s.description && <span class="st-sub">{s.description}</span>}
          <span class="cn-pills">{s.events.map((e) => <span class="ui-pill accent" key={e}>{e}</span>)}</span>
        </span>
        <div class="cn-actions">
          <button type="button" class="ui-btn sm" aria-expanded={open} onClick={() => setOpen(!open)} data-testid="webhook-log-toggle">
            {open ? "Hide log" : "Delivery log"}
          </button>
          <button type="button" class="ui-btn sm danger" onClick={onRemove} aria-label={`Remove the webhook to ${s.url}`}>Remove</button>
        </div>
      </div>
      {open && (
        <div class="cn-log" data-testid="webhook-log">
          {error && <Alert kind="error">{error}</Alert>}
          {log === null ? (
            <Loading label="Loading the log…" />
          ) : log.length === 0 ? (
            !error && <p class="cn-none">No deliveries yet. They show here as events happen.</p>
          ) : (
            <div class="cn-table-wrap">
              <table class="cn-table">
                <thead>
                  <tr><th scope="col">Status</th><th scope="col">Event</th><th scope="col">Response</th><th scope="col">Attempt</th><th scope="col">Time</th></tr>
                </thead>
                <tbody>
                  {log.map((d) => (
                    <tr key={d.id} data-testid="delivery-row" data-ok={d.ok ? "true" : "false"}>
                      <td><span class={"cn-result " + (d.ok ? "ok" : "bad")}>{d.ok ? "✓ Delivered" : "✕ Failed"}</span></td>
                      <td><code>{d.event}</code></td>
                      <td>
                        {deliveryLine(d)}
                        {d.error && <span class="cn-log-error">{d.error}</span>}
                      </td>
                      <td>{d.attempt}</td>
                      <td><time dateTime={d.created_at} title={fullTime(d.created_at)}>{relative(d.created_at)}</time></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <button type="button" class="ui-btn sm ghost" onClick={() => void load()}>Refresh</button>
        </div>
      )}
    </li>
  );
}
