package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/hiveconsole/hiveconsole/readmodel"
)

// snapshotInterval is how often serve looks whether this hour's snapshot of the review queue is
// taken. Every replica looks; the hour is the snapshot's key, so one of them takes it.
const snapshotInterval = time.Minute

// queueSnapshotter records the review queue for the insights' chart; *readmodel.Store implements it.
type queueSnapshotter interface {
	SnapshotQueue(ctx context.Context, rule readmodel.QueueRule, targets readmodel.ServiceTimes, now time.Time) error
}

// startQueueSnapshots takes the queue's snapshot at once and then each hour, in the background, and
// returns the function that stops it and waits until it has. A failed snapshot is logged and tried
// again at the next look: the hour's point is missing from the chart at worst.
func startQueueSnapshots(ctx context.Context, s queueSnapshotter, rule readmodel.QueueRule, targets readmodel.ServiceTimes,
	interval time.Duration, log *slog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			if err := s.SnapshotQueue(ctx, rule, targets, time.Now()); err != nil && ctx.Err() == nil {
				log.Warn("snapshot of the review queue", slog.Any("err", err))
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}
