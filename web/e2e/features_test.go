package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/testenv"
	"github.com/relayhq/relay/internal/testserver"
)

// TestFeatures drives the rest of issue 4's items 4, 5, 7 and 9 through the
// UI, as people would, in two browser contexts (Ann, the owner, and Bea):
// the composer (Enter and Shift+Enter, @ and : autocomplete, Up to edit,
// delete, drafts, a failed send and its retry), Markdown, infinite scroll
// with jump to latest, channels and people (create, browse and join, DM and
// group DM, settings, archive), status, the quick switcher, the title badge,
// the phone layout and accessible names. Each step stands on its own.
func TestFeatures(t *testing.T) {
	h := newHarness(t)
	s := h.stack
	started := time.Now()
	defer func() { t.Logf("features took %s", time.Since(started).Round(time.Millisecond)) }()

	const sub = "feat"
	annAcc := signupAs(t, s, sub, "Ann")
	beaAcc := s.Invite(t, annAcc, "Bea", relay.RoleMember)
	cidAcc := s.Invite(t, annAcc, "Cid", relay.RoleMember)
	general := s.General(t, annAcc)
	s.CreateChannel(t, annAcc, "random", relay.ChannelPublic, beaAcc.UserID)
	history := s.CreateChannel(t, annAcc, "history", relay.ChannelPublic, beaAcc.UserID)
	const seeded = 250
	for i := 1; i <= seeded; i++ {
		by := annAcc
		if i%3 == 0 {
			by = beaAcc
		}
		s.Post(t, by, history, fmt.Sprintf("History %04d", i))
	}
	generalPath := "/channels/" + general.String()
	_ = cidAcc

	ann := h.newPerson("ann")
	bea := h.newPerson("bea")
	if !h.step(t, "sign in", func(t *testing.T) {
		ann.login(t, sub, annAcc.Email, annAcc.Password, generalPath)
		bea.login(t, sub, beaAcc.Email, beaAcc.Password, generalPath)
	}) {
		return
	}
	// open puts the person in the channel through its sidebar link.
	open := func(t *testing.T, p *person, name string) {
		t.Helper()
		link := fmt.Sprintf(`a[data-testid=channel-link][data-channel-name=%q]`, name)
		p.do(t, "open #"+name+" from the sidebar", chromedp.Click(chromedp.CSS(link)))
		p.untilExplain(t, "#"+name+" open", `($("[data-testid=channel-name]") || {}).textContent === `+jsString(name)+` && visible($(`+jsString(composer)+`))`,
			`({path: location.pathname, header: ($("[data-testid=channel-name]") || {}).textContent})`)
	}

	h.step(t, "composer: Enter sends, Shift+Enter breaks the line", func(t *testing.T) {
		open(t, ann, "general")
		open(t, bea, "general")
		ann.do(t, "type two lines", chromedp.Click(chromedp.CSS(composer)), chromedp.SendKeys(chromedp.CSS(composer), "Line one"),
			press("Enter", chromedp.ModifierShift), chromedp.SendKeys(chromedp.CSS(composer), "Line two"))
		if v := eval[string](t, ann, "composer", js(`$(`+jsString(composer)+`).value`)); v != "Line one\nLine two" {
			t.Fatalf("after Shift+Enter the composer holds %q, want two lines (and nothing sent)", v)
		}
		ann.do(t, "send with Enter", press("Enter"))
		ann.until(t, "an empty composer after Enter", `$(`+jsString(composer)+`).value === ""`)
		twoLines := `listMsgs().some((m) => { const b = m.querySelector("[data-testid=message-body]"); return b && m.dataset.pending !== "true" &&
			b.innerText.trim().split("\n").map((l) => l.trim()).join("|") === "Line one|Line two"; })`
		for _, p := range []*person{ann, bea} {
			p.untilExplain(t, "one message with two lines (Line one / Line two)", twoLines,
				`listMsgs().map((m) => (m.querySelector("[data-testid=message-body]") || {}).innerText)`)
		}
	})

	h.step(t, "composer: @ autocomplete and the mention badge", func(t *testing.T) {
		open(t, ann, "general")
		open(t, bea, "random") // away from #general: the mention counts there
		sugg := `main [data-testid=composer] [role=listbox] [role=option]`
		options := `$$(` + jsString(sugg) + `).map((o) => o.textContent)`
		ann.do(t, "type @cha", chromedp.Click(chromedp.CSS(composer)), chromedp.SendKeys(chromedp.CSS(composer), "@cha"))
		ann.untilExplain(t, "@channel offered", `$$(`+jsString(sugg)+`).some((o) => o.textContent.includes("@channel"))`, options)
		ann.do(t, "close the suggestions", press("Escape"))
		clearComposer(t, ann, composer)

		ann.do(t, "type Hello @be", chromedp.SendKeys(chromedp.CSS(composer), "Hello @be"))
		ann.untilExplain(t, "Bea suggested (first)", `(() => { const o = $$(`+jsString(sugg)+`); return o.length > 0 && o[0].textContent.includes("Bea"); })()`, options)
		ann.do(t, "pick Bea with Tab", press("Tab"))
		ann.untilExplain(t, "the composer holds @Bea", `$(`+jsString(composer)+`).value === "Hello @Bea "`, `$(`+jsString(composer)+`).value`)
		ann.do(t, "finish and send", chromedp.SendKeys(chromedp.CSS(composer), "see this"+kb.Enter))
		mention := `listMsgs().some((m) => m.dataset.pending !== "true" && /Hello @Bea see this/.test(bodyText(m).replace(/\s+/g, " ")) &&
			!!m.querySelector("[data-testid=message-body] .mention"))`
		ann.untilExplain(t, "the sent message mentions Bea (a mention chip)", mention,
			`listMsgs().slice(-3).map((m) => m.querySelector("[data-testid=message-body]").innerHTML)`)
		badge := `a[data-testid=channel-link][data-channel-name=general] [data-testid=unread-badge]`
		bea.untilExplain(t, "a mention badge on #general", `/mention/.test(($(`+jsString(badge)+`) || {}).getAttribute?.("aria-label") || "")`,
			`($(`+jsString(badge)+`) || {outerHTML: "(no badge)"}).outerHTML`)
	})

	h.step(t, "page title counts unread mentions", func(t *testing.T) {
		open(t, bea, "random")
		open(t, ann, "general")
		// Whatever is left from the step before, Bea reads #general first.
		open(t, bea, "general")
		bea.untilExplain(t, "a title without a count", `!/^\(\d+\)/.test(document.title)`, `document.title`)
		open(t, bea, "random")
		send(t, ann, "@Bea title check")
		bea.untilExplain(t, "(1) in the title", `document.title.startsWith("(1) ")`, `document.title`)
		open(t, bea, "general")
		bea.untilExplain(t, "the count gone once read", `!/^\(\d+\)/.test(document.title)`, `document.title`)
	})

	h.step(t, "composer: : emoji autocomplete", func(t *testing.T) {
		open(t, ann, "general")
		sugg := `main [data-testid=composer] [role=listbox] [role=option]`
		ann.do(t, "type Nice :thu", chromedp.Click(chromedp.CSS(composer)), chromedp.SendKeys(chromedp.CSS(composer), "Nice :thu"))
		ann.untilExplain(t, "👍 suggested first for :thu", `(() => { const o = $$(`+jsString(sugg)+`); return o.length > 0 && o[0].textContent.includes("👍"); })()`,
			`$$(`+jsString(sugg)+`).map((o) => o.textContent)`)
		ann.do(t, "pick it with Enter", press("Enter"))
		ann.untilExplain(t, "👍 in the composer", `$(`+jsString(composer)+`).value === "Nice 👍 "`, `$(`+jsString(composer)+`).value`)
		ann.do(t, "send", press("Enter"))
		bea.untilExplain(t, "the 👍 message", `sent("Nice 👍")`, `texts().slice(-3)`)
	})

	h.step(t, "composer: Up edits the last message, edited marker live", func(t *testing.T) {
		open(t, ann, "general")
		open(t, bea, "general")
		send(t, ann, "Meet at 10")
		id := ann.messageID(t, "Meet at 10")
		bea.messageID(t, "Meet at 10")
		ann.do(t, "press Up in the empty composer", chromedp.Click(chromedp.CSS(composer)), press("ArrowUp"))
		editor := msgSel(id) + ` textarea[aria-label="Edit message"]`
		ann.untilExplain(t, "the inline editor on the last message", `visible($(`+jsString(editor)+`)) && $(`+jsString(editor)+`).value === "Meet at 10"`,
			`$$("textarea[aria-label='Edit message']").map((e) => e.closest("[data-testid=message]").dataset.id + ": " + e.value)`)
		eval[bool](t, ann, "select the old text", js(`($(`+jsString(editor)+`).select(), true)`))
		ann.do(t, "type the new text and save", chromedp.SendKeys(chromedp.CSS(editor), kb.Backspace+"Meet at 11"+kb.Enter))
		for _, p := range []*person{ann, bea} {
			p.untilExplain(t, `"Meet at 11" with the (edited) marker`,
				`(() => { const m = $(`+jsString(msgSel(id))+`); return !!m && bodyText(m) === "Meet at 11" && /\(edited\)/.test(m.textContent); })()`,
				`($(`+jsString(msgSel(id))+`) || {}).textContent`)
		}
	})

	h.step(t, "delete from the hover actions, live for the other", func(t *testing.T) {
		open(t, ann, "general")
		open(t, bea, "general")
		send(t, ann, "Delete me soon")
		id := ann.messageID(t, "Delete me soon")
		bea.messageID(t, "Delete me soon")
		ann.hover(t, "the message", `document.querySelector(`+jsString(msgSel(id))+`)`)
		ui := `(() => { const d = $("[role=alertdialog], [role=dialog]"); return d && $$("button", d).find((b) => /^delete/i.test(b.textContent.trim())); })()`
		asked := ann.acceptingDialogs(t, "click Delete message",
			chromedp.Click(chromedp.CSS(msgSel(id)+` button[aria-label="Delete message"]`)), ui)
		t.Logf("the app asked: %q", asked)
		if len(asked) == 0 && eval[bool](t, ann, "confirmation dialog", js(`!!`+ui)) {
			ann.clickOn(t, "the dialog's Delete button", ui)
		}
		gone := `(() => { const m = $(` + jsString(msgSel(id)) + `); return !m || /deleted/i.test(bodyText(m)); })()`
		for _, p := range []*person{ann, bea} {
			p.untilExplain(t, "the message deleted (removed or marked)", gone, `($(`+jsString(msgSel(id))+`) || {}).textContent`)
		}
	})

	h.step(t, "drafts kept per channel, across a reload", func(t *testing.T) {
		open(t, ann, "general")
		clearComposer(t, ann, composer)
		const draft = "Half-written thought for general"
		ann.do(t, "type a draft", chromedp.Click(chromedp.CSS(composer)), chromedp.SendKeys(chromedp.CSS(composer), draft))
		open(t, ann, "random")
		if v := eval[string](t, ann, "composer", js(`$(`+jsString(composer)+`).value`)); v == draft {
			t.Errorf("#random shows #general's draft")
		}
		open(t, ann, "general")
		ann.untilExplain(t, "the draft back in #general", `$(`+jsString(composer)+`).value === `+jsString(draft), `$(`+jsString(composer)+`).value`)
		ann.do(t, "reload", chromedp.Reload())
		ann.untilExplain(t, "the draft after a reload", `!!$(`+jsString(composer)+`) && $(`+jsString(composer)+`).value === `+jsString(draft),
			`($(`+jsString(composer)+`) || {}).value`)
		clearComposer(t, ann, composer)
	})

	h.step(t, "failed send, then retry delivers once", func(t *testing.T) {
		open(t, ann, "general")
		open(t, bea, "general")
		// The socket held down, so the app sends over HTTP, and the server
		// refuses it: it waits for Retry (an offline failure goes again by
		// itself: "a send that failed offline goes out on reconnect").
		back := ann.offline(t, false)
		defer back()
		const text = "This one fails first"
		send(t, ann, text)
		failed := `listMsgs().some((m) => bodyText(m) === ` + jsString(text) + ` && m.dataset.failed === "true")`
		ann.untilExplain(t, `the message marked data-failed="true"`, failed,
			`listMsgs().slice(-2).map((m) => bodyText(m) + " pending=" + m.dataset.pending + " failed=" + m.dataset.failed)`)
		back()
		ann.until(t, "the socket back", `!$("[data-testid=reconnecting]")`)
		retry := `(() => { const m = listMsgs().find((m) => bodyText(m) === ` + jsString(text) + ` && m.dataset.failed === "true");
			return m && $$("button", m).find((b) => b.textContent.trim() === "Retry"); })()`
		ann.clickOn(t, "Retry", retry)
		once := `(() => { const ms = listMsgs().filter((m) => bodyText(m) === ` + jsString(text) + `); return ms.length === 1 && !ms[0].dataset.failed && !ms[0].dataset.pending && !ms[0].dataset.id.startsWith("pending-"); })()`
		for _, p := range []*person{ann, bea} {
			p.untilExplain(t, "the message delivered, shown once", once,
				`listMsgs().filter((m) => bodyText(m) === `+jsString(text)+`).map((m) => m.dataset.id + " failed=" + m.dataset.failed)`)
		}
		// And the server holds one copy.
		var res struct {
			Messages []struct {
				Body string `json:"body"`
			} `json:"messages"`
		}
		var raw json.RawMessage
		h.getJSON(t, sub, "/api/v1/channels/"+general.String()+"/messages?limit=20", annAcc.Token, &raw)
		if err := json.Unmarshal(raw, &res.Messages); err != nil {
			_ = json.Unmarshal(raw, &res)
		}
		n := 0
		for _, m := range res.Messages {
			if m.Body == text {
				n++
			}
		}
		if n != 1 {
			t.Errorf("the server holds %d copies of the retried message, want 1", n)
		}
	})

	h.step(t, "sent offline: goes out by itself on reconnect, once, in order", func(t *testing.T) {
		open(t, ann, "general")
		open(t, bea, "general")
		back := ann.offline(t, true)
		defer back()
		const first, second, meanwhile = "Written offline, first", "Written offline, second", "Bea writes meanwhile"
		send(t, ann, first)
		send(t, ann, second)
		bothFailed := `[` + jsString(first) + `, ` + jsString(second) + `].every((b) => listMsgs().some((m) => bodyText(m) === b && m.dataset.failed === "true"))`
		ann.untilExplain(t, "both marked failed", bothFailed,
			`listMsgs().slice(-3).map((m) => bodyText(m) + " pending=" + m.dataset.pending + " failed=" + m.dataset.failed)`)
		// The line says why once, with one full stop, and that it goes out by itself.
		line := `$("[data-testid=not-sent]").innerText`
		ann.expect(t, "one full stop, and the promise to resend", `!/\.\./.test(`+line+`) && /connection is back/.test(`+line+`)`, line)
		send(t, bea, meanwhile)
		back()
		ann.until(t, "the socket back", `!$("[data-testid=reconnecting]")`)
		// Nobody clicks Retry: both go out, each once, in the order written, after what Bea wrote meanwhile.
		inOrder := `(() => { const bodies = listMsgs().filter((m) => !m.dataset.pending && !m.dataset.failed && !m.dataset.id.startsWith("pending-")).map(bodyText);
			const at = (b) => bodies.indexOf(b), once = (b) => bodies.filter((x) => x === b).length === 1;
			return once(` + jsString(first) + `) && once(` + jsString(second) + `) && at(` + jsString(meanwhile) + `) < at(` + jsString(first) + `) && at(` + jsString(first) + `) < at(` + jsString(second) + `)
				&& !listMsgs().some((m) => m.dataset.failed || m.dataset.pending); })()`
		for _, p := range []*person{ann, bea} {
			p.untilExplain(t, "both delivered once, in order", inOrder,
				`listMsgs().slice(-4).map((m) => bodyText(m) + " id=" + m.dataset.id + " failed=" + m.dataset.failed + " pending=" + m.dataset.pending)`)
		}
		var raw json.RawMessage
		h.getJSON(t, sub, "/api/v1/channels/"+general.String()+"/messages?limit=20", annAcc.Token, &raw)
		var res struct {
			Messages []struct {
				Body string `json:"body"`
				Seq  int64  `json:"seq"`
			} `json:"messages"`
		}
		if err := json.Unmarshal(raw, &res.Messages); err != nil {
			_ = json.Unmarshal(raw, &res)
		}
		seqs := map[string][]int64{}
		for _, m := range res.Messages {
			seqs[m.Body] = append(seqs[m.Body], m.Seq)
		}
		if len(seqs[first]) != 1 || len(seqs[second]) != 1 || seqs[first][0] > seqs[second][0] {
			t.Errorf("the server holds %v of the first and %v of the second, want one each, first before second", seqs[first], seqs[second])
		}
	})

	h.step(t, "Markdown: bold, code, fenced block, safe new-tab link", func(t *testing.T) {
		open(t, ann, "general")
		open(t, bea, "general")
		send(t, ann, "Some **bold words** and `inline code` see https://example.com/docs")
		ann.do(t, "type a fenced block", chromedp.Click(chromedp.CSS(composer)), chromedp.SendKeys(chromedp.CSS(composer), "```"),
			press("Enter", chromedp.ModifierShift), chromedp.SendKeys(chromedp.CSS(composer), "let answer = 42"),
			press("Enter", chromedp.ModifierShift), chromedp.SendKeys(chromedp.CSS(composer), "```"+kb.Enter))
		type md struct {
			Bold, Code, Pre, Href, Target, Rel string
		}
		body := `listMsgs().map((m) => m.querySelector("[data-testid=message-body]")).filter(Boolean)`
		bea.untilExplain(t, "both messages rendered", `(() => { const bs = `+body+`;
			return bs.some((b) => b.querySelector("strong")?.textContent === "bold words") && bs.some((b) => b.querySelector("pre code")); })()`,
			`listMsgs().slice(-3).map((m) => m.querySelector("[data-testid=message-body]").innerHTML)`)
		got := eval[md](t, bea, "inspect", js(`(() => { const bs = `+body+`;
			const b = bs.filter((b) => b.querySelector("strong")?.textContent === "bold words").pop();
			const pre = bs.map((b) => b.querySelector("pre code")).filter(Boolean).pop();
			const a = b.querySelector("a");
			return {Bold: b.querySelector("strong").textContent, Code: (b.querySelector("code:not(pre code)") || {}).textContent || "",
				Pre: pre ? pre.textContent : "", Href: a ? a.getAttribute("href") : "", Target: a ? a.getAttribute("target") || "" : "", Rel: a ? a.getAttribute("rel") || "" : ""}; })()`))
		if got.Code != "inline code" {
			t.Errorf("inline code renders as %q, want <code>inline code</code>", got.Code)
		}
		if strings.TrimSpace(got.Pre) != "let answer = 42" {
			t.Errorf("the fenced block renders as %q, want a <pre><code> with let answer = 42", got.Pre)
		}
		if got.Href != "https://example.com/docs" || got.Target != "_blank" || !strings.Contains(got.Rel, "noopener") {
			t.Errorf("the link is href=%q target=%q rel=%q, want https://example.com/docs opening in a new tab with rel=noopener", got.Href, got.Target, got.Rel)
		}
	})

	h.step(t, "grouped messages sit close together", func(t *testing.T) {
		open(t, ann, "general")
		// A quick run by one author, starting a new group (Bea speaks first).
		send(t, bea, "Breaking the group")
		ann.messageID(t, "Breaking the group")
		for _, m := range []string{"Grouped one", "Grouped two", "Grouped three"} {
			send(t, ann, m)
			ann.messageID(t, m)
		}
		type gap struct {
			Gaps    []float64
			Grouped []bool
			Line    float64
			Rows    []float64
		}
		g := eval[gap](t, ann, "measure", js(`(() => {
			const ms = ["Grouped one", "Grouped two", "Grouped three"].map(listMsg);
			const rect = (m) => m.querySelector("[data-testid=message-body]").getBoundingClientRect();
			const gaps = []; for (let i = 1; i < ms.length; i++) gaps.push(rect(ms[i]).top - rect(ms[i - 1]).bottom);
			return {Gaps: gaps, Grouped: ms.slice(1).map((m) => m.classList.contains("grouped")), Line: rect(ms[0]).height,
				Rows: ms.map((m) => m.getBoundingClientRect().height)}; })()`))
		t.Logf("grouped rows: %v px high", g.Rows)
		t.Logf("text gaps between grouped messages: %v px (line %.0f px)", g.Gaps, g.Line)
		for i, gr := range g.Grouped {
			if !gr {
				t.Errorf("message %d of a quick run by one author is not grouped", i+2)
			}
		}
		for i, d := range g.Gaps {
			if d > 5 {
				t.Errorf("%.0f px between the text of grouped messages %d and %d (want a few px, like Slack); a line is %.0f px", d, i+1, i+2, g.Line)
			}
		}
	})

	h.step(t, "infinite scroll upwards, day separators, jump to latest", func(t *testing.T) {
		open(t, ann, "history")
		ann.untilExplain(t, "the newest history message", `texts().includes("History 0250")`, `texts().slice(-3)`)
		list := `main .message-list`
		for i := 0; ; i++ {
			if eval[bool](t, ann, "first message", js(`texts().includes("History 0001")`)) {
				break
			}
			if i > 40 {
				t.Fatalf("History 0001 not reached after %d scrolls to the top (oldest shown: %q)", i,
					eval[string](t, ann, "oldest", js(`texts().find((s) => s.startsWith("History")) || ""`)))
			}
			ann.wheelUp(t, list)
			time.Sleep(150 * time.Millisecond) // a reader's pace between flicks
		}
		type state struct {
			Count, Seps int
			Dups        []string
			Ordered     bool
		}
		st := eval[state](t, ann, "history shown", js(`(() => { const ms = listMsgs(); const seen = new Set(), dups = [];
			for (const m of ms) { if (seen.has(m.dataset.id)) dups.push(m.dataset.id); seen.add(m.dataset.id); }
			const hs = texts().filter((s) => /^History \d{4}$/.test(s));
			return {Count: hs.length, Seps: $$("main .day-separator, main [role=separator]").filter((e) => !e.matches("[data-testid=new-divider]")).length,
				Dups: dups, Ordered: hs.every((s, i) => i === 0 || s > hs[i - 1])}; })()`))
		if st.Count != seeded {
			t.Errorf("%d of the %d history messages shown", st.Count, seeded)
		}
		if len(st.Dups) > 0 {
			t.Errorf("message ids shown twice: %q", st.Dups)
		}
		if !st.Ordered {
			t.Errorf("history is out of order")
		}
		if st.Seps == 0 {
			t.Errorf("no day separator in the history")
		}
		jump := `$$("main button").find((b) => /jump to latest/i.test(b.textContent))`
		ann.until(t, `"Jump to latest" while scrolled up`, `visible(`+jump+`)`)
		ann.clickOn(t, "Jump to latest", jump)
		ann.untilExplain(t, "back at the bottom with the newest message", `(() => { const l = $(`+jsString(list)+`);
			return l.scrollHeight - l.scrollTop - l.clientHeight < 48 && !`+jump+`; })()`,
			`(() => { const l = $(`+jsString(list)+`); return {gap: l.scrollHeight - l.scrollTop - l.clientHeight}; })()`)
	})

	var corner string // Bea's channel, renamed later
	h.step(t, "channels: create public and private, browse and join", func(t *testing.T) {
		create := func(p *person, name string, private bool) {
			t.Helper()
			p.do(t, "open Create channel", chromedp.Click(chromedp.CSS(`button[aria-label="Create channel"]`)))
			f := "form[data-testid=create-channel]"
			p.fill(t, f, "name", name)
			if private {
				p.do(t, "choose private", chromedp.Click(chromedp.CSS(f+` input[name=kind][value=private]`)))
			}
			p.submit(t, f)
			p.untilExplain(t, "in the new channel #"+name, `($("[data-testid=channel-name]") || {}).textContent === `+jsString(name)+` && !$("form[data-testid=create-channel]")`,
				`({header: ($("[data-testid=channel-name]") || {}).textContent, dialog: ($("form[data-testid=create-channel]") || {}).textContent})`)
			p.until(t, "#"+name+" in the sidebar", `!!$(`+jsString(fmt.Sprintf(`a[data-testid=channel-link][data-channel-name=%q]`, name))+`)`)
		}
		create(ann, "launch-plan", false)
		create(ann, "secret-room", true)
		kind := eval[string](t, ann, "kind", `fetch(location.pathname.replace("/channels/", "/api/v1/channels/")).then((r) => r.json()).then((c) => c.kind)`)
		if kind != "private" {
			t.Errorf("#secret-room was created %q, want private", kind)
		}
		create(bea, "bea-corner", false)
		corner = eval[string](t, bea, "path", `location.pathname`)

		ann.clickOn(t, "Browse channels", `$$("nav button").find((b) => b.textContent.trim() === "Browse channels")`)
		join := `button[aria-label="Join #bea-corner"]`
		ann.untilExplain(t, "#bea-corner listed with Join", `!!$(`+jsString(join)+`)`, `($("[data-testid=browse-channels]") || {}).textContent`)
		ann.do(t, "join #bea-corner", chromedp.Click(chromedp.CSS(join)))
		ann.untilExplain(t, "in #bea-corner as a member", `location.pathname === `+jsString(corner)+` && visible($(`+jsString(composer)+`)) && !!$("a[data-testid=channel-link][data-channel-name=bea-corner]")`,
			`({path: location.pathname, text: ($("main") || document.body).innerText.slice(0, 200)})`)
	})

	h.step(t, "DM and group DM from the dialog, live with an unread badge", func(t *testing.T) {
		open(t, bea, "general")
		pick := func(p *person, names ...string) {
			t.Helper()
			p.do(t, "open New message", chromedp.Click(chromedp.CSS(`button[aria-label="New message"]`)))
			input := `[data-testid=new-dm-dialog] input[role=combobox]`
			for _, n := range names {
				p.do(t, "type "+n, chromedp.Click(chromedp.CSS(input)), chromedp.SendKeys(chromedp.CSS(input), n))
				p.untilExplain(t, n+" offered first", `(() => { const o = $$("[data-testid=new-dm-dialog] [role=option]"); return o.length > 0 && o[0].textContent.includes(`+jsString(n)+`); })()`,
					`$$("[data-testid=new-dm-dialog] [role=option]").map((o) => o.textContent)`)
				p.do(t, "pick "+n, press("Enter"))
				p.until(t, n+" picked", `$$("[data-testid=new-dm-dialog] .dg-chip").some((c) => c.textContent.includes(`+jsString(n)+`))`)
			}
			p.do(t, "open the conversation", press("Enter"))
			p.untilExplain(t, "in the conversation", `!$("[data-testid=new-dm-dialog]") && visible($(`+jsString(composer)+`)) && $(`+jsString(composer)+`).placeholder.includes(`+jsString(names[0])+`)`,
				`({dialog: !!$("[data-testid=new-dm-dialog]"), placeholder: ($(`+jsString(composer)+`) || {}).placeholder})`)
		}
		pick(ann, "Bea")
		send(t, ann, "Hi Bea, just us")
		ann.messageID(t, "Hi Bea, just us")
		dm := `$$("a[data-testid=dm-link]").find((a) => !a.querySelector(".group-count") && /Ann/.test(a.textContent))`
		bea.untilExplain(t, "the DM with Ann in the sidebar, with an unread badge", `(() => { const a = `+dm+`; return !!a && !!a.querySelector("[data-testid=unread-badge]"); })()`,
			`$$("a[data-testid=dm-link]").map((a) => a.outerHTML)`)

		pick(ann, "Bea", "Cid")
		send(t, ann, "Hello you two")
		ann.messageID(t, "Hello you two")
		group := `$$("a[data-testid=dm-link]").find((a) => /Cid/.test(a.textContent) && /Ann/.test(a.textContent))`
		bea.untilExplain(t, "the group DM (Ann, Cid) in the sidebar, unread", `(() => { const a = `+group+`; return !!a && !!a.querySelector("[data-testid=unread-badge]"); })()`,
			`$$("a[data-testid=dm-link]").map((a) => a.textContent)`)
		bea.clickOn(t, "the group DM", group)
		bea.untilExplain(t, "the group message", `sent("Hello you two")`, `texts()`)
	})

	h.step(t, "channel settings: rename and topic live, archive", func(t *testing.T) {
		if corner == "" {
			t.Fatal("no #bea-corner (the channel step failed)")
		}
		bea.do(t, "open #bea-corner", chromedp.Click(chromedp.CSS(`a[data-testid=channel-link][data-channel-name=bea-corner]`)))
		bea.until(t, "#bea-corner open", `location.pathname === `+jsString(corner))
		ann.do(t, "open #bea-corner", chromedp.Click(chromedp.CSS(`a[data-testid=channel-link][data-channel-name=bea-corner]`)))
		ann.until(t, "#bea-corner open", `location.pathname === `+jsString(corner))
		editChannel := func(p *person) {
			t.Helper()
			if !eval[bool](t, p, "details open", js(`!!$("aside[aria-label='Channel details']")`)) {
				p.do(t, "open Channel details", chromedp.Click(chromedp.CSS(`button[aria-label="Channel details"]`)))
			}
			p.clickOn(t, "Edit channel", `$$("aside button").find((b) => b.textContent.trim() === "Edit channel")`)
			p.until(t, "the channel settings dialog", `visible($("[data-testid=channel-settings]"))`)
		}
		editChannel(ann)
		f := "form[data-testid=channel-about]"
		ann.fill(t, f, "name", "bea-lounge")
		ann.fill(t, f, "topic", "Coffee and launch gossip")
		ann.submit(t, f)
		bea.untilExplain(t, "the new name and topic in the header, live",
			`($("[data-testid=channel-name]") || {}).textContent === "bea-lounge" && ($(".channel-topic") || {}).textContent === "Coffee and launch gossip"`,
			`({name: ($("[data-testid=channel-name]") || {}).textContent, topic: ($(".channel-topic") || {}).textContent})`)
		bea.until(t, "the sidebar renamed", `!!$("a[data-testid=channel-link][data-channel-name=bea-lounge]")`)
		ann.do(t, "close the dialog", press("Escape"))
		ann.until(t, "the dialog closed", `!$("[data-testid=channel-settings]")`)

		// Archive #launch-plan (Ann's).
		open(t, ann, "launch-plan")
		editChannel(ann)
		ann.clickOn(t, "the Settings tab", `$$("[data-testid=channel-settings] [role=tab]").find((b) => b.textContent.trim() === "Settings")`)
		ann.clickOn(t, "Archive channel", `$$("[data-testid=channel-settings] button").find((b) => b.textContent.trim() === "Archive channel")`)
		ann.until(t, "the archive confirmation", `$$("[role=alertdialog] button, [role=dialog] button").filter((b) => b.textContent.trim() === "Archive channel").length > 1 || !!$("[role=alertdialog]")`)
		ann.clickOn(t, "confirm Archive channel", `(() => { const d = $("[role=alertdialog]") || $$("[role=dialog]").pop(); return $$("button", d).filter((b) => b.textContent.trim() === "Archive channel").pop(); })()`)
		ann.untilExplain(t, "#launch-plan archived (read-only composer, Archived pill)",
			`!!$("[data-testid=composer-disabled]") && /Archived/.test(($(".channel-title") || {}).textContent || "")`,
			`({composer: !!$(`+jsString(composer)+`), title: ($(".channel-title") || {}).textContent})`)
		// The confirmation closes when the request returns, which may be after
		// the live event showed the channel archived: an Escape before that
		// would close the confirmation, not the settings dialog.
		ann.until(t, "the confirmation closed", `!$("[role=alertdialog]")`)
		ann.do(t, "close the dialog", press("Escape"))
		ann.until(t, "the dialog closed", `!$("[data-testid=channel-settings]")`)
	})

	h.step(t, "status: dnd, custom text and emoji with an expiry, seen by the other", func(t *testing.T) {
		open(t, ann, "general")
		open(t, bea, "general")
		ann.do(t, "open the user menu", chromedp.Click(chromedp.CSS(`button[aria-label="Set your status"]`)))
		ann.until(t, "the status dialog", `visible($("[data-testid=status-dialog]"))`)
		ann.do(t, "choose Do not disturb", chromedp.Click(chromedp.CSS(`[data-testid=status-dialog] input[name=presence][value=dnd]`)))
		ann.fill(t, "form[data-testid=status]", "text", "In a meeting")
		ann.do(t, "open the emoji choices", chromedp.Click(chromedp.CSS(`[data-testid=status-dialog] button[aria-label="Choose an emoji"]`)))
		ann.do(t, "pick 📅", chromedp.Click(chromedp.CSS(`[data-testid=status-dialog] button[aria-label="📅"]`)))
		ann.do(t, "clear after 1 hour", chromedp.Focus(chromedp.CSS(`#dg-status-expiry`)))
		eval[bool](t, ann, "choose 1 hour", js(`(() => { const el = $("#dg-status-expiry"); el.value = "1h"; el.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`))
		ann.do(t, "save", chromedp.Click(chromedp.CSS(`[data-testid=status-dialog] button[type=submit]`)))
		ann.until(t, "the dialog closed", `!$("[data-testid=status-dialog]")`)
		var me struct {
			Status struct {
				Presence  string  `json:"presence"`
				Text      string  `json:"text"`
				Emoji     string  `json:"emoji"`
				ExpiresAt *string `json:"expires_at"`
			} `json:"status"`
		}
		h.getJSON(t, sub, "/api/v1/auth/me", annAcc.Token, &me)
		if me.Status.Presence != "dnd" || me.Status.Text != "In a meeting" || me.Status.Emoji != "📅" || me.Status.ExpiresAt == nil {
			t.Errorf("saved status %+v, want dnd, In a meeting, 📅 and an expiry", me.Status)
		}
		bea.do(t, "open the members panel", chromedp.Click(chromedp.CSS(`button[aria-label^="Members"]`)))
		member := `[data-testid=members-panel] [data-testid=member][data-user-id="` + annAcc.UserID.String() + `"]`
		bea.untilExplain(t, "Ann in do-not-disturb with 📅 In a meeting",
			`!!$(`+jsString(member+` [data-testid=presence][data-presence=dnd]`)+`) && /📅\s*In a meeting/.test($(`+jsString(member)+`).textContent)`,
			`($(`+jsString(member)+`) || {outerHTML: "(not listed)"}).outerHTML`)
		bea.do(t, "close the members panel", chromedp.Click(chromedp.CSS(`button[aria-label^="Members"]`)))
	})

	h.step(t, "quick switcher: Ctrl+K, type, Enter; Escape closes", func(t *testing.T) {
		open(t, ann, "general")
		ctrlK := press("k", chromedp.ModifierCtrl)
		ann.do(t, "press Ctrl+K", ctrlK)
		sw := `[data-testid=quick-switcher] input[role=combobox]`
		ann.until(t, "the switcher, focused", `visible($(`+jsString(sw)+`)) && document.activeElement === $(`+jsString(sw)+`)`)
		ann.do(t, "type rand", chromedp.SendKeys(chromedp.CSS(sw), "rand"))
		ann.untilExplain(t, "#random first", `(($("[data-testid=quick-switcher] [role=option]") || {}).textContent || "").includes("random")`,
			`$$("[data-testid=quick-switcher] [role=option]").map((o) => o.textContent)`)
		ann.do(t, "press Enter", press("Enter"))
		ann.untilExplain(t, "in #random, switcher closed", `!$("[data-testid=quick-switcher]") && ($("[data-testid=channel-name]") || {}).textContent === "random"`,
			`({switcher: !!$("[data-testid=quick-switcher]"), header: ($("[data-testid=channel-name]") || {}).textContent})`)
		ann.do(t, "press Ctrl+K", ctrlK)
		ann.until(t, "the switcher", `visible($(`+jsString(sw)+`))`)
		ann.do(t, "press Escape", press("Escape"))
		ann.until(t, "the switcher closed", `!$("[data-testid=quick-switcher]")`)
	})

	h.step(t, "accessible names on message actions and composer buttons", func(t *testing.T) {
		open(t, ann, "general")
		send(t, ann, "Name check")
		id := ann.messageID(t, "Name check")
		ann.hover(t, "the message", `document.querySelector(`+jsString(msgSel(id))+`)`)
		nameless := eval[[]string](t, ann, "scan", js(`(() => {
			const name = (b) => (b.getAttribute("aria-label") || "").trim() ||
				(b.getAttribute("aria-labelledby") || "").split(/\s+/).map((i) => (document.getElementById(i) || {}).textContent || "").join(" ").trim() ||
				(b.textContent || "").trim();
			const bs = $$("main [data-testid=message] button, main [data-testid=composer] button, main .channel-header button, nav button, nav a");
			return bs.filter((b) => !name(b)).map((b) => b.outerHTML.slice(0, 160)); })()`))
		if len(nameless) > 0 {
			t.Errorf("%d buttons without an accessible name:\n\t%s", len(nameless), strings.Join(nameless, "\n\t"))
		}
		for _, label := range []string{"Add reaction", "Reply in thread", "Edit message", "Delete message", "Copy link"} {
			if !eval[bool](t, ann, label, js(`!!$(`+jsString(msgSel(id)+` button[aria-label="`+label+`"]`)+`)`)) {
				t.Errorf("no %q hover action on Ann's own message", label)
			}
		}
	})

	h.step(t, "phone width: the sidebar is a drawer", func(t *testing.T) {
		ann.do(t, "phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait, chromedp.EmulateScale(2)))
		defer ann.do(t, "desktop viewport", chromedp.EmulateReset())
		ann.do(t, "reload", chromedp.Reload())
		ann.until(t, "the app at phone width", `visible($(`+jsString(composer)+`))`)
		onScreen := `(() => { const r = $("nav.sidebar").getBoundingClientRect(); return r.right > 10 && r.left >= -1; })()`
		ann.untilExplain(t, "the sidebar hidden", `!`+onScreen, `$("nav.sidebar").getBoundingClientRect().toJSON()`)
		ann.do(t, "tap the menu button", chromedp.Click(chromedp.CSS(`button[aria-label="Open sidebar"]`)))
		ann.untilExplain(t, "the sidebar shown, with channels", onScreen+` && visible($("a[data-testid=channel-link][data-channel-name=random]"))`,
			`$("nav.sidebar").getBoundingClientRect().toJSON()`)
		ann.untilExplain(t, "the drawer finished opening", `(() => { const r = $("nav.sidebar").getBoundingClientRect(); return r.left >= -1 && r.left < 1; })()`,
			`$("nav.sidebar").getBoundingClientRect().toJSON()`)
		ann.do(t, "choose #random", chromedp.Click(chromedp.CSS(`a[data-testid=channel-link][data-channel-name=random]`)))
		ann.untilExplain(t, "in #random with the drawer closed", `($("[data-testid=channel-name]") || {}).textContent === "random" && !`+onScreen,
			`({header: ($("[data-testid=channel-name]") || {}).textContent, sidebar: $("nav.sidebar").getBoundingClientRect().toJSON()})`)
	})
}

// signupAs creates the workspace sub with an owner of the given name.
func signupAs(t *testing.T, s *testserver.Stack, sub, name string) testserver.Account {
	t.Helper()
	a := testserver.Account{Sub: sub, Email: strings.ToLower(name) + "@" + sub + ".example", Password: strings.ToLower(name) + "-password-1", Name: name}
	var res struct {
		Token string `json:"token"`
		User  struct {
			ID relay.ID `json:"id"`
		} `json:"user"`
		Workspace struct {
			ID relay.ID `json:"id"`
		} `json:"workspace"`
	}
	s.Must(t, http.StatusCreated, "POST", "", "/api/v1/signup", "", map[string]string{
		"workspace_name": "Workspace " + sub, "subdomain": sub, "email": a.Email, "password": a.Password, "display_name": name}, &res)
	a.Token, a.UserID, a.WorkspaceID = res.Token, res.User.ID, res.Workspace.ID
	return a
}

// send types text into the composer and presses Enter (as press does: the
// harness's say leaves chromedp's separate char event, a stray newline, in
// the emptied composer).
func send(t *testing.T, p *person, text string) {
	t.Helper()
	p.do(t, "type and send "+jsString(text), chromedp.Click(chromedp.CSS(composer)), chromedp.SendKeys(chromedp.CSS(composer), text), press("Enter"))
}

// clearComposer empties the composer sel as a person would (select, delete).
func clearComposer(t *testing.T, p *person, sel string) {
	t.Helper()
	if eval[bool](t, p, "select the composer's text", js(`(() => { const el = $(`+jsString(sel)+`); el.focus(); el.select(); return el.value !== ""; })()`)) {
		p.do(t, "delete it", chromedp.SendKeys(chromedp.CSS(sel), kb.Backspace))
	}
	p.until(t, "an empty composer", `$(`+jsString(sel)+`).value === ""`)
}

// clickOn clicks, with the mouse, the element the expression finds.
func (p *person) clickOn(t *testing.T, what, expr string) {
	t.Helper()
	// Visible, and nothing on the page still moving (a dialog's entrance
	// animation): the click goes where the element will be, not where it
	// was a frame ago. Endless animations (spinners, typing dots) do not count.
	p.untilExplain(t, what+" on the page, at rest", `visible(`+expr+`) && !document.getAnimations().some((a) => a.playState === "running" && a.effect && a.effect.getComputedTiming().iterations !== Infinity)`,
		`document.body.innerText.slice(0, 300)`)
	type pt struct{ X, Y float64 }
	c := eval[*pt](t, p, "find "+what, js(`(() => { const el = `+expr+`; if (!el) return null; el.scrollIntoView({block: "center"});
		const r = el.getBoundingClientRect(); return {X: r.left + r.width / 2, Y: r.top + r.height / 2}; })()`))
	if c == nil {
		t.Fatalf("%s: %s is not on the page", p.name, what)
	}
	p.do(t, "click "+what, chromedp.MouseClickXY(c.X, c.Y))
}

// press presses one key as a browser does for a person: the key-down
// carries the text it types, so a handler that prevents the key-down's
// default stops the text too (chromedp's KeyEvent sends the text as a
// separate char event that no handler can stop).
func press(key string, mods ...chromedp.Modifier) chromedp.Action[chromedp.Void] {
	type k struct {
		code, text string
		vk         int64
	}
	keys := map[string]k{"Enter": {"Enter", "\r", 13}, "Tab": {"Tab", "", 9}, "Escape": {"Escape", "", 27}, "ArrowUp": {"ArrowUp", "", 38}, "k": {"KeyK", "k", 75}}
	d, ok := keys[key]
	if !ok {
		panic("press: unknown key " + key)
	}
	var m int64
	for _, x := range mods {
		m |= int64(x)
	}
	if m&^int64(chromedp.ModifierShift) != 0 {
		d.text = "" // a shortcut types nothing
	}
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		down := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyDown, Key: key, Code: d.code, WindowsVirtualKeyCode: d.vk, NativeVirtualKeyCode: d.vk, Modifiers: m, Text: d.text, UnmodifiedText: d.text}
		if d.text == "" {
			down.Type = input.DispatchKeyEventTypeRawKeyDown
		}
		if _, err := cdp.Call(ctx, tg, input.DispatchKeyEvent, down); err != nil {
			return err
		}
		up := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyUp, Key: key, Code: d.code, WindowsVirtualKeyCode: d.vk, NativeVirtualKeyCode: d.vk, Modifiers: m}
		_, err := cdp.Call(ctx, tg, input.DispatchKeyEvent, up)
		return err
	})
}

// wheelUp turns the mouse wheel up over the element sel.
func (p *person) wheelUp(t *testing.T, sel string) {
	t.Helper()
	type pt struct{ X, Y float64 }
	c := eval[pt](t, p, "find "+sel, js(`(() => { const r = $(`+jsString(sel)+`).getBoundingClientRect(); return {X: r.left + r.width / 2, Y: r.top + r.height / 2}; })()`))
	p.do(t, "wheel up", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		return tg.Call(ctx, "Input.dispatchMouseEvent", map[string]any{"type": "mouseWheel", "x": c.X, "y": c.Y, "deltaX": 0, "deltaY": -3000}, nil)
	}))
}

// acceptingDialogs runs the action, accepting any JavaScript dialog
// (confirm, alert) it opens, and waits until the action has asked its
// question: in a JavaScript dialog, or in a dialog on the page (shown is a
// JavaScript expression, truthy once that dialog is there). It returns the
// JavaScript dialogs' messages.
func (p *person) acceptingDialogs(t *testing.T, what string, action chromedp.Action[chromedp.Void], shown string) []string {
	t.Helper()
	var (
		mu   sync.Mutex
		msgs []string
	)
	asked := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), msgs...)
	}
	done := make(chan struct{})
	defer close(done)
	p.do(t, "watch for dialogs", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		events, unsubscribe := tg.Subscribe(page.JavascriptDialogOpening.Method)
		go func() {
			defer unsubscribe()
			for {
				select {
				case v := <-events:
					var ev page.EventJavascriptDialogOpening
					_ = json.Unmarshal([]byte(v), &ev)
					mu.Lock()
					msgs = append(msgs, ev.Message)
					mu.Unlock()
					_, _ = cdp.Call(p.ctx, tg, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
				case <-done:
					return
				}
			}
		}()
		return nil
	}))
	p.do(t, what, action)
	testenv.CheckFor(t, wait, 50*time.Millisecond, func() error {
		if len(asked()) > 0 || eval[bool](t, p, "look for a dialog on the page", js(`!!(`+shown+`)`)) {
			return nil
		}
		return fmt.Errorf("%s: %s: no dialog, neither a JavaScript one nor one on the page", p.name, what)
	})
	return asked()
}

// failMessagePosts makes every POST of a message fail (request
// interception) until the returned stop is called: offline, as if the
// network were down (the app sends it again by itself on reconnect), else
// refused by the server with a 500 (it waits for Retry).
// offline drops p's socket (the reconnecting banner shows) and makes its
// message posts fail — as a dead network when network is true, else as the
// server refusing them — until back is called, which restores both. back
// acts once: a step defers it and may also call it when it means to.
func (p *person) offline(t *testing.T, network bool) (back func()) {
	t.Helper()
	stop := p.failMessagePosts(t, network)
	eval[bool](t, p, "disconnect", `(window.__relay.socket.disconnect(), true)`)
	p.until(t, "the reconnecting banner", `visible($("[data-testid=reconnecting]"))`)
	var once sync.Once
	return func() {
		once.Do(func() {
			stop()
			eval[bool](t, p, "connect", `(window.__relay.socket.connect(), true)`)
		})
	}
}

func (p *person) failMessagePosts(t *testing.T, offline bool) (stop func()) {
	t.Helper()
	return p.failPosts(t, "*/api/v1/channels/*/messages*", offline)
}

// failPosts is failMessagePosts for the POSTs to URLs matching pattern
// (a ticket's messages: "*/api/v1/tickets/*/messages*").
func (p *person) failPosts(t *testing.T, pattern string, offline bool) (stop func()) {
	t.Helper()
	var tgt *chromedp.Target
	done := make(chan struct{})
	p.do(t, "intercept message posts", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		tgt = tg
		events, unsubscribe := tg.Subscribe(fetch.RequestPaused.Method)
		go func() {
			defer unsubscribe()
			for {
				select {
				case v := <-events:
					var ev fetch.EventRequestPaused
					if err := json.Unmarshal([]byte(v), &ev); err != nil {
						continue
					}
					if ev.Request != nil && ev.Request.Method == "POST" && offline {
						_, _ = cdp.Call(p.ctx, tg, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonInternetDisconnected})
					} else if ev.Request != nil && ev.Request.Method == "POST" {
						body := []byte(`{"error":{"code":"internal","message":"Something went wrong."}}`)
						_, _ = cdp.Call(p.ctx, tg, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: ev.RequestID, ResponseCode: 500,
							ResponseHeaders: []*fetch.HeaderEntry{{Name: "Content-Type", Value: "application/json"}}, Body: body})
					} else {
						_, _ = cdp.Call(p.ctx, tg, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
					}
				case <-done:
					return
				}
			}
		}()
		_, err := cdp.Call(ctx, tg, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{
			{URLPattern: pattern, RequestStage: fetch.RequestStageRequest}}})
		return err
	}))
	var once sync.Once
	return func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(p.ctx, wait)
			defer cancel()
			_, _ = cdp.Call(ctx, tgt, fetch.Disable, cdp.Empty{})
			close(done)
		})
	}
}
