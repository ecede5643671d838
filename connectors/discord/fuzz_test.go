package discord

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

// FuzzInbound feeds MESSAGE_CREATE payloads (the d of the dispatch, as the
// gateway sends them) through discordgo's decoding and Relay's mapping.
func FuzzInbound(f *testing.F) {
	for _, seed := range []string{
		`{"id":"1","channel_id":"2","guild_id":"3","content":"hi <@4> <#2> <:x:5>","type":0,"author":{"id":"4","username":"a","global_name":"A"},"mentions":[{"id":"4","username":"a"}],"member":{"nick":"N"}}`,
		`{"id":"1","channel_id":"2","guild_id":"3","content":"","type":19,"author":{"id":"4","username":"a","avatar":"abc"},"attachments":[{"id":"9","filename":"../x.png","url":"https://cdn.discordapp.com/x.png","content_type":"image/png; charset=x"}],"sticker_items":[{"id":"77","name":"s","format_type":4}]}`,
		`{"id":"1","channel_id":"2","guild_id":"3","content":"x","webhook_id":"8","author":{"id":"8","username":"w","bot":true}}`,
		`{"id":"1","channel_id":"2","content":"dm","author":{"id":"4","username":"a"}}`,
		`{"id":"1","channel_id":"2","guild_id":"3","content":"<@!99999999999999999999999>","author":{"id":"4"},"mentions":[null]}`,
		`{"id":"1","channel_id":"2","guild_id":"3","author":null}`,
		`{"attachments":[null],"sticker_items":[null,{"id":"../../x"}]}`,
		`[]`, `null`, `{"content":1}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var m discordgo.Message
		if json.Unmarshal(data, &m) != nil {
			return
		}
		if !accepted(&m, "4242") {
			return
		}
		if m.WebhookID != "" || m.Author.Bot || m.Author.ID == "4242" || m.GuildID == "" {
			t.Fatalf("accepted %+v", m)
		}
		in := toExternalIn(&m, func(id string) string { return "chan" })
		if in.ConversationKey != "channel:"+m.ChannelID || in.MessageID != m.ID || in.From.ExternalID != m.Author.ID {
			t.Fatalf("mapping %+v of %+v", in, m)
		}
		if len(in.Files) > maxInboundFiles {
			t.Fatalf("%d files", len(in.Files))
		}
		for _, file := range in.Files {
			if !strings.HasPrefix(file.URL, "https://") || len(file.Data) != 0 {
				t.Fatalf("file %+v", file)
			}
			switch file.Kind {
			case "image", "video", "audio", "file", "sticker":
			default:
				t.Fatalf("kind %q", file.Kind)
			}
			if strings.Contains(file.URL, "/stickers/") && strings.Contains(strings.TrimPrefix(file.URL, "https://media.discordapp.net/stickers/"), "/") {
				t.Fatalf("sticker URL %q escapes its path", file.URL)
			}
		}
		if utf8.ValidString(m.Content) && !utf8.ValidString(in.Body) {
			t.Fatalf("body %q became invalid UTF-8", in.Body)
		}
		if !strings.HasPrefix(in.From.AvatarURL, "https://cdn.discordapp.com/") {
			t.Fatalf("avatar %q", in.From.AvatarURL)
		}
	})
}

func FuzzSplit(f *testing.F) {
	f.Add("hello world", 5)
	f.Add("😀a😀\n😀 b", 3)
	f.Add(strings.Repeat("x y\n", 100), 7)
	f.Fuzz(func(t *testing.T, s string, limit int) {
		if limit < 1 || limit > 5000 || len(s) > 20000 {
			return
		}
		parts := Split(s, limit)
		if len(parts) == 0 {
			t.Fatal("no parts")
		}
		if strings.TrimSpace(s) == "" { // blank text: one empty part, nothing to send
			if len(parts) != 1 || parts[0] != "" {
				t.Fatalf("Split(%q) = %q, want one empty part", s, parts)
			}
			return
		}
		var joined strings.Builder
		for _, p := range parts {
			rs := []rune(p)
			if n := len(utf16.Encode(rs)); n > limit && len(rs) > 1 {
				t.Fatalf("part %q has %d units > %d", p, n, limit)
			}
			joined.WriteString(p)
		}
		strip := strings.NewReplacer(" ", "", "\n", "")
		if strip.Replace(joined.String()) != strip.Replace(string([]rune(s))) {
			t.Fatalf("parts %q do not add up to %q", parts, s)
		}
	})
}

func FuzzWebhookUsername(f *testing.F) {
	for _, s := range []string{"Carol", "discord", "DiScOrD clyde", "@everyone", "a```b", "`@``", "`#`:`", "ſ", "  \n "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got := WebhookUsername(name)
		if n := utf8.RuneCountInString(got); n < 1 || n > 80 {
			t.Fatalf("%q → %q: %d characters", name, got, n)
		}
		l := strings.ToLower(got)
		for _, bad := range []string{"discord", "clyde", "@", "#", ":", "```"} {
			if strings.Contains(l, bad) {
				t.Fatalf("%q → %q contains %q", name, got, bad)
			}
		}
		if l == "everyone" || l == "here" {
			t.Fatalf("%q → %q", name, got)
		}
	})
}
