package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

// App serves one build of the web app.
type App struct {
	files fs.FS
	index []byte // dist/index.html; nil when the app was not built
	// gz holds gzip-compressed copies of the text files, made once at
	// start: the build never changes while the server runs, so no request
	// pays for compression.
	gz map[string][]byte
}

// New serves the build in files (the contents of dist/).
func New(files fs.FS) *App {
	a := &App{files: files, gz: map[string][]byte{}}
	if b, err := fs.ReadFile(files, "index.html"); err == nil {
		a.index = b
	}
	_ = fs.WalkDir(files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !compressible[path.Ext(name)] {
			return nil
		}
		data, err := fs.ReadFile(files, name)
		if err != nil || len(data) < 1024 {
			return nil
		}
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(data)
		if zw.Close() == nil && buf.Len() < len(data) {
			a.gz[name] = buf.Bytes()
		}
		return nil
	})
	return a
}

var compressible = map[string]bool{".js": true, ".css": true, ".svg": true, ".json": true, ".txt": true, ".map": true}

// acceptsGzip reports whether the client takes gzip (a q=0 refusal aside).
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") {
			return strings.ReplaceAll(params, " ", "") != "q=0"
		}
	}
	return false
}

// Built reports whether a web build is present.
func (a *App) Built() bool { return a.index != nil }

// Boot is what the shell tells the app before it makes any request.
type Boot struct {
	// Host is "apex" or "workspace".
	Host string `json:"host"`
	// BaseURL is the apex address as the browser reaches it.
	BaseURL string `json:"base_url"`
	// Workspace is the public view of the workspace of this host (nil on
	// the apex, or when the subdomain names no workspace).
	Workspace any `json:"workspace"`
}

// CSP is the Content-Security-Policy of the shell: scripts only from this
// origin (so rendered user content can never run a script), styles inline
// allowed for theme variables, images from this origin and data/blob URLs
// (previews before upload), images, audio and video also from https
// addresses (attachments that connectors link rather than store: LINE
// stickers, Discord files), sockets to this host.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob: https:; media-src 'self' https:; connect-src 'self'; font-src 'self' data:; object-src 'none'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// ServeShell writes the app's index.html with b embedded, or the build
// instructions when there is no build. status is the HTTP status to use.
func (a *App) ServeShell(w http.ResponseWriter, r *http.Request, status int, b Boot) {
	boot, err := json.Marshal(b)
	if err != nil {
		http.Error(w, "boot data", http.StatusInternalServerError)
		return
	}
	// JSON inside <script> must not close the element or open a comment:
	// escape <, > and & (json.Marshal already escapes them as \u003c etc.).
	tag := append([]byte(`<script id="relay-boot" type="application/json">`), boot...)
	tag = append(tag, "</script>\n"...)
	index := a.index
	if index == nil {
		index = notBuilt
	}
	page := injectHead(index, tag)
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Security-Policy", CSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(page)
	}
}

func injectHead(index, tag []byte) []byte {
	i := bytes.Index(index, []byte("</head>"))
	if i < 0 {
		return append(append([]byte{}, tag...), index...)
	}
	out := make([]byte, 0, len(index)+len(tag))
	out = append(out, index[:i]...)
	out = append(out, tag...)
	return append(out, index[i:]...)
}

// ServeFile serves a file of the build other than index.html: Vite's
// fingerprinted /assets/… (cached for a year, immutable) and the files of
// public/ at the root (favicon and the like, revalidated). It reports false,
// writing nothing, when there is no such file.
func (a *App) ServeFile(w http.ResponseWriter, r *http.Request) bool {
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if name == "" || name == "index.html" || strings.HasPrefix(path.Base(name), ".") {
		return false
	}
	data, err := fs.ReadFile(a.files, name)
	if err != nil {
		return false
	}
	h := w.Header()
	if strings.HasPrefix(name, "assets/") {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
		sum := sha256.Sum256(data)
		h.Set("ETag", `"`+hex.EncodeToString(sum[:8])+`"`)
	}
	h.Set("X-Content-Type-Options", "nosniff")
	if gz, ok := a.gz[name]; ok {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) && r.Header.Get("Range") == "" {
			if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
				h.Set("Content-Type", ct)
			}
			h.Set("Content-Encoding", "gzip")
			if e := h.Get("ETag"); e != "" {
				h.Set("ETag", strings.TrimSuffix(e, `"`)+`-gz"`)
			}
			data = gz
		}
	}
	// ServeContent answers HEAD, ranges and If-None-Match (and picks the
	// type from the extension when not set above).
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(data))
	return true
}

var notBuilt = []byte(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Relay — web app not built</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1f2937}
code,pre{background:#f3f4f6;border-radius:4px;padding:.1rem .3rem}pre{padding:.75rem}</style></head>
<body><h1>Relay is running, but its web app was not built</h1>
<p>This binary was compiled without the browser app. The API (<code>/api/v1</code>) and the socket work; to get
the app, build it and compile again:</p>
<pre>make run</pre>
<p>or by hand:</p>
<pre>npm ci --prefix web
npm run build --prefix web
go build -o bin/relay ./cmd/relay</pre>
</body></html>
`)

// None is an App with no build, serving the build instructions.
func None() *App { return New(emptyFS{}) }

type emptyFS struct{}

func (emptyFS) Open(name string) (fs.File, error) {
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}
