package bench

import (
	"testing"
	"time"
)

func TestParseFrame(t *testing.T) {
	for _, c := range []struct {
		in                             string
		joinRef, ref, topic, event, pl string
		ok                             bool
	}{
		{`["3","7","channel:9","phx_reply",{"status":"ok","response":{}}]`, "3", "7", "channel:9", "phx_reply", `{"status":"ok","response":{}}`, true},
		{`[null,null,"channel:9","message:new",{"body":"x"}]`, "", "", "channel:9", "message:new", `{"body":"x"}`, true},
		{` [ "1" , null , "t" , "e" , {} ] `, "1", "", "t", "e", `{}`, true},
		{`["1","2","a\"b","e",{}]`, "1", "2", `a"b`, "e", `{}`, true}, // escapes: the slow path
		{`{"topic":"x"}`, "", "", "", "", "", false},
		{`["1","2","t"]`, "", "", "", "", "", false},
	} {
		f, ok := parseFrame([]byte(c.in))
		if ok != c.ok {
			t.Errorf("%s: ok = %v, want %v", c.in, ok, c.ok)
			continue
		}
		if !ok {
			continue
		}
		if string(f.joinRef) != c.joinRef || string(f.ref) != c.ref || string(f.topic) != c.topic ||
			string(f.event) != c.event || string(f.payload) != c.pl {
			t.Errorf("%s: got %q %q %q %q %s", c.in, f.joinRef, f.ref, f.topic, f.event, f.payload)
		}
	}
}

func TestBodyRoundTrip(t *testing.T) {
	body := makeBody(123456789*time.Nanosecond, 100)
	if len(body) != 100 {
		t.Fatalf("len = %d, want 100", len(body))
	}
	msg := append(append([]byte(`{"id":"1","seq":4,"body":"`), body...), `","client_msg_id":"b0-1"}`...)
	got, ok := sentAt(msg)
	if !ok || got != 123456789 {
		t.Errorf("sentAt = %v, %v; want 123456789ns", got, ok)
	}
	if _, ok := sentAt([]byte(`{"body":"hello"}`)); ok {
		t.Error("a foreign message was taken for the tool's")
	}
}

func TestReplyStatus(t *testing.T) {
	if ok, _ := replyStatus([]byte(`{"status":"ok","response":{"message":{}}}`)); !ok {
		t.Error("ok reply read as an error")
	}
	ok, kind := replyStatus([]byte(`{"status":"error","response":{"reason":"Join the channel.","code":"forbidden"}}`))
	if ok || kind != "forbidden" {
		t.Errorf("error reply: %v %q, want false forbidden", ok, kind)
	}
}
