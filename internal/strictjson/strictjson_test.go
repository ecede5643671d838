package strictjson

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestCheckDuplicateKeys(t *testing.T) {
	for _, tc := range []struct {
		in        string
		dup       bool
		key, path string
	}{
		{`{}`, false, "", ""},
		{`[]`, false, "", ""},
		{`"a"`, false, "", ""},
		{`null`, false, "", ""},
		{`{"a":1,"b":2}`, false, "", ""},
		{`{"a":1,"A":2}`, false, "", ""}, // keys compare exactly
		{`{"a":{"a":1},"b":{"a":1}}`, false, "", ""},
		{`[{"a":1},{"a":2}]`, false, "", ""},
		{`{"a":[1,{"b":1},[{"c":1}]],"d":"a"}`, false, "", ""},
		{`{"a":"b","b":"a"}`, false, "", ""}, // a value is not a key
		{`{"a":1,"a":2}`, true, "a", ""},
		{`{"a":1,"a":1}`, true, "a", ""},
		{`{"a":1,"\u0061":2}`, true, "a", ""}, // the same key once unescaped
		{`{"":1,"":2}`, true, "", ""},
		{`{"a":{"b":1,"b":2}}`, true, "b", "a"},
		{`{"a":[0,{"c":{},"c":[]}]}`, true, "c", "a[1]"},
		{`[{"x":1},{"y":1,"y":null}]`, true, "y", "[1]"},
		{`{"odd key":{"z":1,"z":2}}`, true, "z", `["odd key"]`},
		{`{"a":{"b":{"c":{"d":1,"e":2,"d":3}}}}`, true, "d", "a.b.c"},
		{`{"a":1,"b":{"a":2},"a":3}`, true, "a", ""},
		{`{"a":1,"a":2`, true, "a", ""}, // found before the syntax error
		{`{"a":`, false, "", ""},        // a syntax error is the decoder's to report
	} {
		err := CheckDuplicateKeys([]byte(tc.in))
		var d *DuplicateKeyError
		switch {
		case !tc.dup && err != nil:
			t.Errorf("%s: got %v, want nil", tc.in, err)
		case tc.dup && !errors.As(err, &d):
			t.Errorf("%s: got %v, want a duplicate key", tc.in, err)
		case tc.dup && (d.Key != tc.key || d.Path != tc.path):
			t.Errorf("%s: got key %q path %q, want %q %q", tc.in, d.Key, d.Path, tc.key, tc.path)
		}
	}
}

// FuzzCheckDuplicateKeys checks the checker never panics, never reports a
// duplicate in JSON that encoding/json wrote itself (from a map, so each key
// once), and always finds one planted at the top of an object.
func FuzzCheckDuplicateKeys(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1,"a":2}`, `[{"a":[{"b":1,"b":2}]}]`, `{"a":`, `"x"`, `{"\u0061":1,"a":2}`, "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		_ = CheckDuplicateKeys([]byte(in))
		var v any
		if json.Unmarshal([]byte(in), &v) != nil {
			return
		}
		canon, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckDuplicateKeys(canon); err != nil {
			t.Fatalf("%s re-encoded as %s: %v", in, canon, err)
		}
		planted := `{"k":` + string(canon) + `,"k":0}`
		var d *DuplicateKeyError
		if err := CheckDuplicateKeys([]byte(planted)); !errors.As(err, &d) || d.Key != "k" || d.Path != "" {
			t.Fatalf("%s: got %v, want duplicate \"k\" at the top", planted, err)
		}
	})
}
