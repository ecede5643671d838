// Browse channels: every public channel (and the private ones you are in), searchable; join or open.
import { useEffect, useMemo, useState } from "preact/hooks";
import { Icon } from "../chat/Icons";
import { browseChannels, joinChannel, openChannel } from "../lib/actions";
import { store } from "../lib/store";
import type { Channel, ID } from "../lib/types";
import { Alert, Dialog, errText, Loading, Spinner } from "./kit";
import { fuzzy } from "./fuzzy";
import { Highlight } from "./Highlight";
import "../styles/dialogs.css";

export function BrowseChannelsDialog({ onClose }: { onClose: () => void }) {
  const [list, setList] = useState<Channel[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [q, setQ] = useState("");
  const [filter, setFilter] = useState<"all" | "joined" | "other">("all");
  const [joining, setJoining] = useState<ID | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = () => {
    setLoadError(null);
    browseChannels().then(setList, (e) => {
      setLoadError(errText(e));
      setList([]);
    });
  };
  useEffect(load, []);

  const shown = useMemo(() => {
    const all = (list ?? []).filter((c) => !c.archived && (c.kind === "public" || c.kind === "private"));
    const f = all.filter((c) => (filter === "joined" ? c.is_member : filter === "other" ? !c.is_member : true));
    return f
      .map((c) => ({ c, m: fuzzy(q, c.name) ?? (q && (c.purpose + " " + c.topic).toLowerCase().includes(q.toLowerCase()) ? { score: -1000, indices: [] } : null) }))
      .filter((x): x is { c: Channel; m: { score: number; indices: number[] } } => !!x.m)
      .sort((a, b) => (q ? b.m.score - a.m.score : 0) || a.c.name.localeCompare(b.c.name));
  }, [list, q, filter]);

  const open = async (c: Channel) => {
    setError(null);
    if (!c.is_member) {
      setJoining(c.id);
      try {
        await joinChannel(c.id);
      } catch (e) {
        setError(errText(e));
        setJoining(null);
        return;
      }
    }
    onClose();
    openChannel(c.id);
  };

  return (
    <Dialog title="Browse channels" onClose={onClose} size="wide" flush testid="browse-channels-dialog">
      <div class="dg-pad">
        <div class="dg-search">
          <span class="dg-search-ico" aria-hidden="true"><Icon name="search" size={16} /></span>
          <input type="search" placeholder="Search by channel name or description" aria-label="Search channels" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
        </div>
        <div class="ui-row" style={{ marginTop: "10px" }}>
          <label class="ui-small ui-muted" for="dg-browse-filter">Show</label>
          <select id="dg-browse-filter" class="ui-select" style={{ width: "auto", minHeight: "32px", padding: "3px 28px 3px 8px", fontSize: "14px" }} value={filter} onChange={(e) => setFilter(e.currentTarget.value as typeof filter)}>
            <option value="all">All channels</option>
            <option value="joined">Channels you're in</option>
            <option value="other">Channels you're not in</option>
          </select>
          <span class="ui-spacer" />
          {list && <span class="ui-small ui-muted" aria-live="polite">{shown.length} {shown.length === 1 ? "channel" : "channels"}</span>}
        </div>
        {error && <div style={{ marginTop: "10px" }}><Alert kind="error">{error}</Alert></div>}
      </div>
      <div class="dg-scroll">
        {!list ? (
          <Loading label="Loading channels…" />
        ) : loadError ? (
          <div class="dg-pad" style={{ paddingTop: "16px" }}>
            <Alert kind="error">{loadError} <button class="ui-link" onClick={load}>Try again</button></Alert>
          </div>
        ) : shown.length === 0 ? (
          <div class="ui-empty">
            <strong>{q ? `No channels match “${q}”` : "No channels here yet"}</strong>
            <p style={{ margin: "4px 0 12px" }}>{q ? "Try another name, or start a new channel." : "Start the first one."}</p>
            <button class="ui-btn primary" onClick={() => store.openDialog({ kind: "create-channel" })}>Create a channel</button>
          </div>
        ) : (
          <ul class="dg-list" data-testid="browse-channels" aria-label="Channels">
            {shown.map(({ c, m }) => (
              <li key={c.id} class="dg-row">
                <span class="dg-hash" aria-hidden="true">{c.kind === "private" ? <Icon name="lock" size={15} /> : "#"}</span>
                <span class="dg-main">
                  <span class="dg-title"><Highlight text={c.name} indices={m.indices} /></span>
                  <span class="dg-meta">
                    {c.is_member && <span class="ui-pill ok" style={{ marginRight: "6px" }}>✓ Joined</span>}
                    {c.member_count} {c.member_count === 1 ? "member" : "members"}
                    {(c.purpose || c.topic) && <> · {c.purpose || c.topic}</>}
                  </span>
                </span>
                <span class="dg-end">
                  {c.is_member ? (
                    <button class="ui-btn sm" onClick={() => void open(c)} aria-label={`Open #${c.name}`}>Open</button>
                  ) : (
                    <button class="ui-btn sm primary" onClick={() => void open(c)} disabled={joining === c.id} aria-label={`Join #${c.name}`}>
                      {joining === c.id && <Spinner />}Join
                    </button>
                  )}
                </span>
              </li>
            ))}
          </ul>
        )}
      </div>
    </Dialog>
  );
}
