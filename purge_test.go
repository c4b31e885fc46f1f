package main

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/database"
)

// testClock is the auth service's clock in these tests: moved by hand, never slept on.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// purgeEnv is a staff database with a service on a hand-moved clock, and a second connection to
// count its rows.
type purgeEnv struct {
	staff *auth.Service
	clock *testClock
	user  auth.User
	rows  *sql.DB
}

func newPurgeEnv(t *testing.T) *purgeEnv {
	t.Helper()
	dir := t.TempDir()
	db, err := database.Open(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clock := &testClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	staff, err := auth.NewService(t.Context(), db, auth.Config{BaseURL: "http://127.0.0.1:8080",
		SessionKeys: [][]byte{[]byte(strings.Repeat("k", 32))}, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	u, err := staff.CreateUser(t.Context(), auth.NewUser{Email: "alice@example.com", Name: "Alice", Role: auth.RoleReviewer,
		Password: "plinth-otter-marsh-43"})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "console.db")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rows.Close() })
	return &purgeEnv{staff: staff, clock: clock, user: u, rows: rows}
}

// expire leaves a web session and sign-in throttle rows behind, then moves the clock past the
// absolute session timeout and past every throttle's memory.
func (e *purgeEnv) expire(t *testing.T) {
	t.Helper()
	if _, err := e.staff.Sessions().Login(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil), e.user); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		_, err := e.staff.Authenticate(t.Context(), "alice@example.com", "not the password at all", netip.MustParseAddr("192.0.2.1"))
		if !errors.Is(err, auth.ErrInvalidCredentials) {
			t.Fatalf("failed sign-in: got %v, want ErrInvalidCredentials", err)
		}
	}
	if e.count(t, "web_sessions") == 0 || e.count(t, "login_throttles") == 0 {
		t.Fatal("no rows to purge")
	}
	e.clock.Advance(25 * time.Hour)
}

func (e *purgeEnv) count(t *testing.T, table string) int {
	t.Helper()
	var n int
	if err := e.rows.QueryRowContext(t.Context(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// waitPurged polls until the expired sessions and throttle rows are gone.
func (e *purgeEnv) waitPurged(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for e.count(t, "web_sessions")+e.count(t, "login_throttles") != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("after 10s: %d sessions and %d throttle rows, want none", e.count(t, "web_sessions"), e.count(t, "login_throttles"))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// countingPurger counts the runs of the purger it wraps; err, when set, is what every run returns.
type countingPurger struct {
	next expiredPurger
	runs atomic.Int64
	err  error
}

func (p *countingPurger) PurgeExpired(ctx context.Context) error {
	p.runs.Add(1)
	if p.err != nil {
		return p.err
	}
	return p.next.PurgeExpired(ctx)
}

func waitRuns(t *testing.T, p *countingPurger, n int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for p.runs.Load() < n {
		if time.Now().After(deadline) {
			t.Fatalf("after 10s: %d runs, want at least %d", p.runs.Load(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestPurgeRunsAtStart(t *testing.T) {
	e := newPurgeEnv(t)
	e.expire(t)
	stop := startPurging(t.Context(), e.staff, time.Hour, slog.New(slog.DiscardHandler))
	defer stop()
	e.waitPurged(t)
}

func TestPurgeRunsEveryInterval(t *testing.T) {
	e := newPurgeEnv(t)
	p := &countingPurger{next: e.staff}
	stop := startPurging(t.Context(), p, 10*time.Millisecond, slog.New(slog.DiscardHandler))
	defer stop()
	waitRuns(t, p, 1)
	e.expire(t) // after the run at start: only a later one can remove these
	e.waitPurged(t)
	if p.runs.Load() < 2 {
		t.Errorf("runs = %d, want at least 2", p.runs.Load())
	}
}

func TestPurgeStopsWithItsContext(t *testing.T) {
	p := &countingPurger{next: newPurgeEnv(t).staff}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		purgeExpired(ctx, p, time.Millisecond, slog.New(slog.DiscardHandler))
		close(done)
	}()
	waitRuns(t, p, 3)
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("purgeExpired still running 10s after its context ended")
	}
	// The function serve defers ends the loop too, and returns only once it has.
	stop := startPurging(context.Background(), p, time.Millisecond, slog.New(slog.DiscardHandler))
	waitRuns(t, p, p.runs.Load()+3)
	stopped := make(chan struct{})
	go func() {
		stop()
		close(stopped)
	}()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("stop did not return within 10s")
	}
}

// TestServePurgesExpiredRows: serve removes the sessions and throttle rows that expired while it
// was not running, as soon as it starts.
func TestServePurgesExpiredRows(t *testing.T) {
	dir := t.TempDir()
	db, err := database.Open(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	e := &purgeEnv{clock: &testClock{t: time.Now().Add(-48 * time.Hour)}}
	e.staff, err = auth.NewService(t.Context(), db, auth.Config{BaseURL: "http://127.0.0.1:8080",
		SessionKeys: [][]byte{[]byte(strings.Repeat("k", 32))}, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if e.user, err = e.staff.CreateUser(t.Context(), auth.NewUser{Email: "alice@example.com", Name: "Alice",
		Role: auth.RoleAdmin, Password: "plinth-otter-marsh-43"}); err != nil {
		t.Fatal(err)
	}
	if e.rows, err = sql.Open("sqlite", "file:"+filepath.Join(dir, "console.db")+"?_pragma=busy_timeout(10000)"); err != nil {
		t.Fatal(err)
	}
	defer e.rows.Close()
	e.expire(t) // two days ago, by the service's clock
	db.Close()

	env := map[string]string{"HIVECONSOLE_ADDR": freeAddr(t), "HIVECONSOLE_DATA_DIR": dir,
		"HIVE_API_URL": "http://127.0.0.1:1", "HIVE_API_KEY": "k", "HIVE_API_SECRET": "s"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, func(k string) string { return env[k] }, io.Discard, io.Discard)
	}()
	e.waitPurged(t)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the console did not shut down")
	}
}

func TestPurgeFailureIsAWarning(t *testing.T) {
	var logs syncBuffer
	p := &countingPurger{err: errors.New("database is locked")}
	stop := startPurging(t.Context(), p, time.Millisecond, slog.New(slog.NewTextHandler(&logs, nil)))
	waitRuns(t, p, 2) // a failure does not end the loop
	stop()
	out := logs.String()
	if !strings.Contains(out, "level=WARN") || !strings.Contains(out, "purge expired") || !strings.Contains(out, "database is locked") {
		t.Errorf("log %q, want a warning naming the purge and its error", out)
	}
}
