package realtime_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/relayhq/relay/realtime"
)

// diffs returns the presence_diff payloads c received, decoded generically.
func diffs(t *testing.T, c *fakeConn) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, f := range c.received(t) {
		if f.Event != "presence_diff" {
			t.Fatalf("unexpected event %q", f.Event)
		}
		var d map[string]any
		if err := json.Unmarshal(f.Payload, &d); err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

// metas builds the phoenix.js shape {"<key>": {"metas": [...]}}.
func metas(key string, ms ...map[string]any) map[string]any {
	list := make([]any, len(ms))
	for i, m := range ms {
		list[i] = m
	}
	return map[string]any{key: map[string]any{"metas": list}}
}

// roundTrip encodes v as JSON and decodes it generically, as a client would.
func roundTrip(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestPresenceTrackUpdateUntrack(t *testing.T) {
	h, _ := newHub(t, realtime.Options{})
	p := realtime.NewPresence(h, realtime.DiffWindow(0))
	watcher := newFakeConn("watcher")
	h.Subscribe("room", watcher, false)
	web, phone := newFakeConn("web"), newFakeConn("phone")

	meta := map[string]any{"device": "web"}
	ref1 := p.Track("room", "u1", web, meta)
	meta["device"] = "changed by caller" // Track copied it
	ref2 := p.Track("room", "u1", phone, map[string]any{"device": "phone"})
	if ref1 == "" || ref1 == ref2 {
		t.Fatalf("refs %q and %q: want distinct, non-empty", ref1, ref2)
	}

	wantState := metas("u1",
		map[string]any{"device": "web", "phx_ref": ref1},
		map[string]any{"device": "phone", "phx_ref": ref2})
	if diff := cmp.Diff(wantState, roundTrip(t, p.State("room"))); diff != "" {
		t.Errorf("state (-want +got):\n%s", diff)
	}

	p.Update("room", "u1", web, map[string]any{"device": "web", "status": "away"})
	var ref3 string
	p.ForEach("room", func(key string, c realtime.Conn, m map[string]any) {
		if c == web {
			ref3 = m["phx_ref"].(string)
		}
	})
	p.Untrack("room", phone)
	p.UntrackAll(web)

	want := []map[string]any{
		{"joins": metas("u1", map[string]any{"device": "web", "phx_ref": ref1}), "leaves": map[string]any{}},
		{"joins": metas("u1", map[string]any{"device": "phone", "phx_ref": ref2}), "leaves": map[string]any{}},
		{
			"joins":  metas("u1", map[string]any{"device": "web", "status": "away", "phx_ref": ref3, "phx_ref_prev": ref1}),
			"leaves": metas("u1", map[string]any{"device": "web", "phx_ref": ref1}),
		},
		{"joins": map[string]any{}, "leaves": metas("u1", map[string]any{"device": "phone", "phx_ref": ref2})},
		{"joins": map[string]any{}, "leaves": metas("u1", map[string]any{"device": "web", "status": "away", "phx_ref": ref3, "phx_ref_prev": ref1})},
	}
	if diff := cmp.Diff(want, diffs(t, watcher)); diff != "" {
		t.Errorf("diffs (-want +got):\n%s", diff)
	}
	if got := roundTrip(t, p.State("room")); len(got) != 0 {
		t.Errorf("state after everyone left = %v", got)
	}
}

func TestPresenceUntrackAllTopics(t *testing.T) {
	h, _ := newHub(t, realtime.Options{})
	p := realtime.NewPresence(h, realtime.DiffWindow(0))
	c := newFakeConn("c")
	p.Track("a", "u1", c, nil)
	p.Track("b", "u1", c, map[string]any{"x": 1})
	p.Track("b", "u2", c, nil) // one conn, two keys on a topic
	watcher := newFakeConn("w")
	h.Subscribe("b", watcher, false)
	p.UntrackAll(c)
	if len(roundTrip(t, p.State("a"))) != 0 || len(roundTrip(t, p.State("b"))) != 0 {
		t.Fatalf("state after UntrackAll: a=%v b=%v", p.State("a"), p.State("b"))
	}
	d := diffs(t, watcher)
	if len(d) != 1 {
		t.Fatalf("got %d diffs on b, want one with both leaves", len(d))
	}
	if leaves := d[0]["leaves"].(map[string]any); len(leaves) != 2 {
		t.Errorf("leaves = %v, want u1 and u2", leaves)
	}
	p.Untrack("a", c) // nothing left: no diff, no panic
}

func TestPresenceForEachMayUpdate(t *testing.T) {
	h, _ := newHub(t, realtime.Options{})
	p := realtime.NewPresence(h, realtime.DiffWindow(0))
	c := newFakeConn("c")
	p.Track("room", "u1", c, map[string]any{"status": "online"})
	p.ForEach("room", func(key string, c realtime.Conn, m map[string]any) {
		p.Update("room", key, c, map[string]any{"status": "away"}) // must not deadlock
	})
	st := roundTrip(t, p.State("room"))
	got := st["u1"].(map[string]any)["metas"].([]any)[0].(map[string]any)
	if got["status"] != "away" || got["phx_ref_prev"] == nil {
		t.Errorf("meta after update = %v", got)
	}
	p.Update("room", "u9", c, nil) // untracked: tracks
	if len(roundTrip(t, p.State("room"))) != 2 {
		t.Errorf("Update of an untracked key did not track it")
	}
}
