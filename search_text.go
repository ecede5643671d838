package relay

import (
	"regexp"
	"strings"
)

// spaceless are the Unicode blocks of scripts written without spaces
// between words (Chinese, Japanese, Thai, Lao, Khmer, Myanmar) and Korean,
// whose words carry particles: search matches their text as substrings
// rather than words. The PostgreSQL migration 00012_search.sql spells the
// same ranges in relay_search_prep and relay_search_spaceless; keep them in
// step.
var spaceless = [][2]rune{
	{0x0E00, 0x0EFF},   // Thai, Lao
	{0x1000, 0x109F},   // Myanmar
	{0x1100, 0x11FF},   // Hangul Jamo
	{0x1780, 0x17FF},   // Khmer
	{0x2E80, 0x2FDF},   // CJK radicals
	{0x3040, 0x31FF},   // Hiragana, Katakana, Bopomofo, Hangul compatibility Jamo
	{0x3400, 0x4DBF},   // CJK extension A
	{0x4E00, 0x9FFF},   // CJK unified ideographs
	{0xAC00, 0xD7AF},   // Hangul syllables
	{0xF900, 0xFAFF},   // CJK compatibility ideographs
	{0xFF66, 0xFF9F},   // halfwidth Katakana
	{0x20000, 0x3FFFF}, // CJK extensions B–H
}

// Spaceless reports whether r belongs to a script written without spaces
// between words (see spaceless).
func Spaceless(r rune) bool {
	if r < 0x0E00 {
		return false
	}
	for _, rg := range spaceless {
		if r >= rg[0] && r <= rg[1] {
			return true
		}
	}
	return false
}

// HasSpaceless reports whether s holds any Spaceless rune.
func HasSpaceless(s string) bool {
	return strings.IndexFunc(s, Spaceless) >= 0
}

var searchMentionRE = regexp.MustCompile(`<@[0-9]+>`)

// SearchText is the text the word index sees for a message body (and a
// query term, so both sides agree): mention markup (<@123>) is dropped —
// mentions are found with mentions: — and every Spaceless rune stands
// alone between spaces, so "日本語" indexes as the words 日, 本, 語 and a
// query of one or two characters matches as a phrase of them. Substrings
// of three or more such characters are found through the trigram index.
func SearchText(s string) string {
	if strings.Contains(s, "<@") {
		s = searchMentionRE.ReplaceAllString(s, " ")
	}
	if !HasSpaceless(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/2)
	for _, r := range s {
		if Spaceless(r) {
			b.WriteByte(' ')
			b.WriteRune(r)
			b.WriteByte(' ')
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
