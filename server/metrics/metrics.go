// Package metrics counts what the server does, for Prometheus: pushes and
// versions stored, commit latency, and refused requests by reason, plus
// gauges read at each scrape (connected devices, database and blob bytes).
//
// The counters are the process's, like expvar's: the hub and the API
// count as they go, and Handler serves them with one server's gauges.
package metrics

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

var (
	pushes = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "pawfile_pushes_total",
		Help: "Pushes (batches of record versions) devices sent.",
	})
	versions = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "pawfile_versions_total",
		Help: "Record versions stored.",
	})
	commit = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "pawfile_commit_seconds",
		Help:    "Time from a push's versions being queued to their commit to disk (fsync included).",
		Buckets: prometheus.ExponentialBuckets(0.001, 2, 13), // 1 ms to 4 s
	})
	refused = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "pawfile_refused_total",
		Help: "Requests refused, by reason: an API error code (bad_login, throttled, ...), a sync refusal (origin, hello, unauthorized, revoked, too_many_connections, shutting_down), version_<code> for a pushed version or blob_<code> for a photo (wire error codes: skew, forbidden, too-large...).",
	}, []string{"reason"})
)

// Pushed counts a push from a device.
func Pushed() { pushes.Inc() }

// Stored counts n record versions stored.
func Stored(n int) { versions.Add(float64(n)) }

// Committed records how long a push's versions took to be committed.
func Committed(d time.Duration) { commit.Observe(d.Seconds()) }

// Refused counts a refused request. reason is one of a small fixed set (an
// error code), never anything a client chose.
func Refused(reason string) { refused.WithLabelValues(reason).Inc() }

// Gauges reads one server's state at each scrape.
type Gauges struct {
	Connected     func() int            // open sync sockets
	DatabaseBytes func() (int64, error) // size of the database file
	BlobBytes     func() (int64, error) // photos held, uploads in progress included
}

// Handler serves the metrics in Prometheus's text format, with the Go
// runtime's and the process's own.
func Handler(g Gauges, log *slog.Logger) http.Handler {
	r := prometheus.NewRegistry()
	r.MustRegister(pushes, versions, commit, refused,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "pawfile_connected_devices",
			Help: "Sync sockets open (a device per socket, signed in).",
		}, func() float64 { return float64(g.Connected()) }),
		bytesGauge("pawfile_database_bytes", "Size of the database file.", g.DatabaseBytes, log),
		bytesGauge("pawfile_blob_bytes", "Bytes of photos held, uploads in progress included.", g.BlobBytes, log),
	)
	return promhttp.HandlerFor(r, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelError)})
}

// bytesGauge reads read at each scrape; a failed read is logged and
// reported as -1, so a dashboard shows it rather than a stale value.
func bytesGauge(name, help string, read func() (int64, error), log *slog.Logger) prometheus.GaugeFunc {
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 {
		n, err := read()
		if err != nil {
			log.Error("metrics: read "+name, "err", err)
			return -1
		}
		return float64(n)
	})
}
