// Create a channel: name (normalised as the server will store it), topic, public or private.
import { useState } from "preact/hooks";
import { Icon } from "../chat/Icons";
import { createChannel, openChannel } from "../lib/actions";
import { Alert, Dialog, errText, Spinner } from "./kit";
import "../styles/dialogs.css";

/** What the server will store: lower-case, no leading #, spaces → "-". */
export function normaliseChannelName(s: string): string {
  return s.trim().replace(/^#+/, "").toLowerCase().replace(/\s+/g, "-");
}

export function channelNameProblem(n: string): string | null {
  if (!n) return null;
  if (n.length > 80) return "At most 80 characters.";
  if (!/^[\p{L}\p{N}]/u.test(n)) return "Start with a letter or digit.";
  if (!/^[\p{L}\p{N}_-]+$/u.test(n)) return "Use letters, digits, hyphens and underscores only.";
  return null;
}

export function CreateChannelDialog({ onClose }: { onClose: () => void }) {
  const [name, setName] = useState("");
  const [topic, setTopic] = useState("");
  const [kind, setKind] = useState<"public" | "private">("public");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const norm = normaliseChannelName(name);
  const problem = channelNameProblem(norm);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!norm || problem) {
      setError(problem ?? "Give the channel a name.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const ch = await createChannel({ name: norm, kind, topic: topic.trim() || undefined });
      onClose();
      openChannel(ch.id);
    } catch (err) {
      setError(errText(err));
      setBusy(false);
    }
  };

  return (
    <Dialog
      title="Create a channel"
      onClose={onClose}
      testid="create-channel-dialog"
      subtitle="Channels are where your team talks about a topic, a project or a team."
    >
      <form class="ui-form" data-testid="create-channel" onSubmit={submit} id="dg-create-form">
        <div class="ui-field">
          <label class="ui-label" for="dg-ch-name">Name</label>
          <div class="ui-affix" data-invalid={problem ? "true" : undefined}>
            <span class="ui-affix-text pre" aria-hidden="true">{kind === "private" ? <Icon name="lock" size={15} /> : "#"}</span>
            <input
              id="dg-ch-name"
              class="ui-input"
              name="name"
              required
              maxLength={81}
              autoComplete="off"
              placeholder="e.g. plan-budget"
              value={name}
              aria-invalid={problem ? "true" : undefined}
              aria-describedby="dg-ch-name-hint"
              onInput={(e) => { setName(e.currentTarget.value); setError(null); }}
            />
            <span class="ui-affix-text post" aria-hidden="true">{Math.max(0, 80 - norm.length)}</span>
          </div>
          <p class={"ui-hint" + (problem ? " bad" : "")} id="dg-ch-name-hint">
            {problem ?? (norm && norm !== name.trim() ? <>It will be created as <strong>#{norm}</strong>.</> : "Lower-case, without spaces or periods. Keep it short.")}
          </p>
        </div>
        <div class="ui-field">
          <label class="ui-label" for="dg-ch-topic">Topic <span class="ui-optional">(optional)</span></label>
          <input id="dg-ch-topic" class="ui-input" name="topic" maxLength={250} placeholder="What's it about?" value={topic} onInput={(e) => setTopic(e.currentTarget.value)} />
        </div>
        <fieldset class="dg-choices">
          <legend class="ui-label">Visibility</legend>
          <label class="dg-choice">
            <input type="radio" name="kind" value="public" checked={kind === "public"} onChange={() => setKind("public")} />
            <div><strong># Public</strong><span>Anyone on the team can find and join it.</span></div>
          </label>
          <label class="dg-choice">
            <input type="radio" name="kind" value="private" checked={kind === "private"} onChange={() => setKind("private")} />
            <div><strong><Icon name="lock" size={15} class="dg-choice-ico" /> Private</strong><span>Only people who are added can see it.</span></div>
          </label>
        </fieldset>
        {error && <Alert kind="error">{error}</Alert>}
        <div class="ui-row" style={{ justifyContent: "flex-end" }}>
          <button type="button" class="ui-btn" onClick={onClose}>Cancel</button>
          <button type="submit" class="ui-btn primary" disabled={busy || !norm}>{busy && <Spinner />}Create channel</button>
        </div>
      </form>
    </Dialog>
  );
}
