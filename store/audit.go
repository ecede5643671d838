package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/relayhq/relay"
)

// AppendAudit inserts one audit event. There is no method that updates or
// deletes one: the log is append-only (only DeleteWorkspace's cascade
// removes a workspace's whole log). ECONFLICT on a reused id, ENOTFOUND when
// the workspace does not exist.
func (db *DB) AppendAudit(ctx context.Context, e *relay.AuditEvent) error {
	e.CreatedAt = normal(e.CreatedAt)
	data := string(e.Data)
	if len(e.Data) == 0 || !json.Valid(e.Data) {
		data = "{}"
	}
	return db.update(ctx, "append audit", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO audit_events
			(id, workspace_id, actor_id, action, target_kind, target_id, data, ip, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			e.ID, e.WorkspaceID, e.ActorID, e.Action, e.TargetKind, e.TargetID, data, e.IP, micros(e.CreatedAt))
		if err != nil {
			return classify("insert", err, on{
				primaryKeyViolation: conflict(msgIDTaken),
				foreignKeyViolation: missing(msgWorkspaceNotFound),
			})
		}
		return nil
	})
}

// ListAudit returns the workspace's audit events matching f, newest first
// (ids are time-ordered), at most f.Limit (default relay.DefaultAuditPage),
// with the actor's public face when the actor is a known user; never nil.
func (db *DB) ListAudit(ctx context.Context, workspaceID relay.ID, f relay.AuditFilter) ([]relay.AuditEvent, error) {
	where := []string{"a.workspace_id = $1"}
	args := []any{workspaceID}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.Action != "" {
		add("a.action = ?", f.Action)
	}
	if f.ActorID != 0 {
		add("a.actor_id = ?", f.ActorID)
	}
	if f.TargetKind != "" {
		add("a.target_kind = ?", f.TargetKind)
	}
	if f.TargetID != 0 {
		add("a.target_id = ?", f.TargetID)
	}
	if !f.Since.IsZero() {
		add("a.created_at >= ?", micros(f.Since))
	}
	if !f.Until.IsZero() {
		add("a.created_at < ?", micros(f.Until))
	}
	if f.Before != 0 {
		add("a.id < ?", f.Before)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = relay.DefaultAuditPage
	}
	args = append(args, limit)
	rows, err := db.read.QueryContext(ctx, `SELECT a.id, a.workspace_id, a.actor_id, a.action, a.target_kind,
			a.target_id, a.data, a.ip, a.created_at, u.display_name, u.email, u.avatar_url
		FROM audit_events a LEFT JOIN users u ON u.id = a.actor_id
		WHERE `+strings.Join(where, " AND ")+`
		ORDER BY a.id DESC
		LIMIT $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, unavailable(fmt.Errorf("list audit: %w", err))
	}
	defer rows.Close()
	out := []relay.AuditEvent{}
	for rows.Next() {
		var e relay.AuditEvent
		var data string
		var created int64
		var name, email, avatar sql.NullString
		if err := rows.Scan(&e.ID, &e.WorkspaceID, &e.ActorID, &e.Action, &e.TargetKind, &e.TargetID,
			&data, &e.IP, &created, &name, &email, &avatar); err != nil {
			return nil, fmt.Errorf("list audit: %w", err)
		}
		e.Data, e.CreatedAt = json.RawMessage(data), fromMicros(created)
		if name.Valid {
			e.Actor = &relay.AuditActor{DisplayName: name.String, Email: email.String, AvatarURL: avatar.String}
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	return out, nil
}
