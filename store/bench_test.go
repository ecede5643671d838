package store_test

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/relayhq/relay"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

// BenchmarkCreateSession measures one small write transaction (a login) and
// BenchmarkAuthenticate the read every request makes.
func BenchmarkCreateSession(b *testing.B) {
	for _, e := range engines {
		b.Run(e.name, func(b *testing.B) {
			db := e.open(b)
			tn := benchTenant(b, db)
			for b.Loop() {
				s := newSession(tn.ws.ID, tn.owner.ID, relay.TokenSession, t0, nil)
				if err := db.CreateSession(ctx, s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkAuthenticate(b *testing.B) {
	for _, e := range engines {
		b.Run(e.name, func(b *testing.B) {
			db := e.open(b)
			tn := benchTenant(b, db)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, _, _, err := db.Authenticate(ctx, tn.ws.ID, tn.session.TokenHash, t0); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

var engines = []struct {
	name string
	open func(testing.TB) *store.DB
}{{store.EngineSQLite, testdb.SQLite}, {store.EnginePostgres, testdb.Postgres}}

func benchTenant(b *testing.B, db *store.DB) tenant {
	b.Helper()
	w, u := newWorkspace("bench"), newUser("bench@example.com")
	s := newSession(w.ID, u.ID, relay.TokenSession, t0, nil)
	if err := db.CreateWorkspace(ctx, w, u, true, s, nil); err != nil {
		b.Fatal(err)
	}
	return tenant{ws: w, owner: u, session: s}
}

// BenchmarkPostMessages measures the hot path, a group commit of one batch
// to one channel, and reports messages per second. Each message carries a
// client_msg_id, as sends from clients do.
func BenchmarkPostMessages(b *testing.B) {
	for _, e := range engines {
		for _, size := range []int{1, 100} {
			b.Run(fmt.Sprintf("%s/batch=%d", e.name, size), func(b *testing.B) {
				db := e.open(b)
				tn := benchTenant(b, db)
				c := newChannel(tn.ws.ID, tn.owner.ID, "bench", relay.ChannelPublic)
				if err := db.CreateChannel(ctx, c, nil); err != nil {
					b.Fatal(err)
				}
				n := 0
				batch := make([]*relay.Message, size)
				for b.Loop() {
					for i := range batch {
						n++
						batch[i] = msg(c, tn.owner, "a message of ordinary length, about sixty characters long")
						batch[i].ClientMsgID = strconv.Itoa(n)
					}
					if _, err := db.PostMessages(ctx, batch); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
			})
		}
	}
}

// BenchmarkHistory reads pages of 50 from a channel of 10,000 messages, a
// tenth of them thread replies: the newest page, and pages before a seq.
func BenchmarkHistory(b *testing.B) {
	for _, e := range engines {
		b.Run(e.name, func(b *testing.B) {
			db := e.open(b)
			tn := benchTenant(b, db)
			c := newChannel(tn.ws.ID, tn.owner.ID, "bench", relay.ChannelPublic)
			if err := db.CreateChannel(ctx, c, nil); err != nil {
				b.Fatal(err)
			}
			var parent *relay.Message
			for range 100 {
				var batch []*relay.Message
				for i := range 100 {
					m := msg(c, tn.owner, "history")
					if parent != nil && i%10 == 0 {
						m.ParentID = ptr(parent.ID)
					}
					batch = append(batch, m)
				}
				parent = mustPost(b, db, batch...)[1].Message
			}
			// As autovacuum would have by now: without statistics, PostgreSQL
			// takes the just-filled table for empty and plans a sort.
			if p := db.Pools()["main"]; p != nil {
				if _, err := p.ExecContext(ctx, "ANALYZE"); err != nil {
					b.Fatal(err)
				}
			}
			for _, q := range []struct {
				name string
				q    func(i int) relay.HistoryQuery
			}{
				{"newest", func(int) relay.HistoryQuery { return relay.HistoryQuery{Limit: 50} }},
				{"before", func(i int) relay.HistoryQuery { return relay.HistoryQuery{Before: int64(100 + i*37%9900), Limit: 50} }},
			} {
				b.Run(q.name, func(b *testing.B) {
					i := 0
					for b.Loop() {
						i++
						page, err := db.History(ctx, tn.ws.ID, c.ID, q.q(i))
						if err != nil || len(page) == 0 {
							b.Fatal(len(page), err)
						}
					}
				})
			}
		})
	}
}

// BenchmarkOutboxCycle measures the outbox's own cost per delivered row:
// claiming due rows in batches of 16 and finishing each as delivered (what
// the workers do around every outside call).
func BenchmarkOutboxCycle(b *testing.B) {
	for _, e := range engines {
		b.Run(e.name, func(b *testing.B) {
			db := e.open(b)
			tn := benchTenant(b, db)
			sub := &relay.WebhookSubscription{ID: ids.New(), WorkspaceID: tn.ws.ID, URL: "https://hooks.example/x",
				Events: []string{"ping"}, Active: true, CreatedBy: tn.owner.ID, CreatedAt: t0}
			if err := db.CreateSubscription(ctx, sub); err != nil {
				b.Fatal(err)
			}
			const batch = 16
			items := make([]relay.OutboxItem, batch)
			rows := 0
			for b.Loop() {
				for i := range items {
					items[i] = relay.OutboxItem{WorkspaceID: tn.ws.ID, Kind: relay.OutboxWebhook, SubscriptionID: &sub.ID,
						Event: "ping", Payload: `{}`, CreatedAt: t0}
				}
				if err := db.EnqueueOutbox(ctx, items); err != nil {
					b.Fatal(err)
				}
				claimed, err := db.ClaimOutbox(ctx, t0, time.Minute, batch)
				if err != nil || len(claimed) != batch {
					b.Fatalf("claimed %d: %v", len(claimed), err)
				}
				for i := range claimed {
					it := claimed[i]
					it.State, it.DeliveredAt = relay.OutboxDelivered, &t0
					if ok, err := db.FinishOutbox(ctx, &it, t0); err != nil || !ok {
						b.Fatalf("finish: %v %v", ok, err)
					}
				}
				rows += batch
			}
			b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
