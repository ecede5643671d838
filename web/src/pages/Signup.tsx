// Apex /signup: create a workspace; the server answers with a one-minute hand-off link to the new host.
import { useState } from "preact/hooks";
import { Icon } from "../chat/Icons";
import { api } from "../lib/api";
import { workspaceURL } from "../lib/boot";
import { linkClick } from "../lib/router";
import { Alert } from "../dialogs/kit";
import { ApexShell, baseHost, Field, formValues, PasswordField, SubmitButton, useSubmit, useTitle, type PageProps } from "./common";

const SUB_RE = /^[a-z0-9](?:[a-z0-9-]{1,38})[a-z0-9]$|^[a-z0-9]{3}$/;

/** "Acme Support, Inc." → "acme-support-inc" */
export function suggestSubdomain(name: string): string {
  return name
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
}

/** Why a subdomain is not acceptable, or null when it looks fine (the server has the last word). */
export function subdomainProblem(s: string): string | null {
  if (!s) return null;
  if (/[^a-z0-9-]/.test(s)) return "Use only lowercase letters, digits and hyphens.";
  if (s.length < 3) return "At least 3 characters.";
  if (s.length > 40) return "At most 40 characters.";
  if (s.startsWith("-") || s.endsWith("-")) return "It cannot start or end with a hyphen.";
  return SUB_RE.test(s) ? null : "Use 3–40 lowercase letters, digits and hyphens.";
}

export function Signup({ boot }: PageProps) {
  useTitle("Create a workspace · Relay");
  const f = useSubmit();
  const [name, setName] = useState("");
  const [sub, setSub] = useState("");
  const [subTouched, setSubTouched] = useState(false);
  const problem = subdomainProblem(sub);
  const host = baseHost(boot);

  return (
    <ApexShell nav={false}>
      <div class="pg-card wide">
        <h1>Create a workspace</h1>
        <p class="pg-lead">Your team's home on Relay, at its own address. You'll be its owner.</p>
        <form
          data-testid="signup"
          class="ui-form"
          noValidate={false}
          onSubmit={(e) => {
            const v = formValues(e);
            const sd = v.subdomain.trim().toLowerCase();
            const bad = subdomainProblem(sd);
            if (bad) {
              f.setError(`Workspace address: ${bad}`);
              return;
            }
            void f.run(async () => {
              const res = await api.signup({
                workspace_name: v.workspace_name.trim(),
                subdomain: sd,
                display_name: v.display_name.trim(),
                email: v.email.trim(),
                password: v.password,
              });
              location.assign(res.handoff_url || (res.workspace_url ? res.workspace_url + "/login" : workspaceURL(boot.base_url, sd) + "/login"));
              // Keep the button busy while the browser leaves.
              await new Promise(() => {});
            });
          }}
        >
          <Field
            label="Workspace name"
            name="workspace_name"
            maxLength={80}
            placeholder="e.g. Acme Support"
            autoFocus
            value={name}
            onInput={(v) => {
              setName(v);
              if (!subTouched) setSub(suggestSubdomain(v));
            }}
          />
          <div class="ui-field">
            <label class="ui-label" for="f-subdomain">Workspace address</label>
            <div class="ui-affix" data-invalid={problem ? "true" : undefined}>
              <input
                id="f-subdomain"
                class="ui-input"
                name="subdomain"
                required
                minLength={3}
                maxLength={40}
                autoCapitalize="off"
                autoCorrect="off"
                spellcheck={false}
                placeholder="acme"
                value={sub}
                aria-invalid={problem ? "true" : undefined}
                aria-describedby="f-subdomain-hint f-subdomain-preview"
                onInput={(e) => {
                  const v = e.currentTarget.value.toLowerCase().replace(/\s+/g, "-");
                  setSubTouched(true);
                  setSub(v);
                }}
              />
              <span class="ui-affix-text post" aria-hidden="true">.{host}</span>
            </div>
            <p class={"ui-hint" + (problem ? " bad" : "")} id="f-subdomain-hint">
              {problem ?? "3–40 characters: lowercase letters (a–z), digits (0–9) and hyphens (-)."}
            </p>
            <p class="pg-preview" id="f-subdomain-preview" aria-live="polite">
              <span class="pg-preview-ico" aria-hidden="true"><Icon name="link" size={16} /></span>
              <span>
                Your workspace will be at <strong>{sub && !problem ? workspaceURL(boot.base_url, sub) : workspaceURL(boot.base_url, "your-team")}</strong>
              </span>
            </p>
          </div>
          <Field label="Your name" name="display_name" autoComplete="name" maxLength={80} placeholder="e.g. Ann Lee" />
          <Field label="Work email" name="email" type="email" autoComplete="email" placeholder="you@company.com" />
          <PasswordField autoComplete="new-password" hint="At least 8 characters." />
          {f.error && <Alert kind="error">{f.error}</Alert>}
          <SubmitButton busy={f.busy} busyText="Creating your workspace…">Create workspace</SubmitButton>
        </form>
      </div>
      <div class="pg-below">
        <p>Already have a workspace? <a class="ui-link" href="/find" onClick={linkClick}>Sign in</a></p>
      </div>
    </ApexShell>
  );
}
