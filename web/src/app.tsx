// The router and the auth gate. The apex host shows the public pages; a workspace host shows its login, invite
// and hand-off pages, and everything else behind GET /api/v1/auth/me (401 → /login?next=…).
import { useEffect, useState } from "preact/hooks";
import type { Boot } from "./lib/boot";
import { api, ApiError, setUnauthenticatedHandler } from "./lib/api";
import { loginPath, matchRoute, navigate, usePath } from "./lib/router";
import { store, useStore } from "./lib/store";
import { applyTheme } from "./lib/theme";
import { Find, Handoff, InviteAccept, Landing, Login, NotFound, Signup, WorkspaceMissing } from "./pages";
import { Workspace } from "./chat/Workspace";

export function App({ boot }: { boot: Boot }) {
  const path = usePath();
  const route = matchRoute(boot.host, path);
  const ws = useStore((s) => s.workspace);
  const theme = useStore((s) => s.theme);

  useEffect(() => {
    const apply = () => applyTheme({ primary: ws?.primary_color, accent: ws?.accent_color }, theme);
    apply();
    const mq = typeof matchMedia === "function" ? matchMedia("(prefers-color-scheme: dark)") : null;
    mq?.addEventListener("change", apply);
    return () => mq?.removeEventListener("change", apply);
  }, [ws?.primary_color, ws?.accent_color, theme]);

  if (boot.host === "workspace" && boot.missing) return <WorkspaceMissing boot={boot} />;

  switch (route.name) {
    case "landing":
      return <Landing boot={boot} />;
    case "signup":
      return <Signup boot={boot} />;
    case "find":
      return <Find boot={boot} />;
    case "login":
      return <Login boot={boot} />;
    case "invite":
      return <InviteAccept boot={boot} token={route.token} />;
    case "handoff":
      return <Handoff boot={boot} />;
    case "home":
    case "channel":
    case "settings":
    case "desk":
    case "desk-ticket":
    case "desk-dashboard":
    case "support":
    case "support-new":
    case "support-ticket":
      return (
        <AuthGate>
          <Workspace route={route} />
        </AuthGate>
      );
    default:
      return <NotFound boot={boot} />;
  }
}

/** Renders children once GET /auth/me answers; a 401 goes to the login page and comes back afterwards. */
function AuthGate({ children }: { children: preact.ComponentChildren }) {
  const me = useStore((s) => s.me);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    // Both the API client's 401 handler and the failed /auth/me below call this, and a late 401 (the socket's
    // session check, a request in flight) may come once we are on the login page: only the first one, from a
    // page behind the gate, redirects; the original address (thread, ?message=) rides along in ?next=.
    const toLogin = () => {
      const here = matchRoute("workspace", location.pathname).name;
      if (here !== "home" && here !== "channel" && here !== "settings" && !here.startsWith("desk") && !here.startsWith("support")) return;
      store.reset();
      navigate(loginPath(location.pathname + location.search + location.hash), { replace: true });
    };
    setUnauthenticatedHandler(toLogin);
    if (!me) {
      api.me().then(
        (m) => store.setMe(m),
        (e: unknown) => {
          if (e instanceof ApiError && e.status === 401) toLogin();
          else setError(e instanceof Error ? e.message : String(e));
        },
      );
    }
    return () => setUnauthenticatedHandler(null);
  }, [me === null]);
  if (me) return <>{children}</>;
  return (
    <div class="splash" role="status" aria-live="polite">
      {error ? (
        <div class="splash-error">
          <p>{error}</p>
          <button class="btn" onClick={() => location.reload()}>Try again</button>
        </div>
      ) : (
        <div class="spinner" aria-label="Loading" />
      )}
    </div>
  );
}
