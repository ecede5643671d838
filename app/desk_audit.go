package app

import (
	"context"
	"strings"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/policy"
)

// AuditStore is the audit log's persistence. There is deliberately no
// update or delete: the log is append-only, and no code path may change a
// row once written (a test asserts this interface stays so).
type AuditStore interface {
	// AppendAudit inserts e (its ID, WorkspaceID and CreatedAt set by the
	// caller; Data nil is stored as {}).
	AppendAudit(ctx context.Context, e *relay.AuditEvent) error
	// ListAudit returns the workspace's events matching f, newest first
	// (by id, which is time-ordered), at most f.Limit of them, each with
	// Actor filled when the actor is a known user; never nil.
	ListAudit(ctx context.Context, workspaceID relay.ID, f relay.AuditFilter) ([]relay.AuditEvent, error)
}

// ListAudit lists the audit log of the actor's workspace (owners and admins).
func (a *Desk) ListAudit(ctx context.Context, actor *relay.Actor, f relay.AuditFilter) ([]relay.AuditEvent, error) {
	if err := policy.Check(actor, policy.ViewAudit, policy.Target{}); err != nil {
		return nil, err
	}
	if f.Action != "" {
		f.Action = strings.ToLower(strings.TrimSpace(f.Action))
		known := false
		for _, x := range relay.AuditActions {
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
		f.Limit = relay.DefaultAuditPage
	case f.Limit < 0 || f.Limit > relay.MaxAuditPage:
		return nil, relay.Errorf(relay.EINVALID, "limit must be between 1 and %d.", relay.MaxAuditPage)
	}
	events, err := a.store.ListAudit(ctx, actor.Workspace.ID, f)
	if err != nil {
		return nil, err
	}
	a.nameAudit(ctx, actor, events)
	return events, nil
}
