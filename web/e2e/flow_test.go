package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestFlow is the story of issue 4 ("How it is checked"), step by step in
// two browser contexts: Ann signs up and brands her workspace, invites Bea,
// and they chat in #general (live messages, a thread, a reaction, typing,
// presence), then reloads and a dropped socket must lose nothing.
func TestFlow(t *testing.T) {
	h := newHarness(t)
	started := time.Now()
	defer func() { t.Logf("flow took %s", time.Since(started).Round(time.Millisecond)) }()

	const (
		sub       = "acme"
		brandName = "Acme Rockets"
		primary   = "#c2185b"
		primRGB   = "rgb(194, 24, 91)"
		accent    = "#0b7a75"
		accentRGB = "rgb(11, 122, 117)"
		annEmail  = "ann@acme.example"
		annPass   = "ann-password-1"
		beaEmail  = "bea@acme.example"
		beaPass   = "bea-password-1"
	)
	ann := h.newPerson("ann")
	bea := h.newPerson("bea")
	var generalPath, annHello, beaHi string

	h.step(t, "landing", func(t *testing.T) {
		ann.visit(t, h.apex("/"))
		ann.until(t, "a sign-up link on the landing page", `$$("a").some((a) => a.getAttribute("href") === "/signup" || a.href.endsWith("/signup"))`)
		ann.docShot(t, "landing.png")
	})
	if !h.step(t, "signup lands on the workspace host signed in", func(t *testing.T) {
		ann.visit(t, h.apex("/signup"))
		f := "form[data-testid=signup]"
		ann.fill(t, f, "workspace_name", "Acme")
		ann.fill(t, f, "subdomain", sub)
		ann.fill(t, f, "display_name", "Ann")
		ann.fill(t, f, "email", annEmail)
		ann.fill(t, f, "password", annPass)
		ann.submit(t, f)
		host := sub + "." + baseDomain + ":" + h.port
		ann.untilExplain(t, "the app on "+host+" (hand-off), in #general",
			`location.host === `+jsString(host)+` && location.pathname.startsWith("/channels/") && visible($(`+jsString(composer)+`)) && !!general()`,
			`({href: location.href, text: document.body.innerText.slice(0, 300)})`)
		if hash := eval[string](t, ann, "location.hash", `location.hash`); strings.Contains(hash, "code") {
			t.Errorf("the hand-off code stays in the address bar: %q", hash)
		}
		generalPath = eval[string](t, ann, "path", `location.pathname`)
		if want := eval[string](t, ann, "general link", js(`general().getAttribute("href")`)); !strings.HasPrefix(generalPath, want) {
			t.Errorf("landed on %s, want #general (%s)", generalPath, want)
		}
	}) {
		return
	}
	h.step(t, "branding shows on the login page", func(t *testing.T) {
		ann.visit(t, h.ws(sub, "/settings/branding"))
		f := "form[data-testid=branding]"
		ann.fill(t, f, "name", brandName)
		// A colour input takes no typing: set it as the picker would.
		for name, v := range map[string]string{"primary_color": primary, "accent_color": accent} {
			eval[bool](t, ann, "set "+name, js(`(() => { const el = $("form[data-testid=branding] [name=`+name+`]");
				el.value = `+jsString(v)+`; el.dispatchEvent(new Event("input", {bubbles: true}));
				el.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`))
		}
		ann.do(t, "choose a logo file", chromedp.SetUploadFiles(chromedp.CSS(f+` input[name=logo]`), []string{logoPNG(t)}))
		ann.submit(t, f)
		// Saved once the public workspace says so.
		deadline := time.Now().Add(wait)
		for {
			var ws struct {
				Name, PrimaryColor, LogoURL string
			}
			var raw map[string]any
			h.stack.Must(t, http.StatusOK, "GET", sub, "/api/v1/workspace", "", nil, &raw)
			ws.Name, _ = raw["name"].(string)
			ws.PrimaryColor, _ = raw["primary_color"].(string)
			ws.LogoURL, _ = raw["logo_url"].(string)
			if ws.Name == brandName && strings.EqualFold(ws.PrimaryColor, primary) && strings.EqualFold(fmt.Sprint(raw["accent_color"]), accent) && ws.LogoURL != "" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("branding not saved within %s: the workspace is %+v", wait, raw)
			}
			time.Sleep(100 * time.Millisecond) // polling the API between checks
		}
		ann.docShot(t, "settings.png")

		bea.visit(t, h.ws(sub, "/login"))
		bea.untilExplain(t, "the workspace name on the login page", `($("[data-testid=workspace-name]") || {}).textContent === `+jsString(brandName),
			`($("[data-testid=workspace-name]") || {}).textContent`)
		bea.until(t, "the logo on the login page, loaded", `(() => { const i = $("img[data-testid=workspace-logo]"); return visible(i) && i.complete && i.naturalWidth > 0; })()`)
		// The sign-in button wears a brand colour (the app gives primary
		// buttons the accent), and the primary colour shows on the page.
		bea.untilExplain(t, "the brand colours on the login page (sign-in button; primary somewhere)",
			`[`+jsString(primRGB)+`, `+jsString(accentRGB)+`].includes(getComputedStyle($("form[data-testid=login] button:not([type=button])")).backgroundColor) &&
			$$("body *").some((e) => [null, "::before", "::after"].some((pe) => { const s = getComputedStyle(e, pe);
				return [s.backgroundColor, s.backgroundImage, s.color, s.borderTopColor].some((v) => v.includes(`+jsString(primRGB)+`)); }))`,
			`({button: getComputedStyle($("form[data-testid=login] button:not([type=button])")).backgroundColor,
				colours: [...new Set($$("body *").flatMap((e) => [getComputedStyle(e).backgroundColor, getComputedStyle(e).color]))]})`)
		bea.docShot(t, "login.png")
	})
	ok := h.step(t, "invite accepted in a second browser context", func(t *testing.T) {
		ann.visit(t, h.ws(sub, "/settings/members"))
		f := "form[data-testid=invite]"
		ann.fill(t, f, "email", beaEmail)
		ann.do(t, "choose the member role", chromedp.SetValue(chromedp.CSS(f+` [name=role]`), "member"))
		ann.submit(t, f)
		ann.until(t, "the invite link", `!!($("input[data-testid=invite-link]") || {}).value`)
		link := eval[string](t, ann, "invite link", `document.querySelector("input[data-testid=invite-link]").value`)
		if want := h.ws(sub, "/invite/"); !strings.HasPrefix(link, want) {
			t.Fatalf("invite link %q, want it on the workspace host (%s…)", link, want)
		}
		bea.visit(t, link)
		f = "form[data-testid=invite-accept]"
		bea.fill(t, f, "display_name", "Bea")
		bea.do(t, "fill email", chromedp.WaitVisible(chromedp.CSS(f+` [name=email]`)))
		if v := eval[string](t, bea, "email", `document.querySelector("form[data-testid=invite-accept] [name=email]").value`); v == "" {
			bea.fill(t, f, "email", beaEmail)
		}
		bea.fill(t, f, "password", beaPass)
		bea.submit(t, f)
		bea.untilExplain(t, "the app, signed in as Bea, in #general",
			`location.pathname.startsWith("/channels/") && visible($(`+jsString(composer)+`)) && !!general() && location.pathname === `+jsString(generalPath),
			`({href: location.href, text: document.body.innerText.slice(0, 300)})`)
	})
	if !ok {
		return
	}
	// From here on each step stands on its own: a failure is reported and
	// the story goes on (unless the chat itself does not work).
	ok = h.step(t, "both chat in #general live", func(t *testing.T) {
		ann.do(t, "open #general from the sidebar", chromedp.Click(chromedp.CSS(`a[data-testid=channel-link][data-channel-name=general]`)))
		ann.until(t, "#general open", `location.pathname === `+jsString(generalPath)+` && visible($(`+jsString(composer)+`))`)
		// The new workspace's getting-started card (TestNewWorkspace covers
		// it): Ann has seen it and puts it away.
		ann.until(t, "the getting-started card", `visible($("[data-testid=first-run-dismiss]"))`)
		ann.do(t, "dismiss it", chromedp.Click(chromedp.CSS(`[data-testid=first-run-dismiss]`)))
		ann.until(t, "the card gone", `!$("[data-testid=first-run]")`)
		for _, p := range []*person{ann, bea} {
			eval[bool](t, p, "mark the page", `window.__e2eNoReload = true`)
		}
		annHello = "Hello from Ann, welcome to **Acme Rockets**"
		ann.say(t, composer, annHello)
		annHello = "Hello from Ann, welcome to Acme Rockets" // as rendered
		ann.messageID(t, annHello)
		bea.untilExplain(t, "Ann's message, live", `sent(`+jsString(annHello)+`)`, `texts()`)
		beaHi = "Hi Ann, Bea here"
		bea.say(t, composer, beaHi)
		ann.untilExplain(t, "Bea's message, live", `sent(`+jsString(beaHi)+`)`, `texts()`)
		for _, p := range []*person{ann, bea} {
			if !eval[bool](t, p, "page mark", `window.__e2eNoReload === true`) {
				t.Errorf("%s: the page reloaded to show the messages", p.name)
			}
		}
	})
	if !ok {
		return
	}
	h.step(t, "thread reply", func(t *testing.T) {
		id := bea.messageID(t, annHello)
		bea.clickAction(t, id, "Reply in thread")
		bea.until(t, "the thread panel", `visible($("[data-testid=thread-panel]"))`)
		if p := eval[string](t, bea, "path", `location.pathname`); p != generalPath+"/threads/"+id {
			t.Errorf("thread open at %s, want %s", p, generalPath+"/threads/"+id)
		}
		reply := "Count me in, launch at noon"
		bea.say(t, threadComposer, reply)
		bea.untilExplain(t, "the reply in the thread panel", `threadMsgs().some((m) => bodyText(m) === `+jsString(reply)+`)`,
			`threadMsgs().map(bodyText)`)
		sum := msgSel(id) + ` [data-testid=thread-summary]`
		ann.untilExplain(t, `"1 reply" under Ann's message, live`, `/(^|\D)1 reply/.test(($(`+jsString(sum)+`) || {}).textContent || "")`,
			`($(`+jsString(sum)+`) || {}).textContent`)
		ann.do(t, "open the thread from its summary", chromedp.Click(chromedp.CSS(sum)))
		ann.until(t, "the thread panel with Bea's reply", `visible($("[data-testid=thread-panel]")) && threadMsgs().some((m) => bodyText(m) === `+jsString(reply)+`)`)
		ann.docShot(t, "thread.png")
		ann.do(t, "back to #general", chromedp.Click(chromedp.CSS(`a[data-testid=channel-link][data-channel-name=general]`)))
		ann.until(t, "the thread panel closed", `!$("[data-testid=thread-panel]") && location.pathname === `+jsString(generalPath))
	})
	h.step(t, "reaction", func(t *testing.T) {
		id := ann.messageID(t, beaHi)
		ann.clickAction(t, id, "Add reaction")
		ann.do(t, "pick 👍", chromedp.Click(chromedp.CSS(`[data-testid=emoji-picker] button[data-emoji="👍"]`)))
		chip := msgSel(id) + ` [data-testid=reaction][data-emoji="👍"]`
		for _, p := range []*person{ann, bea} {
			p.untilExplain(t, "the 👍 chip with count 1", `/\b1\b/.test(($(`+jsString(chip)+`) || {}).textContent || "")`,
				`$$(`+jsString(msgSel(id)+` [data-testid=reaction]`)+`).map((r) => r.outerHTML)`)
		}
	})
	h.step(t, "typing indicator", func(t *testing.T) {
		// Bea types at a person's pace (one key every 200 ms) without
		// sending, until Ann sees the notice.
		draft := "I am typing something"
		bea.do(t, "type without sending", chromedp.Click(chromedp.CSS(composer)), chromedp.SendKeys(chromedp.CSS(composer), draft))
		typing := js(`visible($("[data-testid=typing]")) && /Bea/.test($("[data-testid=typing]").textContent)`)
		began := time.Now()
		for !eval[bool](t, ann, "typing notice", typing) {
			if time.Since(began) > wait {
				t.Fatalf("Ann does not see that Bea is typing after %s of typing (notice: %q)", wait,
					eval[string](t, ann, "typing", js(`($("[data-testid=typing]") || {}).textContent || ""`)))
			}
			time.Sleep(200 * time.Millisecond) // typing pace, not an assertion
			bea.do(t, "type on", chromedp.SendKeys(chromedp.CSS(composer), "."))
		}
		if d := time.Since(began); d > 2*time.Second {
			t.Logf("APP NOTE: the typing notice took %s to reach Ann (the client throttles typing pushes per conversation, also just after sending a message)", d.Round(100*time.Millisecond))
		}
		ann.docShot(t, "workspace.png")
		eval[bool](t, bea, "select the draft", js(`($(`+jsString(composer)+`).select(), true)`))
		bea.do(t, "clear the draft", chromedp.SendKeys(chromedp.CSS(composer), kb.Backspace))
		bea.until(t, "an empty composer", `$(`+jsString(composer)+`).value === ""`)
	})
	h.step(t, "presence dot", func(t *testing.T) {
		ann.do(t, "open the members panel", chromedp.Click(chromedp.CSS(`button[aria-label^="Members"]`)))
		beaID := eval[string](t, bea, "Bea's user id", `fetch("/api/v1/auth/me").then((r) => r.json()).then((j) => String(j.user.id))`)
		member := `[data-testid=members-panel] [data-testid=member][data-user-id="` + beaID + `"]`
		ann.untilExplain(t, "Bea online in the members panel",
			`!!$(`+jsString(member+` [data-testid=presence][data-presence=online]`)+`)`,
			`$$("[data-testid=member]").map((m) => m.dataset.userId + " " + m.textContent + " " + ((m.querySelector("[data-testid=presence]") || {dataset: {}}).dataset.presence))`)
		if name := eval[string](t, ann, "member name", js(`$(`+jsString(member)+`).textContent`)); !strings.Contains(name, "Bea") {
			t.Errorf("the members panel names Bea %q (a member who joined after the page loaded is not known by name)", name)
		}
		ann.do(t, "close the members panel", chromedp.Click(chromedp.CSS(`button[aria-label^="Members"]`)))
		ann.until(t, "the members panel closed", `!$("[data-testid=members-panel]")`)
	})
	h.step(t, "reload keeps history and the read cursor", func(t *testing.T) {
		// Bea leaves #general (for her profile settings); Ann writes twice.
		bea.visit(t, h.ws(sub, "/settings/profile"))
		bea.until(t, "the settings page and the sidebar", `!!general() && !$("[data-testid=message]")`)
		unread := []string{"First while you were away", "Second while you were away"}
		for _, m := range unread {
			ann.say(t, composer, m)
			ann.messageID(t, m)
		}
		badge := `a[data-testid=channel-link][data-channel-name=general] [data-testid=unread-badge]`
		badgeIs2 := `/\b2\b/.test(($(` + jsString(badge) + `) || {}).textContent || "")`
		badgeText := `($(` + jsString(badge) + `) || {textContent: "(no badge)"}).textContent`
		bea.untilExplain(t, "2 unread in #general, live", badgeIs2, badgeText)
		bea.do(t, "reload", chromedp.Reload())
		bea.untilExplain(t, "2 unread in #general after a reload", badgeIs2, badgeText)

		bea.do(t, "open #general", chromedp.Click(chromedp.CSS(`a[data-testid=channel-link][data-channel-name=general]`)))
		bea.untilExplain(t, "history in #general", `[`+jsString(annHello)+`, `+jsString(beaHi)+`, `+jsString(unread[0])+`, `+jsString(unread[1])+`].every((s) => texts().includes(s))`, `texts()`)
		bea.expect(t, `the "new messages" divider right before the first unread message`,
			`(() => { const d = $("[data-testid=new-divider]"); if (!d) return false;
				const ms = listMsgs(); const first = ms.find((m) => bodyText(m) === `+jsString(unread[0])+`);
				const before = ms.filter((m) => d.compareDocumentPosition(m) & Node.DOCUMENT_POSITION_PRECEDING);
				return !!first && (d.compareDocumentPosition(first) & Node.DOCUMENT_POSITION_FOLLOWING) &&
					before.length > 0 && bodyText(before[before.length - 1]) !== `+jsString(unread[0])+`; })()`,
			`({divider: !!$("[data-testid=new-divider]"), order: [...document.querySelectorAll("[data-testid=new-divider], [data-testid=message]")].map((e) => e.dataset.testid === "new-divider" ? "--divider--" : bodyText(e))})`)
		bea.untilExplain(t, "no unread badge on #general once read", `!$(`+jsString(badge)+`)`, badgeText)

		bea.do(t, "reload", chromedp.Reload())
		bea.untilExplain(t, "history after reloading #general", `[`+jsString(annHello)+`, `+jsString(unread[1])+`].every((s) => texts().includes(s))`, `texts()`)
		bea.untilExplain(t, "no unread badge after reloading a read channel", `!!general() && !$(`+jsString(badge)+`)`, badgeText)
		if eval[bool](t, bea, "divider", js(`!!$("[data-testid=new-divider]")`)) {
			t.Errorf(`a "new messages" divider shows after reloading a channel read to the end`)
		}

		ann.do(t, "reload", chromedp.Reload())
		ann.untilExplain(t, "history after a reload", `[`+jsString(annHello)+`, `+jsString(beaHi)+`, `+jsString(unread[1])+`].every((s) => texts().includes(s))`, `texts()`)
		ann.until(t, "the thread summary and the reaction after a reload",
			`!!$("[data-testid=thread-summary]") && !!$("[data-testid=reaction][data-emoji=\"👍\"]")`)
	})
	h.step(t, "socket held down, then catch-up", func(t *testing.T) {
		eval[bool](t, bea, "disconnect", `(window.__relay.socket.disconnect(), true)`)
		bea.until(t, "the reconnecting banner", `visible($("[data-testid=reconnecting]"))`)
		missed := []string{"Missed one", "Missed two", "Missed three"}
		for _, m := range missed {
			ann.say(t, composer, m)
			ann.messageID(t, m)
		}
		if got := eval[[]string](t, bea, "messages", js(`texts().filter((s) => s.startsWith("Missed"))`)); len(got) != 0 {
			t.Fatalf("Bea's socket is down but she received %q", got)
		}
		eval[bool](t, bea, "connect", `(window.__relay.socket.connect(), true)`)
		bea.until(t, "the reconnecting banner gone", `!$("[data-testid=reconnecting]")`)
		bea.untilExplain(t, "the 3 missed messages, in order, once each",
			`(() => { const got = texts().filter((s) => s.startsWith("Missed")); return got.join("|") === "Missed one|Missed two|Missed three"; })()`,
			`texts()`)
		assertNoDuplicates(t, bea)
		eval[bool](t, bea, "mark the page", `window.__e2eNoReload = true`)
		// The socket is live again: a new message arrives without a reload.
		ann.say(t, composer, "Back online?")
		bea.untilExplain(t, "a live message after the catch-up", `sent("Back online?")`, `texts()`)
		if !eval[bool](t, bea, "page mark", `window.__e2eNoReload === true`) {
			t.Errorf("the page reloaded")
		}
	})
	h.step(t, "socket dropped, recovers by itself", func(t *testing.T) {
		// The banner may show only briefly: record whether it ever shows.
		eval[bool](t, bea, "watch for the banner", `(() => { window.__e2eBanner = !!document.querySelector("[data-testid=reconnecting]");
			new MutationObserver(() => { if (document.querySelector("[data-testid=reconnecting]")) window.__e2eBanner = true; })
				.observe(document.body, {childList: true, subtree: true}); return true; })()`)
		eval[bool](t, bea, "close the socket's connection", `(window.__relay.socket.conn.close(), true)`)
		bea.until(t, "the reconnecting banner (at least briefly)", `window.__e2eBanner === true`)
		bea.until(t, "the socket back and the banner gone", `window.__relay.socket.isConnected() && !$("[data-testid=reconnecting]")`)
		ann.say(t, composer, "After the drop")
		bea.untilExplain(t, "a live message after recovering", `sent("After the drop")`, `texts()`)
		assertNoDuplicates(t, bea)
	})
	if updateShots() {
		h.step(t, "screenshots: mobile and dark", func(t *testing.T) {
			ann.do(t, "phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait, chromedp.EmulateScale(2)))
			ann.do(t, "reload", chromedp.Reload())
			ann.until(t, "the app at phone width", `!!document.querySelector("[data-testid=message]")`)
			ann.docShot(t, "mobile.png")
			ann.do(t, "desktop viewport", chromedp.EmulateViewport(1280, 800))
			ann.do(t, "dark colour scheme", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
					Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}})
				return err
			}))
			ann.do(t, "reload", chromedp.Reload())
			ann.until(t, "the app in dark mode", `!!document.querySelector("[data-testid=message]") && matchMedia("(prefers-color-scheme: dark)").matches`)
			ann.docShot(t, "dark.png")
		})
	}
}

// assertNoDuplicates fails if a message id shows twice in the list.
func assertNoDuplicates(t *testing.T, p *person) {
	t.Helper()
	dups := eval[[]string](t, p, "duplicates", js(`(() => { const seen = new Set(), d = [];
		for (const m of listMsgs()) { if (seen.has(m.dataset.id)) d.push(m.dataset.id + " " + bodyText(m)); seen.add(m.dataset.id); }
		return d; })()`))
	if len(dups) > 0 {
		t.Errorf("%s: messages shown twice: %q", p.name, dups)
	}
	texts := eval[[]string](t, p, "texts", js(`texts()`))
	count := map[string]int{}
	for _, s := range texts {
		count[s]++
	}
	for s, n := range count {
		if n > 1 && s != "" {
			t.Errorf("%s: %q shown %d times", p.name, s, n)
		}
	}
}
