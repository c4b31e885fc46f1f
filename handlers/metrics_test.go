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
