package phoenix

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"unicode/utf8"
)

// Message is one Phoenix Channels v2 message, the JSON array
// [join_ref, ref, topic, event, payload] of a text frame.
//
// An empty JoinRef or Ref stands for JSON null: phoenix.js draws refs from a
// counter ("1", "2", …) and never sends an empty string, so a received ""
// is treated as null too. Payload is a JSON object.
type Message struct {
	JoinRef string
	Ref     string
	Topic   string
	Event   string
	Payload json.RawMessage
}

// FrameError is returned by DecodeFrame for a frame that is not a Phoenix v2
// message. Reason is short and is sent to the client in an error reply.
type FrameError struct{ Reason string }

func (e *FrameError) Error() string { return "phoenix: " + e.Reason }

// Reasons of FrameError, also used in replies.
const (
	ReasonInvalidJSON   = "invalid JSON"
	ReasonMalformed     = "malformed message"
	ReasonPayload       = "payload must be an object"
	ReasonBinary        = "binary frames are not supported"
	ReasonUnmatched     = "unmatched topic"
	ReasonTooManyJoined = "too many channels joined"
)

var (
	errInvalidJSON = &FrameError{ReasonInvalidJSON}
	errMalformed   = &FrameError{ReasonMalformed}
	errPayload     = &FrameError{ReasonPayload}
	errBinary      = &FrameError{ReasonBinary}
)

var emptyObject = json.RawMessage(`{}`)

// DecodeFrame decodes the JSON text of a frame. The array must have at least
// five elements (extra ones are ignored, as Phoenix does); join_ref and ref
// are strings or null, topic and event strings, and payload an object (null
// is read as {}).
//
// On error it returns a *FrameError together with whatever could be read of
// the refs and topic, so the caller can still answer the frame when it
// carries a ref.
func DecodeFrame(data []byte) (Message, error) {
	var elems []json.RawMessage
	if err := json.Unmarshal(data, &elems); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return Message{}, errMalformed // valid JSON, not an array
		}
		return Message{}, errInvalidJSON
	}
	at := func(i int) json.RawMessage {
		if i < len(elems) {
			return elems[i]
		}
		return nil
	}
	var m Message
	joinRef, okJ := decodeRef(at(0))
	ref, okR := decodeRef(at(1))
	topic, okT := decodeString(at(2))
	event, okE := decodeString(at(3))
	if okJ {
		m.JoinRef = joinRef
	}
	if okR {
		m.Ref = ref
	}
	if okT {
		m.Topic = topic
	}
	if len(elems) < 5 || !okJ || !okR || !okT || !okE {
		return m, errMalformed
	}
	m.Event = event
	switch p := elems[4]; p[0] {
	case '{':
		m.Payload = p
	case 'n':
		m.Payload = emptyObject
	default:
		return m, errPayload
	}
	return m, nil
}

// decodeRef reads a ref: a string, or null (returned as "").
func decodeRef(raw json.RawMessage) (string, bool) {
	if len(raw) == 4 && string(raw) == "null" {
		return "", true
	}
	return decodeString(raw)
}

// decodeString reads a JSON string element, quickly when it has no escapes.
func decodeString(raw json.RawMessage) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' {
		return "", false
	}
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner), true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

// AppendFrame appends m as the JSON text of a v2 frame. An empty ref is
// written as null and an empty payload as {}; a non-empty payload is written
// as is and must be a JSON object.
func AppendFrame(dst []byte, m Message) []byte {
	dst = append(dst, '[')
	dst = appendRef(dst, m.JoinRef)
	dst = append(dst, ',')
	dst = appendRef(dst, m.Ref)
	dst = append(dst, ',')
	dst = appendString(dst, m.Topic)
	dst = append(dst, ',')
	dst = appendString(dst, m.Event)
	dst = append(dst, ',')
	if len(m.Payload) == 0 {
		dst = append(dst, emptyObject...)
	} else {
		dst = append(dst, m.Payload...)
	}
	return append(dst, ']')
}

func appendRef(dst []byte, ref string) []byte {
	if ref == "" {
		return append(dst, "null"...)
	}
	return appendString(dst, ref)
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, escaping as encoding/json does
// (without HTML escaping): invalid UTF-8 becomes U+FFFD, and U+2028/U+2029
// are escaped for JavaScript.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// isObject reports whether raw JSON text starts as an object.
func isObject(raw []byte) bool {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	return len(raw) > 0 && raw[0] == '{'
}

// WebSocket framing. Server frames are never masked and never compressed
// (the server does not negotiate permessage-deflate), so a frame is a header
// followed by the payload, and one frame can be written to any number of
// connections as is.
const (
	maxHeader   = 10
	opText      = 0x1
	opClose     = 0x8
	opPong      = 0xA
	finBit      = 0x80
	controlMax  = 125
	closeReason = controlMax - 2
)

// newFrameBuf returns a buffer with room for the header, to append a payload to.
func newFrameBuf(payloadHint int) []byte {
	return make([]byte, maxHeader, maxHeader+payloadHint)
}

// finishFrame writes the header for the payload in buf[maxHeader:] and
// returns the complete frame.
func finishFrame(buf []byte, opcode byte) []byte {
	n := len(buf) - maxHeader
	var h []byte
	switch {
	case n <= 125:
		h = buf[maxHeader-2 : maxHeader]
		h[1] = byte(n)
	case n <= 0xffff:
		h = buf[maxHeader-4 : maxHeader]
		h[1] = 126
		binary.BigEndian.PutUint16(h[2:], uint16(n))
	default:
		h = buf[:maxHeader]
		h[1] = 127
		binary.BigEndian.PutUint64(h[2:], uint64(n))
	}
	h[0] = finBit | opcode
	return buf[maxHeader-len(h):]
}

// encodeText returns the complete text frame of a message.
func encodeText(m Message) []byte {
	n := len(m.JoinRef) + len(m.Ref) + len(m.Topic) + len(m.Event) + len(m.Payload) + 24
	return finishFrame(AppendFrame(newFrameBuf(n), m), opText)
}

// EncodeBroadcast encodes [null, null, topic, event, payload] once as a
// complete WebSocket text frame, to be written unchanged to every
// subscriber. It is the realtime.EncodeFunc of this transport. An empty
// payload is sent as {}; any other must be a JSON object (it is not
// re-validated: the publisher encoded it).
func EncodeBroadcast(topic, event string, payload json.RawMessage) ([]byte, error) {
	if len(payload) > 0 && !isObject(payload) {
		return nil, errPayload
	}
	return encodeText(Message{Topic: topic, Event: event, Payload: payload}), nil
}

// controlFrame returns a close or pong frame; data is cut to 125 bytes.
func controlFrame(opcode byte, data []byte) []byte {
	if len(data) > controlMax {
		data = data[:controlMax]
	}
	return finishFrame(append(newFrameBuf(len(data)), data...), opcode)
}

// closeFrame returns a close frame with code and reason (cut to fit, on a
// UTF-8 boundary).
func closeFrame(code int, reason string) []byte {
	for len(reason) > closeReason {
		_, size := utf8.DecodeLastRuneInString(reason)
		reason = reason[:len(reason)-size]
	}
	b := binary.BigEndian.AppendUint16(make([]byte, 0, 2+len(reason)), uint16(code))
	return controlFrame(opClose, append(b, reason...))
}

// decodeBinaryHeader reads the refs and topic of a client binary frame, a
// push (kind 0) or a Supabase user broadcast (kind 3), enough to answer it
// with an error reply. Every length byte is checked against the frame.
func decodeBinaryHeader(data []byte) (joinRef, ref, topic string, err error) {
	if len(data) == 0 {
		return "", "", "", errBinary
	}
	var lens []byte
	var off int
	switch data[0] {
	case 0: // kind, then lengths of join_ref, ref, topic, event
		if len(data) < 5 {
			return "", "", "", errBinary
		}
		lens, off = data[1:5], 5
	case 3: // kind, lengths of join_ref, ref, topic, user_event, metadata, encoding
		if len(data) < 7 {
			return "", "", "", errBinary
		}
		lens, off = data[1:6], 7
	default:
		return "", "", "", errBinary
	}
	total := off
	for _, l := range lens {
		total += int(l)
	}
	if total > len(data) {
		return "", "", "", errBinary
	}
	field := func(i int) string {
		start := off
		for _, l := range lens[:i] {
			start += int(l)
		}
		return string(data[start : start+int(lens[i])])
	}
	return field(0), field(1), field(2), nil
}
