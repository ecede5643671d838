//go:build linux

package main

// Helpers of the end-to-end test: build the real binary once, run it as a
// child process, find its address from its JSON log, and talk to it over
// HTTP with the Host header choosing the tenant.
//
// Linux only, like every machine Relay is built and tested on: the test
// connects from several loopback addresses (127.0.0.2, …), which Linux
// routes without setup, to keep per-IP rate limits apart.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Time limits. Generous: the machine has 2 cores and the race detector may
// be slowing the test process down.
const (
	startTimeout = 30 * time.Second // until "relay listening"
	stopTimeout  = 30 * time.Second // SIGTERM until exit (the server drains for up to 15 s)
	runTimeout   = time.Minute      // a one-shot command (migrate, version)
)

// metricsToken opens /metrics on the main listener of the servers the
// tests start.
const metricsToken = "e2e-metrics-token-0123456789"

var (
	buildOnce sync.Once
	buildDir  string
	buildBin  string
	buildErr  error
)

// TestMain removes the binary built by buildRelay.
func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// buildRelay builds this package's binary once per test process, the way it
// ships (CGO_ENABLED=0), and returns its path.
func buildRelay(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "relay-e2e-")
		if err != nil {
			buildErr = err
			return
		}
		buildDir = dir
		bin := filepath.Join(dir, "relay")
		cmd := exec.Command("go", "build", "-o", bin, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		buildBin = bin
	})
	if buildErr != nil {
		t.Fatalf("build relay: %v", buildErr)
	}
	return buildBin
}

// childEnv is the test's environment without RELAY_* settings, so that a
// developer's RELAY_DATABASE_URL cannot turn the SQLite run into PostgreSQL.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "RELAY_") {
			env = append(env, kv)
		}
	}
	return env
}

// lockedBuffer collects a process's output while goroutines write it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// relayProc is a running `relay serve`.
type relayProc struct {
	cmd  *exec.Cmd
	addr string        // 127.0.0.1:<port>, from the "relay listening" line
	logs lockedBuffer  // stdout and stderr, in full
	done chan struct{} // closed once the process has exited and been waited for
	err  error         // cmd.Wait's result; read only after done
}

// startRelay runs `relay serve` on a free port with a fresh data folder and
// the extra args, and returns once it logs that it listens. The process is
// killed (if still running) when the test ends; its log is printed if the
// test failed.
func startRelay(t *testing.T, args ...string) *relayProc {
	t.Helper()
	bin := buildRelay(t)
	args = append([]string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--base-domain", "localhost",
		"--metrics-token", metricsToken}, args...)
	p := &relayProc{cmd: exec.Command(bin, args...), done: make(chan struct{})}
	p.cmd.Env = childEnv()
	p.cmd.Stdout = &p.logs
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start relay: %v", err)
	}

	addrc := make(chan string, 1)
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		for sc.Scan() {
			line := sc.Bytes()
			fmt.Fprintf(&p.logs, "%s\n", line)
			var rec struct {
				Msg  string `json:"msg"`
				Addr string `json:"addr"`
			}
			if json.Unmarshal(line, &rec) == nil && rec.Msg == "relay listening" {
				select {
				case addrc <- rec.Addr:
				default:
				}
			}
		}
		_, _ = io.Copy(&p.logs, stderr) // after an over-long line: keep draining
	}()
	// Wait must not run before the pipe has been read to the end.
	go func() {
		<-drained
		p.err = p.cmd.Wait()
		close(p.done)
	}()

	// Cleanups run last-in first-out: kill first, then print the whole log.
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("relay %s log:\n%s", strings.Join(args, " "), p.logs.String())
		}
	})
	t.Cleanup(func() {
		select {
		case <-p.done:
			return
		default:
		}
		_ = p.cmd.Process.Kill()
		select {
		case <-p.done:
		case <-time.After(stopTimeout):
			t.Errorf("relay pid %d did not exit after SIGKILL", p.cmd.Process.Pid)
		}
	})

	select {
	case p.addr = <-addrc:
	case <-p.done:
		t.Fatalf("relay exited before listening: %v", p.err)
	case <-time.After(startTimeout):
		t.Fatalf("relay did not log \"relay listening\" within %v", startTimeout)
	}
	return p
}

// terminate sends SIGTERM and returns the exit code once the process has
// exited; the test fails if it takes longer than stopTimeout.
func (p *relayProc) terminate(t *testing.T) int {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	select {
	case <-p.done:
	case <-time.After(stopTimeout):
		t.Fatalf("relay did not exit within %v of SIGTERM", stopTimeout)
	}
	return p.cmd.ProcessState.ExitCode()
}

// runRelay runs a one-shot relay command and returns its exit code and output.
func runRelay(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, buildRelay(t), args...)
	cmd.Env = childEnv()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("relay %s: no exit within %v", strings.Join(args, " "), runTimeout)
	}
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("relay %s: %v", strings.Join(args, " "), err)
	}
	return cmd.ProcessState.ExitCode(), out.String(), errOut.String()
}

// client talks to one relay process. Every request goes to 127.0.0.1 and
// names its tenant in the Host header (Go's resolver may not resolve
// *.localhost).
type client struct {
	hc   *http.Client
	addr string // 127.0.0.1:<port>
	port string
}

// newClient returns a client of the server at addr. A non-empty fromIP makes
// the client connect from that loopback address, so that the server's
// per-IP rate limits count its requests apart from the main client's.
func newClient(t *testing.T, addr, fromIP string) *client {
	t.Helper()
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("relay address %q: %v", addr, err)
	}
	d := &net.Dialer{Timeout: 10 * time.Second}
	if fromIP != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(fromIP)}
	}
	tr := &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 4}
	t.Cleanup(tr.CloseIdleConnections)
	return &client{addr: addr, port: port, hc: &http.Client{
		Transport: tr,
		Timeout:   30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse // the API never redirects; report it as is
		},
	}}
}

// apex is the Host of the base domain; host is a workspace's Host. Both
// carry the port, as a browser would send it.
func (c *client) apex() string           { return "localhost:" + c.port }
func (c *client) host(sub string) string { return sub + ".localhost:" + c.port }

// reqOpt adds something to a request.
type reqOpt func(*http.Request)

func bearer(tok string) reqOpt {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }
}

func withCookie(tok string) reqOpt {
	return func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "relay_session", Value: tok}) }
}

func withHeader(k, v string) reqOpt { return func(r *http.Request) { r.Header.Set(k, v) } }

// rawBody sends b as the body with the given Content-Type.
func rawBody(b []byte, contentType string) reqOpt {
	return func(r *http.Request) {
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
		r.Header.Set("Content-Type", contentType)
	}
}

// jsonBody sends v encoded as JSON; a string is sent verbatim, so tests can
// send broken JSON.
func jsonBody(v any) reqOpt {
	b, ok := v.(string)
	if !ok {
		enc, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		return rawBody(enc, "application/json")
	}
	return rawBody([]byte(b), "application/json")
}

// res is a response read in full.
type res struct {
	what   string // "METHOD host/path", for messages
	status int
	header http.Header
	body   []byte
}

func (c *client) do(t *testing.T, method, host, path string, opts ...reqOpt) res {
	t.Helper()
	r, err := c.send(method, host, path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// send is do for goroutines other than the test's: it returns its error.
func (c *client) send(method, host, path string, opts ...reqOpt) (res, error) {
	what := method + " " + host + path
	req, err := http.NewRequest(method, "http://"+c.addr+path, nil)
	if err != nil {
		return res{}, fmt.Errorf("%s: %v", what, err)
	}
	req.Host = host
	for _, o := range opts {
		o(req)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return res{}, fmt.Errorf("%s: %v", what, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return res{}, fmt.Errorf("%s: read body: %v", what, err)
	}
	return res{what: what, status: resp.StatusCode, header: resp.Header, body: body}, nil
}

// cookie returns the relay_session cookie the response set, or nil.
func (r res) cookie() *http.Cookie {
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == "relay_session" {
			return c
		}
	}
	return nil
}

// want fails the test unless the response has the status.
func (r res) want(t *testing.T, status int) res {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: got status %d, want %d; body: %s", r.what, r.status, status, r.body)
	}
	return r
}

// problem says how the response differs from the status and, when code is
// not "", from the JSON error shape with that code; "" when it does not.
func (r res) problem(status int, code string) string {
	if r.status != status {
		return fmt.Sprintf("%s: got status %d, want %d; body: %s", r.what, r.status, status, r.body)
	}
	if code == "" {
		return ""
	}
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(r.body, &e); err != nil {
		return fmt.Sprintf("%s: error body is not JSON (%v): %s", r.what, err, r.body)
	}
	if e.Error.Code != code || e.Error.Message == "" {
		return fmt.Sprintf("%s: got error %+v, want code %q with a message", r.what, e.Error, code)
	}
	return ""
}

// wantError fails the test unless the response is the JSON error shape with
// this status and code.
func (r res) wantError(t *testing.T, status int, code string) {
	t.Helper()
	if p := r.problem(status, code); p != "" {
		t.Fatal(p)
	}
}

// decode unmarshals the JSON body into v.
func (r res) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("%s: body is not the expected JSON: %v; body: %s", r.what, err, r.body)
	}
}

// Wire shapes, with only the fields the test reads.
type (
	wsJSON struct {
		ID           string `json:"id"`
		Subdomain    string `json:"subdomain"`
		Name         string `json:"name"`
		PrimaryColor string `json:"primary_color"`
		AccentColor  string `json:"accent_color"`
		LogoURL      string `json:"logo_url"`
	}
	userJSON struct {
		ID          string `json:"id"`
		Email       string `json:"email"`
		DisplayName string `json:"display_name"`
	}
	membershipJSON struct {
		WorkspaceID string `json:"workspace_id"`
		UserID      string `json:"user_id"`
		Role        string `json:"role"`
	}
	authJSON struct { // sign-up, login, accept; also me (without the token)
		Token      string         `json:"token"`
		User       userJSON       `json:"user"`
		Membership membershipJSON `json:"membership"`
		Workspace  wsJSON         `json:"workspace"`
	}
	inviteJSON struct {
		ID      string `json:"id"`
		Email   string `json:"email"`
		Role    string `json:"role"`
		Expired bool   `json:"expired"`
		Token   string `json:"token"`
		URL     string `json:"url"`
	}
	tokenJSON struct {
		ID        string  `json:"id"`
		Name      string  `json:"name"`
		ExpiresAt *string `json:"expires_at"`
		Token     string  `json:"token"`
	}
)

// pngImage returns a real w×h PNG.
func pngImage(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			img.Set(x, y, color.RGBA{R: uint8(16 * x), G: 0x76, B: uint8(16 * y), A: 0xff})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// --- the scenario's cast and its checks ---

// person is a member of a workspace as the test knows them.
type person struct {
	role, email, password, name string
	id                          string // user id
	token                       string // session from sign-up or acceptance; also the cookie's value
	login                       string // session from login ("" for owners)
	invite                      string // the (used) invitation token they accepted
}

// session is the person's login session, else their first one.
func (p *person) session() reqOpt {
	if p.login != "" {
		return bearer(p.login)
	}
	return bearer(p.token)
}

type tenant struct {
	sub, host, name, id string
	owner               *person
	staff               map[string]*person // by role: admin, agent, member, customer
	pending             inviteJSON         // an invitation nobody accepted
}

func (tn *tenant) as(role string) *person {
	if role == "owner" {
		return tn.owner
	}
	return tn.staff[role]
}

type world struct {
	srv          *relayProc
	c, other     *client
	alpha, bravo *tenant
	charlie      *tenant // made by the bad-input step, deleted by the ownership step
}

var (
	invitedRoles = []string{"admin", "agent", "member", "customer"}
	allRoles     = append([]string{"owner"}, invitedRoles...)
)

// signup signs up workspace sub on the apex, its owner owner@<sub>.test.
func signup(t *testing.T, c *client, sub, name string) *tenant {
	t.Helper()
	p := &person{role: "owner", email: "owner@" + sub + ".test", password: "owner-pass-" + sub, name: "Owner " + sub}
	var got authJSON
	c.do(t, "POST", c.apex(), "/api/v1/signup", jsonBody(map[string]string{"workspace_name": name, "subdomain": sub,
		"email": p.email, "password": p.password, "display_name": p.name})).want(t, 201).decode(t, &got)
	if !strings.HasPrefix(got.Token, "rly_") || got.Membership.Role != "owner" || got.User.Email != p.email ||
		got.Workspace.Subdomain != sub || got.Workspace.Name != name || got.Workspace.ID == "" ||
		got.Membership.WorkspaceID != got.Workspace.ID || got.Membership.UserID != got.User.ID {
		t.Fatalf("sign-up %s: got %+v, want a token and %s as owner of %s", sub, got, p.email, sub)
	}
	p.id, p.token = got.User.ID, got.Token
	tn := &tenant{sub: sub, host: c.host(sub), name: name, id: got.Workspace.ID, owner: p, staff: map[string]*person{}}
	wantMe(t, c, tn, p, bearer(p.token))
	return tn
}

// wantMe checks that GET /api/v1/auth/me with cred answers as p in tn.
func wantMe(t *testing.T, c *client, tn *tenant, p *person, cred reqOpt) {
	t.Helper()
	var got authJSON
	c.do(t, "GET", tn.host, "/api/v1/auth/me", cred).want(t, 200).decode(t, &got)
	if got.User.ID != p.id || got.User.Email != p.email || got.Membership.Role != p.role || got.Workspace.ID != tn.id {
		t.Fatalf("me on %s: got %s (%s) as %q of workspace %s, want %s (%s) as %q of %s", tn.sub,
			got.User.Email, got.User.ID, got.Membership.Role, got.Workspace.ID, p.email, p.id, p.role, tn.id)
	}
}

// invite has tn's owner invite email as role.
func invite(t *testing.T, c *client, tn *tenant, email, role string) inviteJSON {
	t.Helper()
	var inv inviteJSON
	c.do(t, "POST", tn.host, "/api/v1/invites", tn.owner.session(),
		jsonBody(map[string]string{"email": email, "role": role})).want(t, 201).decode(t, &inv)
	if inv.ID == "" || inv.Email != email || inv.Role != role || inv.Expired || !strings.HasPrefix(inv.Token, "rly_") {
		t.Fatalf("invite %s as %s: got %+v", email, role, inv)
	}
	if want := "http://" + tn.host + "/invite/" + inv.Token; inv.URL != want {
		t.Fatalf("invite %s: got url %q, want %q", email, inv.URL, want)
	}
	return inv
}

// members returns tn's members as user id → role.
func members(t *testing.T, c *client, tn *tenant) map[string]string {
	t.Helper()
	var ms struct {
		Members []struct {
			User userJSON `json:"user"`
			Role string   `json:"role"`
		} `json:"members"`
	}
	c.do(t, "GET", tn.host, "/api/v1/members", tn.owner.session()).want(t, 200).decode(t, &ms)
	got := map[string]string{}
	for _, m := range ms.Members {
		got[m.User.ID] = m.Role
	}
	return got
}

// wantSessionCookie checks the response set relay_session to token, HttpOnly,
// SameSite=Lax, host-only (no Domain: it must never reach another
// workspace's host) and, over plain HTTP, not Secure.
func wantSessionCookie(t *testing.T, r res, token string) {
	t.Helper()
	c := r.cookie()
	if c == nil || c.Value != token || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode ||
		c.Path != "/" || c.Domain != "" || c.Secure {
		t.Fatalf("%s: got Set-Cookie %q, want relay_session=<the token>; Path=/; HttpOnly; SameSite=Lax",
			r.what, r.header.Values("Set-Cookie"))
	}
}

// wantWorkspace checks what an anonymous visitor of tn's host sees.
func wantWorkspace(t *testing.T, c *client, tn *tenant, want wsJSON) {
	t.Helper()
	var got wsJSON
	c.do(t, "GET", tn.host, "/api/v1/workspace").want(t, 200).decode(t, &got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("GET %s/api/v1/workspace (-want +got):\n%s", tn.host, diff)
	}
}

// snap is what a workspace's owner can see of it through the API.
type snap struct{ Workspace, Members, Invites, Tokens any }

func snapshot(t *testing.T, c *client, tn *tenant) snap {
	t.Helper()
	get := func(path string, opts ...reqOpt) any {
		var v any
		c.do(t, "GET", tn.host, path, opts...).want(t, 200).decode(t, &v)
		return v
	}
	own := tn.owner.session()
	return snap{get("/api/v1/workspace"), get("/api/v1/members", own), get("/api/v1/invites", own), get("/api/v1/tokens", own)}
}

func wantUnchanged(t *testing.T, c *client, tn *tenant, before snap) {
	t.Helper()
	if diff := cmp.Diff(before, snapshot(t, c, tn)); diff != "" {
		t.Errorf("%s changed (-before +after):\n%s", tn.sub, diff)
	}
}
