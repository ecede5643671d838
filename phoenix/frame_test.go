package phoenix

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// golden compares got with testdata/<name>.golden, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./phoenix -run %s -update to create it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s:\ngot:\n%s\nwant:\n%s", name, path, got, want)
	}
}

// dump renders a decode result readably for a golden file.
func dump(m Message, err error) []byte {
	var b strings.Builder
	field := func(name, v string) {
		if v == "" {
			fmt.Fprintf(&b, "%-8s null\n", name+":")
		} else {
			fmt.Fprintf(&b, "%-8s %q\n", name+":", v)
		}
	}
	if err != nil {
		fmt.Fprintf(&b, "error:   %v\n", err)
	}
	field("join_ref", m.JoinRef)
	field("ref", m.Ref)
	field("topic", m.Topic)
	field("event", m.Event)
	if m.Payload != nil {
		fmt.Fprintf(&b, "payload: %s\n", m.Payload)
	}
	return []byte(b.String())
}

var decodeCases = []struct{ name, in string }{
	{"join", `["1","1","room:lobby","phx_join",{"token":"abc"}]`},
	{"heartbeat", `[null,"2","phoenix","heartbeat",{}]`},
	{"null_payload", `[null,"3","room:1","ping",null]`},
	{"extra_elements", `["1","4","room:1","ev",{},"extra",5]`},
	{"escapes", `["1","5","room:\u00e9\n","ev\"q",{"a":"\u2028"}]`},
	{"whitespace", " [ \"1\" , \"6\" , \"t\" , \"e\" , { \"a\" : 1 } ] \n"},
	{"invalid_json", `["1","7","t"`},
	{"empty", ``},
	{"not_array", `{"topic":"t","event":"e"}`},
	{"json_null", `null`},
	{"short_array", `["1","8","t","e"]`},
	{"number_ref", `["1",8,"t","e",{}]`},
	{"number_join_ref", `[1,"9","t","e",{}]`},
	{"topic_not_string", `["1","10",5,"e",{}]`},
	{"event_not_string", `["1","11","t",null,{}]`},
	{"payload_array", `["1","12","t","e",[1]]`},
	{"payload_string", `["1","13","t","e","x"]`},
}

func TestDecodeFrameGolden(t *testing.T) {
	for _, tc := range decodeCases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := DecodeFrame([]byte(tc.in))
			var fe *FrameError
			if err != nil && !errors.As(err, &fe) {
				t.Fatalf("error %v is not a *FrameError", err)
			}
			golden(t, "decode_"+tc.name, dump(m, err))
		})
	}
}

var encodeCases = []struct {
	name string
	m    Message
}{
	{"heartbeat_reply", Message{Ref: "2", Topic: "phoenix", Event: "phx_reply", Payload: json.RawMessage(`{"status":"ok","response":{}}`)}},
	{"join_reply", Message{JoinRef: "1", Ref: "1", Topic: "room:lobby", Event: "phx_reply", Payload: json.RawMessage(`{"status":"ok","response":{"id":"42"}}`)}},
	{"error_reply", Message{Ref: "7", Topic: "room:2", Event: "phx_reply", Payload: json.RawMessage(`{"status":"error","response":{"reason":"unmatched topic"}}`)}},
	{"push", Message{JoinRef: "1", Topic: "room:lobby", Event: "presence_state", Payload: json.RawMessage(`{"u1":{"metas":[{"phx_ref":"AAAA"}]}}`)}},
	{"broadcast", Message{Topic: "channel:9", Event: "message:new", Payload: json.RawMessage(`{"seq":3}`)}},
	{"phx_close", Message{JoinRef: "5", Ref: "5", Topic: "room:1", Event: "phx_close"}},
	{"escapes", Message{JoinRef: "1", Ref: "2", Topic: "a\"b\\c\nd\te\x01f\u2028g\u2029h<&>é", Event: "bad\xffutf8"}},
}

func TestEncodeFrameGolden(t *testing.T) {
	for _, tc := range encodeCases {
		t.Run(tc.name, func(t *testing.T) {
			got := AppendFrame(nil, tc.m)
			if !json.Valid(got) {
				t.Fatalf("invalid JSON: %s", got)
			}
			golden(t, "encode_"+tc.name, append(got, '\n'))
			// What we write, encoding/json reads back the same (escaping agrees).
			var arr []any
			if err := json.Unmarshal(got, &arr); err != nil {
				t.Fatal(err)
			}
			want := strings.ToValidUTF8(tc.m.Topic, "\uFFFD")
			if arr[2] != want {
				t.Errorf("topic read back as %q, want %q", arr[2], want)
			}
		})
	}
}

// parseFrame reads one unmasked server frame: its opcode and payload.
func parseFrame(t *testing.T, f []byte) (byte, []byte) {
	t.Helper()
	if f[0]&0x80 == 0 {
		t.Fatalf("FIN bit not set: % x", f[:2])
	}
	if f[1]&0x80 != 0 {
		t.Fatal("server frame is masked")
	}
	n, off := uint64(f[1]), 2
	switch n {
	case 126:
		n, off = uint64(binary.BigEndian.Uint16(f[2:])), 4
	case 127:
		n, off = binary.BigEndian.Uint64(f[2:]), 10
	}
	if uint64(len(f)-off) != n {
		t.Fatalf("frame length field %d, payload %d bytes", n, len(f)-off)
	}
	return f[0] & 0x0f, f[off:]
}

func TestEncodeBroadcastFraming(t *testing.T) {
	// Lengths around every boundary of the WebSocket length encoding.
	for _, size := range []int{0, 60, 125, 126, 127, 65535, 65536, 200000} {
		var payload json.RawMessage
		if size > 0 {
			payload = json.RawMessage(`{"x":"` + strings.Repeat("a", size) + `"}`)
		}
		f, err := EncodeBroadcast("t", "e", payload)
		if err != nil {
			t.Fatal(err)
		}
		op, body := parseFrame(t, f)
		if op != opText {
			t.Errorf("size %d: opcode %d, want text", size, op)
		}
		m, err := DecodeFrame(body)
		if err != nil || m.Topic != "t" || m.Event != "e" || m.JoinRef != "" || m.Ref != "" {
			t.Errorf("size %d: decoded %+v, %v", size, m, err)
		}
	}
	if _, err := EncodeBroadcast("t", "e", json.RawMessage(`[1]`)); err == nil {
		t.Error("EncodeBroadcast accepted a non-object payload")
	}
	op, body := parseFrame(t, closeFrame(1009, strings.Repeat("é", 100)))
	if op != opClose || len(body) > 125 || binary.BigEndian.Uint16(body) != 1009 || !json.Valid([]byte(`"`+string(body[2:])+`"`)) {
		t.Errorf("close frame: op %d, %d bytes", op, len(body))
	}
}

func TestDecodeBinaryHeader(t *testing.T) {
	push := append([]byte{0, 1, 2, 6, 2}, "1"+"12"+"room:1"+"ev"+"payload"...)
	jr, ref, topic, err := decodeBinaryHeader(push)
	if err != nil || jr != "1" || ref != "12" || topic != "room:1" {
		t.Errorf("kind 0: %q %q %q %v", jr, ref, topic, err)
	}
	bcast := append([]byte{3, 1, 1, 3, 2, 0, 1}, "4"+"5"+"r:x"+"hi"+"{}"...)
	jr, ref, topic, err = decodeBinaryHeader(bcast)
	if err != nil || jr != "4" || ref != "5" || topic != "r:x" {
		t.Errorf("kind 3: %q %q %q %v", jr, ref, topic, err)
	}
	for _, bad := range [][]byte{nil, {0}, {0, 9, 9, 9, 9, 'a'}, {2, 0, 0}, {3, 1, 1, 1}, {7}} {
		if _, _, _, err := decodeBinaryHeader(bad); err == nil {
			t.Errorf("% x: no error", bad)
		}
	}
}

func FuzzDecodeFrame(f *testing.F) {
	for _, tc := range decodeCases {
		f.Add([]byte(tc.in))
	}
	for _, tc := range encodeCases {
		f.Add(AppendFrame(nil, tc.m))
	}
	f.Add([]byte{0, 1, 1, 1, 1, 'a', 'b', 'c', 'd'})
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _, _, _ = decodeBinaryHeader(data) // must not panic either
		m, err := DecodeFrame(data)
		if err != nil {
			var fe *FrameError
			if !errors.As(err, &fe) {
				t.Fatalf("error %T %v is not a *FrameError", err, err)
			}
			return
		}
		if !isObject(m.Payload) {
			t.Fatalf("decoded payload %q is not an object", m.Payload)
		}
		// Encoding what was decoded and decoding again gives the same message.
		again, err := DecodeFrame(AppendFrame(nil, m))
		if err != nil {
			t.Fatalf("re-decode of %q: %v", AppendFrame(nil, m), err)
		}
		if again.JoinRef != m.JoinRef || again.Ref != m.Ref || again.Topic != m.Topic ||
			again.Event != m.Event || !bytes.Equal(again.Payload, m.Payload) {
			t.Fatalf("round trip changed %+v into %+v", m, again)
		}
	})
}
