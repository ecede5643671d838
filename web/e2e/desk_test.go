package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/relayhq/relay"
)

// TestDesk is the support desk's story, three people in three browser
// contexts: a customer opens a ticket → the agent sees it appear in the
// inbox live → assigns it to themself → they chat both ways live → the
// agent adds an internal note the customer never sees (live, after a
// reload) → resolves → the customer replies and it reopens → the admin's
// dashboard follows live throughout.
func TestDesk(t *testing.T) {
	h := newHarness(t)
	s := h.stack
	const sub = "kettles"
	owner := s.Signup(t, sub)
	agentAcc := s.Invite(t, owner, "gina", relay.RoleAgent)
	custAcc := s.Invite(t, owner, "carl", relay.RoleCustomer)

	admin := h.newPerson("admin")
	agent := h.newPerson("agent")
	cust := h.newPerson("customer")

	const (
		view        = `[data-testid=ticket-view]`
		ticketInput = `[data-testid=ticket-view] [data-testid=composer] textarea`
	)
	stat := func(name string) string {
		return `Number($("[data-testid=stat-` + name + `]")?.dataset.value ?? NaN)`
	}
	signIn := func(p *person, a struct{ email, password, next, ready string }) {
		t.Helper()
		p.visit(t, h.ws(sub, "/login?next="+a.next))
		p.fill(t, "form[data-testid=login]", "email", a.email)
		p.fill(t, "form[data-testid=login]", "password", a.password)
		p.submit(t, "form[data-testid=login]")
		p.untilExplain(t, "signed in ("+a.next+")", a.ready, `({path: location.pathname, text: document.body.innerText.slice(0, 300)})`)
	}
	var ticketID string

	if !h.step(t, "everyone signs in", func(t *testing.T) {
		signIn(admin, struct{ email, password, next, ready string }{owner.Email, owner.Password, "/desk/dashboard",
			`!!$("[data-testid=dashboard]") && !Number.isNaN(` + stat("open") + `) && !Number.isNaN(` + stat("connected_clients") + `)`})
		signIn(agent, struct{ email, password, next, ready string }{agentAcc.Email, agentAcc.Password, "/desk",
			`location.pathname === "/desk" && !!$("main")`})
		// A customer has no channels: the portal is their home.
		signIn(cust, struct{ email, password, next, ready string }{custAcc.Email, custAcc.Password, "/support/new",
			`!!$("form[data-testid=new-ticket]")`})
		admin.expect(t, "no open tickets yet", stat("open")+` === 0`, `$("[data-testid=dashboard]").innerText.slice(0, 300)`)
	}) {
		return
	}

	if !h.step(t, "the customer opens a ticket; the inbox and the dashboard show it live", func(t *testing.T) {
		f := "form[data-testid=new-ticket]"
		cust.fill(t, f, "subject", "Order 881 never arrived")
		cust.fill(t, f, "description", "I ordered a blue kettle two weeks ago and it has not arrived.")
		cust.submit(t, f)
		cust.untilExplain(t, "the new ticket's page", `location.pathname.startsWith("/support/tickets/") && !!$(`+jsString(view)+`)`,
			`({path: location.pathname, text: document.body.innerText.slice(0, 300)})`)
		ticketID = eval[string](t, cust, "ticket id", `location.pathname.split("/")[3]`)
		cust.expect(t, "the case summary above the chat", `$("[data-testid=case-summary]")?.textContent.includes("blue kettle")`, "")
		row := `[data-testid=ticket-row][data-ticket-id="` + ticketID + `"]`
		agent.untilLive(t, "the ticket in the inbox without a reload", `!!$(`+jsString(row)+`) && $(`+jsString(row)+`).textContent.includes("Order 881")`,
			`[...document.querySelectorAll("[data-testid=ticket-row]")].map((r) => r.textContent.slice(0, 80))`)
		admin.untilLive(t, "the dashboard counts one open ticket", stat("open")+` === 1`, `$("[data-testid=dashboard]").innerText.slice(0, 400)`)
	}) {
		return
	}

	if !h.step(t, "the agent assigns it to themself; the customer sees it live", func(t *testing.T) {
		agent.visit(t, h.ws(sub, "/desk/tickets/"+ticketID))
		agent.until(t, "the ticket view", `$(`+jsString(view)+`)?.dataset.status === "open"`)
		agent.do(t, "assign to me", chromedp.Click(chromedp.CSS(`button[aria-label="Assign to me"]`)))
		agent.until(t, "status assigned", `$(`+jsString(view)+`)?.dataset.status === "assigned"`)
		cust.untilLive(t, "assigned, and to gina, without a reload",
			`$(`+jsString(view)+`)?.dataset.status === "assigned" && $(`+jsString(view)+`).textContent.includes("gina")`,
			`$(`+jsString(view)+`)?.innerText.slice(0, 300)`)
		admin.untilLive(t, "the dashboard moves it to assigned", stat("assigned")+` === 1 && `+stat("open")+` === 0`, `$("[data-testid=dashboard]").innerText.slice(0, 400)`)
	}) {
		return
	}

	msgWith := func(text string) string {
		return `[...document.querySelectorAll("[data-testid=ticket-view] [data-testid=message]")].find((m) => m.textContent.includes(` + jsString(text) + `))`
	}
	h.step(t, "they chat both ways live", func(t *testing.T) {
		cust.say(t, ticketInput, "Any news on my kettle?")
		agent.untilLive(t, "the customer's message", `!!`+msgWith("Any news on my kettle?"), "")
		agent.say(t, ticketInput, "Checking with the courier now.")
		cust.untilLive(t, "the agent's reply", `!!`+msgWith("Checking with the courier now."), "")
	})

	h.step(t, "an internal note never reaches the customer", func(t *testing.T) {
		eval[bool](t, agent, "switch to an internal note", js(`(() => { const el = $("input[data-testid=internal-toggle]");
			if (!el.checked) el.click(); return el.checked; })()`))
		agent.say(t, ticketInput, "Courier says refund approved, tell her tomorrow")
		agent.until(t, "the note, marked internal", `(() => { const m = `+msgWith("refund approved")+`; return !!m && m.dataset.internal === "true"; })()`)
		eval[bool](t, agent, "back to replies", js(`(() => { const el = $("input[data-testid=internal-toggle]");
			if (el.checked) el.click(); return !el.checked; })()`))
		agent.say(t, ticketInput, "We are on it.")
		// The public reply was posted after the note: once the customer has
		// it, they would have had the note too, had it leaked.
		cust.untilLive(t, "the reply after the note", `!!`+msgWith("We are on it."), "")
		if eval[bool](t, cust, "note text anywhere", `document.body.innerHTML.includes("refund approved")`) {
			t.Fatal("the customer's page shows the internal note")
		}
		cust.do(t, "reload", chromedp.Reload())
		cust.until(t, "history after a reload", `!!`+msgWith("We are on it."))
		if eval[bool](t, cust, "note text after reload", `document.body.innerHTML.includes("refund approved")`) {
			t.Fatal("the customer's page shows the internal note after a reload")
		}
	})

	h.step(t, "resolve, then the customer's reply reopens it", func(t *testing.T) {
		agent.do(t, "resolve", chromedp.Click(chromedp.CSS(`button[aria-label="Resolve"]`)))
		agent.until(t, "resolved", `$(`+jsString(view)+`)?.dataset.status === "resolved"`)
		cust.untilLive(t, "resolved for the customer", `$(`+jsString(view)+`)?.dataset.status === "resolved"`, "")
		admin.untilLive(t, "the dashboard counts it resolved", stat("resolved")+` === 1`, `$("[data-testid=dashboard]").innerText.slice(0, 400)`)
		cust.say(t, ticketInput, "It still has not arrived, sorry!")
		agent.untilLive(t, "reopened (back to its assignee) with the reply",
			`$(`+jsString(view)+`)?.dataset.status === "assigned" && !!`+msgWith("still has not arrived"),
			`({status: $(`+jsString(view)+`)?.dataset.status})`)
		cust.untilLive(t, "reopened for the customer", `$(`+jsString(view)+`)?.dataset.status === "assigned"`, "")
		admin.untilLive(t, "the dashboard follows the reopen", stat("resolved")+` === 0 && `+stat("assigned")+` === 1`, `$("[data-testid=dashboard]").innerText.slice(0, 400)`)
	})

	h.step(t, "live figures", func(t *testing.T) {
		// Three people connected, two of them desk staff, and both the
		// customer and the agent in the ticket's room.
		admin.expect(t, "connected clients, agents and ticket rooms",
			stat("connected_clients")+` >= 3 && `+stat("connected_agents")+` >= 2 && `+stat("active_ticket_rooms")+` >= 1`,
			`["connected_clients", "connected_agents", "active_ticket_rooms"].map((n) => n + "=" + $("[data-testid=stat-" + n + "]")?.dataset.value)`)
		if t.Failed() {
			return
		}
		admin.docShot(t, "dashboard.png")
		agent.docShot(t, "ticket.png")
		cust.docShot(t, "portal.png")
	})

	h.step(t, "a reply written offline goes out by itself on reconnect, once", func(t *testing.T) {
		stop := cust.failPosts(t, "*/api/v1/tickets/*/messages*", true)
		restored := false
		defer func() {
			if !restored {
				stop()
				eval[bool](t, cust, "connect", `(window.__relay.socket.connect(), true)`)
			}
		}()
		eval[bool](t, cust, "disconnect", `(window.__relay.socket.disconnect(), true)`)
		const text = "Written on the train, offline"
		cust.say(t, ticketInput, text)
		cust.untilExplain(t, "marked not sent, to go when the connection is back",
			`(() => { const m = `+msgWith(text)+`; return !!m && m.dataset.failed === "true" && /connection is back/.test(m.innerText) && !/\.\./.test(m.innerText); })()`,
			`(`+msgWith(text)+` || {}).innerText`)
		stop()
		eval[bool](t, cust, "connect", `(window.__relay.socket.connect(), true)`)
		restored = true
		delivered := `(() => { const ms = [...document.querySelectorAll("[data-testid=ticket-view] [data-testid=message]")].filter((m) => m.textContent.includes(` + jsString(text) + `));
			return ms.length === 1 && !ms[0].dataset.failed && !ms[0].dataset.pending && !ms[0].dataset.id.startsWith("pending-"); })()`
		cust.untilExplain(t, "delivered, shown once", delivered, `(`+msgWith(text)+` || {}).outerHTML`)
		agent.untilLive(t, "the agent has it once", delivered, "")
		var res struct {
			Messages []struct {
				Body string `json:"body"`
			} `json:"messages"`
		}
		h.getJSON(t, sub, "/api/v1/tickets/"+ticketID+"/messages?limit=200", custAcc.Token, &res)
		n := 0
		for _, m := range res.Messages {
			if m.Body == text {
				n++
			}
		}
		if n != 1 {
			t.Errorf("the server holds %d copies of the reply, want 1", n)
		}
	})
}
