// Public pages (docs/web.md "Routes the app owns").
//
// Props contract (all pages): { boot: Boot } (src/lib/boot.ts: host, base_url, workspace | null); InviteAccept
// also gets { token: string } from the route /invite/{token}.
// - Landing (apex /), Signup (apex /signup: form[data-testid=signup]; on success go to res.handoff_url), Find
//   (apex /find: GET /workspaces/{sub} then go to its url + /login), Login (workspace /login: form[data-testid=login],
//   [data-testid=workspace-name], img[data-testid=workspace-logo]; after login go to ?next= or /), InviteAccept
//   (form[data-testid=invite-accept]), Handoff (POSTs the #code= fragment to /auth/handoff, then replaces the
//   location with /), NotFound, WorkspaceMissing (workspace host, no workspace).
export { Landing } from "./Landing";
export { Signup } from "./Signup";
export { Find } from "./Find";
export { Login } from "./Login";
export { InviteAccept } from "./InviteAccept";
export { Handoff } from "./Handoff";
export { NotFound, WorkspaceMissing } from "./Missing";
