package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/relayhq/relay"
)

// microsPerDay buckets stored times (µs since the epoch, UTC) into UTC days
// by integer division, the same in both engines.
const microsPerDay = int64(24 * time.Hour / time.Microsecond)

// DeskFigures counts the desk in one read transaction (see app.StatsStore).
// Every query is an index range over the workspace's tickets or members;
// medians are left to the caller, which sorts the bounded samples (neither
// engine has one portable median aggregate).
func (db *DB) DeskFigures(ctx context.Context, workspaceID relay.ID, dayStart, sampleStart time.Time, maxSamples int) (*relay.DeskFigures, error) {
	f := &relay.DeskFigures{ByStatus: map[string]int{}, ByPriority: map[string]int{}, CreatedPerDay: map[int64]int{},
		ResolvedPerDay: map[int64]int{}, FirstResponse: []float64{}, Resolution: []float64{}, Agents: []relay.AgentLoad{},
		UsersByRole: map[relay.Role]int{}}
	err := db.view(ctx, "desk figures", func(tx *sql.Tx) error {
		counts := func(what string, into map[string]int, q string, args ...any) error {
			return eachRow(ctx, tx, what, q, args, func(rows *sql.Rows) error {
				var k string
				var n int
				if err := rows.Scan(&k, &n); err != nil {
					return err
				}
				into[k] = n
				return nil
			})
		}
		if err := counts("by status", f.ByStatus, `SELECT status, count(*) FROM tickets
			WHERE workspace_id = $1 GROUP BY status`, workspaceID); err != nil {
			return err
		}
		if err := counts("by priority", f.ByPriority, `SELECT priority, count(*) FROM tickets
			WHERE workspace_id = $1 GROUP BY priority`, workspaceID); err != nil {
			return err
		}
		perDay := func(what, col string, into map[int64]int) error {
			day := col + " / " + strconv.FormatInt(microsPerDay, 10)
			return eachRow(ctx, tx, what, `SELECT `+day+`, count(*) FROM tickets
				WHERE workspace_id = $1 AND `+col+` >= $2 GROUP BY `+day,
				[]any{workspaceID, micros(dayStart)}, func(rows *sql.Rows) error {
					var day int64
					var n int
					if err := rows.Scan(&day, &n); err != nil {
						return err
					}
					into[day] = n
					return nil
				})
		}
		if err := perDay("created per day", "created_at", f.CreatedPerDay); err != nil {
			return err
		}
		if err := perDay("resolved per day", "resolved_at", f.ResolvedPerDay); err != nil {
			return err
		}
		samples := func(what, end string, into *[]float64, q string) error {
			return eachRow(ctx, tx, what, `SELECT `+end+` - created_at FROM tickets
				WHERE workspace_id = $1 AND `+end+` IS NOT NULL AND `+q+` >= $2
				ORDER BY `+q+` DESC LIMIT $3`, []any{workspaceID, micros(sampleStart), maxSamples}, func(rows *sql.Rows) error {
				var us int64
				if err := rows.Scan(&us); err != nil {
					return err
				}
				*into = append(*into, float64(max(us, 0))/1e6)
				return nil
			})
		}
		if err := samples("first responses", "first_response_at", &f.FirstResponse, "created_at"); err != nil {
			return err
		}
		if err := samples("resolutions", "resolved_at", &f.Resolution, "resolved_at"); err != nil {
			return err
		}
		if err := eachRow(ctx, tx, "agents", `SELECT u.id, u.display_name, u.avatar_url, m.role,
				(SELECT count(*) FROM tickets t
					WHERE t.workspace_id = m.workspace_id AND t.assignee_id = m.user_id AND t.status <> 'closed')
			FROM memberships m JOIN users u ON u.id = m.user_id
			WHERE m.workspace_id = $1
				AND (m.role IN ('owner', 'admin', 'agent') OR (m.role = 'member' AND m.desk))`, []any{workspaceID}, func(rows *sql.Rows) error {
			var l relay.AgentLoad
			if err := rows.Scan(&l.User.ID, &l.User.DisplayName, &l.User.AvatarURL, &l.Role, &l.OpenLoad); err != nil {
				return err
			}
			l.User.Kind = relay.AuthorUser
			f.Agents = append(f.Agents, l)
			return nil
		}); err != nil {
			return err
		}
		sortAgents(f.Agents)
		return eachRow(ctx, tx, "users by role", `SELECT role, count(*) FROM memberships
			WHERE workspace_id = $1 GROUP BY role`, []any{workspaceID}, func(rows *sql.Rows) error {
			var r relay.Role
			var n int
			if err := rows.Scan(&r, &n); err != nil {
				return err
			}
			f.UsersByRole[r] = n
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// sortAgents orders by load (most first), then name, then id: a stable
// order for the dashboard, in Go because collations differ between engines.
func sortAgents(ls []relay.AgentLoad) {
	slices.SortFunc(ls, func(a, b relay.AgentLoad) int {
		return cmp.Or(cmp.Compare(b.OpenLoad, a.OpenLoad), cmp.Compare(a.User.DisplayName, b.User.DisplayName),
			cmp.Compare(a.User.ID, b.User.ID))
	})
}

// eachRow runs q and calls fn for every row.
func eachRow(ctx context.Context, q querier, what, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}
