package handlers_test

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/audit"
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/handlers"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/hive/sandbox"
)

// heldCheck is the sandbox seen through a Hive that reports one check as processing while held,
// and counts the reads of that check and of its report.
type heldCheck struct {
	handlers.Hive
	id            string
	held          atomic.Bool
	checkReads    atomic.Int64
	reportReads   atomic.Int64
	customerReads atomic.Int64
}

func (h *heldCheck) GetCheck(ctx context.Context, id string) (*hive.Check, error) {
	ch, err := h.Hive.GetCheck(ctx, id)
	if id != h.id || err != nil {
		return ch, err
	}
	h.checkReads.Add(1)
	if h.held.Load() {
		ch.Status, ch.Decision, ch.ReportID = hive.CheckProcessing, nil, nil
	}
	return ch, nil
}

func (h *heldCheck) GetReport(ctx context.Context, id string) (*hive.Report, error) {
	if id == h.id {
		h.reportReads.Add(1)
	}
	return h.Hive.GetReport(ctx, id)
}

func (h *heldCheck) GetCustomer(ctx context.Context, id string) (*hive.Customer, error) {
	h.customerReads.Add(1)
	return h.Hive.GetCustomer(ctx, id)
}

// holdCheck makes a completed check for a new customer and shows it as processing until released.
func holdCheck(t *testing.T, opts ...option) (*testConsole, *heldCheck) {
	t.Helper()
	h := &heldCheck{}
	h.held.Store(true)
	wrap := func(c *handlers.Config, _ *auth.Config) { h.Hive = c.Hive; c.Hive = h }
	tc := newTestConsole(t, append([]option{wrap}, opts...)...)
	h.id = scenarioCheck(t, tc, customer("held@example.com", "Hal", "Held"), sandbox.ScenarioClear).ID
	return tc, h
}

// liveView is an open check stream, read to its end in the background.
type liveView struct {
	resp *http.Response
	body strings.Builder
	done chan struct{}
}

func openCheckStream(t *testing.T, b *browser, checkID string) *liveView {
	t.Helper()
	v, status := tryCheckStream(t, b, checkID)
	if status != http.StatusOK {
		t.Fatalf("open stream: got %d, want 200", status)
	}
	return v
}

// tryCheckStream opens a check's stream; a refused one comes back nil with its status.
func tryCheckStream(t *testing.T, b *browser, checkID string) (*liveView, int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, b.tc.URL+"/checks/"+checkID+"/stream", nil)
	req.Header.Set("Datastar-Request", "true")
	resp, err := b.client.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		cancel()
		if resp.StatusCode == http.StatusTooManyRequests && (resp.Header.Get("Retry-After") == "" || !strings.Contains(string(body), "live views")) {
			t.Errorf("a refused stream: Retry-After %q, body %q", resp.Header.Get("Retry-After"), body)
		}
		return nil, resp.StatusCode
	}
	v := &liveView{resp: resp, done: make(chan struct{})}
	go func() { // the only writer of body until done is closed
		defer close(v.done)
		buf := make([]byte, 4096)
		for {
			n, err := resp.Body.Read(buf)
			v.body.Write(buf[:n])
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { cancel(); resp.Body.Close() })
	return v, http.StatusOK
}

// ended waits for the stream to end and returns what it sent; false if it is still open.
func (v *liveView) ended(within time.Duration) (string, bool) {
	select {
	case <-v.done:
		return v.body.String(), true
	case <-time.After(within):
		return "", false
	}
}

func (v *liveView) close() { v.resp.Body.Close(); <-v.done }

// TestStreamEndsWhenTheSessionEnds: a check's stream, opened while its session held, ends at the
// next tick once the session no longer holds — signed out in another tab, revoked, the user
// disabled or given another role, idle (stream ticks are not activity) or past its absolute
// timeout — sending the browser to the sign-in page and never the report. With the session intact
// the same stream delivers the report, so the setup would show a leak.
func TestStreamEndsWhenTheSessionEnds(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, tc *testConsole, b *browser, u auth.User)
		ends   bool
	}{
		{"nothing changes", func(*testing.T, *testConsole, *browser, auth.User) {}, false},
		{"signed out in another tab", func(t *testing.T, _ *testConsole, b *browser, _ auth.User) {
			if r := b.post("/logout", nil); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("logout: %d", r.StatusCode)
			}
		}, true},
		{"revoked by an admin", func(t *testing.T, tc *testConsole, _ *browser, u auth.User) {
			if err := tc.staff.RevokeSessions(context.Background(), u.ID); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"disabled from the shell", func(t *testing.T, tc *testConsole, _ *browser, u auth.User) {
			if _, err := tc.staff.SetDisabled(context.Background(), u.ID, true); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"role changed", func(t *testing.T, tc *testConsole, _ *browser, u auth.User) {
			if _, err := tc.staff.SetRole(context.Background(), u.ID, auth.RoleAuditor); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"idle timeout, while the stream ticks", func(t *testing.T, tc *testConsole, _ *browser, _ auth.User) {
			tc.clock.Advance(20 * time.Minute)
			time.Sleep(100 * time.Millisecond) // ten ticks, none of which may count as activity
			tc.clock.Advance(11 * time.Minute)
		}, true},
		{"absolute timeout", func(t *testing.T, tc *testConsole, b *browser, _ auth.User) {
			for range 36 { // active every 20 minutes for 12 hours
				tc.clock.Advance(20 * time.Minute)
				b.get("/account/password")
			}
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tc, h := holdCheck(t, fastStreams)
			b := tc.browser()
			b.signInAs(auth.RoleReviewer)
			u := tc.users[auth.RoleReviewer]
			v := openCheckStream(t, b, h.id)
			tt.change(t, tc, b, u)
			if !tt.ends {
				h.held.Store(false) // the report is there for whoever still may see it
			}
			// A stream that should end must do so while the check is still processing: a tick's
			// session check and its read of Hive are moments apart, so releasing the report at once
			// could let it through the tick that was already past its check.
			body, ended := v.ended(5 * time.Second)
			if !ended {
				t.Fatal("the stream did not end")
			}
			h.held.Store(false)
			gotReport := strings.Contains(body, `data-testid="report-result"`)
			gotLogin := strings.Contains(body, "/login?next=")
			if gotReport == tt.ends || gotLogin != tt.ends {
				t.Errorf("report sent %v, sent to sign in %v; want report %v", gotReport, gotLogin, !tt.ends)
			}
			views := 0
			rows, _, err := tc.trail.Events(context.Background(), audit.Query{Action: "report.view", Actor: u.ID, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rows {
				if r.TargetID == h.id {
					views++
				}
			}
			if want := map[bool]int{false: 1}[tt.ends]; views != want {
				t.Errorf("report.view rows for the stream: got %d, want %d", views, want)
			}
		})
	}
}

// TestStreamsAreCapped: one web session may hold MaxStreamsPerSession streams and the process
// MaxStreams; past either the answer is 429 at once, with Retry-After and words, and a closed
// stream gives its place back.
func TestStreamsAreCapped(t *testing.T) {
	tc, h := holdCheck(t, fastStreams, func(c *handlers.Config, _ *auth.Config) { c.MaxStreamsPerSession, c.MaxStreams = 2, 3 })
	alice, bob := tc.browser(), tc.browser()
	alice.signInAs(auth.RoleReviewer)
	bob.signInAs(auth.RoleAdmin)
	a1 := openCheckStream(t, alice, h.id)
	openCheckStream(t, alice, h.id)
	start := time.Now()
	if _, status := tryCheckStream(t, alice, h.id); status != http.StatusTooManyRequests {
		t.Errorf("a third stream in one session: got %d, want 429", status)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the refusal took %v", d)
	}
	openCheckStream(t, bob, h.id)
	if _, status := tryCheckStream(t, bob, h.id); status != http.StatusTooManyRequests {
		t.Errorf("a fourth stream in all: got %d, want 429", status)
	}
	a1.close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		v, status := tryCheckStream(t, bob, h.id)
		if status == http.StatusOK {
			v.close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a closed stream did not give its place back")
		}
		time.Sleep(10 * time.Millisecond)
	}
	refused := 0
	for _, line := range strings.Split(alice.get("/metrics").Body, "\n") {
		if v, ok := strings.CutPrefix(line, "hiveconsole_sse_streams_refused_total "); ok {
			refused, _ = strconv.Atoi(v)
		}
	}
	if refused < 2 {
		t.Errorf("refused streams counted: %d, want at least 2", refused)
	}
}

// TestCheckStreamViewersShareOnePoll: fifty viewers of one processing check cost Hive one read of
// it per tick, not fifty; when it completes, its report and customer are read a few times, not
// fifty, while every viewer gets the report.
func TestCheckStreamViewersShareOnePoll(t *testing.T) {
	const viewers, tick = 50, 50 * time.Millisecond
	tc, h := holdCheck(t, func(c *handlers.Config, _ *auth.Config) {
		c.LiveInterval, c.MaxStreamsPerSession = tick, viewers
	})
	b := tc.browser()
	b.signInAs(auth.RoleReviewer)
	var open []*liveView
	for range viewers {
		open = append(open, openCheckStream(t, b, h.id))
	}
	time.Sleep(2 * tick) // every viewer's ticker is running
	start, before := time.Now(), h.checkReads.Load()
	time.Sleep(20 * tick)
	elapsed, reads := time.Since(start), h.checkReads.Load()-before
	ticks := int64(elapsed / tick)
	if reads > ticks+2 {
		t.Errorf("%d viewers over %d ticks: %d reads of the check, want at most %d", viewers, ticks, reads, ticks+2)
	}
	t.Logf("%d viewers, %d ticks: %d reads of the check (unshared: %d)", viewers, ticks, reads, ticks*viewers)
	reportsBefore, customersBefore := h.reportReads.Load(), h.customerReads.Load()
	h.held.Store(false)
	for i, v := range open {
		body, ended := v.ended(20 * time.Second)
		if !ended || !strings.Contains(body, `data-testid="report-result"`) {
			t.Fatalf("viewer %d: ended %v without the report", i, ended)
		}
	}
	if n := h.reportReads.Load() - reportsBefore; n > 5 {
		t.Errorf("the report was read %d times for %d viewers, want a few", n, viewers)
	}
	if n := h.customerReads.Load() - customersBefore; n > 5 {
		t.Errorf("the customer was read %d times for %d viewers, want a few", n, viewers)
	}
}

// TestEveryStreamEndsAtSignOut: the overview's and the checks list's streams, which keep sending
// while checks are processing, end too when their session is signed out elsewhere, and send the
// page to sign in.
func TestEveryStreamEndsAtSignOut(t *testing.T) {
	for name, path := range map[string]string{"overview": "/overview/stream", "checks list": datastarPath("/checks/stream", map[string]any{"page": 1})} {
		t.Run(name, func(t *testing.T) {
			tc := newTestConsole(t, withHive(&processingHive{}), fastStreams)
			tc.sync()
			b := tc.browser()
			b.signInAs(auth.RoleReviewer)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, tc.URL+path, nil)
			req.Header.Set("Datastar-Request", "true")
			resp, err := b.client.Do(req)
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("open: %v %v", resp, err)
			}
			v := &liveView{resp: resp, done: make(chan struct{})}
			go func() { defer close(v.done); _, _ = io.Copy(&v.body, resp.Body) }()
			if r := b.post("/logout", nil); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("logout: %d", r.StatusCode)
			}
			body, ended := v.ended(5 * time.Second)
			if !ended {
				t.Fatal("the stream outlived the sign-out")
			}
			if !strings.Contains(body, "/login?next=") {
				t.Errorf("the stream did not send the page to sign in: %q", body)
			}
		})
	}
}
