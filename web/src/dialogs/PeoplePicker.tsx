// Pick people from a searchable list: chips for the chosen, a combobox input, arrow keys + Enter to toggle,
// Backspace on an empty input drops the last chip.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { useStore } from "../lib/store";
import type { ID, Member } from "../lib/types";
import { UserAvatar } from "./kit";
import { fuzzy } from "./fuzzy";
import { Highlight } from "./Highlight";

let pickerSeq = 0;

export function PeoplePicker(p: {
  candidates: Member[];
  picked: ID[];
  onChange: (ids: ID[]) => void;
  max: number;
  label: string;
  placeholder?: string;
  /** Enter on an empty query with people picked. */
  onSubmit?: () => void;
}) {
  const presence = useStore((s) => s.presence);
  const [q, setQ] = useState("");
  const [active, setActive] = useState(0);
  const [uid] = useState(() => ++pickerSeq);
  const listRef = useRef<HTMLUListElement>(null);
  const byId = useMemo(() => new Map(p.candidates.map((m) => [m.user.id, m])), [p.candidates]);

  const rows = useMemo(() => {
    return p.candidates
      .map((m) => {
        const byName = fuzzy(q, m.user.display_name);
        const byEmail = byName ? null : fuzzy(q, m.user.email);
        const match = byName ?? (byEmail ? { score: byEmail.score - 200, indices: [] } : null);
        return match ? { m, match } : null;
      })
      .filter((x): x is { m: Member; match: { score: number; indices: number[] } } => !!x)
      .sort((a, b) => (q ? b.match.score - a.match.score : 0) || a.m.user.display_name.localeCompare(b.m.user.display_name))
      .slice(0, 50);
  }, [p.candidates, q]);

  useEffect(() => setActive(0), [q]);
  useEffect(() => {
    listRef.current?.querySelector<HTMLElement>(`[data-index="${active}"]`)?.scrollIntoView({ block: "nearest" });
  }, [active]);

  const full = p.picked.length >= p.max;
  const toggle = (id: ID) => {
    if (p.picked.includes(id)) p.onChange(p.picked.filter((x) => x !== id));
    else if (!full) {
      p.onChange([...p.picked, id]);
      setQ("");
    }
  };

  const listId = `dg-people-${uid}`;
  const optId = (i: number) => `${listId}-${i}`;

  return (
    <div class="ui-form" style={{ gap: "10px" }}>
      <label class="ui-label" for={listId + "-input"}>{p.label}</label>
      <div class="dg-chips" onMouseDown={(e) => { if (e.target === e.currentTarget) { e.preventDefault(); (e.currentTarget.querySelector("input") as HTMLInputElement | null)?.focus(); } }}>
        {p.picked.map((id) => {
          const m = byId.get(id);
          const name = m?.user.display_name ?? "Someone";
          return (
            <span class="dg-chip" key={id}>
              <UserAvatar id={id} name={name} url={m?.user.avatar_url} size={20} />
              {name}
              <button type="button" aria-label={`Remove ${name}`} onClick={() => toggle(id)}>✕</button>
            </span>
          );
        })}
        <input
          id={listId + "-input"}
          role="combobox"
          aria-expanded="true"
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={rows[active] ? optId(active) : undefined}
          autoComplete="off"
          placeholder={p.picked.length ? "Add another…" : p.placeholder ?? "Type a name or email"}
          value={q}
          onInput={(e) => setQ(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === "ArrowDown") {
              e.preventDefault();
              setActive((a) => Math.min(a + 1, rows.length - 1));
            } else if (e.key === "ArrowUp") {
              e.preventDefault();
              setActive((a) => Math.max(a - 1, 0));
            } else if (e.key === "Enter") {
              e.preventDefault();
              if (!q && p.picked.length && p.onSubmit) p.onSubmit();
              else if (rows[active]) toggle(rows[active].m.user.id);
            } else if (e.key === "Backspace" && !q && p.picked.length) {
              p.onChange(p.picked.slice(0, -1));
            }
          }}
        />
      </div>
      <p class="ui-hint" aria-live="polite">
        {full ? `That's the most people for one conversation (${p.max}).` : p.picked.length ? `${p.picked.length} selected.` : "Use ↑ ↓ and Enter to pick."}
      </p>
      <div class="dg-scroll" style={{ margin: "0 -24px", maxHeight: "min(40vh, 320px)" }}>
        {rows.length === 0 ? (
          <div class="ui-empty"><strong>No one found</strong>{q ? `Nobody matches “${q}”.` : "There's nobody else here yet — invite people from Settings → Members."}</div>
        ) : (
          <ul class="dg-list" role="listbox" id={listId} aria-label={p.label} aria-multiselectable="true" ref={listRef}>
            {rows.map(({ m, match }, i) => {
              const on = p.picked.includes(m.user.id);
              const pr = presence[m.user.id]?.presence ?? "offline";
              return (
                <li
                  key={m.user.id}
                  id={optId(i)}
                  data-index={i}
                  role="option"
                  aria-selected={on}
                  aria-disabled={!on && full}
                  class={"dg-item" + (i === active ? " active" : "")}
                  onMouseDown={(e) => e.preventDefault()}
                  onMouseEnter={() => setActive(i)}
                  onClick={() => toggle(m.user.id)}
                >
                  <span class={"dg-check" + (on ? " on" : "")} aria-hidden="true">✓</span>
                  <UserAvatar id={m.user.id} name={m.user.display_name} url={m.user.avatar_url} size={32} />
                  <span class="dg-main">
                    <span class="dg-title"><Highlight text={m.user.display_name} indices={match.indices} /></span>
                    <span class="dg-meta">{m.user.email}</span>
                  </span>
                  <span class="dg-end">
                    <span class="dg-dot" data-presence={pr} title={pr === "dnd" ? "Do not disturb" : pr[0].toUpperCase() + pr.slice(1)} />
                  </span>
                </li>
              );
            })}
          </ul>
        )}
      </div>
    </div>
  );
}
