package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/relayhq/relay"
)

// TestDecodeDuplicateKeys checks the strict decoder refuses a key named
// twice in one object at every depth, and says which key and where.
func TestDecodeDuplicateKeys(t *testing.T) {
	type inner struct {
		A int `json:"a"`
		B int `json:"b"`
	}
	type body struct {
		Name  string            `json:"name"`
		In    inner             `json:"in"`
		List  []inner           `json:"list"`
		Extra map[string]string `json:"extra"`
	}
	for _, tc := range []struct {
		in, msg string // msg "": accepted
	}{
		{`{"name":"x","in":{"a":1,"b":2},"list":[{"a":1},{"a":2}],"extra":{"a":"1","A":"2"}}`, ""},
		{`{"name":"x","name":"y"}`, `Duplicate key "name": each key may appear only once in an object.`},
		{`{"name":"x","\u006eame":"y"}`, `Duplicate key "name": each key may appear only once in an object.`},
		{`{"in":{"a":1,"a":2}}`, `Duplicate key "a" in in: each key may appear only once in an object.`},
		{`{"list":[{"a":1},{"b":1,"b":1}]}`, `Duplicate key "b" in list[1]: each key may appear only once in an object.`},
		{`{"extra":{"k":"1","k":"2"}}`, `Duplicate key "k" in extra: each key may appear only once in an object.`},
		{`{"in":{"a":1},"in":{"b":2}}`, `Duplicate key "in": each key may appear only once in an object.`},
	} {
		r, _ := http.NewRequest("POST", "/", strings.NewReader(tc.in))
		var v body
		err := decode(r, &v)
		switch {
		case tc.msg == "" && err != nil:
			t.Errorf("%s: %v, want accepted", tc.in, err)
		case tc.msg != "" && relay.ErrorCode(err) != relay.EINVALID:
			t.Errorf("%s: code %q, want invalid (%v)", tc.in, relay.ErrorCode(err), err)
		case tc.msg != "" && relay.ErrorMessage(err) != tc.msg:
			t.Errorf("%s: message %q, want %q", tc.in, relay.ErrorMessage(err), tc.msg)
		}
	}
}
