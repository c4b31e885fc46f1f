package handlers

import (
	"context"
	"sync"
	"time"

	"github.com/hiveconsole/hiveconsole/hive"
	"golang.org/x/sync/errgroup"
)

// snapshot is what the console knows of Hive's lists at one moment: customers, sessions, checks and
// files. Hive lists everything in one response, so pages share one read of the lists instead of
// each making its own.
type snapshot struct {
	at        time.Time
	customers *customerIndex
	sessions  []hive.Session // newest first
	checks    []hive.Check   // newest first
	files     []hive.File    // newest first

	joinOnce  sync.Once
	bySession map[string]sessionRef // session id → the session and its customer, built on first use
}

// sessionRef is a session of the snapshot with its customer's entry (nil when Hive has no such
// customer any more).
type sessionRef struct {
	session  *hive.Session
	customer *customerEntry
}

// session finds a session and its customer. Pages join checks to customers through sessions on
// every view, so the join is built once per snapshot, not once per request.
func (s *snapshot) session(id string) (sessionRef, bool) {
	s.joinOnce.Do(func() {
		byID := map[string]*customerEntry{}
		if s.customers != nil {
			byID = make(map[string]*customerEntry, len(s.customers.entries))
			for i := range s.customers.entries {
				byID[s.customers.entries[i].customer.ID] = &s.customers.entries[i]
			}
		}
		s.bySession = make(map[string]sessionRef, len(s.sessions))
		for i := range s.sessions {
			s.bySession[s.sessions[i].ID] = sessionRef{session: &s.sessions[i], customer: byID[s.sessions[i].CustomerID]}
		}
	})
	r, ok := s.bySession[id]
	return r, ok
}

// snapshots keeps the latest snapshot. One younger than the caller's limit is served as it is; an
// older one is served too while one background refresh replaces it, so only the first request
// after start (or after the console changed something) waits for Hive.
type snapshots struct {
	hive Hive
	now  func() time.Time

	mu         sync.Mutex
	current    *snapshot
	refreshing chan struct{} // closed when the refresh in flight ends
	err        error         // the last refresh's failure, for waiters
	generation int           // bumped by invalidate: a refresh begun before it is not installed
}

func newSnapshots(h Hive) *snapshots {
	return &snapshots{hive: h, now: time.Now}
}

// get returns a snapshot, refreshing it in the background when older than maxAge, and waiting
// for Hive only when there is none yet.
func (s *snapshots) get(ctx context.Context, maxAge time.Duration) (*snapshot, error) {
	s.mu.Lock()
	cur := s.current
	if cur != nil && s.now().Sub(cur.at) < maxAge {
		s.mu.Unlock()
		return cur, nil
	}
	done := s.refreshing
	if done == nil {
		done = make(chan struct{})
		s.refreshing = done
		go s.refresh(done, s.generation)
	}
	s.mu.Unlock()
	if cur != nil {
		return cur, nil
	}
	select {
	case <-done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.current == nil {
		return nil, s.err
	}
	return s.current, nil
}

// refresh reads the lists and builds a snapshot. It runs detached from any one request, so a
// closed page does not waste work others wait for, bounded by its own timeout.
func (s *snapshots) refresh(done chan struct{}, generation int) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := s.now()
	var customers *hive.List[hive.Customer]
	var sessions *hive.List[hive.Session]
	var checks *hive.List[hive.Check]
	var files *hive.List[hive.File]
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) { customers, err = s.hive.ListCustomers(gctx); return err })
	g.Go(func() (err error) { sessions, err = s.hive.ListSessions(gctx); return err })
	g.Go(func() (err error) { checks, err = s.hive.ListChecks(gctx); return err })
	g.Go(func() (err error) { files, err = s.hive.ListFiles(gctx); return err })
	err := g.Wait()
	var snap *snapshot
	if err == nil {
		snap = &snapshot{at: start, sessions: sessions.Data, checks: checks.Data, files: files.Data,
			customers: newCustomerIndex(customers.Data, sessions.Data, checks.Data, start)}
	}
	s.mu.Lock()
	if snap != nil && generation == s.generation {
		s.current = snap
	}
	s.err = err
	s.refreshing = nil
	s.mu.Unlock()
	close(done)
}

// invalidate drops the snapshot after the console changed something, so the next request reads
// Hive again.
func (s *snapshots) invalidate() {
	s.mu.Lock()
	s.current = nil
	s.generation++
	s.mu.Unlock()
}
