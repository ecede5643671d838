// /settings/connectors/add/discord: creates a Discord connector (Relay's shared bot), then its page offers the invite
// and, once the bot is in a server, the channel selection.
import { useState } from "preact/hooks";
import { connApi } from "../../lib/connectors";
import { navigate } from "../../lib/router";
import { store } from "../../lib/store";
import { Alert, errText, Spinner } from "../../dialogs/kit";
import { BackLink, OperatorSetup, TypeMark, useOffer } from "./common";

export function AddDiscord() {
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const offer = useOffer();
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const c = await connApi.createConnector({ type: "discord", name: name.trim() || undefined });
      store.upsertConnector(c);
      navigate(`/settings/connectors/${c.id}?created=1`);
    } catch (err) {
      setError(errText(err));
      setBusy(false);
    }
  };
  return (
    <div class="st-page cn-page" data-testid="add-discord-page">
      <BackLink />
      <div class="cn-title">
        <TypeMark type="discord" size={44} />
        <div>
          <h2>Add Discord</h2>
          <p class="st-lead">Bridge text channels of your Discord server: messages there show up here, and replies go back under your name.</p>
        </div>
      </div>
      {offer && !offer.discord ? (
        <section class="st-section" data-testid="discord-not-offered">
          <Alert kind="warn">This server does not offer Discord: the person who runs it has not set up a Discord bot.</Alert>
          <OperatorSetup offer={offer} only="Discord" />
        </section>
      ) : (
        <section class="st-section">
          <ol class="cn-steps">
            <li><strong>Create the connector</strong> here.</li>
            <li><strong>Add Relay's bot to your Discord server</strong> — you need the “Manage Server” permission there.</li>
            <li><strong>Pick the channels</strong> to bridge, each into a new channel or one you already have.</li>
          </ol>
          <form class="ui-form" onSubmit={submit} data-testid="discord-create">
            <div class="ui-field">
              <label class="ui-label" for="dc-name">Name <span class="ui-optional">(optional)</span></label>
              <input id="dc-name" class="ui-input" name="name" maxLength={80} placeholder="Discord · Community" value={name} onInput={(e) => setName(e.currentTarget.value)} />
            </div>
            {error && <Alert kind="error">{error}</Alert>}
            <div class="st-actions">
              <button class="ui-btn primary" type="submit" disabled={busy}>{busy && <Spinner />}Create Discord connector</button>
              <button class="ui-btn ghost" type="button" onClick={() => navigate("/settings/connectors")}>Cancel</button>
            </div>
          </form>
        </section>
      )}
    </div>
  );
}
