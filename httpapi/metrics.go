package httpapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/relayhq/relay"
)

// Metrics holds Relay's Prometheus registry and the HTTP collectors.
type Metrics struct {
	Registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inflight prometheus.Gauge
}

// NewMetrics returns a registry with Go and process collectors and Relay's
// HTTP metrics. pools are database/sql pools to export stats for, by name.
func NewMetrics(version string, pools map[string]*sql.DB) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		Registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "relay_http_requests_total", Help: "HTTP requests by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "relay_http_request_duration_seconds", Help: "HTTP request latency by method and route pattern.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"method", "route"}),
		inflight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "relay_http_requests_in_flight", Help: "HTTP requests being served.",
		}),
	}
	build := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "relay_build_info", Help: "Always 1; the version label says which build runs.",
		ConstLabels: prometheus.Labels{"version": version},
	})
	build.Set(1)
	reg.MustRegister(m.requests, m.duration, m.inflight, build,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for name, db := range pools {
		reg.MustRegister(collectors.NewDBStatsCollector(db, name))
	}
	return m
}

func (m *Metrics) observe(method, route string, status int, d time.Duration) {
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(method, route).Observe(d.Seconds())
}

// Handler serves the registry in Prometheus' text format, to anyone who
// reaches it: mount it only where the network is private (the debug
// listener).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
}

var errMetricsToken = relay.Errorf(relay.EUNAUTHORIZED, `Metrics need "Authorization: Bearer <RELAY_METRICS_TOKEN>".`)

// metricsHandler serves /metrics on the main listener only when a metrics
// token is configured, and then only to requests bearing it: metrics name
// routes, pools and versions, which are nobody else's business.
func (s *Server) metricsHandler(w http.ResponseWriter, r *http.Request) error {
	if s.metrics == nil || s.metricsToken == nil {
		return errNoRoute
	}
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	sum := sha256.Sum256([]byte(strings.TrimSpace(tok)))
	// Comparing digests keeps the time independent of the token's length.
	if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare(sum[:], s.metricsToken) != 1 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
		return errMetricsToken
	}
	s.metrics.Handler().ServeHTTP(w, r)
	return nil
}
