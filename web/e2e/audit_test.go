package e2e

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/connectors/line/linefake"
	"github.com/relayhq/relay/internal/testserver"
)

// TestAuditLogReadable: the audit log says who and what by name ("Ticket
// #1001 …", the assignee's name, the connector's and webhook's names), every
// action in words and in the filter, what changed (colours from → to), and
// fits a phone (390 px) without sideways scrolling.
func TestAuditLogReadable(t *testing.T) {
	const lineToken = "kettle-long-lived-channel-access-token-0123456789"
	lineFake := linefake.New(t)
	lineFake.SetBot(lineToken, "Kettle Care", "@kettles", "")
	h := newHarnessWith(t, func(c *testserver.Config) { c.LINEAPIURL, c.LINEDataAPIURL = lineFake.URL, lineFake.URL })
	s := h.stack
	const sub = "kettles"
	owner := s.Signup(t, sub)
	agent := s.Invite(t, owner, "gus", relay.RoleAgent)
	cust := s.Invite(t, owner, "cal", relay.RoleCustomer)
	general := s.General(t, owner)

	var tk struct {
		ID string `json:"id"`
	}
	s.Must(t, http.StatusCreated, "POST", sub, "/api/v1/tickets", cust.Token, map[string]any{"subject": "Kettle never boils", "description": "It stays cold."}, &tk)
	s.Must(t, http.StatusOK, "PATCH", sub, "/api/v1/tickets/"+tk.ID+"/assign", owner.Token, map[string]any{"assignee_id": agent.UserID.String()}, nil)
	s.Must(t, http.StatusOK, "PATCH", sub, "/api/v1/workspace", owner.Token, map[string]any{"primary_color": "#0f766e"}, nil)
	s.Must(t, http.StatusCreated, "POST", sub, "/api/v1/connectors", owner.Token, map[string]any{"type": "line", "model": "own", "name": "Kettle LINE",
		"channel_id": "1656123456", "channel_secret": "8f2b0c4d6e1a3b5c7d9e0f1a2b3c4d5e", "access_token": lineToken}, nil)
	s.Must(t, http.StatusCreated, "POST", sub, "/api/v1/channels/"+general.String()+"/incoming-webhooks", owner.Token, map[string]any{"name": "Deploy bot"}, nil)

	p := h.newPerson("owner")
	const pageText = `({text: $("[data-testid=audit-log]")?.innerText.slice(0, 1500)})`
	row := func(action string) string { return `$("[data-testid=audit-row][data-action=\"` + action + `\"]")` }
	h.step(t, "the log speaks in names and words", func(t *testing.T) {
		p.login(t, sub, owner.Email, owner.Password, "")
		p.visit(t, h.ws(sub, "/settings/audit"))
		p.untilExplain(t, "the entries", `$$("[data-testid=audit-row]").length >= 6`, pageText)
		p.expect(t, "the ticket by number and subject, the assignee by name",
			row("ticket.assigned")+`.querySelector("[data-testid=audit-target]").textContent === "Ticket #1001 Kettle never boils" && `+
				row("ticket.assigned")+`.querySelector("[data-testid=audit-details]").textContent === "nobody → gus"`, pageText)
		p.expect(t, "the colour change from → to", `/Primary colour #[0-9a-f]{6} → #0f766e/.test(`+row("workspace.branding_changed")+`.querySelector("[data-testid=audit-details]").textContent)`, pageText)
		p.expect(t, "the connector and the incoming webhook by name, in words",
			row("connector.created")+`.querySelector("[data-testid=audit-action]").textContent === "Connector added" && `+
				row("connector.created")+`.querySelector("[data-testid=audit-target]").textContent === "Connector Kettle LINE" && `+
				row("incoming_webhook.created")+`.querySelector("[data-testid=audit-action]").textContent === "Incoming webhook added" && `+
				row("incoming_webhook.created")+`.querySelector("[data-testid=audit-details]").textContent === "Posts into #general"`, pageText)
		p.expect(t, "no raw ids or action codes anywhere", `(() => {
			const text = [...$$("[data-testid=audit-row]")].map((r) => [...r.cells].slice(1, 5).map((c) => c.innerText).join(" ")).join(" ");
			const codes = [...$("select[name=action]").options].map((o) => o.value).filter(Boolean);
			return !/\d{12,}/.test(text) && !codes.some((c) => text.includes(c)); })()`, pageText)
		p.expect(t, "the filter offers every action in words", `(() => { const o = [...$("select[name=action]").options].slice(1);
			return o.length === 23 && o.some((x) => x.value === "incoming_webhook.created" && x.textContent === "Incoming webhook added") && o.every((x) => x.textContent !== x.value); })()`, "")
		p.do(t, "filter by Connector added", chromedp.Evaluate[chromedp.Void](js(pickAction("connector.created"))))
		p.untilExplain(t, "only the connector row", `$$("[data-testid=audit-row]").length === 1 && !!`+row("connector.created"), pageText)
		p.do(t, "all actions again", chromedp.Evaluate[chromedp.Void](js(pickAction(""))))
		p.untilExplain(t, "every entry again", `$$("[data-testid=audit-row]").length >= 6`, pageText)
		p.expect(t, "the table fits the settings' width on a desktop (no sideways scrolling)",
			`$(".dk-audit-scroll").scrollWidth <= $(".dk-audit-scroll").clientWidth + 1`, `({scroll: $(".dk-audit-scroll").scrollWidth, width: $(".dk-audit-scroll").clientWidth})`)
		p.docShot(t, "audit.png")
	})

	h.step(t, "a phone shows every entry without sideways scrolling", func(t *testing.T) {
		p.do(t, "phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait, chromedp.EmulateScale(2)))
		defer p.do(t, "desktop viewport", chromedp.EmulateReset())
		p.visit(t, h.ws(sub, "/settings/audit"))
		p.untilExplain(t, "the entries", `$$("[data-testid=audit-row]").length >= 6`, pageText)
		p.expect(t, "nothing wider than the screen", `document.documentElement.scrollWidth <= innerWidth && $(".st-content").scrollWidth <= $(".st-content").clientWidth + 1 &&
			[...$$("[data-testid=audit-row] td")].every((c) => c.getBoundingClientRect().right <= innerWidth + 1)`,
			`({doc: document.documentElement.scrollWidth, width: innerWidth,
			   wide: $$("[data-testid=audit-log] *").filter((e) => e.getBoundingClientRect().right > innerWidth + 1).slice(0, 5).map((e) => e.tagName + "." + e.className)})`)
		p.expect(t, "the details readable on the card", `getComputedStyle(`+row("ticket.assigned")+`.querySelector("[data-testid=audit-details]")).display !== "none"`, "")
		p.peek(t, "phone-audit.png")
		p.docShot(t, "audit-phone.png")
	})
}

// pickAction chooses an action in the audit log's filter, as a person does.
func pickAction(action string) string {
	return `(() => { const s = $("select[name=action]"); s.value = ` + jsString(action) + `; s.dispatchEvent(new Event("change", {bubbles: true})); })()`
}
