package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/relayhq/relay"
)

// TestEachRoleSees checks that each role is shown only what it can use: a
// plain member gets no empty Connectors box (an owner does, with "+ Add");
// a customer gets neither "Jump to…" nor "Set a status"; and a phone gets no
// keyboard hint. And the app promises no channel that does not exist yet
// (email, an AI assistant).
func TestEachRoleSees(t *testing.T) {
	h := newHarness(t)
	s := h.stack
	const sub = "roles"
	owner := s.Signup(t, sub)
	memberAcc := s.Invite(t, owner, "mia", relay.RoleMember)
	custAcc := s.Invite(t, owner, "cody", relay.RoleCustomer)

	own := h.newPerson("owner")
	mem := h.newPerson("member")
	cust := h.newPerson("customer")

	h.step(t, "a member has no empty Connectors box; the owner has one to add to", func(t *testing.T) {
		own.login(t, sub, owner.Email, owner.Password, "")
		mem.login(t, sub, memberAcc.Email, memberAcc.Password, "")
		own.untilExplain(t, "the owner's Connectors box with + Add", `visible($("[data-testid=sidebar-connectors] a[data-testid=connectors-add]"))`,
			`($("nav.sidebar") || {}).innerText`)
		own.expect(t, "the empty box promises only what exists", `!/email|assistant|\bAI\b/i.test($("[data-testid=sidebar-connectors]").innerText)`,
			`$("[data-testid=sidebar-connectors]").innerText`)
		mem.until(t, "the member's sidebar", `visible($("a[data-testid=channel-link][data-channel-name=general]"))`)
		mem.expect(t, "no Connectors box for the member", `!$("[data-testid=sidebar-connectors]")`, `$("nav.sidebar").innerText`)
		mem.expect(t, "the member can jump and set a status", `visible($("[data-testid=jump]")) && visible($("button[aria-label='Set your status']"))`,
			`$("nav.sidebar").innerText`)
	})

	h.step(t, "a customer has no Jump to… and no status", func(t *testing.T) {
		cust.visit(t, h.ws(sub, "/login?next=/support"))
		cust.fill(t, "form[data-testid=login]", "email", custAcc.Email)
		cust.fill(t, "form[data-testid=login]", "password", custAcc.Password)
		cust.submit(t, "form[data-testid=login]")
		cust.untilExplain(t, "the portal", `location.pathname === "/support" && visible($("[data-testid=my-name]"))`,
			`({path: location.pathname, text: document.body.innerText.slice(0, 300)})`)
		cust.expect(t, "no Jump to…, no status", `!$("[data-testid=jump]") && !$("button[aria-label='Set your status']") && !/Set a status|Jump to/.test($("nav.sidebar").innerText)`,
			`$("nav.sidebar").innerText`)
		cust.expect(t, "their own name shown", `$("[data-testid=my-name]").innerText.includes("cody")`, `$("[data-testid=my-name]").innerText`)
	})

	h.step(t, "the landing page promises only what exists", func(t *testing.T) {
		cust.visit(t, h.apex("/"))
		cust.until(t, "the landing page", `!!$("#pg-hero-title")`)
		cust.expect(t, "no email or assistant", `!/email|assistant|\bAI\b/i.test(document.body.innerText)`, `document.body.innerText`)
	})

	h.step(t, "a phone shows no keyboard hint", func(t *testing.T) {
		mem.expect(t, "the hint on a desktop", `visible($("[data-testid=jump-hint]"))`, `$("[data-testid=jump]").outerHTML`)
		mem.do(t, "phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait, chromedp.EmulateScale(2)))
		defer mem.do(t, "desktop viewport", chromedp.EmulateReset())
		mem.do(t, "reload", chromedp.Reload())
		mem.until(t, "the app at phone width", `visible($(`+jsString(composer)+`))`)
		mem.do(t, "open the drawer", chromedp.Click(chromedp.CSS(`button[aria-label="Open sidebar"]`)))
		mem.until(t, "Jump to… in the drawer", `visible($("[data-testid=jump]"))`)
		mem.expect(t, "no Ctrl K hint", `!visible($("[data-testid=jump-hint]")) && !/Ctrl K|⌘K/.test($("[data-testid=jump]").innerText)`,
			`$("[data-testid=jump]").innerText`)
		mem.docShot(t, "phone-sidebar.png")
	})
}
