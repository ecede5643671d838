package store_test

import (
	"testing"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

func TestReactions(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		tn := mustCreateWorkspace(t, db, "acme", "ann@example.com")
		bob := mustMember(t, db, tn, "bob@example.com")
		ann := tn.owner
		m := mustPostOne(t, db, msg(tn.general, ann, "ship it?"))
		type step struct {
			name    string
			add     bool
			user    *relay.User
			emoji   string
			changed bool
			want    []relay.Reaction
		}
		r := func(emoji string, users ...*relay.User) relay.Reaction {
			x := relay.Reaction{Emoji: emoji, Count: len(users), Users: []relay.ID{}}
			for _, u := range users {
				x.Users = append(x.Users, u.ID)
			}
			return x
		}
		steps := []step{
			{"bob 👍", true, bob, "👍", true, []relay.Reaction{r("👍", bob)}},
			{"bob 👍 again", true, bob, "👍", false, []relay.Reaction{r("👍", bob)}},
			{"ann 🎉", true, ann, "🎉", true, []relay.Reaction{r("👍", bob), r("🎉", ann)}},
			{"ann 👍", true, ann, "👍", true, []relay.Reaction{r("👍", bob, ann), r("🎉", ann)}},
			{"family emoji", true, bob, "👨‍👩‍👧", true, []relay.Reaction{r("👍", bob, ann), r("🎉", ann), r("👨‍👩‍👧", bob)}},
			{"bob un-👍", false, bob, "👍", true, []relay.Reaction{r("👍", ann), r("🎉", ann), r("👨‍👩‍👧", bob)}},
			{"bob un-👍 again", false, bob, "👍", false, []relay.Reaction{r("👍", ann), r("🎉", ann), r("👨‍👩‍👧", bob)}},
			{"ann un-👍", false, ann, "👍", true, []relay.Reaction{r("🎉", ann), r("👨‍👩‍👧", bob)}},
			{"bob 👍 anew", true, bob, "👍", true, []relay.Reaction{r("🎉", ann), r("👨‍👩‍👧", bob), r("👍", bob)}},
		}
		change := m.Change
		for _, s := range steps {
			call := db.RemoveReaction
			if s.add {
				call = db.AddReaction
			}
			got, changed, err := call(ctx, tn.ws.ID, m.ID, s.user.ID, s.emoji, t0)
			if err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			if changed != s.changed {
				t.Fatalf("%s: changed = %v, want %v", s.name, changed, s.changed)
			}
			if s.changed {
				change = readChannel(t, db, tn.general, 0).LastChange
			}
			if got.Change != change {
				t.Fatalf("%s: message change = %d, want %d", s.name, got.Change, change)
			}
			diff(t, s.name, got.Reactions, s.want)
			stored, err := db.Message(ctx, tn.ws.ID, m.ID)
			must(t, err)
			diff(t, s.name+" (stored)", stored, got)
		}
		h, err := db.History(ctx, tn.ws.ID, tn.general.ID, relay.HistoryQuery{})
		must(t, err)
		diff(t, "reactions in History", h[0].Reactions, steps[len(steps)-1].want)

		_, _, err = db.AddReaction(ctx, tn.ws.ID, m.ID, bob.ID, "", t0)
		wantCode(t, err, relay.EINVALID, "")
		_, _, err = db.AddReaction(ctx, tn.ws.ID, ids.New(), bob.ID, "👍", t0)
		wantCode(t, err, relay.ENOTFOUND, "Message not found.")
		_, _, err = db.RemoveReaction(ctx, tn.ws.ID, ids.New(), bob.ID, "👍", t0)
		wantCode(t, err, relay.ENOTFOUND, "Message not found.")

		// A deleted message loses its reactions and takes no new ones.
		_, err = db.DeleteMessage(ctx, tn.ws.ID, m.ID, t0)
		must(t, err)
		_, _, err = db.AddReaction(ctx, tn.ws.ID, m.ID, bob.ID, "👍", t0)
		wantCode(t, err, relay.EINVALID, "That message was deleted.")
		got, changed, err := db.RemoveReaction(ctx, tn.ws.ID, m.ID, bob.ID, "👍", t0)
		must(t, err)
		if changed || len(got.Reactions) != 0 {
			t.Fatalf("after delete: changed %v, reactions %+v", changed, got.Reactions)
		}
		if n := count(t, db, `SELECT count(*) FROM reactions WHERE message_id = $1`, m.ID); n != 0 {
			t.Fatalf("%d reaction rows left on a deleted message", n)
		}
	})
}

func TestEditDeleteMessage(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		tn := mustCreateWorkspace(t, db, "acme", "ann@example.com")
		bob := mustMember(t, db, tn, "bob@example.com")
		cat := mustMember(t, db, tn, "cat@example.com")
		c := tn.general
		orig := msg(c, tn.owner, "hi @bob")
		orig.Mentions = []relay.ID{bob.ID}
		m := mustPostOne(t, db, orig)
		r := mustPostOne(t, db, reply(m, tn.owner, "more", false))
		diff(t, "mentions before the edit", [][2]int64{counts(t, db, c, bob.ID), counts(t, db, c, cat.ID)}, [][2]int64{{1, 1}, {1, 0}})

		edited := t0.Add(time.Hour)
		got, err := db.EditMessage(ctx, tn.ws.ID, m.ID, "hi @cat and @channel", []relay.ID{cat.ID, cat.ID}, true, edited)
		must(t, err)
		want, err := db.Message(ctx, tn.ws.ID, m.ID)
		must(t, err)
		diff(t, "edited (returned and stored)", got, want)
		if got.Body != "hi @cat and @channel" || !got.MentionAll || got.EditedAt == nil || !got.EditedAt.Equal(edited.Truncate(time.Microsecond)) ||
			got.Change != readChannel(t, db, c, 0).LastChange || got.Seq != m.Seq || got.ReplyCount != 1 {
			t.Fatalf("edited message = %+v", got)
		}
		diff(t, "edited mentions", got.Mentions, []relay.ID{cat.ID})
		// Bob read nothing yet; his mention is now the @channel one.
		diff(t, "mentions after the edit", [][2]int64{counts(t, db, c, bob.ID), counts(t, db, c, cat.ID)}, [][2]int64{{1, 1}, {1, 1}})
		_, err = db.EditMessage(ctx, tn.ws.ID, ids.New(), "x", nil, false, edited)
		wantCode(t, err, relay.ENOTFOUND, "Message not found.")

		_, _, err = db.AddReaction(ctx, tn.ws.ID, m.ID, bob.ID, "👍", t0)
		must(t, err)
		deleted := t0.Add(2 * time.Hour)
		got, err = db.DeleteMessage(ctx, tn.ws.ID, m.ID, deleted)
		must(t, err)
		if got.Body != "" || got.DeletedAt == nil || !got.DeletedAt.Equal(deleted.Truncate(time.Microsecond)) || len(got.Reactions) != 0 ||
			len(got.Mentions) != 0 || got.MentionAll || got.Seq != m.Seq || got.ReplyCount != 1 {
			t.Fatalf("deleted message = %+v", got)
		}
		change := readChannel(t, db, c, 0).LastChange
		if got.Change != change {
			t.Fatalf("deleted message's change = %d, want the channel's %d", got.Change, change)
		}
		// Its mentions are gone; its tombstone is still in the timeline, so
		// still unread.
		diff(t, "mentions after the delete", [][2]int64{counts(t, db, c, bob.ID), counts(t, db, c, cat.ID)}, [][2]int64{{1, 0}, {1, 0}})

		// Deleting again changes nothing; editing a deleted message is refused.
		again, err := db.DeleteMessage(ctx, tn.ws.ID, m.ID, deleted.Add(time.Hour))
		must(t, err)
		diff(t, "deleted twice", again, got)
		if readChannel(t, db, c, 0).LastChange != change {
			t.Fatal("a second delete took a change")
		}
		_, err = db.EditMessage(ctx, tn.ws.ID, m.ID, "back", nil, false, deleted)
		wantCode(t, err, relay.EINVALID, "That message was deleted.")
		_, err = db.DeleteMessage(ctx, tn.ws.ID, ids.New(), deleted)
		wantCode(t, err, relay.ENOTFOUND, "Message not found.")

		// The tombstone stays in the timeline and the thread stays.
		h, err := db.History(ctx, tn.ws.ID, c.ID, relay.HistoryQuery{})
		must(t, err)
		if len(h) != 1 || h[0].ID != m.ID || h[0].DeletedAt == nil {
			t.Fatalf("history after delete = %+v", h)
		}
		replies, err := db.Replies(ctx, tn.ws.ID, m.ID, 0)
		must(t, err)
		if len(replies) != 1 || replies[0].ID != r.ID {
			t.Fatalf("replies after delete = %+v", replies)
		}
	})
}
