package app

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/relayhq/relay"
)

func TestParseMentions(t *testing.T) {
	tests := []struct {
		body string
		ids  []relay.ID
		all  bool
	}{
		{"hi <@12> and <@34> and <@12>", []relay.ID{12, 34}, false},
		{"@channel look", nil, true},
		{"look @here", nil, true},
		{"(@everyone)", nil, true},
		{"mail me at x@channel.com", nil, false},
		{"@@channel", nil, false},
		{"@channels", nil, false},
		{"<@abc> <@0> <@-1>", nil, false},
		{"`<@5>`", []relay.ID{5}, false},
	}
	for _, tt := range tests {
		ids, all := ParseMentions(tt.body)
		if len(ids) != len(tt.ids) || all != tt.all {
			t.Errorf("ParseMentions(%q) = %v, %v; want %v, %v", tt.body, ids, all, tt.ids, tt.all)
			continue
		}
		for i := range ids {
			if ids[i] != tt.ids[i] {
				t.Errorf("ParseMentions(%q) = %v; want %v", tt.body, ids, tt.ids)
			}
		}
	}
}

func TestValidateEmoji(t *testing.T) {
	for _, ok := range []string{"👍", "🎉", "❤️", "👍🏽", "👨‍👩‍👧", "🇯🇵", "1️⃣", "☕", "🏴󠁧󠁢󠁳󠁣󠁴󠁿"} {
		if err := ValidateEmoji(ok); err != nil {
			t.Errorf("ValidateEmoji(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", ":tada:", "a", "👍 ", "<script>", "1", "\u200d", strings.Repeat("👍", 20), "\xff"} {
		if err := ValidateEmoji(bad); relay.ErrorCode(err) != relay.EINVALID {
			t.Errorf("ValidateEmoji(%q) = %v, want invalid", bad, err)
		}
	}
}

func TestValidateBody(t *testing.T) {
	for body, code := range map[string]string{
		"hello":       "",
		"  padded  ":  "",
		"":            relay.EINVALID,
		" \n\t\u00a0": relay.EINVALID,
		"a\x00b":      relay.EINVALID,
		"\xff":        relay.EINVALID,
		strings.Repeat("字", relay.MaxMessageRunes):   "",
		strings.Repeat("字", relay.MaxMessageRunes+1): relay.ETOOLARGE,
	} {
		if got := relay.ErrorCode(validateBody(body)); got != code {
			t.Errorf("validateBody(len %d) = %q, want %q", len(body), got, code)
		}
	}
}

// FuzzMessageInput: arbitrary text never panics the input checks, and
// whatever passes them is non-blank valid UTF-8 within the limit.
func FuzzMessageInput(f *testing.F) {
	for _, s := range []string{"hi", "<@1>", "@channel", "👍", "", " ", "\x00", "<@99999999999999999999>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if validateBody(s) == nil {
			if !utf8.ValidString(s) || strings.TrimSpace(s) == "" || utf8.RuneCountInString(s) > relay.MaxMessageRunes {
				t.Fatalf("accepted %q", s)
			}
		}
		ids, _ := ParseMentions(s)
		for _, id := range ids {
			if id <= 0 {
				t.Fatalf("mention id %d from %q", id, s)
			}
		}
		if ValidateEmoji(s) == nil && (len(s) > 64 || strings.ContainsAny(s, "abcdefghijklmnopqrstuvwxyz <>")) {
			t.Fatalf("emoji accepted %q", s)
		}
		_, _ = NormalizeChannelName(s)
	})
}
