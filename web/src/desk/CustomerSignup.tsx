// Customer self-sign-up: the admin's switch in the workspace settings (PATCH /workspace {customer_signup}) and
// the "New here? Create an account" form on the login page (POST /auth/signup on the workspace host).
import { useState } from "preact/hooks";
import { navigate } from "../lib/router";
import { store, useStore } from "../lib/store";
import type { Workspace } from "../lib/types";
import { allowsCustomerSignup, deskApi } from "../lib/desk";
import { Alert, errText } from "../dialogs/kit";
import { Field, formValues, PasswordField, SubmitButton, useSubmit } from "../pages/common";

/** The login page's sign-up entry: a link that opens the form (only when the workspace allows it). */
export function CustomerSignupForm({ ws }: { ws: Workspace | null }) {
  const [open, setOpen] = useState(() => new URLSearchParams(location.search).has("signup"));
  const f = useSubmit();
  if (!allowsCustomerSignup(ws)) return null;
  if (!open) {
    return (
      <p>
        New here? <button type="button" class="ui-link link-btn" data-testid="customer-signup-open" onClick={() => setOpen(true)}>Create an account</button>
      </p>
    );
  }
  return (
    <div class="pg-card dk-signup-card">
      <h2>Create an account</h2>
      <p class="pg-lead">Get help from {ws?.name ?? "the team"}: open tickets and chat with support.</p>
      <form
        data-testid="customer-signup"
        class="ui-form"
        onSubmit={(e) => {
          const v = formValues(e);
          void f.run(async () => {
            const s = await deskApi.customerSignup({ display_name: v.display_name.trim(), email: v.email.trim(), password: v.password });
            store.setMe(s);
            navigate("/support", { replace: true });
          });
        }}
      >
        <Field label="Your name" name="display_name" autoComplete="name" maxLength={80} autoFocus />
        <Field label="Email" name="email" type="email" autoComplete="email" placeholder="you@example.com" />
        <PasswordField name="password" autoComplete="new-password" hint="At least 8 characters." />
        {f.error && <Alert kind="error">{f.error}</Alert>}
        <SubmitButton busy={f.busy} busyText="Creating your account…">Create account</SubmitButton>
      </form>
    </div>
  );
}

/** Workspace settings (admins): let customers sign themselves up. Saves at once. */
export function CustomerSignupToggle() {
  const ws = useStore((s) => s.workspace);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const on = allowsCustomerSignup(ws);
  return (
    <section class="st-section dk-signup-toggle" aria-labelledby="dk-signup-title">
      <h3 id="dk-signup-title">Customer sign-up</h3>
      <label class="dk-switch">
        <input type="checkbox" role="switch" name="customer_signup" data-testid="customer-signup-toggle" checked={on} disabled={busy || !ws}
          onChange={async (e) => {
            const want = e.currentTarget.checked;
            setBusy(true);
            setError(null);
            setSaved(false);
            try {
              const next = await deskApi.setCustomerSignup(want);
              store.setWorkspace({ ...(ws as Workspace), ...next, customer_signup: next.customer_signup ?? want });
              setSaved(true);
            } catch (err) {
              setError(errText(err));
            } finally {
              setBusy(false);
            }
          }} />
        <span>Let customers create their own accounts on the sign-in page</span>
      </label>
      <p class="ui-hint">Customers can open tickets and chat about their own tickets only. You can always invite customers instead.</p>
      {saved && <Alert kind="ok">{on ? "Customers can now sign up." : "Customer sign-up is off."}</Alert>}
      {error && <Alert kind="error">{error}</Alert>}
    </section>
  );
}
