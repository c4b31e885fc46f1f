package hive

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a settable clock for token expiry.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func okHandler(w http.ResponseWriter, _ *http.Request, _ recorded) {
	writeJSON(w, 200, `{"data":[],"meta":{"total":0}}`)
}

func TestTokenIsCachedAndRefreshedEarly(t *testing.T) {
	f := newFakeHive(t, "/api")
	f.handle = okHandler
	c := newTestClient(t, f)
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	c.now = clock.now
	ctx := context.Background()

	steps := []struct {
		advance    time.Duration
		wantTokens int64
	}{
		{0, 1},                         // first call fetches
		{0, 1},                         // cached
		{(3599 - 61) * time.Second, 1}, // 61 s before expiry: still cached
		{2 * time.Second, 2},           // 59 s before expiry: refreshed ahead of time
		{10 * time.Second, 2},          // the new token is cached
	}
	for i, s := range steps {
		clock.advance(s.advance)
		if _, err := c.ListCustomers(ctx); err != nil {
			t.Fatal(err)
		}
		if got := f.tokenHits.Load(); got != s.wantTokens {
			t.Fatalf("step %d: got %d token requests, want %d", i, got, s.wantTokens)
		}
	}
	reqs := f.recorded()
	if reqs[len(reqs)-1].Auth != "Bearer "+tokenValue(2) {
		t.Errorf("last call used %q, want the refreshed token", reqs[len(reqs)-1].Auth)
	}
}

func TestConcurrentCallersShareOneRefresh(t *testing.T) {
	f := newFakeHive(t, "/api")
	f.handle = okHandler
	f.tokenWait = 50 * time.Millisecond // hold the fetch open while the others arrive
	c := newTestClient(t, f)
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	c.now = clock.now
	if _, err := c.ListCustomers(context.Background()); err != nil {
		t.Fatal(err)
	}
	clock.advance(time.Hour) // the cached token has expired
	start := make(chan struct{})
	var wg sync.WaitGroup
	var failures atomic.Int64
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if _, err := c.ListCustomers(context.Background()); err != nil {
				failures.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	if failures.Load() != 0 {
		t.Fatalf("got %d failed calls", failures.Load())
	}
	if got := f.tokenHits.Load(); got != 2 {
		t.Fatalf("got %d token requests, want 2 (the first and exactly one refresh)", got)
	}
}

func TestUnauthorizedRefreshesOnceAndRetriesOnce(t *testing.T) {
	t.Run("revoked token is replaced", func(t *testing.T) {
		f := newFakeHive(t, "/api")
		var hits atomic.Int64
		f.handle = func(w http.ResponseWriter, r *http.Request, rec recorded) {
			hits.Add(1)
			if rec.Auth == "Bearer "+tokenValue(1) { // Hive revoked the first token
				writeJSON(w, 401, `{"error":{"code":"unauthorized","message":"token revoked"}}`)
				return
			}
			writeJSON(w, 200, customerJSON)
		}
		c := newTestClient(t, f)
		// A POST too: a 401 means Hive did nothing, so repeating it is safe.
		if _, err := c.CreateCustomer(context.Background(), CustomerParams{Email: String("a@b.c")}); err != nil {
			t.Fatalf("got %v, want success after one refresh", err)
		}
		if hits.Load() != 2 || f.tokenHits.Load() != 2 {
			t.Fatalf("got %d calls and %d token requests, want 2 and 2", hits.Load(), f.tokenHits.Load())
		}
	})
	t.Run("a second 401 is returned", func(t *testing.T) {
		f := newFakeHive(t, "/api")
		var hits atomic.Int64
		f.handle = func(w http.ResponseWriter, _ *http.Request, _ recorded) {
			hits.Add(1)
			writeJSON(w, 401, `{}`)
		}
		c := newTestClient(t, f)
		_, err := c.GetCustomer(context.Background(), custID)
		if !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("got %v, want ErrUnauthorized", err)
		}
		if hits.Load() != 2 || f.tokenHits.Load() != 2 {
			t.Fatalf("got %d calls and %d token requests, want 2 and 2", hits.Load(), f.tokenHits.Load())
		}
	})
	t.Run("wrong credentials", func(t *testing.T) {
		f := newFakeHive(t, "/api")
		f.handle = okHandler
		c := newTestClient(t, f, func(cfg *Config) { cfg.APISecret = "wrong" })
		_, err := c.ListCustomers(context.Background())
		if !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("got %v, want ErrUnauthorized", err)
		}
		if len(f.recorded()) != 0 || f.tokenHits.Load() != 1 {
			t.Fatalf("got %d calls and %d token requests, want 0 and 1", len(f.recorded()), f.tokenHits.Load())
		}
	})
}

func TestTokenResponseMustBeUsable(t *testing.T) {
	f := newFakeHive(t, "/api")
	f.expiresIn = 0
	f.handle = okHandler
	c := newTestClient(t, f)
	if _, err := c.ListCustomers(context.Background()); !errors.Is(err, ErrBadResponse) {
		t.Fatalf("got %v, want ErrBadResponse for a token without expires_in", err)
	}
}

func TestWaitingForATokenHonoursTheContext(t *testing.T) {
	f := newFakeHive(t, "/api")
	f.handle = okHandler
	f.tokenWait = 300 * time.Millisecond
	c := newTestClient(t, f)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := c.ListCustomers(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrUnavailable) {
		t.Fatalf("got %v, want ErrUnavailable wrapping the deadline", err)
	}
}
