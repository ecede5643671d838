package httpapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/relayhq/relay/app"
	"github.com/relayhq/relay/internal/testdb"
)

// TestOpenAPIMatchesRoutes keeps openapi.json and the routing table in step:
// every route is documented and every documented operation is served.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	var spec struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openapiJSON, &spec); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(spec.OpenAPI, "3.") {
		t.Fatalf("openapi = %q, want 3.x", spec.OpenAPI)
	}
	var documented []string
	for path, ops := range spec.Paths {
		for method, op := range ops {
			switch method {
			case "get", "put", "post", "delete", "patch", "head", "options":
			default:
				continue // parameters, summary…
			}
			documented = append(documented, strings.ToUpper(method)+" "+path)
			var o struct {
				OperationID string                     `json:"operationId"`
				Responses   map[string]json.RawMessage `json:"responses"`
			}
			if err := json.Unmarshal(op, &o); err != nil || o.OperationID == "" || len(o.Responses) == 0 {
				t.Errorf("%s %s: needs an operationId and responses", method, path)
			}
		}
	}
	var served []string
	for _, rt := range (&Server{}).routes() {
		if rt.undocumented {
			continue
		}
		served = append(served, rt.method+" "+strings.ReplaceAll(rt.path, "{$}", ""))
	}
	sort.Strings(documented)
	sort.Strings(served)
	if diff := cmp.Diff(served, documented); diff != "" {
		t.Fatalf("routes (-served +documented):\n%s", diff)
	}
}

func TestSystemEndpoints(t *testing.T) {
	e := newEnv(t, testdb.SQLite(t), app.Limits{})
	e.signup("acme")
	r := e.do("GET", "", "/api/v1/openapi.json", nil)
	want(t, r, http.StatusOK, "")
	if !json.Valid(r.body) {
		t.Fatal("openapi.json is not JSON")
	}
	want(t, e.do("GET", "", "/healthz", nil), http.StatusOK, "")
	want(t, e.do("GET", "", "/readyz", nil), http.StatusOK, "")
	want(t, e.do("DELETE", "acme", "/api/v1/members/123456", nil), http.StatusUnauthorized, "unauthenticated")
	m := e.do("GET", "", "/metrics", nil, bearer(testMetricsToken))
	want(t, m, http.StatusOK, "")
	for _, s := range []string{
		`relay_http_requests_total{method="POST",route="POST /api/v1/signup",status="201"} 1`,
		`route="DELETE /api/v1/members/{user_id}"`, // the pattern, never the raw path
		`go_sql_open_connections{db_name=`,         // pool metrics
		`relay_build_info{version="test"} 1`,
	} {
		if !strings.Contains(m.String(), s) {
			t.Errorf("metrics lack %s", s)
		}
	}
	if strings.Contains(m.String(), "123456") {
		t.Error("metrics carry a raw path")
	}
	// Every response carries a request id; a sane incoming one is kept.
	r = e.do("GET", "", "/healthz", nil, header("X-Request-Id", "abc-123"))
	if r.header.Get("X-Request-Id") != "abc-123" {
		t.Fatalf("request id = %q", r.header.Get("X-Request-Id"))
	}
	r = e.do("GET", "", "/healthz", nil, header("X-Request-Id", "bad id with spaces"))
	if id := r.header.Get("X-Request-Id"); id == "" || strings.Contains(id, " ") {
		t.Fatalf("request id = %q", id)
	}
}

// TestMetricsAccess: /metrics on the main listener answers only with a
// metrics token configured, and then only to requests bearing it, on any
// host; without a token it is not there (404).
func TestMetricsAccess(t *testing.T) {
	db := testdb.SQLite(t)
	e := newEnv(t, db, app.Limits{})
	acme := e.signup("acme")
	open := New(Config{App: e.srv.app, BaseDomain: base, Logger: e.srv.log, Metrics: NewMetrics("test", db.Pools())})
	for _, tt := range []struct {
		name   string
		srv    *Server
		sub    string
		auth   string // the Authorization header; "" sends none
		status int
		code   string
	}{
		{"no token configured", open, "", "", 404, "not_found"},
		{"no token configured, one sent", open, "", "Bearer " + testMetricsToken, 404, "not_found"},
		{"token configured, none sent", e.srv, "", "", 401, "unauthenticated"},
		{"wrong token", e.srv, "", "Bearer metrics-token-0123456788", 401, "unauthenticated"},
		{"a prefix of the token", e.srv, "", "Bearer metrics-token", 401, "unauthenticated"},
		{"another scheme", e.srv, "", "Basic " + testMetricsToken, 401, "unauthenticated"},
		{"a session token", e.srv, "acme", "Bearer " + acme.token, 401, "unauthenticated"},
		{"right token on the apex", e.srv, "", "Bearer " + testMetricsToken, 200, ""},
		{"right token on a workspace", e.srv, "acme", "bearer " + testMetricsToken, 200, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/metrics", nil)
			req.Host = base
			if tt.sub != "" {
				req.Host = tt.sub + "." + base
			}
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			rec := httptest.NewRecorder()
			tt.srv.ServeHTTP(rec, req)
			r := res{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
			want(t, r, tt.status, tt.code)
			if tt.status == 200 && !strings.Contains(r.String(), "relay_build_info") {
				t.Errorf("no relay_build_info in %s", r.body)
			}
			if tt.status == 401 && r.header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
}

func TestClientIP(t *testing.T) {
	for _, tt := range []struct {
		trust      bool
		remote, ff string
		want       string
	}{
		{false, "10.0.0.1:5000", "1.2.3.4", "10.0.0.1"},
		{true, "10.0.0.1:5000", "1.2.3.4", "1.2.3.4"},
		{true, "10.0.0.1:5000", "6.6.6.6, 1.2.3.4", "1.2.3.4"}, // the proxy's own entry, not the client's claim
		{true, "10.0.0.1:5000", "junk", "10.0.0.1"},
		{true, "[::1]:5000", "", "::1"},
	} {
		s := &Server{trustProxy: tt.trust}
		r, _ := http.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.remote
		if tt.ff != "" {
			r.Header.Set("X-Forwarded-For", tt.ff)
		}
		if got := s.clientIP(r); got != tt.want {
			t.Errorf("clientIP(trust=%v, %q, %q) = %q, want %q", tt.trust, tt.remote, tt.ff, got, tt.want)
		}
	}
}

// TestOpenAPIErrorCodes keeps the documented error codes equal to the codes
// the server maps to statuses.
func TestOpenAPIErrorCodes(t *testing.T) {
	var spec struct {
		Components struct {
			Schemas map[string]struct {
				Properties struct {
					Error struct {
						Properties struct {
							Code struct {
								Enum []string `json:"enum"`
							} `json:"code"`
						} `json:"properties"`
					} `json:"error"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openapiJSON, &spec); err != nil {
		t.Fatal(err)
	}
	documented := spec.Components.Schemas["Error"].Properties.Error.Properties.Code.Enum
	var mapped []string
	for code := range statusFor {
		mapped = append(mapped, code)
	}
	sort.Strings(documented)
	sort.Strings(mapped)
	if diff := cmp.Diff(mapped, documented); diff != "" {
		t.Fatalf("error codes (-mapped +documented):\n%s", diff)
	}
}
