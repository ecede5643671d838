// Package textsplit cuts long text into the parts a chat platform takes
// (LINE and Discord count characters in UTF-16 code units).
package textsplit

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Split cuts s into parts of at most limit UTF-16 code units: at the last
// line break in the second half of a part when there is one, else at the
// last space there, else at a character boundary (a character longer than
// limit goes alone). The spaces and line breaks a cut falls on are
// dropped; nothing else is. Blank text has no parts. Bytes that are not
// UTF-8 become U+FFFD, so every part is valid text.
func Split(s string, limit int) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	if !utf8.ValidString(s) {
		s = string([]rune(s))
	}
	var parts []string
	for s != "" {
		cut, units := len(s), 0
		for i, r := range s {
			n := utf16.RuneLen(r)
			if n < 0 {
				n = 1
			}
			if units+n > limit {
				cut = i
				break
			}
			units += n
		}
		if cut == len(s) {
			parts = append(parts, s)
			break
		}
		if cut == 0 {
			_, cut = utf8.DecodeRuneInString(s)
		}
		part := s[:cut]
		if i := strings.LastIndexByte(part, '\n'); i > 0 && i >= len(part)/2 {
			cut = i
		} else if i := strings.LastIndexByte(part, ' '); i > 0 && i >= len(part)/2 {
			cut = i
		}
		if p := strings.TrimRight(s[:cut], " \n"); p != "" {
			parts = append(parts, p)
		}
		s = strings.TrimLeft(s[cut:], " \n")
	}
	return parts
}
