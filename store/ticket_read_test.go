package store_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

// convOf and notesOf are a ticket's channels, for msg.
func convOf(tk *relay.Ticket) *relay.Channel {
	return &relay.Channel{ID: tk.ChannelID, WorkspaceID: tk.WorkspaceID}
}

func notesOf(tk *relay.Ticket) *relay.Channel {
	return &relay.Channel{ID: tk.NotesChannelID, WorkspaceID: tk.WorkspaceID}
}

func systemLine(tk *relay.Ticket, body string) *relay.Message {
	return &relay.Message{ID: ids.New(), WorkspaceID: tk.WorkspaceID, ChannelID: tk.ChannelID,
		Author: relay.Author{Kind: relay.AuthorSystem, DisplayName: "Relay"}, Source: relay.SourceSystem,
		Body: body, CreatedAt: t0.Add(time.Hour)}
}

func mustTicketFor(t *testing.T, db *store.DB, ws, id, viewer relay.ID) *relay.Ticket {
	t.Helper()
	tk, err := db.Ticket(ctx, ws, id, viewer)
	must(t, err)
	return tk
}

// TestTicketLastMessage: the preview is the newest conversation message
// people wrote — never a note, a system line or a deleted message — on one
// line and cut to 140 runes, in the list as in the single ticket.
func TestTicketLastMessage(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		ed := mustMember(t, db, a, "ed@example.com")
		carl := mustCustomer(t, db, a, "carl@example.com")
		tk := mustTicket(t, db, a.ws.ID, carl, "Printer", t0)

		if got := mustTicketFor(t, db, a.ws.ID, tk.ID, ed.ID); got.LastMessage != nil || got.Unread || got.LastSeq != 0 {
			t.Fatalf("a ticket without messages: last %+v, unread %v, last_seq %d", got.LastMessage, got.Unread, got.LastSeq)
		}

		first := mustPostOne(t, db, msg(convOf(tk), carl, "It prints\n\n   blank   pages."))
		reply := mustPostOne(t, db, msg(convOf(tk), ed, "Looking into it."))
		note := msg(notesOf(tk), ed, "secret-note: newer than everything")
		note.Internal, note.CreatedAt = true, t0.Add(2*time.Hour)
		mustPostOne(t, db, note)
		mustPostOne(t, db, systemLine(tk, "ed resolved the ticket."))

		check := func(what string, wantID relay.ID, wantAuthor *relay.User, wantBody string) {
			t.Helper()
			got := mustTicketFor(t, db, a.ws.ID, tk.ID, ed.ID)
			page, err := db.ListTickets(ctx, a.ws.ID, relay.TicketFilter{Viewer: ed.ID})
			must(t, err)
			if len(page.Tickets) != 1 {
				t.Fatalf("%s: list has %d tickets", what, len(page.Tickets))
			}
			for _, tk := range []*relay.Ticket{got, &page.Tickets[0]} {
				lm := tk.LastMessage
				if wantID == 0 {
					if lm != nil {
						t.Fatalf("%s: last message %+v, want none", what, lm)
					}
					continue
				}
				if lm == nil || lm.Author.ID != wantAuthor.ID || lm.Author.DisplayName != wantAuthor.DisplayName || lm.Body != wantBody {
					t.Fatalf("%s: last message %+v, want %q by %s", what, lm, wantBody, wantAuthor.DisplayName)
				}
				if strings.Contains(lm.Body, "secret-note") {
					t.Fatalf("%s: the preview shows a note", what)
				}
			}
		}
		check("after a note and a system line", reply.ID, ed, "Looking into it.")
		// The preview is the same whoever looks (desk events have no viewer).
		if got := mustTicketFor(t, db, a.ws.ID, tk.ID, 0); got.LastMessage == nil || got.LastMessage.Seq != reply.Seq ||
			!got.LastMessage.CreatedAt.Equal(reply.CreatedAt) {
			t.Fatalf("no viewer: last message %+v", got.LastMessage)
		}

		// A deleted message gives way to the one before it.
		_, err := db.DeleteMessage(ctx, a.ws.ID, reply.ID, t0.Add(3*time.Hour))
		must(t, err)
		check("after deleting the reply", first.ID, carl, "It prints blank pages.")
		_, err = db.DeleteMessage(ctx, a.ws.ID, first.ID, t0.Add(3*time.Hour))
		must(t, err)
		check("after deleting both", 0, nil, "")

		// A long message is cut to 140 runes, on one line.
		long := strings.Repeat("é", 100) + "\n" + strings.Repeat("x", 200)
		mustPostOne(t, db, msg(convOf(tk), carl, long))
		got := mustTicketFor(t, db, a.ws.ID, tk.ID, ed.ID)
		if n := len([]rune(got.LastMessage.Body)); n != relay.MaxTicketPreviewRunes || !strings.HasSuffix(got.LastMessage.Body, "…") ||
			!strings.HasPrefix(got.LastMessage.Body, strings.Repeat("é", 100)+" x") {
			t.Fatalf("long preview (%d runes): %q", n, got.LastMessage.Body)
		}
	})
}

// TestTicketReads: each person has their own read state of a ticket; it
// never moves backwards, is clamped to the conversation, and never
// crosses workspaces or tickets.
func TestTicketReads(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		b := mustCreateWorkspace(t, db, "b", "bea@example.com")
		ed := mustMember(t, db, a, "ed@example.com")
		carl := mustCustomer(t, db, a, "carl@example.com")
		di := mustCustomer(t, db, a, "di@example.com")
		tk := mustTicket(t, db, a.ws.ID, carl, "Printer", t0)
		diTk := mustTicket(t, db, a.ws.ID, di, "Scanner", t0.Add(time.Second))

		unread := func(viewer *relay.User, id relay.ID) (bool, int64, int64) {
			t.Helper()
			got := mustTicketFor(t, db, a.ws.ID, id, viewer.ID)
			return got.Unread, got.UnreadCount, got.ReadSeq
		}
		// Nothing said yet: nothing unread.
		if u, n, _ := unread(ed, tk.ID); u || n != 0 {
			t.Fatalf("empty ticket: unread %v, %d", u, n)
		}
		msgs := postN(t, db, convOf(tk), carl, 3)
		note := msg(notesOf(tk), ed, "note")
		note.Internal = true
		mustPostOne(t, db, note)
		// Never opened: unread for everyone, counting the conversation only.
		for _, who := range []*relay.User{ed, a.owner, carl} {
			if u, n, r := unread(who, tk.ID); !u || n != 3 || r != 0 {
				t.Fatalf("%s before reading: unread %v, count %d, read %d; want true, 3, 0", who.Email, u, n, r)
			}
		}
		if got := mustTicketFor(t, db, a.ws.ID, tk.ID, 0); got.Unread || got.UnreadCount != 0 || got.ReadSeq != 0 {
			t.Fatalf("no viewer: %+v", got)
		}

		changed, err := db.MarkTicketRead(ctx, a.ws.ID, tk.ID, ed.ID, msgs[1].Seq)
		must(t, err)
		if !changed {
			t.Fatal("first read: not changed")
		}
		if u, n, r := unread(ed, tk.ID); !u || n != 1 || r != msgs[1].Seq {
			t.Fatalf("ed after reading 2: unread %v, count %d, read %d", u, n, r)
		}
		// Backwards (or 0) changes nothing.
		for _, seq := range []int64{msgs[0].Seq, 0, msgs[1].Seq} {
			changed, err = db.MarkTicketRead(ctx, a.ws.ID, tk.ID, ed.ID, seq)
			must(t, err)
			if changed {
				t.Fatalf("read back to %d: changed", seq)
			}
		}
		if _, _, r := unread(ed, tk.ID); r != msgs[1].Seq {
			t.Fatalf("cursor moved back to %d", r)
		}
		// Beyond the end is clamped to the last seq.
		_, err = db.MarkTicketRead(ctx, a.ws.ID, tk.ID, ed.ID, 1000)
		must(t, err)
		if u, n, r := unread(ed, tk.ID); u || n != 0 || r != msgs[2].Seq {
			t.Fatalf("ed after reading all: unread %v, count %d, read %d", u, n, r)
		}
		// Per viewer: the others still have it unread; the list agrees.
		if u, n, _ := unread(a.owner, tk.ID); !u || n != 3 {
			t.Fatalf("owner: unread %v, %d", u, n)
		}
		page, err := db.ListTickets(ctx, a.ws.ID, relay.TicketFilter{Viewer: ed.ID, Sort: relay.TicketSortOldest})
		must(t, err)
		if len(page.Tickets) != 2 || page.Tickets[0].Unread || page.Tickets[0].ReadSeq != msgs[2].Seq || page.Tickets[1].Unread {
			t.Fatalf("ed's list: %+v", page.Tickets)
		}
		page, err = db.ListTickets(ctx, a.ws.ID, relay.TicketFilter{Viewer: a.owner.ID})
		must(t, err)
		for _, x := range page.Tickets {
			if x.ID == tk.ID && (!x.Unread || x.UnreadCount != 3) {
				t.Fatalf("owner's list row: %+v", x)
			}
		}
		// A new message makes it unread again, counting one.
		mustPostOne(t, db, systemLine(tk, "ann took the ticket."))
		if u, n, _ := unread(ed, tk.ID); !u || n != 1 {
			t.Fatalf("ed after a new line: unread %v, %d", u, n)
		}

		// Another customer's ticket and read state are their own.
		_, err = db.MarkTicketRead(ctx, a.ws.ID, tk.ID, carl.ID, msgs[2].Seq)
		must(t, err)
		mustPostOne(t, db, msg(convOf(diTk), di, "mine"))
		if u, n, r := unread(di, diTk.ID); !u || n != 1 || r != 0 {
			t.Fatalf("di's own ticket after carl read his: unread %v, %d, read %d", u, n, r)
		}
		if got := mustTicketFor(t, db, a.ws.ID, diTk.ID, carl.ID); got.LastMessage == nil || got.LastMessage.Author.ID != di.ID {
			t.Fatalf("di's ticket preview: %+v", got.LastMessage)
		}

		// Another workspace cannot read or mark the ticket.
		_, err = db.MarkTicketRead(ctx, b.ws.ID, tk.ID, b.owner.ID, 1)
		wantCode(t, err, relay.ENOTFOUND, "")
		_, err = db.Ticket(ctx, b.ws.ID, tk.ID, b.owner.ID)
		wantCode(t, err, relay.ENOTFOUND, "")
		if n := count(t, db, `SELECT count(*) FROM ticket_reads WHERE workspace_id = $1`, b.ws.ID); n != 0 {
			t.Fatalf("%d read rows in b", n)
		}
		_, err = db.MarkTicketRead(ctx, a.ws.ID, 12345, ed.ID, 1)
		wantCode(t, err, relay.ENOTFOUND, "")

		// Concurrent reads: the furthest wins, whatever the order.
		more := postN(t, db, convOf(tk), carl, 8)
		var wg sync.WaitGroup
		for _, m := range more {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := db.MarkTicketRead(ctx, a.ws.ID, tk.ID, a.owner.ID, m.Seq); err != nil {
					t.Errorf("MarkTicketRead: %v", err)
				}
			}()
		}
		wg.Wait()
		if u, n, r := unread(a.owner, tk.ID); u || n != 0 || r != more[len(more)-1].Seq {
			t.Fatalf("owner after concurrent reads: unread %v, %d, read %d", u, n, r)
		}

		// Deleting the workspace takes the read state with it.
		must(t, db.DeleteWorkspace(ctx, a.ws.ID))
		if n := count(t, db, `SELECT count(*) FROM ticket_reads WHERE workspace_id = $1`, a.ws.ID); n != 0 {
			t.Fatalf("%d read rows left", n)
		}
	})
}
