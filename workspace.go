package relay

import "time"

// Workspace is a tenant: one company, reached on its own subdomain, with its
// own branding. Every tenant row in the store carries its WorkspaceID.
type Workspace struct {
	ID           ID     `json:"id"`
	Subdomain    string `json:"subdomain"`
	Name         string `json:"name"`
	PrimaryColor string `json:"primary_color"`
	AccentColor  string `json:"accent_color"`
	LogoURL      string `json:"logo_url"` // empty when no logo is set
	// CustomerSignup lets customers sign themselves up on the workspace's
	// host (POST /api/v1/auth/signup); off by default.
	CustomerSignup bool `json:"customer_signup"`
	// MessageRate and MessageBurst limit how fast each member posts: this
	// many messages a second sustained, in bursts of up to MessageBurst; 0
	// in either turns the limit off. Only owners change them.
	MessageRate  int       `json:"message_rate"`
	MessageBurst int       `json:"message_burst"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`

	// LogoKey names the logo in the file store and LogoType is its sniffed
	// content type; both are empty when there is no logo. LogoVersion changes
	// with every upload so caches can be busted.
	LogoKey     string `json:"-"`
	LogoType    string `json:"-"`
	LogoVersion string `json:"-"`
}

// Default brand colours of a new workspace.
const (
	DefaultPrimaryColor = "#4f46e5"
	DefaultAccentColor  = "#f59e0b"
)

// Default message rate limit of a new workspace (Workspace.MessageRate and
// MessageBurst), and the largest values an owner may set.
const (
	DefaultMessageRate  = 50
	DefaultMessageBurst = 200
	MaxMessageRate      = 100000
	MaxMessageBurst     = 1000000
)

// WorkspaceUpdate lists the fields a PATCH may change; nil means unchanged.
type WorkspaceUpdate struct {
	Name           *string `json:"name"`
	PrimaryColor   *string `json:"primary_color"`
	AccentColor    *string `json:"accent_color"`
	CustomerSignup *bool   `json:"customer_signup"`
	MessageRate    *int    `json:"message_rate"`
	MessageBurst   *int    `json:"message_burst"`
}
