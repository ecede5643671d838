package relay

import (
	"encoding/json"
	"time"
)

// Audit actions: what an admin or desk action did. The audit log is
// append-only; these names are its vocabulary (and the filter values of
// GET /api/v1/audit).
const (
	AuditRoleChanged       = "member.role_changed"
	AuditDeskAccessChanged = "member.desk_access_changed"
	AuditMemberRemoved     = "member.removed"
	AuditInviteCreated     = "invite.created"
	AuditInviteRevoked     = "invite.revoked"
	AuditInviteAccepted    = "invite.accepted"
	AuditBrandingChanged   = "workspace.branding_changed"
	AuditOwnerChanged      = "workspace.ownership_transferred"
	AuditSettingsChanged   = "workspace.settings_changed"
	AuditCustomerSignup    = "member.signed_up"
	AuditTicketAssigned    = "ticket.assigned"
	AuditTicketStatus      = "ticket.status_changed"
	AuditTicketUpdated     = "ticket.updated"

	AuditConnectorCreated = "connector.created"
	AuditConnectorUpdated = "connector.updated"
	AuditConnectorDeleted = "connector.deleted"
	AuditConnectorBridges = "connector.bridges"
	AuditConnectorGuild   = "connector.discord_guild"
	AuditOutboxRetried    = "outbox.retried"

	AuditWebhookCreated         = "webhook.created"
	AuditWebhookDeleted         = "webhook.deleted"
	AuditIncomingWebhookCreated = "incoming_webhook.created"
	AuditIncomingWebhookDeleted = "incoming_webhook.deleted"
)

// AuditActions lists the vocabulary, for validating filters.
var AuditActions = []string{AuditRoleChanged, AuditDeskAccessChanged, AuditMemberRemoved, AuditInviteCreated, AuditInviteRevoked,
	AuditInviteAccepted, AuditBrandingChanged, AuditOwnerChanged, AuditSettingsChanged, AuditCustomerSignup,
	AuditTicketAssigned, AuditTicketStatus, AuditTicketUpdated, AuditConnectorCreated, AuditConnectorUpdated,
	AuditConnectorDeleted, AuditConnectorBridges, AuditConnectorGuild, AuditOutboxRetried, AuditWebhookCreated,
	AuditWebhookDeleted, AuditIncomingWebhookCreated, AuditIncomingWebhookDeleted}

// Audit target kinds.
const (
	AuditTargetUser      = "user"
	AuditTargetInvite    = "invite"
	AuditTargetWorkspace = "workspace"
	AuditTargetTicket    = "ticket"
	AuditTargetWebhook   = "webhook"
	AuditTargetIncoming  = "incoming_webhook"
	AuditTargetConnector = "connector"
)

// AuditEvent is one row of the audit log: who (ActorID; 0 for the system)
// did what (Action) to which target, from which IP, when. Actor is filled
// on listing with the actor's public face when they are still a user.
type AuditEvent struct {
	ID          ID              `json:"id"`
	WorkspaceID ID              `json:"-"`
	ActorID     ID              `json:"actor_id"`
	Actor       *AuditActor     `json:"actor"`
	Action      string          `json:"action"`
	TargetKind  string          `json:"target_kind"`
	TargetID    ID              `json:"target_id"`
	Data        json.RawMessage `json:"data"`
	IP          string          `json:"ip"`
	CreatedAt   time.Time       `json:"created_at"`
	// TargetName and Names are filled on listing (app's desk_audit_names.go):
	// the target's name, and names for the ids in Data (people, channels).
	TargetName string            `json:"target_name,omitempty"`
	Names      map[string]string `json:"names,omitempty"`
}

// AuditActor is who acted, as the log shows them.
type AuditActor struct {
	DisplayName string `json:"display_name"`
	Email       string `json:"email"`
	AvatarURL   string `json:"avatar_url"`
}

// AuditFilter selects audit events. Zero fields do not filter. Before is the
// cursor: only events with a smaller id (older) are returned. Since is
// inclusive, Until exclusive.
type AuditFilter struct {
	Action     string
	ActorID    ID
	TargetKind string
	TargetID   ID
	Since      time.Time
	Until      time.Time
	Before     ID
	Limit      int // 1..MaxAuditPage; zero means DefaultAuditPage
}

// Page sizes of the audit log.
const (
	DefaultAuditPage = 50
	MaxAuditPage     = 200
)
