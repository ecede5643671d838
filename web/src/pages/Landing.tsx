// Apex /: what Relay is, and the two ways in.
import { linkClick } from "../lib/router";
import { ApexShell, useTitle, type PageProps } from "./common";
import { Emoji } from "../lib/emojiImages";

const features = [
  { icon: "💬", title: "Channels, threads, DMs", text: "Real-time team chat with threads, reactions, mentions and presence — fast on any screen." },
  { icon: "🎨", title: "Your brand, not ours", text: "Your logo, name and colours on every screen, at your own address." },
  { icon: "🔌", title: "Customers in the same place", text: "Conversations from LINE, Discord and webhooks land next to your team's." },
];

export function Landing(_: PageProps) {
  useTitle("Relay — team chat with your brand on it");
  return (
    <ApexShell>
      <section class="pg-hero" aria-labelledby="pg-hero-title">
        <h1 id="pg-hero-title">Relay: team chat and customer conversations, <em>under your own brand</em>.</h1>
        <p>Give your team and your customers one place to talk — with your logo, your colours and your own address.</p>
        <div class="pg-actions">
          <a class="ui-btn primary lg" href="/signup" onClick={linkClick}>Create a workspace</a>
          <a class="ui-btn lg" href="/find" onClick={linkClick}>Sign in to your workspace</a>
        </div>
      </section>
      <ul class="pg-features" aria-label="Features">
        {features.map((f) => (
          <li key={f.title}>
            <span class="pg-fi" aria-hidden="true"><Emoji char={f.icon} /></span>
            <h2>{f.title}</h2>
            <p>{f.text}</p>
          </li>
        ))}
      </ul>
    </ApexShell>
  );
}
