package httpapi

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/relayhq/relay/app"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

// searchBodies runs GET /search and returns the bodies (messages), names
// (channels, people) or subjects (tickets) found, sorted.
func (e *env) searchFound(t *testing.T, who account, sub, query string) ([]string, res) {
	t.Helper()
	r := e.do("GET", sub, "/api/v1/search?"+query, nil, bearer(who.token))
	if r.status != http.StatusOK {
		return nil, r
	}
	var out []string
	for _, h := range r.json(t)["results"].([]any) {
		h := h.(map[string]any)
		switch {
		case h["message"] != nil:
			out = append(out, h["message"].(map[string]any)["body"].(string))
		case h["ticket"] != nil:
			out = append(out, h["ticket"].(map[string]any)["subject"].(string)+" ("+h["match"].(string)+")")
		case h["user"] != nil:
			out = append(out, h["user"].(map[string]any)["display_name"].(string))
		case h["channel"] != nil:
			out = append(out, "#"+h["channel"].(map[string]any)["name"].(string))
		}
	}
	slices.Sort(out)
	return out, r
}

// TestSearchIsolation walks the search scopes with every role and another
// workspace's data: what each may read is found, nothing else ever is.
func TestSearchIsolation(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, app.Limits{LoginPerIP: 1000, SignupPerIP: 1000})
		owner := e.signup("alpha")
		bravo := e.signup("bravo")
		alice := e.join(owner, "alice", "agent")
		mo := e.join(owner, "mo", "member")
		cleo := e.join(owner, "cleo", "customer")

		post := func(who account, sub, channel, body string) string {
			t.Helper()
			r := e.do("POST", sub, "/api/v1/channels/"+channel+"/messages", map[string]string{"body": body}, bearer(who.token))
			want(t, r, http.StatusCreated, "")
			return r.json(t)["id"].(string)
		}
		channel := func(who account, sub, name, kind string, members ...string) string {
			t.Helper()
			r := e.do("POST", sub, "/api/v1/channels", map[string]any{"name": name, "kind": kind, "user_ids": members, "topic": name + " zebra topic"}, bearer(who.token))
			want(t, r, http.StatusCreated, "")
			return r.json(t)["id"].(string)
		}
		general := func(sub string, who account) string {
			r := e.do("GET", sub, "/api/v1/channels", nil, bearer(who.token))
			for _, c := range r.json(t)["channels"].([]any) {
				if c.(map[string]any)["name"] == "general" {
					return c.(map[string]any)["id"].(string)
				}
			}
			t.Fatal("no #general")
			return ""
		}
		gen := general("alpha", owner)
		post(owner, "alpha", gen, "zebra in general")
		secret := channel(owner, "alpha", "secret", "private", alice.userID)
		post(owner, "alpha", secret, "zebra in secret")
		dm := e.do("POST", "alpha", "/api/v1/dms", map[string]any{"user_ids": []string{alice.userID}}, bearer(owner.token))
		want(t, dm, http.StatusOK, "")
		post(alice, "alpha", dm.json(t)["id"].(string), "zebra in dm")
		old := channel(owner, "alpha", "old", "public")
		post(owner, "alpha", old, "zebra in archive")
		want(t, e.do("POST", "alpha", "/api/v1/channels/"+old+"/archive", nil, bearer(owner.token)), http.StatusOK, "")
		gone := post(owner, "alpha", gen, "zebra deleted")
		want(t, e.do("DELETE", "alpha", "/api/v1/messages/"+gone, nil, bearer(owner.token)), http.StatusNoContent, "")
		edited := post(owner, "alpha", gen, "zebra before the edit")
		want(t, e.do("PATCH", "alpha", "/api/v1/messages/"+edited, map[string]string{"body": "quagga after the edit"}, bearer(owner.token)), http.StatusOK, "")

		tk := e.do("POST", "alpha", "/api/v1/tickets", map[string]string{"subject": "Kettle zebra", "description": "It never boiled."}, bearer(cleo.token))
		want(t, tk, http.StatusCreated, "")
		ticket := tk.json(t)["id"].(string)
		want(t, e.do("POST", "alpha", "/api/v1/tickets/"+ticket+"/messages", map[string]any{"body": "zebra conversation"}, bearer(cleo.token)), http.StatusCreated, "")
		want(t, e.do("POST", "alpha", "/api/v1/tickets/"+ticket+"/messages", map[string]any{"body": "zebra note okapi", "internal": true}, bearer(alice.token)), http.StatusCreated, "")

		post(bravo, "bravo", general("bravo", bravo), "zebra in bravo okapi")

		cases := []struct {
			name  string
			who   account
			sub   string
			query string
			want  []string
		}{
			{"owner", owner, "alpha", "q=zebra", []string{"zebra in dm", "zebra in general", "zebra in secret"}},
			{"agent", alice, "alpha", "q=zebra", []string{"zebra in dm", "zebra in general", "zebra in secret"}},
			{"member", mo, "alpha", "q=zebra", []string{"zebra in general"}},
			{"customer: own tickets' conversation only", cleo, "alpha", "q=zebra", []string{"zebra conversation"}},
			{"customer: no notes", cleo, "alpha", "q=okapi", nil},
			{"staff: tickets and notes", owner, "alpha", "q=zebra+is:ticket", []string{"zebra conversation", "zebra note okapi"}},
			{"staff: status", owner, "alpha", "q=zebra+status:closed", nil},
			{"archived", owner, "alpha", "q=zebra+is:archived", []string{"zebra in archive"}},
			{"edited text", owner, "alpha", "q=quagga", []string{"quagga after the edit"}},
			{"edited away", owner, "alpha", "q=before+edit", nil},
			{"other workspace", bravo, "bravo", "q=zebra", []string{"zebra in bravo okapi"}},
			{"other workspace's word", owner, "alpha", "q=okapi", nil},
			{"from", owner, "alpha", "q=zebra+from:@alice", []string{"zebra in dm"}},
			{"from me", alice, "alpha", "q=zebra+from:me", []string{"zebra in dm"}},
			{"from: email's local part (staff)", owner, "alpha", "q=zebra+from:owner", []string{"zebra in general", "zebra in secret"}},
			{"customer: from by name", cleo, "alpha", "q=zebra+from:cleo", []string{"zebra conversation"}},
			{"in channel", owner, "alpha", "q=zebra+in:%23secret", []string{"zebra in secret"}},
			{"in dm", owner, "alpha", "q=zebra+in:@alice", []string{"zebra in dm"}},
			{"filters only", alice, "alpha", "q=in:%23general", []string{"quagga after the edit", "zebra in general"}},
			{"channels", owner, "alpha", "kind=channels&q=zebra", []string{"#secret"}},
			{"channels: not private ones of others", mo, "alpha", "kind=channels&q=zebra", nil},
			{"channels: archived", mo, "alpha", "kind=channels&q=zebra+is:archived", []string{"#old"}},
			{"people", owner, "alpha", "kind=people&q=ali", []string{"alice"}},
			{"people by email", mo, "alpha", "kind=people&q=cleo@alpha", []string{"cleo"}},
			{"people: other workspace", owner, "alpha", "kind=people&q=owner+of+bravo", nil},
			{"tickets: subject first", alice, "alpha", "kind=tickets&q=zebra", []string{"Kettle zebra (subject)"}},
			{"tickets: conversation", alice, "alpha", "kind=tickets&q=conversation", []string{"Kettle zebra (message)"}},
			{"tickets: staff find notes", alice, "alpha", "kind=tickets&q=okapi", []string{"Kettle zebra (note)"}},
			{"tickets: customer", cleo, "alpha", "kind=tickets&q=kettle", []string{"Kettle zebra (subject)"}},
			{"tickets: customer never notes", cleo, "alpha", "kind=tickets&q=okapi", nil},
			{"tickets: description", owner, "alpha", "kind=tickets&q=boiled", []string{"Kettle zebra (description)"}},
			{"tickets: by status", owner, "alpha", "kind=tickets&q=status:open", []string{"Kettle zebra (subject)"}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				got, r := e.searchFound(t, c.who, c.sub, c.query)
				want(t, r, http.StatusOK, "")
				if !slices.Equal(got, c.want) {
					t.Errorf("got %q, want %q", got, c.want)
				}
				if !strings.Contains(c.query, "bravo") && (strings.Contains(r.String(), "bravo") && c.sub == "alpha" || strings.Contains(r.String(), "alpha") && c.sub == "bravo") {
					t.Errorf("a search leaked the other workspace: %s", r)
				}
			})
		}

		// Every filter, by every user: another workspace's and another
		// user's messages carry the same features (links, reactions,
		// threads, mentions, today's date) and are never found.
		moDM := e.do("POST", "alpha", "/api/v1/dms", map[string]any{"user_ids": []string{mo.userID}}, bearer(alice.token))
		want(t, moDM, http.StatusOK, "")
		private := post(alice, "alpha", moDM.json(t)["id"].(string), "zebra alice-mo https://alpha.example/x <@"+owner.userID+">")
		want(t, e.do("PUT", "alpha", "/api/v1/messages/"+private+"/reactions/👍", nil, bearer(mo.token)), http.StatusOK, "")
		want(t, e.do("POST", "alpha", "/api/v1/channels/"+moDM.json(t)["id"].(string)+"/messages", map[string]string{"body": "zebra alice-mo reply", "parent_id": private}, bearer(mo.token)), http.StatusCreated, "")
		bgen := general("bravo", bravo)
		bmsg := post(bravo, "bravo", bgen, "zebra bravo https://bravo.example/x <@"+bravo.userID+">")
		want(t, e.do("PUT", "bravo", "/api/v1/messages/"+bmsg+"/reactions/👍", nil, bearer(bravo.token)), http.StatusOK, "")
		want(t, e.do("POST", "bravo", "/api/v1/channels/"+bgen+"/messages", map[string]string{"body": "zebra bravo reply", "parent_id": bmsg}, bearer(bravo.token)), http.StatusCreated, "")
		secretLink := post(owner, "alpha", secret, "zebra secret https://alpha.example/s <@"+mo.userID+">")
		want(t, e.do("PUT", "alpha", "/api/v1/messages/"+secretLink+"/reactions/👍", nil, bearer(owner.token)), http.StatusOK, "")

		never := []struct {
			who   account
			words []string // no result may contain these
		}{
			{owner, []string{"bravo", "alice-mo", "conversation", "note"}},
			{alice, []string{"bravo", "conversation", "note"}},
			{mo, []string{"bravo", "secret", "in dm", "conversation", "note"}},
			{cleo, []string{"bravo", "secret", "alice-mo", "in dm", "general", "note"}},
		}
		filters := []string{"zebra", "has:link", "has:reaction", "has:file", "is:thread", "mentions:me", "from:me",
			"from:@alice", "from:@owner", "@mo", "on:today", "during:" + time.Now().UTC().Format("2006"), "after:2020-01-01",
			"zebra -secret", "zeb*", `"zebra secret"`, "is:archived"}
		for _, n := range never {
			for _, f := range filters {
				got, r := e.searchFound(t, n.who, "alpha", "sort=newest&limit=50&q="+url.QueryEscape(f))
				if r.status != http.StatusOK && r.status != http.StatusBadRequest {
					t.Errorf("%s %q: status %d: %s", n.who.email, f, r.status, r)
				}
				for _, body := range got {
					for _, w := range n.words {
						if strings.Contains(body, w) {
							t.Errorf("%s searching %q found %q", n.who.email, f, body)
						}
					}
				}
			}
		}
		t.Run("filters find what may be read", func(t *testing.T) {
			for _, c := range []struct {
				who   account
				query string
				want  []string
			}{
				{mo, "has:link", []string{"zebra alice-mo https://alpha.example/x <@" + owner.userID + ">"}},
				{mo, "mentions:me", nil}, // the secret channel mentions mo, who is not in it
				{owner, "mentions:me", []string{}},
				{alice, "is:thread in:@mo", []string{"zebra alice-mo https://alpha.example/x <@" + owner.userID + ">", "zebra alice-mo reply"}},
				{owner, "has:reaction", []string{"zebra secret https://alpha.example/s <@" + mo.userID + ">"}},
			} {
				got, r := e.searchFound(t, c.who, "alpha", "q="+url.QueryEscape(c.query))
				want(t, r, http.StatusOK, "")
				if len(got) != len(c.want) || (len(got) > 0 && !slices.Equal(got, c.want)) {
					t.Errorf("%s %q: got %q, want %q", c.who.email, c.query, got, c.want)
				}
			}
		})

		errs := []struct {
			name   string
			who    account
			query  string
			status int
			code   string
		}{
			{"unknown filter", owner, "q=colour:red", http.StatusBadRequest, "invalid"},
			{"bad has", owner, "q=has:pony", http.StatusBadRequest, "invalid"},
			{"bad date", owner, "q=before:2026-13-01", http.StatusBadRequest, "invalid"},
			{"empty", owner, "q=", http.StatusBadRequest, "invalid"},
			{"bad kind", owner, "q=zebra&kind=files", http.StatusBadRequest, "invalid"},
			{"bad sort", owner, "q=zebra&sort=oldest", http.StatusBadRequest, "invalid"},
			{"bad limit", owner, "q=zebra&limit=0", http.StatusBadRequest, "invalid"},
			{"limit too big", owner, "q=zebra&limit=51", http.StatusBadRequest, "invalid"},
			{"bad cursor", owner, "q=zebra&cursor=%21%21", http.StatusBadRequest, "invalid"},
			{"bad tz", owner, "q=zebra+on:today&tz=Mars/Olympus", http.StatusBadRequest, "invalid"},
			{"unknown person", owner, "q=zebra+from:@nobody", http.StatusBadRequest, "invalid"},
			{"channel one cannot read", mo, "q=zebra+in:%23secret", http.StatusBadRequest, "invalid"},
			{"member without desk: is:ticket", mo, "q=zebra+is:ticket", http.StatusForbidden, "forbidden"},
			{"member without desk: tickets", mo, "kind=tickets&q=zebra", http.StatusForbidden, "forbidden"},
			{"customer: people", cleo, "kind=people&q=alice", http.StatusForbidden, "forbidden"},
			{"signed out", account{}, "q=zebra", http.StatusUnauthorized, "unauthenticated"},
		}
		for _, c := range errs {
			t.Run(c.name, func(t *testing.T) {
				r := e.do("GET", "alpha", "/api/v1/search?"+c.query, nil, bearer(c.who.token))
				want(t, r, c.status, c.code)
			})
		}
		// Another workspace's token on this host is refused.
		want(t, e.do("GET", "alpha", "/api/v1/search?q=zebra", nil, bearer(bravo.token)), http.StatusUnauthorized, "unauthenticated")

		t.Run("unknown filter names it", func(t *testing.T) {
			r := e.do("GET", "alpha", "/api/v1/search?q="+url.QueryEscape("zebra colour:red"), nil, bearer(owner.token))
			if !strings.Contains(r.String(), "colour:") {
				t.Errorf("the error does not name the filter: %s", r)
			}
		})
		t.Run("snippet, filters and paging", func(t *testing.T) {
			for i := 0; i < 5; i++ {
				post(owner, "alpha", gen, "<b>paged</b> item & more")
			}
			r := e.do("GET", "alpha", "/api/v1/search?limit=2&q="+url.QueryEscape("paged in:#general"), nil, bearer(owner.token))
			want(t, r, http.StatusOK, "")
			m := r.json(t)
			if m["total"].(float64) != 5 || m["total_exact"] != true {
				t.Errorf("total %v exact %v", m["total"], m["total_exact"])
			}
			hit := m["results"].([]any)[0].(map[string]any)
			if s := hit["snippet"].(string); s != "&lt;b&gt;<mark>paged</mark>&lt;/b&gt; item &amp; more" {
				t.Errorf("snippet %q", s)
			}
			if f := m["filters"].([]any); len(f) != 1 || f[0].(map[string]any)["key"] != "in" {
				t.Errorf("filters %v", f)
			}
			if c := hit["channel"].(map[string]any); c["name"] != "general" {
				t.Errorf("channel %v", c)
			}
			seen := 0
			cursor := m["next_cursor"].(string)
			seen += len(m["results"].([]any))
			for cursor != "" {
				r := e.do("GET", "alpha", "/api/v1/search?limit=2&cursor="+url.QueryEscape(cursor)+"&q="+url.QueryEscape("paged in:#general"), nil, bearer(owner.token))
				want(t, r, http.StatusOK, "")
				m := r.json(t)
				seen += len(m["results"].([]any))
				cursor = m["next_cursor"].(string)
			}
			if seen != 5 {
				t.Errorf("paged through %d results, want 5", seen)
			}
		})
	})
}
