package store_test

import (
	"testing"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

// TestMessagingTenantIsolation calls every messaging method with workspace
// B's id and workspace A's channel and message ids: each must answer
// ENOTFOUND (or leave A's rows out of a listing) and change nothing. The
// users are members of both workspaces, so only the channel or message can
// be what is refused.
func TestMessagingTenantIsolation(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		b := mustCreateWorkspace(t, db, "b", "bea@example.com")
		ann := a.owner
		mustAddMember(t, db, b, ann, false, relay.RoleAgent, t0)
		bob := mustMember(t, db, a, "bob@example.com")
		mustAddMember(t, db, b, bob, false, relay.RoleAgent, t0)
		ca := mustCreateChannel(t, db, a, "secret", relay.ChannelPrivate, bob.ID)
		dm := mustCreateChannel(t, db, a, "", relay.ChannelDM, bob.ID)
		ma := msg(ca, ann, "a's message")
		ma.Mentions = []relay.ID{bob.ID}
		mustPost(t, db, ma)
		mustPost(t, db, reply(ma, bob, "a's reply", false))
		_, _, err := db.AddReaction(ctx, a.ws.ID, ma.ID, bob.ID, "👍", t0)
		must(t, err)
		must(t, db.SetStatus(ctx, a.ws.ID, ann.ID, relay.Status{Presence: relay.PresenceDND, Text: "in A"}))
		cat := mustMember(t, db, a, "cat@example.com") // a member of A only
		must(t, db.SetStatus(ctx, a.ws.ID, cat.ID, relay.Status{Emoji: "🌴"}))

		type snapshot struct {
			RowsA, RowsB map[string]int
			Channel      *relay.Channel
			Message      *relay.Message
			History      []relay.Message
			Member       *relay.ChannelMember
			Statuses     map[relay.ID]relay.Status
		}
		take := func() snapshot {
			var s snapshot
			var err error
			s.RowsA, s.RowsB = rowCounts(t, db, a.ws.ID), rowCounts(t, db, b.ws.ID)
			s.Channel = readChannel(t, db, ca, ann.ID)
			s.Message, err = db.Message(ctx, a.ws.ID, ma.ID)
			must(t, err)
			s.History, err = db.History(ctx, a.ws.ID, ca.ID, relay.HistoryQuery{})
			must(t, err)
			s.Member, err = db.ChannelMember(ctx, a.ws.ID, ca.ID, bob.ID)
			must(t, err)
			s.Statuses, err = db.Statuses(ctx, a.ws.ID, t0)
			must(t, err)
			return s
		}
		before := take()

		B := b.ws.ID
		later := t0.Add(time.Hour)
		calls := map[string]func() error{
			"CreateChannel with a's member": func() error {
				return db.CreateChannel(ctx, newChannel(B, ann.ID, "x", relay.ChannelPublic), []relay.ID{cat.ID})
			},
			"ChannelByDMKey": func() error { _, err := db.ChannelByDMKey(ctx, B, dm.DMKey); return err },
			"Channel":        func() error { _, err := db.Channel(ctx, B, ca.ID, ann.ID); return err },
			"UpdateChannel": func() error {
				_, err := db.UpdateChannel(ctx, B, ca.ID, relay.ChannelUpdate{Name: ptr("x")}, later)
				return err
			},
			"SetChannelArchived": func() error { _, err := db.SetChannelArchived(ctx, B, ca.ID, true, later); return err },
			"SetDefaultChannel":  func() error { return db.SetDefaultChannel(ctx, B, ca.ID) },
			"AddChannelMembers": func() error {
				_, err := db.AddChannelMembers(ctx, B, ca.ID, []relay.ID{ann.ID, bob.ID}, later)
				return err
			},
			"RemoveChannelMember": func() error { return db.RemoveChannelMember(ctx, B, ca.ID, bob.ID) },
			"ChannelMember":       func() error { _, err := db.ChannelMember(ctx, B, ca.ID, bob.ID); return err },
			"ListChannelMembers":  func() error { _, err := db.ListChannelMembers(ctx, B, ca.ID); return err },
			"ChannelMemberIDs":    func() error { _, err := db.ChannelMemberIDs(ctx, B, ca.ID); return err },
			"PostMessages to a's channel": func() error {
				m := msg(ca, ann, "x")
				m.WorkspaceID = B
				_, err := db.PostMessages(ctx, []*relay.Message{m})
				return err
			},
			"PostMessages replying to a's message": func() error {
				m := msg(b.general, ann, "x")
				m.ParentID = ptr(ma.ID)
				_, err := db.PostMessages(ctx, []*relay.Message{m})
				return err
			},
			"Message":     func() error { _, err := db.Message(ctx, B, ma.ID); return err },
			"EditMessage": func() error { _, err := db.EditMessage(ctx, B, ma.ID, "x", nil, true, later); return err },
			"DeleteMessage": func() error {
				_, err := db.DeleteMessage(ctx, B, ma.ID, later)
				return err
			},
			"AddReaction":             func() error { _, _, err := db.AddReaction(ctx, B, ma.ID, ann.ID, "🎉", later); return err },
			"RemoveReaction":          func() error { _, _, err := db.RemoveReaction(ctx, B, ma.ID, bob.ID, "👍", later); return err },
			"History":                 func() error { _, err := db.History(ctx, B, ca.ID, relay.HistoryQuery{}); return err },
			"History around":          func() error { _, err := db.History(ctx, B, ca.ID, relay.HistoryQuery{Around: 1}); return err },
			"Replies":                 func() error { _, err := db.Replies(ctx, B, ma.ID, 0); return err },
			"MessagesAfter":           func() error { _, err := db.MessagesAfter(ctx, B, ca.ID, 0, 0); return err },
			"ChangedSince":            func() error { _, err := db.ChangedSince(ctx, B, ca.ID, 10, 0, 0); return err },
			"MarkRead":                func() error { _, _, err := db.MarkRead(ctx, B, ca.ID, bob.ID, 2); return err },
			"SetStatus of a's member": func() error { return db.SetStatus(ctx, B, cat.ID, relay.Status{Text: "x"}) },
		}
		for name, call := range calls {
			t.Run(name, func(t *testing.T) {
				wantCode(t, call(), relay.ENOTFOUND, "")
			})
		}

		m, err := db.DMUserIDs(ctx, B, []relay.ID{dm.ID})
		must(t, err)
		diff(t, "DMUserIDs", m, map[relay.ID][]relay.ID{})
		list, err := db.ListChannels(ctx, B, relay.ChannelFilter{Viewer: ann.ID, IncludeArchived: true})
		must(t, err)
		if len(list) != 1 || list[0].ID != b.general.ID {
			t.Fatalf("ListChannels of B = %+v, want only B's general", list)
		}
		defaults, err := db.DefaultChannels(ctx, B)
		must(t, err)
		diff(t, "DefaultChannels of B", defaults, []relay.ID{b.general.ID})
		st, err := db.Statuses(ctx, B, t0)
		must(t, err)
		diff(t, "Statuses of B", st, map[relay.ID]relay.Status{})

		after := take()
		diff(t, "A and B after the calls", after, before)
	})
}
