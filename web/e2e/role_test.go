package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/relayhq/relay"
)

// TestRoleChangeLive: an owner makes a member an agent in one browser
// context; the member's open page shows the Inbox at once, without a
// reload, and loses it again when made a member.
func TestRoleChangeLive(t *testing.T) {
	h := newHarness(t)
	s := h.stack
	owner := s.Signup(t, "roles")
	mia := s.Invite(t, owner, "mia", relay.RoleMember)

	o, m := h.newPerson("owner"), h.newPerson("mia")
	if !h.step(t, "sign in", func(t *testing.T) {
		o.login(t, owner.Sub, owner.Email, owner.Password, "")
		o.visit(t, h.ws(owner.Sub, "/settings/members"))
		m.login(t, mia.Sub, mia.Email, mia.Password, "")
	}) {
		return
	}
	inbox := `visible($("a[data-testid=nav-inbox]"))`
	_ = h.step(t, "a member has no Inbox", func(t *testing.T) {
		if eval[bool](t, m, "the Inbox link", js(inbox)) {
			t.Fatalf("a plain member sees the Inbox")
		}
		// Marks this page: a reload would lose it.
		eval[bool](t, m, "mark the page", `(window.__sameLoad = true)`)
	})
	role := func(t *testing.T, r relay.Role) {
		t.Helper()
		sel := jsString(`select[aria-label="Role of mia"]`)
		o.until(t, "mia's role select", `!!$(`+sel+`) && !$(`+sel+`).disabled`)
		eval[bool](t, o, "choose "+string(r), js(`(() => { const el = $(`+sel+`); el.value = `+jsString(string(r))+`;
			el.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`))
	}
	_ = h.step(t, "made an agent: the Inbox appears without a reload", func(t *testing.T) {
		role(t, relay.RoleAgent)
		m.untilExplain(t, "the Inbox in mia's sidebar", inbox, `__relay.store.get().me.membership`)
		if !eval[bool](t, m, "same page load", `window.__sameLoad === true`) {
			t.Errorf("the page reloaded")
		}
		m.do(t, "open the Inbox", chromedp.Click(chromedp.CSS(`a[data-testid=nav-inbox]`)))
		m.until(t, "the inbox", `location.pathname === "/desk"`)
		m.peek(t, "role-agent.png")
	})
	_ = h.step(t, "made a member again: the Inbox goes", func(t *testing.T) {
		role(t, relay.RoleMember)
		m.untilExplain(t, "no Inbox in mia's sidebar", `!`+inbox, `__relay.store.get().me.membership`)
		if !eval[bool](t, m, "same page load", `window.__sameLoad === true`) {
			t.Errorf("the page reloaded")
		}
	})
}
