package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/app"
	"github.com/relayhq/relay/connectors/line/linefake"
	"github.com/relayhq/relay/internal/testserver"
)

// fakeDiscord stands in for the shared Discord bot's directory: a server
// with three text channels, and an invite link that carries the state.
type fakeDiscord struct{}

func (fakeDiscord) TextChannels(context.Context, string) ([]relay.DiscordChannel, error) {
	return []relay.DiscordChannel{
		{ID: "9001", Name: "welcome", Position: 0},
		{ID: "9002", Name: "support", Category: "Help desk", Position: 1},
		{ID: "9003", Name: "bugs", Category: "Help desk", Position: 2},
	}, nil
}

func (fakeDiscord) InviteURL(state string) string {
	return "https://discord.example/oauth2/authorize?client_id=1234&scope=bot&state=" + url.QueryEscape(state)
}

// TestConnectors is the settings story of issue 6: an admin adds LINE (own
// bot: the webhook URL; shared bot: the QR code and join code) and Discord
// (invite, then channel selection); a LINE customer's message with a
// picture arrives, the admin's reply is not delivered (shown with the
// reason and Retry, the sidebar's dot turns red) and the retry gets it out;
// an incoming webhook URL posts live into #general; an outgoing webhook
// shows its delivery log and a dead event retried; a member sees none of
// the settings. Screens are checked at phone width too.
func TestConnectors(t *testing.T) {
	receiverOK := atomic.Bool{}
	var received atomic.Int32
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		received.Add(1)
		if !receiverOK.Load() {
			http.Error(w, "flow is paused", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(receiver.Close)

	// LINE's bot info (GET /v2/bot/info): the admin's real token belongs to
	// "Teapot Support"; any other token is refused, as LINE does.
	const lineToken = "teapot-long-lived-channel-access-token-0123456789"
	lineFake := linefake.New(t)
	lineFake.SetBot(lineToken, "Teapot Support", "@teapots", "")
	const lineToken2 = "teapot-reissued-channel-access-token-9876543210"
	lineFake.SetBot(lineToken2, "Teapot Help", "@teapothelp", "")
	h := newHarnessWith(t, func(c *testserver.Config) {
		c.LINEAPIURL, c.LINEDataAPIURL = lineFake.URL, lineFake.URL
		c.Connectors = app.ConnectorsConfig{
			LINESharedSecret: "0123456789abcdef0123456789abcdef", LINESharedToken: "shared-line-token-0123456789abcdef", LINESharedBotID: "@relaytest",
			DiscordBotToken: "discord-bot-token", DiscordApplicationID: "1234",
			WebhookAllowPrivate: true, // the receiver is on 127.0.0.1
			OutboxMaxAttempts:   1,    // one failure is final: dead deliveries without waiting
			OutboxPoll:          100 * time.Millisecond,
		}
	})
	s := h.stack
	s.App.Connectors.SetDiscordDirectory(fakeDiscord{})
	// LINE's Push API as a switch: refuses the token until the test fixes it.
	lineOK := atomic.Bool{}
	var pushes atomic.Int32
	s.App.Connectors.RegisterDeliverer(relay.ConnectorLINE, relay.DeliverFunc(func(ctx context.Context, o *relay.Outgoing) (relay.Sent, error) {
		if !lineOK.Load() {
			return relay.Sent{}, &relay.DeliveryError{Err: errors.New("LINE refused the channel access token"), Permanent: true, ResponseCode: 401}
		}
		pushes.Add(1)
		return relay.Sent{ResponseCode: 200}, nil
	}))

	const sub = "teapots"
	owner := s.Signup(t, sub)
	adminAcc := s.Invite(t, owner, "ada", relay.RoleAdmin)
	memberAcc := s.Invite(t, owner, "mia", relay.RoleMember)
	general := s.General(t, owner)

	admin := h.newPerson("admin")
	member := h.newPerson("member")
	// What a page shows, for failure messages.
	const pageText = `({path: location.pathname, text: document.body.innerText.slice(0, 400)})`
	sidebarConn := func(id string) string {
		return `$("[data-testid=sidebar-connector][data-connector-id=\"` + id + `\"] [data-testid=connector-dot]")`
	}
	var lineID, sharedID, discordID string
	// Workspace events (connector:*) reach a page only once its workspace topic is joined.
	wsJoined := `!!window.__relay && window.__relay.socket.channels.some((c) => c.topic.startsWith("workspace:") && c.state === "joined")`

	if !h.step(t, "the admin opens the connectors settings", func(t *testing.T) {
		admin.login(t, sub, adminAcc.Email, adminAcc.Password, "")
		admin.until(t, "the sidebar's empty connectors section with + Add", `!!$("[data-testid=sidebar-connectors] .sidebar-empty") && !!$("a[data-testid=connectors-add]")`)
		admin.do(t, "click + Add", chromedp.Click(chromedp.CSS(`a[data-testid=connectors-add]`)))
		admin.untilExplain(t, "the connectors page, empty", `location.pathname === "/settings/connectors" && !!$("[data-testid=connectors-empty]")`, pageText)
	}) {
		return
	}

	if !h.step(t, "add an own LINE bot and see the webhook URL", func(t *testing.T) {
		admin.do(t, "choose LINE", chromedp.Click(chromedp.CSS(`a[data-testid=add-line]`)))
		f := `form[data-testid=line-own]`
		admin.until(t, "the own-bot form", `!!$(`+jsString(f)+`)`)
		// Client-side check first: a short secret is refused before any request.
		admin.fill(t, f, "channel_id", "1656123456")
		admin.fill(t, f, "channel_secret", "abc")
		admin.fill(t, f, "access_token", strings.Repeat("Tok3n/", 30)+"=")
		admin.submit(t, f)
		admin.until(t, "the secret flagged", `$("#ln-secret").getAttribute("aria-invalid") === "true" && location.pathname === "/settings/connectors/add/line"`)
		admin.fill(t, f, "name", "LINE Support")
		admin.fill(t, f, "channel_secret", "8f2b0c4d6e1a3b5c7d9e0f1a2b3c4d5e")
		// A made-up token: LINE refuses it, the form says so on the field and nothing is made.
		admin.submit(t, f)
		admin.untilExplain(t, "the token flagged as refused by LINE",
			`$("#ln-token").getAttribute("aria-invalid") === "true" && $("#ln-token-hint").textContent.includes("LINE refused") && location.pathname === "/settings/connectors/add/line"`, pageText)
		var none struct {
			Connectors []any `json:"connectors"`
		}
		h.getJSON(t, sub, "/api/v1/connectors", owner.Token, &none)
		if len(none.Connectors) != 0 {
			t.Fatalf("a refused token made %d connectors", len(none.Connectors))
		}
		admin.fill(t, f, "access_token", lineToken)
		admin.submit(t, f)
		admin.untilExplain(t, "the connector's page with the webhook URL",
			`!!$("[data-testid=connector-page]") && ($("input[data-testid=line-webhook-url]")?.value || "").includes("/hooks/line/")`, pageText)
		lineID = eval[string](t, admin, "connector id", `document.querySelector("[data-testid=connector-page]").dataset.connectorId`)
		got := eval[string](t, admin, "webhook URL", `document.querySelector("input[data-testid=line-webhook-url]").value`)
		if want := "http://localhost:" + h.port + "/hooks/line/" + lineID; got != want {
			t.Errorf("webhook URL = %q, want %q", got, want)
		}
		admin.expect(t, "the LINE console steps", `$("[data-testid=line-steps]").textContent.includes("Use webhook")`, "")
		admin.expect(t, "the bot LINE named", `$("[data-testid=line-bot-name]")?.textContent === "Teapot Support" && $("[data-testid=line-bot]").textContent.includes("@teapots")`, "")
		// http://localhost is out of LINE's reach: the page says how to fix it.
		admin.expect(t, "the webhook URL warning", `($("[data-testid=webhook-url-warning]")?.textContent || "").includes("RELAY_PUBLIC_URL")`, "")
		// Replacing the token: LINE checks the new one; a refused one changes nothing.
		admin.do(t, "open Replace credentials", chromedp.Click(chromedp.CSS(`button[data-testid=line-replace-open]`)))
		admin.fill(t, `form[data-testid=line-replace]`, "access_token", strings.Repeat("Wr0ng/", 8))
		admin.do(t, "save the new credentials", chromedp.Click(chromedp.CSS(`button[form=cn-replace]`)))
		admin.untilExplain(t, "the refused token said in the dialog",
			`($("form[data-testid=line-replace] .ui-alert.error")?.textContent || "").includes("access_token was refused by LINE") && $("#cn-replace-token").getAttribute("aria-invalid") === "true"`, pageText)
		admin.fill(t, `form[data-testid=line-replace]`, "access_token", lineToken2)
		admin.do(t, "save the new credentials", chromedp.Click(chromedp.CSS(`button[form=cn-replace]`)))
		admin.untilExplain(t, "the new bot's name", `!$("form[data-testid=line-replace]") && $("[data-testid=line-bot-name]")?.textContent === "Teapot Help"`, pageText)
		admin.expect(t, "a Copy button next to the URL", `[...$$(".ui-copy button")].some((b) => b.textContent.includes("Copy"))`, "")
		admin.until(t, "the sidebar lists it with a green dot", sidebarConn(lineID)+`?.dataset.status === "active"`)
	}) {
		return
	}

	if !h.step(t, "add Relay's shared LINE bot: QR code and join code", func(t *testing.T) {
		admin.visit(t, h.ws(sub, "/settings/connectors/add/line")) // a deep link
		admin.do(t, "choose the shared bot", chromedp.Click(chromedp.CSS(`input[data-testid=line-model-shared]`)))
		admin.submit(t, `form[data-testid=line-shared]`)
		admin.untilExplain(t, "the QR code loaded", `!!$("img[data-testid=line-qr]") && $("img[data-testid=line-qr]").complete && $("img[data-testid=line-qr]").naturalWidth > 0`, pageText)
		sharedID = eval[string](t, admin, "connector id", `document.querySelector("[data-testid=connector-page]").dataset.connectorId`)
		code := eval[string](t, admin, "join code", `document.querySelector("[data-testid=join-code]").textContent.trim()`)
		if !regexp.MustCompile(`^[2-9A-Z]{8}$`).MatchString(code) {
			t.Errorf("join code %q is not 8 characters of the join alphabet", code)
		}
		link := eval[string](t, admin, "join link", `document.querySelector("input[data-testid=join-url]").value`)
		if !strings.HasPrefix(link, "https://line.me/R/oaMessage/") || !strings.Contains(link, code) {
			t.Errorf("join link %q does not open the shared bot with the code %s", link, code)
		}
		// A second shared connector is refused: the API's reason shows inline.
		admin.visit(t, h.ws(sub, "/settings/connectors/add/line"))
		admin.do(t, "choose the shared bot", chromedp.Click(chromedp.CSS(`input[data-testid=line-model-shared]`)))
		admin.submit(t, `form[data-testid=line-shared]`)
		admin.untilExplain(t, "the conflict said inline", `($("form[data-testid=line-shared] .ui-alert.error")?.textContent || "").includes("already has a shared LINE connector")`, pageText)
	}) {
		return
	}

	if !h.step(t, "add Discord: invite, then pick channels", func(t *testing.T) {
		admin.visit(t, h.ws(sub, "/settings/connectors/add/discord"))
		admin.fill(t, `form[data-testid=discord-create]`, "name", "Discord Community")
		admin.submit(t, `form[data-testid=discord-create]`)
		admin.untilExplain(t, "the invite button", `($("a[data-testid=discord-invite]")?.href || "").startsWith("https://discord.example/oauth2/authorize")`, pageText)
		if tgt := eval[string](t, admin, "invite target", `document.querySelector("a[data-testid=discord-invite]").target`); tgt != "_blank" {
			t.Errorf("the invite opens in %q, want a new tab", tgt)
		}
		discordID = eval[string](t, admin, "connector id", `document.querySelector("[data-testid=connector-page]").dataset.connectorId`)
		// Discord's OAuth callback, as the bot's handler completes it.
		invite, _ := url.Parse(eval[string](t, admin, "invite URL", `document.querySelector("a[data-testid=discord-invite]").href`))
		if _, err := s.App.Connectors.SetDiscordGuild(context.Background(), invite.Query().Get("state"), "424242424242"); err != nil {
			t.Fatalf("SetDiscordGuild: %v", err)
		}
		admin.untilExplain(t, "the channel selection, grouped by category",
			`$$("[data-testid=discord-channel]").length === 3 && [...$$(".cn-dc-group legend")].map((l) => l.textContent).join("|") === "No category|Help desk"`, pageText)
		admin.do(t, "check #support", chromedp.Click(chromedp.CSS(`[data-testid=discord-channel][data-discord-id="9002"] input[type=checkbox]`)))
		admin.do(t, "save", chromedp.Click(chromedp.CSS(`button[data-testid=discord-save]`)))
		admin.untilExplain(t, "saved", `($("[data-testid=discord-channels] .ui-alert.ok")?.textContent || "").includes("1 channel bridged")`, pageText)
		var res struct {
			Channels []struct {
				ID      string `json:"id"`
				Bridged bool   `json:"bridged"`
			} `json:"channels"`
		}
		h.getJSON(t, sub, "/api/v1/connectors/"+discordID+"/discord/channels", owner.Token, &res)
		for _, c := range res.Channels {
			if c.Bridged != (c.ID == "9002") {
				t.Errorf("Discord channel %s bridged = %v", c.ID, c.Bridged)
			}
		}
		admin.until(t, "the new external channel in the sidebar", `!!$("a[data-testid=channel-link][data-channel-name^=discord]")`)
	}) {
		return
	}

	var externalID string
	if !h.step(t, "a LINE customer's picture arrives; the reply is not delivered, then retried", func(t *testing.T) {
		id, _ := relay.ParseID(lineID)
		c, _, err := s.App.Connectors.ConnectorForHook(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		pic, err := os.ReadFile(logoPNG(t))
		if err != nil {
			t.Fatal(err)
		}
		m, err := s.App.Connectors.ReceiveExternal(context.Background(), relay.ExternalIn{Connector: c, ConversationKey: "user:U4af4980629", OneToOne: true,
			From: relay.ExternalContact{ExternalID: "U4af4980629", Name: "Yuki Tanaka"}, MessageID: "468789577898262530",
			Body: "Is my teapot shipped? This is the one", Files: []relay.ExternalFile{{Name: "teapot.png", ContentType: "image/png", Kind: "image", Data: pic}}})
		if err != nil {
			t.Fatal(err)
		}
		externalID = m.ChannelID.String()
		admin.visit(t, h.ws(sub, "/channels/"+externalID))
		msg := `listMsgs().find((m) => bodyText(m).startsWith("Is my teapot shipped"))`
		admin.untilExplain(t, "the LINE message with its picture loaded",
			`(() => { const m = `+msg+`; const img = m && m.querySelector("[data-testid=attachment][data-kind=image] img");
				return !!img && img.complete && img.naturalWidth > 0 && m.dataset.source === "line"; })()`, `texts()`)
		admin.do(t, "open the picture", chromedp.Click(chromedp.CSS(`[data-testid=attachment][data-kind=image]`)))
		admin.until(t, "the picture full size", `!!$("[data-testid=lightbox] img") && $("[data-testid=lightbox] img").naturalWidth > 0`)
		admin.do(t, "close it", press("Escape"))
		admin.until(t, "closed", `!$("[data-testid=lightbox]")`)

		admin.until(t, "following the workspace", wsJoined)
		admin.say(t, composer, "Yes, it ships today!")
		reply := `listMsg("Yes, it ships today!")`
		admin.untilLive(t, "Not delivered, with the reason and Retry",
			`(() => { const d = `+reply+`?.querySelector("[data-testid=delivery-state]"); return !!d && d.dataset.state === "dead" &&
				d.textContent.includes("Not delivered") && d.textContent.includes("LINE refused the channel access token") && !!d.querySelector("[data-testid=delivery-retry]"); })()`,
			``+reply+`?.innerText`)
		admin.peek(t, "chat-dead.png")
		admin.untilLive(t, "the sidebar's LINE dot turns red with the error as its title",
			sidebarConn(lineID)+`?.dataset.status === "error" && `+sidebarConn(lineID)+`.title.includes("LINE refused")`, sidebarConn(lineID)+`?.outerHTML`)

		admin.visit(t, h.ws(sub, "/settings/connectors"))
		card := `$("[data-testid=connector-card][data-connector-id=\"` + lineID + `\"]")`
		admin.untilExplain(t, "the card's last error, said plainly with its time",
			card+`?.dataset.status === "error" && (`+card+`.querySelector("[data-testid=connector-error]")?.textContent || "").includes("LINE refused the channel access token") && !!`+card+`.querySelector("[data-testid=connector-error] time")`,
			card+`?.innerText`)
		admin.until(t, "the card counts one conversation", card+`.querySelector("[data-testid=connector-conversations]").textContent === "1 conversation"`)
		admin.until(t, "the dead delivery listed with Retry", `$$("[data-testid=dead-deliveries] [data-testid=dead-row]").length === 1`)
		tallShot(t, admin, "connectors.png")

		lineOK.Store(true)
		admin.visit(t, h.ws(sub, "/channels/"+externalID))
		admin.until(t, "still not delivered after a reload", reply+`?.querySelector("[data-testid=delivery-state]")?.dataset.state === "dead" && `+wsJoined)
		admin.do(t, "retry", chromedp.Click(chromedp.CSS(`[data-testid=delivery-retry]`)))
		admin.untilLive(t, "delivered: the notice goes", `!!`+reply+` && !`+reply+`.querySelector("[data-testid=delivery-state]")`, reply+`?.innerText`)
		admin.untilLive(t, "the dot back to green", sidebarConn(lineID)+`?.dataset.status === "active"`, sidebarConn(lineID)+`?.outerHTML`)
		if pushes.Load() != 1 {
			t.Errorf("LINE got %d pushes after the retry, want 1", pushes.Load())
		}
	}) {
		return
	}

	if !h.step(t, "an incoming webhook posts live into #general", func(t *testing.T) {
		admin.visit(t, h.ws(sub, "/settings/webhooks"))
		f := `form[data-testid=incoming-webhook]`
		admin.until(t, "the form, on #general", `$("#wh-in-channel")?.value === `+jsString(general.String()))
		admin.fill(t, f, "name", "Deploy bot")
		admin.submit(t, f)
		admin.untilExplain(t, "the URL shown once, with a curl example",
			`($("input[data-testid=incoming-webhook-url]")?.value || "").includes("/hooks/in/") && $("[data-testid=incoming-webhook-curl]").textContent.includes("curl -X POST")`, pageText)
		hookURL := eval[string](t, admin, "URL", `document.querySelector("input[data-testid=incoming-webhook-url]").value`)
		admin.until(t, "listed under #general", `[...$$("[data-testid=incoming-row]")].some((r) => r.textContent.includes("Deploy bot"))`)

		admin.do(t, "open #general", chromedp.Click(chromedp.CSS(`a[data-testid=channel-link][data-channel-name=general]`)))
		admin.until(t, "#general", `location.pathname === "/channels/`+general.String()+`" && visible($(`+jsString(composer)+`))`)
		u, err := url.Parse(hookURL)
		if err != nil {
			t.Fatal(err)
		}
		// Straight to the stack's address: the path is what counts.
		body, _ := json.Marshal(map[string]string{"text": "Deploy of api 1.42 finished", "username": "CI"})
		resp, err := http.Post(s.URL+u.Path, "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("POST %s: %d", u.Path, resp.StatusCode)
		}
		m := `listMsg("Deploy of api 1.42 finished")`
		admin.untilLive(t, "the post with the webhook badge", `!!`+m+` && `+m+`.dataset.source === "webhook" && `+m+`.querySelector("[data-testid=source-badge]")?.textContent === "Webhook"`, `texts()`)
	}) {
		return
	}

	if !h.step(t, "an outgoing webhook: secret once, delivery log, a dead event retried", func(t *testing.T) {
		admin.visit(t, h.ws(sub, "/settings/webhooks"))
		f := `form[data-testid=outgoing-webhook]`
		admin.fill(t, f, "url", receiver.URL+"/relay")
		admin.fill(t, f, "description", "n8n: order updates")
		admin.submit(t, f)
		admin.untilExplain(t, "the signing secret shown once", `($("input[data-testid=webhook-secret]")?.value || "").length >= 16`, pageText)
		admin.until(t, "listed", `$$("[data-testid=webhook-row]").length === 1`)

		s.Post(t, owner, general, "Order 77 packed")
		admin.do(t, "open the delivery log", chromedp.Click(chromedp.CSS(`[data-testid=webhook-log-toggle]`)))
		row := `$("[data-testid=delivery-row]")`
		for i := 0; i < 3; i++ { // the log is read when opened: refresh until the attempt is in
			if admin.waitWithin(3*time.Second, "a failed attempt", row+`?.dataset.ok === "false"`, "") == "" {
				break
			}
			admin.do(t, "refresh the log", chromedp.Click(chromedp.CSS(`[data-testid=webhook-log] button.ghost`)))
		}
		admin.untilExplain(t, "the failed attempt: status, response code, duration, attempt, time",
			row+`?.dataset.ok === "false" && `+row+`.textContent.includes("HTTP 500") && / ms| s/.test(`+row+`.textContent) && !!`+row+`.querySelector("time")`,
			`$("[data-testid=webhook-log]")?.innerText`)
		admin.do(t, "reload for the dead list", chromedp.Reload())
		dead := `$("[data-testid=dead-deliveries] [data-testid=dead-row]")`
		admin.untilExplain(t, "the dead event with Retry", `!!`+dead+` && `+dead+`.textContent.includes("message.created")`, `$("[data-testid=dead-deliveries]")?.innerText`)
		receiverOK.Store(true)
		admin.do(t, "retry", chromedp.Click(chromedp.CSS(`[data-testid=dead-deliveries] [data-testid=dead-row] button`)))
		admin.until(t, "gone from the dead list", `!$("[data-testid=dead-deliveries] [data-testid=dead-row]")`)
		admin.do(t, "open the delivery log", chromedp.Click(chromedp.CSS(`[data-testid=webhook-log-toggle]`)))
		okRow := `[...$$("[data-testid=delivery-row]")].find((r) => r.dataset.ok === "true")`
		for i := 0; i < 5; i++ {
			if admin.waitWithin(2*time.Second, "a delivered attempt", `!!`+okRow, "") == "" {
				break
			}
			admin.do(t, "refresh the log", chromedp.Click(chromedp.CSS(`[data-testid=webhook-log] button.ghost`)))
		}
		admin.untilExplain(t, "the retry delivered (HTTP 200)", `!!`+okRow+` && `+okRow+`.textContent.includes("HTTP 200")`, `$("[data-testid=webhook-log]")?.innerText`)
		tallShot(t, admin, "webhooks.png")
	}) {
		return
	}

	if !h.step(t, "the sidebar follows a connector's status live", func(t *testing.T) {
		admin.visit(t, h.ws(sub, "/channels/"+general.String()))
		admin.until(t, "the Discord connector in the sidebar", sidebarConn(discordID)+`?.dataset.status === "active" && `+wsJoined)
		s.Must(t, http.StatusOK, "PATCH", sub, "/api/v1/connectors/"+discordID, owner.Token, map[string]string{"status": "disabled"}, nil)
		admin.untilLive(t, "grey dot", sidebarConn(discordID)+`?.dataset.status === "disabled"`, sidebarConn(discordID)+`?.outerHTML`)
		s.Must(t, http.StatusNoContent, "DELETE", sub, "/api/v1/connectors/"+discordID, owner.Token, nil, nil)
		admin.untilLive(t, "gone", `!`+sidebarConn(discordID), "")
	}) {
		return
	}

	h.step(t, "a member sees the connectors but none of their settings", func(t *testing.T) {
		member.login(t, sub, memberAcc.Email, memberAcc.Password, "")
		member.until(t, "the connectors with their dots", sidebarConn(lineID)+`?.dataset.status === "active" && !!`+sidebarConn(sharedID))
		member.expect(t, "no + Add, no links to settings", `!$("a[data-testid=connectors-add]") && !$("[data-testid=sidebar-connectors] a")`, `$("[data-testid=sidebar-connectors]").innerHTML`)
		member.visit(t, h.ws(sub, "/settings/connectors"))
		member.until(t, "refused", `!!$(".st-denied") && !$("[data-testid=connectors-page]")`)
		member.expect(t, "no Connectors or Webhooks in the settings nav", `![...$$(".st-nav a")].some((a) => /Connectors|Webhooks/.test(a.textContent))`, `$(".st-nav").innerText`)
		member.visit(t, h.ws(sub, "/settings/webhooks"))
		member.until(t, "refused", `!!$(".st-denied") && !$("[data-testid=webhooks-page]")`)
	})

	h.step(t, "phone width", func(t *testing.T) {
		admin.do(t, "phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait, chromedp.EmulateScale(2)))
		defer admin.do(t, "desktop viewport", chromedp.EmulateReset())
		for _, path := range []string{"/settings/connectors", "/settings/connectors/" + lineID, "/settings/connectors/" + sharedID, "/settings/connectors/add/line", "/settings/webhooks"} {
			admin.visit(t, h.ws(sub, path))
			admin.until(t, path+" loaded", `!!$(".st-page") && !$(".ui-loading")`)
			admin.expect(t, path+" fits the width (no sideways scrolling)",
				`document.documentElement.scrollWidth <= innerWidth && $(".st-content").scrollWidth <= $(".st-content").clientWidth + 1`,
				`({doc: document.documentElement.scrollWidth, content: $(".st-content").scrollWidth, width: innerWidth,
				   wide: $$(".st-content *").filter((e) => e.getBoundingClientRect().right > innerWidth + 1).slice(0, 5).map((e) => e.tagName + "." + e.className)})`)
			admin.peek(t, "phone-"+strings.NewReplacer("/", "_").Replace(path)+".png")
		}
	})
}

// peek saves the person's viewport to $RELAY_E2E_PEEK/name when that is
// set: pictures to look at while working on a screen, never assertions.
func (p *person) peek(t *testing.T, name string) {
	t.Helper()
	dir := os.Getenv("RELAY_E2E_PEEK")
	if dir == "" {
		return
	}
	ctx, cancel := context.WithTimeout(p.ctx, wait)
	defer cancel()
	img, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Logf("peek %s: %v", name, err)
		return
	}
	_ = os.MkdirAll(dir, 0o755)
	_ = os.WriteFile(filepath.Join(dir, name), img, 0o644)
}

// tallShot takes a docs screenshot of the whole settings page on a taller
// desktop window, so the picture shows every section.
func tallShot(t *testing.T, p *person, name string) {
	t.Helper()
	if !updateShots() {
		return
	}
	p.do(t, "tall viewport", chromedp.EmulateViewport(1280, 1500), chromedp.Evaluate[chromedp.Void](`document.querySelector(".st-content")?.scrollTo(0, 0)`))
	defer p.do(t, "desktop viewport", chromedp.EmulateReset())
	p.docShot(t, name)
}
