package search

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/relayhq/relay"
)

// isNoSpace reports whether r belongs to a script written without spaces
// (relay.Spaceless: the one list the indexes use too).
func isNoSpace(r rune) bool { return relay.Spaceless(r) }

// NeedsTrigram reports whether s holds a rune of a script written without
// spaces between words (Chinese, Japanese, Thai, Lao, Khmer, Myanmar) or of
// Hangul: such text is matched as substrings rather than whole words.
func NeedsTrigram(s string) bool {
	for _, r := range s {
		if isNoSpace(r) {
			return true
		}
	}
	return false
}

// Fold returns s lower-cased, in compatibility form (full-width ＡＢＣ and
// half-width ｶﾅ read as ABC and カナ) and without the accents of Latin,
// Greek and Cyrillic letters, so "Café" and "CAFE" fold alike. Marks of
// other scripts are kept: Thai vowels and the Japanese voicing mark are
// letters' parts, not accents (が is not か). The result is NFC.
func Fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	return string(foldAppend(nil, s))
}

// foldAppend appends Fold(s) to b.
func foldAppend(b []byte, s string) []byte {
	var tmp []byte
	base := rune(-1) // the last rune that is not a nonspacing mark
	for _, r := range norm.NFKD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			if base >= 0 && unicode.In(base, unicode.Latin, unicode.Greek, unicode.Cyrillic) {
				continue
			}
		} else {
			base = r
		}
		r = unicode.ToLower(r)
		if r == 'ς' { // Greek final sigma folds like σ
			r = 'σ'
		}
		tmp = utf8.AppendRune(tmp, r)
	}
	return norm.NFC.Append(b, tmp...)
}

// isWordRune reports whether r is part of a word: a letter, a digit or a
// mark (Thai vowels, Devanagari signs).
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.M, r)
}

// joins reports whether r belongs to the character before it: a combining
// mark, or a rune that normalization composes with the one before (the
// half-width voicing mark ﾞ, Hangul vowel jamo). Snippets never split such
// a cluster with a cut or a mark.
func joins(r rune) bool {
	if r < utf8.RuneSelf {
		return false
	}
	if unicode.Is(unicode.M, r) || r >= 0x1F3FB && r <= 0x1F3FF { // marks, emoji skin tones
		return true
	}
	var buf [utf8.UTFMax]byte
	return !norm.NFKC.Properties(buf[:utf8.EncodeRune(buf[:], r)]).BoundaryBefore()
}

const (
	zwj         = '\u200d' // joins emoji into one picture
	ellipsis    = "…"
	maxNameRune = 64 // runes of a mentioned user's name in a snippet
	cutSearch   = 16 // runes a cut may move to fall between words
	hardSearch  = 80 // runes a cut may move to avoid splitting a mention or a cluster
)

// Snippet returns an HTML-safe excerpt of a message body of about maxRunes
// runes (maxRunes <= 0: the whole body) around the first match of any of
// terms, each match wrapped in <mark>…</mark>, and "…" where the body was
// cut. With no match it is the start of the body.
//
// Matching ignores case and accents (see Fold). A word matches whole words;
// a prefix term, the whole word it starts; a phrase, its words in order
// separated by anything that is not a word; a word of a no-space script
// (see NeedsTrigram), any substring. Runs of whitespace read as one space.
//
// Mentions written <@123> read as "@" + names("123"), or "@unknown" when
// names is nil or returns "". The result is valid UTF-8; every character of
// the body and of names is escaped (&<>"'), marks never nest, and no cut
// falls inside a mention, an accented letter or an entity.
func Snippet(body string, terms []Term, maxRunes int, names func(id string) string) string {
	d := newDisplay(body, names)
	marks := d.find(terms)
	ws, we := d.window(marks, maxRunes)
	return d.render(ws, we, marks)
}

// span is a half-open range [s, e) of runes.
type span struct{ s, e int }

// display is a body as a snippet shows it: mentions replaced by names and
// whitespace collapsed, as runes, with the spans of the mentions (which are
// never cut).
type display struct {
	r     []rune
	atoms []span
}

func newDisplay(body string, names func(string) string) *display {
	d := &display{r: make([]rune, 0, len(body))}
	space := false // whitespace seen since the last rune kept
	seen := map[string]string{}
	put := func(r rune) {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			space = len(d.r) > 0
			return
		}
		if space {
			d.r = append(d.r, ' ')
			space = false
		}
		d.r = append(d.r, r)
	}
	for i := 0; i < len(body); {
		if id, n := mentionAt(body[i:]); n > 0 {
			name, ok := seen[id]
			if !ok {
				if names != nil {
					name = cleanName(names(id))
				}
				if name == "" {
					name = "unknown"
				}
				seen[id] = name // a name is looked up once per snippet
			}
			put('@')
			start := len(d.r) - 1
			for _, r := range name {
				put(r)
			}
			d.atoms = append(d.atoms, span{start, len(d.r)})
			i += n
			continue
		}
		r, n := utf8.DecodeRuneInString(body[i:])
		put(r) // an invalid byte decodes as U+FFFD
		i += n
	}
	return d
}

// mentionAt reports the id and length of a mention <@digits> at the start
// of s (the form app.ParseMentions reads), or n == 0.
func mentionAt(s string) (id string, n int) {
	if !strings.HasPrefix(s, "<@") {
		return "", 0
	}
	j := 2
	for j < len(s) && j < 2+19 && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	if j == 2 || j >= len(s) || s[j] != '>' {
		return "", 0
	}
	return s[2:j], j + 1
}

// cleanName makes a name fit one line of a snippet.
func cleanName(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
	if utf8.RuneCountInString(s) > maxNameRune {
		s = string([]rune(s)[:maxNameRune-1]) + ellipsis
	}
	return s
}

// folded is the display text folded (see Fold) cluster by cluster, with
// each folded rune's class and cluster, so a match in folded text marks
// whole characters of the display text.
type folded struct {
	r      []rune
	class  []uint8 // per folded rune: classOf
	cs, ce []int32 // per folded rune: the display span of its cluster
}

// Rune classes, for word boundaries.
const (
	classOther   = iota // not part of a word
	classWord           // a word rune of a spaced script
	classNoSpace        // a word rune of a no-space script
)

func classOf(r rune) uint8 {
	switch {
	case r < utf8.RuneSelf:
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return classWord
		}
		return classOther
	case !isWordRune(r):
		return classOther
	case isNoSpace(r):
		return classNoSpace
	}
	return classWord
}

func (d *display) fold() *folded {
	n := len(d.r)
	f := &folded{r: make([]rune, 0, n), class: make([]uint8, 0, n), cs: make([]int32, 0, n), ce: make([]int32, 0, n)}
	var buf []byte
	for i := 0; i < n; {
		j := i + 1
		for j < n && joins(d.r[j]) {
			j++
		}
		if r := d.r[i]; j == i+1 && (r < utf8.RuneSelf || selfFolding(r)) {
			if r = unicode.ToLower(r); r == 'ς' {
				r = 'σ'
			}
			f.add(r, i, j)
		} else {
			buf = foldAppend(buf[:0], string(d.r[i:j]))
			for _, r := range string(buf) {
				f.add(r, i, j)
			}
		}
		i = j
	}
	return f
}

// selfFolding reports whether r folds to its lower case alone: it has no
// compatibility decomposition (most letters of every script do not).
func selfFolding(r rune) bool {
	var buf [utf8.UTFMax]byte
	return norm.NFKD.Properties(buf[:utf8.EncodeRune(buf[:], r)]).Decomposition() == nil
}

func (f *folded) add(r rune, s, e int) {
	f.r = append(f.r, r)
	f.class = append(f.class, classOf(r))
	f.cs = append(f.cs, int32(s))
	f.ce = append(f.ce, int32(e))
}

// boundary reports whether a word boundary lies before f.r[i]: at either
// end, next to a rune that is not of a word, or between a word of a spaced
// script and one of a no-space script (the "Relay" of "Relayで" is a word).
func (f *folded) boundary(i int) bool {
	return i <= 0 || i >= len(f.r) || f.class[i-1] != f.class[i] || f.class[i] == classOther
}

// pattern is a term ready to match folded text.
type pattern struct {
	words  []pword // the term's words; empty for a term of symbols only
	raw    []rune  // the whole folded term, matched as a substring when words is empty
	prefix bool    // the last word may go on
}

type pword struct {
	r         []rune
	substring bool // of a no-space script: matches anywhere
}

func compile(t Term) (pattern, bool) {
	ft := []rune(Fold(t.Text))
	p := pattern{raw: ft, prefix: t.Prefix}
	for i := 0; i < len(ft); {
		if !isWordRune(ft[i]) {
			i++
			continue
		}
		j := i
		for j < len(ft) && isWordRune(ft[j]) {
			j++
		}
		w := pword{r: ft[i:j]}
		for _, r := range w.r {
			w.substring = w.substring || isNoSpace(r)
		}
		p.words = append(p.words, w)
		i = j
	}
	return p, len(p.words) > 0 || len(strings.TrimSpace(string(ft))) > 0
}

// find returns the display spans of every match of terms, sorted and
// merged so that no two overlap or touch.
func (d *display) find(terms []Term) []span {
	var pats []pattern
	for _, t := range terms {
		if p, ok := compile(t); ok {
			pats = append(pats, p)
		}
	}
	if len(pats) == 0 || len(d.r) == 0 {
		return nil
	}
	f := d.fold()
	var found []span
	for _, p := range pats {
		for i := 0; i < len(f.r); {
			if e := p.matchAt(f, i); e > i {
				found = append(found, span{int(f.cs[i]), int(f.ce[e-1])})
				i = e
			} else {
				i++
			}
		}
	}
	sort.Slice(found, func(i, j int) bool { return found[i].s < found[j].s })
	var marks []span
	for _, s := range found {
		if n := len(marks); n > 0 && s.s <= marks[n-1].e {
			marks[n-1].e = max(marks[n-1].e, s.e)
		} else {
			marks = append(marks, s)
		}
	}
	return marks
}

// matchAt returns the end of a match of p starting at f[i], or -1.
func (p pattern) matchAt(fd *folded, i int) int {
	f := fd.r
	if len(p.words) == 0 {
		if hasAt(f, i, p.raw) {
			return i + len(p.raw)
		}
		return -1
	}
	pos := i
	for k, w := range p.words {
		if k > 0 {
			// Between words of a phrase: anything but word runes; nothing
			// at all next to a no-space word ("東京 タワー" finds 東京タワー).
			q := pos
			for q < len(f) && fd.class[q] == classOther {
				q++
			}
			if q == pos && !w.substring && !p.words[k-1].substring {
				return -1
			}
			pos = q
		}
		if !hasAt(f, pos, w.r) {
			return -1
		}
		end := pos + len(w.r)
		if !w.substring {
			if !fd.boundary(pos) {
				return -1
			}
			if k == len(p.words)-1 && p.prefix {
				for !fd.boundary(end) {
					end++
				}
			} else if !fd.boundary(end) {
				return -1
			}
		}
		pos = end
	}
	return pos
}

func hasAt(f []rune, i int, w []rune) bool {
	if len(w) == 0 || i+len(w) > len(f) {
		return false
	}
	for k, r := range w {
		if f[i+k] != r {
			return false
		}
	}
	return true
}

// window picks the display runes [ws, we) to show: about maxRunes of them,
// starting a little before the first mark, moved to fall between words.
func (d *display) window(marks []span, maxRunes int) (ws, we int) {
	n := len(d.r)
	if maxRunes <= 0 || n <= maxRunes {
		return 0, n
	}
	ms, me := 0, 0
	if len(marks) > 0 {
		ms, me = marks[0].s, marks[0].e
	}
	// A third of the room the match leaves goes before it.
	ws = max(0, ms-max(0, maxRunes-(me-ms))/3)
	we = ws + maxRunes
	if we > n {
		we, ws = n, n-maxRunes
	}
	// The start may move back, or forward up to the match; the end may
	// move forward, or back to the match (or into it, when it is longer
	// than the window), but never to the start.
	ws = d.cut(ws, 0, ms, 0)
	we = d.cut(we, max(min(me, we), ws+1), n, ws+1)
	for ws < we && d.r[ws] == ' ' {
		ws++
	}
	for we > ws && d.r[we-1] == ' ' {
		we--
	}
	return ws, we
}

// cut moves a cut at i to a better place: between words, within cutSearch
// runes and inside [lo, hi] when it can; else out of a mention or a
// cluster, within hardSearch runes and not before floor; else it stays.
func (d *display) cut(i, lo, hi, floor int) int {
	if d.canCut(i) && d.betweenWords(i) {
		return i
	}
	for k := 1; k <= cutSearch; k++ {
		for _, j := range [2]int{i - k, i + k} {
			if j >= lo && j <= hi && d.canCut(j) && d.betweenWords(j) {
				return j
			}
		}
	}
	for k := 0; k <= hardSearch; k++ {
		for _, j := range [2]int{i - k, i + k} {
			if j >= floor && j <= len(d.r) && d.canCut(j) {
				return j
			}
		}
	}
	return i
}

// canCut reports whether text may be cut before d.r[i] without splitting a
// mention, a letter from its marks or an emoji sequence.
func (d *display) canCut(i int) bool {
	if i <= 0 || i >= len(d.r) {
		return true
	}
	for _, a := range d.atoms {
		if a.s < i && i < a.e {
			return false
		}
	}
	return !joins(d.r[i]) && d.r[i] != zwj && d.r[i-1] != zwj
}

// betweenWords reports whether i does not fall inside a word of a spaced
// script (no-space scripts can be cut between any two characters).
func (d *display) betweenWords(i int) bool {
	if i <= 0 || i >= len(d.r) {
		return true
	}
	a, b := d.r[i-1], d.r[i]
	return !isWordRune(a) || !isWordRune(b) || isNoSpace(a) || isNoSpace(b)
}

// render writes display runes [ws, we) escaped, with the marks clipped to
// the window and "…" at each end that cuts the body.
func (d *display) render(ws, we int, marks []span) string {
	var b strings.Builder
	b.Grow((we-ws)*2 + 32)
	if ws > 0 {
		b.WriteString(ellipsis)
	}
	m := 0
	for m < len(marks) && marks[m].e <= ws {
		m++
	}
	for i := ws; i < we; i++ {
		if m < len(marks) && i == max(marks[m].s, ws) {
			b.WriteString("<mark>")
		}
		switch r := d.r[i]; r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&#34;")
		case '\'':
			b.WriteString("&#39;")
		default:
			b.WriteRune(r)
		}
		if m < len(marks) && i >= marks[m].s && (i+1 == marks[m].e || i+1 == we) {
			b.WriteString("</mark>")
			m++
		}
	}
	if we < len(d.r) {
		b.WriteString(ellipsis)
	}
	return b.String()
}
