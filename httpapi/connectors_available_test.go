package httpapi

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/relayhq/relay/app"
	"github.com/relayhq/relay/files"
	"github.com/relayhq/relay/internal/logging"
	"github.com/relayhq/relay/internal/password"
	"github.com/relayhq/relay/internal/secretbox"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

// newEnvConnectors is newEnv with the operator's connector settings given.
func newEnvConnectors(t testing.TB, db *store.DB, cc app.ConnectorsConfig) *env {
	t.Helper()
	dir := t.TempDir()
	fs, err := files.NewDisk(dir)
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Now()}
	log := logging.New(io.Discard, "debug")
	box, err := secretbox.New("httpapi-test-secret-key-0123456789abcdef")
	if err != nil {
		t.Fatal(err)
	}
	a := app.New(app.Config{Store: db, Files: fs, Logger: log, Now: clk.Now,
		PasswordParams: password.Params{Memory: 64, Time: 1, Threads: 1}, Secrets: box, Connectors: cc})
	srv := New(Config{App: a, BaseDomain: base, Logger: log, Metrics: NewMetrics("test", db.Pools())})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &env{t: t, url: ts.URL, srv: srv, clock: clk, db: db, files: dir}
}

// GET /connectors/available says which kinds this server offers: an own
// LINE bot always; the shared LINE bot and Discord only when the operator
// configured them. Owners (only) learn, in plain words, what the operator
// must set; creating an unavailable kind is refused without naming
// variables, and stores nothing.
func TestConnectorsAvailable(t *testing.T) {
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		for _, tt := range []struct {
			name       string
			cfg        app.ConnectorsConfig
			lineShared bool
			discord    bool
		}{
			{name: "nothing configured", cfg: app.ConnectorsConfig{BaseURL: testConnectors.BaseURL}},
			{name: "both configured", cfg: testConnectors, lineShared: true, discord: true},
			{name: "discord only", cfg: app.ConnectorsConfig{BaseURL: testConnectors.BaseURL, DiscordBotToken: "t", DiscordApplicationID: "1"}, discord: true},
		} {
			t.Run(tt.name, func(t *testing.T) {
				e := newEnvConnectors(t, db, tt.cfg)
				sub := strings.ReplaceAll(tt.name, " ", "")
				owner := e.signup(sub)
				admin := e.join(owner, "ada", "admin")
				agent := e.join(owner, "aggie", "agent")
				customer := e.join(owner, "cus", "customer")
				type kind struct {
					Type, Model   string
					Available     bool
					OperatorSetup string `json:"operator_setup"`
				}
				get := func(who account) map[string]kind {
					r := e.do("GET", sub, "/api/v1/connectors/available", nil, bearer(who.token))
					want(t, r, http.StatusOK, "")
					var body struct{ Kinds []kind }
					if err := json.Unmarshal(r.body, &body); err != nil {
						t.Fatal(err)
					}
					out := map[string]kind{}
					for _, k := range body.Kinds {
						out[k.Type+"/"+k.Model] = k
					}
					return out
				}
				for _, who := range []account{owner, admin} {
					ks := get(who)
					if len(ks) != 3 || !ks["line/own"].Available || ks["line/shared"].Available != tt.lineShared || ks["discord/shared"].Available != tt.discord {
						t.Fatalf("%s: kinds %+v", who.role, ks)
					}
					for key, k := range ks {
						// Only owners learn what the operator must set, and only for what is missing.
						wantHint := who.role == "owner" && !k.Available
						if (k.OperatorSetup != "") != wantHint {
							t.Errorf("%s: %s operator_setup %q", who.role, key, k.OperatorSetup)
						}
						if wantHint && !strings.Contains(k.OperatorSetup, "RELAY_") {
							t.Errorf("%s: %s setup does not say what to set: %q", who.role, key, k.OperatorSetup)
						}
					}
				}
				for _, who := range []account{agent, customer} {
					want(t, e.do("GET", sub, "/api/v1/connectors/available", nil, bearer(who.token)), http.StatusForbidden, "forbidden")
				}
				want(t, e.do("GET", sub, "/api/v1/connectors/available", nil), http.StatusUnauthorized, "unauthenticated")
				// Another workspace's owner token is no key to this workspace.
				other := e.signup(sub + "x")
				r0 := e.do("GET", sub, "/api/v1/connectors/available", nil, bearer(other.token))
				if r0.status != http.StatusUnauthorized && r0.status != http.StatusNotFound {
					t.Errorf("another workspace's token: %d %s", r0.status, r0.body)
				}
				// An unavailable kind is refused in plain words, and nothing is stored.
				for _, k := range []struct {
					body      map[string]any
					available bool
				}{{map[string]any{"type": "line", "model": "shared"}, tt.lineShared}, {map[string]any{"type": "discord"}, tt.discord}} {
					if k.available {
						continue
					}
					r := e.do("POST", sub, "/api/v1/connectors", k.body, bearer(admin.token))
					want(t, r, http.StatusBadRequest, "invalid")
					if m := r.errMessage(); strings.Contains(m, "RELAY_") || !strings.Contains(m, "does not offer") {
						t.Errorf("refusal: %q", m)
					}
				}
				r := e.do("GET", sub, "/api/v1/connectors", nil, bearer(admin.token))
				if n := len(r.json(t)["connectors"].([]any)); n != 0 {
					t.Errorf("%d connectors stored", n)
				}
			})
		}
	})
}
