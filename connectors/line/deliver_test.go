package line

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"
	"github.com/relayhq/relay"
	"github.com/relayhq/relay/connectors/line/linefake"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// outgoing is an outbox row carrying m to a LINE conversation of r's own
// bot.
func (r *rig) outgoing(id int64, key string, m *relay.Message) *relay.Outgoing {
	return &relay.Outgoing{
		Item:         relay.OutboxItem{ID: id, Kind: relay.OutboxMessageCreate},
		Connector:    r.own,
		Credentials:  map[string]string{CredChannelSecret: ownSecret, CredAccessToken: ownToken},
		Conversation: &relay.Conversation{ID: 7, ConnectorID: r.own.ID, Key: key},
		Message:      m,
		SiteURL:      "https://acme.relay.example",
	}
}

func message(body string, atts ...relay.Attachment) *relay.Message {
	return &relay.Message{ID: 42, Body: body, Attachments: atts,
		Author: relay.Author{ID: 9, Kind: relay.AuthorUser, DisplayName: "Dana from Support", AvatarURL: "/api/v1/users/9/avatar?v=1"}}
}

// golden compares the push bodies the fake received with testdata/name.json.
func golden(t *testing.T, name string, calls []linefake.Call) {
	t.Helper()
	var bodies []json.RawMessage
	for _, c := range calls {
		bodies = append(bodies, c.Body)
	}
	got, err := json.MarshalIndent(bodies, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", name+".json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(want, got) {
		t.Fatalf("push bodies differ from %s (-want +got):\n%s", path, cmp.Diff(string(want), string(got)))
	}
}

func TestDeliverGolden(t *testing.T) {
	long := strings.Repeat("word ", 1500) // 7500 characters: two text messages
	for _, tt := range []struct {
		name   string
		key    string
		msg    *relay.Message
		pushes int
	}{
		{"push_text", "user:U1", message("Hello from Relay"), 1},
		{"push_group", "group:C1", message("Hello, group"), 1},
		{"push_long_text", "user:U1", message(long), 1},
		{"push_attachments", "room:R1", message("See attached",
			relay.Attachment{Name: "photo.jpg", ContentType: "image/jpeg", Kind: "image", URL: "https://cdn.example/photo.jpg"},
			relay.Attachment{Name: "scan.png", ContentType: "image/png", Kind: "image", URL: "/api/v1/files/77"},
			relay.Attachment{Name: "notes.pdf", ContentType: "application/pdf", Kind: "file", URL: "/api/v1/files/78"},
			relay.Attachment{Name: "anim.gif", ContentType: "image/gif", Kind: "image", URL: "https://cdn.example/anim.gif"},
			relay.Attachment{Name: "plain.jpg", ContentType: "image/jpeg", Kind: "image", URL: "http://insecure.example/plain.jpg"}), 1},
		{"push_many", "user:U1", message(strings.Repeat("x", 6*MaxTextLength)), 2}, // 6 texts: 5 + 1
		{"push_long_name", "user:U1", &relay.Message{Body: "hi", Author: relay.Author{DisplayName: "Maximilian Alexander von Humboldt-Smith",
			AvatarURL: "https://avatars.example/max.png"}}, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, Config{})
			sent, err := r.conn.Deliverer().Deliver(context.Background(), r.outgoing(1001, tt.key, tt.msg))
			if err != nil {
				t.Fatal(err)
			}
			pushes := r.line.Pushes()
			if len(pushes) != tt.pushes {
				t.Fatalf("%d pushes, want %d", len(pushes), tt.pushes)
			}
			if sent.ExternalID == "" || sent.ResponseCode != 200 {
				t.Fatalf("sent = %+v", sent)
			}
			keys := map[string]bool{}
			for _, p := range pushes {
				if p.Token() != ownToken {
					t.Fatalf("push with token %q", p.Token())
				}
				keys[p.RetryKey] = true
			}
			if len(keys) != tt.pushes {
				t.Fatalf("retry keys %v: one per push wanted", keys)
			}
			golden(t, tt.name, pushes)
		})
	}
}

func TestDeliverSharedUsesOperatorToken(t *testing.T) {
	r := newRig(t, Config{})
	o := r.outgoing(5, "user:U1", message("hi"))
	o.Connector, o.Credentials = r.share, nil
	if _, err := r.conn.Deliverer().Deliver(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if p := r.line.Pushes(); len(p) != 1 || p[0].Token() != sharedToken || p[0].Decode().To != "U1" {
		t.Fatalf("pushes = %+v", p)
	}
}

func TestDeliverRetriedRowIsSentOnce(t *testing.T) {
	r := newRig(t, Config{})
	d := r.conn.Deliverer()
	o := r.outgoing(77, "user:U1", message(strings.Repeat("y", 6*MaxTextLength))) // two pushes
	// First try: LINE takes the first push and fails the second.
	r.line.Script("push", 0, 500)
	if _, err := d.Deliver(context.Background(), o); err == nil {
		t.Fatal("a failing push reported success")
	}
	// The retry sends the first push again with the same key: LINE answers
	// 409, which counts as sent, and only the second push is new.
	sent, err := d.Deliver(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	// A worker that lost its lease sends the whole row once more: all 409.
	again, err := d.Deliver(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	pushes := r.line.Pushes()
	if len(pushes) != 2 {
		t.Fatalf("LINE accepted %d pushes, want 2 (no duplicates)", len(pushes))
	}
	if pushes[0].RetryKey != RetryKey(77, 0) || pushes[1].RetryKey != RetryKey(77, 1) {
		t.Fatalf("retry keys %q, %q", pushes[0].RetryKey, pushes[1].RetryKey)
	}
	if sent.ExternalID == "" || sent.ExternalID != again.ExternalID {
		t.Fatalf("external ids %q and %q: a 409 reports the first delivery's ids", sent.ExternalID, again.ExternalID)
	}
	var conflicts int
	for _, c := range r.line.Calls() {
		if c.Status == 409 {
			conflicts++
		}
	}
	if conflicts != 3 {
		t.Fatalf("%d 409 answers, want 3", conflicts)
	}
}

func TestDeliverErrors(t *testing.T) {
	for _, tt := range []struct {
		name       string
		status     int
		retryAfter string
		permanent  bool
		wait       time.Duration
	}{
		{"rate limited", 429, "7", false, 7 * time.Second},
		{"rate limited without Retry-After", 429, "", false, 0},
		{"server error", 500, "", false, 0},
		{"unavailable", 503, "", false, 0},
		{"bad request", 400, "", true, 0},
		{"bad token", 401, "", true, 0},
		{"forbidden", 403, "", true, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, Config{})
			r.line.Fail("push", 1, tt.status, tt.retryAfter)
			_, err := r.conn.Deliverer().Deliver(context.Background(), r.outgoing(9, "user:U1", message("hi")))
			var de *relay.DeliveryError
			if !errors.As(err, &de) {
				t.Fatalf("err = %v, want a *DeliveryError", err)
			}
			if de.Permanent != tt.permanent || de.RetryAfter != tt.wait || de.ResponseCode != tt.status {
				t.Fatalf("DeliveryError = %+v, want permanent=%v retryAfter=%v code=%d", de, tt.permanent, tt.wait, tt.status)
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("fake failure %d", tt.status)) {
				t.Fatalf("err = %v: LINE's reason is lost", err)
			}
			if strings.Contains(err.Error(), ownToken) {
				t.Fatal("the error carries the token")
			}
		})
	}
	t.Run("network", func(t *testing.T) {
		r := newRig(t, Config{})
		r.conn.cfg.APIURL = "http://127.0.0.1:1" // nothing listens
		_, err := r.conn.Deliverer().Deliver(context.Background(), r.outgoing(9, "user:U1", message("hi")))
		var de *relay.DeliveryError
		if err == nil || errors.As(err, &de) {
			t.Fatalf("err = %v, want a plain (retryable) error", err)
		}
	})
}

func TestDeliverSkipsAndRefusals(t *testing.T) {
	r := newRig(t, Config{})
	d := r.conn.Deliverer()
	deleted := message("gone")
	now := time.Now()
	deleted.DeletedAt = &now
	for _, tt := range []struct {
		name      string
		change    func(o *relay.Outgoing)
		skip      bool
		permanent bool
	}{
		{"update: LINE cannot edit", func(o *relay.Outgoing) { o.Item.Kind = relay.OutboxMessageUpdate }, true, false},
		{"delete: LINE cannot unsend", func(o *relay.Outgoing) { o.Item.Kind = relay.OutboxMessageDelete }, true, false},
		{"message deleted before it went out", func(o *relay.Outgoing) { o.Message = deleted }, true, false},
		{"message gone", func(o *relay.Outgoing) { o.Message = nil }, true, false},
		{"empty message", func(o *relay.Outgoing) { o.Message = message("  \n ") }, true, false},
		{"not a LINE conversation", func(o *relay.Outgoing) { o.Conversation.Key = "channel:123" }, false, true},
		{"malformed id", func(o *relay.Outgoing) { o.Conversation.Key = "user:../../x" }, false, true},
		{"no token", func(o *relay.Outgoing) { o.Credentials = map[string]string{} }, false, true},
		{"webhook row", func(o *relay.Outgoing) { o.Item.Kind = relay.OutboxWebhook }, false, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := r.outgoing(3, "user:U1", message("hi"))
			tt.change(o)
			_, err := d.Deliver(context.Background(), o)
			var de *relay.DeliveryError
			switch {
			case tt.skip && !errors.Is(err, relay.Skip):
				t.Fatalf("err = %v, want Skip", err)
			case tt.permanent && (!errors.As(err, &de) || !de.Permanent):
				t.Fatalf("err = %v, want permanent", err)
			}
		})
	}
	if n := len(r.line.Calls()); n != 0 {
		t.Fatalf("%d calls to LINE", n)
	}
}

func TestSplitText(t *testing.T) {
	for _, tt := range []struct {
		name  string
		in    string
		limit int
		want  []string
	}{
		{"fits", "hello", 5, []string{"hello"}},
		{"blank", " \n ", 5, nil},
		{"at a space", "hello world", 8, []string{"hello", "world"}},
		{"at a line break before a space", "ab cd\nefgh ij", 10, []string{"ab cd", "efgh ij"}},
		{"hard cut", "abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"surrogate pairs count twice and are never cut", "😀😀😀", 5, []string{"😀😀", "😀"}},
		{"a character longer than the limit goes alone", "😀a", 1, []string{"😀", "a"}},
		{"an early space is not worth it", "a bcdefghij", 8, []string{"a bcdefg", "hij"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, SplitText(tt.in, tt.limit)); diff != "" {
				t.Fatalf("SplitText(%q, %d) (-want +got):\n%s", tt.in, tt.limit, diff)
			}
		})
	}
}

// FuzzSplitText checks the splitter's promises on any text: parts within
// the limit, and nothing lost but the whitespace cut at.
func FuzzSplitText(f *testing.F) {
	f.Add("hello world", 4)
	f.Add("日本語のテキスト 😀 and more\nlines", 3)
	f.Add(strings.Repeat("ab ", 100), 7)
	f.Fuzz(func(t *testing.T, s string, limit int) {
		if limit < 2 || limit > 100 || len(s) > 2000 {
			return
		}
		s = strings.ToValidUTF8(s, "?")
		parts := SplitText(s, limit)
		for _, p := range parts {
			if n := len(utf16.Encode([]rune(p))); n > limit {
				t.Fatalf("part %q has %d units, limit %d", p, n, limit)
			}
		}
		strip := func(s string) string { return strings.Join(strings.Fields(s), "") }
		if strip(strings.Join(parts, "")) != strip(s) {
			t.Fatalf("SplitText(%q) = %q lost text", s, parts)
		}
	})
}

func TestRetryKey(t *testing.T) {
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for _, id := range []int64{1, 2, 1 << 40} {
		for n := range 3 {
			k := RetryKey(id, n)
			if !uuid.MatchString(k) {
				t.Fatalf("RetryKey(%d, %d) = %q: not a version 5 UUID", id, n, k)
			}
			if k != RetryKey(id, n) {
				t.Fatal("RetryKey is not stable")
			}
			if seen[k] {
				t.Fatalf("RetryKey(%d, %d) = %q repeats another row's key", id, n, k)
			}
			seen[k] = true
		}
	}
	// Pinned: a change would let rows retried across an upgrade be sent twice.
	if got := RetryKey(12345, 0); got != pinnedRetryKey {
		t.Fatalf("RetryKey(12345, 0) = %q, want %q", got, pinnedRetryKey)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tt := range []struct {
		h    string
		want time.Duration
	}{
		{"", 0}, {"12", 12 * time.Second}, {"junk", 0}, {"-3", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
	} {
		if got := retryAfter(tt.h, now); got != tt.want {
			t.Errorf("retryAfter(%q) = %v, want %v", tt.h, got, tt.want)
		}
	}
}

const pinnedRetryKey = "417432f1-e810-5cbb-b235-486eda7242ed"
