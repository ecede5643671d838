package e2e

import (
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// hasEmojiFont reports whether fontconfig knows a colour emoji font (what
// Chromium on Linux draws emoji with); false when fc-list is missing too.
func hasEmojiFont() bool {
	out, err := exec.Command("fc-list").Output()
	return err == nil && strings.Contains(strings.ToLower(string(out)), "emoji")
}

// TestEmojiImages: where the platform has no colour emoji font, emoji are
// drawn from the Twemoji sheet — in a message (":tada:" converted by the
// server, code left alone), a reaction, the picker, a status and the landing
// page — and never as empty boxes.
func TestEmojiImages(t *testing.T) {
	h := newHarness(t)
	s := h.stack
	owner := s.Signup(t, "emo")
	general := s.General(t, owner)
	msg := s.Post(t, owner, general, "Shipped :tada: and `:tada:` stays")
	if msg.Body != "Shipped 🎉 and `:tada:` stays" {
		t.Fatalf("the server stored %q", msg.Body)
	}
	s.Must(t, http.StatusOK, "PUT", owner.Sub, "/api/v1/messages/"+msg.ID.String()+"/reactions/"+url.PathEscape("👍"), owner.Token, nil, nil)
	s.Must(t, http.StatusOK, "PUT", owner.Sub, "/api/v1/users/me/status", owner.Token,
		map[string]any{"presence": "online", "text": "Shipping", "emoji": "🚀"}, nil)

	p := h.newPerson("owner")
	if !h.step(t, "sign in", func(t *testing.T) {
		p.login(t, owner.Sub, owner.Email, owner.Password, "")
	}) {
		return
	}
	_ = h.step(t, "the canvas check finds no colour emoji on a machine without an emoji font", func(t *testing.T) {
		mode := eval[string](t, p, "emoji mode", `document.documentElement.dataset.emoji`)
		if font := hasEmojiFont(); !font && mode != "images" {
			t.Errorf("no emoji font here (fc-list), but the app draws emoji as %q", mode)
		} else {
			t.Logf("emoji font installed: %v; the app draws emoji as %s", font, mode)
		}
	})
	if !h.step(t, "images forced (as without an emoji font), after a reload", func(t *testing.T) {
		p.do(t, "prefer images", chromedp.Evaluate[chromedp.Void](`localStorage.setItem("relay.emoji", "images")`), chromedp.Reload())
		p.until(t, "the app (composer)", `visible($(`+jsString(composer)+`))`)
		p.until(t, "emoji drawn as images", `document.documentElement.dataset.emoji === "images"`)
	}) {
		return
	}
	id := msg.ID.String()
	_ = h.step(t, "a message's emoji is an image, its code is text", func(t *testing.T) {
		body := jsString(msgSel(id) + ` [data-testid=message-body]`)
		p.untilExplain(t, "🎉 as an image in the message", `(() => { const i = $(`+body+` + " .emoji-img"); return !!i && i.textContent === "🎉"; })()`,
			`$(`+body+`) && $(`+body+`).innerHTML`)
		if code := eval[string](t, p, "the code span", js(`$(`+body+` + " code").textContent`)); code != ":tada:" {
			t.Errorf("code span %q, want :tada:", code)
		}
	})
	_ = h.step(t, "a reaction and a status are images", func(t *testing.T) {
		p.until(t, "👍 reaction as an image", `!!$(`+jsString(msgSel(id)+` [data-testid=reaction][data-emoji="👍"] .emoji-img`)+`)`)
		p.until(t, "my status 🚀 as an image", `!!$(".my-custom .emoji-img")`)
	})
	_ = h.step(t, "the picker shows images, and the sheet loaded", func(t *testing.T) {
		p.clickAction(t, id, "Add reaction")
		p.until(t, "the picker's emoji as images", `$$("[data-testid=emoji-picker] button[data-emoji] .emoji-img").length > 100`)
		loaded := eval[bool](t, p, "the sheet image loads", js(`new Promise((ok) => {
			const src = getComputedStyle($("[data-testid=emoji-picker] .emoji-img")).backgroundImage.replace(/^url\("?|"?\)$/g, "");
			const img = new Image(); img.onload = () => ok(img.naturalWidth > 1000); img.onerror = () => ok(false); img.src = src; })`))
		if !loaded {
			t.Errorf("the emoji sheet does not load")
		}
		p.peek(t, "emoji-images.png")
		p.docShot(t, "emoji-images.png")
	})
	_ = h.step(t, "the landing page's emoji are images", func(t *testing.T) {
		p.visit(t, h.apex("/"))
		p.until(t, "three feature emoji as images", `$$(".pg-fi .emoji-img").length === 3`)
	})
}
