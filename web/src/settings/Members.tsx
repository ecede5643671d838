// /settings/members (owners, admins): invite by email and role (copy the link), pending invitations, and the
// member list with role changes, the "Support desk" grant for members, and removal.
import { useEffect, useState } from "preact/hooks";
import { Icon } from "../chat/Icons";
import { api } from "../lib/api";
import { relative } from "../lib/format";
import { store, useStore } from "../lib/store";
import type { Invite, Member, Role } from "../lib/types";
import { CustomerSignupToggle } from "../desk/CustomerSignup";
import { Alert, ConfirmDialog, CopyField, errText, Loading, roleLabel, Spinner, UserAvatar } from "../dialogs/kit";

const inviteRoles: Role[] = ["member", "agent", "admin", "customer"];
const roleHelp: Record<string, string> = {
  member: "Members chat in channels and DMs.",
  agent: "Agents also handle customer conversations.",
  admin: "Admins also manage members, branding and channels.",
  customer: "Customers only see their own conversations with you.",
};

export function Members() {
  const members = useStore((s) => s.members);
  const me = useStore((s) => s.me);
  const [loading, setLoading] = useState(!Object.keys(store.get().members).length);
  const [listError, setListError] = useState<string | null>(null);
  const [invites, setInvites] = useState<Invite[] | null>(null);
  const [q, setQ] = useState("");
  const [rowMsg, setRowMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const [busyRow, setBusyRow] = useState<string | null>(null);
  const [removing, setRemoving] = useState<Member | null>(null);
  const [revoking, setRevoking] = useState<Invite | null>(null);

  const refreshMembers = async () => {
    try {
      store.setMembers(await api.members());
      setListError(null);
    } catch (e) {
      setListError(errText(e));
    } finally {
      setLoading(false);
    }
  };
  const refreshInvites = () => api.invites().then(setInvites, () => setInvites([]));
  useEffect(() => {
    void refreshMembers();
    void refreshInvites();
  }, []);

  if (!me) return null;
  const myRole = me.membership.role;
  const list = Object.values(members)
    .filter((m) => !q || (m.user.display_name + " " + m.user.email).toLowerCase().includes(q.toLowerCase()))
    .sort((a, b) => a.user.display_name.localeCompare(b.user.display_name));
  const total = Object.keys(members).length;

  const changeRole = async (m: Member, role: Role) => {
    if (role === m.role) return;
    setBusyRow(m.user.id);
    setRowMsg(null);
    try {
      const updated = await api.updateMember(m.user.id, role);
      store.setMembers(Object.values(store.get().members).map((x) => (x.user.id === m.user.id ? { ...x, ...updated, user: updated.user ?? x.user } : x)));
      setRowMsg({ ok: true, text: `${m.user.display_name} is now ${aRole(role)}.` });
    } catch (e) {
      setRowMsg({ ok: false, text: errText(e) });
      void refreshMembers();
    } finally {
      setBusyRow(null);
    }
  };

  // The support-desk grant (docs/desk.md): only a member's access depends on it. Agents, admins and owners always
  // have the desk; customers can never be given it. Revoking it signs the member's open sockets out of the desk.
  const setDesk = async (m: Member, desk: boolean) => {
    setBusyRow(m.user.id);
    setRowMsg(null);
    try {
      const updated = await api.setMemberDesk(m.user.id, desk);
      store.setMembers(Object.values(store.get().members).map((x) => (x.user.id === m.user.id ? { ...x, ...updated, user: updated.user ?? x.user } : x)));
      setRowMsg({ ok: true, text: desk ? `${m.user.display_name} can now work the support desk.` : `${m.user.display_name} no longer has the support desk.` });
    } catch (e) {
      setRowMsg({ ok: false, text: errText(e) });
      void refreshMembers();
    } finally {
      setBusyRow(null);
    }
  };

  const canManage = (m: Member) => m.user.id !== me.user.id && (myRole === "owner" || m.role !== "owner");
  const roleChoices = (m: Member): Role[] => (myRole === "owner" || m.role === "owner" ? ["owner", ...inviteRoles] : inviteRoles);

  return (
    <div class="st-page">
      <h2>Members</h2>
      <p class="st-lead">Invite people to {store.get().workspace?.name ?? "the workspace"} and manage what they can do.</p>

      <InviteForm onCreated={() => void refreshInvites()} />
      <CustomerSignupToggle />

      {invites && invites.length > 0 && (
        <section class="st-section" aria-labelledby="st-pending">
          <div class="st-list-head"><h3 id="st-pending">Pending invitations</h3><span class="ui-pill">{invites.length}</span></div>
          <ul class="st-list" data-testid="pending-invites">
            {invites.map((inv) => (
              <li key={inv.id}>
                <span class="ui-avatar" aria-hidden="true" style={{ width: "32px", height: "32px", background: "var(--ui-bg-sunken)", color: "var(--ui-muted)" }}><Icon name="mail" size={16} /></span>
                <span class="st-who">
                  <span class="st-name">{inv.email}</span>
                  <span class="st-sub">
                    {roleLabel[inv.role]} · {inv.expired ? "expired" : `sent ${relative(inv.created_at)}, expires ${new Date(inv.expires_at).toLocaleDateString([], { month: "short", day: "numeric" })}`}
                  </span>
                </span>
                {inv.expired && <span class="ui-pill danger">Expired</span>}
                <button class="ui-btn sm ghost" onClick={() => setRevoking(inv)} aria-label={`Revoke the invitation for ${inv.email}`}>Revoke</button>
              </li>
            ))}
          </ul>
        </section>
      )}

      <section class="st-section" aria-labelledby="st-members">
        <div class="st-list-head">
          <h3 id="st-members">People</h3>
          <span class="ui-pill">{total}</span>
          <input class="ui-input" type="search" placeholder="Search by name or email" aria-label="Search members" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
        </div>
        {rowMsg && <div style={{ marginBottom: "12px" }}><Alert kind={rowMsg.ok ? "ok" : "error"}>{rowMsg.text}</Alert></div>}
        {listError && <Alert kind="error">{listError}</Alert>}
        {loading ? (
          <Loading label="Loading members…" />
        ) : list.length === 0 ? (
          <div class="ui-empty"><strong>No one matches “{q}”.</strong>Try another name or email.</div>
        ) : (
          <ul class="st-list" data-testid="member-list">
            {list.map((m) => {
              const self = m.user.id === me.user.id;
              const manage = canManage(m);
              return (
                <li key={m.user.id} data-testid="member-row" data-user-id={m.user.id}>
                  <UserAvatar id={m.user.id} name={m.user.display_name} url={m.user.avatar_url} size={36} />
                  <span class="st-who">
                    <span class="st-name">{m.user.display_name}{self && <span class="ui-muted"> (you)</span>}</span>
                    <span class="st-sub">{m.user.email}</span>
                  </span>
                  {busyRow === m.user.id && <Spinner />}
                  {manage && m.role !== "customer" && (
                    <label
                      class="st-desk"
                      title={m.role === "member" ? "Let this member work the support desk with an agent's rights" : "Agents, admins and owners always have the support desk"}
                    >
                      <input
                        type="checkbox"
                        data-testid="member-desk"
                        checked={m.role !== "member" || m.desk === true}
                        disabled={m.role !== "member" || busyRow === m.user.id}
                        aria-label={`Support desk for ${m.user.display_name}`}
                        onChange={(e) => void setDesk(m, e.currentTarget.checked)}
                      />
                      {" "}Support desk
                    </label>
                  )}
                  {!manage && m.role === "member" && m.desk && <span class="ui-pill" title="This member works the support desk">Support desk</span>}
                  {manage ? (
                    <select
                      class="ui-select"
                      aria-label={`Role of ${m.user.display_name}`}
                      value={m.role}
                      disabled={busyRow === m.user.id}
                      onChange={(e) => void changeRole(m, e.currentTarget.value as Role)}
                    >
                      {roleChoices(m).map((r) => <option key={r} value={r}>{roleLabel[r]}</option>)}
                    </select>
                  ) : (
                    <span class={"ui-pill" + (m.role === "owner" ? " accent" : "")} title={self ? "You can't change your own role" : "Only owners can change an owner"}>{roleLabel[m.role]}</span>
                  )}
                  {manage && (
                    <button class="ui-btn sm danger" onClick={() => setRemoving(m)} aria-label={`Remove ${m.user.display_name}`}>Remove</button>
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </section>

      {removing && (
        <ConfirmDialog
          title={`Remove ${removing.user.display_name}?`}
          confirmLabel="Remove from workspace"
          onClose={() => setRemoving(null)}
          onConfirm={async () => {
            await api.removeMember(removing.user.id);
            store.setMembers(Object.values(store.get().members).filter((x) => x.user.id !== removing.user.id));
            setRowMsg({ ok: true, text: `${removing.user.display_name} was removed.` });
          }}
        >
          <p style={{ margin: 0 }}>
            {removing.user.display_name} ({removing.user.email}) loses access to every channel at once and is signed out.
            Their messages stay. You can invite them again later.
          </p>
        </ConfirmDialog>
      )}
      {revoking && (
        <ConfirmDialog
          title="Revoke this invitation?"
          confirmLabel="Revoke"
          onClose={() => setRevoking(null)}
          onConfirm={async () => {
            await api.deleteInvite(revoking.id);
            setInvites((l) => (l ?? []).filter((x) => x.id !== revoking.id));
          }}
        >
          <p style={{ margin: 0 }}>The link sent to {revoking.email} will stop working.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}

const aRole = (r: Role) => (r === "admin" || r === "agent" || r === "owner" ? "an " : "a ") + roleLabel[r].toLowerCase();

function InviteForm({ onCreated }: { onCreated: () => void }) {
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("member");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [made, setMade] = useState<{ email: string; role: Role; link: string } | null>(null);

  return (
    <section class="st-section" aria-labelledby="st-invite">
      <h3 id="st-invite">Invite people</h3>
      <p class="st-desc">Create an invitation link and send it to them. Links work once and expire after 7 days.</p>
      <form
        data-testid="invite"
        class="ui-form"
        onSubmit={async (e) => {
          e.preventDefault();
          const fd = new FormData(e.currentTarget);
          const em = String(fd.get("email") ?? "").trim();
          const r = String(fd.get("role") ?? "member") as Role;
          if (!em) return;
          setBusy(true);
          setError(null);
          try {
            const inv = await api.createInvite(em, r);
            const link = inv.token ? location.origin + "/invite/" + inv.token : inv.url ?? "";
            setMade({ email: em, role: r, link });
            setEmail("");
            onCreated();
          } catch (err) {
            setError(errText(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        <div class="st-inline">
          <div class="ui-field">
            <label class="ui-label" for="st-invite-email">Email</label>
            <input id="st-invite-email" class="ui-input" type="email" name="email" required placeholder="name@company.com" value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
          </div>
          <div class="ui-field" style={{ flex: "0 1 170px" }}>
            <label class="ui-label" for="st-invite-role">Role</label>
            <select id="st-invite-role" class="ui-select" name="role" value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
              {inviteRoles.map((r) => <option key={r} value={r}>{roleLabel[r]}</option>)}
            </select>
          </div>
          <button class="ui-btn primary" type="submit" disabled={busy} style={{ minHeight: "40px" }}>{busy && <Spinner />}Create invitation</button>
        </div>
        <p class="ui-hint">{roleHelp[role]}</p>
        {error && <Alert kind="error">{error}</Alert>}
        {made && (
          <div class="st-secret" role="status">
            <p>
              <strong>Invitation for {made.email}</strong> ({roleLabel[made.role]}). Copy the link and send it to them — it is
              shown only now.
            </p>
            <CopyField value={made.link} label="Invitation link" testid="invite-link" mono />
          </div>
        )}
      </form>
    </section>
  );
}
