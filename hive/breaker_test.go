package hive

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// breakerClient is a test client whose breakers open after three failed calls and cool down for
// cooldown; calls time out after 200ms.
func breakerClient(t *testing.T, f *fakeHive, cooldown time.Duration) *Client {
	t.Helper()
	return newTestClient(t, f, func(c *Config) {
		c.Timeout = 200 * time.Millisecond
		c.Breaker = BreakerPolicy{Failures: 3, Cooldown: cooldown}
	})
}

// failures are the ways Hive fails; each counts against a breaker.
var failures = []struct {
	name   string
	handle func(http.ResponseWriter, *http.Request, recorded)
}{
	{"500", func(w http.ResponseWriter, _ *http.Request, _ recorded) { writeJSON(w, 500, `{}`) }},
	{"503", func(w http.ResponseWriter, _ *http.Request, _ recorded) { writeJSON(w, 503, `{}`) }},
	{"429 for longer than a page waits", func(w http.ResponseWriter, _ *http.Request, _ recorded) {
		w.Header().Set("Retry-After", "600")
		writeJSON(w, 429, `{}`)
	}},
	{"connection dropped", func(w http.ResponseWriter, _ *http.Request, _ recorded) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	}},
	{"no answer in time", func(_ http.ResponseWriter, r *http.Request, _ recorded) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}},
	{"body too slow", func(w http.ResponseWriter, r *http.Request, _ recorded) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":`))
		http.NewResponseController(w).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}},
}

// TestBreakerOpensAfterRepeatedFailures: after three failed calls, whatever the failure, the
// group's calls fail at once with ErrCircuitOpen and a Retry-After, and Hive sees none of them;
// other groups still call Hive.
func TestBreakerOpensAfterRepeatedFailures(t *testing.T) {
	ctx := context.Background()
	for _, tt := range failures {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeHive(t, "")
			var hits atomic.Int64
			f.handle = func(w http.ResponseWriter, r *http.Request, rec recorded) {
				if r.URL.Path == "/sessions" {
					writeJSON(w, 200, `{"data":[],"meta":{"total":0}}`)
					return
				}
				hits.Add(1)
				tt.handle(w, r, rec)
			}
			c := breakerClient(t, f, time.Minute)
			for i := range 3 {
				_, err := c.GetCustomer(ctx, custID)
				if !errors.Is(err, ErrUnavailable) && !errors.Is(err, ErrRateLimited) {
					t.Fatalf("call %d: got %v, want unavailable or rate limited", i+1, err)
				}
				if errors.Is(err, ErrCircuitOpen) {
					t.Fatalf("call %d: the breaker opened early", i+1)
				}
			}
			if !c.Unreachable() {
				t.Fatal("Unreachable: got false after three failures, want true")
			}
			before := hits.Load()
			start := time.Now()
			_, err := c.GetCustomer(ctx, custID)
			took := time.Since(start)
			var herr *Error
			if !errors.Is(err, ErrCircuitOpen) || !errors.Is(err, ErrUnavailable) || !errors.As(err, &herr) {
				t.Fatalf("got %v, want an unavailable *Error caused by ErrCircuitOpen", err)
			}
			if herr.RetryAfter < time.Second || herr.RetryAfter > time.Minute {
				t.Errorf("RetryAfter: got %v, want the cool-down left (≤ 1m)", herr.RetryAfter)
			}
			if hits.Load() != before {
				t.Errorf("Hive got %d requests while the breaker was open, want 0", hits.Load()-before)
			}
			if took > 50*time.Millisecond {
				t.Errorf("an open breaker took %v to refuse, want under 50ms", took)
			}
			if _, err := c.ListSessions(ctx); err != nil {
				t.Errorf("sessions, another group: got %v, want it untouched", err)
			}
			if got := c.BreakerStates(); got["customers"] != "open" || got["sessions"] != "closed" {
				t.Errorf("states: got %v, want customers open and sessions closed", got)
			}
		})
	}
}

// TestBreakerIgnoresAnswers: 4xx answers, unreadable bodies and callers giving up are not Hive
// failing, however many there are.
func TestBreakerIgnoresAnswers(t *testing.T) {
	answers := []struct {
		name   string
		status int
		body   string
	}{
		{"404", 404, `{"error":{"message":"no such customer"}}`},
		{"400", 400, `{"error":{"message":"bad"}}`},
		{"401 even after a refresh", 401, `{}`},
		{"403", 403, `{}`},
		{"malformed JSON", 200, `{"id":`},
		{"wrong types", 200, `{"id":42,"email":["x"]}`},
	}
	ctx := context.Background()
	for _, tt := range answers {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeHive(t, "")
			f.handle = func(w http.ResponseWriter, _ *http.Request, _ recorded) { writeJSON(w, tt.status, tt.body) }
			c := breakerClient(t, f, time.Minute)
			for i := range 10 {
				_, err := c.GetCustomer(ctx, custID)
				if err == nil || errors.Is(err, ErrCircuitOpen) || errors.Is(err, ErrUnavailable) {
					t.Fatalf("call %d: got %v, want Hive's answer as an error", i+1, err)
				}
			}
			if c.Unreachable() {
				t.Errorf("Unreachable: got true after %s answers, want false", tt.name)
			}
		})
	}
	t.Run("caller gave up", func(t *testing.T) {
		f := newFakeHive(t, "")
		f.handle = failures[4].handle // never answers in time
		c := breakerClient(t, f, time.Minute)
		for range 5 {
			cctx, cancel := context.WithCancel(ctx)
			time.AfterFunc(10*time.Millisecond, cancel)
			if _, err := c.GetCustomer(cctx, custID); err == nil || errors.Is(err, ErrCircuitOpen) {
				t.Fatalf("got %v, want the cancellation", err)
			}
		}
		if c.Unreachable() {
			t.Error("Unreachable: got true after callers cancelled, want false")
		}
	})
}

// TestBreakerProbe: after the cool-down one probe goes to Hive while the group's other calls still
// fail fast; the probe's success closes the breaker, its failure opens it again.
func TestBreakerProbe(t *testing.T) {
	ctx := context.Background()
	f := newFakeHive(t, "")
	var hits atomic.Int64
	var healthy atomic.Bool
	release := make(chan struct{})
	f.handle = func(w http.ResponseWriter, _ *http.Request, _ recorded) {
		hits.Add(1)
		if !healthy.Load() {
			writeJSON(w, 503, `{}`)
			return
		}
		<-release // holds the probe in flight
		writeJSON(w, 200, customerJSON)
	}
	const cooldown = 100 * time.Millisecond
	c := breakerClient(t, f, cooldown)
	waitState := func(want string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for c.BreakerStates()["customers"] != want {
			if time.Now().After(deadline) {
				t.Fatalf("customers breaker: got %s, want %s", c.BreakerStates()["customers"], want)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	for range 3 {
		_, _ = c.GetCustomer(ctx, custID)
	}
	waitState("open")

	// A failed probe opens it again, after one request.
	waitState("half-open")
	before := hits.Load()
	if _, err := c.GetCustomer(ctx, custID); err == nil || errors.Is(err, ErrCircuitOpen) {
		t.Fatalf("failed probe: got %v, want Hive's 503", err)
	}
	if n := hits.Load() - before; n != 3 { // one call, retried
		t.Errorf("failed probe: Hive got %d requests, want 3 (one call with its retries)", n)
	}
	if got := c.BreakerStates()["customers"]; got != "open" {
		t.Fatalf("after a failed probe: got %s, want open", got)
	}

	// A successful probe closes it; while it is in flight, other calls are refused.
	healthy.Store(true)
	waitState("half-open")
	probe := make(chan error, 1)
	go func() { _, err := c.GetCustomer(ctx, custID); probe <- err }()
	deadline := time.Now().Add(5 * time.Second)
	for hits.Load() == before+3 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if _, err := c.GetCustomer(ctx, custID); !errors.Is(err, ErrCircuitOpen) {
		t.Errorf("during the probe: got %v, want ErrCircuitOpen", err)
	}
	close(release)
	if err := <-probe; err != nil {
		t.Fatalf("probe: got %v, want success", err)
	}
	if c.Unreachable() {
		t.Error("after a successful probe: Unreachable true, want false")
	}
	if _, err := c.GetCustomer(ctx, custID); err != nil {
		t.Errorf("after the probe: got %v, want success", err)
	}
}

// TestBreakerDisabled: with breaking disabled, every call reaches Hive.
func TestBreakerDisabled(t *testing.T) {
	f := newFakeHive(t, "")
	handle, hits := scripted(503, 503, 503, 503, 503, 503, 503, 503, 503, 503, 503, 503)
	f.handle = handle
	c := newTestClient(t, f, func(c *Config) { c.Breaker = BreakerPolicy{Disabled: true, Failures: 1} })
	for range 4 {
		if _, err := c.GetCustomer(context.Background(), custID); errors.Is(err, ErrCircuitOpen) {
			t.Fatal("got ErrCircuitOpen with breaking disabled")
		}
	}
	if hits.Load() != 12 {
		t.Errorf("Hive got %d requests, want 12", hits.Load())
	}
	if c.Unreachable() {
		t.Error("Unreachable with breaking disabled")
	}
}

// TestRetryWithinTheDeadline: a retry that could not finish before the call's deadline is not
// started: the caller gets Hive's answer (rate limited, here) at once rather than a timeout later.
func TestRetryWithinTheDeadline(t *testing.T) {
	f := newFakeHive(t, "")
	var hits atomic.Int64
	f.handle = func(w http.ResponseWriter, _ *http.Request, _ recorded) {
		hits.Add(1)
		w.Header().Set("Retry-After", "5")
		writeJSON(w, 429, `{}`)
	}
	c := newTestClient(t, f, func(c *Config) { c.Timeout = 300 * time.Millisecond })
	start := time.Now()
	_, err := c.GetCustomer(context.Background(), custID)
	var herr *Error
	if !errors.As(err, &herr) || herr.Code != CodeRateLimited || herr.RetryAfter != 5*time.Second {
		t.Fatalf("got %v, want rate limited with Retry-After 5s", err)
	}
	if took := time.Since(start); took > 200*time.Millisecond {
		t.Errorf("took %v, want an answer without waiting for the deadline", took)
	}
	if hits.Load() != 1 {
		t.Errorf("Hive got %d requests, want 1", hits.Load())
	}
}

func TestGroupOf(t *testing.T) {
	for op, want := range map[string]string{
		"GET /customers": "customers", "GET /customers/{id}": "customers", "PATCH /customers/{id}": "customers",
		"GET /checks/{id}/report": "checks", "POST /sessions": "sessions", "GET /files/{id}": "files",
		"GET /token": "token", opDownload: "downloads",
	} {
		if got := groupOf(op); got != want {
			t.Errorf("groupOf(%q): got %q, want %q", op, got, want)
		}
	}
}
