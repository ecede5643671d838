// Apex /find: type a workspace's subdomain, go to its sign-in page.
import { useState } from "preact/hooks";
import { api, ApiError } from "../lib/api";
import { workspaceURL } from "../lib/boot";
import { linkClick } from "../lib/router";
import { Alert } from "../dialogs/kit";
import { ApexShell, baseHost, SubmitButton, useSubmit, useTitle, type PageProps } from "./common";
import { subdomainProblem } from "./Signup";

export function Find({ boot }: PageProps) {
  useTitle("Sign in · Relay");
  const f = useSubmit();
  const [sub, setSub] = useState("");
  const [missing, setMissing] = useState<string | null>(null);
  const host = baseHost(boot);

  return (
    <ApexShell nav={false}>
      <div class="pg-card">
        <h1>Sign in to your workspace</h1>
        <p class="pg-lead">Enter your workspace's address.</p>
        <form
          data-testid="find"
          class="ui-form"
          onSubmit={(e) => {
            e.preventDefault();
            const s = sub.trim().toLowerCase();
            setMissing(null);
            const bad = subdomainProblem(s);
            if (!s || bad) {
              f.setError(bad ?? "Enter your workspace's address.");
              return;
            }
            void f.run(async () => {
              try {
                const w = await api.findWorkspace(s);
                location.assign((w.url || workspaceURL(boot.base_url, w.subdomain)) + "/login");
                await new Promise(() => {});
              } catch (err) {
                if (err instanceof ApiError && err.status === 404) {
                  setMissing(s);
                  return;
                }
                throw err;
              }
            });
          }}
        >
          <div class="ui-field">
            <label class="ui-label" for="f-find">Workspace address</label>
            <div class="ui-affix" data-invalid={missing ? "true" : undefined}>
              <input
                id="f-find"
                class="ui-input"
                name="subdomain"
                required
                autoFocus
                autoCapitalize="off"
                autoCorrect="off"
                spellcheck={false}
                placeholder="your-team"
                value={sub}
                aria-invalid={missing ? "true" : undefined}
                aria-describedby="f-find-msg"
                onInput={(e) => {
                  setSub(e.currentTarget.value.toLowerCase().replace(/\s+/g, "-"));
                  setMissing(null);
                  f.setError(null);
                }}
              />
              <span class="ui-affix-text post" aria-hidden="true">.{host}</span>
            </div>
          </div>
          <div id="f-find-msg">
            {missing && (
              <Alert kind="error">
                There is no workspace at <strong>{missing}.{host}</strong>. Check the spelling, or{" "}
                <a href="/signup" onClick={linkClick}>create a new workspace</a>.
              </Alert>
            )}
            {f.error && <Alert kind="error">{f.error}</Alert>}
          </div>
          <SubmitButton busy={f.busy} busyText="Looking it up…">Continue</SubmitButton>
        </form>
      </div>
      <div class="pg-below">
        <p>Need a new workspace? <a class="ui-link" href="/signup" onClick={linkClick}>Create one</a></p>
      </div>
    </ApexShell>
  );
}
