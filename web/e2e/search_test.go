package e2e

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/app"
)

// TestSearch drives issue 11's search through the UI against the real
// server: "/" focuses the box, a word finds a message deep in a channel's
// history with its snippet marked, "jump to message" opens the channel
// around it with the message highlighted, a thread reply opens its thread,
// Japanese text is found by a substring, filters show as chips and removing
// one searches again, and the quick switcher finds a public channel one has
// not joined.
func TestSearch(t *testing.T) {
	h := newHarness(t)
	s := h.stack

	const sub = "find"
	annAcc := signupAs(t, s, sub, "Ann")
	beaAcc := s.Invite(t, annAcc, "Bea", relay.RoleMember)
	general := s.General(t, annAcc)
	history := s.CreateChannel(t, annAcc, "history", relay.ChannelPublic, beaAcc.UserID)
	s.CreateChannel(t, beaAcc, "hidden-gems", relay.ChannelPublic) // Ann is not in it
	var needle relay.Message
	for i := 1; i <= 220; i++ {
		body := fmt.Sprintf("History %04d", i)
		if i == 30 {
			body = "The mockups for the launch are ready"
		}
		m := s.Post(t, annAcc, history, body)
		if i == 30 {
			needle = m
		}
	}
	root := s.Post(t, beaAcc, general, "Where are the invoices?")
	reply := s.PostInput(t, beaAcc, general, app.PostInput{Body: "The invoices went out twice", ParentID: &root.ID})
	ja := s.Post(t, beaAcc, general, "本日の会議で二重に請求されました")

	ann := h.newPerson("ann")
	if !h.step(t, "sign in", func(t *testing.T) {
		ann.login(t, sub, annAcc.Email, annAcc.Password, "/channels/"+general.String())
	}) {
		return
	}
	input := `[data-testid=search-input]`
	search := func(t *testing.T, q string) {
		t.Helper()
		ann.do(t, "focus the search box", chromedp.Click(chromedp.CSS(input)))
		clearComposer(t, ann, input)
		ann.do(t, "type "+jsString(q)+" and press Enter", chromedp.SendKeys(chromedp.CSS(input), q), press("Enter"))
	}
	result := func(id relay.ID) string {
		return fmt.Sprintf(`$("[data-testid=search-panel] [data-testid=search-result][data-id='%s']")`, id.String())
	}

	h.step(t, "/ focuses the search box; a word finds a message deep in history, marked", func(t *testing.T) {
		ann.until(t, "the search box", `visible($(`+jsString(input)+`))`)
		// The composer has the focus on arrival (there "/" is text): click
		// the timeline first, as one would.
		ann.do(t, "click the timeline", chromedp.Click(chromedp.CSS(`[data-testid=channel-name]`)))
		ann.do(t, "press /", chromedp.KeyEvent("/"))
		ann.until(t, "the search box focused", `document.activeElement === $(`+jsString(input)+`)`)
		ann.do(t, "type mockups and press Enter", chromedp.SendKeys(chromedp.CSS(input), "mockups"), press("Enter"))
		ann.untilExplain(t, "one result with the word marked", result(needle.ID)+` && `+result(needle.ID)+`.querySelector("[data-testid=snippet] mark")?.textContent === "mockups"`,
			`({panel: ($("[data-testid=search-panel]") || {}).textContent})`)
		ann.expect(t, "the total", `(($("[data-testid=search-total]") || {}).textContent || "").includes("1")`, `($("[data-testid=search-total]") || {}).textContent`)
		ann.docShot(t, "search.png")
	})

	h.step(t, "jump to message: the channel opens around it, highlighted", func(t *testing.T) {
		ann.clickOn(t, "the result", result(needle.ID))
		sel := msgSel(needle.ID.String())
		ann.untilExplain(t, "#history with the message highlighted and on screen",
			`($("[data-testid=channel-name]") || {}).textContent === "history" && $(`+jsString(sel)+`) && $(`+jsString(sel)+`).dataset.highlighted === "true" && (() => { const r = $(`+jsString(sel)+`).getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; })()`,
			`({header: ($("[data-testid=channel-name]") || {}).textContent, found: !!$(`+jsString(sel)+`)})`)
	})

	h.step(t, "a thread reply opens its thread, highlighted", func(t *testing.T) {
		search(t, "invoices twice")
		ann.until(t, "the reply found", result(reply.ID))
		ann.clickOn(t, "the reply", result(reply.ID))
		ann.untilExplain(t, "the thread open with the reply highlighted",
			`visible($("[data-testid=thread-panel]")) && ($("[data-testid=thread-panel] [data-id='`+reply.ID.String()+`']") || {dataset: {}}).dataset.highlighted === "true"`,
			`({thread: ($("[data-testid=thread-panel]") || {}).textContent})`)
	})

	h.step(t, "Japanese: a substring without spaces is found", func(t *testing.T) {
		search(t, "二重に")
		ann.untilExplain(t, "the Japanese message, marked", result(ja.ID)+` && `+result(ja.ID)+`.querySelector("mark")?.textContent === "二重に"`,
			`($("[data-testid=search-panel]") || {}).textContent`)
	})

	h.step(t, "filters are chips; removing one searches again", func(t *testing.T) {
		search(t, "invoices from:@bea")
		chip := `$("[data-testid=search-chip][data-group=from]")`
		ann.untilExplain(t, "a from chip and the root and reply", chip+` && `+result(root.ID)+` && `+result(reply.ID),
			`($("[data-testid=search-panel]") || {}).textContent`)
		search(t, "invoices from:@ann")
		ann.untilExplain(t, "nothing from Ann", `$("[data-testid=search-empty]")`, `($("[data-testid=search-panel]") || {}).textContent`)
		ann.clickOn(t, "the chip's remove button", chip+`.querySelector("button")`)
		ann.untilExplain(t, "results again without the chip", `!`+chip+` && `+result(root.ID),
			`($("[data-testid=search-panel]") || {}).textContent`)
		search(t, "colour:red")
		ann.untilExplain(t, "the server's message naming the filter", `(($("[data-testid=search-error]") || {}).textContent || "").includes("colour:")`,
			`($("[data-testid=search-panel]") || {}).textContent`)
	})

	h.step(t, "phone width: the box is an icon; results cover the screen; a result opens the message", func(t *testing.T) {
		defer ann.do(t, "desktop viewport again", chromedp.EmulateViewport(1280, 720))
		ann.do(t, "phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait, chromedp.EmulateScale(2)))
		// The last search's results cover the screen: close them first.
		ann.clickOn(t, "Close search", `$("[data-testid=search-panel] button[aria-label='Close search']") || $("button[aria-label='Close search']")`)
		icon := `$("[data-testid=search-box] button[aria-label=Search]")`
		ann.until(t, "the search icon", `visible(`+icon+`)`)
		ann.clickOn(t, "the search icon", icon)
		ann.until(t, "the box, focused", `document.activeElement === $(`+jsString(input)+`)`)
		ann.do(t, "type mockups and press Enter", chromedp.SendKeys(chromedp.CSS(input), "mockups"), press("Enter"))
		ann.untilExplain(t, "the results covering the screen", result(needle.ID)+` && (() => { const r = $("[data-testid=search-panel]").getBoundingClientRect(); return r.left <= 1 && r.width >= innerWidth - 1; })()`,
			`($("[data-testid=search-panel]") || {getBoundingClientRect: () => ({})}).getBoundingClientRect()`)
		ann.docShot(t, "search-phone.png")
		ann.clickOn(t, "the result", result(needle.ID))
		sel := msgSel(needle.ID.String())
		ann.untilExplain(t, "#history with the message highlighted, results closed",
			`!visible($("[data-testid=search-panel]")) && $(`+jsString(sel)+`) && $(`+jsString(sel)+`).dataset.highlighted === "true"`,
			`({header: ($("[data-testid=channel-name]") || {}).textContent})`)
	})

	h.step(t, "quick switcher finds a public channel one has not joined", func(t *testing.T) {
		ann.do(t, "press Escape", press("Escape"))
		ann.do(t, "press Ctrl+K", press("k", chromedp.ModifierCtrl))
		sw := `[data-testid=quick-switcher] input[role=combobox]`
		ann.until(t, "the switcher", `visible($(`+jsString(sw)+`))`)
		ann.do(t, "type gems", chromedp.SendKeys(chromedp.CSS(sw), "gems"))
		ann.untilExplain(t, "#hidden-gems offered", `$$("[data-testid=quick-switcher] [role=option]").some((o) => o.textContent.includes("hidden-gems"))`,
			`$$("[data-testid=quick-switcher] [role=option]").map((o) => o.textContent)`)
		ann.expect(t, "a last row searching messages", `!!$("[data-testid=switcher-search]")`, `$$("[data-testid=quick-switcher] [role=option]").map((o) => o.textContent)`)
	})
}
