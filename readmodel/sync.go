package readmodel

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/hiveconsole/hiveconsole/hive"
	"golang.org/x/sync/errgroup"
)

// Hive is what the sync reads: the four lists, streamed, and single checks and reports.
type Hive interface {
	EachCustomer(ctx context.Context, fn func(*hive.Customer) error) error
	EachSession(ctx context.Context, fn func(*hive.Session) error) error
	EachCheck(ctx context.Context, fn func(*hive.Check) error) error
	EachFile(ctx context.Context, fn func(*hive.File) error) error
	GetCheck(ctx context.Context, id string) (*hive.Check, error)
	GetReport(ctx context.Context, id string) (*hive.Report, error)
}

// DefaultInterval is the time between the starts of full passes. Hive has no change feed, so a
// change made outside the console shows within two intervals; a pass over a million customers that
// barely changed takes about 45 s on two cores (the scale run), so a shorter interval would keep one
// replica syncing all the time, and a longer one leaves outside changes unseen for longer than a
// reviewer would expect. A pass that takes longer than the interval starts the next at once.
const DefaultInterval = time.Minute

// SyncConfig sets the sync's pace.
type SyncConfig struct {
	Interval      time.Duration // between the starts of full passes; DefaultInterval when zero
	Processing    time.Duration // between polls of processing checks; 5 s when zero
	ReportWorkers int           // reports fetched at once; 4 when zero
	Batch         int           // rows a pass writes per transaction; batchSize when zero
	Lease         time.Duration // how long a replica's claim to sync lasts unrenewed; Interval/2 when zero
	Holder        string        // this replica's name in the lease; a random one when empty
	Log           *slog.Logger
	// Rows is told the rows each kind read in a complete pass and the pass's duration, for metrics.
	Rows func(kind Kind, rows int64, took time.Duration)
	// Failed is told each failure, for metrics.
	Failed func(kind Kind)
}

// Syncer keeps the store in step with Hive: on every replica it competes for the lease, and the
// holder runs full passes every interval and polls processing checks in between.
type Syncer struct {
	store *Store
	hive  Hive
	cfg   SyncConfig

	mu      sync.Mutex
	leading bool
	wake    chan struct{}
}

// NewSyncer returns a syncer; Run starts it.
func NewSyncer(store *Store, h Hive, cfg SyncConfig) *Syncer {
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultInterval
	}
	if cfg.Processing <= 0 {
		cfg.Processing = 5 * time.Second
	}
	if cfg.Batch <= 0 {
		cfg.Batch = batchSize
	}
	if cfg.ReportWorkers <= 0 {
		cfg.ReportWorkers = 4
	}
	if cfg.Lease <= 0 {
		cfg.Lease = max(cfg.Interval/2, 2*time.Second)
	}
	if cfg.Holder == "" {
		cfg.Holder = randomHolder()
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Syncer{store: store, hive: h, cfg: cfg, wake: make(chan struct{}, 1)}
}

// Holder is this replica's name in the lease.
func (s *Syncer) Holder() string { return s.cfg.Holder }

// Leading reports whether this replica holds the lease.
func (s *Syncer) Leading() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.leading
}

// Poke asks for a poll of processing checks now (the console just created one, say).
func (s *Syncer) Poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run syncs until ctx ends. Failures are recorded in sync_state and retried with backoff; the
// data of the last complete pass stays.
func (s *Syncer) Run(ctx context.Context) error {
	var nextPass time.Time
	failures := 0
	for {
		lead, err := s.store.claim(ctx, s.cfg.Holder, s.cfg.Lease)
		if err != nil && ctx.Err() == nil {
			s.cfg.Log.Warn("sync: lease", "err", err)
		}
		s.setLeading(lead)
		switch {
		case ctx.Err() != nil:
			return nil
		case !lead:
			nextPass = time.Time{} // a new leader starts with a pass
		case !time.Now().Before(nextPass):
			start := time.Now()
			if err := s.leadPass(ctx); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				failures++
				wait := min(s.cfg.Interval, time.Duration(1<<min(failures, 10))*time.Second)
				s.cfg.Log.Warn("sync: pass failed; the last data stays", "err", err, "retry_in", wait)
				nextPass = time.Now().Add(wait)
			} else {
				failures = 0
				nextPass = start.Add(s.cfg.Interval)
			}
		default:
			if err := s.pollProcessing(ctx); err != nil && ctx.Err() == nil {
				s.cfg.Log.Warn("sync: processing checks", "err", err)
			}
			if _, err := s.store.RelinkStale(ctx, relinkPerTick); err != nil && ctx.Err() == nil {
				s.cfg.Log.Warn("sync: links", "err", err)
			}
		}
		tick := s.cfg.Processing
		if !lead {
			tick = s.cfg.Lease / 3
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(tick):
		case <-s.wake:
		}
	}
}

func (s *Syncer) setLeading(v bool) {
	s.mu.Lock()
	s.leading = v
	s.mu.Unlock()
}

// leadPass runs one full pass while renewing the lease; losing the lease ends the pass.
func (s *Syncer) leadPass(ctx context.Context) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case <-done:
				return
			case <-time.After(s.cfg.Lease / 3):
			}
			lead, err := s.store.claim(ctx, s.cfg.Holder, s.cfg.Lease)
			if err == nil && !lead {
				s.setLeading(false)
				cancel(errors.New("another replica took over the sync"))
				return
			}
		}
	}()
	err := s.Pass(ctx)
	if cause := context.Cause(ctx); cause != nil && ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return cause
	}
	return err
}

// Pass reads every list once, tombstones what Hive no longer has, and fetches the reports of
// completed checks not summarised yet. Each kind is read and recorded on its own, so a failure of
// one keeps the others' progress.
func (s *Syncer) Pass(ctx context.Context) error {
	began := s.store.now().Add(-time.Second) // erasures are stamped in whole seconds
	var errs []error
	for _, kind := range Lists {
		if err := s.passOf(ctx, kind); err != nil {
			if ctx.Err() != nil {
				return err
			}
			errs = append(errs, err)
		}
	}
	if err := s.fetchReports(ctx); err != nil {
		if ctx.Err() != nil {
			return err
		}
		errs = append(errs, err)
	}
	// What the pass wrote of customers retention erased while it ran.
	if _, err := s.store.EraseStragglers(ctx, began); err != nil {
		if ctx.Err() != nil {
			return err
		}
		errs = append(errs, err)
	}
	// The new reports' links, and those of the checks they share something with.
	if _, err := s.store.RelinkStale(ctx, relinkPerPass); err != nil {
		if ctx.Err() != nil {
			return err
		}
		errs = append(errs, fmt.Errorf("links: %w", err))
	}
	return errors.Join(errs...)
}

// How many waiting checks' links a pass, and a tick between passes, work out at most: after the
// first load of a large copy the rest follow pass by pass and tick by tick, while pages are served.
const (
	relinkPerPass = 20000
	relinkPerTick = 200
)

// batchSize is how many rows a pass writes per transaction by default: each transaction writes the
// index pages it touched again, so larger ones write a million rows much faster (a thousand rows a
// transaction took 1.4 times as long); ten thousand rows take about half a second, which is as
// long as a page's own write may wait for one.
const batchSize = 10000

func (s *Syncer) passOf(ctx context.Context, kind Kind) error {
	p, err := s.store.beginPass(ctx, kind)
	if err != nil {
		return err
	}
	start := time.Now()
	bulk, err := s.store.deferIndexes(ctx, kind)
	if err != nil {
		s.fail(kind, err)
		return err
	}
	n, readErr := s.read(ctx, p)
	if bulk && ctx.Err() == nil {
		// Build the indexes now, even after a failed read: the lists and the search need them,
		// and the next pass is not a bulk load.
		if err := s.store.restoreIndexes(ctx, kind); err != nil {
			s.fail(kind, err)
			return err
		}
	}
	if readErr != nil {
		s.fail(kind, readErr)
		return fmt.Errorf("%s: %w", kind, readErr)
	}
	if err := s.store.endPass(ctx, p, n); err != nil {
		s.fail(kind, err)
		return err
	}
	if kind == Checks {
		// Link the checks to their customers (through their sessions, read just before) and
		// recompute the list columns of every customer whose checks this pass changed.
		if err := s.store.db.Tx(ctx, func(tx *sql.Tx) error { return s.store.linkChecks(ctx, tx, p.n) }); err != nil {
			s.fail(kind, err)
			return err
		}
	}
	if s.cfg.Rows != nil {
		s.cfg.Rows(kind, n, time.Since(start))
	}
	return nil
}

// read streams the pass's list into the store.
func (s *Syncer) read(ctx context.Context, p pass) (n int64, err error) {
	switch p.kind {
	case Customers:
		return stream(ctx, s, p, s.hive.EachCustomer, s.store.putCustomers)
	case Sessions:
		return stream(ctx, s, p, s.hive.EachSession, s.store.putSessions)
	case Checks:
		return stream(ctx, s, p, s.hive.EachCheck, s.store.putChecks)
	case Files:
		return stream(ctx, s, p, s.hive.EachFile, s.store.putFiles)
	}
	return 0, fmt.Errorf("readmodel: %s is not a list", p.kind)
}

// stream reads one list into the store in batches, recording progress as it goes. Reading and
// writing overlap: while one batch is written, the next is read and decoded.
func stream[T any](ctx context.Context, s *Syncer, p pass, each func(context.Context, func(*T) error) error,
	put func(context.Context, pass, int64, []T) error) (int64, error) {
	g, gctx := errgroup.WithContext(ctx)
	batches := make(chan []T, 1)
	var n int64
	g.Go(func() error {
		for buf := range batches {
			if err := put(gctx, p, n, buf); err != nil {
				return err
			}
			n += int64(len(buf))
			if err := s.store.progress(gctx, p, n); err != nil {
				return err
			}
		}
		return nil
	})
	g.Go(func() error {
		defer close(batches)
		buf := make([]T, 0, s.cfg.Batch)
		send := func() error {
			select {
			case batches <- buf:
				buf = make([]T, 0, s.cfg.Batch)
				return nil
			case <-gctx.Done():
				return gctx.Err()
			}
		}
		err := each(gctx, func(item *T) error {
			buf = append(buf, *item)
			if len(buf) == s.cfg.Batch {
				return send()
			}
			return nil
		})
		if err == nil && len(buf) > 0 {
			err = send()
		}
		return err
	})
	err := g.Wait()
	return n, err
}

func (s *Syncer) fail(kind Kind, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if ferr := s.store.failPass(ctx, kind, describe(err)); ferr != nil {
		s.cfg.Log.Warn("sync: record failure", "err", ferr)
	}
	if s.cfg.Failed != nil {
		s.cfg.Failed(kind)
	}
}

// describe says what kind of error stopped a pass, in words fit for the page: Hive's error code and
// message (never the text of a response), or that the database failed.
func describe(err error) string {
	var herr *hive.Error
	if errors.As(err, &herr) {
		if herr.Message != "" {
			return herr.Message
		}
		return "Hive: " + string(herr.Code)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out"
	}
	return "the console database failed"
}

// fetchReports summarises completed checks that have no summary yet, newest first, a few at a time.
// It resumes wherever it stopped: what is stored stays stored.
func (s *Syncer) fetchReports(ctx context.Context) error {
	p, err := s.store.beginPass(ctx, Reports)
	if err != nil {
		return err
	}
	start := time.Now()
	failed := map[string]bool{} // checks whose report could not be read in this pass
	var n int64
	var firstErr error
	for {
		todo, err := s.store.unsummarised(ctx, 200, failed)
		if err != nil {
			s.fail(Reports, err)
			return err
		}
		if len(todo) == 0 {
			break
		}
		// Until some check's links are worked out (the first load), a new report has none to mark.
		mark, err := s.store.anyLinks(ctx)
		if err != nil {
			s.fail(Reports, err)
			return err
		}
		var mu sync.Mutex
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(s.cfg.ReportWorkers)
		for _, ch := range todo {
			g.Go(func() error {
				err := s.summarise(gctx, ch, mark)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					failed[ch.ID] = true
					if firstErr == nil {
						firstErr = err
					}
					return nil
				}
				n++
				return nil
			})
		}
		_ = g.Wait()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		_ = s.store.progress(ctx, p, n)
	}
	if firstErr != nil {
		s.fail(Reports, firstErr)
		return fmt.Errorf("reports: %d not read: %w", len(failed), firstErr)
	}
	if err := s.store.endPass(ctx, p, n); err != nil {
		return err
	}
	if s.cfg.Rows != nil {
		s.cfg.Rows(Reports, n, time.Since(start))
	}
	return nil
}

func (s *Syncer) summarise(ctx context.Context, ch hive.Check, markLinks bool) error {
	r, err := s.hive.GetReport(ctx, ch.ID)
	if err != nil {
		return err
	}
	return s.store.putSummary(ctx, Summarise(&ch, r), markLinks)
}

// pollProcessing reads each processing check again, so the live pages see it complete within
// the poll interval rather than the full pass's.
func (s *Syncer) pollProcessing(ctx context.Context) error {
	ids, err := s.store.processing(ctx, 100)
	if err != nil {
		return err
	}
	for _, id := range ids {
		ch, err := s.hive.GetCheck(ctx, id)
		var herr *hive.Error
		switch {
		case errors.As(err, &herr) && herr.Code == hive.CodeNotFound:
			if err := s.store.DeleteCheck(ctx, id); err != nil {
				return err
			}
			continue
		case err != nil:
			return err
		}
		if err := s.store.PutCheck(ctx, ch); err != nil {
			return err
		}
		if ch.Status == hive.CheckComplete {
			if err := s.summarise(ctx, *ch, true); err != nil {
				s.cfg.Log.Warn("sync: report of a check just completed", "err", err)
			}
		}
	}
	return nil
}
