package search

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNeedsTrigram(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"", false},
		{"deploy", false},
		{"Café crème", false},
		{"Ελληνικά кириллица עברית العربية हिन्दी", false},
		{"ＲＥＬＡＹ 123 🎉", false},
		{"東京", true},
		{"ひらがな", true},
		{"カタカナ", true},
		{"ｶﾀｶﾅ", true},
		{"한국어", true},
		{"ภาษาไทย", true},
		{"ພາສາລາວ", true},
		{"ភាសាខ្មែរ", true},
		{"မြန်မာ", true},
		{"Relayで検索", true},
	}
	for _, tt := range tests {
		if got := NeedsTrigram(tt.s); got != tt.want {
			t.Errorf("NeedsTrigram(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

func TestFold(t *testing.T) {
	tests := []struct{ s, want string }{
		{"", ""},
		{"Deploy", "deploy"},
		{"Café CRÈME brûlée", "cafe creme brulee"},
		{"Cafe\u0301", "cafe"},                     // decomposed accent
		{"Ærøskøbing Straße", "ærøskøbing straße"}, // letters, not accents, stay
		{"İstanbul ŁÓDŹ", "istanbul łodz"},
		{"ΟΔΟΣ Ελλάδα", "οδοσ ελλαδα"}, // final sigma and tonos
		{"Ёлка Йогурт", "елка иогурт"},
		{"ＲＥＬＡＹ１２３", "relay123"},             // full-width
		{"ﬁle ①", "file 1"},                  // compatibility forms
		{"ｶﾞｲﾄﾞ", "ガイド"},                     // half-width kana, voicing kept
		{"がぎぐ", "がぎぐ"},                       // the voicing mark is not an accent
		{"ที่นี่ ภาษาไทย", "ที่นี่ ภาษาไทย"}, // Thai vowels and tones are kept
		{"हिन्दी", "हिन्दी"},
		{"東京タワー", "東京タワー"},
	}
	for _, tt := range tests {
		if got := Fold(tt.s); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.s, got, tt.want)
		}
	}
}

func TestSnippet(t *testing.T) {
	w := func(s string) Term { return Term{Text: s} }
	phrase := func(s string) Term { return Term{Text: s, Phrase: true} }
	prefix := func(s string) Term { return Term{Text: s, Prefix: true} }
	names := func(id string) string {
		return map[string]string{"1": "Ana", "2": "<Bob & \"Co\">", "4": " Ana\n\tMaria  Lima ", "5": strings.Repeat("x", 100)}[id]
	}
	long := "The quick brown fox jumps over the lazy dog again and again until the error budget is exhausted, then we deploy the fix and sleep."

	tests := []struct {
		name  string
		body  string
		terms []Term
		max   int
		names func(string) string
		want  string
	}{
		// Words.
		{name: "word", body: "Deploy the fix", terms: []Term{w("deploy")}, want: "<mark>Deploy</mark> the fix"},
		{name: "every match", body: "deploy, then DEPLOY again", terms: []Term{w("Deploy")}, want: "<mark>deploy</mark>, then <mark>DEPLOY</mark> again"},
		{name: "whole words only", body: "redeploy deployment deploy", terms: []Term{w("deploy")}, want: "redeploy deployment <mark>deploy</mark>"},
		{name: "prefix marks the whole word", body: "redeploy deployment deploy", terms: []Term{prefix("deploy")}, want: "redeploy <mark>deployment</mark> <mark>deploy</mark>"},
		{name: "several terms", body: "the fix for the deploy", terms: []Term{w("deploy"), w("fix")}, want: "the <mark>fix</mark> for the <mark>deploy</mark>"},
		{name: "no match", body: "nothing here", terms: []Term{w("deploy")}, want: "nothing here"},
		{name: "no terms", body: "nothing here", want: "nothing here"},
		{name: "empty body", body: "", terms: []Term{w("deploy")}, want: ""},
		{name: "empty term ignored", body: "a b", terms: []Term{w(""), w("b")}, want: "a <mark>b</mark>"},
		{name: "punctuation around words", body: "(deploy)! deploy.", terms: []Term{w("deploy")}, want: "(<mark>deploy</mark>)! <mark>deploy</mark>."},
		{name: "term with punctuation is a sequence", body: "send an e-mail or an e mail", terms: []Term{w("e-mail")}, want: "send an <mark>e-mail</mark> or an <mark>e mail</mark>"},
		{name: "symbol term", body: "shipped 🎉🎉", terms: []Term{w("🎉")}, want: "shipped <mark>🎉🎉</mark>"},

		// Accents and case.
		{name: "term without accent", body: "Café crème", terms: []Term{w("cafe"), w("CREME")}, want: "<mark>Café</mark> <mark>crème</mark>"},
		{name: "term with accent", body: "the cafe", terms: []Term{w("Café")}, want: "the <mark>cafe</mark>"},
		{name: "decomposed accent stays inside the mark", body: "Cafe\u0301 au lait", terms: []Term{w("cafe")}, want: "<mark>Cafe\u0301</mark> au lait"},
		{name: "full-width Latin", body: "ＲＥＬＡＹ rocks", terms: []Term{w("relay")}, want: "<mark>ＲＥＬＡＹ</mark> rocks"},
		{name: "Greek final sigma", body: "ΟΔΟΣ οδος", terms: []Term{w("οδος")}, want: "<mark>ΟΔΟΣ</mark> <mark>οδος</mark>"},

		// Phrases.
		{name: "phrase", body: "the error budget, error-budget and error of budget", terms: []Term{phrase("error budget")},
			want: "the <mark>error budget</mark>, <mark>error-budget</mark> and error of budget"},
		{name: "phrase of whole words", body: "terror budgets", terms: []Term{phrase("error budget")}, want: "terror budgets"},
		{name: "phrase prefix", body: "error budgets", terms: []Term{{Text: "error budg", Phrase: true, Prefix: true}}, want: "<mark>error budgets</mark>"},
		{name: "phrase across a newline", body: "error\n  budget", terms: []Term{phrase("error budget")}, want: "<mark>error budget</mark>"},

		// No-space scripts: substrings.
		{name: "Japanese substring", body: "東京タワーに行きました", terms: []Term{w("タワー")}, want: "東京<mark>タワー</mark>に行きました"},
		{name: "Japanese phrase with a space finds it without", body: "東京タワーに", terms: []Term{phrase("東京 タワー")}, want: "<mark>東京タワー</mark>に"},
		{name: "touching matches merge", body: "東京タワー", terms: []Term{w("東京"), w("タワー")}, want: "<mark>東京タワー</mark>"},
		{name: "voicing mark is not an accent", body: "かがみ", terms: []Term{w("か")}, want: "<mark>か</mark>がみ"},
		{name: "half-width kana", body: "ｶﾞｲﾄﾞを読む", terms: []Term{w("ガイド")}, want: "<mark>ｶﾞｲﾄﾞ</mark>を読む"},
		{name: "Latin word next to Japanese", body: "Relayで検索", terms: []Term{w("relay")}, want: "<mark>Relay</mark>で検索"},
		{name: "mixed term", body: "Relayで検索する", terms: []Term{w("Relayで")}, want: "<mark>Relayで</mark>検索する"},
		{name: "Chinese", body: "我们明天部署新版本", terms: []Term{w("部署")}, want: "我们明天<mark>部署</mark>新版本"},
		{name: "Korean", body: "검색이 됩니다", terms: []Term{w("검색")}, want: "<mark>검색</mark>이 됩니다"},
		{name: "Thai substring", body: "ภาษาไทยง่ายมาก", terms: []Term{w("ไทย")}, want: "ภาษา<mark>ไทย</mark>ง่ายมาก"},
		{name: "Thai marks stay with their letter", body: "ที่นี่", terms: []Term{w("ท")}, want: "<mark>ที่</mark>นี่"},

		// HTML safety.
		{name: "script escaped", body: "<script>alert('x')</script>", terms: []Term{w("script")},
			want: "&lt;<mark>script</mark>&gt;alert(&#39;x&#39;)&lt;/<mark>script</mark>&gt;"},
		{name: "entities in the body are text", body: "fish &amp; chips & \"peas\"", terms: []Term{w("amp")},
			want: "fish &amp;<mark>amp</mark>; chips &amp; &#34;peas&#34;"},
		{name: "entity names are not matched", body: "a < b", terms: []Term{w("lt")}, want: "a &lt; b"},

		// Mentions.
		{name: "mentions", body: "hi <@1>, ping <@2> and <@3>", names: names, want: "hi @Ana, ping @&lt;Bob &amp; &#34;Co&#34;&gt; and @unknown"},
		{name: "mentions without names", body: "hi <@1>", want: "hi @unknown"},
		{name: "mention matched", body: "ask <@1> or ana", terms: []Term{w("ana")}, names: names, want: "ask @<mark>Ana</mark> or <mark>ana</mark>"},
		{name: "mention name on one line", body: "<@4>!", names: names, want: "@Ana Maria Lima!"},
		{name: "long name shortened", body: "<@5>", names: names, want: "@" + strings.Repeat("x", 63) + "…"},
		{name: "not mentions", body: "<@abc> <@> <@12 <#3> <@12345678901234567890>", names: names,
			want: "&lt;@abc&gt; &lt;@&gt; &lt;@12 &lt;#3&gt; &lt;@12345678901234567890&gt;"},

		// Text clean-up.
		{name: "whitespace collapsed", body: "  a\n\n  b\tc\x00d\r\n", want: "a b c d"},
		{name: "invalid UTF-8", body: "a\xffb", terms: []Term{w("a")}, want: "<mark>a</mark>\ufffdb"},

		// Windows.
		{name: "short body whole", body: "Deploy the fix", terms: []Term{w("fix")}, max: 14, want: "Deploy the <mark>fix</mark>"},
		{name: "no limit", body: long, terms: []Term{w("sleep")}, max: 0, want: strings.Replace(long, "sleep", "<mark>sleep</mark>", 1)},
		{name: "window around the match", body: long, terms: []Term{phrase("error budget")}, max: 40,
			want: "…until the <mark>error budget</mark> is exhausted, then…"},
		{name: "window at the start", body: long, terms: []Term{w("quick")}, max: 40, want: "The <mark>quick</mark> brown fox jumps over the lazy…"},
		{name: "window at the end", body: long, terms: []Term{w("sleep")}, max: 40, want: "…exhausted, then we deploy the fix and <mark>sleep</mark>."},
		{name: "no match shows the start", body: long, terms: []Term{w("absent")}, max: 40, want: "The quick brown fox jumps over the lazy…"},
		{name: "match longer than the window", body: long, terms: []Term{phrase("the quick brown fox jumps over the lazy dog")}, max: 20,
			want: "<mark>The quick brown fox</mark>…"},
		{name: "window does not cut a mention", body: "<@4> says the quick fox", terms: []Term{w("quick")}, max: 10, names: names,
			want: "…<mark>quick</mark> fox"},
		{name: "Japanese window", body: strings.Repeat("東京", 100) + "タワー" + strings.Repeat("東京", 100), terms: []Term{w("タワー")}, max: 20,
			want: "…京東京東京<mark>タワー</mark>東京東京東京東京東京東京…"},
		{name: "Thai window keeps marks with letters", body: strings.Repeat("ที่", 100) + "ไทย" + strings.Repeat("ที่", 100), terms: []Term{w("ไทย")}, max: 20,
			want: "…ที่ที่<mark>ไทย</mark>ที่ที่ที่ที่…"},
		{name: "long word cut", body: "Supercalifragilisticexpialidociousandevenlongerwordwithoutspaces here is deploy", terms: []Term{w("deploy")}, max: 20,
			want: "…here is <mark>deploy</mark>"},
		{name: "long body", body: strings.Repeat("word ", 2000) + "needle " + strings.Repeat("word ", 2000), terms: []Term{w("needle")}, max: 30,
			want: "…word word <mark>needle</mark> word word word…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Snippet(tt.body, tt.terms, tt.max, tt.names)
			if got != tt.want {
				t.Errorf("Snippet(%q, %+v, %d):\n got %q\nwant %q", tt.body, tt.terms, tt.max, got, tt.want)
			}
			checkSnippet(t, got)
		})
	}
}

// checkSnippet fails t unless s is valid UTF-8, holds no markup but
// balanced, unnested, non-empty marks, and escapes every & as an entity.
func checkSnippet(t *testing.T, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("snippet %q is not valid UTF-8", s)
	}
	plain := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(s)
	if strings.ContainsAny(plain, "<>\"'") {
		t.Fatalf("snippet %q holds markup or quotes besides marks", s)
	}
	for i := strings.IndexByte(plain, '&'); i >= 0; i = strings.IndexByte(plain, '&') {
		ok := false
		for _, e := range []string{"&amp;", "&lt;", "&gt;", "&#34;", "&#39;"} {
			if strings.HasPrefix(plain[i:], e) {
				ok, plain = true, plain[i+len(e):]
				break
			}
		}
		if !ok {
			t.Fatalf("snippet %q holds a bare &", s)
		}
	}
	open := false
	for rest := s; rest != ""; {
		switch {
		case strings.HasPrefix(rest, "<mark></mark>"):
			t.Fatalf("snippet %q holds an empty mark", s)
		case strings.HasPrefix(rest, "<mark>"):
			if open {
				t.Fatalf("snippet %q nests marks", s)
			}
			open, rest = true, rest[len("<mark>"):]
		case strings.HasPrefix(rest, "</mark>"):
			if !open {
				t.Fatalf("snippet %q closes a mark it did not open", s)
			}
			open, rest = false, rest[len("</mark>"):]
		default:
			rest = rest[1:]
		}
	}
	if open {
		t.Fatalf("snippet %q leaves a mark open", s)
	}
}

func FuzzSnippet(f *testing.F) {
	f.Add("Deploy the fix <@1> & <script>", "deploy|fix", 0, uint8(0))
	f.Add("Café crème, error-budget", "cafe|error budget", 10, uint8(1))
	f.Add("東京タワーに行きました ภาษาไทยง่ายมาก", "タワー|ไทย", 8, uint8(2))
	f.Add("ที่นี่ ｶﾞｲﾄﾞ Cafe\u0301 👨\u200d👩\u200d👧 🎉", "ท|ガイド|cafe|🎉", 3, uint8(4))
	f.Add("a\xffb &amp; <@12345> <@", "amp|a", 1, uint8(7))
	f.Add(strings.Repeat("word ", 100)+"needle", "needle", 20, uint8(3))
	names := func(id string) string {
		if id == "1" {
			return "<Ana & 'Bo'>"
		}
		return ""
	}
	f.Fuzz(func(t *testing.T, body, terms string, maxRunes int, flags uint8) {
		var ts []Term
		for i, s := range strings.Split(terms, "|") {
			ts = append(ts, Term{Text: s, Phrase: flags>>(i%8)&1 == 1, Prefix: flags>>((i+1)%8)&1 == 1})
		}
		checkSnippet(t, Snippet(body, ts, maxRunes%300, names))
	})
}

func BenchmarkSnippet(b *testing.B) {
	body := strings.Repeat("The quick brown fox jumps over the lazy dog. 東京タワーに行きました。 ", 50) +
		"the error budget is exhausted, <@1> will deploy"
	terms := []Term{{Text: "error budget", Phrase: true}, {Text: "deploy", Prefix: true}, {Text: "タワー"}}
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		Snippet(body, terms, 200, func(string) string { return "Ana" })
	}
}
