package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/app"
)

// TestMarkdownInjection: HTML and javascript: links in a message another
// person posted render as text for the reader, and no script runs — both
// in history (loaded with the page) and for a message that arrives live.
func TestMarkdownInjection(t *testing.T) {
	h := newHarness(t)
	s := h.stack
	owner := s.Signup(t, "xss")
	reader := s.Invite(t, owner, "reader", relay.RoleMember)
	general := s.General(t, owner)

	payloads := []string{
		`<img src=x onerror="window.__pwned=1"> and <script>window.__pwned=2</script> **bold**`,
		`[x](javascript:window.__pwned=3) and <a href="javascript:window.__pwned=4">y</a> <iframe src="javascript:window.__pwned=5"></iframe>`,
		`<svg onload="window.__pwned=6"></svg><details open ontoggle="window.__pwned=7">z</details> [ok](http://example.com/safe)`,
	}
	history := s.Post(t, owner, general, payloads[0])

	p := h.newPerson("reader")
	if !h.step(t, "sign in", func(t *testing.T) {
		p.login(t, "xss", reader.Email, reader.Password, "")
	}) {
		return
	}
	check := func(t *testing.T, id string) {
		t.Helper()
		sel := jsString(msgSel(id) + ` [data-testid=message-body]`)
		p.untilExplain(t, "message "+id, `!!$(`+sel+`)`, `texts()`)
		type report struct {
			Elements []string // dangerous elements inside the body
			Handlers []string // on* attributes
			Hrefs    []string // links
			Text     string
			Strong   bool
			Pwned    bool
		}
		r := eval[report](t, p, "inspect the message body", js(`(() => { const b = $(`+sel+`);
			return {
				Elements: $$("img, script, iframe, svg, object, embed, details, style, form, input", b).map((e) => e.outerHTML),
				Handlers: $$("*", b).flatMap((e) => [...e.attributes].filter((a) => /^on/i.test(a.name)).map((a) => e.tagName + " " + a.name)),
				Hrefs: $$("a", b).map((a) => a.getAttribute("href") || ""),
				Text: b.textContent,
				Strong: !!b.querySelector("strong, b"),
				Pwned: typeof window.__pwned !== "undefined",
			}; })()`))
		if len(r.Elements) > 0 {
			t.Errorf("the body holds live HTML elements: %q", r.Elements)
		}
		if len(r.Handlers) > 0 {
			t.Errorf("the body holds event handler attributes: %q", r.Handlers)
		}
		for _, href := range r.Hrefs {
			if h := strings.ToLower(strings.TrimSpace(href)); strings.HasPrefix(h, "javascript:") || strings.HasPrefix(h, "data:") || strings.HasPrefix(h, "vbscript:") {
				t.Errorf("the body holds a script link: %q", href)
			}
		}
		if r.Pwned {
			t.Errorf("a script from a message ran (window.__pwned is set)")
		}
		t.Logf("rendered text: %q; links: %q", r.Text, r.Hrefs)
	}

	_ = h.step(t, "in history", func(t *testing.T) {
		check(t, history.ID.String())
		txt := eval[string](t, p, "text", js(`$(`+jsString(msgSel(history.ID.String())+` [data-testid=message-body]`)+`).textContent`))
		if !strings.Contains(txt, "<img") || !strings.Contains(txt, "<script>") {
			t.Errorf("raw HTML is not shown as text: %q", txt)
		}
		if !eval[bool](t, p, "strong", js(`!!$(`+jsString(msgSel(history.ID.String())+` [data-testid=message-body] strong`)+`)`)) {
			t.Errorf("Markdown **bold** is not rendered next to the escaped HTML")
		}
	})
	_ = h.step(t, "live", func(t *testing.T) {
		for _, body := range payloads[1:] {
			m := s.PostInput(t, owner, general, app.PostInput{Body: body})
			check(t, m.ID.String())
		}
		// Click every link in those bodies that does not leave the page:
		// nothing runs, the app stays.
		path := eval[string](t, p, "path", `location.pathname`)
		eval[bool](t, p, "click the links", js(`(() => { for (const a of $$("[data-testid=message-body] a")) {
			if (!/^https?:/i.test(a.getAttribute("href") || "")) a.click(); } return true; })()`))
		p.until(t, "still in the app", `location.pathname === `+jsString(path)+` && !!$("[data-testid=message]")`)
		if eval[bool](t, p, "pwned", `typeof window.__pwned !== "undefined"`) {
			t.Errorf("a script from a message link ran (window.__pwned is set)")
		}
	})
}

// TestDeepLinkThread: loading /channels/{id}/threads/{message} (a fresh
// load, then a reload) opens that channel with that thread.
func TestDeepLinkThread(t *testing.T) {
	h := newHarness(t)
	s := h.stack
	owner := s.Signup(t, "deep")
	mate := s.Invite(t, owner, "mate", relay.RoleMember)
	general := s.General(t, owner)
	for i := range 5 {
		s.Post(t, owner, general, "filler "+string(rune('a'+i)))
	}
	parent := s.Post(t, owner, general, "The thread starter")
	parentID := parent.ID
	s.PostInput(t, mate, general, app.PostInput{Body: "A reply deep down", ParentID: &parentID})
	s.Post(t, owner, general, "A later message")
	path := "/channels/" + general.String() + "/threads/" + parent.ID.String()

	p := h.newPerson("owner")
	threadOpen := `visible($("[data-testid=thread-panel]")) &&
		threadMsgs().some((m) => bodyText(m) === "The thread starter") &&
		threadMsgs().some((m) => bodyText(m) === "A reply deep down") &&
		texts().includes("A later message")`
	explain := `({path: location.pathname, thread: threadMsgs().map(bodyText), list: texts()})`
	h.step(t, "sign in, then back to the deep link", func(t *testing.T) {
		p.visit(t, h.ws("deep", path))
		// Signed out: the app sends us to the login page and back.
		p.untilExplain(t, "the login page", `!!$("form[data-testid=login]")`, `({path: location.pathname})`)
		t.Logf("redirected to %s", eval[string](t, p, "location", `location.pathname + location.search`))
		p.fill(t, "form[data-testid=login]", "email", owner.Email)
		p.fill(t, "form[data-testid=login]", "password", owner.Password)
		p.submit(t, "form[data-testid=login]")
		p.untilExplain(t, "the thread open after signing in", `location.pathname === `+jsString(path)+` && `+threadOpen, explain)
	})
	// Independent of the redirect above: the session cookie is set.
	h.step(t, "fresh load", func(t *testing.T) {
		p.visit(t, h.ws("deep", path))
		p.untilExplain(t, "the channel with the thread open", threadOpen, explain)
	})
	h.step(t, "reload", func(t *testing.T) {
		p.visit(t, h.ws("deep", path))
		p.do(t, "reload", chromedp.Reload())
		p.untilExplain(t, "the channel with the thread open after a reload", `location.pathname === `+jsString(path)+` && `+threadOpen, explain)
	})
}

// TestSourceStyling: messages that came from outside (LINE, Discord, email,
// a webhook, the assistant) arrive live, each in its own style with a
// source badge; members' messages keep the workspace theme.
func TestSourceStyling(t *testing.T) {
	h := newHarness(t)
	s := h.stack
	owner := s.Signup(t, "hub")
	general := s.General(t, owner)
	s.Post(t, owner, general, "Morning team — customer messages land here too.")
	p := h.newPerson("owner")
	p.login(t, "hub", owner.Email, owner.Password, "/channels/"+general.String())

	inbound := []struct {
		source, who, kind, body, badge, colour string
	}{
		{relay.SourceLINE, "Yuki (LINE)", relay.AuthorContact, "Hi! Is my order on its way?", "LINE", "rgb(6, 199, 85)"},
		{relay.SourceDiscord, "nova#2231", relay.AuthorContact, "The **beta** build crashes on start.", "Discord", "rgb(88, 101, 242)"},
		{relay.SourceEmail, "ops@customer.example", relay.AuthorContact, "Invoice 2211 attached, please confirm.", "Email", ""},
		{relay.SourceWebhook, "n8n", relay.AuthorBot, "Deploy finished: v2.4.1 is live.", "Webhook", ""},
		{relay.SourceAssistant, "Assistant", relay.AuthorBot, "Summary: 2 customers waiting, 1 bug report.", "Assistant", ""},
	}
	for i, in := range inbound {
		_, err := s.App.Messaging.PostInbound(context.Background(), owner.WorkspaceID, app.Inbound{ChannelID: general, Source: in.source,
			Body: in.body, Author: relay.Author{ID: relay.ID(9000 + i), Kind: in.kind, DisplayName: in.who}})
		if err != nil {
			t.Fatalf("post from %s: %v", in.source, err)
		}
	}
	for _, in := range inbound {
		sel := `[data-testid=message][data-source=` + in.source + `]`
		h.step(t, in.source, func(t *testing.T) {
			p.untilExplain(t, "the "+in.source+" message with its badge",
				`(() => { const m = $(`+jsString(sel)+`); return !!m && m.textContent.includes(`+jsString(in.who)+`) &&
					$(`+jsString(sel+` [data-testid=source-badge]`)+`)?.textContent.trim() === `+jsString(in.badge)+`; })()`,
				`[...document.querySelectorAll("[data-testid=message]")].map((m) => m.dataset.source + ": " + m.textContent.slice(0, 60))`)
			if in.colour != "" {
				got := eval[string](t, p, "badge colour", js(`getComputedStyle($(`+jsString(sel+` [data-testid=source-badge]`)+`)).backgroundColor`))
				if got != in.colour {
					t.Errorf("%s badge background %s, want %s", in.source, got, in.colour)
				}
			}
		})
	}
	h.step(t, "members' messages have no badge", func(t *testing.T) {
		p.expect(t, "an internal message without a badge",
			`(() => { const m = [...document.querySelectorAll("[data-testid=message][data-source=internal]")].find((m) => m.textContent.includes("Morning team"));
				return !!m && !m.querySelector("[data-testid=source-badge]"); })()`, "")
	})
	// WCAG AA: text on the workspace's own colours (an amber accent here,
	// the default) and on the source badges must reach 4.5:1.
	h.step(t, "readable text on the workspace colours", func(t *testing.T) {
		res := eval[struct {
			Checked []string
			Low     []string
		}](t, p, "contrast", js(`(() => {
			const rgb = (c) => (c.match(/[\d.]+/g) || []).slice(0, 3).map(Number);
			const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
				.reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
			const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((m, n) => n - m); return (x + 0.05) / (y + 0.05); };
			const bgOf = (el) => { for (let e = el; e; e = e.parentElement) { const c = getComputedStyle(e).backgroundColor;
				if (c && !c.startsWith("rgba(0, 0, 0, 0)") && c !== "transparent") return rgb(c); } return [255, 255, 255]; };
			const els = [...document.querySelectorAll(".nav-item.active, .sidebar-header, [data-testid=source-badge], .btn.primary")];
			const all = els.filter((el) => el.textContent.trim()).map((el) =>
				el.className + " '" + el.textContent.trim().slice(0, 20) + "' " + ratio(rgb(getComputedStyle(el).color), bgOf(el)).toFixed(2));
			return {Checked: all, Low: all.filter((x) => Number(x.split(" ").pop()) < 4.5)};
		})()`))
		t.Logf("contrast checked: %v", res.Checked)
		if len(res.Checked) < 6 {
			t.Errorf("only %d elements checked, want the active channel and the five badges at least", len(res.Checked))
		}
		if len(res.Low) > 0 {
			t.Errorf("text below 4.5:1 on the workspace colours: %v", res.Low)
		}
	})
	p.docShot(t, "sources.png")
}
