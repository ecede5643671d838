package bus_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/relayhq/relay/internal/testenv"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/bus"
)

// subject returns a subject of its own for each test, so runs never mix.
func subject(t *testing.T) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "relay.test." + hex.EncodeToString(b[:])
}

func newNATS(t *testing.T, url, subj string) *bus.NATS {
	t.Helper()
	b, err := bus.NewNATS(url, subj, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b
}

func waitFor(t *testing.T, r *recorder, n int) {
	t.Helper()
	checkFor(t, 10*time.Second, 2*time.Millisecond, func() error {
		if got := r.count(); got < n {
			return fmt.Errorf("received %d of %d events", got, n)
		}
		return nil
	})
}

func TestNATSRoundTripPreservesPayload(t *testing.T) {
	url := natsURL(t)
	b := newNATS(t, url, subject(t))
	var r recorder
	if _, err := b.Subscribe(r.fn); err != nil {
		t.Fatal(err)
	}
	// Whitespace, key order, escapes and big numbers: bytes must survive as is.
	payload := json.RawMessage("{ \"b\": 1,\n  \"a\": [1, 2.50, 12345678901234567890], \"s\": \"\\u00e9<>&\" }")
	want := relay.Event{Topic: "channel:7", Name: "message:new", Payload: payload,
		WorkspaceID: 123456789012345, Seq: 42, Change: 43, MessageID: 250070962517528576, Exclude: "conn-1"}
	if err := b.Publish(context.Background(), want); err != nil {
		t.Fatal(err)
	}
	// No payload at all, and a zero workspace.
	if err := b.Publish(context.Background(), relay.Event{Topic: "user:1", Name: "typing"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, &r, 2)
	got := r.evs[0]
	if !bytes.Equal(got.Payload, payload) {
		t.Errorf("payload bytes changed:\n got %q\nwant %q", got.Payload, payload)
	}
	got.Payload, want.Payload = nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("event = %+v, want %+v", got, want)
	}
	if e := r.evs[1]; e.Topic != "user:1" || e.Payload != nil || e.WorkspaceID != 0 {
		t.Errorf("empty event came back as %+v", e)
	}
	if err := b.Publish(context.Background(), relay.Event{Topic: "t", Payload: json.RawMessage(`{bad`)}); err == nil {
		t.Error("published an invalid JSON payload")
	}
}

func TestNATSTwoNodesBothReceiveInOrder(t *testing.T) {
	url := natsURL(t)
	subj := subject(t)
	node1, node2 := newNATS(t, url, subj), newNATS(t, url, subj)
	var r1, r2 recorder
	if _, err := node1.Subscribe(r1.fn); err != nil {
		t.Fatal(err)
	}
	if _, err := node2.Subscribe(r2.fn); err != nil {
		t.Fatal(err)
	}
	const n = 2000
	for i := 1; i <= n; i++ { // node1 publishes; it receives its own events through NATS too
		if err := node1.Publish(context.Background(), ev(i)); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, &r1, n)
	waitFor(t, &r2, n)
	r1.inOrder(t, n)
	r2.inOrder(t, n)
}

func TestNATSUnsubscribeAndClose(t *testing.T) {
	url := natsURL(t)
	subj := subject(t)
	b := newNATS(t, url, subj)
	var gone, stays recorder
	unsub, err := b.Subscribe(gone.fn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Subscribe(stays.fn); err != nil {
		t.Fatal(err)
	}
	_ = b.Publish(context.Background(), ev(1))
	waitFor(t, &gone, 1)
	unsub()
	_ = b.Publish(context.Background(), ev(2))
	waitFor(t, &stays, 2) // ev(2) has been delivered: the other one would have it by now
	if n := gone.count(); n != 1 {
		t.Errorf("unsubscribed subscriber got %d events, want 1", n)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Publish(context.Background(), ev(3)); !errors.Is(err, bus.ErrClosed) {
		t.Errorf("publish after Close = %v, want ErrClosed", err)
	}
}

func TestNATSConnectErrorHidesCredentials(t *testing.T) {
	_, err := bus.NewNATS("nats://user:s3cret@127.0.0.1:1", "x", nil)
	if err == nil {
		t.Fatal("connected to a closed port")
	}
	if strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "user") {
		t.Errorf("error leaks credentials: %v", err)
	}
}

// TestEventFieldsCarried fails when relay.Event gains a field the NATS wire
// format does not carry yet.
func TestEventFieldsCarried(t *testing.T) {
	var names []string
	typ := reflect.TypeFor[relay.Event]()
	for i := 0; i < typ.NumField(); i++ {
		names = append(names, typ.Field(i).Name)
	}
	sort.Strings(names)
	want := "Change Exclude MessageID Name Payload Seq Topic WorkspaceID"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("relay.Event fields are %s; the bus carries %s: update bus/nats.go (wireEvent) and this test", got, want)
	}
}

// checkFor polls instead of sleeping (internal/testenv).
var checkFor = testenv.CheckFor

// natsURL is the test NATS server (internal/testenv).
var natsURL = testenv.NATSURL
