package main

import (
	"context"
	"log/slog"
	"time"
)

// purgeInterval is how often serve deletes expired web sessions and stale sign-in throttle rows.
// Expiry is enforced on every request whatever is left in the tables, so this only keeps them from
// growing; every replica runs it, which is harmless since deleting what is already gone changes
// nothing.
const purgeInterval = 15 * time.Minute

// expiredPurger deletes what has expired; *auth.Service implements it.
type expiredPurger interface {
	PurgeExpired(ctx context.Context) error
}

// purgeExpired runs p at once and then every interval until ctx ends. A failed run is logged
// as a warning and tried again at the next tick: the server keeps serving either way.
func purgeExpired(ctx context.Context, p expiredPurger, interval time.Duration, log *slog.Logger) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		if err := p.PurgeExpired(ctx); err != nil && ctx.Err() == nil {
			log.Warn("purge expired sessions and sign-in throttles", slog.Any("err", err))
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// startPurging runs purgeExpired in the background and returns the function that stops it and
// waits until it has, so the database it uses can be closed afterwards.
func startPurging(ctx context.Context, p expiredPurger, interval time.Duration, log *slog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		purgeExpired(ctx, p, interval, log)
	}()
	return func() {
		cancel()
		<-done
	}
}
