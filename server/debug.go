package server

import (
	"net/http"
	"net/http/pprof"
)

// debugMux serves Go's profiles and the Prometheus metrics, to anyone who
// reaches it. It is mounted only on --debug-addr, a listener of its own,
// never on the public one.
func debugMux(metrics http.Handler) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics)
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}
