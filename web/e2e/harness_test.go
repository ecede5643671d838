package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/internal/testserver"
	"github.com/relayhq/relay/web"
)

// wait bounds every wait for something to show up in a page. Generous for
// a loaded 2-core machine, but every wait polls and returns as soon as the
// condition holds.
const wait = 15 * time.Second

// baseDomain is the base domain the stack serves: Chromium sends every
// *.localhost name to the loopback address.
const baseDomain = "localhost"

// harness is one Relay stack and one headless Chromium.
type harness struct {
	t     *testing.T
	stack *testserver.Stack
	port  string
	root  context.Context // the browser's first tab
	mu    sync.Mutex
	seen  []*person
	dir   string // where failure artifacts go, made on the first failure
}

// person is one browser context (own cookies and storage) with one tab.
type person struct {
	h    *harness
	name string
	ctx  context.Context

	mu      sync.Mutex
	console []string // console errors and uncaught exceptions, for failure reports
}

// requireBrowser reports whether a missing browser or web build is a
// failure rather than a reason to skip (CI sets RELAY_TEST_REQUIRE_BROWSER=1).
func requireBrowser() bool { return os.Getenv("RELAY_TEST_REQUIRE_BROWSER") == "1" }

func chromiumPath() string {
	if p := os.Getenv("RELAY_CHROMIUM"); p != "" {
		return p
	}
	return "/usr/bin/chromium"
}

// newHarness starts a stack serving the embedded web build under
// "localhost" and a headless Chromium, both stopped when t ends.
func newHarness(t *testing.T) *harness {
	t.Helper()
	return newHarnessWith(t, nil)
}

// newHarnessWith is newHarness with the stack's configuration adjusted by
// configure (connector settings, say) before it starts.
func newHarnessWith(t *testing.T, configure func(*testserver.Config)) *harness {
	t.Helper()
	skip := func(reason string) {
		t.Helper()
		if requireBrowser() {
			t.Fatalf("browser tests required (RELAY_TEST_REQUIRE_BROWSER=1) but %s", reason)
		}
		t.Skipf("skipping browser test: %s (set RELAY_TEST_REQUIRE_BROWSER=1 to make this a failure)", reason)
	}
	app := web.Build()
	if !app.Built() {
		skip("the web app is not built (web/dist is empty): run `bash scripts/web-build.sh`")
	}
	bin := chromiumPath()
	if st, err := os.Stat(bin); err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
		skip(fmt.Sprintf("Chromium not found at %s: run `bash scripts/chromium.sh` (or set RELAY_CHROMIUM)", bin))
	}

	cfg := testserver.Config{DB: testdb.SQLite(t), Web: app, BaseDomain: baseDomain}
	if configure != nil {
		configure(&cfg)
	}
	s := testserver.Start(t, cfg)
	_, port, ok := strings.Cut(s.Addr, ":")
	if !ok {
		t.Fatalf("stack address %q has no port", s.Addr)
	}
	h := &harness{t: t, stack: s, port: port}

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.WindowSize(1280, 800),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		// Two people share one browser: neither tab may be throttled as a
		// background tab (timers, sockets, animation frames).
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	root, cancelRoot := chromedp.NewContext(alloc)
	t.Cleanup(cancelRoot)
	start, cancel := context.WithTimeout(root, 30*time.Second)
	defer cancel()
	// The first Run starts the browser; it must run on root itself (a
	// timeout on it would stop the browser), so bound it from outside.
	done := make(chan error, 1)
	go func() { done <- chromedp.Do(root) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("starting Chromium (%s): %v", bin, err)
		}
	case <-start.Done():
		t.Fatalf("starting Chromium (%s): no answer in 30s", bin)
	}
	h.root = root
	return h
}

// apex is an address on the apex host.
func (h *harness) apex(path string) string {
	return "http://" + baseDomain + ":" + h.port + path
}

// ws is an address on the workspace host sub.
func (h *harness) ws(sub, path string) string {
	return "http://" + sub + "." + baseDomain + ":" + h.port + path
}

// newPerson opens a tab in a browser context of its own (cookies, storage).
func (h *harness) newPerson(name string) *person {
	h.t.Helper()
	p := &person{h: h, name: name}
	ctx, cancel := chromedp.NewContext(h.root, chromedp.WithNewBrowserContext(), chromedp.WithListener(p.listen))
	h.t.Cleanup(cancel)
	p.ctx = ctx
	// Both people's tabs act as focused, visible pages (read cursors and
	// presence follow focus in a real browser window).
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
		return err
	}))
	if err != nil {
		h.t.Fatalf("%s: opening a browser context: %v", name, err)
	}
	h.mu.Lock()
	h.seen = append(h.seen, p)
	h.mu.Unlock()
	return p
}

func (p *person) listen(ev any) {
	var line string
	switch e := ev.(type) {
	case *runtime.EventExceptionThrown:
		line = "exception: " + e.ExceptionDetails.Text
		if e.ExceptionDetails.Exception != nil && e.ExceptionDetails.Exception.Description != "" {
			line += " " + e.ExceptionDetails.Exception.Description
		}
	case *runtime.EventConsoleAPICalled:
		if e.Type != "error" && e.Type != "warning" {
			return
		}
		parts := make([]string, 0, len(e.Args))
		for _, a := range e.Args {
			if len(a.Value) > 0 {
				parts = append(parts, string(a.Value))
			} else {
				parts = append(parts, a.Description)
			}
		}
		line = "console." + string(e.Type) + ": " + strings.Join(parts, " ")
	default:
		return
	}
	p.mu.Lock()
	if len(p.console) < 50 {
		p.console = append(p.console, line)
	}
	p.mu.Unlock()
}

// step runs one part of a story as a subtest; on failure it saves every
// person's page and console and reports false, so the caller stops.
func (h *harness) step(t *testing.T, name string, fn func(t *testing.T)) bool {
	t.Helper()
	return t.Run(name, func(t *testing.T) {
		defer func() {
			if t.Failed() {
				h.artifacts(t)
			}
		}()
		fn(t)
	})
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// artifacts saves a full-page screenshot of every person's page and logs
// where, with the page's address and console errors.
func (h *harness) artifacts(t *testing.T) {
	h.mu.Lock()
	dir := h.dir
	if dir == "" {
		dir = os.Getenv("RELAY_E2E_ARTIFACTS")
		var err error
		if dir == "" {
			dir, err = os.MkdirTemp("", "relay-e2e-")
		} else {
			err = os.MkdirAll(dir, 0o755)
		}
		if err != nil {
			h.mu.Unlock()
			t.Logf("artifacts: %v", err)
			return
		}
		h.dir = dir
	}
	people := append([]*person(nil), h.seen...)
	h.mu.Unlock()
	for _, p := range people {
		ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		img, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		cancel()
		file := filepath.Join(dir, unsafeName.ReplaceAllString(t.Name()+"-"+p.name, "_")+".png")
		if err == nil {
			err = os.WriteFile(file, img, 0o644)
		}
		if err != nil {
			t.Logf("%s: no screenshot (at %s): %v", p.name, loc, err)
		} else {
			t.Logf("%s: screenshot of %s saved to %s", p.name, loc, file)
		}
		p.mu.Lock()
		for _, l := range p.console {
			t.Logf("%s: browser %s", p.name, l)
		}
		p.mu.Unlock()
	}
}

// do runs actions in the person's tab within wait, and fails the test with
// what was being done.
func (p *person) do(t *testing.T, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, wait)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %s: %v", p.name, what, err)
	}
}

// eval evaluates a JavaScript expression in the person's page.
func eval[T any](t *testing.T, p *person, what, expr string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, wait)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: %s: %v", p.name, what, err)
	}
	return v
}

// until polls a JavaScript expression until it is truthy, and fails the
// test with what was awaited (and, if given, the value of explain, to say
// what the page showed instead) when it does not become true within d.
func (p *person) until(t *testing.T, what, expr string) {
	t.Helper()
	p.untilExplain(t, what, expr, "")
}

func (p *person) untilExplain(t *testing.T, what, expr, explain string) {
	t.Helper()
	if msg := p.waitFor(what, expr, explain); msg != "" {
		t.Fatal(msg)
	}
}

// expect is untilExplain that reports the failure and lets the test go on.
func (p *person) expect(t *testing.T, what, expr, explain string) {
	t.Helper()
	if msg := p.waitFor(what, expr, explain); msg != "" {
		t.Error(msg)
	}
}

// waitFor polls expr until it is truthy and returns "", or a message
// saying what was not seen and what the page showed instead.
func (p *person) waitFor(what, expr, explain string) string {
	return p.waitWithin(wait, what, expr, explain)
}

// liveWait bounds what must arrive over the socket: well under the 15 s the
// desk screens poll at when a topic is refused, so polling cannot pass for
// live delivery, yet far above the milliseconds a live event takes.
const liveWait = 8 * time.Second

// untilLive is untilExplain within liveWait.
func (p *person) untilLive(t *testing.T, what, expr, explain string) {
	t.Helper()
	if msg := p.waitWithin(liveWait, what+" (live)", expr, explain); msg != "" {
		t.Fatal(msg)
	}
}

// waitWithin is waitFor with its own time limit.
func (p *person) waitWithin(limit time.Duration, what, expr, explain string) string {
	deadline := time.Now().Add(limit)
	var err error
	for {
		left := time.Until(deadline)
		if left <= 0 {
			break
		}
		ctx, cancel := context.WithTimeout(p.ctx, left+5*time.Second)
		_, err = chromedp.Run(ctx, chromedp.Poll[chromedp.Void](js(expr),
			chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(left)))
		cancel()
		if err == nil {
			return ""
		}
		if p.ctx.Err() != nil || strings.Contains(err.Error(), "timeout") {
			break
		}
		// The page navigated (or reloaded) while we polled: poll the new page.
		time.Sleep(50 * time.Millisecond)
	}
	msg := fmt.Sprintf("%s: %s: not seen within %s: %v", p.name, what, limit, err)
	if explain != "" {
		ctx2, cancel2 := context.WithTimeout(p.ctx, 5*time.Second)
		defer cancel2()
		if v, err := chromedp.Run(ctx2, chromedp.Evaluate[any](js(explain))); err == nil {
			b, _ := json.Marshal(v)
			msg += fmt.Sprintf("\n\tthe page shows: %s", b)
		}
	}
	return msg
}

// js wraps an expression with the helpers below, so expressions can use
// them.
func js(expr string) string {
	return "(() => {" + jsHelpers + "\nreturn (" + expr + ");\n})()"
}

// jsHelpers are the page-side helpers of the tests. Messages "in the
// list" are those outside the thread panel.
const jsHelpers = `
const $ = (s, r) => (r || document).querySelector(s);
const $$ = (s, r) => [...(r || document).querySelectorAll(s)];
const visible = (el) => !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
const bodyText = (m) => ((m.querySelector("[data-testid=message-body]") || {}).textContent || "").trim();
const listMsgs = () => $$("[data-testid=message]").filter((m) => !m.closest("[data-testid=thread-panel]"));
const threadMsgs = () => $$("[data-testid=thread-panel] [data-testid=message]");
const listMsg = (text) => listMsgs().find((m) => bodyText(m) === text);
const sent = (text) => { const m = listMsg(text); return !!m && m.dataset.pending !== "true" && m.dataset.failed !== "true" && !String(m.dataset.id).startsWith("pending-"); };
const texts = () => listMsgs().map(bodyText);
const general = () => $("a[data-testid=channel-link][data-channel-name=general]");
`

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// visit loads url in the person's tab (a full page load).
func (p *person) visit(t *testing.T, url string) {
	t.Helper()
	p.do(t, "open "+url, chromedp.Navigate(url))
}

// fill types value into the named input of the form, replacing what it
// held (selected, then deleted with Backspace, so the app sees input events).
func (p *person) fill(t *testing.T, form, name, value string) {
	t.Helper()
	css := fmt.Sprintf(`%s [name=%q]`, form, name)
	sel := chromedp.CSS(css)
	p.do(t, fmt.Sprintf("focus %s in %s", name, form), chromedp.WaitVisible(sel), chromedp.Focus(sel))
	if eval[bool](t, p, "select "+name, js(`(() => { const el = $(`+jsString(css)+`); el.select(); return el.value !== ""; })()`)) {
		p.do(t, "clear "+name, chromedp.SendKeys(sel, kb.Backspace))
	}
	p.do(t, fmt.Sprintf("type %s in %s", name, form), chromedp.SendKeys(sel, value))
	if got := eval[string](t, p, "read "+name, js(`$(`+jsString(css)+`).value`)); got != value {
		t.Fatalf("%s: %s in %s holds %q after typing %q", p.name, name, form, got, value)
	}
}

// submit clicks the form's submit button.
func (p *person) submit(t *testing.T, form string) {
	t.Helper()
	sel := chromedp.CSS(form + ` button:not([type=button]):not([type=reset])`)
	p.do(t, "submit "+form, chromedp.Click(sel))
}

// composer is the main composer's textarea (not the thread's).
const composer = `main [data-testid=composer] textarea:not([data-testid=thread-panel] *)`

// threadComposer is the thread panel's composer.
const threadComposer = `[data-testid=thread-panel] [data-testid=composer] textarea`

// say types text into the composer textarea sel and presses Enter.
func (p *person) say(t *testing.T, sel, text string) {
	t.Helper()
	// Enter as one key event the app can cancel (press), not SendKeys's
	// separate text event, which would leave a newline in the composer.
	p.do(t, "type and send "+jsString(text), chromedp.Click(chromedp.CSS(sel)), chromedp.SendKeys(chromedp.CSS(sel), text), press("Enter"))
}

// hover moves the mouse over the element (so its hover actions show).
func (p *person) hover(t *testing.T, what, expr string) {
	t.Helper()
	type box struct{ X, Y float64 }
	b := eval[*box](t, p, "find "+what, js(`(() => { const el = `+expr+`; if (!el) return null;
		el.scrollIntoView({block: "center"}); const r = el.getBoundingClientRect();
		return {X: r.left + Math.min(r.width / 2, 200), Y: r.top + Math.min(r.height / 2, 12)}; })()`))
	if b == nil {
		t.Fatalf("%s: %s is not on the page", p.name, what)
	}
	p.do(t, "hover "+what, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, b.X, b.Y))
}

// msgSel is the CSS selector of the message with the given id.
func msgSel(id string) string { return fmt.Sprintf(`[data-testid=message][data-id=%q]`, id) }

// messageID waits until the list shows a sent message with the text and
// returns its id.
func (p *person) messageID(t *testing.T, text string) string {
	t.Helper()
	p.untilExplain(t, "message "+jsString(text)+" in the list (sent)", `sent(`+jsString(text)+`)`, `texts()`)
	return eval[string](t, p, "message id", js(`listMsg(`+jsString(text)+`).dataset.id`))
}

// clickAction hovers the message and clicks one of its hover actions.
func (p *person) clickAction(t *testing.T, id, label string) {
	t.Helper()
	p.hover(t, "message "+id, `document.querySelector(`+jsString(msgSel(id))+`)`)
	p.do(t, fmt.Sprintf("click %q on message %s", label, id),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`%s button[aria-label=%q]`, msgSel(id), label))))
}

// logoPNG writes a small PNG logo and returns its path.
func logoPNG(t *testing.T) string {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 96, 96))
	for y := 0; y < 96; y++ {
		for x := 0; x < 96; x++ {
			c := color.NRGBA{0xc2, 0x18, 0x5b, 0xff}
			if (x-48)*(x-48)+(y-48)*(y-48) < 30*30 {
				c = color.NRGBA{0xff, 0xff, 0xff, 0xff}
			}
			if (x-48)*(x-48)+(y-48)*(y-48) < 16*16 {
				c = color.NRGBA{0xff, 0xb3, 0x00, 0xff}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "logo.png")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// updateShots reports whether the docs screenshots are to be refreshed.
func updateShots() bool { return os.Getenv("RELAY_UPDATE_SCREENSHOTS") == "1" }

// docShot saves the person's viewport as docs/screenshots/name when
// RELAY_UPDATE_SCREENSHOTS=1.
func (p *person) docShot(t *testing.T, name string) {
	t.Helper()
	if !updateShots() {
		return
	}
	ctx, cancel := context.WithTimeout(p.ctx, wait)
	defer cancel()
	// Let fonts, images and transitions settle before the picture (a
	// picture, not an assertion: no test outcome depends on this).
	_, _ = chromedp.Run(ctx, chromedp.Evaluate[bool](`document.fonts.ready.then(() => new Promise((r) =>
		requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => r(true), 300)))))`, chromedp.EvalAwaitPromise))
	img, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("%s: screenshot %s: %v", p.name, name, err)
	}
	path := filepath.Join("..", "..", "docs", "screenshots", name)
	if err := os.WriteFile(path, img, 0o644); err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	t.Logf("wrote docs/screenshots/%s", name)
}

// login signs the person in through the workspace's login form and waits
// for the app.
func (p *person) login(t *testing.T, sub, email, password, next string) {
	t.Helper()
	url := p.h.ws(sub, "/login")
	if next != "" {
		url += "?next=" + next
	}
	p.visit(t, url)
	p.fill(t, "form[data-testid=login]", "email", email)
	p.fill(t, "form[data-testid=login]", "password", password)
	p.submit(t, "form[data-testid=login]")
	p.until(t, "the app after signing in (composer)", `visible($(`+jsString(composer)+`))`)
}

// getJSON sends a GET to the workspace sub with a bearer token.
func (h *harness) getJSON(t *testing.T, sub, path, token string, out any) {
	t.Helper()
	h.stack.Must(t, http.StatusOK, "GET", sub, path, token, nil, out)
}
