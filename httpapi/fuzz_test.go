package httpapi

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/strictjson"
)

// FuzzDecode feeds arbitrary bodies to the strict JSON decoder: it must
// never panic, and every failure must be a client error with a message.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{}`, `{"name":"x"}`, `{`, `[]`, `{"name":5}`, `{"x":1}`, `{"a":"b"} {}`, "\xff", `null`,
		`{"name":"` + strings.Repeat("y", 100) + `"}`, `{"primary_color":"#000000","accent_color":null}`,
		`{"name":"a","name":"b"}`, `{"name":"a","\u006eame":"b"}`, `{"name":"a","NAME":"b"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		r, _ := http.NewRequest("POST", "/", strings.NewReader(body))
		r.Body = http.MaxBytesReader(nil, r.Body, 1024)
		var v relay.WorkspaceUpdate
		if err := decode(r, &v); err != nil {
			code := relay.ErrorCode(err)
			if code != relay.EINVALID && code != relay.ETOOLARGE {
				t.Fatalf("decode(%q) code %q, want invalid or too_large (%v)", body, code, err)
			}
			if relay.ErrorMessage(err) == "" {
				t.Fatal("empty message")
			}
			return
		}
		// What decodes has no key twice in one object, so nothing a
		// proxy or a log read first can differ from what the app acts on.
		if err := strictjson.CheckDuplicateKeys([]byte(body)); err != nil {
			t.Fatalf("decode(%q) accepted a duplicate key: %v", body, err)
		}
	})
}

// FuzzSplitHost checks host parsing never panics and only ever yields a
// single DNS label as a subdomain.
func FuzzSplitHost(f *testing.F) {
	for _, s := range []string{"relay.test", "acme.relay.test:8080", "a.b.relay.test", "[::1]:80", "RELAY.TEST.", ".relay.test", "relay.test:", ""} {
		f.Add(s)
	}
	s := &Server{baseDomain: "relay.test"}
	f.Fuzz(func(t *testing.T, host string) {
		apex, sub := s.splitHost(host)
		if apex && sub != "" {
			t.Fatalf("%q: both apex and subdomain %q", host, sub)
		}
		if strings.Contains(sub, ".") || strings.Contains(sub, ":") {
			t.Fatalf("%q: subdomain %q is not one label", host, sub)
		}
	})
}

// FuzzUnknownHost feeds arbitrary Host, path and Accept values to the
// answer given on an unknown host: it must never panic, and a redirect
// must never leave the base domain.
func FuzzUnknownHost(f *testing.F) {
	for _, s := range [][3]string{{"127.0.0.1:8080", "/", "text/html"}, {"[::1]:80", "/a?b", "text/html;q=0.9"},
		{"example.org", "//evil.example/", "text/html"}, {"127.0.0.1", "/", ""}, {"[::1", "/", "TEXT/HTML"}} {
		f.Add(s[0], s[1], s[2])
	}
	srv := New(Config{BaseDomain: "localhost", Logger: slog.New(slog.DiscardHandler)})
	f.Fuzz(func(t *testing.T, host, path, accept string) {
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		req, err := http.NewRequest("GET", "http://localhost"+path, nil)
		if err != nil {
			return
		}
		req.Host = host
		req.Header.Set("Accept", accept)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if loc := rec.Header().Get("Location"); loc != "" {
			u, err := url.Parse(loc)
			// The mux's own redirects (cleaned paths) are relative.
			if err != nil || (u.Host != "" && u.Hostname() != "localhost") {
				t.Fatalf("Host %q path %q: redirect to %q leaves the base domain", host, path, loc)
			}
		}
	})
}
