package store_test

import (
	"testing"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

func TestHistory(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		tn := mustCreateWorkspace(t, db, "acme", "ann@example.com")
		c := tn.general
		// Seqs 1–6 and 9–10 are in the timeline; 7 and 8 are thread replies.
		top := postN(t, db, c, tn.owner, 6)
		mustPost(t, db, reply(top[0], tn.owner, "r1", false), reply(top[0], tn.owner, "r2", false))
		postN(t, db, c, tn.owner, 2)

		tests := []struct {
			name string
			q    relay.HistoryQuery
			want []int64
		}{
			{"newest", relay.HistoryQuery{}, []int64{1, 2, 3, 4, 5, 6, 9, 10}},
			{"newest 3", relay.HistoryQuery{Limit: 3}, []int64{6, 9, 10}},
			{"before 9", relay.HistoryQuery{Before: 9, Limit: 3}, []int64{4, 5, 6}},
			{"before a reply", relay.HistoryQuery{Before: 8, Limit: 2}, []int64{5, 6}},
			{"before the first", relay.HistoryQuery{Before: 1}, []int64{}},
			{"after 5", relay.HistoryQuery{After: 5, Limit: 2}, []int64{6, 9}},
			{"after the last", relay.HistoryQuery{After: 10}, []int64{}},
			{"after beyond the last", relay.HistoryQuery{After: 99}, []int64{}},
			{"around a reply", relay.HistoryQuery{Around: 7, Limit: 4}, []int64{5, 6, 9, 10}},
			{"around 5", relay.HistoryQuery{Around: 5, Limit: 3}, []int64{4, 5, 6}},
			{"around 5, even limit", relay.HistoryQuery{Around: 5, Limit: 4}, []int64{3, 4, 5, 6}},
			{"around the first", relay.HistoryQuery{Around: 1, Limit: 4}, []int64{1, 2, 3, 4}},
			{"around the last", relay.HistoryQuery{Around: 10, Limit: 4}, []int64{6, 9, 10}},
			{"around, limit 1", relay.HistoryQuery{Around: 4, Limit: 1}, []int64{4}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := db.History(ctx, tn.ws.ID, c.ID, tt.q)
				must(t, err)
				diff(t, "seqs", seqs(got), tt.want)
			})
		}
		// Each message comes back whole.
		got, err := db.History(ctx, tn.ws.ID, c.ID, relay.HistoryQuery{Limit: 1})
		must(t, err)
		last, err := db.Message(ctx, tn.ws.ID, got[0].ID)
		must(t, err)
		diff(t, "history message", &got[0], last)

		for name, q := range map[string]relay.HistoryQuery{
			"two bounds":     {Before: 5, After: 2},
			"three bounds":   {Before: 5, After: 2, Around: 3},
			"negative bound": {Before: -1},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := db.History(ctx, tn.ws.ID, c.ID, q)
				wantCode(t, err, relay.EINVALID, "")
			})
		}
		empty := mustCreateChannel(t, db, tn, "empty", relay.ChannelPublic)
		got, err = db.History(ctx, tn.ws.ID, empty.ID, relay.HistoryQuery{})
		must(t, err)
		diff(t, "empty channel", got, []relay.Message{})
		_, err = db.History(ctx, tn.ws.ID, ids.New(), relay.HistoryQuery{})
		wantCode(t, err, relay.ENOTFOUND, "Channel not found.")
	})
}

func TestHistoryLimits(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		tn := mustCreateWorkspace(t, db, "acme", "ann@example.com")
		postN(t, db, tn.general, tn.owner, 260)
		for _, tt := range []struct{ limit, want int }{{0, 50}, {-3, 50}, {10, 10}, {200, 200}, {1000, 200}} {
			got, err := db.History(ctx, tn.ws.ID, tn.general.ID, relay.HistoryQuery{Limit: tt.limit})
			must(t, err)
			if len(got) != tt.want || got[len(got)-1].Seq != 260 {
				t.Fatalf("limit %d: %d messages ending at %d, want %d ending at 260", tt.limit, len(got), got[len(got)-1].Seq, tt.want)
			}
		}
		got, err := db.MessagesAfter(ctx, tn.ws.ID, tn.general.ID, 0, 0)
		must(t, err)
		if len(got) != 200 || got[0].Seq != 1 {
			t.Fatalf("MessagesAfter default limit: %d from %d", len(got), got[0].Seq)
		}
	})
}

// TestCatchUp checks what a rejoining client reads: MessagesAfter for new
// messages, ChangedSince for changes to those it had.
func TestCatchUp(t *testing.T) {
	t.Parallel()
	testdb.Engines(t, func(t *testing.T, db *store.DB) {
		tn := mustCreateWorkspace(t, db, "acme", "ann@example.com")
		c := tn.general
		msgs := postN(t, db, c, tn.owner, 6)
		// The client saw everything up to here.
		seen := readChannel(t, db, c, 0)

		_, err := db.EditMessage(ctx, tn.ws.ID, msgs[1].ID, "edited", nil, false, t0.Add(time.Hour))
		must(t, err)
		_, _, err = db.AddReaction(ctx, tn.ws.ID, msgs[2].ID, tn.owner.ID, "👍", t0)
		must(t, err)
		_, err = db.DeleteMessage(ctx, tn.ws.ID, msgs[3].ID, t0.Add(time.Hour))
		must(t, err)
		mustPost(t, db, reply(msgs[4], tn.owner, "new reply", false), msg(c, tn.owner, "new"))
		// A change to a message changed before counts once, at its latest.
		_, err = db.EditMessage(ctx, tn.ws.ID, msgs[1].ID, "edited twice", nil, false, t0.Add(2*time.Hour))
		must(t, err)

		changed, err := db.ChangedSince(ctx, tn.ws.ID, c.ID, seen.LastSeq, seen.LastChange, 0)
		must(t, err)
		var bodies []string
		var last int64
		for _, m := range changed {
			if m.Change <= last {
				t.Fatalf("changes not ascending: %d after %d", m.Change, last)
			}
			last = m.Change
			bodies = append(bodies, m.Body)
		}
		diff(t, "changed (edit, reaction, delete, thread, edit)", bodies, []string{"2", "", "4", "edited twice"})
		if changed[0].Reactions[0].Emoji != "👍" || changed[1].DeletedAt == nil || changed[2].ReplyCount != 1 {
			t.Fatalf("changed messages = %+v", changed)
		}
		changed, err = db.ChangedSince(ctx, tn.ws.ID, c.ID, seen.LastSeq, seen.LastChange, 2)
		must(t, err)
		if len(changed) != 2 {
			t.Fatalf("ChangedSince limit 2: %d messages", len(changed))
		}
		// New messages, replies included, are MessagesAfter's.
		after, err := db.MessagesAfter(ctx, tn.ws.ID, c.ID, seen.LastSeq, 0)
		must(t, err)
		diff(t, "MessagesAfter", seqs(after), []int64{7, 8})
		if after[0].ParentID == nil || after[1].Body != "new" {
			t.Fatalf("MessagesAfter = %+v", after)
		}
		after, err = db.MessagesAfter(ctx, tn.ws.ID, c.ID, 2, 3)
		must(t, err)
		diff(t, "MessagesAfter 2, limit 3", seqs(after), []int64{3, 4, 5})
		now := readChannel(t, db, c, 0)
		changed, err = db.ChangedSince(ctx, tn.ws.ID, c.ID, now.LastSeq, now.LastChange, 0)
		must(t, err)
		diff(t, "nothing changed since now", changed, []relay.Message{})
		after, err = db.MessagesAfter(ctx, tn.ws.ID, c.ID, now.LastSeq, 0)
		must(t, err)
		diff(t, "nothing after now", after, []relay.Message{})
		_, err = db.ChangedSince(ctx, tn.ws.ID, ids.New(), 1, 0, 0)
		wantCode(t, err, relay.ENOTFOUND, "")
		_, err = db.MessagesAfter(ctx, tn.ws.ID, ids.New(), 0, 0)
		wantCode(t, err, relay.ENOTFOUND, "")
	})
}
