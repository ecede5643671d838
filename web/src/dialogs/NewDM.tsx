// New message: pick 1–7 other people (8 with you) → open the DM or group DM for that set.
import { useState } from "preact/hooks";
import { openChannel, openDM } from "../lib/actions";
import { useStore } from "../lib/store";
import type { ID } from "../lib/types";
import { Alert, Dialog, errText, Spinner } from "./kit";
import { PeoplePicker } from "./PeoplePicker";
import "../styles/dialogs.css";

export function NewDMDialog({ onClose }: { onClose: () => void }) {
  const members = useStore((s) => s.members);
  const me = useStore((s) => s.me?.user.id);
  const [picked, setPicked] = useState<ID[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const people = Object.values(members).filter((m) => m.user.id !== me && m.role !== "customer");

  const go = async () => {
    if (!picked.length || busy) return;
    setBusy(true);
    setError(null);
    try {
      const ch = await openDM(picked);
      onClose();
      openChannel(ch.id);
    } catch (e) {
      setError(errText(e));
      setBusy(false);
    }
  };

  return (
    <Dialog
      title="New message"
      onClose={onClose}
      testid="new-dm-dialog"
      subtitle="Message one person, or start a group conversation of up to 8 people."
      footer={
        <>
          <button type="button" class="ui-btn" onClick={onClose}>Cancel</button>
          <button type="button" class="ui-btn primary" disabled={!picked.length || busy} onClick={() => void go()}>
            {busy && <Spinner />}
            {picked.length > 1 ? `Start group conversation (${picked.length + 1})` : "Open conversation"}
          </button>
        </>
      }
    >
      <PeoplePicker candidates={people} picked={picked} onChange={setPicked} max={7} label="To" placeholder="Type a name or email" onSubmit={() => void go()} />
      {error && <div style={{ marginTop: "12px" }}><Alert kind="error">{error}</Alert></div>}
    </Dialog>
  );
}
