package hive

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// RetryPolicy bounds the retrying of safe requests.
type RetryPolicy struct {
	MaxAttempts   int           // including the first; 3 when zero
	BaseDelay     time.Duration // first backoff; 200ms when zero
	MaxDelay      time.Duration // cap on one backoff; 3s when zero
	MaxRetryAfter time.Duration // longest Retry-After honoured; longer ones fail at once; 10s when zero
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	return RetryPolicy{
		MaxAttempts:   orDefault(p.MaxAttempts, 3),
		BaseDelay:     orDefault(p.BaseDelay, 200*time.Millisecond),
		MaxDelay:      orDefault(p.MaxDelay, 3*time.Second),
		MaxRetryAfter: orDefault(p.MaxRetryAfter, 10*time.Second),
	}
}

// backoff is the wait before retry number n (1 for the first retry): exponential, capped, with
// "equal jitter" so a herd of clients spreads out yet never retries instantly.
func (p RetryPolicy) backoff(n int) time.Duration {
	d := p.BaseDelay << (n - 1)
	if d > p.MaxDelay || d <= 0 {
		d = p.MaxDelay
	}
	half := d / 2
	return half + rand.N(half+1)
}

// retryable says whether an attempt may be repeated. Only GET is retried on statuses, because only
// GET is safe to repeat after the server may have acted; DELETE is retried when no response came.
func retryable(method string, status int, transportErr error) bool {
	if transportErr != nil {
		return method == http.MethodGet || method == http.MethodDelete
	}
	if method != http.MethodGet {
		return false
	}
	switch status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryAfter reads Retry-After as seconds or an HTTP date; ok is false when absent or unreadable.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// sleep waits d or until ctx ends, whichever is first.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
