package httpapi

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/relayhq/relay/app"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

// TestTokenLastUsed checks that a new API token reads "never used"
// (last_used_at null) until it first authenticates a request, that a use
// sets it, and that presenting it on another workspace's host touches
// nothing.
func TestTokenLastUsed(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, app.Limits{LoginPerIP: 1000, SignupPerIP: 1000})
		o := e.signup("acme")
		e.signup("other")

		r := e.do("POST", "acme", "/api/v1/tokens", map[string]string{"name": "ci bot"}, bearer(o.token))
		want(t, r, http.StatusCreated, "")
		created := r.json(t)
		tok, id := created["token"].(string), created["id"].(string)
		if v, ok := created["last_used_at"]; !ok || v != nil {
			t.Fatalf("a new token's last_used_at = %v (present %v), want null: %s", v, ok, r.body)
		}

		lastUsed := func() any {
			t.Helper()
			l := e.do("GET", "acme", "/api/v1/tokens", nil, bearer(o.token))
			want(t, l, http.StatusOK, "")
			var body struct {
				Tokens []map[string]any `json:"tokens"`
			}
			if err := json.Unmarshal(l.body, &body); err != nil {
				t.Fatalf("token list: %v: %s", err, l.body)
			}
			for _, tk := range body.Tokens {
				if tk["id"] == id {
					v, ok := tk["last_used_at"]
					if !ok {
						t.Fatalf("token listed without last_used_at: %s", l.body)
					}
					return v
				}
			}
			t.Fatalf("token %s not listed: %s", id, l.body)
			return nil
		}

		steps := []struct {
			name    string
			use     func()
			wantSet bool
		}{
			{"listed before any use: never used", func() {}, false},
			{"presented on another workspace: refused, still never used", func() {
				want(t, e.do("GET", "other", "/api/v1/auth/me", nil, bearer(tok)), http.StatusUnauthorized, "unauthenticated")
			}, false},
			{"first use sets it", func() {
				e.clock.Advance(time.Hour)
				want(t, e.do("GET", "acme", "/api/v1/auth/me", nil, bearer(tok)), http.StatusOK, "")
			}, true},
		}
		for _, s := range steps {
			s.use()
			v := lastUsed()
			if s.wantSet {
				at, ok := v.(string)
				if !ok {
					t.Fatalf("%s: last_used_at = %v, want a time", s.name, v)
				}
				when, err := time.Parse(time.RFC3339Nano, at)
				if err != nil || !when.Equal(e.clock.Now().Truncate(time.Microsecond)) {
					t.Fatalf("%s: last_used_at = %q, want %v", s.name, at, e.clock.Now())
				}
			} else if v != nil {
				t.Fatalf("%s: last_used_at = %v, want null", s.name, v)
			}
		}
	})
}
