package httpapi

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/relayhq/relay"
)

var errStarting = &relay.Error{Code: relay.EUNAVAILABLE, RetryAfter: defaultRetryAfter,
	Message: "Relay is starting: it is waiting for its database. Try again in a few seconds."}

// Starting is what the listener serves while the server waits for its
// database at start: /healthz answers 200 (the process is alive), /readyz
// and everything else 503 unavailable with Retry-After — the JSON error for
// API clients, a short page that reloads itself for browsers.
func Starting() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
			return
		}
		w.Header().Set("Retry-After", strconv.Itoa(defaultRetryAfter))
		if wantsHTML(r) && !serverPath(r.URL.Path) {
			writePage(w, http.StatusServiceUnavailable, startingPage)
			return
		}
		var body errorBody
		body.Error.Code, body.Error.Message = errStarting.Code, errStarting.Message
		writeJSON(w, http.StatusServiceUnavailable, body)
	})
}

// wantsHTML reports whether the request comes from a browser navigating
// (Accept names text/html), rather than from an API client.
func wantsHTML(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, _, _ := strings.Cut(part, ";")
		if strings.EqualFold(strings.TrimSpace(mt), "text/html") {
			return true
		}
	}
	return false
}

// page is the frame of the few plain pages the server answers itself.
var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
{{if .Refresh}}<meta http-equiv="refresh" content="{{.Refresh}}">{{end}}<title>{{.Title}}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:15vh auto;padding:0 1rem;color:#1d1c1d}
a{color:#1264a3}</style></head>
<body><h1>{{.Title}}</h1><p>{{.Text}}</p>{{if .Link}}<p><a href="{{.Link}}">{{.Link}}</a></p>{{end}}</body></html>
`))

type pageData struct {
	Title, Text, Link string
	Refresh           int // seconds; 0: no reload
}

var startingPage = pageData{Title: "Relay is starting",
	Text: "The server is waiting for its database. This page reloads by itself.", Refresh: defaultRetryAfter}

// writePage answers with one of the server's plain pages.
func writePage(w http.ResponseWriter, status int, p pageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = page.Execute(w, p)
}
