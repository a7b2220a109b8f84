package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the server's Prometheus metrics. Each Server owns its registry
// (never the global default one), so tests and several servers in one
// process do not clash, and a scrape shows exactly this server.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
	caches   *prometheus.CounterVec
	jobs     *JobMetrics
}

// JobMetrics count the runs of background jobs (expired sessions, and
// later reminders and syncs), for alerts on jobs that keep failing or stop
// running.
type JobMetrics struct {
	runs        *prometheus.CounterVec
	lastSuccess *prometheus.GaugeVec
}

// Observe records one run of the job name; err nil is a success.
func (j *JobMetrics) Observe(name string, err error) {
	if j == nil {
		return
	}
	result := "ok"
	if err != nil {
		result = "error"
	} else {
		j.lastSuccess.WithLabelValues(name).SetToCurrentTime()
	}
	j.runs.WithLabelValues(name, result).Inc()
}

// Jobs returns the background job metrics of the server's registry.
func (s *Server) Jobs() *JobMetrics { return s.metrics.jobs }

// Metric names, for dashboards and tests.
const (
	MetricRequests  = "trellis_http_requests_total"
	MetricDuration  = "trellis_http_request_duration_seconds"
	MetricInFlight  = "trellis_http_requests_in_flight"
	MetricCache     = "trellis_cache_lookups_total"
	MetricBuildInfo = "trellis_build_info"
)

func newMetrics(version string, dbStats func() sql.DBStats) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricRequests,
			Help: "HTTP requests served, by route name and status class (2xx, 4xx...).",
		}, []string{"route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    MetricDuration,
			Help:    "Time to serve HTTP requests, by route name.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: MetricInFlight,
			Help: "HTTP requests being served right now.",
		}),
		caches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricCache,
			Help: "Look-ups in the server's caches of actors and growth API responses, by cache and result (hit, miss).",
		}, []string{"cache", "result"}),
	}
	m.jobs = &JobMetrics{
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trellis_background_job_runs_total",
			Help: "Runs of background jobs, by job and result (ok, error).",
		}, []string{"job", "result"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "trellis_background_job_last_success_timestamp_seconds",
			Help: "When each background job last succeeded, in Unix seconds.",
		}, []string{"job"}),
	}
	build := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        MetricBuildInfo,
		Help:        "Always 1; the labels name the running build.",
		ConstLabels: prometheus.Labels{"version": version, "goversion": runtime.Version()},
	})
	build.Set(1)
	m.registry.MustRegister(m.requests, m.duration, m.inFlight, m.caches, build, m.jobs.runs, m.jobs.lastSuccess,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	if dbStats != nil {
		m.registry.MustRegister(&dbStatsCollector{stats: dbStats})
	}
	return m
}

// observe records one finished request.
func (m *metrics) observe(route string, status int, elapsed time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(status/100)+"xx").Inc()
	m.duration.WithLabelValues(route).Observe(elapsed.Seconds())
}

// cache counts one look-up in the named cache.
func (m *metrics) cache(name string, hit bool) {
	result := "miss"
	if hit {
		result = "hit"
	}
	m.caches.WithLabelValues(name, result).Inc()
}

// Registry returns the server's metrics registry, for the rest of the
// product to add its own collectors (background jobs).
func (s *Server) Registry() *prometheus.Registry { return s.metrics.registry }

// serveMetrics serves the registry in the Prometheus text format to those
// allowed to read it.
//
// Who may read /metrics: the figures name every route, the load, the
// database pool and the build, which is reconnaissance for an attacker
// but no person's data. So the route is outside the sign-in policy (a
// Prometheus server has no session and should not hold a person's API
// token), and this handler decides by itself:
//
//   - a scraper on the same machine, connecting over loopback without any
//     proxy header, reads freely; a reverse proxy on the same machine
//     forwards outside requests from loopback too, but adds
//     X-Forwarded-For (or Forwarded), so those are not taken for local,
//     and with --trust-proxy loopback counts for nothing;
//   - anyone else needs "Authorization: Bearer <metrics token>", the token
//     set with --metrics-token / TRELLIS_METRICS_TOKEN; without one set,
//     remote scrapes are refused.
func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	switch {
	case s.metricsTokenOK(r):
	case s.metricsToken == "" && s.fromLoopback(r):
	case s.metricsToken != "" && s.fromLoopback(r) && r.Header.Get("Authorization") == "":
	default:
		if s.metricsToken != "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="trellis-metrics"`)
			writePlain(w, http.StatusUnauthorized, "metrics need the metrics token (--metrics-token) as a Bearer token\n")
			return
		}
		writePlain(w, http.StatusForbidden, "metrics are served over loopback only; set --metrics-token to scrape from elsewhere\n")
		return
	}
	s.metricsHandler.ServeHTTP(w, r)
}

// metricsTokenOK reports whether the request carries the metrics token.
// Both sides are hashed first so the comparison takes the same time
// whatever the lengths.
func (s *Server) metricsTokenOK(r *http.Request) bool {
	if s.metricsToken == "" {
		return false
	}
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return false
	}
	a, b := sha256.Sum256([]byte(strings.TrimSpace(got))), sha256.Sum256([]byte(s.metricsToken))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

// fromLoopback reports whether the request came straight from this machine:
// the connection's own address is loopback and no proxy says it speaks for
// someone else.
func (s *Server) fromLoopback(r *http.Request) bool {
	if s.trustProxy {
		return false
	}
	for _, h := range []string{"X-Forwarded-For", "Forwarded", "X-Real-Ip"} {
		if r.Header.Get(h) != "" {
			return false
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// newMetricsHandler serves the registry; errors while gathering are logged,
// and a failing collector does not hide the others.
func (s *Server) newMetricsHandler() http.Handler {
	return promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{
		ErrorHandling: promhttp.ContinueOnError,
		ErrorLog:      promLogger{s},
	})
}

type promLogger struct{ s *Server }

func (l promLogger) Println(v ...any) {
	l.s.logger.Warn("metrics", "err", strings.TrimSpace(fmt.Sprintln(v...)))
}

// dbStatsCollector exports the database connection pool's statistics.
type dbStatsCollector struct {
	stats func() sql.DBStats
}

var (
	dbMaxOpen      = prometheus.NewDesc("trellis_db_max_open_connections", "Most connections the pool may open (0: no limit).", nil, nil)
	dbOpen         = prometheus.NewDesc("trellis_db_open_connections", "Connections open, in use or idle.", nil, nil)
	dbInUse        = prometheus.NewDesc("trellis_db_connections_in_use", "Connections in use.", nil, nil)
	dbIdle         = prometheus.NewDesc("trellis_db_connections_idle", "Idle connections.", nil, nil)
	dbWaitCount    = prometheus.NewDesc("trellis_db_wait_count_total", "Times a query waited for a free connection.", nil, nil)
	dbWaitDuration = prometheus.NewDesc("trellis_db_wait_duration_seconds_total", "Time spent waiting for a free connection.", nil, nil)
	dbIdleClosed   = prometheus.NewDesc("trellis_db_closed_max_idle_total", "Connections closed because the pool had enough idle ones.", nil, nil)
	dbIdleTimeout  = prometheus.NewDesc("trellis_db_closed_max_idle_time_total", "Connections closed after idling too long.", nil, nil)
	dbLifetime     = prometheus.NewDesc("trellis_db_closed_max_lifetime_total", "Connections closed after living too long.", nil, nil)
)

func (c *dbStatsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{dbMaxOpen, dbOpen, dbInUse, dbIdle, dbWaitCount, dbWaitDuration, dbIdleClosed, dbIdleTimeout, dbLifetime} {
		ch <- d
	}
}

func (c *dbStatsCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.stats()
	gauge := func(d *prometheus.Desc, v float64) { ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v) }
	counter := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v)
	}
	gauge(dbMaxOpen, float64(st.MaxOpenConnections))
	gauge(dbOpen, float64(st.OpenConnections))
	gauge(dbInUse, float64(st.InUse))
	gauge(dbIdle, float64(st.Idle))
	counter(dbWaitCount, float64(st.WaitCount))
	counter(dbWaitDuration, st.WaitDuration.Seconds())
	counter(dbIdleClosed, float64(st.MaxIdleClosed))
	counter(dbIdleTimeout, float64(st.MaxIdleTimeClosed))
	counter(dbLifetime, float64(st.MaxLifetimeClosed))
}
