// Workspace /login: the workspace's own sign-in page (logo, name, colours).
import { useEffect, useState } from "preact/hooks";
import { api } from "../lib/api";
import { navigate } from "../lib/router";
import { store } from "../lib/store";
import type { Workspace } from "../lib/types";
import { Alert } from "../dialogs/kit";
import { CustomerSignupForm } from "../desk/CustomerSignup";
import { allowsCustomerSignup } from "../lib/desk";
import { BrandedShell, Field, formValues, PasswordField, safeNext, SubmitButton, useSubmit, useTitle, type PageProps } from "./common";

export function Login({ boot }: PageProps) {
  const [ws, setWs] = useState<Workspace | null>(boot.workspace ?? store.get().workspace);
  const f = useSubmit();
  useTitle(ws ? `Sign in · ${ws.name}` : "Sign in");
  useEffect(() => {
    // Fresh branding: the boot data is from page load, and an admin may have changed it since.
    api.workspace().then(setWs, () => {});
  }, []);
  const expired = new URLSearchParams(location.search).has("next");

  return (
    <BrandedShell ws={ws} boot={boot}>
      <div class="pg-card">
        <h1>Sign in</h1>
        <p class="pg-lead">{ws ? <>Welcome back to {ws.name}.</> : "Welcome back."}</p>
        <form
          data-testid="login"
          class="ui-form"
          onSubmit={(e) => {
            const v = formValues(e);
            void f.run(async () => {
              const s = await api.login(v.email.trim(), v.password);
              store.setMe(s);
              navigate(safeNext(new URLSearchParams(location.search).get("next")), { replace: true });
            });
          }}
        >
          {expired && !f.error && <Alert kind="info">Sign in to continue.</Alert>}
          <Field label="Email" name="email" type="email" autoComplete="username email" placeholder="you@company.com" autoFocus />
          <PasswordField autoComplete="current-password" />
          {f.error && <Alert kind="error">{f.error}</Alert>}
          <SubmitButton busy={f.busy} busyText="Signing in…">Sign in</SubmitButton>
        </form>
      </div>
      <div class="pg-below">
        {allowsCustomerSignup(ws) ? <CustomerSignupForm ws={ws} /> : <p>New here? Ask an admin of {ws?.name ?? "this workspace"} for an invitation.</p>}
        <p>
          Wrong workspace? <a class="ui-link" href={boot.base_url + "/find"}>Find yours</a>
        </p>
      </div>
    </BrandedShell>
  );
}
