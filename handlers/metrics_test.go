package handlers_test

import (
	"testing"

	"github.com/hiveconsole/hiveconsole/handlers"
)

// TestBreakerMetrics: each endpoint group's breaker is a gauge, 1 unless closed.
func TestBreakerMetrics(t *testing.T) {
	m := handlers.NewMetrics()
	m.WatchBreakers(func() map[string]string {
		return map[string]string{"customers": "closed", "checks": "open", "files": "half-open"}
	})
	families, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		if f.GetName() != "hiveconsole_hive_breaker_open" {
			continue
		}
		for _, mt := range f.GetMetric() {
			got[mt.GetLabel()[0].GetValue()] = mt.GetGauge().GetValue()
		}
	}
	want := map[string]float64{"customers": 0, "checks": 1, "files": 1}
	for g, v := range want {
		if got[g] != v {
			t.Errorf("%s: %v, want %v (all: %v)", g, got[g], v, got)
		}
	}
}

// TestInvalidHiveItemMetric: each object Hive sent that the client did not use is counted under
// its endpoint.
func TestInvalidHiveItemMetric(t *testing.T) {
	m := handlers.NewMetrics()
	for _, op := range []string{"GET /checks", "GET /checks", "GET /files", "GET /checks/{id}"} {
		m.InvalidHiveItem(op)
	}
	got := counters(t, m, "hiveconsole_hive_invalid_items_total")
	want := map[string]float64{"GET /checks": 2, "GET /files": 1, "GET /checks/{id}": 1}
	if len(got) != len(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for op, v := range want {
		if got[op] != v {
			t.Errorf("%s: got %v, want %v", op, got[op], v)
		}
	}
}

// counters reads a counter family of m as label value → count (the family's first label).
func counters(t *testing.T, m *handlers.Metrics, name string) map[string]float64 {
	t.Helper()
	families, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, mt := range f.GetMetric() {
			got[mt.GetLabel()[0].GetValue()] = mt.GetCounter().GetValue()
		}
	}
	return got
}
