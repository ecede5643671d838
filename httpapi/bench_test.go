package httpapi

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/relayhq/relay/app"
	"github.com/relayhq/relay/internal/testdb"
	"github.com/relayhq/relay/store"
)

// BenchmarkAuthenticatedRequest measures the whole server stack for one
// authenticated read (GET /api/v1/auth/me): host resolution (a workspace
// lookup), token lookup with membership, policy, JSON encoding, the log line
// and metrics — without network cost. Run in parallel on both engines.
func BenchmarkAuthenticatedRequest(b *testing.B) {
	for _, eng := range []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"sqlite", testdb.SQLite}, {"postgres", testdb.Postgres}} {
		b.Run(eng.name, func(b *testing.B) {
			e := newEnv(b, eng.open(b), app.Limits{})
			o := e.signup("bench")
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req := httptest.NewRequest("GET", "/api/v1/auth/me", nil)
					req.Host = "bench." + base
					req.Header.Set("Authorization", "Bearer "+o.token)
					w := httptest.NewRecorder()
					e.srv.ServeHTTP(w, req)
					if w.Code != http.StatusOK {
						b.Errorf("status %d: %s", w.Code, w.Body)
						return
					}
				}
			})
		})
	}
}
