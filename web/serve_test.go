package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

var big = strings.Repeat("console.log('relay');\n", 200)

var build = fstest.MapFS{
	"index.html":           {Data: []byte(`<html><head><title>Relay</title></head><body></body></html>`)},
	"assets/app-1a2b.js":   {Data: []byte(big)},
	"assets/tiny-3c4d.js":  {Data: []byte(`1`)},
	"assets/logo-5e6f.png": {Data: []byte("\x89PNG\r\n\x1a\n" + strings.Repeat("\x00", 2000))},
	"favicon.svg":          {Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg">` + strings.Repeat(" ", 2000) + `</svg>`)},
	".keep":                {},
}

func get(t *testing.T, a *App, path string, hdr map[string]string) (*http.Response, []byte, bool) {
	t.Helper()
	r := httptest.NewRequest("GET", path, nil)
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	ok := a.ServeFile(w, r)
	res := w.Result()
	body, _ := io.ReadAll(res.Body)
	return res, body, ok
}

func TestServeFile(t *testing.T) {
	a := New(build)
	if !a.Built() {
		t.Fatal("Built() = false with an index.html")
	}
	for _, tt := range []struct {
		name, path, accept string
		served, gzipped    bool
		cache              string
		want               string // the decoded body, when served
	}{
		{"asset, gzip accepted", "/assets/app-1a2b.js", "gzip, deflate, br", true, true, "public, max-age=31536000, immutable", big},
		{"asset, gzip not accepted", "/assets/app-1a2b.js", "", true, false, "public, max-age=31536000, immutable", big},
		{"asset, gzip refused", "/assets/app-1a2b.js", "gzip;q=0, br", true, false, "public, max-age=31536000, immutable", big},
		{"small asset stays plain", "/assets/tiny-3c4d.js", "gzip", true, false, "public, max-age=31536000, immutable", "1"},
		{"image stays plain", "/assets/logo-5e6f.png", "gzip", true, false, "public, max-age=31536000, immutable", ""},
		{"root file revalidated", "/favicon.svg", "gzip", true, true, "no-cache", ""},
		{"index.html is the shell's", "/index.html", "", false, false, "", ""},
		{"dot file", "/.keep", "", false, false, "", ""},
		{"missing", "/assets/nope.js", "", false, false, "", ""},
		{"traversal", "/assets/../../serve.go", "", false, false, "", ""},
		{"root", "/", "", false, false, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, body, ok := get(t, a, tt.path, map[string]string{"Accept-Encoding": tt.accept})
			if ok != tt.served {
				t.Fatalf("served = %v, want %v", ok, tt.served)
			}
			if !ok {
				return
			}
			if got := res.Header.Get("Cache-Control"); got != tt.cache {
				t.Errorf("Cache-Control = %q, want %q", got, tt.cache)
			}
			if gz := res.Header.Get("Content-Encoding") == "gzip"; gz != tt.gzipped {
				t.Fatalf("gzipped = %v, want %v", gz, tt.gzipped)
			}
			if tt.gzipped {
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				if body, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
					t.Errorf("gzip without Vary: Accept-Encoding")
				}
			}
			if tt.want != "" && string(body) != tt.want {
				t.Errorf("body = %.40q…, want %.40q…", body, tt.want)
			}
			if strings.HasSuffix(tt.path, ".js") && !strings.Contains(res.Header.Get("Content-Type"), "javascript") {
				t.Errorf("Content-Type = %q", res.Header.Get("Content-Type"))
			}
		})
	}
	// A range request gets the plain bytes it asked for.
	res, body, _ := get(t, a, "/assets/app-1a2b.js", map[string]string{"Accept-Encoding": "gzip", "Range": "bytes=0-6"})
	if res.StatusCode != http.StatusPartialContent || string(body) != "console" || res.Header.Get("Content-Encoding") != "" {
		t.Errorf("range: %d %q %v", res.StatusCode, body, res.Header)
	}
	// The plain and gzipped root file have different validators.
	plain, _, _ := get(t, a, "/favicon.svg", nil)
	zipped, _, _ := get(t, a, "/favicon.svg", map[string]string{"Accept-Encoding": "gzip"})
	if plain.Header.Get("ETag") == "" || plain.Header.Get("ETag") == zipped.Header.Get("ETag") {
		t.Errorf("ETags: plain %q, gzip %q", plain.Header.Get("ETag"), zipped.Header.Get("ETag"))
	}
}

func TestShell(t *testing.T) {
	for _, tt := range []struct {
		name string
		app  *App
		want string
	}{
		{"built", New(build), "<title>Relay</title>"},
		{"not built", None(), "was not built"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			tt.app.ServeShell(w, httptest.NewRequest("GET", "/channels/1", nil), http.StatusOK,
				Boot{Host: "workspace", BaseURL: "http://localhost:8080", Workspace: map[string]string{"name": "</script><b>x"}})
			body := w.Body.String()
			if !strings.Contains(body, tt.want) {
				t.Errorf("page lacks %q: %s", tt.want, body)
			}
			i, j := strings.Index(body, `<script id="relay-boot"`), strings.Index(body, "</head>")
			if i < 0 || j < i {
				t.Fatalf("boot data not in <head>: %s", body)
			}
			if strings.Contains(body, "</script><b>") {
				t.Errorf("boot data closes its script element: %s", body)
			}
			if w.Header().Get("Cache-Control") != "no-cache" || !strings.Contains(w.Header().Get("Content-Security-Policy"), "script-src 'self'") {
				t.Errorf("headers: %v", w.Header())
			}
		})
	}
}
