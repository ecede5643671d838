package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The headers of every delivery.
const (
	// HeaderID is the outbox row id: the same on every retry of one event,
	// so receivers can drop duplicates.
	HeaderID = "Relay-Webhook-Id"
	// HeaderTimestamp is when this attempt was signed, in Unix seconds.
	HeaderTimestamp = "Relay-Webhook-Timestamp"
	// HeaderSignature is "v1=" and the lower-case hex HMAC-SHA256, keyed
	// with the subscription's secret, of timestamp + "." + body. A receiver
	// accepts the request when any v1 value in the header (separated by
	// commas or spaces) matches.
	HeaderSignature = "Relay-Webhook-Signature"
	// HeaderEvent repeats the body's event name, for routing without parsing.
	HeaderEvent = "Relay-Webhook-Event"
)

// DefaultWindow is the replay window receivers should use: a request whose
// timestamp is further than this from their clock is refused.
const DefaultWindow = 5 * time.Minute

// Sign returns the signature header value for a body sent at timestamp.
func Sign(secret string, timestamp int64, body []byte) string {
	return "v1=" + hex.EncodeToString(mac(secret, strconv.FormatInt(timestamp, 10), body))
}

func mac(secret, timestamp string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Verification failures.
var (
	ErrNoSignature  = errors.New("webhook: missing " + HeaderSignature + " or " + HeaderTimestamp + " header")
	ErrBadTimestamp = errors.New("webhook: malformed " + HeaderTimestamp + " header")
	ErrStale        = errors.New("webhook: timestamp outside the replay window")
	ErrBadSignature = errors.New("webhook: signature does not match")
)

// Verify checks a received delivery: the timestamp must be within window of
// now (in either direction: a timestamp from the future is as suspect as an
// old one) and one v1 signature must match body under secret. window ≤ 0
// means DefaultWindow. Receivers must pass the raw body, byte for byte.
func Verify(secret string, h http.Header, body []byte, now time.Time, window time.Duration) error {
	if window <= 0 {
		window = DefaultWindow
	}
	ts, sig := strings.TrimSpace(h.Get(HeaderTimestamp)), h.Get(HeaderSignature)
	if ts == "" || strings.TrimSpace(sig) == "" {
		return ErrNoSignature
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sec <= 0 {
		return ErrBadTimestamp
	}
	if d := now.Sub(time.Unix(sec, 0)); d > window || d < -window {
		return ErrStale
	}
	want := mac(secret, ts, body)
	for _, part := range strings.FieldsFunc(sig, func(r rune) bool { return r == ',' || r == ' ' }) {
		v, ok := strings.CutPrefix(part, "v1=")
		if !ok {
			continue // another scheme, for later versions
		}
		got, err := hex.DecodeString(v)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return ErrBadSignature
}
