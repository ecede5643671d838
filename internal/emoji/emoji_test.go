package emoji

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestReplace(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"a shortcode", "Shipped :tada:", "Shipped 🎉"},
		{"alone", ":tada:", "🎉"},
		{"aliases", ":+1: :thumbsup: :-1:", "👍 👍 👎"},
		{"side by side", ":+1::tada:", "👍🎉"},
		{"skin tone", ":+1::skin-tone-3:", "👍🏼"},
		{"in punctuation", "(:tada:) yes, :fire:!", "(🎉) yes, 🔥!"},
		{"over lines", "a\n:tada:\nb :heart:", "a\n🎉\nb ❤️"},
		{"unknown stays", ":nope_not_an_emoji: :tada:", ":nope_not_an_emoji: 🎉"},
		{"capitals are not names", ":TADA:", ":TADA:"},
		{"touching a word before", "a:tada:", "a:tada:"},
		{"touching a word after", ":tada:b", ":tada:b"},
		{"touching a letter of any script", "é:tada: :tada:日", "é:tada: :tada:日"},
		{"a time", "at 12:30:45 :clock1:", "at 12:30:45 🕐"},
		{"host and port", "http://x:8080:tada: and x:8080:tada:", "http://x:8080:tada: and x:8080:tada:"},
		{"a link's path", "see https://example.com/:tada:/page :tada:", "see https://example.com/:tada:/page 🎉"},
		{"Discord custom emoji", "<:tada:123456> <a:fire:99>", "<:tada:123456> <a:fire:99>"},
		{"lone colons", ": :: ::: :", ": :: ::: :"},
		{"empty name", "::", "::"},
		{"inline code", "run `:tada:` then :tada:", "run `:tada:` then 🎉"},
		{"double backticks", "``a ` :tada:`` :tada:", "``a ` :tada:`` 🎉"},
		{"code span over lines", "`a\n:tada:` :tada:", "`a\n:tada:` 🎉"},
		{"unclosed backtick is literal", "it`s :tada:", "it`s 🎉"},
		{"code span ends at a blank line", "`a\n\n:tada:`", "`a\n\n🎉`"},
		{"fenced block", "```\n:tada:\n```\n:tada:", "```\n:tada:\n```\n🎉"},
		{"fence with info string", "```go\nx := \":tada:\"\n```", "```go\nx := \":tada:\"\n```"},
		{"tilde fence", "~~~~\n:tada:\n~~~\n:tada:\n~~~~\n:tada:", "~~~~\n:tada:\n~~~\n:tada:\n~~~~\n🎉"},
		{"unclosed fence runs to the end", "```\n:tada:", "```\n:tada:"},
		{"fence interrupts a paragraph", "text\n```\n:tada:\n```", "text\n```\n:tada:\n```"},
		{"CRLF", ":tada:\r\n```\r\n:tada:\r\n```\r\n:tada:", "🎉\r\n```\r\n:tada:\r\n```\r\n🎉"},
		{"indented code", "    :tada:\n\n:tada:", "    :tada:\n\n🎉"},
		{"tab-indented code", "text\n\n\t:tada:", "text\n\n\t:tada:"},
		{"indented continuation of a paragraph is prose", "text\n    :tada:", "text\n    🎉"},
		{"indented code after a fence", "```\nx\n```\n    :tada:", "```\nx\n```\n    :tada:"},
		{"indented code goes on after a blank line", "    :x:\n\n    :tada:\n:fire:", "    :x:\n\n    :tada:\n🔥"},
		{"a mention next to it", "<@123> :tada:", "<@123> 🎉"},
		{"no colon at all", "plain text", "plain text"},
		{"invalid UTF-8 copied through", "\xff:tada:\xfe", "\xff🎉\xfe"},
		{"long name is not looked up", ":" + strings.Repeat("a", 100) + ":", ":" + strings.Repeat("a", 100) + ":"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Replace(tt.in); got != tt.want {
				t.Errorf("Replace(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	for name, want := range map[string]string{"tada": "🎉", "+1": "👍", "thumbsup": "👍", "slightly_smiling_face": "🙂", "flag-jp": "🇯🇵"} {
		if got, ok := Lookup(name); !ok || got != want {
			t.Errorf("Lookup(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
	if got, ok := Lookup("nope_not_an_emoji"); ok {
		t.Errorf("Lookup(nope) = %q, want none", got)
	}
}

// TestTable checks the generated table: names the converter can match, each
// once, and never an emoji of more characters than its shortcode (so
// conversion keeps a body within the length limit it was checked against).
func TestTable(t *testing.T) {
	var table struct {
		Groups []string `json:"groups"`
		Emoji  []struct {
			Char  string   `json:"c"`
			Names []string `json:"n"`
			Group int      `json:"g"`
		} `json:"emoji"`
	}
	if err := json.Unmarshal(tableJSON, &table); err != nil {
		t.Fatal(err)
	}
	if len(table.Emoji) < 1500 {
		t.Fatalf("the table has %d emoji, want the full set", len(table.Emoji))
	}
	seen := map[string]bool{}
	for _, e := range table.Emoji {
		if e.Group < 0 || e.Group >= len(table.Groups) {
			t.Errorf("%s: group %d out of range", e.Char, e.Group)
		}
		for _, n := range e.Names {
			if seen[n] {
				t.Errorf("name %q appears twice", n)
			}
			seen[n] = true
			if got, ok := shortcode(n + ":"); !ok || got != n {
				t.Errorf("name %q cannot be matched", n)
			}
			if code := ":" + n + ":"; utf8.RuneCountInString(e.Char) > utf8.RuneCountInString(code) {
				t.Errorf("%s is longer than %s", e.Char, code)
			}
		}
	}
}

func FuzzReplace(f *testing.F) {
	for _, s := range []string{":tada:", "a:tada:b", "`:tada:` :+1:", "```\n:tada:\n```\n:tada:", "http://x:8080:tada:",
		"    :x:\n\n:x:", ":+1::skin-tone-2:", "``a`b``:fire:", "\xff:tada:", "::::", "~~~\n:a:\n~~~"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := Replace(in)
		if utf8.RuneCountInString(out) > utf8.RuneCountInString(in) {
			t.Fatalf("Replace(%q) = %q grew", in, out)
		}
		if utf8.ValidString(in) && !utf8.ValidString(out) {
			t.Fatalf("Replace(%q) = %q is not valid UTF-8", in, out)
		}
		if !strings.Contains(in, ":") && out != in {
			t.Fatalf("Replace(%q) = %q changed text without a colon", in, out)
		}
		if strings.Count(out, "`") != strings.Count(in, "`") || strings.Count(out, "\n") != strings.Count(in, "\n") {
			t.Fatalf("Replace(%q) = %q changed code markers or lines", in, out)
		}
		if again := Replace(out); again != out {
			t.Fatalf("Replace is not idempotent: %q → %q → %q", in, out, again)
		}
	})
}

func BenchmarkReplace(b *testing.B) {
	body := strings.Repeat("Shipped :tada: at 12:30 — see `:x:` and https://e.com/a:b:c ", 200)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		Replace(body)
	}
}
