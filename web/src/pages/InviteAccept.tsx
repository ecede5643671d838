// Workspace /invite/{token}: preview the invitation, then create an account (or confirm an existing one) and join.
import { useEffect, useState } from "preact/hooks";
import { Icon } from "../chat/Icons";
import { api, ApiError } from "../lib/api";
import { linkClick, navigate } from "../lib/router";
import { store } from "../lib/store";
import type { InvitePreview } from "../lib/types";
import { Alert, errText, Loading, roleLabel } from "../dialogs/kit";
import { BrandedShell, Field, formValues, PasswordField, SubmitButton, useSubmit, useTitle, type PageProps } from "./common";

/** The preview may name who invited you (a newer server adds it); older ones do not. */
type Preview = InvitePreview & { inviter?: { display_name?: string } | null; invited_by_name?: string };

const roleBlurb: Record<string, string> = {
  admin: "Admins manage members, branding and channels.",
  agent: "Agents answer customer conversations.",
  member: "Members take part in the team's channels.",
  customer: "You'll be able to talk with the team about your requests.",
};

export function InviteAccept({ boot, token }: PageProps & { token: string }) {
  const [preview, setPreview] = useState<Preview | null>(null);
  const [load, setLoad] = useState<{ status: number; message: string } | null>(null);
  const f = useSubmit();
  const ws = preview?.workspace ?? boot.workspace;
  useTitle(ws ? `Join ${ws.name}` : "Accept invitation");

  useEffect(() => {
    api.invitePreview(token).then(
      (p) => setPreview(p as Preview),
      (e) => setLoad({ status: e instanceof ApiError ? e.status : 0, message: errText(e) }),
    );
  }, [token]);

  const inviter = preview?.inviter?.display_name || preview?.invited_by_name;

  let body;
  if (load) {
    const gone = load.status === 410;
    const missing = load.status === 404;
    body = (
      <div class="pg-card pg-center">
        <h1>{gone ? "This invitation has expired" : missing ? "Invitation not found" : "Could not open the invitation"}</h1>
        <p class="pg-lead">
          {gone
            ? "It was already used, or it is more than 7 days old. Ask the person who invited you for a new link."
            : missing
              ? "The link may be mistyped or the invitation revoked. Ask the person who invited you for a new link."
              : load.message}
        </p>
        <div class="pg-actions">
          {!gone && !missing && <button class="ui-btn" onClick={() => location.reload()}>Try again</button>}
          <a class="ui-btn primary" href="/login" onClick={linkClick}>Go to sign in</a>
        </div>
      </div>
    );
  } else if (!preview) {
    body = (
      <div class="pg-card">
        <Loading label="Opening your invitation…" />
      </div>
    );
  } else {
    const existing = preview.existing_account;
    body = (
      <div class="pg-card">
        <h1>Join {preview.workspace.name}</h1>
        <div class="pg-invite-card">
          <span class="pg-invite-ico" aria-hidden="true"><Icon name="mail" size={22} /></span>
          <p>
            {inviter ? <><strong>{inviter}</strong> invited you</> : "You've been invited"} to join{" "}
            <strong>{preview.workspace.name}</strong> as {preview.role === "admin" || preview.role === "agent" ? "an" : "a"}{" "}
            <strong>{roleLabel[preview.role] ?? preview.role}</strong>. <span class="ui-muted">{roleBlurb[preview.role] ?? ""}</span>
          </p>
        </div>
        <form
          data-testid="invite-accept"
          class="ui-form"
          onSubmit={(e) => {
            const v = formValues(e);
            void f.run(async () => {
              const s = await api.acceptInvite(token, {
                display_name: existing ? undefined : (v.display_name ?? "").trim(),
                password: v.password,
              });
              store.setMe(s);
              navigate("/", { replace: true });
            });
          }}
        >
          {existing && (
            <Alert kind="info">
              You already have a Relay account for <strong>{preview.email}</strong>. Enter its password to join.
            </Alert>
          )}
          <Field label="Email" name="email" type="email" value={preview.email} readOnly required={false} autoComplete="username email" hint="Invitations are tied to this address." />
          {!existing && <Field label="Your name" name="display_name" autoComplete="name" maxLength={80} placeholder="How others will see you" autoFocus />}
          <PasswordField
            autoComplete={existing ? "current-password" : "new-password"}
            label={existing ? "Your password" : "Choose a password"}
            hint={existing ? undefined : "At least 8 characters."}
            autoFocus={existing}
          />
          {f.error && <Alert kind="error">{f.error}</Alert>}
          <SubmitButton busy={f.busy} busyText="Joining…">{existing ? "Join workspace" : "Create account and join"}</SubmitButton>
        </form>
        <p class="ui-hint" style={{ marginTop: "14px", textAlign: "center" }}>
          This invitation expires {new Date(preview.expires_at).toLocaleDateString([], { month: "long", day: "numeric" })}.
        </p>
      </div>
    );
  }

  return (
    <BrandedShell ws={ws} boot={boot}>
      {body}
    </BrandedShell>
  );
}
