package socket_test

// The desk's topics: ticket:<id> (the requester and staff; internal notes
// for staff only, on their own stream) and desk:<workspace_id> (staff).

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/internal/testenv"
	"github.com/relayhq/relay/internal/testserver"
	"github.com/relayhq/relay/store"
)

// deskWorld is a world with an agent and two customers, carl and di.
type deskWorld struct {
	*world
	agent, carl, di testserver.Account
}

func newDeskWorld(t testing.TB, cfg testserver.Config) *deskWorld {
	t.Helper()
	w := newWorld(t, cfg)
	return &deskWorld{world: w, agent: w.st.Invite(t, w.owner, "gina", relay.RoleAgent),
		carl: w.st.Invite(t, w.owner, "carl", relay.RoleCustomer), di: w.st.Invite(t, w.owner, "di", relay.RoleCustomer)}
}

// deskEngines runs fn on a desk world over each engine.
func deskEngines(t *testing.T, fn func(t *testing.T, d *deskWorld)) {
	t.Helper()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		fn(t, newDeskWorld(t, testserver.Config{DB: db}))
	})
}

func (d *deskWorld) open(t testing.TB, who testserver.Account, desc string) relay.Ticket {
	t.Helper()
	var tk relay.Ticket
	d.st.Must(t, http.StatusCreated, "POST", "acme", "/api/v1/tickets", who.Token, map[string]any{"description": desc}, &tk)
	return tk
}

// say posts in a ticket's conversation or, internal, its notes.
func (d *deskWorld) say(t testing.TB, who testserver.Account, id relay.ID, body string, internal bool) relay.Message {
	t.Helper()
	var m relay.Message
	d.st.Must(t, http.StatusCreated, "POST", "acme", "/api/v1/tickets/"+id.String()+"/messages", who.Token,
		map[string]any{"body": body, "internal": internal}, &m)
	return m
}

func (d *deskWorld) patch(t testing.TB, who testserver.Account, id relay.ID, what string, body any) {
	t.Helper()
	d.st.Must(t, http.StatusOK, "PATCH", "acme", "/api/v1/tickets/"+id.String()+"/"+what, who.Token, body, nil)
}

// ticketReply is a ticket join's reply, with the notes fields as sent
// (nil when absent).
type ticketReply struct {
	LastSeq         int64  `json:"last_seq"`
	LastChange      int64  `json:"last_change"`
	Reset           bool   `json:"reset"`
	NotesLastSeq    *int64 `json:"notes_last_seq"`
	NotesLastChange *int64 `json:"notes_last_change"`
	NotesReset      *bool  `json:"notes_reset"`
}

// stream follows what one client saw of a ticket: the highest seq and
// change per channel, failing on a gap or a duplicate seq.
type stream struct {
	t      testing.TB
	who    string
	seq    map[relay.ID]int64
	change map[relay.ID]int64
}

func newStream(t testing.TB, who string) *stream {
	return &stream{t: t, who: who, seq: map[relay.ID]int64{}, change: map[relay.ID]int64{}}
}

// start records a stream's position from a join reply.
func (s *stream) start(ch relay.ID, seq, change int64) {
	s.seq[ch], s.change[ch] = max(s.seq[ch], seq), max(s.change[ch], change)
}

// see records a message frame; message:new must be the next seq of its channel.
func (s *stream) see(f frame) relay.Message {
	s.t.Helper()
	m := msgOf(f)
	if f.Event == "message:new" {
		if want := s.seq[m.ChannelID] + 1; m.Seq != want {
			s.t.Fatalf("%s: message:new seq %d in channel %d, want %d (gap or duplicate): %s", s.who, m.Seq, m.ChannelID, want, f)
		}
		s.seq[m.ChannelID] = m.Seq
	}
	s.change[m.ChannelID] = max(s.change[m.ChannelID], m.Change)
	return m
}

// customerSees fails unless frames hold nothing of the notes: no internal
// message, no internal typing, nothing naming the notes channel, no
// server-side stop of the topic (the order guard).
func customerSees(t testing.TB, frames []frame, notes relay.ID, noteBodies ...string) {
	t.Helper()
	for _, f := range frames {
		p := string(f.Payload)
		if strings.Contains(p, `"internal":true`) || strings.Contains(p, notes.String()) || f.Event == "phx_error" || f.Event == "phx_close" {
			t.Fatalf("the customer received %s", f)
		}
		for _, b := range noteBodies {
			if strings.Contains(p, b) {
				t.Fatalf("the customer received a note's body: %s", f)
			}
		}
	}
}

func messages(frames []frame) []frame {
	var out []frame
	for _, f := range frames {
		if strings.HasPrefix(f.Event, "message:") {
			out = append(out, f)
		}
	}
	return out
}

// TestTicketTopicAccess: who may join ticket:<id> and desk:<workspace_id>,
// and what the join replies carry.
func TestTicketTopicAccess(t *testing.T) {
	deskEngines(t, func(t *testing.T, d *deskWorld) {
		st := d.st
		t1, t2 := d.open(t, d.carl, "carl's printer"), d.open(t, d.di, "di's scanner")
		globex := st.Signup(t, "globex")
		topic1, desk := relay.TicketTopic(t1.ID), relay.DeskTopic(d.owner.WorkspaceID)

		refused := func(c *client, topic string, params any) {
			t.Helper()
			if r := c.join(topic, params); r.Status != "error" {
				t.Errorf("%s: join %s %v: %s, want an error", c.name, topic, params, r)
			} else if reason, _ := r.reason(); reason == "" {
				t.Errorf("%s: join %s: error without a reason: %s", c.name, topic, r)
			}
		}
		carl := dial(t, st, d.carl)
		refused(carl, relay.TicketTopic(t2.ID), nil) // another customer's ticket
		refused(carl, relay.TicketStaffTopic(t1.ID), nil)
		refused(carl, desk, nil)
		refused(carl, topic1, map[string]any{"notes_last_seq": 0}) // never notes
		refused(carl, topic1, map[string]any{"last_seq": 0, "notes_last_change": 0})
		refused(dial(t, st, d.di), topic1, nil)
		bob := dial(t, st, d.bob) // a member: no desk
		refused(bob, topic1, nil)
		refused(bob, desk, nil)
		agent := dial(t, st, d.agent)
		refused(agent, relay.TicketStaffTopic(t1.ID), nil) // only through ticket:<id>
		refused(agent, relay.DeskTopic(globex.WorkspaceID), nil)
		refused(agent, "ticket:12345", nil)
		g := dial(t, st, globex) // another workspace's owner, on its host
		refused(g, topic1, nil)
		refused(g, desk, nil)
		refused(g, relay.DeskTopic(globex.WorkspaceID+1), nil)
		g.mustJoin(relay.DeskTopic(globex.WorkspaceID), nil, nil)

		// The customer's reply has no notes fields.
		r := carl.join(topic1, map[string]any{"last_seq": 0, "last_change": 0})
		if r.Status != "ok" || strings.Contains(string(r.Response), "notes") {
			t.Fatalf("carl joins his ticket: %s, want ok without notes fields", r)
		}
		var cj ticketReply
		_ = json.Unmarshal(r.Response, &cj)
		if cj.Reset || cj.LastSeq != 0 {
			t.Fatalf("carl's reply %+v", cj)
		}
		d.say(t, d.agent, t1.ID, "a note", true)
		var aj ticketReply
		agent.mustJoin(topic1, nil, &aj)
		if aj.NotesLastSeq == nil || *aj.NotesLastSeq != 1 || aj.NotesLastChange == nil || *aj.NotesLastChange == 0 ||
			aj.NotesReset == nil || *aj.NotesReset || aj.LastSeq != 0 {
			t.Fatalf("the agent's reply %+v, want the notes' counters (seq 1)", aj)
		}
		agent.mustJoin(desk, nil, nil)
		owner := dial(t, st, d.owner)
		owner.mustJoin(desk, nil, nil)
		owner.mustJoin(relay.TicketTopic(t2.ID), map[string]any{"last_seq": 0, "notes_last_seq": 0}, nil)
		carl.alive()
	})
}

// TestTicketLive: a customer on their ticket sees the conversation, status
// and assignment live, and typing both ways, but never a note: not live,
// not as internal typing, not as a seq gap. Staff see both streams.
func TestTicketLive(t *testing.T) {
	d := newDeskWorld(t, testserver.Config{DB: testdb.SQLite(t)})
	st := d.st
	tk := d.open(t, d.carl, "It prints blank pages.")
	topic := relay.TicketTopic(tk.ID)

	carl, agent, owner := dial(t, st, d.carl), dial(t, st, d.agent), dial(t, st, d.owner)
	cs, as := newStream(t, "carl"), newStream(t, "agent")
	var j ticketReply
	carl.mustJoin(topic, nil, &j)
	cs.start(tk.ChannelID, j.LastSeq, j.LastChange)
	agent.mustJoin(topic, nil, &j)
	var notes relay.ID // the notes channel, learnt from the first note
	as.start(tk.ChannelID, j.LastSeq, j.LastChange)
	owner.mustJoin(topic, nil, nil)
	if f := carl.expect("user_joined", is(topic, "user_joined")); !strings.Contains(string(f.Payload), `"staff":true`) ||
		strings.Contains(string(f.Payload), "@") {
		t.Fatalf("user_joined: %s", f)
	}

	// Notes reach staff, live, under ticket:<id>.
	note := d.say(t, d.agent, tk.ID, "NOTE-1 the customer is on the old firmware", true)
	notes = note.ChannelID
	as.start(notes, 0, 0)
	if f := owner.expect("the note", isMsg(topic, note.ID)); !msgOf(f).Internal {
		t.Fatalf("owner got %s, want an internal note", f)
	}
	as.see(agent.expect("the note", isMsg(topic, note.ID)))

	// Conversation, assignment and status reach the customer.
	hello := d.say(t, d.carl, tk.ID, "Hello?", false)
	d.say(t, d.agent, tk.ID, "NOTE-2 asking him for the model", true)
	d.patch(t, d.agent, tk.ID, "assign", map[string]any{"assignee_id": d.agent.UserID})
	reply := d.say(t, d.agent, tk.ID, "Which model is it?", false)
	d.say(t, d.owner, tk.ID, "NOTE-3 owner was here", true)
	d.patch(t, d.agent, tk.ID, "status", map[string]any{"status": "resolved"})

	// Pushes: message:send for both, typing both ways, internal typing to staff only.
	r := carl.push(topic, "message:send", map[string]any{"body": "The X100", "client_msg_id": "c-1"})
	if r.Status != "ok" {
		t.Fatalf("carl's message:send: %s", r)
	}
	if r := carl.push(topic, "message:send", map[string]any{"body": "NOTE-4 sneaky", "internal": true}); r.Status != "error" {
		t.Fatalf("carl posting a note: %s, want an error", r)
	}
	if r := carl.push(topic, "typing", map[string]any{"internal": true}); r.Status != "error" {
		t.Fatalf("carl typing a note: %s, want an error", r)
	}
	if r := agent.push(topic, "message:send", map[string]any{"body": "NOTE-5 over the socket", "internal": true}); r.Status != "ok" {
		t.Fatalf("agent's note over the socket: %s", r)
	}
	if r := agent.push(topic, "typing", map[string]any{"internal": true}); r.Status != "ok" {
		t.Fatalf("agent's internal typing: %s", r)
	}
	if f := owner.expect("internal typing", is(topic, "typing")); !strings.Contains(string(f.Payload), `"internal":true`) ||
		!strings.Contains(string(f.Payload), `"display_name":"gina"`) {
		t.Fatalf("owner got %s, want gina's internal typing", f)
	}
	if r := agent.push(topic, "typing", nil); r.Status != "ok" {
		t.Fatalf("agent's typing: %s", r)
	}
	if r := carl.push(topic, "typing", nil); r.Status != "ok" {
		t.Fatalf("carl's typing: %s", r)
	}
	if f := agent.expect("carl typing", is(topic, "typing")); !strings.Contains(string(f.Payload), `"display_name":"carl"`) {
		t.Fatalf("agent got %s, want carl typing", f)
	}
	last := d.say(t, d.agent, tk.ID, "sentinel", false)

	frames := carl.until("the sentinel", isMsg(topic, last.ID))
	customerSees(t, frames, notes, "NOTE-")
	var got []string
	sawAssigned, sawStatus, sawTyping := false, false, false
	for _, f := range frames {
		switch f.Event {
		case "message:new":
			got = append(got, cs.see(f).Body)
		case "assigned":
			sawAssigned = true
		case "status:updated":
			sawStatus = sawStatus || strings.Contains(string(f.Payload), `"resolved"`)
		case "typing":
			sawTyping = sawTyping || strings.Contains(string(f.Payload), `"display_name":"gina"`)
		}
	}
	if !sawAssigned || !sawStatus || !sawTyping {
		t.Fatalf("carl: assigned %v, status %v, gina typing %v; frames %v", sawAssigned, sawStatus, sawTyping, frames)
	}
	if len(got) < 5 || got[0] != hello.Body || !strings.Contains(strings.Join(got, "|"), reply.Body) || got[len(got)-1] != "sentinel" {
		t.Fatalf("carl's conversation: %q", got)
	}

	// The agent saw both streams, each gap-free.
	nNotes := 0
	for _, f := range messages(agent.until("the sentinel", isMsg(topic, last.ID))) {
		if m := as.see(f); m.Internal {
			nNotes++
		}
	}
	if nNotes != 3 { // NOTE-2, NOTE-3, NOTE-5 (NOTE-1 was seen above)
		t.Fatalf("the agent saw %d more notes, want 3", nNotes)
	}
	carl.alive()
}

// TestTicketCatchUp: a customer who reconnects while notes were posted
// catches up the conversation only, gap-free; staff catch up both streams.
func TestTicketCatchUp(t *testing.T) {
	deskEngines(t, func(t *testing.T, d *deskWorld) {
		st := d.st
		tk := d.open(t, d.carl, "No sound.")
		topic := relay.TicketTopic(tk.ID)
		first := d.say(t, d.carl, tk.ID, "first", false)
		n1 := d.say(t, d.agent, tk.ID, "NOTE-a", true)
		notes := n1.ChannelID

		carl, agent := dial(t, st, d.carl), dial(t, st, d.agent)
		cs, as := newStream(t, "carl"), newStream(t, "agent")
		var j ticketReply
		carl.mustJoin(topic, nil, &j)
		if j.LastSeq != first.Seq {
			t.Fatalf("carl's reply %+v, want last_seq %d", j, first.Seq)
		}
		cs.start(tk.ChannelID, j.LastSeq, j.LastChange)
		agent.mustJoin(topic, nil, &j)
		as.start(tk.ChannelID, j.LastSeq, j.LastChange)
		as.start(notes, *j.NotesLastSeq, *j.NotesLastChange)
		carl.close()
		agent.close()

		// While both are away: notes, conversation, a status change, an edit-free mix.
		var conv, nts []relay.Message
		for i := range 3 {
			nts = append(nts, d.say(t, d.agent, tk.ID, "NOTE-b"+string(rune('0'+i)), true))
			conv = append(conv, d.say(t, d.agent, tk.ID, "reply "+string(rune('0'+i)), false))
		}
		d.patch(t, d.agent, tk.ID, "assign", map[string]any{"assignee_id": d.agent.UserID}) // a system line
		nts = append(nts, d.say(t, d.owner, tk.ID, "NOTE-c", true))

		// The customer rejoins: conversation only, from last_seq+1, no gap.
		carl = dial(t, st, d.carl)
		j = ticketReply{}
		carl.mustJoin(topic, map[string]any{"last_seq": cs.seq[tk.ChannelID], "last_change": cs.change[tk.ChannelID]}, &j)
		if j.Reset || j.NotesLastSeq != nil || j.LastSeq != cs.seq[tk.ChannelID]+4 {
			t.Fatalf("carl's rejoin reply %+v, want last_seq %d and no notes", j, cs.seq[tk.ChannelID]+4)
		}
		live := d.say(t, d.carl, tk.ID, "live", false)
		d.say(t, d.agent, tk.ID, "NOTE-d", true)
		sentinel := d.say(t, d.agent, tk.ID, "sentinel", false)
		frames := carl.until("the sentinel", isMsg(topic, sentinel.ID))
		customerSees(t, frames, notes, "NOTE-")
		var bodies []string
		for _, f := range messages(frames) {
			bodies = append(bodies, cs.see(f).Body)
		}
		if len(bodies) != 6 || bodies[0] != conv[0].Body || bodies[2] != conv[2].Body || bodies[4] != live.Body {
			t.Fatalf("carl's catch-up and live: %q", bodies)
		}

		// Staff rejoin with both positions: both replays, each gap-free.
		agent = dial(t, st, d.agent)
		j = ticketReply{}
		agent.mustJoin(topic, map[string]any{"last_seq": as.seq[tk.ChannelID], "last_change": as.change[tk.ChannelID],
			"notes_last_seq": as.seq[notes], "notes_last_change": as.change[notes]}, &j)
		if j.Reset || j.NotesReset == nil || *j.NotesReset || *j.NotesLastSeq != as.seq[notes]+5 {
			t.Fatalf("agent's rejoin reply %+v, want notes_last_seq %d", j, as.seq[notes]+5)
		}
		end := d.say(t, d.agent, tk.ID, "end", false)
		nConv, nNotes := 0, 0
		for _, f := range messages(agent.until("the end", isMsg(topic, end.ID))) {
			if m := as.see(f); m.ChannelID == notes {
				nNotes++
				if !m.Internal {
					t.Fatalf("a message of the notes channel is not internal: %s", f)
				}
			} else {
				nConv++
			}
		}
		// conversation: 3 replies, the system line, live, sentinel, end;
		// notes: 3 NOTE-b, NOTE-c, NOTE-d.
		if nConv != 7 || nNotes != 5 {
			t.Fatalf("the agent caught up %d conversation messages and %d notes, want 7 and 5", nConv, nNotes)
		}
	})
}

// TestDeskTopic: staff on desk:<workspace_id> see a ticket appear and change.
func TestDeskTopic(t *testing.T) {
	d := newDeskWorld(t, testserver.Config{DB: testdb.SQLite(t)})
	desk := relay.DeskTopic(d.owner.WorkspaceID)
	agent := dial(t, d.st, d.agent)
	agent.mustJoin(desk, nil, nil)
	tk := d.open(t, d.carl, "The app crashes.")
	f := agent.expect("ticket:created", is(desk, "ticket:created"))
	var got relay.Ticket
	if err := json.Unmarshal(f.Payload, &got); err != nil || got.ID != tk.ID || got.Requester.ID != d.carl.UserID {
		t.Fatalf("ticket:created %s (%v), want ticket %d", f, err, tk.ID)
	}
	d.patch(t, d.agent, tk.ID, "assign", map[string]any{"assignee_id": d.agent.UserID})
	agent.expect("ticket:updated", is(desk, "ticket:updated"))
}

// TestTicketRevocation: losing access while connected closes the socket,
// and the rejoin is refused: a removed customer, a customer whose role
// changed, a demoted agent.
func TestTicketRevocation(t *testing.T) {
	d := newDeskWorld(t, testserver.Config{DB: testdb.SQLite(t)})
	st := d.st
	tc, td := d.open(t, d.carl, "carl's"), d.open(t, d.di, "di's")
	desk := relay.DeskTopic(d.owner.WorkspaceID)
	role := func(a testserver.Account, r relay.Role) {
		st.Must(t, http.StatusOK, "PATCH", "acme", "/api/v1/members/"+a.UserID.String(), d.owner.Token, map[string]any{"role": r}, nil)
	}

	// A removed customer: closed, and cannot connect again.
	carl := dial(t, st, d.carl)
	carl.mustJoin(relay.TicketTopic(tc.ID), nil, nil)
	st.Must(t, http.StatusNoContent, "DELETE", "acme", "/api/v1/members/"+d.carl.UserID.String(), d.owner.Token, nil, nil)
	carl.closed()
	if _, status, _ := tryDial(t, st, "acme", d.carl.Token); status == http.StatusSwitchingProtocols {
		t.Fatal("a removed customer connected again")
	}

	// A customer made a member: closed; the ticket topic is refused now.
	di := dial(t, st, d.di)
	di.mustJoin(relay.TicketTopic(td.ID), nil, nil)
	role(d.di, relay.RoleMember)
	di.closed()
	di = dial(t, st, d.di)
	if r := di.join(relay.TicketTopic(td.ID), nil); r.Status != "error" {
		t.Fatalf("a former customer (now member) joins their ticket: %s", r)
	}

	// A demoted agent: closed; desk and notes are gone.
	agent := dial(t, st, d.agent)
	agent.mustJoin(desk, nil, nil)
	agent.mustJoin(relay.TicketTopic(tc.ID), nil, nil)
	role(d.agent, relay.RoleMember)
	agent.closed()
	agent = dial(t, st, d.agent)
	for _, topic := range []string{desk, relay.TicketTopic(tc.ID), relay.TicketTopic(td.ID)} {
		if r := agent.join(topic, nil); r.Status != "error" {
			t.Fatalf("a demoted agent joins %s: %s", topic, r)
		}
	}
	// Demoted to customer: not their tickets, and never notes.
	role(d.agent, relay.RoleCustomer)
	agent.closed()
	agent = dial(t, st, d.agent)
	if r := agent.join(desk, nil); r.Status != "error" {
		t.Fatalf("an agent demoted to customer joins the desk: %s", r)
	}
	if r := agent.join(relay.TicketTopic(tc.ID), nil); r.Status != "error" {
		t.Fatalf("an agent demoted to customer joins another's ticket: %s", r)
	}
}

// TestNotesNotifyNoCustomer: an internal note that names the customer
// (`<@id>`, @channel) sends them nothing — no mention, no unread, no event
// on their own topic — while the conversation still reaches them.
func TestNotesNotifyNoCustomer(t *testing.T) {
	d := newDeskWorld(t, testserver.Config{DB: testdb.SQLite(t)})
	tk := d.open(t, d.carl, "My kettle is late.")
	carl := dial(t, d.st, d.carl)
	carl.mustJoin(relay.UserTopic(d.carl.UserID), nil, nil)

	d.say(t, d.agent, tk.ID, "<@"+d.carl.UserID.String()+"> @channel refund approved, tell them tomorrow", true)
	sentinel := d.say(t, d.agent, tk.ID, "We are on it.", false)
	// The user topic carries nothing for the conversation either; wait for
	// the ticket's read state instead, then look at everything carl got.
	var got relay.Ticket
	testenv.CheckFor(t, 5*time.Second, 20*time.Millisecond, func() error {
		d.st.Must(t, http.StatusOK, "GET", "acme", "/api/v1/tickets/"+tk.ID.String(), d.carl.Token, nil, &got)
		if got.LastMessage == nil || got.LastMessage.Body != sentinel.Body {
			return fmt.Errorf("last message %+v, want the sentinel", got.LastMessage)
		}
		return nil
	})
	for _, f := range carl.drain() {
		if strings.Contains(string(f.Payload), "refund") || f.Event == "mention" {
			t.Errorf("the customer's user topic got %s", f)
		}
	}
	if got.UnreadCount != 1 { // the agent's reply only: never the note
		t.Errorf("unread_count %d, want 1 (the reply, not the note)", got.UnreadCount)
	}
}

// TestDeskGrantTopics: a member joins the desk and ticket topics once an
// admin grants them the desk (their open socket is closed to re-authorise),
// and losing the grant closes the socket and refuses the topics again.
func TestDeskGrantTopics(t *testing.T) {
	deskEngines(t, func(t *testing.T, d *deskWorld) {
		st := d.st
		mia := st.Invite(t, d.owner, "mia", relay.RoleMember)
		desk := relay.DeskTopic(d.owner.WorkspaceID)
		tc := d.open(t, d.carl, "carl's")
		grant := func(on bool) {
			var m relay.Member
			st.Must(t, http.StatusOK, "PATCH", "acme", "/api/v1/members/"+mia.UserID.String(), d.owner.Token, map[string]any{"desk": on}, &m)
			if m.Desk != on || m.Role != relay.RoleMember {
				t.Fatalf("PATCH desk=%v: %+v", on, m)
			}
		}

		// Without the grant: refused.
		c := dial(t, st, mia)
		c.mustJoin(relay.UserTopic(mia.UserID), nil, nil)
		for _, topic := range []string{desk, relay.TicketTopic(tc.ID)} {
			if r := c.join(topic, nil); r.Status != "error" {
				t.Fatalf("a member without the desk joins %s: %s", topic, r)
			}
		}

		// Granted: the stale socket is closed; a new one works the desk,
		// notes included.
		grant(true)
		c.closed()
		c = dial(t, st, mia)
		c.mustJoin(desk, nil, nil)
		c.mustJoin(relay.TicketTopic(tc.ID), map[string]any{"notes_last_seq": 0}, nil)
		note := d.say(t, d.agent, tc.ID, "internal: check the logs", true)
		c.expect("the note", isMsg(relay.TicketTopic(tc.ID), note.ID))
		td := d.open(t, d.di, "di's")
		c.expect("ticket:created", is(desk, "ticket:created"))

		// Revoked: closed, and refused again.
		grant(false)
		c.closed()
		c = dial(t, st, mia)
		for _, topic := range []string{desk, relay.TicketTopic(tc.ID), relay.TicketTopic(td.ID)} {
			if r := c.join(topic, nil); r.Status != "error" {
				t.Fatalf("a member whose desk was revoked joins %s: %s", topic, r)
			}
		}
	})
}
