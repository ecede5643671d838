// /settings/connectors (owners, admins): the workspace's connectors as cards (type, name, status, last error,
// conversations, actions), the ways to add one, and deliveries that gave up. Sub-routes: /settings/connectors/add/line,
// /settings/connectors/add/discord and /settings/connectors/{id} (a connector's set-up: webhook URL, join code and
// QR code, Discord invite and channel selection). Live: connector:updated / connector:deleted move the store.
import { useState } from "preact/hooks";
import { conversationsLabel, describeConnector, type ConnectorInfo } from "../lib/connectors";
import { linkClick } from "../lib/router";
import { useStore } from "../lib/store";
import { Alert, Loading } from "../dialogs/kit";
import { ConnectorActions, LastError, OperatorSetup, StatusBadge, TypeMark, useConnectorList, useOffer } from "./connectors/common";
import { AddLine } from "./connectors/AddLine";
import { AddDiscord } from "./connectors/AddDiscord";
import { ConnectorPage } from "./connectors/ConnectorPage";
import { DeadDeliveries } from "./connectors/DeadDeliveries";

export function Connectors({ sub }: { sub?: string }) {
  if (sub === "add/line") return <AddLine />;
  if (sub === "add/discord") return <AddDiscord />;
  if (sub && /^\d+$/.test(sub)) return <ConnectorPage id={sub} />;
  return <ConnectorList />;
}

function ConnectorList() {
  const { list, error } = useConnectorList();
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const wsName = useStore((s) => s.workspace?.name ?? "the workspace");
  const offer = useOffer();
  return (
    <div class="st-page cn-page" data-testid="connectors-page">
      <h2>Connectors</h2>
      <p class="st-lead">
        Bring {offer?.discord ? "LINE and Discord" : "LINE"} conversations into {wsName}. Each outside conversation gets its own channel; replies written
        there go back out.
      </p>

      <section class="st-section" aria-labelledby="cn-add">
        <h3 id="cn-add">Add a connector</h3>
        <div class="cn-choices">
          <a class="cn-choice" href="/settings/connectors/add/line" onClick={linkClick} data-testid="add-line">
            <TypeMark type="line" />
            <span>
              <strong>LINE</strong>
              <span class="cn-choice-sub">
                {offer?.lineShared ? "Customers message your LINE Official Account — or Relay's shared bot." : "Customers message your LINE Official Account."}
              </span>
            </span>
          </a>
          {offer?.discord && (
            <a class="cn-choice" href="/settings/connectors/add/discord" onClick={linkClick} data-testid="add-discord">
              <TypeMark type="discord" />
              <span>
                <strong>Discord</strong>
                <span class="cn-choice-sub">Bridge text channels of your Discord server, both ways.</span>
              </span>
            </a>
          )}
          <a class="cn-choice" href="/settings/webhooks" onClick={linkClick}>
            <TypeMark type="webhook" />
            <span>
              <strong>Webhooks</strong>
              <span class="cn-choice-sub">Automation (n8n, Zapier): post into channels, get events.</span>
            </span>
          </a>
        </div>
        <OperatorSetup offer={offer} />
      </section>

      <section class="st-section" aria-labelledby="cn-list">
        <div class="st-list-head">
          <h3 id="cn-list">Connected</h3>
          {list && <span class="ui-pill">{list.length}</span>}
        </div>
        {msg && <div class="cn-gap"><Alert kind={msg.ok ? "ok" : "error"}>{msg.text}</Alert></div>}
        {error && <Alert kind="error">{error}</Alert>}
        {!list ? (
          !error && <Loading label="Loading connectors…" />
        ) : list.length === 0 ? (
          <div class="ui-empty" data-testid="connectors-empty">
            <strong>No connectors yet</strong>
            Add {offer?.discord ? "LINE or Discord" : "LINE"} above; their conversations will show in the sidebar.
          </div>
        ) : (
          <ul class="cn-cards" data-testid="connector-list">
            {list.map((c) => <ConnectorCard key={c.id} c={c} onMessage={setMsg} />)}
          </ul>
        )}
      </section>

      <DeadDeliveries kind="messages" />
    </div>
  );
}

function ConnectorCard({ c, onMessage }: { c: ConnectorInfo; onMessage: (m: { ok: boolean; text: string }) => void }) {
  return (
    <li class={"cn-card" + (c.status === "disabled" ? " off" : "")} data-testid="connector-card" data-connector-id={c.id} data-status={c.status} data-type={c.type}>
      <div class="cn-card-main">
        <TypeMark type={c.type} />
        <div class="cn-card-text">
          <a class="cn-card-name" href={`/settings/connectors/${c.id}`} onClick={linkClick}>{c.name}</a>
          <span class="cn-card-sub">{describeConnector(c)}</span>
          <span class="cn-card-meta">
            <StatusBadge c={c} />
            <span aria-hidden="true">·</span>
            <span data-testid="connector-conversations">{conversationsLabel(c)}</span>
          </span>
        </div>
      </div>
      <LastError c={c} />
      <div class="cn-card-foot">
        <a class="ui-btn sm primary" href={`/settings/connectors/${c.id}`} onClick={linkClick}>{setupLabel(c)}</a>
        <ConnectorActions c={c} onMessage={onMessage} />
      </div>
    </li>
  );
}

function setupLabel(c: ConnectorInfo): string {
  if (c.type === "discord") return c.external_id ? "Channels" : "Finish set-up";
  if (c.type === "line" && c.model === "shared") return "Join code";
  return "Set-up";
}
