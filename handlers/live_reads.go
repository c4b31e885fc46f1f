package handlers

import (
	"context"
	"sync"
	"time"

	"github.com/hiveconsole/hiveconsole/hive"
	"golang.org/x/sync/singleflight"
)

// liveReadTimeout bounds one shared read: it runs for every stream waiting on it, not for one.
const liveReadTimeout = 30 * time.Second

// liveReads are the Hive reads of live streams, shared: every stream watching the same check reads
// it through here, and a read younger than one tick answers them all, so a hundred viewers of a
// processing check cost Hive one call per tick, not a hundred. When the check completes, its report
// and customer are read once for every viewer too. Each viewer still builds its own page from them,
// masked for its own role, and the trail records each viewer's report view.
type liveReads struct {
	hive       Hive
	maxAge     time.Duration
	now        func() time.Time
	onComplete func(context.Context, *hive.Check) // a watched check was seen completing: lists must show it

	group singleflight.Group
	mu    sync.Mutex
	last  map[string]liveRead // by "kind:id"
}

// liveRead is one answer from Hive and when it was read.
type liveRead struct {
	at  time.Time
	val any
	err error
}

// liveReadsPrune is how many remembered reads trigger dropping the stale ones.
const liveReadsPrune = 1024

func newLiveReads(h Hive, maxAge time.Duration, onComplete func(context.Context, *hive.Check)) *liveReads {
	return &liveReads{hive: h, maxAge: maxAge, now: time.Now, onComplete: onComplete, last: map[string]liveRead{}}
}

// GetCheck reads a check, at most once per tick for all its viewers.
func (l *liveReads) GetCheck(ctx context.Context, id string) (*hive.Check, error) {
	return sharedRead(l, ctx, "check:"+id, func(ctx context.Context) (*hive.Check, error) {
		ch, err := l.hive.GetCheck(ctx, id)
		if err == nil && ch.Status == hive.CheckComplete && !l.sawComplete(id) && l.onComplete != nil {
			l.onComplete(ctx, ch)
		}
		return ch, err
	})
}

// GetReport reads a check's report once for every viewer that sees the check complete at about
// the same time.
func (l *liveReads) GetReport(ctx context.Context, id string) (*hive.Report, error) {
	return sharedReadFor(l, ctx, "report:"+id, max(l.maxAge, settledMaxAge), func(ctx context.Context) (*hive.Report, error) {
		return l.hive.GetReport(ctx, id)
	})
}

// GetCustomer reads the customer a completed report is compared with, shared the same way.
func (l *liveReads) GetCustomer(ctx context.Context, id string) (*hive.Customer, error) {
	return sharedReadFor(l, ctx, "customer:"+id, max(l.maxAge, settledMaxAge), func(ctx context.Context) (*hive.Customer, error) {
		return l.hive.GetCustomer(ctx, id)
	})
}

// sawComplete reports whether the last read of the check found it complete already, so that its
// completion is announced once.
func (l *liveReads) sawComplete(id string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	ch, _ := l.last["check:"+id].val.(*hive.Check)
	return ch != nil && ch.Status == hive.CheckComplete
}

// sharedRead answers from a read younger than maxAge, or makes one read for every caller asking
// now. The read runs detached from the first caller's request, so a viewer closing its page does
// not fail the others. Failures are remembered like answers: Hive is asked again next tick, not by
// every viewer at once.
func sharedRead[T any](l *liveReads, ctx context.Context, key string, read func(context.Context) (T, error)) (T, error) {
	return sharedReadFor(l, ctx, key, l.maxAge, read)
}

// settledMaxAge is how long a read of something that no longer changes while viewers watch — a
// completed check's report, and the customer it is compared with — answers every viewer: those
// arriving over a few seconds (fifty pages rendering at once, each writing its audit row) cost
// one read, not one per tick they span. A failed read is retried at the next tick all the same.
const settledMaxAge = 5 * time.Second

// sharedReadFor is sharedRead with its own freshness window.
func sharedReadFor[T any](l *liveReads, ctx context.Context, key string, maxAge time.Duration, read func(context.Context) (T, error)) (T, error) {
	if v, err, ok := l.recent(key, maxAge); ok {
		return v.(T), err
	}
	v, err, _ := l.group.Do(key, func() (any, error) {
		if v, err, ok := l.recent(key, maxAge); ok {
			return v, err // read by the flight that just ended
		}
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), liveReadTimeout)
		defer cancel()
		v, err := read(rctx)
		l.remember(key, v, err)
		return v, err
	})
	return v.(T), err
}

func (l *liveReads) recent(key string, maxAge time.Duration) (any, error, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r, ok := l.last[key]
	if ok && r.err != nil {
		maxAge = l.maxAge
	}
	if !ok || l.now().Sub(r.at) >= maxAge {
		return nil, nil, false
	}
	return r.val, r.err, true
}

func (l *liveReads) remember(key string, v any, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.last) >= liveReadsPrune {
		for k, r := range l.last {
			if now.Sub(r.at) >= max(l.maxAge, settledMaxAge) {
				delete(l.last, k)
			}
		}
	}
	l.last[key] = liveRead{at: now, val: v, err: err}
}
