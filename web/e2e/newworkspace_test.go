package e2e

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/relayhq/relay"
)

// TestNewWorkspace is what a new owner meets: a first-run checklist in an
// empty workspace's #general (invite people, create a channel, set the
// branding: each works, ticks itself off, the card goes once all are done;
// another owner dismisses it for good), a new API token that reads "never
// used" until it is used, and a DM whose header shows the other person's
// presence and status, live.
func TestNewWorkspace(t *testing.T) {
	h := newHarness(t)
	s := h.stack
	const sub = "fresh"
	owner := s.Signup(t, sub)
	own := h.newPerson("owner")
	step := func(name string) string {
		return `$("[data-testid=first-run] [data-testid=first-run-step][data-step=` + name + `]")`
	}
	general := `a[data-testid=channel-link][data-channel-name=general]`
	backToGeneral := func(t *testing.T) {
		t.Helper()
		own.do(t, "open #general", chromedp.Click(chromedp.CSS(general)))
		own.until(t, "in #general", `($("[data-testid=channel-name]") || {}).textContent === "general"`)
	}

	if !h.step(t, "an empty workspace shows the owner a checklist", func(t *testing.T) {
		own.login(t, sub, owner.Email, owner.Password, "")
		own.untilExplain(t, "the checklist with three steps to do", `visible($("[data-testid=first-run]")) && $$("[data-testid=first-run-step][data-done=false]").length === 3`,
			`($("[data-testid=channel-intro]") || {}).innerText`)
		own.docShot(t, "first-run.png")
	}) {
		return
	}

	h.step(t, "create a channel from the checklist", func(t *testing.T) {
		own.do(t, "click Create a channel", chromedp.Click(chromedp.CSS(`[data-testid=first-run-step][data-step=channel] button`)))
		f := "form[data-testid=create-channel]"
		own.fill(t, f, "name", "projects")
		own.submit(t, f)
		own.until(t, "in #projects", `($("[data-testid=channel-name]") || {}).textContent === "projects" && !$("form[data-testid=create-channel]")`)
		backToGeneral(t)
		own.untilExplain(t, "the channel step done", step("channel")+`?.dataset.done === "true" && `+step("invite")+`?.dataset.done === "false"`,
			`$("[data-testid=first-run]").innerText`)
	})

	h.step(t, "invite people from the checklist", func(t *testing.T) {
		own.do(t, "click Invite people", chromedp.Click(chromedp.CSS(`[data-testid=first-run-step][data-step=invite] a`)))
		f := "form[data-testid=invite]"
		own.until(t, "the invite form", `location.pathname === "/settings/members" && visible($("`+f+`"))`)
		own.fill(t, f, "email", "bea@fresh.example")
		own.submit(t, f)
		own.until(t, "the new invitation link", `!!($("input[data-testid=invite-link]") || {}).value`)
		backToGeneral(t)
		own.untilExplain(t, "the invite step done", step("invite")+`?.dataset.done === "true"`, `$("[data-testid=first-run]").innerText`)
	})

	h.step(t, "set the branding from the checklist: the card is gone", func(t *testing.T) {
		own.do(t, "click Set branding", chromedp.Click(chromedp.CSS(`[data-testid=first-run-step][data-step=branding] a`)))
		f := "form[data-testid=branding]"
		own.until(t, "the branding form", `location.pathname === "/settings/branding" && visible($("`+f+`"))`)
		eval[bool](t, own, "set primary_color", js(`(() => { const el = $("form[data-testid=branding] [name=primary_color]");
			el.value = "#0f766e"; el.dispatchEvent(new Event("input", {bubbles: true})); el.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`))
		own.submit(t, f)
		own.until(t, "the workspace's new colour", `(window.__relay.store.get().workspace || {}).primary_color === "#0f766e"`)
		backToGeneral(t)
		own.untilExplain(t, "no checklist", `!$("[data-testid=first-run]") && visible($("[data-testid=channel-intro]"))`, `$("[data-testid=channel-intro]").innerText`)
		own.do(t, "reload", chromedp.Reload())
		own.until(t, "#general after a reload", `visible($("[data-testid=channel-intro]"))`)
		own.expect(t, "still no checklist", `!$("[data-testid=first-run]")`, `$("[data-testid=channel-intro]").innerText`)
	})

	h.step(t, "another owner dismisses it for good", func(t *testing.T) {
		other := s.Signup(t, "fresh2")
		p := h.newPerson("owner2")
		p.login(t, "fresh2", other.Email, other.Password, "")
		p.until(t, "the checklist", `visible($("[data-testid=first-run]"))`)
		p.do(t, "Dismiss", chromedp.Click(chromedp.CSS(`[data-testid=first-run-dismiss]`)))
		p.until(t, "gone", `!$("[data-testid=first-run]")`)
		p.do(t, "reload", chromedp.Reload())
		p.until(t, "#general after a reload", `visible($("[data-testid=channel-intro]"))`)
		p.expect(t, "still gone", `!$("[data-testid=first-run]")`, `$("[data-testid=channel-intro]").innerText`)
	})

	h.step(t, "a new API token reads never used, until it is used", func(t *testing.T) {
		var tok struct {
			Token string `json:"token"`
		}
		s.Must(t, http.StatusCreated, "POST", sub, "/api/v1/tokens", owner.Token, map[string]string{"name": "deploy-bot"}, &tok)
		own.visit(t, h.ws(sub, "/settings/tokens"))
		row := `[...$$("[data-testid=token-list] li")].find((li) => li.innerText.includes("deploy-bot"))`
		own.untilExplain(t, "the token never used", `/never used/.test((`+row+` || {}).innerText || "")`, `($("[data-testid=token-list]") || {}).innerText`)
		s.Must(t, http.StatusOK, "GET", sub, "/api/v1/auth/me", tok.Token, nil, nil)
		own.do(t, "reload", chromedp.Reload())
		own.untilExplain(t, "the token used", `/last used/.test((`+row+` || {}).innerText || "")`, `($("[data-testid=token-list]") || {}).innerText`)
	})

	h.step(t, "a DM's header shows the other person's presence and status, live", func(t *testing.T) {
		beaAcc := s.Invite(t, owner, "bea", relay.RoleMember)
		bea := h.newPerson("bea")
		bea.login(t, sub, beaAcc.Email, beaAcc.Password, "")
		var dm struct {
			ID relay.ID `json:"id"`
		}
		s.Must(t, http.StatusOK, "POST", sub, "/api/v1/dms", owner.Token, map[string]any{"user_ids": []relay.ID{beaAcc.UserID}}, &dm)
		own.visit(t, h.ws(sub, "/channels/"+dm.ID.String()))
		header := `$("[data-testid=dm-status]")`
		own.untilExplain(t, "bea active in the header", header+`?.dataset.presence === "online" && /Active/.test(`+header+`.innerText) && $(".channel-header [data-testid=presence]")?.dataset.presence === "online"`,
			`($(".channel-header") || {}).innerText`)
		s.Must(t, http.StatusOK, "PUT", sub, "/api/v1/users/me/status", beaAcc.Token, map[string]any{"text": "On holiday", "emoji": "🌴", "presence": "dnd"}, nil)
		own.untilExplain(t, "bea's status and do-not-disturb, live", header+`?.dataset.presence === "dnd" && /On holiday/.test(`+header+`.innerText) && /Do not disturb/.test(`+header+`.innerText)`,
			`(`+header+` || {}).innerText`)
		own.docShot(t, "dm-header.png")
		bea.do(t, "bea leaves", chromedp.Navigate("about:blank"))
		own.untilExplain(t, "bea offline, live", header+`?.dataset.presence === "offline" && /Offline/.test(`+header+`.innerText)`, `(`+header+` || {}).innerText`)
	})
}
