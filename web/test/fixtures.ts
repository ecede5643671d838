// Builders for API resources in tests.
import type { Channel, Me, Message } from "../src/lib/types";

export const ME = "100";
export const BOB = "200";

export function me(): Me {
  return {
    user: { id: ME, email: "ann@acme.test", display_name: "Ann", avatar_url: "", created_at: "2025-01-01T00:00:00Z" },
    membership: { workspace_id: "1", user_id: ME, role: "owner", joined_at: "2025-01-01T00:00:00Z" },
    workspace: { id: "1", subdomain: "acme", name: "Acme", primary_color: "#4f46e5", accent_color: "#f59e0b", logo_url: "" },
  };
}

export function channel(over: Partial<Channel> = {}): Channel {
  return {
    id: "10", workspace_id: "1", name: "general", kind: "public", topic: "", purpose: "", archived: false,
    created_by: ME, created_at: "2025-01-01T00:00:00Z", updated_at: "2025-01-01T00:00:00Z", member_count: 2,
    last_seq: 0, last_change: 0, unread_count: 0, mention_count: 0, last_read_seq: 0, is_member: true,
    ...over,
  };
}

export function msg(seq: number, over: Partial<Message> = {}): Message {
  return {
    id: String(1000 + seq), channel_id: "10", seq, change: seq,
    author: { id: BOB, kind: "user", display_name: "Bob", avatar_url: "" }, source: "internal",
    body: `message ${seq}`, parent_id: null, broadcast: false, reply_count: 0, last_reply_at: null, reply_users: [],
    client_msg_id: "", internal: false, created_at: new Date(Date.UTC(2025, 0, 1, 12, seq)).toISOString(),
    edited_at: null, deleted_at: null, reactions: [], mentions: [], mention_all: false,
    ...over,
  };
}
