// Workspace /handoff#code=…: the end of sign-up. Exchanges the single-use code for a session cookie on this host.
import { useEffect, useState } from "preact/hooks";
import { api, ApiError } from "../lib/api";
import { linkClick, navigate } from "../lib/router";
import { store } from "../lib/store";
import { errText, Spinner } from "../dialogs/kit";
import { BrandedShell, useTitle, type PageProps } from "./common";

let started = false; // the code is single-use: never post it twice (e.g. a double render in development)

export function Handoff({ boot }: PageProps) {
  const [error, setError] = useState<string | null>(null);
  const [expired, setExpired] = useState(false);
  useTitle("Signing you in…");
  useEffect(() => {
    const code = new URLSearchParams(location.hash.slice(1)).get("code");
    // Drop the code from the address bar and history at once.
    history.replaceState(null, "", "/handoff");
    if (!code) {
      if (!started) setError("This sign-in link is incomplete: it carries no code.");
      return;
    }
    started = true;
    api.handoff(code).then(
      (me) => {
        store.setMe(me);
        navigate("/", { replace: true });
      },
      (e) => {
        setExpired(e instanceof ApiError && e.status === 401);
        setError(errText(e));
      },
    );
  }, []);

  return (
    <BrandedShell ws={boot.workspace} boot={boot}>
      <div class="pg-card pg-center">
        {error ? (
          <>
            <h1>We couldn't sign you in</h1>
            <p class="pg-lead">
              {expired
                ? "This sign-in link has expired or was already used (it works once, for one minute). Your workspace is ready: sign in with the email and password you chose."
                : error}
            </p>
            <div class="pg-actions">
              <a class="ui-btn primary lg" href="/login" onClick={linkClick}>Go to sign in</a>
            </div>
          </>
        ) : (
          <div class="pg-status" role="status" aria-live="polite">
            <Spinner />
            <span>Signing you in to {boot.workspace?.name ?? "your workspace"}…</span>
          </div>
        )}
      </div>
    </BrandedShell>
  );
}
