package webhook

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/strictjson"
)

func TestParseIncoming(t *testing.T) {
	tests := []struct {
		name, body string
		want       Incoming
		code       string // "" when valid
	}{
		{name: "text only", body: `{"text":"Deploy finished"}`, want: Incoming{Text: "Deploy finished"}},
		{name: "all fields", body: `{"text":"hi","username":" n8n ","avatar_url":"https://example.com/a.png"}`,
			want: Incoming{Text: "hi", Username: "n8n", AvatarURL: "https://example.com/a.png"}},
		{name: "null optional fields", body: `{"text":"hi","username":null,"avatar_url":null}`, want: Incoming{Text: "hi"}},
		{name: "whitespace around", body: " \n{\"text\":\"hi\"}\n", want: Incoming{Text: "hi"}},
		{name: "max text", body: `{"text":"` + strings.Repeat("é", relay.MaxMessageRunes) + `"}`, want: Incoming{Text: strings.Repeat("é", relay.MaxMessageRunes)}},
		{name: "empty body", body: ``, code: relay.EINVALID},
		{name: "empty object", body: `{}`, code: relay.EINVALID},
		{name: "empty text", body: `{"text":""}`, code: relay.EINVALID},
		{name: "blank text", body: `{"text":" \n\t "}`, code: relay.EINVALID},
		{name: "null text", body: `{"text":null}`, code: relay.EINVALID},
		{name: "text not a string", body: `{"text":5}`, code: relay.EINVALID},
		{name: "text an object", body: `{"text":{"a":1}}`, code: relay.EINVALID},
		{name: "unknown field", body: `{"text":"hi","channel":"#general"}`, code: relay.EINVALID},
		{name: "Slack-style attachments", body: `{"text":"hi","attachments":[]}`, code: relay.EINVALID},
		{name: "not JSON", body: `text=hi`, code: relay.EINVALID},
		{name: "truncated", body: `{"text":"hi"`, code: relay.EINVALID},
		{name: "array", body: `[{"text":"hi"}]`, code: relay.EINVALID},
		{name: "string", body: `"hi"`, code: relay.EINVALID},
		{name: "null", body: `null`, code: relay.EINVALID},
		{name: "two objects", body: `{"text":"a"}{"text":"b"}`, code: relay.EINVALID},
		{name: "trailing garbage", body: `{"text":"a"} x`, code: relay.EINVALID},
		{name: "duplicate key", body: `{"text":"a","text":"b"}`, code: relay.EINVALID},
		{name: "duplicate key escaped", body: `{"text":"a","username":"x","\u0075sername":"y"}`, code: relay.EINVALID},
		{name: "NUL in text", body: `{"text":"a\u0000b"}`, code: relay.EINVALID},
		{name: "text too long", body: `{"text":"` + strings.Repeat("a", relay.MaxMessageRunes+1) + `"}`, code: relay.ETOOLARGE},
		{name: "body too large", body: `{"text":"a","username":"` + strings.Repeat("b", MaxIncomingBody) + `"}`, code: relay.ETOOLARGE},
		{name: "username too long", body: `{"text":"a","username":"` + strings.Repeat("b", 81) + `"}`, code: relay.EINVALID},
		{name: "username with a newline", body: `{"text":"a","username":"a\nb"}`, code: relay.EINVALID},
		{name: "avatar not a URL", body: `{"text":"a","avatar_url":"not a url"}`, code: relay.EINVALID},
		{name: "avatar javascript", body: `{"text":"a","avatar_url":"javascript:alert(1)"}`, code: relay.EINVALID},
		{name: "avatar data URL", body: `{"text":"a","avatar_url":"data:image/png;base64,AAAA"}`, code: relay.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseIncoming([]byte(tt.body))
			if tt.code == "" {
				if err != nil {
					t.Fatalf("ParseIncoming: %v", err)
				}
				if got != tt.want {
					t.Fatalf("got %+v, want %+v", got, tt.want)
				}
				return
			}
			if relay.ErrorCode(err) != tt.code {
				t.Fatalf("error %v (code %q), want code %q", err, relay.ErrorCode(err), tt.code)
			}
			if relay.ErrorMessage(err) == "" || got != (Incoming{}) {
				t.Fatalf("got %+v, message %q", got, relay.ErrorMessage(err))
			}
		})
	}
}

// FuzzParseIncoming feeds arbitrary bodies to the incoming webhook decoder:
// it never panics, every failure is a client error with a message, and
// whatever it accepts is a postable message.
func FuzzParseIncoming(f *testing.F) {
	for _, s := range []string{`{"text":"hi"}`, `{"text":"hi","username":"bot","avatar_url":"https://x.example/a.png"}`,
		`{}`, `{"text":""}`, `{"text":5}`, `{"text":"a","x":1}`, `[]`, `null`, `{`, "\xff", `{"text":"\ud800"}`,
		`{"text":"a"} {}`, `{"text":"a","avatar_url":"ftp://x"}`, `{"TEXT":"case"}`, `{"text":"a\u0000"}`,
		`{"text":"a","text":"b"}`, `{"text":"a","\u0074ext":"b"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := ParseIncoming(body)
		if err != nil {
			code := relay.ErrorCode(err)
			if code != relay.EINVALID && code != relay.ETOOLARGE {
				t.Fatalf("ParseIncoming(%q): code %q, want invalid or too_large (%v)", body, code, err)
			}
			if relay.ErrorMessage(err) == "" {
				t.Fatal("empty message")
			}
			return
		}
		if strictjson.CheckDuplicateKeys(body) != nil {
			t.Fatalf("ParseIncoming(%q) accepted a duplicate key", body)
		}
		if strings.TrimSpace(in.Text) == "" || utf8.RuneCountInString(in.Text) > relay.MaxMessageRunes ||
			!utf8.ValidString(in.Text) || strings.ContainsRune(in.Text, 0) {
			t.Fatalf("accepted an unpostable text %q", in.Text)
		}
		if utf8.RuneCountInString(in.Username) > 80 {
			t.Fatalf("accepted a username of %d characters", utf8.RuneCountInString(in.Username))
		}
		if in.AvatarURL != "" && !strings.HasPrefix(in.AvatarURL, "http://") && !strings.HasPrefix(in.AvatarURL, "https://") {
			t.Fatalf("accepted avatar_url %q", in.AvatarURL)
		}
	})
}
