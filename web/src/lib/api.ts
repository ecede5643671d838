// The one HTTP client. Same-origin cookie auth (relay_session); every error becomes an ApiError with the
// server's {code, message} so screens can show `message` as it is.
import type {
  APIToken, Channel, ChannelKind, ChannelMember, ID, Invite, InvitePreview, Me, Member, Message, Presence,
  PublicWorkspace, Role, Session, SignupResponse, Status, User, Workspace,
} from "./types";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

interface RequestOptions {
  body?: unknown;
  raw?: Blob | ArrayBuffer;
  contentType?: string;
  query?: Record<string, string | number | boolean | undefined>;
  signal?: AbortSignal;
}

/** Called on every 401 from an authenticated endpoint (the app sends the user to /login). */
let onUnauthenticated: (() => void) | null = null;
export function setUnauthenticatedHandler(fn: (() => void) | null): void {
  onUnauthenticated = fn;
}

export async function request<T>(method: Method, path: string, opts: RequestOptions = {}): Promise<T> {
  let url = "/api/v1" + path;
  if (opts.query) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query)) if (v !== undefined) q.set(k, String(v));
    const s = q.toString();
    if (s) url += "?" + s;
  }
  const headers: Record<string, string> = { Accept: "application/json" };
  let body: BodyInit | undefined;
  if (opts.raw !== undefined) {
    body = opts.raw;
    if (opts.contentType) headers["Content-Type"] = opts.contentType;
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers["Content-Type"] = "application/json";
  }
  let res: Response;
  try {
    res = await fetch(url, { method, headers, body, credentials: "same-origin", signal: opts.signal });
  } catch (e) {
    if (e instanceof DOMException && e.name === "AbortError") throw e;
    throw new ApiError(0, "network", "Cannot reach the server. Check your connection and try again.");
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (!res.ok) {
    const err = (data as { error?: { code?: string; message?: string } } | undefined)?.error;
    const retry = Number(res.headers.get("Retry-After")) || undefined;
    const apiErr = new ApiError(res.status, err?.code ?? "http_" + res.status, err?.message ?? res.statusText ?? "Request failed", retry);
    if (res.status === 401 && onUnauthenticated && !path.startsWith("/auth/login")) onUnauthenticated();
    throw apiErr;
  }
  return data as T;
}

const enc = encodeURIComponent;

export const api = {
  // Sign-up, auth, hand-off
  signup: (b: { workspace_name: string; subdomain: string; display_name: string; email: string; password: string }) =>
    request<SignupResponse>("POST", "/signup", { body: b }),
  login: (email: string, password: string) => request<Session>("POST", "/auth/login", { body: { email, password } }),
  logout: () => request<void>("POST", "/auth/logout"),
  me: () => request<Me>("GET", "/auth/me"),
  handoff: (code: string) => request<Me>("POST", "/auth/handoff", { body: { code } }),
  findWorkspace: (subdomain: string) => request<PublicWorkspace>("GET", `/workspaces/${enc(subdomain)}`),

  // Workspace & branding
  workspace: () => request<Workspace>("GET", "/workspace"),
  updateWorkspace: (b: { name?: string; primary_color?: string; accent_color?: string }) =>
    request<Workspace>("PATCH", "/workspace", { body: b }),
  uploadLogo: (file: Blob) => request<Workspace>("PUT", "/workspace/logo", { raw: file, contentType: file.type || "application/octet-stream" }),
  deleteLogo: () => request<Workspace>("DELETE", "/workspace/logo"),

  // Invitations
  createInvite: (email: string, role: Role) => request<Invite>("POST", "/invites", { body: { email, role } }),
  invites: () => request<{ invites: Invite[] }>("GET", "/invites").then((r) => r.invites),
  deleteInvite: (id: ID) => request<void>("DELETE", `/invites/${enc(id)}`),
  invitePreview: (token: string) => request<InvitePreview>("GET", `/invites/${enc(token)}`),
  acceptInvite: (token: string, b: { display_name?: string; password: string }) =>
    request<Session>("POST", `/invites/${enc(token)}/accept`, { body: b }),

  // Members
  members: () => request<{ members: Member[] }>("GET", "/members").then((r) => r.members),
  updateMember: (userId: ID, role: Role) => request<Member>("PATCH", `/members/${enc(userId)}`, { body: { role } }),
  /** Grant (true) or revoke (false) a member's support desk. */
  setMemberDesk: (userId: ID, desk: boolean) => request<Member>("PATCH", `/members/${enc(userId)}`, { body: { desk } }),
  removeMember: (userId: ID) => request<void>("DELETE", `/members/${enc(userId)}`),

  // Profile & status
  updateProfile: (b: { display_name: string }) => request<User>("PATCH", "/users/me", { body: b }),
  uploadAvatar: (file: Blob) => request<User>("PUT", "/users/me/avatar", { raw: file, contentType: file.type || "image/png" }),
  deleteAvatar: () => request<User>("DELETE", "/users/me/avatar"),
  setStatus: (b: { presence?: Presence; text?: string; emoji?: string; expires_at?: string | null }) =>
    request<Status>("PUT", "/users/me/status", { body: b }),

  // API tokens
  tokens: () => request<{ tokens: APIToken[] }>("GET", "/tokens").then((r) => r.tokens),
  createToken: (name: string) => request<APIToken>("POST", "/tokens", { body: { name } }),
  deleteToken: (id: ID) => request<void>("DELETE", `/tokens/${enc(id)}`),

  // Channels
  channels: (q: { browse?: boolean; archived?: boolean } = {}) =>
    request<{ channels: Channel[] }>("GET", "/channels", { query: { browse: q.browse || undefined, archived: q.archived || undefined } }).then((r) => r.channels),
  channel: (id: ID) => request<Channel>("GET", `/channels/${enc(id)}`),
  createChannel: (b: { name: string; kind?: ChannelKind; topic?: string; purpose?: string; user_ids?: ID[] }) =>
    request<Channel>("POST", "/channels", { body: b }),
  updateChannel: (id: ID, b: { name?: string; topic?: string; purpose?: string }) =>
    request<Channel>("PATCH", `/channels/${enc(id)}`, { body: b }),
  archiveChannel: (id: ID) => request<Channel>("POST", `/channels/${enc(id)}/archive`),
  unarchiveChannel: (id: ID) => request<Channel>("POST", `/channels/${enc(id)}/unarchive`),
  joinChannel: (id: ID) => request<Channel>("POST", `/channels/${enc(id)}/join`),
  leaveChannel: (id: ID) => request<void>("POST", `/channels/${enc(id)}/leave`),
  channelMembers: (id: ID) => request<{ members: User[] }>("GET", `/channels/${enc(id)}/members`).then((r) => r.members),
  addChannelMembers: (id: ID, userIds: ID[]) => request<Channel>("POST", `/channels/${enc(id)}/members`, { body: { user_ids: userIds } }),
  removeChannelMember: (id: ID, userId: ID) => request<void>("DELETE", `/channels/${enc(id)}/members/${enc(userId)}`),
  markRead: (id: ID, seq: number) => request<ChannelMember>("POST", `/channels/${enc(id)}/read`, { body: { seq } }),
  openDM: (userIds: ID[]) => request<Channel>("POST", "/dms", { body: { user_ids: userIds } }),

  // Messages
  messages: (channelId: ID, q: { before?: number; after?: number; around?: number; limit?: number } = {}) =>
    request<{ messages: Message[] }>("GET", `/channels/${enc(channelId)}/messages`, { query: q }).then((r) => r.messages),
  postMessage: (channelId: ID, b: { body: string; parent_id?: ID; client_msg_id?: string; broadcast?: boolean }) =>
    request<Message>("POST", `/channels/${enc(channelId)}/messages`, { body: b }),
  replies: (id: ID) => request<{ messages: Message[] }>("GET", `/messages/${enc(id)}/replies`).then((r) => r.messages),
  editMessage: (id: ID, body: string) => request<Message>("PATCH", `/messages/${enc(id)}`, { body: { body } }),
  deleteMessage: (id: ID) => request<void>("DELETE", `/messages/${enc(id)}`),
  addReaction: (id: ID, emoji: string) => request<Message>("PUT", `/messages/${enc(id)}/reactions/${enc(emoji)}`),
  removeReaction: (id: ID, emoji: string) => request<Message>("DELETE", `/messages/${enc(id)}/reactions/${enc(emoji)}`),
};
