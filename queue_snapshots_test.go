package main

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/readmodel"
)

// countingSnapshotter counts the looks serve takes at the queue; every look fails when fail is set.
type countingSnapshotter struct {
	looks atomic.Int64
	fail  bool
}

func (s *countingSnapshotter) SnapshotQueue(context.Context, readmodel.QueueRule, readmodel.ServiceTimes, time.Time) error {
	s.looks.Add(1)
	if s.fail {
		return errors.New("database unavailable")
	}
	return nil
}

// TestQueueSnapshotsRun: serve looks at once and then every interval, goes on after a failed look,
// and stops when its stop function returns.
func TestQueueSnapshotsRun(t *testing.T) {
	s := &countingSnapshotter{fail: true}
	stop := startQueueSnapshots(t.Context(), s, readmodel.DefaultQueueRule, readmodel.DefaultServiceTimes, time.Millisecond,
		slog.New(slog.DiscardHandler))
	deadline := time.Now().Add(10 * time.Second)
	for s.looks.Load() < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("after 10s: %d looks, want at least 3", s.looks.Load())
		}
		time.Sleep(time.Millisecond)
	}
	stop()
	after := s.looks.Load()
	time.Sleep(20 * time.Millisecond)
	if s.looks.Load() != after {
		t.Errorf("looks went on after stop: %d, then %d", after, s.looks.Load())
	}
	once := &countingSnapshotter{}
	stop = startQueueSnapshots(t.Context(), once, readmodel.DefaultQueueRule, readmodel.DefaultServiceTimes, time.Hour,
		slog.New(slog.DiscardHandler))
	for once.looks.Load() < 1 {
		if time.Now().After(deadline) {
			t.Fatal("no look at start")
		}
		time.Sleep(time.Millisecond)
	}
	stop()
}
