// Resource types of the REST API and the socket (httpapi/openapi.json is the source of truth).

export type ID = string;
export type Role = "owner" | "admin" | "agent" | "member" | "customer";
export type Presence = "online" | "away" | "dnd";
export type ChannelKind = "public" | "private" | "dm" | "ticket" | "external";
export type Source = "internal" | "line" | "discord" | "email" | "webhook" | "assistant" | "system";

export interface Workspace {
  id: ID;
  subdomain: string;
  name: string;
  primary_color: string;
  accent_color: string;
  logo_url: string;
  /** Customers may sign themselves up on the workspace host (docs/desk.md). */
  customer_signup?: boolean;
  created_at?: string;
  updated_at?: string;
}

export interface User {
  id: ID;
  email: string;
  display_name: string;
  avatar_url: string;
  created_at: string;
}

export interface Membership {
  workspace_id: ID;
  user_id: ID;
  role: Role;
  /** The support-desk grant: a member with it works the desk as an agent (agents, admins, owners always do). */
  desk?: boolean;
  joined_at: string;
}

export interface Status {
  presence: Presence;
  text: string;
  emoji: string;
  expires_at: string | null;
}

export interface Me {
  user: User;
  membership: Membership;
  workspace: Workspace;
  status?: Status;
}

export interface Session extends Me {
  token: string;
}

export interface SignupResponse extends Session {
  handoff_url?: string;
  workspace_url?: string;
}

export interface Member {
  user: User;
  role: Role;
  /** The support-desk grant (Membership.desk). */
  desk?: boolean;
  joined_at: string;
}

export interface Invite {
  id: ID;
  email: string;
  role: Role;
  invited_by: ID;
  created_at: string;
  expires_at: string;
  accepted_at: string | null;
  expired: boolean;
  token?: string;
  url?: string;
}

export interface InvitePreview {
  email: string;
  role: Role;
  expires_at: string;
  workspace: Workspace;
  existing_account: boolean;
}

export interface APIToken {
  id: ID;
  name: string;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  token?: string;
}

export interface ChannelMember {
  channel_id: ID;
  user_id: ID;
  joined_at: string;
  last_read_seq: number;
  unread_count: number;
  mention_count: number;
}

export interface Channel {
  id: ID;
  workspace_id: ID;
  name: string;
  kind: ChannelKind;
  topic: string;
  purpose: string;
  archived: boolean;
  created_by: ID;
  created_at: string;
  updated_at: string;
  member_count: number;
  last_seq: number;
  last_change: number;
  unread_count: number;
  mention_count: number;
  last_read_seq: number;
  is_member: boolean;
  membership?: ChannelMember;
  dm_user_ids?: ID[];
}

export interface Author {
  id: ID;
  kind: "user" | "contact" | "bot" | "system";
  display_name: string;
  avatar_url: string;
}

export interface Reaction {
  emoji: string;
  count: number;
  users: ID[];
}

export interface Message {
  id: ID;
  channel_id: ID;
  seq: number;
  change: number;
  author: Author;
  source: Source;
  body: string;
  parent_id: ID | null;
  broadcast: boolean;
  reply_count: number;
  last_reply_at: string | null;
  reply_users: ID[];
  client_msg_id: string;
  internal: boolean;
  created_at: string;
  edited_at: string | null;
  deleted_at: string | null;
  reactions: Reaction[];
  mentions: ID[];
  mention_all: boolean;
  /** Files that came with the message (media from a connector). */
  attachments?: Attachment[];
  /** In external channels, on messages written in Relay: how each trip outside went (lib/connectors.ts). */
  deliveries?: Delivery[];
}

/** A file attached to a message: url is /api/v1/files/{id} (stored) or an outside https address. */
export interface Attachment {
  id: ID;
  name: string;
  content_type: string;
  size: number;
  url: string;
  kind: "image" | "video" | "audio" | "file" | "sticker" | "location";
}

/** The outside state of a message posted in an external channel, one per outside conversation. */
export interface Delivery {
  state: "pending" | "sending" | "delivered" | "dead";
  error?: string;
  outbox_id: number;
  attempts: number;
  connector_id: ID;
}

export interface PublicWorkspace {
  subdomain: string;
  name: string;
  url: string;
}

// Socket payloads (docs/protocol.md).
export interface JoinReply {
  last_seq: number;
  last_change: number;
  reset: boolean;
}

export interface TypingEvent {
  channel_id: ID;
  user_id: ID;
  display_name: string;
  parent_id: ID | null;
  expires_in_ms: number;
}

export interface MemberEvent {
  channel_id: ID;
  channel_kind?: ChannelKind;
  user: User;
}

/** member:added on the workspace topic: someone accepted an invitation. */
export interface MemberAddedEvent {
  user_id: ID;
  display_name: string;
  avatar_url: string;
  role: Role;
}

/** member:removed on the workspace topic: someone left or was removed. */
export interface MemberRemovedEvent {
  user_id: ID;
}

/** member:role_changed on the workspace topic: a member's role or desk access changed (yours too). */
export interface MemberRoleChangedEvent {
  user_id: ID;
  role: Role;
  desk: boolean;
}

export interface MemberUpdatedEvent {
  user_id: ID;
  display_name: string;
  avatar_url: string;
}

export interface StatusEvent {
  user_id: ID;
  presence: Presence;
  text: string;
  emoji: string;
  expires_at: string | null;
}

export interface UnreadEvent {
  channel_id: ID;
  last_read_seq: number;
  unread_count: number;
  mention_count: number;
}

export interface PresenceMeta {
  phx_ref?: string;
  user_id: ID;
  display_name: string;
  status: Presence;
  text: string;
  emoji: string;
  online_at: string;
  last_active_at: string;
}
