package httpapi

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/relayhq/relay/app"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

// general returns the id of the workspace's #general channel.
func (e *env) general(a account) string {
	e.t.Helper()
	r := e.do("GET", a.sub, "/api/v1/channels", nil, bearer(a.token))
	want(e.t, r, http.StatusOK, "")
	for _, c := range r.json(e.t)["channels"].([]any) {
		if c.(map[string]any)["name"] == "general" {
			return c.(map[string]any)["id"].(string)
		}
	}
	e.t.Fatalf("no #general in %s", r.body)
	return ""
}

func (e *env) post(a account, channel, body string, extra ...map[string]any) map[string]any {
	e.t.Helper()
	in := map[string]any{"body": body}
	for _, x := range extra {
		for k, v := range x {
			in[k] = v
		}
	}
	r := e.do("POST", a.sub, "/api/v1/channels/"+channel+"/messages", in, bearer(a.token))
	want(e.t, r, http.StatusCreated, "")
	return r.json(e.t)
}

func channelByID(t *testing.T, e *env, a account, id string) map[string]any {
	t.Helper()
	r := e.do("GET", a.sub, "/api/v1/channels/"+id, nil, bearer(a.token))
	want(t, r, http.StatusOK, "")
	return r.json(t)
}

func TestChannelsAndMessages(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, app.Limits{LoginPerIP: 1000, SignupPerIP: 1000})
		o := e.signup("acme")
		m := e.join(o, "mia", "member")
		c := e.join(o, "cal", "customer")
		gen := e.general(o)

		// Every staff member is in #general; customers never see it.
		if g := channelByID(t, e, m, gen); g["is_member"] != true || g["member_count"] != float64(2) {
			t.Fatalf("#general for mia: %v", g)
		}
		want(t, e.do("GET", "acme", "/api/v1/channels/"+gen, nil, bearer(c.token)), http.StatusNotFound, "not_found")
		if cs := e.do("GET", "acme", "/api/v1/channels?browse=true", nil, bearer(c.token)); cs.status != http.StatusForbidden {
			t.Fatalf("customer browse: %d %s", cs.status, cs.body)
		}

		// Posting: seq per channel, the author's own message is read.
		m1 := e.post(o, gen, "hello <@"+m.userID+">")
		if g := channelByID(t, e, m, gen); g["unread_count"] != float64(1) || g["mention_count"] != float64(1) {
			t.Fatalf("mia's counts after being mentioned: unread %v mentions %v", g["unread_count"], g["mention_count"])
		}
		m2 := e.post(m, gen, "hi @channel")
		if m1["seq"] != float64(1) || m2["seq"] != float64(2) {
			t.Fatalf("seqs %v %v", m1["seq"], m2["seq"])
		}
		if ms := m1["mentions"].([]any); len(ms) != 1 || ms[0] != m.userID {
			t.Fatalf("mentions %v", m1["mentions"])
		}
		gm := channelByID(t, e, m, gen)
		if gm["unread_count"] != float64(0) || gm["mention_count"] != float64(0) || gm["last_read_seq"] != float64(2) {
			t.Fatalf("mia's counts after posting (her post reads what came before): unread %v mentions %v last_read %v", gm["unread_count"], gm["mention_count"], gm["last_read_seq"])
		}
		gowner := channelByID(t, e, o, gen)
		if gowner["unread_count"] != float64(1) || gowner["mention_count"] != float64(1) {
			t.Fatalf("owner's counts: unread %v mentions %v", gowner["unread_count"], gowner["mention_count"])
		}
		// Reading moves the cursor, never backwards.
		r := e.do("POST", "acme", "/api/v1/channels/"+gen+"/read", map[string]any{"seq": 2}, bearer(o.token))
		want(t, r, http.StatusOK, "")
		if rm := r.json(t); rm["unread_count"] != float64(0) || rm["mention_count"] != float64(0) {
			t.Fatalf("after read: %s", r.body)
		}
		want(t, e.do("POST", "acme", "/api/v1/channels/"+gen+"/read", map[string]any{"seq": 1}, bearer(o.token)), http.StatusOK, "")
		if g := channelByID(t, e, o, gen); g["last_read_seq"] != float64(2) {
			t.Fatalf("cursor moved back: %v", g["last_read_seq"])
		}

		// Idempotent sends.
		a := e.post(m, gen, "once", map[string]any{"client_msg_id": "cm-1"})
		b := e.post(m, gen, "once", map[string]any{"client_msg_id": "cm-1"})
		if a["id"] != b["id"] {
			t.Fatalf("retry made a second message: %v vs %v", a["id"], b["id"])
		}

		// Threads.
		root := m1["id"].(string)
		e.post(m, gen, "a reply", map[string]any{"parent_id": root})
		e.post(o, gen, "a reply shown in the channel too", map[string]any{"parent_id": root, "broadcast": true})
		rep := e.do("GET", "acme", "/api/v1/messages/"+root+"/replies", nil, bearer(m.token))
		want(t, rep, http.StatusOK, "")
		if n := len(rep.json(t)["messages"].([]any)); n != 2 {
			t.Fatalf("%d replies, want 2", n)
		}
		hist := e.do("GET", "acme", "/api/v1/channels/"+gen+"/messages", nil, bearer(m.token))
		want(t, hist, http.StatusOK, "")
		var bodies []string
		for _, x := range hist.json(t)["messages"].([]any) {
			mm := x.(map[string]any)
			bodies = append(bodies, mm["body"].(string))
			if mm["id"] == root && (mm["reply_count"] != float64(2) || len(mm["reply_users"].([]any)) != 2) {
				t.Fatalf("thread root: %v", mm)
			}
		}
		if got := strings.Join(bodies, "|"); got != "hello <@"+m.userID+">|hi @channel|once|a reply shown in the channel too" {
			t.Fatalf("timeline = %q", got)
		}
		want(t, e.do("POST", "acme", "/api/v1/channels/"+gen+"/messages", map[string]any{"body": "x", "parent_id": rep.json(t)["messages"].([]any)[0].(map[string]any)["id"]}, bearer(m.token)), http.StatusBadRequest, "invalid")

		// Reactions: idempotent, aggregated, with the emoji itself.
		for i := 0; i < 2; i++ {
			want(t, e.do("PUT", "acme", "/api/v1/messages/"+root+"/reactions/🎉", nil, bearer(m.token)), http.StatusOK, "")
		}
		rr := e.do("PUT", "acme", "/api/v1/messages/"+root+"/reactions/🎉", nil, bearer(o.token))
		want(t, rr, http.StatusOK, "")
		rs := rr.json(t)["reactions"].([]any)
		if len(rs) != 1 || rs[0].(map[string]any)["emoji"] != "🎉" || rs[0].(map[string]any)["count"] != float64(2) {
			t.Fatalf("reactions %v", rs)
		}
		want(t, e.do("DELETE", "acme", "/api/v1/messages/"+root+"/reactions/🎉", nil, bearer(m.token)), http.StatusOK, "")
		want(t, e.do("PUT", "acme", "/api/v1/messages/"+root+"/reactions/:tada:", nil, bearer(m.token)), http.StatusBadRequest, "invalid")

		// Edit (author only) and delete (author or admin), with tombstones.
		want(t, e.do("PATCH", "acme", "/api/v1/messages/"+root, map[string]string{"body": "edited"}, bearer(m.token)), http.StatusForbidden, "forbidden")
		ed := e.do("PATCH", "acme", "/api/v1/messages/"+root, map[string]string{"body": "edited"}, bearer(o.token))
		want(t, ed, http.StatusOK, "")
		if ed.json(t)["edited_at"] == nil || ed.json(t)["body"] != "edited" {
			t.Fatalf("edit: %s", ed.body)
		}
		want(t, e.do("DELETE", "acme", "/api/v1/messages/"+m2["id"].(string), nil, bearer(o.token)), http.StatusNoContent, "")
		hist = e.do("GET", "acme", "/api/v1/channels/"+gen+"/messages?limit=2&before=3", nil, bearer(m.token))
		msgs := hist.json(t)["messages"].([]any)
		if len(msgs) != 2 || msgs[1].(map[string]any)["deleted_at"] == nil || msgs[1].(map[string]any)["body"] != "" {
			t.Fatalf("tombstone: %s", hist.body)
		}
		want(t, e.do("PATCH", "acme", "/api/v1/messages/"+m2["id"].(string), map[string]string{"body": "again"}, bearer(m.token)), http.StatusConflict, "conflict")

		// Paging.
		for _, q := range []string{"?after=1&limit=1", "?around=2&limit=3", "?before=2"} {
			want(t, e.do("GET", "acme", "/api/v1/channels/"+gen+"/messages"+q, nil, bearer(m.token)), http.StatusOK, "")
		}
		for _, q := range []string{"?before=1&after=2", "?limit=0", "?limit=201", "?before=x", "?around=-1"} {
			want(t, e.do("GET", "acme", "/api/v1/channels/"+gen+"/messages"+q, nil, bearer(m.token)), http.StatusBadRequest, "invalid")
		}
		want(t, e.do("GET", "acme", "/api/v1/channels?browse=maybe", nil, bearer(m.token)), http.StatusBadRequest, "invalid")
	})
}

func TestChannelLifecycle(t *testing.T) {
	e := newEnv(t, testdb.SQLite(t), app.Limits{LoginPerIP: 1000, SignupPerIP: 1000})
	o := e.signup("acme")
	m := e.join(o, "mia", "member")
	g := e.join(o, "gus", "agent")
	cu := e.join(o, "cal", "customer")

	// Create: names are normalised and unique.
	r := e.do("POST", "acme", "/api/v1/channels", map[string]any{"name": " #Launch Plans ", "topic": "Q4"}, bearer(m.token))
	want(t, r, http.StatusCreated, "")
	pub := r.json(t)["id"].(string)
	if r.json(t)["name"] != "launch-plans" {
		t.Fatalf("name %v", r.json(t)["name"])
	}
	want(t, e.do("POST", "acme", "/api/v1/channels", map[string]any{"name": "launch-plans"}, bearer(g.token)), http.StatusConflict, "conflict")
	for _, bad := range []string{"", "  ", "-x", "a/b", strings.Repeat("n", 81), "has.dot"} {
		want(t, e.do("POST", "acme", "/api/v1/channels", map[string]any{"name": bad}, bearer(m.token)), http.StatusBadRequest, "invalid")
	}
	want(t, e.do("POST", "acme", "/api/v1/channels", map[string]any{"name": "x", "kind": "dm"}, bearer(m.token)), http.StatusBadRequest, "invalid")
	want(t, e.do("POST", "acme", "/api/v1/channels", map[string]any{"name": "x"}, bearer(cu.token)), http.StatusForbidden, "forbidden")

	// Public: browse and join; posting needs membership.
	want(t, e.do("POST", "acme", "/api/v1/channels/"+pub+"/messages", map[string]string{"body": "x"}, bearer(g.token)), http.StatusForbidden, "forbidden")
	br := e.do("GET", "acme", "/api/v1/channels?browse=true", nil, bearer(g.token))
	if !strings.Contains(br.String(), pub) {
		t.Fatalf("browse lacks the public channel: %s", br.body)
	}
	if strings.Contains(e.do("GET", "acme", "/api/v1/channels", nil, bearer(g.token)).String(), pub) {
		t.Fatal("\"my channels\" lists a channel gus has not joined")
	}
	want(t, e.do("POST", "acme", "/api/v1/channels/"+pub+"/join", nil, bearer(g.token)), http.StatusOK, "")
	e.post(g, pub, "joined and posting")
	want(t, e.do("POST", "acme", "/api/v1/channels/"+pub+"/leave", nil, bearer(g.token)), http.StatusNoContent, "")

	// Private: invisible to non-members, members add people.
	r = e.do("POST", "acme", "/api/v1/channels", map[string]any{"name": "hush", "kind": "private"}, bearer(m.token))
	want(t, r, http.StatusCreated, "")
	priv := r.json(t)["id"].(string)
	want(t, e.do("GET", "acme", "/api/v1/channels/"+priv, nil, bearer(g.token)), http.StatusNotFound, "not_found")
	want(t, e.do("POST", "acme", "/api/v1/channels/"+priv+"/join", nil, bearer(g.token)), http.StatusNotFound, "not_found")
	if strings.Contains(e.do("GET", "acme", "/api/v1/channels?browse=true", nil, bearer(g.token)).String(), priv) {
		t.Fatal("browse shows a private channel")
	}
	want(t, e.do("POST", "acme", "/api/v1/channels/"+priv+"/members", map[string]any{"user_ids": []string{cu.userID}}, bearer(m.token)), http.StatusForbidden, "forbidden")
	want(t, e.do("POST", "acme", "/api/v1/channels/"+priv+"/members", map[string]any{"user_ids": []string{g.userID}}, bearer(m.token)), http.StatusOK, "")
	mem := e.do("GET", "acme", "/api/v1/channels/"+priv+"/members", nil, bearer(g.token))
	if n := len(mem.json(t)["members"].([]any)); n != 2 {
		t.Fatalf("%d members, want 2", n)
	}
	// Topic by members; rename and archive by the creator or admins.
	want(t, e.do("PATCH", "acme", "/api/v1/channels/"+priv, map[string]string{"topic": "quiet"}, bearer(g.token)), http.StatusOK, "")
	want(t, e.do("PATCH", "acme", "/api/v1/channels/"+priv, map[string]string{"name": "loud"}, bearer(g.token)), http.StatusForbidden, "forbidden")
	want(t, e.do("PATCH", "acme", "/api/v1/channels/"+priv, map[string]string{"name": "loud"}, bearer(m.token)), http.StatusOK, "")
	e.post(m, priv, "before archiving") // warms the access cache
	want(t, e.do("POST", "acme", "/api/v1/channels/"+priv+"/archive", nil, bearer(m.token)), http.StatusOK, "")
	want(t, e.do("POST", "acme", "/api/v1/channels/"+priv+"/messages", map[string]string{"body": "x"}, bearer(m.token)), http.StatusForbidden, "forbidden")
	want(t, e.do("POST", "acme", "/api/v1/channels/"+priv+"/unarchive", nil, bearer(m.token)), http.StatusOK, "")
	// Kick: admins only; the kicked member loses sight of it.
	want(t, e.do("DELETE", "acme", "/api/v1/channels/"+priv+"/members/"+g.userID, nil, bearer(m.token)), http.StatusForbidden, "forbidden")
	want(t, e.do("DELETE", "acme", "/api/v1/channels/"+priv+"/members/"+g.userID, nil, bearer(o.token)), http.StatusNotFound, "not_found") // the owner is not in it: cannot see it
	e.post(g, priv, "still here")                                                                                                          // warms the access cache
	want(t, e.do("DELETE", "acme", "/api/v1/channels/"+priv+"/members/"+g.userID, nil, bearer(g.token)), http.StatusNoContent, "")
	want(t, e.do("GET", "acme", "/api/v1/channels/"+priv, nil, bearer(g.token)), http.StatusNotFound, "not_found")
	// Access answers are cached on the hot path, but a change drops them at once.
	want(t, e.do("POST", "acme", "/api/v1/channels/"+priv+"/messages", map[string]string{"body": "ghost"}, bearer(g.token)), http.StatusNotFound, "not_found")
	want(t, e.do("POST", "acme", "/api/v1/channels/"+priv+"/read", map[string]any{"seq": 1}, bearer(g.token)), http.StatusNotFound, "not_found")

	// #general cannot be left or archived.
	gen := e.general(o)
	want(t, e.do("POST", "acme", "/api/v1/channels/"+gen+"/leave", nil, bearer(m.token)), http.StatusForbidden, "forbidden")
	want(t, e.do("POST", "acme", "/api/v1/channels/"+gen+"/archive", nil, bearer(o.token)), http.StatusForbidden, "forbidden")

	// DMs: one per set of people, in any order; customers cannot open them.
	d1 := e.do("POST", "acme", "/api/v1/dms", map[string]any{"user_ids": []string{g.userID}}, bearer(m.token))
	want(t, d1, http.StatusOK, "")
	d2 := e.do("POST", "acme", "/api/v1/dms", map[string]any{"user_ids": []string{m.userID}}, bearer(g.token))
	if d1.json(t)["id"] != d2.json(t)["id"] || d1.json(t)["kind"] != "dm" {
		t.Fatalf("DM reopened as another channel: %s vs %s", d1.body, d2.body)
	}
	if ids := d1.json(t)["dm_user_ids"].([]any); len(ids) != 2 {
		t.Fatalf("dm_user_ids %v", ids)
	}
	group := e.do("POST", "acme", "/api/v1/dms", map[string]any{"user_ids": []string{g.userID, o.userID}}, bearer(m.token))
	want(t, group, http.StatusOK, "")
	if group.json(t)["id"] == d1.json(t)["id"] {
		t.Fatal("group DM is the 1:1 DM")
	}
	want(t, e.do("POST", "acme", "/api/v1/dms", map[string]any{"user_ids": []string{cu.userID}}, bearer(m.token)), http.StatusForbidden, "forbidden")
	want(t, e.do("POST", "acme", "/api/v1/dms", map[string]any{"user_ids": []string{m.userID}}, bearer(cu.token)), http.StatusForbidden, "forbidden")
	want(t, e.do("POST", "acme", "/api/v1/dms", map[string]any{"user_ids": []string{}}, bearer(m.token)), http.StatusBadRequest, "invalid")
	want(t, e.do("GET", "acme", "/api/v1/channels/"+d1.json(t)["id"].(string), nil, bearer(o.token)), http.StatusNotFound, "not_found")
	// Too many people.
	var many []string
	for i := 0; i < 8; i++ {
		many = append(many, e.join(o, fmt.Sprintf("p%d", i), "member").userID)
	}
	want(t, e.do("POST", "acme", "/api/v1/dms", map[string]any{"user_ids": many}, bearer(m.token)), http.StatusBadRequest, "invalid")
}

func TestMessageInput(t *testing.T) {
	e := newEnv(t, testdb.SQLite(t), app.Limits{})
	o := e.signup("acme")
	gen := e.general(o)
	long := strings.Repeat("é", 16001)
	for _, tt := range []struct {
		name   string
		body   any
		status int
		code   string
	}{
		{"empty", map[string]string{"body": ""}, 400, "invalid"},
		{"blank", map[string]string{"body": " \n\t "}, 400, "invalid"},
		{"too long", map[string]string{"body": long}, 413, "too_large"},
		{"nul", map[string]string{"body": "a\u0000b"}, 400, "invalid"},
		{"bad client id", map[string]string{"body": "x", "client_msg_id": "has space"}, 400, "invalid"},
		{"bad parent", map[string]any{"body": "x", "parent_id": "42"}, 400, "invalid"},
		{"broadcast without parent", map[string]any{"body": "x", "broadcast": true}, 400, "invalid"},
		{"wrong type", `{"body": 5}`, 400, "invalid"},
		{"unknown field", `{"body": "x", "bodyy": 1}`, 400, "invalid"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			want(t, e.do("POST", "acme", "/api/v1/channels/"+gen+"/messages", tt.body, bearer(o.token)), tt.status, tt.code)
		})
	}
	// The longest allowed message, in multi-byte characters, fits the body limit.
	e.post(o, gen, strings.Repeat("é", 16000))
	if g := channelByID(t, e, o, gen); g["last_seq"] != float64(1) {
		t.Fatalf("refused input changed the channel: last_seq %v", g["last_seq"])
	}
}

// TestConcurrentPosts posts from many goroutines over HTTP: every message
// gets its own seq, 1..N without gaps, on both engines.
func TestConcurrentPosts(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, app.Limits{})
		o := e.signup("acme")
		gen := e.general(o)
		const n, workers = 120, 8
		var mu sync.Mutex
		seen := map[float64]bool{}
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; i < n/workers; i++ {
					r := e.do("POST", "acme", "/api/v1/channels/"+gen+"/messages", map[string]string{"body": fmt.Sprintf("w%d-%d", w, i)}, bearer(o.token))
					if r.status != http.StatusCreated {
						t.Errorf("post: %d %s", r.status, r.body)
						return
					}
					mu.Lock()
					seen[r.json(t)["seq"].(float64)] = true
					mu.Unlock()
				}
			}(w)
		}
		wg.Wait()
		for s := 1; s <= n; s++ {
			if !seen[float64(s)] {
				t.Fatalf("seq %d missing (got %d seqs)", s, len(seen))
			}
		}
	})
}

// TestRemovedMemberCannotPost: removal from the workspace drops cached
// access at once, for posts and reactions.
func TestRemovedMemberCannotPost(t *testing.T) {
	e := newEnv(t, testdb.SQLite(t), app.Limits{LoginPerIP: 1000, SignupPerIP: 1000})
	o := e.signup("acme")
	m := e.join(o, "mia", "member")
	gen := e.general(o)
	msg := e.post(m, gen, "hi")
	want(t, e.do("PUT", "acme", "/api/v1/messages/"+msg["id"].(string)+"/reactions/👍", nil, bearer(m.token)), http.StatusOK, "")
	// A second session, so removal's session cleanup is not what refuses her.
	li := e.do("POST", "acme", "/api/v1/auth/login", map[string]string{"email": m.email, "password": m.password})
	want(t, li, http.StatusOK, "")
	want(t, e.do("PATCH", "acme", "/api/v1/members/"+m.userID, map[string]string{"role": "customer"}, bearer(o.token)), http.StatusOK, "")
	// Now a customer: internal channels are gone for her, cache or not.
	want(t, e.do("POST", "acme", "/api/v1/channels/"+gen+"/messages", map[string]string{"body": "x"}, bearer(li.json(t)["token"].(string))), http.StatusNotFound, "not_found")
}
