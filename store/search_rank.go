package store

import (
	"math"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/relayhq/relay"
)

// SQLite's relevance is computed here, not by FTS5's bm25(): before it
// ranks a single row, bm25() counts every document that holds each term of
// the query (~25–30 ms for a word in half of a million messages;
// docs/perf.md, "Search"), while a search ranks at most
// relay.SearchCandidates+1 candidates. rankCandidates scores those with
// BM25 taking the candidates as the collection: term frequency, saturated
// (k1), against the message's length (its folded text's bytes) relative to
// the candidates' average (b). Every candidate holds every term, so each term weighs alike; the
// score orders by how often and how densely a message uses them, the
// newest first among equals.

const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// candidate is a message found, with its body to score.
type candidate struct {
	id    relay.ID
	body  string
	score float64
}

// searchFold is how the scorer compares text: the word index's text
// (relay.SearchText), accents removed (as unicode61 remove_diacritics and
// the trigram tokenizer do) and lower-cased. Only text with letters that
// carry accents (Latin, Greek, Cyrillic) pays for the decomposition.
func searchFold(s string) string {
	s = relay.SearchText(s)
	accents := false
	for _, r := range s {
		if r >= 0xC0 && r <= 0x4FF || r >= 0x1E00 && r <= 0x1FFF {
			accents = true
			break
		}
	}
	if !accents {
		return strings.ToLower(s)
	}
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Mn, r) {
			return -1
		}
		return unicode.ToLower(r)
	}, norm.NFD.String(s))
}

// searchTokens splits folded text into words as unicode61 does: runs of
// letters and digits (each spaceless character stands alone already).
func searchTokens(folded string) []string {
	return strings.FieldsFunc(folded, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
}

// termFreq counts a term's occurrences in a body's folded text and tokens.
func termFreq(p searchPart, q []string, folded string, toks []string) int {
	if p.gram {
		return strings.Count(folded, searchFold(p.term.Text))
	}
	if len(q) == 0 {
		return 0
	}
	n := 0
	for i := 0; i+len(q) <= len(toks); i++ {
		ok := true
		for j, w := range q {
			last := j == len(q)-1
			if toks[i+j] != w && !(last && p.term.Prefix && strings.HasPrefix(toks[i+j], w)) {
				ok = false
				break
			}
		}
		if ok {
			n++
		}
	}
	return n
}

// rankCandidates sorts cs best match first, the newest (largest id) first
// among equals.
func rankCandidates(cs []candidate, terms []searchPart) {
	if len(cs) == 0 {
		return
	}
	qs := make([][]string, len(terms))
	for i, p := range terms {
		if !p.gram {
			qs[i] = searchTokens(searchFold(p.text))
		}
	}
	tf := make([][]int, len(cs))
	lens := make([]int, len(cs))
	df := make([]int, len(terms))
	total := 0
	words := slices.ContainsFunc(terms, func(p searchPart) bool { return !p.gram })
	for c := range cs {
		folded := searchFold(cs[c].body)
		var toks []string
		if words {
			toks = searchTokens(folded)
		}
		// The length BM25 weighs against: bytes of folded text, a measure
		// that needs no tokenizing and scales alike for every message.
		lens[c] = max(len(folded), 1)
		total += lens[c]
		tf[c] = make([]int, len(terms))
		for i, p := range terms {
			tf[c][i] = termFreq(p, qs[i], folded, toks)
			if tf[c][i] > 0 {
				df[i]++
			}
		}
	}
	n := float64(len(cs))
	avg := float64(total) / n
	for c := range cs {
		var score float64
		for i := range terms {
			f := float64(tf[c][i])
			if f == 0 {
				continue
			}
			idf := math.Log(1 + (n-float64(df[i])+0.5)/(float64(df[i])+0.5))
			score += idf * f * (bm25K1 + 1) / (f + bm25K1*(1-bm25B+bm25B*float64(lens[c])/avg))
		}
		cs[c].score = score
	}
	slices.SortStableFunc(cs, func(a, b candidate) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		case a.id > b.id:
			return -1
		case a.id < b.id:
			return 1
		}
		return 0
	})
}
