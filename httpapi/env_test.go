package httpapi

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/relayhq/relay/app"
	"github.com/relayhq/relay/connectors/webhook"
	"github.com/relayhq/relay/files"
	"github.com/relayhq/relay/internal/logging"
	"github.com/relayhq/relay/internal/password"
	"github.com/relayhq/relay/internal/secretbox"
	"github.com/relayhq/relay/store"
)

const base = "relay.test"

// testMetricsToken opens /metrics on the test server's listener.
const testMetricsToken = "metrics-token-0123456789"

// clock is a settable time source shared by the app and its rate limiters.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testConnectors configures shared bots with fake credentials: nothing in
// these tests talks to LINE or Discord.
var testConnectors = app.ConnectorsConfig{BaseURL: "http://" + base + ":8080",
	LINESharedSecret: "0123456789abcdef0123456789abcdef", LINESharedToken: "shared-line-token-for-tests", LINESharedBotID: "@relaytest",
	DiscordBotToken: "discord-bot-token", DiscordApplicationID: "123456789012345678", DiscordClientSecret: "discord-client-secret"}

// env is a real Server on a real listener over a real store.
type env struct {
	t     testing.TB
	url   string
	srv   *Server
	clock *clock
	db    *store.DB
	files string
}

func newEnv(t testing.TB, db *store.DB, limits app.Limits) *env {
	t.Helper()
	return newEnvLog(t, db, limits, io.Discard)
}

// newEnvLog is newEnv with the server's debug-level JSON logs written to w.
func newEnvLog(t testing.TB, db *store.DB, limits app.Limits, w io.Writer) *env {
	t.Helper()
	dir := t.TempDir()
	fs, err := files.NewDisk(dir)
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Now()}
	log := logging.New(w, "debug")
	box, err := secretbox.New("httpapi-test-secret-key-0123456789abcdef")
	if err != nil {
		t.Fatal(err)
	}
	a := app.New(app.Config{Store: db, Files: fs, Logger: log, Limits: limits, Now: clk.Now,
		PasswordParams: password.Params{Memory: 64, Time: 1, Threads: 1}, Secrets: box,
		Connectors: testConnectors})
	srv := New(Config{App: a, BaseDomain: base, Logger: log, Metrics: NewMetrics("test", db.Pools()), MetricsToken: testMetricsToken,
		Incoming: webhook.NewReceiver(a.Webhooks)})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &env{t: t, url: ts.URL, srv: srv, clock: clk, db: db, files: dir}
}

// res is a response read whole.
type res struct {
	status int
	header http.Header
	body   []byte
}

func (r res) String() string { return string(r.body) }

// json decodes the body into a map.
func (r res) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, r.body)
	}
	return m
}

// errCode returns error.code from an error body, or "".
func (r res) errCode() string {
	var b errorBody
	_ = json.Unmarshal(r.body, &b)
	return b.Error.Code
}

type opt func(*http.Request)

func bearer(tok string) opt {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }
}
func cookie(tok string) opt {
	return func(r *http.Request) { r.AddCookie(&http.Cookie{Name: CookieName, Value: tok}) }
}
func header(k, v string) opt { return func(r *http.Request) { r.Header.Set(k, v) } }

// do sends a request to host (a workspace subdomain, or "" for the apex).
// body may be nil, []byte (sent raw) or anything else (sent as JSON).
func (e *env) do(method, sub, path string, body any, opts ...opt) res {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.url+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Host = base
	if sub != "" {
		req.Host = sub + "." + base
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, o := range opts {
		o(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return res{status: resp.StatusCode, header: resp.Header, body: b}
}

// want fails unless r has the status (and, for errors, the code).
func want(t testing.TB, r res, status int, code string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body: %s", r.status, status, r.body)
	}
	if code != "" && r.errCode() != code {
		t.Fatalf("error code = %q, want %q; body: %s", r.errCode(), code, r.body)
	}
}

// account is one signed-in person in a workspace.
type account struct {
	sub, email, password, token, userID, role string
	handoff                                   string // sign-up's hand-off code
}

func (e *env) signup(sub string) account {
	e.t.Helper()
	a := account{sub: sub, email: "owner@" + sub + ".example", password: "owner-password", role: "owner"}
	r := e.do("POST", "", "/api/v1/signup", map[string]string{"workspace_name": strings.ToUpper(sub[:1]) + sub[1:] + " Inc",
		"subdomain": sub, "email": a.email, "password": a.password, "display_name": "Owner of " + sub})
	want(e.t, r, http.StatusCreated, "")
	m := r.json(e.t)
	a.token = m["token"].(string)
	a.userID = m["user"].(map[string]any)["id"].(string)
	if u, _ := m["handoff_url"].(string); strings.Contains(u, "#code=") {
		a.handoff = u[strings.Index(u, "#code=")+len("#code="):]
	}
	return a
}

// invite makes an invitation and returns its token and id.
func (e *env) invite(by account, email, role string) (token, id string) {
	e.t.Helper()
	r := e.do("POST", by.sub, "/api/v1/invites", map[string]string{"email": email, "role": role}, bearer(by.token))
	want(e.t, r, http.StatusCreated, "")
	m := r.json(e.t)
	return m["token"].(string), m["id"].(string)
}

// join invites and accepts a new person with a role.
func (e *env) join(by account, name, role string) account {
	e.t.Helper()
	a := account{sub: by.sub, email: name + "@" + by.sub + ".example", password: name + "-password", role: role}
	tok, _ := e.invite(by, a.email, role)
	r := e.do("POST", by.sub, "/api/v1/invites/"+tok+"/accept", map[string]string{"display_name": name, "password": a.password})
	want(e.t, r, http.StatusCreated, "")
	m := r.json(e.t)
	a.token = m["token"].(string)
	a.userID = m["user"].(map[string]any)["id"].(string)
	return a
}

func pngBytes(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		img.Set(x, x%h, color.RGBA{R: 200, G: 40, B: 90, A: 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// dirFiles lists the files the app stored on disk.
func dirFiles(t *testing.T, e *env) []string {
	t.Helper()
	var out []string
	root := e.files
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// sampleImage is a small valid image of each accepted type.
type sampleImage struct {
	name  string
	data  []byte
	ctype string
}

func sampleImages(t testing.TB) []sampleImage {
	t.Helper()
	var jpg bytes.Buffer
	if err := jpeg.Encode(&jpg, image.NewGray(image.Rect(0, 0, 3, 3)), nil); err != nil {
		t.Fatal(err)
	}
	return []sampleImage{{"png", pngBytes(t, 16, 8), "image/png"}, {"jpeg", jpg.Bytes(), "image/jpeg"}, {"webp", webp1x1, "image/webp"}}
}
