package relay

import "time"

// Token kinds. A session is what a login makes (cookie or bearer); an API
// token is a named, long-lived personal token for bots and scripts.
const (
	TokenSession = "session"
	TokenAPI     = "api"
)

// Session is a stored credential: only the SHA-256 of its secret is kept.
// It is valid on its own workspace only.
type Session struct {
	ID          ID         `json:"id"`
	WorkspaceID ID         `json:"-"`
	UserID      ID         `json:"-"`
	Kind        string     `json:"-"`
	Name        string     `json:"name"`
	CreatedAt   time.Time  `json:"created_at"`
	LastUsedAt  *time.Time `json:"last_used_at"` // nil: never used (a new API token)
	ExpiresAt   *time.Time `json:"expires_at"`   // nil: until revoked
	TokenHash   []byte     `json:"-"`
}

// Invite is a single-use invitation to join a workspace with a role. Only the
// hash of its token is stored.
type Invite struct {
	ID          ID         `json:"id"`
	WorkspaceID ID         `json:"-"`
	Email       string     `json:"email"`
	Role        Role       `json:"role"`
	InvitedBy   ID         `json:"invited_by"`
	CreatedAt   time.Time  `json:"created_at"`
	ExpiresAt   time.Time  `json:"expires_at"`
	AcceptedAt  *time.Time `json:"accepted_at"`
	AcceptedBy  *ID        `json:"accepted_by,omitempty"`
	TokenHash   []byte     `json:"-"`
}

// InviteTTL is how long an invitation stays valid.
const InviteTTL = 7 * 24 * time.Hour

// SessionTTL is how long a login session lasts without use; each use extends it.
const SessionTTL = 30 * 24 * time.Hour
