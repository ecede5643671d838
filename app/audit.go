package app

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/policy"
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
)

// AuditEvent is one row of the audit log: who (ActorID; 0 for the system)
// did what (Action) to which target, from which IP, when. Actor is filled
// on listing with the actor's public face when they are still a user.
type AuditEvent struct {
	ID          relay.ID        `json:"id"`
	WorkspaceID relay.ID        `json:"-"`
	ActorID     relay.ID        `json:"actor_id"`
	Actor       *AuditActor     `json:"actor"`
	Action      string          `json:"action"`
	TargetKind  string          `json:"target_kind"`
	TargetID    relay.ID        `json:"target_id"`
	Data        json.RawMessage `json:"data"`
	IP          string          `json:"ip"`
	CreatedAt   time.Time       `json:"created_at"`
	// TargetName and Names are filled on listing (audit_names.go): the
	// target's name, and names for the ids in Data (people, channels).
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
	ActorID    relay.ID
	TargetKind string
	TargetID   relay.ID
	Since      time.Time
	Until      time.Time
	Before     relay.ID
	Limit      int // 1..MaxAuditPage; zero means DefaultAuditPage
}

// Page sizes of the audit log.
const (
	DefaultAuditPage = 50
	MaxAuditPage     = 200
)

// AuditStore is the audit log's persistence. There is deliberately no
// update or delete: the log is append-only, and no code path may change a
// row once written (a test asserts this interface stays so).
type AuditStore interface {
	// AppendAudit inserts e (its ID, WorkspaceID and CreatedAt set by the
	// caller; Data nil is stored as {}).
	AppendAudit(ctx context.Context, e *AuditEvent) error
	// ListAudit returns the workspace's events matching f, newest first
	// (by id, which is time-ordered), at most f.Limit of them, each with
	// Actor filled when the actor is a known user; never nil.
	ListAudit(ctx context.Context, workspaceID relay.ID, f AuditFilter) ([]AuditEvent, error)
}

// audit records an action of actor on a target (kind and id, e.g. "user",
// 42) with optional details. It never fails the action it records: a
// failure to write is logged. The client IP comes from ctx
// (relay.ClientIPFromContext).
func (a *App) audit(ctx context.Context, actor *relay.Actor, action, targetKind string, targetID relay.ID, data any) {
	if actor == nil || actor.Workspace == nil {
		a.log.ErrorContext(ctx, "audit: no actor or workspace", "action", action)
		return
	}
	var actorID relay.ID
	if actor.User != nil {
		actorID = actor.User.ID
	}
	a.auditAs(ctx, actor.Workspace.ID, actorID, action, targetKind, targetID, data)
}

// auditAs is audit for a workspace and actor id given directly (an
// invitation accepted, a customer signing up: no actor in the request).
func (a *App) auditAs(ctx context.Context, wsID, actorID relay.ID, action, targetKind string, targetID relay.ID, data any) {
	raw := json.RawMessage("{}")
	if data != nil {
		b, err := json.Marshal(data)
		if err != nil {
			a.log.ErrorContext(ctx, "audit: encode data", "action", action, "err", err)
		} else {
			raw = b
		}
	}
	e := &AuditEvent{ID: a.ids.New(), WorkspaceID: wsID, ActorID: actorID, Action: action, TargetKind: targetKind,
		TargetID: targetID, Data: raw, IP: relay.ClientIPFromContext(ctx), CreatedAt: a.Now()}
	// The action is committed: record it even if the request was cancelled
	// in the meantime.
	if err := a.store.AppendAudit(context.WithoutCancel(ctx), e); err != nil {
		a.log.ErrorContext(ctx, "audit: append", "workspace_id", wsID, "action", action, "target_kind", targetKind,
			"target_id", targetID, "err", err)
	}
}

// ListAudit lists the audit log of the actor's workspace (owners and admins).
func (a *App) ListAudit(ctx context.Context, actor *relay.Actor, f AuditFilter) ([]AuditEvent, error) {
	if err := policy.Check(actor, policy.ViewAudit, policy.Target{}); err != nil {
		return nil, err
	}
	if f.Action != "" {
		f.Action = strings.ToLower(strings.TrimSpace(f.Action))
		known := false
		for _, x := range AuditActions {
			known = known || x == f.Action
		}
		if !known {
			return nil, relay.Errorf(relay.EINVALID, "Unknown action %q; see the audit vocabulary in the API documentation.", truncate(f.Action, 40))
		}
	}
	if len(f.TargetKind) > 32 {
		return nil, relay.Errorf(relay.EINVALID, "target_kind is too long.")
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Since.Before(f.Until) {
		return nil, relay.Errorf(relay.EINVALID, "since must be before until.")
	}
	switch {
	case f.Limit == 0:
		f.Limit = DefaultAuditPage
	case f.Limit < 0 || f.Limit > MaxAuditPage:
		return nil, relay.Errorf(relay.EINVALID, "limit must be between 1 and %d.", MaxAuditPage)
	}
	events, err := a.store.ListAudit(ctx, actor.Workspace.ID, f)
	if err != nil {
		return nil, err
	}
	a.nameAudit(ctx, actor, events)
	return events, nil
}
