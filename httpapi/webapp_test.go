package httpapi

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/relayhq/relay/app"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/web"
)

var fakeBuild = fstest.MapFS{
	"index.html":              {Data: []byte(`<!doctype html><html><head><title>Relay</title><script type="module" src="/assets/index-abc123.js"></script></head><body><div id="app"></div></body></html>`)},
	"assets/index-abc123.js":  {Data: []byte(`console.log("app")`)},
	"assets/index-def456.css": {Data: []byte(`body{}`)},
	"favicon.svg":             {Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)},
	".keep":                   {Data: nil},
}

var bootRE = regexp.MustCompile(`<script id="relay-boot" type="application/json">(.*?)</script>`)

// boot extracts the boot data of a shell page.
func boot(t *testing.T, r res) (b struct {
	Host      string         `json:"host"`
	BaseURL   string         `json:"base_url"`
	Workspace map[string]any `json:"workspace"`
}) {
	t.Helper()
	m := bootRE.FindSubmatch(r.body)
	if m == nil {
		t.Fatalf("no boot data in page: %s", r.body)
	}
	if err := json.Unmarshal(m[1], &b); err != nil {
		t.Fatalf("boot data is not JSON: %v: %s", err, m[1])
	}
	return b
}

func TestWebAppServing(t *testing.T) {
	e := newEnv(t, testdb.SQLite(t), app.Limits{SignupPerIP: 1000})
	e.srv.web = web.New(fakeBuild)
	acme := e.signup("acme")
	e.signup("bravo")
	evil := `</script><script>alert(1)</script>`
	want(t, e.do("PATCH", "acme", "/api/v1/workspace", map[string]string{"name": evil}, bearer(acme.token)), 200, "")

	shell := func(t *testing.T, r res, status int) {
		t.Helper()
		if r.status != status {
			t.Fatalf("status = %d, want %d: %s", r.status, status, r.body)
		}
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("Content-Type = %q, want text/html", ct)
		}
		if cc := r.header.Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("index.html Cache-Control = %q, want no-cache", cc)
		}
		if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline'; script") {
			t.Errorf("CSP = %q", csp)
		}
		if !strings.Contains(r.String(), `src="/assets/index-abc123.js"`) {
			t.Errorf("page is not the build's index.html: %s", r.body)
		}
	}

	t.Run("apex pages", func(t *testing.T) {
		for _, p := range []string{"/", "/signup", "/find"} {
			r := e.do("GET", "", p, nil)
			shell(t, r, 200)
			b := boot(t, r)
			if b.Host != "apex" || b.Workspace != nil || b.BaseURL != "http://relay.test" {
				t.Errorf("GET %s boot = %+v", p, b)
			}
		}
	})

	t.Run("workspace deep links", func(t *testing.T) {
		for _, p := range []string{"/", "/login", "/invite/abc", "/handoff", "/channels/123", "/channels/123/threads/456", "/settings/branding"} {
			r := e.do("GET", "bravo", p, nil)
			shell(t, r, 200)
			b := boot(t, r)
			if b.Host != "workspace" || b.Workspace["subdomain"] != "bravo" || b.Workspace["name"] != "Bravo Inc" {
				t.Errorf("GET %s boot = %+v", p, b)
			}
			if strings.Contains(r.String(), "Acme") || strings.Contains(r.String(), "alert(1)") {
				t.Errorf("bravo's page shows another tenant's data: %s", r.body)
			}
		}
	})

	t.Run("boot data cannot close the script element", func(t *testing.T) {
		r := e.do("GET", "acme", "/", nil)
		shell(t, r, 200)
		if strings.Contains(r.String(), evil) {
			t.Fatalf("workspace name injected raw into the page: %s", r.body)
		}
		if b := boot(t, r); b.Workspace["name"] != evil {
			t.Fatalf("name = %v, want it intact in the JSON", b.Workspace["name"])
		}
	})

	t.Run("unknown workspace", func(t *testing.T) {
		r := e.do("GET", "nobody", "/channels/1", nil)
		shell(t, r, 404)
		if b := boot(t, r); b.Host != "workspace" || b.Workspace != nil {
			t.Errorf("boot = %+v", b)
		}
	})

	t.Run("assets", func(t *testing.T) {
		for _, sub := range []string{"", "acme"} {
			r := e.do("GET", sub, "/assets/index-abc123.js", nil)
			want(t, r, 200, "")
			if cc := r.header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
				t.Errorf("asset Cache-Control = %q", cc)
			}
			if ct := r.header.Get("Content-Type"); !strings.Contains(ct, "javascript") {
				t.Errorf("asset Content-Type = %q", ct)
			}
		}
		want(t, e.do("GET", "acme", "/assets/missing-000.js", nil), 404, "not_found")
		r := e.do("GET", "acme", "/favicon.svg", nil)
		want(t, r, 200, "")
		if r.header.Get("ETag") == "" || r.header.Get("Cache-Control") != "no-cache" {
			t.Errorf("root file headers: %v", r.header)
		}
		// Dot files of the build are not served; the path is the app's.
		shell(t, e.do("GET", "acme", "/.keep", nil), 200)
	})

	t.Run("server paths stay server paths", func(t *testing.T) {
		for _, p := range []string{"/api", "/api/v1/nope", "/socket/nope", "/hooks/nope"} {
			r := e.do("GET", "acme", p, nil)
			want(t, r, 404, "not_found")
			if !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
				t.Errorf("GET %s: Content-Type %q, want JSON", p, r.header.Get("Content-Type"))
			}
		}
		want(t, e.do("GET", "", "/healthz", nil), 200, "")
		// Writes to app paths are not the app's.
		r := e.do("POST", "acme", "/channels/1", map[string]string{})
		if r.status < 400 || r.errCode() == "" {
			t.Errorf("POST to an app path: %d %s", r.status, r.body)
		}
	})

	t.Run("unknown host", func(t *testing.T) {
		r := e.do("GET", "", "/", nil, func(r *http.Request) { r.Host = "example.org" })
		want(t, r, 404, "not_found")
	})
}

func TestWebAppNotBuilt(t *testing.T) {
	e := newEnv(t, testdb.SQLite(t), app.Limits{SignupPerIP: 1000})
	e.signup("acme")
	r := e.do("GET", "acme", "/channels/1", nil)
	want(t, r, 200, "")
	if !strings.Contains(r.String(), "was not built") || !strings.Contains(r.String(), "npm run build") {
		t.Errorf("not-built page does not say how to build: %s", r.body)
	}
	if b := boot(t, r); b.Workspace["name"] != "Acme Inc" {
		t.Errorf("boot = %+v", b)
	}
}

// TestUnknownHostInABrowser: a browser that opens the server by an address
// that is neither the base domain nor a workspace (http://127.0.0.1:8080)
// is sent to the base domain — redirected from a loopback address when the
// base domain is localhost, else shown a page that links there. API
// clients keep the JSON error.
func TestUnknownHostInABrowser(t *testing.T) {
	const html = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	tests := []struct {
		name, base, host, path, accept string
		status                         int
		location                       string // a redirect's target
		link                           string // the page's link; "" with no location: a JSON error
	}{
		{"loopback on localhost", "localhost", "127.0.0.1:8080", "/", html, 302, "http://localhost:8080/", ""},
		{"deep link keeps its path", "localhost", "127.0.0.1:8080", "/channels/5?x=1", html, 302, "http://localhost:8080/channels/5?x=1", ""},
		{"IPv6 loopback", "localhost", "[::1]:8080", "/", html, 302, "http://localhost:8080/", ""},
		{"other loopback", "localhost", "127.0.1.1:9000", "/login", "text/html", 302, "http://localhost:9000/login", ""},
		{"LAN address", "localhost", "192.168.1.20:8080", "/", html, 404, "", "http://localhost:8080"},
		{"loopback on a real domain", "relay.example", "127.0.0.1:8080", "/", html, 404, "", "http://relay.example:8080"},
		{"another name", "localhost", "example.org", "/", html, 404, "", "http://localhost"},
		{"API client", "localhost", "127.0.0.1:8080", "/", "", 404, "", ""},
		{"JSON client", "localhost", "127.0.0.1:8080", "/", "application/json", 404, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := New(Config{BaseDomain: tt.base, Logger: slog.New(slog.DiscardHandler)})
			req := httptest.NewRequest("GET", "http://"+tt.host+tt.path, nil)
			req.Host = tt.host
			if tt.accept != "" {
				req.Header.Set("Accept", tt.accept)
			}
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d; body %s", rec.Code, tt.status, rec.Body)
			}
			if got := rec.Header().Get("Location"); got != tt.location {
				t.Errorf("Location %q, want %q", got, tt.location)
			}
			ct := rec.Header().Get("Content-Type")
			switch {
			case tt.location != "":
			case tt.link != "":
				if !strings.HasPrefix(ct, "text/html") || !strings.Contains(rec.Body.String(), `<a href="`+tt.link+`">`) {
					t.Errorf("page (%s) does not link to %s: %s", ct, tt.link, rec.Body)
				}
			default:
				var e errorBody
				if !strings.HasPrefix(ct, "application/json") || json.Unmarshal(rec.Body.Bytes(), &e) != nil ||
					e.Error.Code != "not_found" || !strings.Contains(e.Error.Message, "Unknown host") {
					t.Errorf("API client got %s %s, want the JSON not_found error", ct, rec.Body)
				}
			}
		})
	}
}
