// Deliveries that gave up after their last try (GET /outbox?state=dead), with Retry: messages to LINE/Discord on the
// connectors page, events to outgoing webhooks on the webhooks page.
import { useEffect, useState } from "preact/hooks";
import { connApi, type OutboxItem } from "../../lib/connectors";
import { fullTime, relative } from "../../lib/format";
import { linkClick, messagePath } from "../../lib/router";
import { useStore } from "../../lib/store";
import { Alert, errText, Loading, Spinner } from "../../dialogs/kit";

export function DeadDeliveries({ kind }: { kind: "messages" | "webhook" }) {
  const [items, setItems] = useState<OutboxItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<number | null>(null);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const connectors = useStore((s) => s.connectors);
  const channels = useStore((s) => s.channels);
  const load = () =>
    connApi.outbox("dead", 200).then(
      (l) => {
        setItems(l.filter((it) => (kind === "webhook" ? it.kind === "webhook" : it.kind !== "webhook")));
        setError(null);
      },
      (e) => {
        setError(errText(e));
        setItems((x) => x ?? []);
      },
    );
  useEffect(() => void load(), [kind]);

  const retry = async (it: OutboxItem) => {
    setBusy(it.id);
    setMsg(null);
    try {
      await connApi.retryOutbox(it.id);
      setItems((l) => (l ?? []).filter((x) => x.id !== it.id));
      setMsg({ ok: true, text: "Trying again now. If it fails again it comes back here." });
    } catch (e) {
      setMsg({ ok: false, text: errText(e) });
    } finally {
      setBusy(null);
    }
  };

  const what = (it: OutboxItem) => {
    if (it.kind === "webhook") return <>Event <code>{it.event}</code></>;
    const ch = it.channel_id ? channels[it.channel_id] : undefined;
    const verb = it.kind === "message.update" ? "Edit of a message" : it.kind === "message.delete" ? "Deletion of a message" : "Message";
    const to = it.connector_id && connectors?.[it.connector_id]?.name;
    return (
      <>
        {verb}
        {it.channel_id && it.message_id ? (
          <> in <a class="ui-link" href={messagePath(it.channel_id, it.message_id)} onClick={linkClick}>#{ch?.name ?? "channel"}</a></>
        ) : null}
        {to ? <> to {to}</> : null}
      </>
    );
  };

  return (
    <section class="st-section" aria-labelledby={`cn-dead-${kind}`} data-testid="dead-deliveries">
      <div class="st-list-head">
        <h3 id={`cn-dead-${kind}`}>Dead deliveries</h3>
        {items && <span class={"ui-pill" + (items.length ? " danger" : "")}>{items.length}</span>}
        <button type="button" class="ui-btn sm ghost cn-right" onClick={() => void load()}>Refresh</button>
      </div>
      <p class="st-desc cn-desc">
        {kind === "webhook"
          ? "Events Relay gave up sending after its last retry. Fix the receiver, then retry."
          : "Messages Relay could not get to LINE or Discord after its last retry. Fix the cause (often the access token), then retry."}
      </p>
      {msg && <div class="cn-gap"><Alert kind={msg.ok ? "ok" : "error"}>{msg.text}</Alert></div>}
      {error && <Alert kind="error">{error}</Alert>}
      {items === null ? (
        <Loading label="Loading…" />
      ) : items.length === 0 ? (
        !error && <p class="cn-none">✓ Nothing failed. Everything was delivered or is still being tried.</p>
      ) : (
        <ul class="st-list cn-dead">
          {items.map((it) => (
            <li key={it.id} data-testid="dead-row" data-outbox-id={it.id}>
              <span class="st-who">
                <span class="st-name cn-wrap">{what(it)}</span>
                <span class="cn-dead-error">{it.last_error || "No reason recorded."}</span>
                <span class="st-sub">
                  {it.attempts} {it.attempts === 1 ? "try" : "tries"} · last <time dateTime={it.updated_at} title={fullTime(it.updated_at)}>{relative(it.updated_at)}</time>
                </span>
              </span>
              <button type="button" class="ui-btn sm" disabled={busy === it.id} onClick={() => void retry(it)} aria-label={`Retry delivery ${it.id}`}>
                {busy === it.id && <Spinner />}Retry
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
