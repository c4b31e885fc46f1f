package handlers

import (
	"strconv"
	"time"

	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/readmodel"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are the console's Prometheus metrics, on a registry of their own (no global state).
type Metrics struct {
	Registry   *prometheus.Registry
	requests   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	hiveCalls  *prometheus.CounterVec
	hiveTime   *prometheus.HistogramVec
	hiveBad    *prometheus.CounterVec
	sseStreams prometheus.Gauge
	// streamsRefused counts streams turned away at a cap; streamsSignedOut those ended because
	// their web session no longer held.
	streamsRefused, streamsSignedOut prometheus.Counter
	// The sync of the console's copy of Hive: each complete pass's duration and rows, failures.
	syncTime   *prometheus.HistogramVec
	syncRows   *prometheus.GaugeVec
	syncErrors *prometheus.CounterVec
}

// NewMetrics registers the console's metrics and the Go runtime's.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hiveconsole_http_requests_total", Help: "HTTP requests by route, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "hiveconsole_http_request_duration_seconds", Help: "HTTP request latency by route and method.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 10),
		}, []string{"route", "method"}),
		hiveCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hiveconsole_hive_calls_total", Help: "Hive API calls by endpoint and status (0: no response).",
		}, []string{"endpoint", "status"}),
		hiveTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "hiveconsole_hive_call_duration_seconds", Help: "Hive API call latency until the response headers.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2.5, 10),
		}, []string{"endpoint"}),
		hiveBad: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hiveconsole_hive_invalid_items_total",
			Help: "Objects Hive sent that the console did not use, by endpoint: list items skipped, single objects refused.",
		}, []string{"endpoint"}),
		sseStreams: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hiveconsole_sse_streams_active", Help: "Server-sent event streams open now.",
		}),
		streamsRefused: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hiveconsole_sse_streams_refused_total", Help: "Server-sent event streams refused at the per-session or total cap.",
		}),
		streamsSignedOut: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hiveconsole_sse_streams_signed_out_total", Help: "Server-sent event streams ended because their web session no longer held.",
		}),
		syncTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "hiveconsole_sync_pass_duration_seconds", Help: "Duration of complete sync passes, by kind (customers, sessions, checks, files, reports).",
			Buckets: prometheus.ExponentialBuckets(0.05, 2.5, 10),
		}, []string{"kind"}),
		syncRows: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "hiveconsole_sync_rows", Help: "Rows the last complete sync pass read, by kind (reports: summaries fetched).",
		}, []string{"kind"}),
		syncErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hiveconsole_sync_errors_total", Help: "Sync passes that failed, by kind.",
		}, []string{"kind"}),
	}
	m.Registry.MustRegister(m.requests, m.latency, m.hiveCalls, m.hiveTime, m.hiveBad, m.sseStreams, m.streamsRefused, m.streamsSignedOut,
		m.syncTime, m.syncRows, m.syncErrors,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// ObserveHive records one Hive API attempt; pass it as hive.Config.Observe.
func (m *Metrics) ObserveHive(c hive.Call) {
	m.hiveCalls.WithLabelValues(c.Op, strconv.Itoa(c.Status)).Inc()
	m.hiveTime.WithLabelValues(c.Op).Observe(c.Duration.Seconds())
}

// InvalidHiveItem counts one object Hive sent that the client did not use; pass it as
// hive.Config.InvalidItem.
func (m *Metrics) InvalidHiveItem(op string) {
	m.hiveBad.WithLabelValues(op).Inc()
}

func (m *Metrics) observeRequest(route, method string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route, method).Observe(d.Seconds())
}

// StreamOpened counts an SSE stream; call the returned func when it ends.
func (m *Metrics) StreamOpened() (closed func()) {
	m.sseStreams.Inc()
	return m.sseStreams.Dec
}

// WatchBreakers exports the Hive client's circuit breakers as hiveconsole_hive_breaker_open{group}:
// 1 while a group's breaker is open or letting its probe through, 0 while closed. states is read at
// each scrape; pass (*hive.Client).BreakerStates.
func (m *Metrics) WatchBreakers(states func() map[string]string) {
	m.Registry.MustRegister(breakerCollector{states})
}

var breakerDesc = prometheus.NewDesc("hiveconsole_hive_breaker_open",
	"1 while the circuit breaker of a Hive endpoint group is open or probing, else 0.", []string{"group"}, nil)

type breakerCollector struct{ states func() map[string]string }

func (b breakerCollector) Describe(ch chan<- *prometheus.Desc) { ch <- breakerDesc }

func (b breakerCollector) Collect(ch chan<- prometheus.Metric) {
	for group, state := range b.states() {
		v := 0.0
		if state != "closed" {
			v = 1
		}
		ch <- prometheus.MustNewConstMetric(breakerDesc, prometheus.GaugeValue, v, group)
	}
}

// SyncPass records a complete sync pass of one kind; pass it as readmodel.SyncConfig.Rows.
func (m *Metrics) SyncPass(kind readmodel.Kind, rows int64, took time.Duration) {
	m.syncTime.WithLabelValues(string(kind)).Observe(took.Seconds())
	m.syncRows.WithLabelValues(string(kind)).Set(float64(rows))
}

// SyncFailed counts a failed sync pass; pass it as readmodel.SyncConfig.Failed.
func (m *Metrics) SyncFailed(kind readmodel.Kind) { m.syncErrors.WithLabelValues(string(kind)).Inc() }

// WatchSyncLag exports how old the console's copy of Hive is: the seconds since the oldest list's
// last complete pass, read from lag at each scrape.
func (m *Metrics) WatchSyncLag(lag func() float64) {
	m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "hiveconsole_sync_lag_seconds", Help: "Seconds since the console's copy of Hive was last complete (every list read in full).",
	}, lag))
}
