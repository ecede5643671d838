package app_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/app"
	"github.com/relayhq/relay/internal/password"
	"github.com/relayhq/relay/internal/testdb"
)

// TestMessageRateDefault: a new workspace lets each member post a burst of
// 200 messages, then about 50 a second; a change made through another
// server process (a cluster node) applies here within the refresh
// interval, although the actor's workspace is the one it started with.
func TestMessageRateDefault(t *testing.T) {
	clk := &testClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	db := testdb.SQLite(t)
	newApp := func() *app.App {
		a := app.New(app.Config{Store: db, Now: clk.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
			PasswordParams: password.Params{Memory: 64, Time: 1, Threads: 1}})
		t.Cleanup(a.Close)
		return a
	}
	a, other := newApp(), newApp()
	ctx := context.Background()
	res, err := a.Accounts.Signup(ctx, app.SignupInput{WorkspaceName: "Rate", Subdomain: "rate", Email: "owner@example.com",
		Password: "owner-password", DisplayName: "Owner"}, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	if ws := res.Workspace; ws.MessageRate != relay.DefaultMessageRate || ws.MessageBurst != relay.DefaultMessageBurst {
		t.Fatalf("new workspace's limit %d/%d", ws.MessageRate, ws.MessageBurst)
	}
	actor, err := a.Accounts.Authenticate(ctx, res.Workspace, res.Token, false)
	if err != nil {
		t.Fatal(err)
	}
	chs, err := a.Messaging.ListChannels(ctx, actor, false, false)
	if err != nil {
		t.Fatal(err)
	}
	general := chs[0].ID
	post := func(body string) error {
		_, err := a.Messaging.PostMessage(ctx, actor, general, app.PostInput{Body: body})
		return err
	}
	wantLimited := func(what string) {
		t.Helper()
		var e *relay.Error
		if err := post(what); !errors.As(err, &e) || e.Code != relay.ERATELIMITED || e.RetryAfter != 1 {
			t.Fatalf("%s: %v, want rate_limited with RetryAfter 1", what, err)
		}
	}
	for i := range relay.DefaultMessageBurst {
		if err := post(fmt.Sprint("burst ", i)); err != nil {
			t.Fatalf("post %d of the burst: %v", i+1, err)
		}
	}
	wantLimited("past the burst")
	clk.Advance(time.Second / relay.DefaultMessageRate)
	if err := post("one refilled"); err != nil {
		t.Fatal(err)
	}
	wantLimited("past the refill")

	// Another node turns the limit off. This node's actor still holds the
	// workspace as it was; within the refresh interval the stored setting
	// is read again.
	otherActor, err := other.Accounts.Authenticate(ctx, res.Workspace, res.Token, false)
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Millisecond) // a later updated_at than the sign-up
	off := 0
	if _, err := other.Accounts.UpdateWorkspace(ctx, otherActor, relay.WorkspaceUpdate{MessageRate: &off}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(11 * time.Second)
	for i := range relay.DefaultMessageBurst + 1 { // one more than a full bucket
		if err := post(fmt.Sprint("off ", i)); err != nil {
			t.Fatalf("post %d with the limit off: %v", i+1, err)
		}
	}
}
