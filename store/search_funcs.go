package store

import (
	"database/sql/driver"
	"fmt"
	"strings"

	"modernc.org/sqlite"

	"github.com/relayhq/relay"
)

// The SQLite search triggers (migrations/sqlite/00012_search.sql) call
// these Go functions, registered with the driver for every connection it
// opens. They are deterministic, so SQLite may use them in triggers and
// index expressions.
func init() {
	sqlite.MustRegisterDeterministicScalarFunction("relay_search_text", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		s, _ := args[0].(string)
		return relay.SearchText(s), nil
	})
	sqlite.MustRegisterDeterministicScalarFunction("relay_search_spaceless", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		s, _ := args[0].(string)
		return relay.HasSpaceless(s), nil
	})
	sqlite.MustRegisterDeterministicScalarFunction("relay_search_scope", 4, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		channel, _ := args[0].(int64)
		author, _ := args[1].(int64)
		mentions, _ := args[2].(string)
		body, _ := args[3].(string)
		return searchScope(channel, author, mentions, body), nil
	})
}

// searchScope is the scope column of message_words: the tokens that let
// filters run inside the full-text index (c<channel>, a<author>,
// m<mentioned user>, haslink).
func searchScope(channel, author int64, mentionIDs, body string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "c%d a%d", channel, author)
	if ids, err := decodeIDs(mentionIDs); err == nil {
		for _, id := range ids {
			fmt.Fprintf(&b, " m%d", id)
		}
	}
	if hasLink(body) {
		b.WriteString(" " + scopeLink)
	}
	return b.String()
}

const scopeLink = "haslink"

// hasLink reports whether a body holds a web link (has:link); SearchMessages
// applies the same rule in SQL.
func hasLink(body string) bool {
	l := strings.ToLower(body)
	return strings.Contains(l, "http://") || strings.Contains(l, "https://")
}
