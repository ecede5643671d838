package bench

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"
)

// frame is a received Phoenix v2 frame, [join_ref, ref, topic, event,
// payload]. The slices point into the read buffer.
type frame struct {
	joinRef, ref, topic, event []byte // nil for JSON null
	payload                    []byte // raw JSON object
}

// parseFrame reads the header of a Phoenix v2 text frame without decoding
// the payload: at hundreds of thousands of frames a second on a machine the
// server shares, a full JSON decode per frame would measure the tool, not
// the server. Strings with escapes (which Relay never puts in refs, topics
// or events) fall back to encoding/json.
func parseFrame(b []byte) (frame, bool) {
	var f frame
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '[' {
		return f, false
	}
	i++
	fields := [4]*[]byte{&f.joinRef, &f.ref, &f.topic, &f.event}
	for _, dst := range fields {
		i = skipSpace(b, i)
		if i >= len(b) {
			return f, false
		}
		switch b[i] {
		case 'n':
			if !bytes.HasPrefix(b[i:], []byte("null")) {
				return f, false
			}
			i += 4
		case '"':
			end := bytes.IndexByte(b[i+1:], '"')
			if end < 0 {
				return f, false
			}
			s := b[i+1 : i+1+end]
			if bytes.IndexByte(s, '\\') >= 0 {
				return parseFrameSlow(b)
			}
			*dst = s
			i += end + 2
		default:
			return f, false
		}
		i = skipSpace(b, i)
		if i >= len(b) || b[i] != ',' {
			return f, false
		}
		i++
	}
	i = skipSpace(b, i)
	end := bytes.LastIndexByte(b, ']')
	if end <= i {
		return f, false
	}
	f.payload = bytes.TrimSpace(b[i:end])
	return f, true
}

func parseFrameSlow(b []byte) (frame, bool) {
	var f frame
	var elems []json.RawMessage
	if json.Unmarshal(b, &elems) != nil || len(elems) < 5 {
		return f, false
	}
	for k, dst := range []*[]byte{&f.joinRef, &f.ref, &f.topic, &f.event} {
		var s *string
		if json.Unmarshal(elems[k], &s) != nil {
			return f, false
		}
		if s != nil {
			*dst = []byte(*s)
		}
	}
	f.payload = elems[4]
	return f, true
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
		i++
	}
	return i
}

// Message bodies the tool sends start with bodyMarker, then the send time
// in nanoseconds since the run's clock origin, then ':'; the rest is
// padding up to Config.Size. Receivers compute latency from it, so it needs
// no shared state between sender and receiver (both are in this process,
// on one monotonic clock).
const bodyMarker = "rlybench:"

var bodyKey = []byte(`"body":"` + bodyMarker)

// makeBody returns a body of exactly size bytes (at least the header).
func makeBody(sent time.Duration, size int) []byte {
	b := make([]byte, 0, max(size, 40))
	b = append(b, bodyMarker...)
	b = strconv.AppendInt(b, int64(sent), 10)
	b = append(b, ':')
	for len(b) < size {
		b = append(b, 'x')
	}
	return b
}

// sentAt finds the send time in a message:new payload; ok is false when
// the message is not one of the tool's.
func sentAt(payload []byte) (time.Duration, bool) {
	i := bytes.Index(payload, bodyKey)
	if i < 0 {
		return 0, false
	}
	i += len(bodyKey)
	var v int64
	start := i
	for i < len(payload) && payload[i] >= '0' && payload[i] <= '9' {
		v = v*10 + int64(payload[i]-'0')
		i++
	}
	if i == start || i >= len(payload) || payload[i] != ':' {
		return 0, false
	}
	return time.Duration(v), true
}

// replyStatus reads a phx_reply payload {"status":"ok"|"error","response":…}.
// For errors it returns the response's code (or reason) as the error kind.
func replyStatus(payload []byte) (ok bool, kind string) {
	if bytes.HasPrefix(payload, []byte(`{"status":"ok"`)) {
		return true, ""
	}
	var r struct {
		Status   string `json:"status"`
		Response struct {
			Reason string `json:"reason"`
			Code   string `json:"code"`
		} `json:"response"`
	}
	if json.Unmarshal(payload, &r) != nil {
		return false, "bad_reply"
	}
	if r.Status == "ok" {
		return true, ""
	}
	kind = r.Response.Code
	if kind == "" {
		kind = r.Response.Reason
	}
	if kind == "" {
		kind = r.Status
	}
	return false, kind
}

// appendPush appends the text frame [join_ref, ref, topic, event, payload].
// Refs, topics and events are the tool's own ASCII strings: no escaping.
func appendPush(b []byte, joinRef string, ref uint64, topic, event string, payload []byte) []byte {
	b = append(b, '[')
	if joinRef == "" {
		b = append(b, "null"...)
	} else {
		b = append(b, '"')
		b = append(b, joinRef...)
		b = append(b, '"')
	}
	b = append(b, `,"`...)
	b = strconv.AppendUint(b, ref, 10)
	b = append(b, `","`...)
	b = append(b, topic...)
	b = append(b, `","`...)
	b = append(b, event...)
	b = append(b, `",`...)
	b = append(b, payload...)
	b = append(b, ']')
	return b
}

// sendPayload returns {"body": body, "client_msg_id": id}; body and id are
// the tool's own ASCII (no escaping needed).
func sendPayload(b []byte, body []byte, clientMsgID string) []byte {
	b = append(b, `{"body":"`...)
	b = append(b, body...)
	b = append(b, `","client_msg_id":"`...)
	b = append(b, clientMsgID...)
	b = append(b, `"}`...)
	return b
}
