package e2e

import (
	"testing"

	"github.com/relayhq/relay"
)

// TestConnectorsOffered: on a server whose operator set up neither the
// shared LINE bot nor Discord, admins are offered only an own LINE bot;
// the owner also reads, in plain words, what the person who runs the
// server must set up (and only the owner does).
func TestConnectorsOffered(t *testing.T) {
	h := newHarness(t)
	s := h.stack
	const sub = "kettles"
	owner := s.Signup(t, sub)
	adminAcc := s.Invite(t, owner, "ada", relay.RoleAdmin)
	ownerP, admin := h.newPerson("owner"), h.newPerson("admin")
	const pageText = `({path: location.pathname, text: document.body.innerText.slice(0, 600)})`
	loaded := `!!$("[data-testid=connectors-page]") && !!$("a[data-testid=add-line]") && $("[data-testid=add-line]").textContent.includes("LINE Official Account")`

	h.step(t, "the owner sees only LINE, and what the operator must set up", func(t *testing.T) {
		ownerP.login(t, sub, owner.Email, owner.Password, "")
		ownerP.visit(t, h.ws(sub, "/settings/connectors"))
		ownerP.untilExplain(t, "the operator note", loaded+` && !!$("[data-testid=operator-setup]")`, pageText)
		ownerP.expect(t, "no Discord choice", `!$("a[data-testid=add-discord]")`, pageText)
		ownerP.expect(t, "no shared bot promised", `!$("[data-testid=add-line]").textContent.includes("shared")`, pageText)
		ownerP.expect(t, "the note names what to set, in words", `(() => { const t = $("[data-testid=operator-setup]").textContent;
			return t.includes("Discord") && t.includes("RELAY_DISCORD_BOT_TOKEN") && t.includes("shared LINE bot") && t.includes("person who runs"); })()`, pageText)
		ownerP.visit(t, h.ws(sub, "/settings/connectors/add/line"))
		ownerP.untilExplain(t, "the own-bot form without the shared choice", `!!$("form[data-testid=line-own]") && !!$("[data-testid=operator-setup]") && !$("input[data-testid=line-model-shared]")`, pageText)
		ownerP.visit(t, h.ws(sub, "/settings/connectors/add/discord"))
		ownerP.untilExplain(t, "Discord is not offered", `!!$("[data-testid=discord-not-offered] [data-testid=operator-setup]") && !$("form[data-testid=discord-create]")`, pageText)
	})

	h.step(t, "an admin sees only LINE and no operator note", func(t *testing.T) {
		admin.login(t, sub, adminAcc.Email, adminAcc.Password, "")
		admin.visit(t, h.ws(sub, "/settings/connectors"))
		admin.untilExplain(t, "the connectors page", loaded, pageText)
		admin.expect(t, "no Discord choice and no operator note", `!$("a[data-testid=add-discord]") && !$("[data-testid=operator-setup]")`, pageText)
		admin.visit(t, h.ws(sub, "/settings/connectors/add/discord"))
		admin.untilExplain(t, "Discord is not offered, without the note", `!!$("[data-testid=discord-not-offered]") && !$("[data-testid=operator-setup]")`, pageText)
	})
}
