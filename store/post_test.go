package store_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

func TestPostMessages(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		tn := mustCreateWorkspace(t, db, "acme", "ann@example.com")
		bob := mustMember(t, db, tn, "bob@example.com")
		c := tn.general

		first := msg(c, tn.owner, "hello @bob")
		first.Mentions = []relay.ID{bob.ID, bob.ID}
		first.ClientMsgID = "c-1"
		first.Author.DisplayName = "stale name" // users' names come from users
		contact := msg(c, tn.owner, "from LINE")
		contact.Author = relay.Author{ID: ids.New(), Kind: relay.AuthorContact, DisplayName: "Carl", AvatarURL: "https://line.example/carl.png"}
		contact.Source, contact.Internal = relay.SourceLINE, true
		before := *first
		res := mustPost(t, db, first, contact)
		diff(t, "the caller's message after posting", *first, before)

		want := &relay.Message{
			ID: first.ID, WorkspaceID: tn.ws.ID, ChannelID: c.ID, Seq: 1, Change: 1,
			Author: relay.Author{ID: tn.owner.ID, Kind: relay.AuthorUser, DisplayName: tn.owner.DisplayName, AvatarURL: tn.owner.AvatarURL},
			Source: relay.SourceInternal, Body: "hello @bob", ReplyUsers: []relay.ID{}, ClientMsgID: "c-1",
			CreatedAt: t0.Add(time.Minute).Truncate(time.Microsecond), Reactions: []relay.Reaction{}, Mentions: []relay.ID{bob.ID}, Attachments: []relay.Attachment{},
		}
		diff(t, "first result", res[0].Message, want)
		if res[0].Existing || res[0].Parent != nil {
			t.Fatalf("first result = %+v, want new and no parent", res[0])
		}
		got, err := db.Message(ctx, tn.ws.ID, first.ID)
		must(t, err)
		diff(t, "Message", got, want)

		if m := res[1].Message; m.Seq != 2 || m.Change != 2 || m.Author != contact.Author || !m.Internal || m.Source != relay.SourceLINE {
			t.Fatalf("contact's message = %+v", m)
		}
		got, err = db.Message(ctx, tn.ws.ID, contact.ID)
		must(t, err)
		diff(t, "contact's message", got, res[1].Message)

		ch := readChannel(t, db, c, 0)
		if ch.LastSeq != 2 || ch.LastChange != 2 || ch.VisibleCount != 2 {
			t.Fatalf("channel counters = %d, %d, %d; want 2, 2, 2", ch.LastSeq, ch.LastChange, ch.VisibleCount)
		}
		if res, err := db.PostMessages(ctx, nil); err != nil || res == nil || len(res) != 0 {
			t.Fatalf("PostMessages(nil) = %v, %v; want an empty list", res, err)
		}
		// A user's new name shows on their old messages; a contact's is a snapshot.
		exec(t, db, `UPDATE users SET display_name = 'Ann B.' WHERE id = $1`, tn.owner.ID)
		got, err = db.Message(ctx, tn.ws.ID, first.ID)
		must(t, err)
		if got.Author.DisplayName != "Ann B." {
			t.Fatalf("author name = %q, want the user's new name", got.Author.DisplayName)
		}
	})
}

// TestPostMessagesInvalid checks that one bad message fails the whole batch
// and leaves nothing behind.
func TestPostMessagesInvalid(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		a := mustCreateWorkspace(t, db, "a", "ann@example.com")
		b := mustCreateWorkspace(t, db, "b", "bea@example.com")
		other := mustCreateChannel(t, db, a, "other", relay.ChannelPublic)
		parent := mustPostOne(t, db, msg(a.general, a.owner, "parent"))
		child := mustPostOne(t, db, reply(parent, a.owner, "child", false))
		inB := mustPostOne(t, db, msg(b.general, b.owner, "b's"))
		existing := mustPostOne(t, db, msg(a.general, a.owner, "taken id"))

		tests := []struct {
			name      string
			bad       func() *relay.Message
			code, msg string
		}{
			{"channel of another workspace", func() *relay.Message {
				m := msg(b.general, a.owner, "x")
				m.WorkspaceID = a.ws.ID
				return m
			}, relay.ENOTFOUND, "Channel not found."},
			{"unknown channel", func() *relay.Message { return msg(&relay.Channel{ID: ids.New(), WorkspaceID: a.ws.ID}, a.owner, "x") },
				relay.ENOTFOUND, "Channel not found."},
			{"reply to a reply", func() *relay.Message { return reply(child, a.owner, "x", false) },
				relay.EINVALID, "Replies cannot have replies of their own: reply to the thread's first message."},
			{"parent in another channel", func() *relay.Message {
				m := reply(parent, a.owner, "x", false)
				m.ChannelID = other.ID
				return m
			}, relay.EINVALID, "A reply must be in the same channel as the message it replies to."},
			{"parent in another workspace", func() *relay.Message {
				m := msg(a.general, a.owner, "x")
				m.ParentID = ptr(inB.ID)
				return m
			}, relay.ENOTFOUND, "The message this replies to was not found."},
			{"unknown parent", func() *relay.Message {
				m := msg(a.general, a.owner, "x")
				m.ParentID = ptr(ids.New())
				return m
			}, relay.ENOTFOUND, ""},
			{"id taken", func() *relay.Message {
				m := msg(a.general, a.owner, "x")
				m.ID = existing.ID
				return m
			}, relay.ECONFLICT, "That id is already in use; please try again."},
			{"bad author kind", func() *relay.Message {
				m := msg(a.general, a.owner, "x")
				m.Author.Kind = "robot"
				return m
			}, relay.EINVALID, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				beforeA, beforeB := rowCounts(t, db, a.ws.ID), rowCounts(t, db, b.ws.ID)
				chA, chB := readChannel(t, db, a.general, 0), readChannel(t, db, b.general, 0)
				good := msg(a.general, a.owner, "good")
				_, err := db.PostMessages(ctx, []*relay.Message{good, tt.bad(), msg(b.general, b.owner, "good too")})
				wantCode(t, err, tt.code, tt.msg)
				diff(t, "a's rows", rowCounts(t, db, a.ws.ID), beforeA)
				diff(t, "b's rows", rowCounts(t, db, b.ws.ID), beforeB)
				diff(t, "a's general", readChannel(t, db, a.general, 0), chA)
				diff(t, "b's general", readChannel(t, db, b.general, 0), chB)
				_, err = db.Message(ctx, a.ws.ID, good.ID)
				wantCode(t, err, relay.ENOTFOUND, "Message not found.")
			})
		}
		// The same batch without the bad message: both workspaces in one transaction.
		res := mustPost(t, db, msg(a.general, a.owner, "to a"), msg(b.general, b.owner, "to b"))
		if res[0].Message.Seq != 4 || res[1].Message.Seq != 2 || res[1].Message.WorkspaceID != b.ws.ID {
			t.Fatalf("mixed batch = %+v, %+v", res[0].Message, res[1].Message)
		}
	})
}

func TestPostMessagesIdempotent(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		tn := mustCreateWorkspace(t, db, "acme", "ann@example.com")
		bob := mustMember(t, db, tn, "bob@example.com")
		c, other := tn.general, mustCreateChannel(t, db, tn, "other", relay.ChannelPublic)
		with := func(m *relay.Message, id string) *relay.Message { m.ClientMsgID = id; return m }

		orig := mustPostOne(t, db, with(msg(c, tn.owner, "original"), "abc"))
		// A retry returns the original and writes nothing.
		res := mustPost(t, db, with(msg(c, tn.owner, "retry"), "abc"))
		if !res[0].Existing {
			t.Fatal("retry: Existing = false")
		}
		diff(t, "retry", res[0].Message, orig)
		if got := readChannel(t, db, c, 0).LastSeq; got != 1 {
			t.Fatalf("LastSeq after a retry = %d, want 1", got)
		}
		// The same id by another author, or in another channel, is a new message.
		res = mustPost(t, db, with(msg(c, bob, "bob's"), "abc"), with(msg(other, tn.owner, "elsewhere"), "abc"))
		for i, r := range res {
			if r.Existing || r.Message.Seq != 1+int64(1-i) {
				t.Fatalf("result %d = existing %v, seq %d", i, r.Existing, r.Message.Seq)
			}
		}
		// A duplicate inside one batch returns the earlier one; a retry
		// beside new messages.
		x := with(msg(c, tn.owner, "x"), "dup")
		res = mustPost(t, db, x, with(msg(c, tn.owner, "x again"), "dup"), with(msg(c, tn.owner, "retry"), "abc"), msg(c, tn.owner, "new"))
		if res[0].Existing || !res[1].Existing || !res[2].Existing || res[3].Existing {
			t.Fatalf("existing = %v %v %v %v, want false true true false", res[0].Existing, res[1].Existing, res[2].Existing, res[3].Existing)
		}
		if res[1].Message.ID != x.ID || res[1].Message.Seq != 3 || res[2].Message.ID != orig.ID || res[3].Message.Seq != 4 {
			t.Fatalf("results = %+v", res)
		}
		// Messages without a client id are never duplicates.
		res = mustPost(t, db, msg(c, tn.owner, "same"), msg(c, tn.owner, "same"))
		if res[0].Existing || res[1].Existing {
			t.Fatal("messages without client_msg_id were taken as duplicates")
		}
		if got := readChannel(t, db, c, 0); got.LastSeq != 6 || got.LastChange != 6 {
			t.Fatalf("counters = %d, %d; want 6, 6", got.LastSeq, got.LastChange)
		}
	})
}

// TestPostMessagesConcurrent posts from many goroutines at once, in batches
// that span channels in random order: every channel's seqs must come out
// 1…n with no gap and no repeat, and no batch may deadlock.
func TestPostMessagesConcurrent(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		tn := mustCreateWorkspace(t, db, "acme", "ann@example.com")
		channels := []*relay.Channel{tn.general}
		for i := range 3 {
			channels = append(channels, mustCreateChannel(t, db, tn, fmt.Sprintf("c%d", i), relay.ChannelPublic))
		}
		const workers, batches = 8, 15
		tests := []struct {
			name     string
			channels []*relay.Channel
		}{
			{"one channel", channels[:1]},
			{"across channels", channels},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				start := map[relay.ID]int64{}
				for _, c := range tt.channels {
					start[c.ID] = readChannel(t, db, c, 0).LastSeq
				}
				var mu sync.Mutex
				got := map[relay.ID][]int64{}
				var wg sync.WaitGroup
				for w := range workers {
					wg.Go(func() {
						r := rand.New(rand.NewPCG(uint64(w), 1))
						for range batches {
							var msgs []*relay.Message
							for range 1 + r.IntN(5) {
								c := tt.channels[r.IntN(len(tt.channels))]
								m := msg(c, tn.owner, "x")
								if r.IntN(4) == 0 {
									m.ClientMsgID = fmt.Sprintf("%s-w%d-%d", tt.name, w, r.Int())
								}
								msgs = append(msgs, m)
							}
							res, err := db.PostMessages(ctx, msgs)
							if err != nil {
								t.Errorf("worker %d: %v", w, err)
								return
							}
							mu.Lock()
							for _, x := range res {
								got[x.Message.ChannelID] = append(got[x.Message.ChannelID], x.Message.Seq)
							}
							mu.Unlock()
						}
					})
				}
				wg.Wait()
				for _, c := range tt.channels {
					s := got[c.ID]
					slices.Sort(s)
					for i, seq := range s {
						if want := start[c.ID] + int64(i) + 1; seq != want {
							t.Fatalf("channel %s: seq #%d is %d, want %d (seqs %v)", c.Name, i, seq, want, s)
						}
					}
					ch := readChannel(t, db, c, 0)
					if want := start[c.ID] + int64(len(s)); ch.LastSeq != want {
						t.Fatalf("channel %s: LastSeq %d, want %d", c.Name, ch.LastSeq, want)
					}
					stored, err := db.MessagesAfter(ctx, tn.ws.ID, c.ID, start[c.ID], 1000)
					must(t, err)
					diff(t, "stored seqs of "+c.Name, seqs(stored), s)
				}
			})
		}
	})
}

func TestThreads(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		tn := mustCreateWorkspace(t, db, "acme", "ann@example.com")
		bob := mustMember(t, db, tn, "bob@example.com")
		c := tn.general
		parent := mustPostOne(t, db, msg(c, tn.owner, "question"))
		at := func(m *relay.Message, d time.Duration) *relay.Message { m.CreatedAt = t0.Add(d); return m }

		r1 := mustPost(t, db, at(reply(parent, bob, "answer", false), 2*time.Minute))[0]
		if r1.Message.Seq != 2 || r1.Message.Change != 2 || r1.Parent == nil {
			t.Fatalf("first reply = %+v", r1)
		}
		diff(t, "parent after one reply", r1.Parent, &relay.Message{
			ID: parent.ID, WorkspaceID: tn.ws.ID, ChannelID: c.ID, Seq: 1, Change: 3, Author: parent.Author,
			Source: parent.Source, Body: parent.Body, ReplyCount: 1, LastReplyAt: ptr(t0.Add(2 * time.Minute).Truncate(time.Microsecond)),
			ReplyUsers: []relay.ID{bob.ID}, CreatedAt: parent.CreatedAt, Reactions: []relay.Reaction{}, Mentions: []relay.ID{},
			Attachments: []relay.Attachment{},
		})
		// Two replies in one batch: each result has the parent after it.
		res := mustPost(t, db, at(reply(parent, tn.owner, "thanks", false), 4*time.Minute),
			at(reply(parent, bob, "also to the channel", true), 3*time.Minute))
		if p := res[0].Parent; p.ReplyCount != 2 || p.Change != 5 || !slices.Equal(p.ReplyUsers, []relay.ID{bob.ID, tn.owner.ID}) {
			t.Fatalf("parent after the second reply = %+v", p)
		}
		p := res[1].Parent
		if p.ReplyCount != 3 || p.Change != 7 || !slices.Equal(p.ReplyUsers, []relay.ID{bob.ID, tn.owner.ID}) ||
			!p.LastReplyAt.Equal(t0.Add(4*time.Minute).Truncate(time.Microsecond)) {
			t.Fatalf("parent after the third reply = %+v", p)
		}
		stored, err := db.Message(ctx, tn.ws.ID, parent.ID)
		must(t, err)
		diff(t, "stored parent", stored, p)
		ch := readChannel(t, db, c, 0)
		if ch.LastSeq != 4 || ch.LastChange != 7 || ch.VisibleCount != 2 {
			t.Fatalf("counters = %d, %d, %d; want 4, 7, 2", ch.LastSeq, ch.LastChange, ch.VisibleCount)
		}

		// The timeline holds the parent and the broadcast reply; the thread all replies.
		h, err := db.History(ctx, tn.ws.ID, c.ID, relay.HistoryQuery{})
		must(t, err)
		diff(t, "History seqs", seqs(h), []int64{1, 4})
		if !h[1].Broadcast || *h[1].ParentID != parent.ID {
			t.Fatalf("broadcast reply in history = %+v", h[1])
		}
		replies, err := db.Replies(ctx, tn.ws.ID, parent.ID, 0)
		must(t, err)
		diff(t, "Replies seqs", seqs(replies), []int64{2, 3, 4})
		replies, err = db.Replies(ctx, tn.ws.ID, parent.ID, 2)
		must(t, err)
		diff(t, "Replies seqs, limit 2", seqs(replies), []int64{2, 3})
		replies, err = db.Replies(ctx, tn.ws.ID, r1.Message.ID, 0)
		must(t, err)
		diff(t, "replies of a reply", replies, []relay.Message{})
		_, err = db.Replies(ctx, tn.ws.ID, ids.New(), 0)
		wantCode(t, err, relay.ENOTFOUND, "Message not found.")

		// A parent and its replies in one batch: the parent is stored with
		// its final counters.
		p2 := msg(c, bob, "new thread")
		res = mustPost(t, db, p2, reply(p2, tn.owner, "r", false), reply(p2, tn.owner, "r", false))
		if res[1].Parent.ReplyCount != 1 || res[2].Parent.ReplyCount != 2 || res[0].Message.ReplyCount != 2 {
			t.Fatalf("in-batch thread: %+v", res)
		}
		stored, err = db.Message(ctx, tn.ws.ID, p2.ID)
		must(t, err)
		diff(t, "stored in-batch parent", stored, res[0].Message)
		if stored.Change != readChannel(t, db, c, 0).LastChange {
			t.Fatalf("in-batch parent's change %d is not the channel's last", stored.Change)
		}
		// A reply before its parent in the same batch finds no parent.
		p3 := msg(c, bob, "late parent")
		_, err = db.PostMessages(ctx, []*relay.Message{reply(p3, bob, "early", false), p3})
		wantCode(t, err, relay.ENOTFOUND, "")
	})
}
