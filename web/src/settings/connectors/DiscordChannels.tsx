// The Discord channel selection: the server's text channels grouped by category, a checkbox each and where it goes
// (a new external channel, or a Relay channel you have). Save makes the bridged set exactly the checked channels.
import { useEffect, useState } from "preact/hooks";
import {
  bridgesFrom, connApi, groupDiscordChannels, selectionFrom, type BridgeSelection, type ConnectorInfo, type DiscordChannel,
} from "../../lib/connectors";
import { store, useStore } from "../../lib/store";
import type { Channel } from "../../lib/types";
import { Alert, errText, Loading, Spinner } from "../../dialogs/kit";

export function DiscordChannels({ c }: { c: ConnectorInfo }) {
  const [list, setList] = useState<DiscordChannel[] | null>(null);
  const [sel, setSel] = useState<BridgeSelection>({});
  const [loadError, setLoadError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const channels = useStore((s) => s.channels);
  const targets = Object.values(channels)
    .filter((ch: Channel) => ch.kind !== "dm" && ch.kind !== "ticket" && !ch.archived && ch.is_member)
    .sort((a, b) => a.name.localeCompare(b.name));

  const load = async () => {
    setLoadError(null);
    try {
      const l = await connApi.discordChannels(c.id);
      setList(l);
      setSel(selectionFrom(l));
    } catch (e) {
      setLoadError(errText(e));
      setList((x) => x ?? []);
    }
  };
  useEffect(() => void load(), [c.id, c.external_id]);

  const save = async () => {
    setBusy(true);
    setMsg(null);
    try {
      const bridges = await connApi.setDiscordBridges(c.id, bridgesFrom(sel));
      setMsg({ ok: true, text: bridges.length ? `Saved: ${bridges.length} channel${bridges.length === 1 ? "" : "s"} bridged. New messages there show up here.` : "Saved: no channel is bridged." });
      await load();
      connApi.connector(c.id).then((v) => store.upsertConnector(v), () => {});
    } catch (e) {
      setMsg({ ok: false, text: errText(e) });
    } finally {
      setBusy(false);
    }
  };

  const groups = groupDiscordChannels(list ?? []);
  const bridgedBefore = new Set((list ?? []).filter((d) => d.bridged).map((d) => d.id));
  const count = Object.keys(sel).length;
  const changed = list !== null && (count !== bridgedBefore.size || Object.keys(sel).some((k) => !bridgedBefore.has(k)));
  const nameOf = (id: string | null) => (id ? channels[id]?.name ?? "a channel" : "");

  return (
    <section class="st-section" aria-labelledby="cn-dc-channels" data-testid="discord-channels">
      <div class="st-list-head">
        <h3 id="cn-dc-channels">Channels to bridge</h3>
        {list && <span class="ui-pill">{count} of {list.length}</span>}
        <button type="button" class="ui-btn sm ghost cn-right" onClick={() => void load()} aria-label="Reload the Discord channels">Reload</button>
      </div>
      <p class="st-desc cn-desc">Messages in a checked channel come into Relay; replies there go back to Discord under your name and picture.</p>
      {loadError && <Alert kind="error">{loadError}</Alert>}
      {list === null ? (
        <Loading label="Asking Discord for the server's channels…" />
      ) : list.length === 0 ? (
        !loadError && <div class="ui-empty"><strong>No text channels</strong>The bot sees no text channel in this server. Check its permissions in Discord, then reload.</div>
      ) : (
        <div class="cn-dc-groups">
          {groups.map((g) => (
            <fieldset class="cn-dc-group" key={g.category || "-"}>
              <legend>{g.category || "No category"}</legend>
              <ul>
                {g.channels.map((d) => {
                  const on = d.id in sel;
                  const was = bridgedBefore.has(d.id);
                  return (
                    <li key={d.id} class={on ? "on" : ""} data-testid="discord-channel" data-discord-id={d.id}>
                      <label class="cn-dc-check">
                        <input
                          type="checkbox"
                          checked={on}
                          onChange={(e) => {
                            const next = { ...sel };
                            if (e.currentTarget.checked) next[d.id] = d.channel_id ?? "new";
                            else delete next[d.id];
                            setSel(next);
                          }}
                        />
                        <span class="cn-dc-name"># {d.name}</span>
                      </label>
                      {on && was ? (
                        <span class="cn-dc-target" title="To move a bridge, uncheck it, save, then check it again.">→ #{nameOf(d.channel_id)}</span>
                      ) : (
                        <select
                          class="ui-select cn-dc-select"
                          aria-label={`Where #${d.name} goes`}
                          disabled={!on}
                          value={on ? sel[d.id] : "new"}
                          onChange={(e) => setSel({ ...sel, [d.id]: e.currentTarget.value })}
                        >
                          <option value="new">New channel #discord-{d.name}</option>
                          {targets.length > 0 && (
                            <optgroup label="Existing channel">
                              {targets.map((t) => <option key={t.id} value={t.id}>#{t.name}</option>)}
                            </optgroup>
                          )}
                        </select>
                      )}
                    </li>
                  );
                })}
              </ul>
            </fieldset>
          ))}
        </div>
      )}
      {msg && <div class="cn-gap"><Alert kind={msg.ok ? "ok" : "error"}>{msg.text}</Alert></div>}
      {list && list.length > 0 && (
        <div class="st-actions cn-gap">
          <button type="button" class="ui-btn primary" onClick={save} disabled={busy || !changed} data-testid="discord-save">{busy && <Spinner />}Save</button>
          {changed && <span class="ui-muted ui-small">Unsaved changes</span>}
        </div>
      )}
    </section>
  );
}
