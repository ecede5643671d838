package relay_test

import (
	"encoding/json"
	"sync"
	"testing"

	"github.com/relayhq/relay"
)

func TestIDGen(t *testing.T) {
	g := relay.NewIDGen()
	seen := sync.Map{}
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			prev := relay.ID(0)
			for i := 0; i < 5000; i++ {
				id := g.New()
				if id <= prev {
					t.Errorf("not increasing: %d after %d", id, prev)
					return
				}
				prev = id
				if _, dup := seen.LoadOrStore(id, true); dup {
					t.Errorf("duplicate id %d", id)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestIDJSON(t *testing.T) {
	id := relay.ID(250046779036155904)
	b, _ := json.Marshal(struct{ ID relay.ID }{id})
	if string(b) != `{"ID":"250046779036155904"}` {
		t.Fatalf("marshal = %s", b)
	}
	for _, in := range []string{`"250046779036155904"`, `250046779036155904`} {
		var got relay.ID
		if err := json.Unmarshal([]byte(in), &got); err != nil || got != id {
			t.Fatalf("unmarshal %s = %d, %v", in, got, err)
		}
	}
	for _, bad := range []string{`"abc"`, `"-1"`, `"0"`, `1.5`, `"99999999999999999999"`, `true`, `""`} {
		var got relay.ID
		if err := json.Unmarshal([]byte(bad), &got); err == nil {
			t.Errorf("unmarshal %s accepted as %d", bad, got)
		}
	}
}

func FuzzParseID(f *testing.F) {
	for _, s := range []string{"1", "0", "-5", "abc", "9223372036854775807", "9223372036854775808", " 1", "+1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := relay.ParseID(s)
		if err != nil {
			if relay.ErrorCode(err) != relay.EINVALID {
				t.Fatalf("ParseID(%q) code %q", s, relay.ErrorCode(err))
			}
			return
		}
		if id <= 0 {
			t.Fatalf("ParseID(%q) = %d", s, id)
		}
	})
}

func TestErrorHelpers(t *testing.T) {
	tests := []struct {
		err       error
		code, msg string
	}{
		{nil, "", ""},
		{relay.Errorf(relay.ENOTFOUND, "Gone %d", 1), relay.ENOTFOUND, "Gone 1"},
		{json.Unmarshal([]byte("{"), &struct{}{}), relay.EINTERNAL, "Internal error."},
	}
	for _, tt := range tests {
		if got := relay.ErrorCode(tt.err); got != tt.code {
			t.Errorf("ErrorCode(%v) = %q, want %q", tt.err, got, tt.code)
		}
		if got := relay.ErrorMessage(tt.err); got != tt.msg {
			t.Errorf("ErrorMessage(%v) = %q, want %q", tt.err, got, tt.msg)
		}
	}
}
