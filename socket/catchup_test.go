package socket_test

// Catch-up: a client that rejoins a channel with the last seq and change it
// saw gets everything it missed, in order, then live events, with no gap
// and no duplicate — across reconnects, under concurrent posting, and
// across a server restart.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/app"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/internal/testserver"
	"github.com/relayhq/relay/store"
)

// TestReconnectCatchUp: messages posted while a client was away arrive, in
// seq order and exactly once, when it rejoins with last_seq; live messages
// follow.
func TestReconnectCatchUp(t *testing.T) {
	engineWorld(t, testserver.Config{}, func(t *testing.T, w *world) {
		c := dial(t, w.st, w.bob)
		var j joined
		c.mustJoin(w.topic, map[string]any{"last_seq": 0, "last_change": 0}, &j)
		if j != (joined{}) {
			t.Fatalf("join reply of an empty channel = %+v, want zeros", j)
		}
		first := w.st.Post(t, w.owner, w.general, "before the disconnect")
		seen := msgOf(c.nextOn(w.topic, "message:new"))
		if seen.ID != first.ID || seen.Seq != 1 {
			t.Fatalf("got message %d seq %d, want %d seq 1", seen.ID, seen.Seq, first.ID)
		}
		c.close()

		const n = 25
		missed := make([]relay.Message, n)
		for i := range missed {
			missed[i] = w.st.Post(t, w.owner, w.general, fmt.Sprintf("missed %d", i))
		}

		c = dial(t, w.st, w.bob)
		c.mustJoin(w.topic, map[string]any{"last_seq": seen.Seq, "last_change": seen.Change}, &j)
		if want := (joined{LastSeq: n + 1, LastChange: missed[n-1].Change}); j != want {
			t.Fatalf("join reply = %+v, want %+v", j, want)
		}
		for i, m := range missed {
			got := msgOf(c.nextOn(w.topic, "message:new"))
			if got.ID != m.ID || got.Seq != int64(i+2) || got.Body != m.Body {
				t.Fatalf("catch-up message %d: got id %d seq %d %q, want id %d seq %d %q", i, got.ID, got.Seq, got.Body, m.ID, i+2, m.Body)
			}
		}
		live := w.st.Post(t, w.owner, w.general, "live")
		if got := msgOf(c.nextOn(w.topic, "message:new")); got.ID != live.ID || got.Seq != n+2 {
			t.Fatalf("after the catch-up: got id %d seq %d, want the live message %d seq %d", got.ID, got.Seq, live.ID, n+2)
		}
	})
}

// TestChangeCatchUp: changes to messages the client had already seen (edit,
// delete, reaction, thread reply) arrive on rejoin as message:updated with
// the latest state, in change order, after message:new for what is new.
func TestChangeCatchUp(t *testing.T) {
	engineWorld(t, testserver.Config{}, func(t *testing.T, w *world) {
		c := dial(t, w.st, w.bob)
		c.mustJoin(w.topic, map[string]any{"last_seq": 0}, nil)
		var msgs [4]relay.Message
		for i := range msgs {
			msgs[i] = w.st.Post(t, w.owner, w.general, fmt.Sprintf("message %c", 'a'+i))
		}
		var lastSeq, lastChange int64
		for range msgs {
			m := msgOf(c.nextOn(w.topic, "message:new"))
			lastSeq, lastChange = max(lastSeq, m.Seq), max(lastChange, m.Change)
		}
		c.close()

		a, b, r, d := msgs[0], msgs[1], msgs[2], msgs[3]
		editMessage(t, w, w.owner, a.ID, "a, edited")
		editMessage(t, w, w.owner, a.ID, "a, edited twice")
		w.st.Must(t, http.StatusNoContent, "DELETE", w.owner.Sub, "/api/v1/messages/"+b.ID.String(), w.owner.Token, nil, nil)
		w.st.Must(t, http.StatusOK, "PUT", w.bob.Sub, "/api/v1/messages/"+r.ID.String()+"/reactions/"+url.PathEscape("👍"), w.bob.Token, nil, nil)
		threadReply := w.st.PostInput(t, w.owner, w.general, app.PostInput{Body: "a reply", ParentID: &d.ID})

		c = dial(t, w.st, w.bob)
		var j joined
		c.mustJoin(w.topic, map[string]any{"last_seq": lastSeq, "last_change": lastChange}, &j)
		if j.LastSeq != lastSeq+1 || j.Reset {
			t.Fatalf("join reply = %+v, want last_seq %d and no reset", j, lastSeq+1)
		}
		got := msgOf(c.nextOn(w.topic, "message:new"))
		if got.ID != threadReply.ID || got.Seq != lastSeq+1 || got.ParentID == nil || *got.ParentID != d.ID {
			t.Fatalf("first catch-up event: message %d seq %d parent %v, want the reply %d seq %d in thread %d", got.ID, got.Seq, got.ParentID, threadReply.ID, lastSeq+1, d.ID)
		}
		updates := []struct {
			id    relay.ID
			what  string
			check func(m relay.Message) bool
		}{
			{a.ID, "edited twice", func(m relay.Message) bool { return m.Body == "a, edited twice" && m.EditedAt != nil }},
			{b.ID, "a tombstone", func(m relay.Message) bool { return m.DeletedAt != nil && m.Body == "" }},
			{r.ID, "bob's 👍", func(m relay.Message) bool {
				return len(m.Reactions) == 1 && m.Reactions[0].Emoji == "👍" && m.Reactions[0].Count == 1 &&
					slices.Equal(m.Reactions[0].Users, []relay.ID{w.bob.UserID})
			}},
			{d.ID, "one reply", func(m relay.Message) bool {
				return m.ReplyCount == 1 && slices.Equal(m.ReplyUsers, []relay.ID{w.owner.UserID}) && m.LastReplyAt != nil
			}},
		}
		prev := lastChange
		for _, u := range updates {
			f := c.nextOn(w.topic, "message:updated")
			m := msgOf(f)
			if m.ID != u.id || !u.check(m) {
				t.Fatalf("next message:updated is %s, want message %d with %s", f, u.id, u.what)
			}
			if m.Change <= prev {
				t.Errorf("message:updated %d has change %d after %d: not in change order", m.ID, m.Change, prev)
			}
			prev = m.Change
		}
		if prev != j.LastChange {
			t.Errorf("last replayed change = %d, want the channel's %d", prev, j.LastChange)
		}
		// Nothing stale follows: the next frame is the next live event.
		live := w.st.Post(t, w.owner, w.general, "live")
		if f := c.nextOn(w.topic, "message:new"); msgOf(f).ID != live.ID {
			t.Fatalf("after the replay: %s, want the live message %d", f, live.ID)
		}
	})
}

func editMessage(t *testing.T, w *world, by testserver.Account, id relay.ID, body string) relay.Message {
	t.Helper()
	var m relay.Message
	w.st.Must(t, http.StatusOK, "PATCH", by.Sub, "/api/v1/messages/"+id.String(), by.Token, map[string]string{"body": body}, &m)
	return m
}

// TestCatchUpKeepsEditsMadeDuringJoin: changes committed while a join
// reads its catch-up (after it subscribed) must reach the client — in the
// replay or live. The store is held at a point of the catch-up while
// messages are edited and posted; the client must end up with every edit.
func TestCatchUpKeepsEditsMadeDuringJoin(t *testing.T) {
	for _, tc := range []struct {
		name string
		// hold is the catch-up read the join is held before.
		hold string
		// lastChange sends last_change in the join.
		lastChange bool
		// during changes things while the join is held, and returns the
		// messages whose latest body the client must hold at the end.
		during func(t *testing.T, w *world, old, missed relay.Message) map[relay.ID]string
	}{{
		// The new message (replayed as it was before its edit) is edited,
		// then an old one: the old one's change, read by the second read,
		// must not hide the first edit.
		name: "between the replay's two reads", hold: "ChangedSince", lastChange: true,
		during: func(t *testing.T, w *world, old, missed relay.Message) map[relay.ID]string {
			editMessage(t, w, w.owner, missed.ID, "missed, edited")
			editMessage(t, w, w.owner, old.ID, "old, edited")
			return map[relay.ID]string{missed.ID: "missed, edited", old.ID: "old, edited"}
		},
	}, {
		// Without last_change nothing old is replayed, but an edit made
		// after the join subscribed is a live event all the same: a newer
		// message in the replay must not hide it.
		name: "before the replay, without last_change", hold: "MessagesAfter",
		during: func(t *testing.T, w *world, old, missed relay.Message) map[relay.ID]string {
			editMessage(t, w, w.owner, old.ID, "old, edited")
			w.st.Post(t, w.owner, w.general, "newer")
			return map[relay.ID]string{old.ID: "old, edited"}
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			testdb.Engines(t, func(t *testing.T, db *store.DB) {
				hs := &hookStore{DB: db}
				w := newWorld(t, testserver.Config{DB: db, Store: hs})
				c := dial(t, w.st, w.bob)
				c.mustJoin(w.topic, map[string]any{"last_seq": 0}, nil)
				old := w.st.Post(t, w.owner, w.general, "old")
				seen := msgOf(c.nextOn(w.topic, "message:new"))
				c.close()
				missed := w.st.Post(t, w.owner, w.general, "missed")

				reached, resume := make(chan struct{}), make(chan struct{})
				var once sync.Once
				release := func() { once.Do(func() { close(resume) }) }
				t.Cleanup(release) // never leave the server's reader blocked
				hs.before(tc.hold, func() { close(reached); <-resume })
				c = dial(t, w.st, w.bob)
				params := map[string]any{"last_seq": seen.Seq}
				if tc.lastChange {
					params["last_change"] = seen.Change
				}
				ref := c.sendJoin(w.topic, params)
				select {
				case <-reached:
				case <-time.After(wait):
					t.Fatalf("the join never called %s: if the catch-up reads the store differently now, move the hold to where it reads", tc.hold)
				}
				want := tc.during(t, w, old, missed)
				release()
				if r := c.awaitReply(w.topic, ref); r.Status != "ok" {
					t.Fatalf("join: %s", r)
				}
				sentinel := w.st.Post(t, w.owner, w.general, "sentinel")
				view := map[relay.ID]relay.Message{}
				for _, f := range c.until("the sentinel", isMsg(w.topic, sentinel.ID)) {
					if m := msgOf(f); m.ID != 0 && m.Change > view[m.ID].Change {
						view[m.ID] = m
					}
				}
				for id, body := range want {
					switch got, ok := view[id]; {
					case !ok:
						t.Errorf("message %d: its edit to %q, made during the join, never arrived", id, body)
					case got.Body != body:
						t.Errorf("client's copy of message %d is %q (change %d), want %q: an edit made during the join was lost",
							id, got.Body, got.Change, body)
					}
				}
			})
		})
	}
}

// TestNoGapNoDuplicateUnderLoad is a property test: while several people
// post continuously, a viewer joins, and rejoins many times with its
// last_seq (leaving and rejoining on one socket, or reconnecting). Within
// every join it must see last_seq+1, last_seq+2, … with nothing skipped or
// repeated, and in the end every seq 1..N exactly once.
func TestNoGapNoDuplicateUnderLoad(t *testing.T) {
	const rounds, perPoster = 4, 120
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, testserver.Config{DB: db})
		w.st.SetMessageRate(t, w.owner, 0, 0) // load beyond a person's rate
		carol := w.st.Invite(t, w.owner, "carol", relay.RoleMember)
		viewer := w.st.Invite(t, w.owner, "viewer", relay.RoleMember) // not in the channels: reads as staff
		posters := []poster{{w.st, w.owner}, {w.st, w.bob}, {w.st, carol}}
		for round := range rounds {
			ch := w.st.CreateChannel(t, w.owner, fmt.Sprintf("load-%d", round), relay.ChannelPublic, w.bob.UserID, carol.UserID)
			seed := uint64(time.Now().UnixNano())
			t.Run(fmt.Sprintf("round%d", round), func(t *testing.T) {
				t.Logf("seed %d", seed)
				loadRound(t, w.st, viewer, posters, ch, perPoster, rand.New(rand.NewPCG(seed, 0)))
			})
		}
	})
}

// poster is someone posting through a node.
type poster struct {
	node *testserver.Stack
	testserver.Account
}

// loadRound runs one round of the property: posters post perPoster
// messages each to ch while viewer, on node st, joins and rejoins.
func loadRound(t *testing.T, st *testserver.Stack, viewer testserver.Account, posters []poster, ch relay.ID, perPoster int, rng *rand.Rand) {
	topic := relay.ChannelTopic(ch)
	total := int64(len(posters) * perPoster)

	// A failing poster closes the viewer's socket, so the viewer stops
	// waiting at once and the poster's error is reported.
	var mu sync.Mutex
	var c *client
	var postErr error
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if postErr == nil {
			postErr = err
			_ = c.ws.Close()
		}
	}
	setClient := func(nc *client) {
		mu.Lock()
		defer mu.Unlock()
		c = nc
		if postErr != nil {
			_ = c.ws.Close()
		}
	}
	next := func() frame {
		t.Helper()
		f, err := c.tryExpect(func(frame) bool { return true })
		if err != nil {
			mu.Lock()
			defer mu.Unlock()
			if postErr != nil {
				t.Fatalf("poster: %v", postErr)
			}
			t.Fatalf("viewer: %v", err)
		}
		return f
	}

	start := make(chan struct{})
	var wg sync.WaitGroup
	defer wg.Wait()
	for pi, p := range posters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for i := range perPoster {
				r, err := p.node.TryDo("POST", p.Sub, "/api/v1/channels/"+ch.String()+"/messages", p.Token,
					map[string]string{"body": fmt.Sprintf("%s %d", p.Name, i), "client_msg_id": fmt.Sprintf("p%d-%d", pi, i)})
				if err == nil && r.Status != http.StatusCreated {
					err = fmt.Errorf("post: status %d: %s", r.Status, r.Body)
				}
				if err != nil {
					fail(err)
					return
				}
			}
		}()
	}

	setClient(dial(t, st, viewer))
	close(start)
	seen := map[int64]int{}
	var last int64 // every seq up to last was seen, in order
	joins := 0
	errored := false // the server closed the channel with phx_error: rejoin
	// take handles one frame of the current join.
	take := func(f frame) {
		t.Helper()
		switch {
		case f.Topic == topic && f.Event == "message:new":
			m := msgOf(f)
			seen[m.Seq]++
			if m.Seq != last+1 {
				t.Fatalf("join %d: got seq %d after %d: a gap, a duplicate or out of order (a client that dropped now "+
					"would rejoin with last_seq %d and never get %d)", joins, m.Seq, last, max(m.Seq, last), last+1)
			}
			last = m.Seq
		case f.Topic == topic && f.Event == "phx_close":
		case f.Topic == topic && f.Event == "phx_error":
			// The server saw events out of order (two nodes publish a
			// channel's messages independently) and asks for a rejoin, as
			// phoenix.js does on its own: catch up from the store.
			errored = true
		default:
			t.Fatalf("join %d: unexpected frame %s", joins, f)
		}
	}
	for last < total {
		var j joined
		c.mustJoin(topic, map[string]any{"last_seq": last, "last_change": 0}, &j)
		joins++
		if j.Reset {
			t.Fatalf("join %d with last_seq %d: reset", joins, last)
		}
		errored = false
		for quota := 1 + rng.IntN(25); quota > 0 && last < total && !errored; quota-- {
			take(next())
		}
		if last == total {
			break
		}
		if errored {
			continue // the channel is already closed server-side: just rejoin
		}
		if rng.IntN(2) == 0 {
			c.close()
			setClient(dial(t, st, viewer))
			continue
		}
		if r := c.leave(topic); r.Status != "ok" {
			t.Fatalf("leave: %s", r)
		}
		for _, f := range c.drain() { // what was sent before the leave took effect
			take(f)
		}
	}
	wg.Wait()
	if postErr != nil {
		t.Fatalf("poster: %v", postErr)
	}
	for s := int64(1); s <= total; s++ {
		if seen[s] != 1 {
			t.Errorf("seq %d seen %d times, want once", s, seen[s])
		}
	}
	t.Logf("%d messages from %d posters, %d joins", total, len(posters), joins)
}

// TestRestartCatchUp: messages posted after a client dropped are delivered
// when it rejoins a new server process on the same database.
func TestRestartCatchUp(t *testing.T) {
	// Not testdb.Engines: the database must be opened twice, once per stack.
	t.Run(store.EngineSQLite, func(t *testing.T) {
		restartCatchUp(t, store.Config{SQLitePath: filepath.Join(t.TempDir(), "relay.db")})
	})
	t.Run(store.EnginePostgres, func(t *testing.T) {
		restartCatchUp(t, store.Config{URL: testdb.PostgresURL(t)})
	})
}

// openDB opens and migrates the database cfg names; it is closed when the
// test ends, or earlier by the returned function.
func openDB(t *testing.T, cfg store.Config) (*store.DB, func()) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := store.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	closeDB := func() {
		once.Do(func() {
			if err := db.Close(); err != nil {
				t.Errorf("close database: %v", err)
			}
		})
	}
	t.Cleanup(closeDB)
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db, closeDB
}

func restartCatchUp(t *testing.T, cfg store.Config) {
	db1, close1 := openDB(t, cfg)
	w := newWorld(t, testserver.Config{DB: db1})
	c := dial(t, w.st, w.bob)
	c.mustJoin(w.topic, map[string]any{"last_seq": 0}, nil)
	w.st.Post(t, w.owner, w.general, "before")
	seen := msgOf(c.nextOn(w.topic, "message:new"))
	c.close()
	const n = 10
	missed := make([]relay.Message, n)
	for i := range missed {
		missed[i] = w.st.Post(t, w.owner, w.general, fmt.Sprintf("missed %d", i))
	}

	// A socket still open when the server stops is told it is going away.
	stay := dial(t, w.st, w.owner)
	stay.alive()
	w.st.Stop()
	close1()
	if err := stay.closed(); !websocket.IsCloseError(err, websocket.CloseGoingAway) {
		t.Errorf("socket open at shutdown ended with %v, want close 1001", err)
	}

	db2, _ := openDB(t, cfg)
	st2 := testserver.Start(t, testserver.Config{DB: db2})
	c = dial(t, st2, w.bob)
	var j joined
	c.mustJoin(w.topic, map[string]any{"last_seq": seen.Seq, "last_change": seen.Change}, &j)
	if j.LastSeq != n+1 || j.Reset {
		t.Fatalf("join reply after the restart = %+v, want last_seq %d, no reset", j, n+1)
	}
	for i, m := range missed {
		if got := msgOf(c.nextOn(w.topic, "message:new")); got.ID != m.ID || got.Seq != int64(i+2) {
			t.Fatalf("catch-up %d: got id %d seq %d, want id %d seq %d", i, got.ID, got.Seq, m.ID, i+2)
		}
	}
	live := st2.Post(t, w.owner, w.general, "after the restart")
	if got := msgOf(c.nextOn(w.topic, "message:new")); got.ID != live.ID || got.Seq != n+2 {
		t.Fatalf("live after the restart: got id %d seq %d, want id %d seq %d", got.ID, got.Seq, live.ID, n+2)
	}
}
