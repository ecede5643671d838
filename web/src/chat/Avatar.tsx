// A person's picture, or their initials on a colour derived from their id; optional presence dot.
import type { PersonStatus } from "../lib/store";
import { hueOf, initials } from "../lib/format";

export function Avatar(p: { id: string; name: string; url?: string; size?: number; presence?: PersonStatus["presence"] }) {
  const size = p.size ?? 36;
  return (
    <span class="avatar" style={{ width: size + "px", height: size + "px" }} aria-hidden="true">
      {p.url ? (
        <img src={p.url} alt="" width={size} height={size} loading="lazy" />
      ) : (
        <span class="avatar-initials" style={{ background: `hsl(${hueOf(p.id)} 55% 42%)`, fontSize: Math.round(size * 0.4) + "px" }}>{initials(p.name)}</span>
      )}
      {p.presence && <PresenceDot presence={p.presence} />}
    </span>
  );
}

/** Presence in words (the dot's label, and the line under a DM's name). */
export const presenceLabel = { online: "Active", away: "Away", dnd: "Do not disturb", offline: "Offline" } as const;

export function PresenceDot({ presence }: { presence: PersonStatus["presence"] }) {
  return <span class="presence" data-testid="presence" data-presence={presence} title={presenceLabel[presence]} role="img" aria-label={presenceLabel[presence]} />;
}
