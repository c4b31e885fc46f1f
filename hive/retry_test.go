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

// scripted answers each call with the next status of a script (200 once the script runs out).
func scripted(statuses ...int) (func(http.ResponseWriter, *http.Request, recorded), *atomic.Int64) {
	var hits atomic.Int64
	return func(w http.ResponseWriter, _ *http.Request, _ recorded) {
		n := int(hits.Add(1))
		if n <= len(statuses) {
			if statuses[n-1] == http.StatusTooManyRequests {
				w.Header().Set("Retry-After", "2")
			}
			writeJSON(w, statuses[n-1], `{"error":{"message":"scripted"}}`)
			return
		}
		writeJSON(w, 200, customerJSON)
	}, &hits
}

// recordSleeps replaces the client's backoff sleep with one that records and returns at once.
func recordSleeps(c *Client) *[]time.Duration {
	var mu sync.Mutex
	var waits []time.Duration
	c.sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		waits = append(waits, d)
		mu.Unlock()
		return ctx.Err()
	}
	return &waits
}

func TestRetryPolicy(t *testing.T) {
	ctx := context.Background()
	get := func(c *Client) error { _, err := c.GetCustomer(ctx, custID); return err }
	post := func(c *Client) error {
		_, err := c.CreateCustomer(ctx, CustomerParams{Email: String("a@b.c")})
		return err
	}
	patch := func(c *Client) error { _, err := c.UpdateCustomer(ctx, custID, CustomerParams{}); return err }
	del := func(c *Client) error { _, err := c.DeleteCustomer(ctx, custID); return err }
	tests := []struct {
		name     string
		statuses []int
		call     func(*Client) error
		wantHits int64
		wantErr  error
	}{
		{"GET 503,503,200 succeeds on the third try", []int{503, 503}, get, 3, nil},
		{"GET gives up after three attempts", []int{503, 502, 504, 503}, get, 3, ErrUnavailable},
		{"GET 429 is retried", []int{429}, get, 2, nil},
		{"GET 500 is not retried", []int{500}, get, 1, ErrUnavailable},
		{"GET 404 is not retried", []int{404}, get, 1, ErrNotFound},
		{"POST 503 is never retried", []int{503}, post, 1, ErrUnavailable},
		{"POST 429 is never retried", []int{429}, post, 1, ErrRateLimited},
		{"PATCH 503 is never retried", []int{503}, patch, 1, ErrUnavailable},
		{"DELETE 503 is not retried (the server may have acted)", []int{503}, del, 1, ErrUnavailable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeHive(t, "/v1")
			var hits *atomic.Int64
			f.handle, hits = scripted(tc.statuses...)
			c := newTestClient(t, f)
			recordSleeps(c)
			err := tc.call(c)
			if tc.wantErr == nil && err != nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Fatalf("got error %v, want %v", err, tc.wantErr)
			}
			if hits.Load() != tc.wantHits {
				t.Fatalf("got %d hits, want %d", hits.Load(), tc.wantHits)
			}
		})
	}
}

func TestRetryAfterIsHonouredUpToACap(t *testing.T) {
	t.Run("within the cap", func(t *testing.T) {
		f := newFakeHive(t, "/v1")
		var hits *atomic.Int64
		f.handle, hits = scripted(429)
		c := newTestClient(t, f)
		waits := recordSleeps(c)
		if _, err := c.GetCustomer(context.Background(), custID); err != nil {
			t.Fatal(err)
		}
		if hits.Load() != 2 || len(*waits) != 1 || (*waits)[0] != 2*time.Second {
			t.Fatalf("got %d hits and waits %v, want 2 hits and one 2s wait", hits.Load(), *waits)
		}
	})
	t.Run("over the cap fails at once", func(t *testing.T) {
		f := newFakeHive(t, "/v1")
		var hits *atomic.Int64
		f.handle, hits = scripted(429)
		c := newTestClient(t, f, func(cfg *Config) { cfg.Retry.MaxRetryAfter = time.Second })
		waits := recordSleeps(c)
		_, err := c.GetCustomer(context.Background(), custID)
		var herr *Error
		if !errors.As(err, &herr) || herr.Code != CodeRateLimited || herr.RetryAfter != 2*time.Second {
			t.Fatalf("got %v, want rate limited with RetryAfter 2s", err)
		}
		if hits.Load() != 1 || len(*waits) != 0 {
			t.Fatalf("got %d hits and waits %v, want 1 and none", hits.Load(), *waits)
		}
	})
}

func TestBackoffIsCappedAndJittered(t *testing.T) {
	p := RetryPolicy{BaseDelay: 100 * time.Millisecond, MaxDelay: 300 * time.Millisecond}.withDefaults()
	seen := map[time.Duration]bool{}
	for n := 1; n <= 6; n++ {
		for range 50 {
			d := p.backoff(n)
			ceiling := min(100*time.Millisecond<<(n-1), 300*time.Millisecond)
			if d < ceiling/2 || d > ceiling {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", n, d, ceiling/2, ceiling)
			}
			seen[d] = true
		}
	}
	if len(seen) < 10 {
		t.Fatalf("got %d distinct backoffs, want jitter", len(seen))
	}
}

func TestCancellationStopsBackoffAtOnce(t *testing.T) {
	f := newFakeHive(t, "/v1")
	ctx, cancel := context.WithCancel(context.Background())
	var hits atomic.Int64
	f.handle = func(w http.ResponseWriter, _ *http.Request, _ recorded) {
		hits.Add(1)
		writeJSON(w, 503, `{}`)
		cancel() // the caller gives up while the client is backing off
	}
	// An hour-long backoff within a longer timeout (a retry that cannot finish before the call's
	// deadline is not started at all): only cancellation can end the call before the test times out.
	c := newTestClient(t, f, func(cfg *Config) {
		cfg.Retry = RetryPolicy{BaseDelay: time.Hour, MaxDelay: time.Hour}
		cfg.Timeout = 2 * time.Hour
	})
	done := make(chan error, 1)
	go func() { _, err := c.GetCustomer(ctx, custID); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the call kept backing off after its context was cancelled")
	}
	if hits.Load() != 1 {
		t.Fatalf("got %d hits, want 1", hits.Load())
	}
}

func TestDeleteIsRetriedOnConnectionErrors(t *testing.T) {
	if !retryable(http.MethodDelete, 0, errors.New("connection reset")) {
		t.Error("DELETE after a connection error: want a retry")
	}
	if retryable(http.MethodPost, 0, errors.New("connection reset")) || retryable(http.MethodPatch, 0, errors.New("reset")) {
		t.Error("POST/PATCH after a connection error: want no retry")
	}
}
