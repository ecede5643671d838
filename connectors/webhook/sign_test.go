package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestSignMatchesTheDocumentedScheme(t *testing.T) {
	// docs/connectors.md: v1=hex(HMAC-SHA256(secret, timestamp + "." + body)).
	secret, ts, body := "rly_secret", int64(1767225600), []byte(`{"id":1,"event":"message.created"}`)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("1767225600." + string(body)))
	want := "v1=" + hex.EncodeToString(m.Sum(nil))
	if got := Sign(secret, ts, body); got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
	// A fixed vector (openssl dgst -sha256 -hmac key of "1.{}"), so the
	// scheme cannot drift without this test noticing.
	if got, want := Sign("key", 1, []byte("{}")), "v1=1ba6b8171186efc613e8bcc0cbdab2748f24984d7c5a84faa2637afa0e40d224"; got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
}

func TestVerify(t *testing.T) {
	const secret = "rly_0123456789abcdef"
	now := time.Unix(1767225600, 0)
	body := []byte(`{"id":42,"event":"ticket.created","data":{}}`)
	headers := func(ts int64, sig string) http.Header {
		h := http.Header{}
		if ts != 0 {
			h.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
		}
		if sig != "" {
			h.Set(HeaderSignature, sig)
		}
		return h
	}
	good := Sign(secret, now.Unix(), body)
	tests := []struct {
		name   string
		h      http.Header
		body   []byte
		secret string
		want   error
	}{
		{"valid", headers(now.Unix(), good), body, secret, nil},
		{"valid 4 minutes old", headers(now.Unix()-240, Sign(secret, now.Unix()-240, body)), body, secret, nil},
		{"valid, clock 4 minutes behind", headers(now.Unix()+240, Sign(secret, now.Unix()+240, body)), body, secret, nil},
		{"several values, one good (rotation)", headers(now.Unix(), "v1=deadbeef, "+good), body, secret, nil},
		{"unknown scheme beside a good one", headers(now.Unix(), "v2=abc "+good), body, secret, nil},
		{"tampered body", headers(now.Unix(), good), []byte(`{"id":43,"event":"ticket.created","data":{}}`), secret, ErrBadSignature},
		{"body with a trailing newline", headers(now.Unix(), good), append(append([]byte{}, body...), '\n'), secret, ErrBadSignature},
		{"wrong secret", headers(now.Unix(), good), body, "rly_other", ErrBadSignature},
		{"timestamp swapped (signature of another second)", headers(now.Unix()-1, good), body, secret, ErrBadSignature},
		{"stale timestamp", headers(now.Unix()-301, Sign(secret, now.Unix()-301, body)), body, secret, ErrStale},
		{"replay an hour later", headers(now.Unix()-3600, Sign(secret, now.Unix()-3600, body)), body, secret, ErrStale},
		{"future timestamp", headers(now.Unix()+301, Sign(secret, now.Unix()+301, body)), body, secret, ErrStale},
		{"missing signature", headers(now.Unix(), ""), body, secret, ErrNoSignature},
		{"missing timestamp", headers(0, good), body, secret, ErrNoSignature},
		{"malformed timestamp", http.Header{HeaderTimestamp: {"yesterday"}, HeaderSignature: {good}}, body, secret, ErrBadTimestamp},
		{"negative timestamp", http.Header{HeaderTimestamp: {"-5"}, HeaderSignature: {good}}, body, secret, ErrBadTimestamp},
		{"no v1 value", headers(now.Unix(), "sha256=abcdef"), body, secret, ErrBadSignature},
		{"v1 not hex", headers(now.Unix(), "v1=zz"), body, secret, ErrBadSignature},
		{"empty v1", headers(now.Unix(), "v1="), body, secret, ErrBadSignature},
		{"truncated signature", headers(now.Unix(), good[:len(good)-2]), body, secret, ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(tt.secret, tt.h, tt.body, now, DefaultWindow)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
	// window ≤ 0 means the default five minutes.
	if err := Verify(secret, headers(now.Unix()-299, Sign(secret, now.Unix()-299, body)), body, now, 0); err != nil {
		t.Fatalf("default window: %v", err)
	}
	if err := Verify(secret, headers(now.Unix()-10, Sign(secret, now.Unix()-10, body)), body, now, 5*time.Second); !errors.Is(err, ErrStale) {
		t.Fatalf("5 s window, 10 s old: %v", err)
	}
}
