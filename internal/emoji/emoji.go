package emoji

import (
	_ "embed"
	"encoding/json"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

//go:generate bash ../../scripts/emoji-gen.sh

//go:embed emoji.json
var tableJSON []byte

type entry struct {
	Char  string   `json:"c"`
	Names []string `json:"n"`
}

// byName maps every short name ("+1", "thumbsup", "tada") to its emoji.
var byName = sync.OnceValue(func() map[string]string {
	var t struct {
		Emoji []entry `json:"emoji"`
	}
	if err := json.Unmarshal(tableJSON, &t); err != nil {
		panic("emoji: the embedded table does not parse: " + err.Error())
	}
	m := make(map[string]string, len(t.Emoji)*2)
	for _, e := range t.Emoji {
		for _, n := range e.Names {
			m[n] = e.Char
		}
	}
	return m
})

// Lookup returns the emoji a short name (without colons) stands for.
func Lookup(name string) (string, bool) {
	c, ok := byName()[name]
	return c, ok
}

// maxName bounds the text looked up between two colons; the longest short
// name in the table is well under it.
const maxName = 64

// Replace converts the shortcodes of known emoji in text (":tada:" → 🎉) and
// leaves everything else as it was:
//
//   - unknown names (":nope:"), and names touching a letter, digit or "_" on
//     either side ("a:tada:", ":tada:b", "12:30:45"), so times, Discord's
//     custom emoji "<:name:id>" and "host:8080:tada:" keep their colons;
//   - text in Markdown code: inline code spans (`:tada:`), fenced blocks
//     (``` or ~~~) and indented blocks;
//   - words holding "://" (links), whatever they contain.
//
// The result never has more characters (runes) than the input, so a body
// that passed the length check still passes it. Replace is safe on
// any input; invalid UTF-8 is copied through unchanged.
func Replace(text string) string {
	if !strings.Contains(text, ":") {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	fence := "" // the fence that opened the current fenced block, "" outside
	para := -1  // where the paragraph being gathered starts, -1 for none
	flush := func(end int) {
		if para >= 0 {
			replaceProse(&b, text[para:end])
			para = -1
		}
	}
	for at := 0; at < len(text); {
		next := len(text)
		if i := strings.IndexByte(text[at:], '\n'); i >= 0 {
			next = at + i + 1
		}
		line := text[at:next]
		body := strings.TrimRight(line, "\r\n")
		blank := strings.TrimSpace(body) == ""
		prose := false
		switch {
		case fence != "":
			if closesFence(body, fence) {
				fence = ""
			}
		case openFence(body) != "": // a fence interrupts a paragraph
			fence = openFence(body)
		case blank:
		case para < 0 && indented(body): // indented code, which cannot interrupt a paragraph
		default:
			prose = true
		}
		if prose {
			if para < 0 {
				para = at
			}
		} else {
			flush(at)
			b.WriteString(line)
		}
		at = next
	}
	flush(len(text))
	return b.String()
}

// indented reports a line of an indented code block: four spaces or a tab.
func indented(line string) bool {
	col := 0
	for i := 0; i < len(line) && col < 4; i++ {
		switch line[i] {
		case ' ':
			col++
		case '\t':
			col += 4 - col%4
		default:
			return false
		}
	}
	return col >= 4
}

// openFence returns the fence a line opens (three or more backticks or
// tildes after at most three spaces), or "".
func openFence(line string) string {
	t := strings.TrimLeft(line, " ")
	if len(line)-len(t) > 3 || len(t) < 3 || (t[0] != '`' && t[0] != '~') {
		return ""
	}
	n := 0
	for n < len(t) && t[n] == t[0] {
		n++
	}
	if n < 3 || (t[0] == '`' && strings.ContainsRune(t[n:], '`')) {
		return ""
	}
	return t[:n]
}

// closesFence reports a line that closes a block opened by fence: the same
// character, at least as many times, and nothing else.
func closesFence(line, fence string) bool {
	t := strings.TrimLeft(line, " ")
	if len(line)-len(t) > 3 {
		return false
	}
	n := 0
	for n < len(t) && t[n] == fence[0] {
		n++
	}
	return n >= len(fence) && strings.TrimSpace(t[n:]) == ""
}

// replaceProse copies one paragraph into b, converting shortcodes outside
// inline code spans and links. A backtick run opens a code span only if a
// run of the same length closes it in the paragraph; else it is literal.
func replaceProse(b *strings.Builder, para string) {
	var link linkCache
	for i := 0; i < len(para); {
		c := para[i]
		switch {
		case c == '`':
			n := 1
			for i+n < len(para) && para[i+n] == '`' {
				n++
			}
			if end := closingRun(para[i+n:], n); end >= 0 {
				n += end // the span, its closing run included, stays as it is
			}
			b.WriteString(para[i : i+n])
			i += n
		case c == ':' && !wordBefore(para[:i]):
			if name, ok := shortcode(para[i+1:]); ok && !wordAfter(para[i+2+len(name):]) {
				if e, ok := Lookup(name); ok && !link.in(para, i) {
					b.WriteString(e)
					i += len(name) + 2
					continue
				}
			}
			b.WriteByte(c)
			i++
		default:
			b.WriteByte(c)
			i++
		}
	}
}

// closingRun returns the length of rest up to the end of the first backtick
// run of exactly n, or -1 if there is none.
func closingRun(rest string, n int) int {
	for i := 0; i < len(rest); {
		if rest[i] != '`' {
			i++
			continue
		}
		m := 1
		for i+m < len(rest) && rest[i+m] == '`' {
			m++
		}
		if m == n {
			return i + m
		}
		i += m
	}
	return -1
}

// shortcode returns the name in s up to the next colon, if it is made of
// the characters short names use.
func shortcode(s string) (string, bool) {
	for i := 0; i < len(s) && i <= maxName; i++ {
		c := s[i]
		switch {
		case c == ':':
			return s[:i], i > 0
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '_', c == '+', c == '-':
		default:
			return "", false
		}
	}
	return "", false
}

func isWord(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

func wordBefore(s string) bool {
	r, n := utf8.DecodeLastRuneInString(s)
	return n > 0 && r != utf8.RuneError && isWord(r)
}

func wordAfter(s string) bool {
	r, n := utf8.DecodeRuneInString(s)
	return n > 0 && r != utf8.RuneError && isWord(r)
}

// linkCache answers whether a position is inside a whitespace-separated
// word that holds "://", scanning each word once.
type linkCache struct {
	start, end int // the word last scanned: [start, end)
	link       bool
}

func (c *linkCache) in(s string, i int) bool {
	if i >= c.start && i < c.end {
		return c.link
	}
	c.start = 0
	if sp := strings.LastIndexFunc(s[:i], unicode.IsSpace); sp >= 0 {
		_, n := utf8.DecodeRuneInString(s[sp:])
		c.start = sp + n
	}
	c.end = len(s)
	if e := strings.IndexFunc(s[i:], unicode.IsSpace); e >= 0 {
		c.end = i + e
	}
	c.link = strings.Contains(s[c.start:c.end], "://")
	return c.link
}
