package handlers

import (
	"testing"

	"github.com/hiveconsole/hiveconsole/hive"
)

// TestReportCacheIsBounded: once full, the cache makes room for a new result by dropping the one
// least recently used, and keeps the one the checks list has just read.
func TestReportCacheIsBounded(t *testing.T) {
	rc := newReportCache(nil, 2)
	rc.put("a", hive.StatusClear)
	rc.put("b", hive.StatusConsider)
	rc.cached("a") // a is now more recent than b
	rc.put("c", hive.StatusCaution)
	tests := []struct {
		id     string
		want   hive.Status
		wantOK bool
	}{
		{"a", hive.StatusClear, true},
		{"b", "", false},
		{"c", hive.StatusCaution, true},
	}
	for _, tt := range tests {
		if got, ok := rc.cached(tt.id); got != tt.want || ok != tt.wantOK {
			t.Errorf("cached(%q): got %q, %v; want %q, %v", tt.id, got, ok, tt.want, tt.wantOK)
		}
	}
}
