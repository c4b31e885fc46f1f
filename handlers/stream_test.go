package handlers_test

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/handlers"
	"github.com/hiveconsole/hiveconsole/hive"
)

// processingHive reports one check processing until `until` list calls have been made (forever
// when until is 0), then complete and declined.
type processingHive struct {
	handlers.Hive // calls the test does not expect panic
	calls         atomic.Int64
	until         int64
}

func (p *processingHive) ListCustomers(context.Context) (*hive.List[hive.Customer], error) {
	return &hive.List[hive.Customer]{Meta: hive.ListMeta{Total: 1}}, nil
}

func (p *processingHive) ListFiles(context.Context) (*hive.List[hive.File], error) {
	return &hive.List[hive.File]{}, nil
}

func (p *processingHive) GetCustomer(context.Context, string) (*hive.Customer, error) {
	return nil, &hive.Error{Code: hive.CodeNotFound}
}

func (p *processingHive) ListSessions(context.Context) (*hive.List[hive.Session], error) {
	return &hive.List[hive.Session]{Meta: hive.ListMeta{Total: 1}}, nil
}

// theProcessingCheck is the one check of a processingHive.
const theProcessingCheck = "db3590ce-3121-4b0d-9839-733709727f7b"

// GetCheck answers the check processing for the first until reads (for ever when until is 0), then
// completed and declined.
func (p *processingHive) GetCheck(_ context.Context, id string) (*hive.Check, error) {
	if id != theProcessingCheck {
		return nil, &hive.Error{Code: hive.CodeNotFound}
	}
	n := p.calls.Add(1)
	c := hive.Check{ID: theProcessingCheck, SessionID: theProcessingSession, Status: hive.CheckProcessing, CreatedAt: time.Now()}
	if p.until > 0 && n > p.until {
		declined := "declined"
		c.Status, c.Decision = hive.CheckComplete, &declined
	}
	return &c, nil
}

const theProcessingSession = "5e551011-3121-4b0d-9839-733709727f7b"

// The lists the sync reads: the one check, processing.
func (p *processingHive) EachCheck(_ context.Context, fn func(*hive.Check) error) error {
	return fn(&hive.Check{ID: theProcessingCheck, SessionID: theProcessingSession, Status: hive.CheckProcessing, CreatedAt: time.Now()})
}
func (p *processingHive) EachCustomer(context.Context, func(*hive.Customer) error) error { return nil }
func (p *processingHive) EachSession(context.Context, func(*hive.Session) error) error   { return nil }
func (p *processingHive) EachFile(context.Context, func(*hive.File) error) error         { return nil }

func (p *processingHive) GetReport(context.Context, string) (*hive.Report, error) {
	return &hive.Report{Result: hive.StatusConsider}, nil
}

func fastStreams(c *handlers.Config, _ *auth.Config) { c.LiveInterval = 10 * time.Millisecond }

// openStream starts GET /overview/stream as signed-in support staff (who see no review queue, whose
// stream ends once no check processes) and returns its body's lines.
func openStream(t *testing.T, tc *testConsole, ctx context.Context) (*http.Response, *bufio.Scanner) {
	t.Helper()
	b := tc.browser()
	b.signInAs(auth.RoleSupport)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, tc.URL+"/overview/stream", nil)
	req.Header.Set("Datastar-Request", "true")
	resp, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return resp, bufio.NewScanner(resp.Body)
}

// TestOverviewStreamEndsWhenChecksComplete: the page's live part turns from processing into the
// result, then the stream ends by itself.
func TestOverviewStreamEndsWhenChecksComplete(t *testing.T) {
	h := &processingHive{until: 3}
	tc := newTestConsole(t, withHive(h), fastStreams)
	tc.sync() // the copy holds the one processing check
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, lines := openStream(t, tc, ctx)
	defer resp.Body.Close()
	var events []string
	var last strings.Builder
	for lines.Scan() {
		line := lines.Text()
		if strings.HasPrefix(line, "event: ") {
			events = append(events, strings.TrimPrefix(line, "event: "))
			last.Reset()
		}
		last.WriteString(line)
	}
	if ctx.Err() != nil {
		t.Fatal("the stream did not end after the check completed")
	}
	if len(events) < 2 || events[0] != "datastar-patch-elements" {
		t.Fatalf("events: %v", events)
	}
	if !strings.Contains(last.String(), "badge--consider") || strings.Contains(last.String(), "badge--processing") {
		t.Errorf("the last patch does not show the result: %s", last.String())
	}
}

// TestStreamsEndAtShutdownAndDisconnect: a shutting-down server ends open streams within a second,
// and a closed page ends its stream (the active-streams gauge returns to zero).
func TestStreamsEndAtShutdownAndDisconnect(t *testing.T) {
	tc := newTestConsole(t, withHive(&processingHive{}), fastStreams)
	tc.sync()
	gauge := func() string {
		b := tc.browser()
		for _, line := range strings.Split(b.get("/metrics").Body, "\n") {
			if strings.HasPrefix(line, "hiveconsole_sse_streams_active ") {
				return strings.TrimPrefix(line, "hiveconsole_sse_streams_active ")
			}
		}
		return ""
	}
	waitGauge := func(want string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for gauge() != want {
			if time.Now().After(deadline) {
				t.Fatalf("active streams: got %s, want %s", gauge(), want)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	resp, lines := openStream(t, tc, ctx)
	lines.Scan()
	waitGauge("1")
	cancel()
	resp.Body.Close()
	waitGauge("0")

	resp, lines = openStream(t, tc, context.Background())
	defer resp.Body.Close()
	lines.Scan()
	done := make(chan struct{})
	go func() {
		for lines.Scan() {
		}
		close(done)
	}()
	start := time.Now()
	tc.app.Shutdown()
	select {
	case <-done:
		if d := time.Since(start); d > time.Second {
			t.Errorf("stream ended %v after shutdown, want under a second", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the stream outlived the shutdown")
	}
	waitGauge("0")
}

// TestCheckStreamTurnsIntoTheReport: a processing check's page streams until Hive completes it,
// then the report replaces the page's body and the stream ends.
func TestCheckStreamTurnsIntoTheReport(t *testing.T) {
	tc := newTestConsole(t, fastStreams)
	ctx := context.Background()
	c, err := tc.api.CreateCustomer(ctx, hive.CustomerParams{Email: hive.String("stream@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tc.api.CreateSession(ctx, hive.SessionParams{CustomerID: c.ID}); err != nil {
		t.Fatal(err)
	}
	all, _ := tc.api.ListSessions(ctx)
	sessionID := all.Data[0].ID // newest first
	if _, err := tc.sb.CompleteSession(ctx, sessionID, "clear"); err != nil {
		t.Fatal(err)
	}
	ch, err := tc.api.CreateCheck(ctx, sessionID)
	if err != nil || ch.Status != hive.CheckProcessing {
		t.Fatalf("check: %+v, %v", ch, err)
	}
	b := tc.browser()
	b.signInAs(auth.RoleReviewer)
	page := b.get("/checks/" + ch.ID) // this read completes it in the sandbox; the page may show either
	_ = page
	ctx2, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx2, http.MethodGet, tc.URL+"/checks/"+ch.ID+"/stream", nil)
	req.Header.Set("Datastar-Request", "true")
	resp := b.do(req)
	if ctx2.Err() != nil {
		t.Fatal("the stream did not end after the check completed")
	}
	for _, want := range []string{"event: datastar-patch-elements", `id="report"`, `data-testid="report-result"`} {
		if !strings.Contains(resp.Body, want) {
			t.Errorf("stream lacks %s", want)
		}
	}
	if strings.Contains(resp.Body, `data-testid="report-stream"`) {
		t.Error("the completed report must not open another stream")
	}
}
