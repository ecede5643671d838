package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/relayhq/relay"
)

const (
	msgTicketNotFound    = "Ticket not found."
	msgTicketChanged     = "The ticket changed meanwhile; reload it and try again."
	msgTicketClosed      = "The ticket is closed."
	msgReferenceNotFound = "The ticket this one follows up was not found."
	msgBadTicket         = "That is not a valid ticket."
	msgBadCursor         = "The cursor is not valid for this list; start again without it."
)

// ticketColumns are read from ticketFrom; $1 is the viewer (0: none).
//
// The last message preview is read with a correlated subquery rather than
// columns kept up to date by every post: posts go through the batching
// sequencer, which knows nothing of tickets, and edits and deletes would
// have to maintain the copy too. The subquery walks the conversation's
// messages_visible_idx (channel_id, seq) backwards from its newest message
// and stops at the first one that is neither deleted nor a system line: one
// or a few index entries per ticket row. PostgreSQL gets it as a LATERAL
// join (a subquery in the ON clause would be planned as a hash join over
// all messages); SQLite, which has no LATERAL, as a primary-key join on the
// scalar subquery, which it runs per row. Notes live in the notes channel
// and can never be picked; the internal guard is there all the same. The
// body is cut in SQL so a long message is not read whole for the preview.
//
// Read state is ticket_reads (the requester and staff alike): no row is
// nothing read.
const ticketColumns = `t.id, t.workspace_id, t.number, t.subject, t.description, t.status, t.priority,
	t.requester_id, COALESCE(r.display_name, ''), COALESCE(r.avatar_url, ''),
	t.assignee_id, COALESCE(a.display_name, ''), COALESCE(a.avatar_url, ''),
	t.channel_id, t.notes_channel_id, t.reference_id, t.created_at, t.updated_at, t.first_response_at,
	t.resolved_at, t.closed_at, t.last_activity_at, c.last_seq, c.visible_count,
	COALESCE(tr.last_seq, 0), COALESCE(tr.read_visible, 0),
	lm.seq, lm.author_id, COALESCE(lu.display_name, lm.author_name), COALESCE(lu.avatar_url, lm.author_avatar),
	substr(lm.body, 1, 800), lm.created_at`

// lastMessageWhere picks the preview among a conversation's messages m.
const lastMessageWhere = `m.channel_id = t.channel_id AND m.visible_pos IS NOT NULL AND m.deleted_at IS NULL
	AND m.author_kind <> 'system' AND NOT m.internal ORDER BY m.seq DESC LIMIT 1`

// ticketFrom joins what ticketColumns reads.
func (db *DB) ticketFrom() string {
	last := `LEFT JOIN messages lm ON lm.id = (SELECT m.id FROM messages m WHERE ` + lastMessageWhere + `)`
	if db.engine == EnginePostgres {
		last = `LEFT JOIN LATERAL (SELECT m.seq, m.author_id, m.author_kind, m.author_name, m.author_avatar, m.body,
			m.created_at FROM messages m WHERE ` + lastMessageWhere + `) lm ON true`
	}
	return ` FROM tickets t
	JOIN channels c ON c.id = t.channel_id
	LEFT JOIN ticket_reads tr ON tr.ticket_id = t.id AND tr.user_id = $1
	LEFT JOIN users r ON r.id = t.requester_id
	LEFT JOIN users a ON a.id = t.assignee_id
	` + last + `
	LEFT JOIN users lu ON lm.author_kind = 'user' AND lu.id = lm.author_id`
}

func scanTicket(row interface{ Scan(...any) error }, viewer relay.ID) (*relay.Ticket, error) {
	var t relay.Ticket
	var assignee, reference, firstResponse, resolved, closed sql.NullInt64
	var aName, aAvatar string
	var created, updated, activity, visible, readVisible int64
	var lmSeq, lmAuthor, lmCreated sql.NullInt64
	var lmName, lmAvatar, lmBody sql.NullString
	if err := row.Scan(&t.ID, &t.WorkspaceID, &t.Number, &t.Subject, &t.Description, &t.Status, &t.Priority,
		&t.Requester.ID, &t.Requester.DisplayName, &t.Requester.AvatarURL,
		&assignee, &aName, &aAvatar,
		&t.ChannelID, &t.NotesChannelID, &reference, &created, &updated, &firstResponse,
		&resolved, &closed, &activity, &t.LastSeq, &visible, &t.ReadSeq, &readVisible,
		&lmSeq, &lmAuthor, &lmName, &lmAvatar, &lmBody, &lmCreated); err != nil {
		return nil, err
	}
	if assignee.Valid {
		t.Assignee = &relay.Person{ID: relay.ID(assignee.Int64), DisplayName: aName, AvatarURL: aAvatar}
	}
	if reference.Valid {
		id := relay.ID(reference.Int64)
		t.ReferenceID = &id
	}
	if lmSeq.Valid {
		t.LastMessage = &relay.TicketPreview{Seq: lmSeq.Int64,
			Author:    relay.Person{ID: relay.ID(lmAuthor.Int64), DisplayName: lmName.String, AvatarURL: lmAvatar.String},
			Body:      relay.PreviewText(lmBody.String, relay.MaxTicketPreviewRunes),
			CreatedAt: fromMicros(lmCreated.Int64)}
	}
	if viewer == 0 {
		t.ReadSeq = 0
	} else {
		t.Unread = t.LastSeq > t.ReadSeq
		t.UnreadCount = max(0, visible-readVisible)
	}
	t.CreatedAt, t.UpdatedAt, t.LastActivityAt = fromMicros(created), fromMicros(updated), fromMicros(activity)
	t.FirstResponseAt, t.ResolvedAt, t.ClosedAt = timePtr(firstResponse), timePtr(resolved), timePtr(closed)
	t.Tags = []string{}
	return &t, nil
}

// MarkTicketRead implements app.TicketStore. Like MarkRead for channels:
// seq is clamped to the conversation's last seq, read_visible is the
// timeline position at it (one probe of messages_visible_idx), and the
// upsert only ever moves the cursor forward, so a concurrent read or an
// older tab cannot move it back.
func (db *DB) MarkTicketRead(ctx context.Context, workspaceID, ticketID, userID relay.ID, seq int64) (bool, error) {
	var changed bool
	err := db.update(ctx, "mark ticket read", func(tx *sql.Tx) error {
		var channel relay.ID
		var last int64
		err := tx.QueryRowContext(ctx, `SELECT t.channel_id, c.last_seq FROM tickets t JOIN channels c ON c.id = t.channel_id
			WHERE t.workspace_id = $1 AND t.id = $2`, workspaceID, ticketID).Scan(&channel, &last)
		if err != nil {
			return notFound("ticket", err, msgTicketNotFound)
		}
		if seq = min(seq, last); seq <= 0 {
			return nil
		}
		var visible int64
		err = tx.QueryRowContext(ctx, `SELECT visible_pos FROM messages
			WHERE channel_id = $1 AND seq <= $2 AND visible_pos IS NOT NULL
			ORDER BY seq DESC LIMIT 1`, channel, seq).Scan(&visible)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("visible position: %w", err)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO ticket_reads (workspace_id, ticket_id, user_id, last_seq, read_visible)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (ticket_id, user_id) DO UPDATE SET last_seq = excluded.last_seq, read_visible = excluded.read_visible
			WHERE ticket_reads.last_seq < excluded.last_seq`, workspaceID, ticketID, userID, seq, visible)
		if err != nil {
			return classify("mark ticket read", err, on{foreignKeyViolation: missing(msgUserNotFound)})
		}
		n, err := rowsAffected(res)
		changed = n == 1
		return err
	})
	return changed, err
}

// CreateTicket implements app.TicketStore.
func (db *DB) CreateTicket(ctx context.Context, t *relay.Ticket, conv, notes *relay.Channel, ev *relay.TicketEvent) error {
	if t.Priority == "" {
		t.Priority = relay.PriorityNormal
	}
	if t.Status == "" {
		t.Status = relay.TicketOpen
	}
	return db.update(ctx, "create ticket", func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `UPDATE workspaces SET ticket_seq = ticket_seq + 1 WHERE id = $1
			RETURNING ticket_seq`, t.WorkspaceID).Scan(&t.Number); err != nil {
			return notFound("next ticket number", err, msgWorkspaceNotFound)
		}
		n := strconv.FormatInt(t.Number, 10)
		conv.Name, notes.Name = "ticket-"+n, "ticket-"+n+"-notes"
		conv.Kind, notes.Kind = relay.ChannelTicket, relay.ChannelTicket
		conv.WorkspaceID, notes.WorkspaceID = t.WorkspaceID, t.WorkspaceID
		conv.CreatedBy, notes.CreatedBy = 0, 0
		if err := db.insertChannel(ctx, tx, conv, []relay.ID{t.Requester.ID}, false); err != nil {
			return err
		}
		if err := db.insertChannel(ctx, tx, notes, nil, false); err != nil {
			return err
		}
		t.ChannelID, t.NotesChannelID = conv.ID, notes.ID
		t.CreatedAt = normal(t.CreatedAt)
		t.UpdatedAt, t.LastActivityAt = t.CreatedAt, t.CreatedAt
		var assignee any
		if t.Assignee != nil {
			assignee = t.Assignee.ID
		}
		var reference any
		if t.ReferenceID != nil {
			reference = *t.ReferenceID
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO tickets (id, workspace_id, number, subject, description, status,
				priority, priority_rank, requester_id, assignee_id, channel_id, notes_channel_id, reference_id,
				created_at, updated_at, last_activity_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $14)`,
			t.ID, t.WorkspaceID, t.Number, t.Subject, t.Description, t.Status, t.Priority, t.Priority.Rank(),
			t.Requester.ID, assignee, t.ChannelID, t.NotesChannelID, reference, micros(t.CreatedAt))
		if err != nil {
			notFoundRef := missing(msgMemberNotFound)
			if t.ReferenceID != nil {
				notFoundRef = missing(msgReferenceNotFound)
			}
			return classify("insert ticket", err, on{
				primaryKeyViolation: conflict(msgIDTaken),
				uniqueViolation:     conflict(msgIDTaken),
				foreignKeyViolation: notFoundRef,
				checkViolation:      invalid(msgBadTicket),
			})
		}
		if err := db.insertTags(ctx, tx, t.WorkspaceID, t.ID, t.Tags); err != nil {
			return err
		}
		if t.Tags == nil {
			t.Tags = []string{}
		}
		ev.TicketID = t.ID
		return insertTicketEvent(ctx, tx, t.WorkspaceID, ev)
	})
}

func (db *DB) insertTags(ctx context.Context, tx *sql.Tx, ws, ticketID relay.ID, tags []string) error {
	if len(tags) == 0 {
		return nil
	}
	rows := make([][]any, len(tags))
	for i, tag := range tags {
		rows[i] = []any{ws, ticketID, tag}
	}
	if err := db.insertRows(ctx, tx, "ticket_tags", []string{"workspace_id", "ticket_id", "tag"}, rows); err != nil {
		return classify("insert ticket tags", err, on{checkViolation: invalid(msgBadTicket), primaryKeyViolation: invalid(msgBadTicket)})
	}
	return nil
}

func insertTicketEvent(ctx context.Context, q querier, ws relay.ID, ev *relay.TicketEvent) error {
	if ev == nil {
		return nil
	}
	var actor any
	if ev.Actor != nil && ev.Actor.ID != 0 {
		actor = ev.Actor.ID
	}
	data := string(ev.Data)
	if data == "" {
		data = "{}"
	}
	ev.CreatedAt = normal(ev.CreatedAt)
	_, err := q.ExecContext(ctx, `INSERT INTO ticket_events (id, workspace_id, ticket_id, actor_id, kind, data, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, ev.ID, ws, ev.TicketID, actor, ev.Kind, data, micros(ev.CreatedAt))
	if err == nil {
		return nil
	}
	return classify("insert ticket event", err, on{checkViolation: invalid(msgBadTicket), primaryKeyViolation: conflict(msgIDTaken)})
}

// ticketTx reads one ticket with its tags through q.
func (db *DB) ticketTx(ctx context.Context, q querier, ws, id, viewer relay.ID) (*relay.Ticket, error) {
	t, err := scanTicket(q.QueryRowContext(ctx, `SELECT `+ticketColumns+db.ticketFrom()+`
		WHERE t.workspace_id = $2 AND t.id = $3`, viewer, ws, id), viewer)
	if err != nil {
		return nil, notFound("ticket", err, msgTicketNotFound)
	}
	if err := loadTags(ctx, q, ws, []*relay.Ticket{t}); err != nil {
		return nil, err
	}
	return t, nil
}

// loadTags fills in the tickets' tags, sorted, with one query.
func loadTags(ctx context.Context, q querier, ws relay.ID, ts []*relay.Ticket) error {
	if len(ts) == 0 {
		return nil
	}
	byID := make(map[relay.ID]*relay.Ticket, len(ts))
	args := []any{ws}
	for _, t := range ts {
		byID[t.ID] = t
		args = append(args, t.ID)
	}
	rows, err := q.QueryContext(ctx, `SELECT ticket_id, tag FROM ticket_tags
		WHERE workspace_id = $1 AND ticket_id IN (`+placeholders(2, len(ts))+`) ORDER BY ticket_id, tag`, args...)
	if err != nil {
		return fmt.Errorf("ticket tags: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id relay.ID
		var tag string
		if err := rows.Scan(&id, &tag); err != nil {
			return fmt.Errorf("ticket tags: %w", err)
		}
		if t := byID[id]; t != nil {
			t.Tags = append(t.Tags, tag)
		}
	}
	return rows.Err()
}

// Ticket implements app.TicketStore.
func (db *DB) Ticket(ctx context.Context, workspaceID, ticketID, viewer relay.ID) (*relay.Ticket, error) {
	var t *relay.Ticket
	err := db.view(ctx, "ticket", func(tx *sql.Tx) (err error) {
		t, err = db.ticketTx(ctx, tx, workspaceID, ticketID, viewer)
		return err
	})
	return t, err
}

// TicketByChannel implements app.TicketStore.
func (db *DB) TicketByChannel(ctx context.Context, workspaceID, channelID relay.ID) (*relay.Ticket, error) {
	var t *relay.Ticket
	err := db.view(ctx, "ticket by channel", func(tx *sql.Tx) error {
		var id relay.ID
		err := tx.QueryRowContext(ctx, `SELECT id FROM tickets WHERE workspace_id = $1 AND channel_id = $2
			UNION ALL SELECT id FROM tickets WHERE workspace_id = $1 AND notes_channel_id = $2`, workspaceID, channelID).Scan(&id)
		if err != nil {
			return notFound("ticket by channel", err, msgTicketNotFound)
		}
		t, err = db.ticketTx(ctx, tx, workspaceID, id, 0)
		return err
	})
	return t, err
}

// ChangeTicket implements app.TicketStore.
func (db *DB) ChangeTicket(ctx context.Context, workspaceID, ticketID relay.ID, ch relay.TicketChange) (*relay.Ticket, error) {
	var t *relay.Ticket
	err := db.update(ctx, "change ticket", func(tx *sql.Tx) error {
		now := micros(ch.Now)
		set := []string{"updated_at = $1"}
		args := []any{now, workspaceID, ticketID}
		arg := func(v any) string {
			args = append(args, v)
			return "$" + strconv.Itoa(len(args))
		}
		if ch.Status != "" {
			set = append(set, "status = "+arg(ch.Status))
			switch ch.Status {
			case relay.TicketResolved:
				set = append(set, "resolved_at = $1")
			case relay.TicketClosed:
				set = append(set, "closed_at = $1")
			default:
				set = append(set, "resolved_at = NULL")
			}
		}
		if ch.Assign {
			var v any
			if ch.AssigneeID != 0 {
				v = ch.AssigneeID
			}
			set = append(set, "assignee_id = "+arg(v))
		}
		where := "workspace_id = $2 AND id = $3"
		if len(ch.From) > 0 {
			in := make([]string, len(ch.From))
			for i, s := range ch.From {
				in[i] = arg(s)
			}
			where += " AND status IN (" + strings.Join(in, ", ") + ")"
		}
		if ch.ExpectAssignee != nil {
			if *ch.ExpectAssignee == 0 {
				where += " AND assignee_id IS NULL"
			} else {
				where += " AND assignee_id = " + arg(*ch.ExpectAssignee)
			}
		}
		res, err := tx.ExecContext(ctx, `UPDATE tickets SET `+strings.Join(set, ", ")+` WHERE `+where, args...)
		if err != nil {
			return classify("update ticket", err, on{checkViolation: conflict(msgTicketChanged), foreignKeyViolation: missing(msgUserNotFound)})
		}
		if n, err := rowsAffected(res); err != nil {
			return err
		} else if n == 0 {
			if _, err := db.ticketTx(ctx, tx, workspaceID, ticketID, 0); err != nil {
				return err
			}
			return conflict(msgTicketChanged)
		}
		if ch.Event != nil {
			ch.Event.TicketID = ticketID
			if err := insertTicketEvent(ctx, tx, workspaceID, ch.Event); err != nil {
				return err
			}
		}
		t, err = db.ticketTx(ctx, tx, workspaceID, ticketID, 0)
		return err
	})
	return t, err
}

// UpdateTicket implements app.TicketStore.
func (db *DB) UpdateTicket(ctx context.Context, workspaceID, ticketID relay.ID, upd relay.TicketUpdate, events []*relay.TicketEvent, now time.Time) (*relay.Ticket, error) {
	var t *relay.Ticket
	err := db.update(ctx, "update ticket", func(tx *sql.Tx) error {
		set := []string{"updated_at = $1"}
		args := []any{micros(now), workspaceID, ticketID}
		if upd.Subject != nil {
			args = append(args, *upd.Subject)
			set = append(set, "subject = $"+strconv.Itoa(len(args)))
		}
		if upd.Priority != nil {
			args = append(args, *upd.Priority, upd.Priority.Rank())
			set = append(set, "priority = $"+strconv.Itoa(len(args)-1), "priority_rank = $"+strconv.Itoa(len(args)))
		}
		res, err := tx.ExecContext(ctx, `UPDATE tickets SET `+strings.Join(set, ", ")+`
			WHERE workspace_id = $2 AND id = $3 AND status <> 'closed'`, args...)
		if err != nil {
			return classify("update ticket", err, on{checkViolation: invalid(msgBadTicket)})
		}
		if n, err := rowsAffected(res); err != nil {
			return err
		} else if n == 0 {
			if _, err := db.ticketTx(ctx, tx, workspaceID, ticketID, 0); err != nil {
				return err
			}
			return conflict(msgTicketClosed)
		}
		if upd.Tags != nil {
			if _, err := tx.ExecContext(ctx, `DELETE FROM ticket_tags WHERE workspace_id = $1 AND ticket_id = $2`, workspaceID, ticketID); err != nil {
				return fmt.Errorf("delete tags: %w", err)
			}
			if err := db.insertTags(ctx, tx, workspaceID, ticketID, *upd.Tags); err != nil {
				return err
			}
		}
		for _, ev := range events {
			ev.TicketID = ticketID
			if err := insertTicketEvent(ctx, tx, workspaceID, ev); err != nil {
				return err
			}
		}
		t, err = db.ticketTx(ctx, tx, workspaceID, ticketID, 0)
		return err
	})
	return t, err
}

// TicketActivity implements app.TicketStore.
func (db *DB) TicketActivity(ctx context.Context, workspaceID, ticketID relay.ID, at time.Time, staffResponse bool) error {
	var first any
	if staffResponse {
		first = micros(at)
	}
	return db.update(ctx, "ticket activity", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE tickets SET
				last_activity_at = CASE WHEN last_activity_at < $3 THEN $3 ELSE last_activity_at END,
				first_response_at = COALESCE(first_response_at, $4)
			WHERE workspace_id = $1 AND id = $2`, workspaceID, ticketID, micros(at), first)
		if err != nil {
			return err
		}
		if n, err := rowsAffected(res); err != nil {
			return err
		} else if n == 0 {
			return missing(msgTicketNotFound)
		}
		return nil
	})
}

// TicketEvents implements app.TicketStore.
func (db *DB) TicketEvents(ctx context.Context, workspaceID, ticketID relay.ID) ([]relay.TicketEvent, error) {
	out := []relay.TicketEvent{}
	err := db.view(ctx, "ticket events", func(tx *sql.Tx) error {
		if _, err := db.ticketTx(ctx, tx, workspaceID, ticketID, 0); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT e.id, e.ticket_id, e.actor_id, COALESCE(u.display_name, ''),
				COALESCE(u.avatar_url, ''), e.kind, e.data, e.created_at
			FROM ticket_events e LEFT JOIN users u ON u.id = e.actor_id
			WHERE e.workspace_id = $1 AND e.ticket_id = $2 ORDER BY e.id`, workspaceID, ticketID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var ev relay.TicketEvent
			var actor sql.NullInt64
			var name, avatar, data string
			var created int64
			if err := rows.Scan(&ev.ID, &ev.TicketID, &actor, &name, &avatar, &ev.Kind, &data, &created); err != nil {
				return err
			}
			if actor.Valid {
				ev.Actor = &relay.Person{ID: relay.ID(actor.Int64), DisplayName: name, AvatarURL: avatar}
			}
			ev.Data, ev.CreatedAt = []byte(data), fromMicros(created)
			out = append(out, ev)
		}
		return rows.Err()
	})
	return out, err
}

// ticketCursor is a list position: the sort it belongs to and the last
// row's sort keys.
type ticketCursor struct {
	sort string
	keys []int64
}

func (c ticketCursor) encode() string {
	parts := []string{c.sort}
	for _, k := range c.keys {
		parts = append(parts, strconv.FormatInt(k, 10))
	}
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(parts, ".")))
}

func decodeTicketCursor(s, sort string, n int) ([]int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, invalid(msgBadCursor)
	}
	parts := strings.Split(string(b), ".")
	if len(parts) != n+1 || parts[0] != sort {
		return nil, invalid(msgBadCursor)
	}
	keys := make([]int64, n)
	for i, p := range parts[1:] {
		if keys[i], err = strconv.ParseInt(p, 10, 64); err != nil {
			return nil, invalid(msgBadCursor)
		}
	}
	return keys, nil
}

// likeEscaper escapes text for LIKE … ESCAPE '\'.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// likePattern escapes s for LIKE … ESCAPE '\', lower-cased, and wraps it
// in %…%.
func likePattern(s string) string {
	return "%" + strings.ToLower(likeEscaper.Replace(s)) + "%"
}

// ListTickets implements app.TicketStore.
func (db *DB) ListTickets(ctx context.Context, workspaceID relay.ID, f relay.TicketFilter) (*relay.TicketPage, error) {
	limit := limitOr(f.Limit, 50, 100)
	args := []any{f.Viewer, workspaceID}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	where := []string{"t.workspace_id = $2"}
	if len(f.Statuses) > 0 {
		in := make([]string, len(f.Statuses))
		for i, s := range f.Statuses {
			in[i] = arg(s)
		}
		where = append(where, "t.status IN ("+strings.Join(in, ", ")+")")
	}
	switch {
	case f.Unassigned:
		where = append(where, "t.assignee_id IS NULL")
	case f.AssigneeID != 0:
		where = append(where, "t.assignee_id = "+arg(f.AssigneeID))
	}
	if f.Priority != "" {
		where = append(where, "t.priority = "+arg(f.Priority))
	}
	if f.Tag != "" {
		where = append(where, "EXISTS (SELECT 1 FROM ticket_tags tt WHERE tt.ticket_id = t.id AND tt.tag = "+arg(f.Tag)+")")
	}
	if f.RequesterID != 0 {
		where = append(where, "t.requester_id = "+arg(f.RequesterID))
	}
	if text := strings.TrimSpace(f.Text); text != "" {
		p := arg(likePattern(text))
		cond := "lower(t.subject) LIKE " + p + ` ESCAPE '\' OR lower(t.description) LIKE ` + p + ` ESCAPE '\'`
		if n, err := strconv.ParseInt(strings.TrimPrefix(text, "#"), 10, 64); err == nil {
			cond += " OR t.number = " + arg(n)
		}
		where = append(where, "("+cond+")")
	}
	if len(f.Terms) > 0 || f.Number > 0 || len(f.IDs) > 0 {
		var alts []string
		if len(f.Terms) > 0 {
			var all []string
			for _, term := range f.Terms {
				p := arg(likePattern(term))
				all = append(all, "(lower(t.subject) LIKE "+p+` ESCAPE '\' OR lower(t.description) LIKE `+p+` ESCAPE '\')`)
			}
			alts = append(alts, "("+strings.Join(all, " AND ")+")")
		}
		if f.Number > 0 {
			alts = append(alts, "t.number = "+arg(f.Number))
		}
		if len(f.IDs) > 0 {
			ph := make([]string, len(f.IDs))
			for i, id := range f.IDs {
				ph[i] = arg(id)
			}
			alts = append(alts, "t.id IN ("+strings.Join(ph, ", ")+")")
		}
		where = append(where, "("+strings.Join(alts, " OR ")+")")
	}

	sort := f.Sort
	if sort == "" {
		sort = relay.TicketSortNewest
	}
	var order string
	var nkeys int
	var keysOf func(t *relay.Ticket) []int64
	switch sort {
	case relay.TicketSortNewest, relay.TicketSortOldest:
		nkeys = 2
		keysOf = func(t *relay.Ticket) []int64 { return []int64{micros(t.CreatedAt), int64(t.ID)} }
		op, dir := "<", "DESC"
		if sort == relay.TicketSortOldest {
			op, dir = ">", "ASC"
		}
		order = "t.created_at " + dir + ", t.id " + dir
		if f.Cursor != "" {
			k, err := decodeTicketCursor(f.Cursor, sort, nkeys)
			if err != nil {
				return nil, err
			}
			a, b := arg(k[0]), arg(k[1])
			where = append(where, "(t.created_at "+op+" "+a+" OR (t.created_at = "+a+" AND t.id "+op+" "+b+"))")
		}
	case relay.TicketSortActivity:
		nkeys = 2
		keysOf = func(t *relay.Ticket) []int64 { return []int64{micros(t.LastActivityAt), int64(t.ID)} }
		order = "t.last_activity_at DESC, t.id DESC"
		if f.Cursor != "" {
			k, err := decodeTicketCursor(f.Cursor, sort, nkeys)
			if err != nil {
				return nil, err
			}
			a, b := arg(k[0]), arg(k[1])
			where = append(where, "(t.last_activity_at < "+a+" OR (t.last_activity_at = "+a+" AND t.id < "+b+"))")
		}
	case relay.TicketSortPriority:
		// Most urgent first; within a priority, the longest waiting first.
		nkeys = 3
		keysOf = func(t *relay.Ticket) []int64 {
			return []int64{int64(t.Priority.Rank()), micros(t.CreatedAt), int64(t.ID)}
		}
		order = "t.priority_rank DESC, t.created_at ASC, t.id ASC"
		if f.Cursor != "" {
			k, err := decodeTicketCursor(f.Cursor, sort, nkeys)
			if err != nil {
				return nil, err
			}
			r, c, i := arg(k[0]), arg(k[1]), arg(k[2])
			where = append(where, "(t.priority_rank < "+r+" OR (t.priority_rank = "+r+" AND (t.created_at > "+c+
				" OR (t.created_at = "+c+" AND t.id > "+i+"))))")
		}
	default:
		return nil, invalid("sort must be newest, oldest, activity or priority.")
	}
	query := `SELECT ` + ticketColumns + db.ticketFrom() + ` WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY ` + order + ` LIMIT ` + strconv.Itoa(limit+1)

	page := &relay.TicketPage{Tickets: []relay.Ticket{}}
	err := db.view(ctx, "list tickets", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		var ts []*relay.Ticket
		for rows.Next() {
			t, err := scanTicket(rows, f.Viewer)
			if err != nil {
				return err
			}
			ts = append(ts, t)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if len(ts) > limit {
			ts = ts[:limit]
			page.NextCursor = ticketCursor{sort: sort, keys: keysOf(ts[limit-1])}.encode()
		}
		if err := loadTags(ctx, tx, workspaceID, ts); err != nil {
			return err
		}
		for _, t := range ts {
			page.Tickets = append(page.Tickets, *t)
		}
		return nil
	})
	if err != nil {
		var re *relay.Error
		if errors.As(err, &re) {
			return nil, re
		}
		return nil, err
	}
	return page, nil
}
