package store_test

import (
	"testing"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

// TestUnreadAndMentions follows three members' unread and mention counts
// through a conversation, step by step.
func TestUnreadAndMentions(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		tn := mustCreateWorkspace(t, db, "acme", "ann@example.com")
		ann := tn.owner
		bob := mustMember(t, db, tn, "bob@example.com")
		cat := mustMember(t, db, tn, "cat@example.com")
		c := tn.general
		var root, contact *relay.Message
		post := func(m *relay.Message) func() { return func() { mustPost(t, db, m) } }
		mention := func(m *relay.Message, all bool, users ...*relay.User) *relay.Message {
			m.MentionAll = all
			for _, u := range users {
				m.Mentions = append(m.Mentions, u.ID)
			}
			return m
		}
		markRead := func(u *relay.User, seq int64, changed bool) func() {
			return func() {
				m, got, err := db.MarkRead(ctx, tn.ws.ID, c.ID, u.ID, seq)
				must(t, err)
				if got != changed {
					t.Fatalf("MarkRead(%d) changed = %v, want %v", seq, got, changed)
				}
				want, err := db.ChannelMember(ctx, tn.ws.ID, c.ID, u.ID)
				must(t, err)
				diff(t, "MarkRead's member", m, want)
			}
		}
		steps := []struct {
			name          string
			do            func()
			ann, bob, cat [2]int64 // unread, mentions
		}{
			{"nothing yet", func() {}, [2]int64{0, 0}, [2]int64{0, 0}, [2]int64{0, 0}},
			{"ann writes", post(msg(c, ann, "hi")), [2]int64{0, 0}, [2]int64{1, 0}, [2]int64{1, 0}},
			{"ann mentions bob twice", post(mention(msg(c, ann, "@bob @bob"), false, bob, bob)),
				[2]int64{0, 0}, [2]int64{2, 1}, [2]int64{2, 0}},
			{"ann mentions everyone and cat", func() {
				root = mustPostOne(t, db, mention(msg(c, ann, "@channel @cat"), true, cat))
			}, [2]int64{0, 0}, [2]int64{3, 2}, [2]int64{3, 1}},
			{"ann mentions herself and everyone", post(mention(msg(c, ann, "@here @ann"), true, ann)),
				[2]int64{0, 0}, [2]int64{4, 3}, [2]int64{4, 2}},
			{"bob writes: his cursor moves", post(msg(c, bob, "reading")),
				[2]int64{1, 0}, [2]int64{0, 0}, [2]int64{5, 2}},
			{"a thread reply mentioning cat: not in the timeline", func() {
				mustPost(t, db, mention(reply(root, bob, "@cat see", false), false, cat))
			}, [2]int64{1, 0}, [2]int64{0, 0}, [2]int64{5, 3}},
			{"a broadcast reply", func() { mustPost(t, db, reply(root, ann, "also here", true)) },
				[2]int64{0, 0}, [2]int64{1, 0}, [2]int64{6, 3}},
			{"cat reads up to seq 2", markRead(cat, 2, true), [2]int64{0, 0}, [2]int64{1, 0}, [2]int64{4, 3}},
			{"cat reads back to 1: no change", markRead(cat, 1, false), [2]int64{0, 0}, [2]int64{1, 0}, [2]int64{4, 3}},
			{"cat reads 2 again: no change", markRead(cat, 2, false), [2]int64{0, 0}, [2]int64{1, 0}, [2]int64{4, 3}},
			{"cat reads up to the thread reply (seq 6)", markRead(cat, 6, true), [2]int64{0, 0}, [2]int64{1, 0}, [2]int64{1, 0}},
			{"cat reads beyond the end: clamped", markRead(cat, 99, true), [2]int64{0, 0}, [2]int64{1, 0}, [2]int64{0, 0}},
			{"cat reads beyond again: no change", markRead(cat, 100, false), [2]int64{0, 0}, [2]int64{1, 0}, [2]int64{0, 0}},
			{"a contact writes @channel", func() {
				contact = mention(msg(c, ann, "from outside"), true)
				contact.Author = relay.Author{ID: ids.New(), Kind: relay.AuthorContact, DisplayName: "Carl"}
				mustPost(t, db, contact)
			}, [2]int64{1, 1}, [2]int64{2, 1}, [2]int64{1, 1}},
			{"the contact's message is deleted: mentions go, the tombstone stays unread", func() {
				_, err := db.DeleteMessage(ctx, tn.ws.ID, contact.ID, t0)
				must(t, err)
			}, [2]int64{1, 0}, [2]int64{2, 0}, [2]int64{1, 0}},
			{"bob reads to 0: nothing", markRead(bob, 0, false), [2]int64{1, 0}, [2]int64{2, 0}, [2]int64{1, 0}},
			{"bob reads all", markRead(bob, 9, true), [2]int64{1, 0}, [2]int64{0, 0}, [2]int64{1, 0}},
		}
		for _, s := range steps {
			s.do()
			got := [][2]int64{counts(t, db, c, ann.ID), counts(t, db, c, bob.ID), counts(t, db, c, cat.ID)}
			diff(t, s.name+": [unread, mentions] of ann, bob, cat", got, [][2]int64{s.ann, s.bob, s.cat})
		}
		m, err := db.ChannelMember(ctx, tn.ws.ID, c.ID, cat.ID)
		must(t, err)
		if m.LastReadSeq != 7 || m.ReadVisible != 6 {
			t.Fatalf("cat's cursor = %d (visible %d), want 7 (6)", m.LastReadSeq, m.ReadVisible)
		}
	})
}

func TestMarkReadErrors(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		tn := mustCreateWorkspace(t, db, "acme", "ann@example.com")
		c := mustCreateChannel(t, db, tn, "private", relay.ChannelPrivate)
		bob := mustMember(t, db, tn, "bob@example.com")
		postN(t, db, c, tn.owner, 2)
		_, _, err := db.MarkRead(ctx, tn.ws.ID, c.ID, bob.ID, 2)
		wantCode(t, err, relay.ENOTFOUND, "That user is not a member of this channel.")
		_, _, err = db.MarkRead(ctx, tn.ws.ID, ids.New(), bob.ID, 2)
		wantCode(t, err, relay.ENOTFOUND, "Channel not found.")
		// A viewer who is not a member sees the channel without counts.
		got := readChannel(t, db, c, bob.ID)
		if got.IsMember || got.Member != nil || got.UnreadCount != 0 || got.MentionCount != 0 || got.LastReadSeq != 0 {
			t.Fatalf("channel for a non-member = %+v", got)
		}
		// An empty channel: reading is a no-op.
		empty := mustCreateChannel(t, db, tn, "empty", relay.ChannelPublic)
		m, changed, err := db.MarkRead(ctx, tn.ws.ID, empty.ID, tn.owner.ID, 5)
		must(t, err)
		if changed || m.LastReadSeq != 0 {
			t.Fatalf("MarkRead on an empty channel: changed %v, cursor %d", changed, m.LastReadSeq)
		}
	})
}
