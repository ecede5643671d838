// First-run guidance: an owner or admin who opens a brand-new workspace (only themselves and #general) gets a short
// checklist in #general — invite people, create a channel, set the branding. Each step is a link or a button that
// does it, ticks itself off when done, and the card is gone once all three are done or it is dismissed (remembered
// per workspace in this browser). When it starts and what counts as done: lib/firstrun.ts.
import { useEffect, useState } from "preact/hooks";
import { api } from "../lib/api";
import { brandingDone, firstRunMode, otherChannels, otherMembers, setFirstRunMode } from "../lib/firstrun";
import { linkClick } from "../lib/router";
import { store, useStore } from "../lib/store";

export function FirstRun() {
  const me = useStore((s) => s.me);
  const ws = useStore((s) => s.workspace);
  const others = useStore(otherMembers);
  const rooms = useStore(otherChannels);
  const admin = me?.membership.role === "owner" || me?.membership.role === "admin";
  const [dismissed, setDismissed] = useState(false);
  const mode = dismissed ? "off" : ws ? firstRunMode(ws.id) : null;
  const [invited, setInvited] = useState(false);

  const steps = {
    invite: others > 0 || invited,
    channel: rooms > 0,
    branding: !!ws && brandingDone(ws),
  };
  const allDone = steps.invite && steps.channel && steps.branding;

  // An invitation sent (not yet accepted) counts as people invited.
  useEffect(() => {
    if (mode !== "on" || !admin) return;
    api.invites().then((list) => setInvited(list.some((i) => !i.expired || !!i.accepted_at)), () => {});
  }, [mode, admin]);
  useEffect(() => {
    if (ws && mode === "on" && allDone) setFirstRunMode(ws.id, "off");
  }, [mode, allDone]);

  if (!ws || !admin || mode !== "on" || allDone) return null;
  const dismiss = () => {
    setFirstRunMode(ws.id, "off");
    setDismissed(true);
  };
  const left = Object.values(steps).filter((d) => !d).length;
  return (
    <section class="first-run" data-testid="first-run" aria-label="Get started">
      <header class="first-run-head">
        <h3>Get {ws.name} ready</h3>
        <span class="muted small">{left} of 3 left</span>
        <button class="link-btn first-run-dismiss" onClick={dismiss} data-testid="first-run-dismiss">Dismiss</button>
      </header>
      <ol class="first-run-steps">
        <Step done={steps.invite} name="invite" title="Invite your team" text="Send an invitation link by email address, with the role they get.">
          <a class="btn small" href="/settings/members" onClick={linkClick}>Invite people</a>
        </Step>
        <Step done={steps.channel} name="channel" title="Create a channel" text="One per team, project or topic, public or private.">
          <button class="btn small" onClick={() => store.openDialog({ kind: "create-channel" })}>Create a channel</button>
        </Step>
        <Step done={steps.branding} name="branding" title="Set your branding" text="Your name, logo and colours on every page, the login page included.">
          <a class="btn small" href="/settings/branding" onClick={linkClick}>Set branding</a>
        </Step>
      </ol>
    </section>
  );
}

function Step(p: { done: boolean; name: string; title: string; text: string; children: preact.ComponentChildren }) {
  return (
    <li class={"first-run-step" + (p.done ? " done" : "")} data-testid="first-run-step" data-step={p.name} data-done={p.done ? "true" : "false"}>
      <span class="first-run-check" aria-hidden="true">{p.done ? "✓" : ""}</span>
      <span class="first-run-text"><strong>{p.title}</strong><span class="muted small">{p.done ? "Done." : p.text}</span></span>
      {!p.done && p.children}
    </li>
  );
}
