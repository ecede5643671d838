package store_test

import (
	"testing"

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
	if err := db.CreateWorkspace(ctx, w, u, true, s); err != nil {
		b.Fatal(err)
	}
	return tenant{ws: w, owner: u, session: s}
}
