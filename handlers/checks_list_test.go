package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/database/dbtest"
	"github.com/hiveconsole/hiveconsole/handlers"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/internal/fold"
	"github.com/hiveconsole/hiveconsole/readmodel"
)

// reportCounter counts report fetches and how many run at once, and can grade a report differently
// from what its check's decision says, to show where the list's badge comes from.
type reportCounter struct {
	handlers.Hive
	calls, inFlight, maxInFlight atomic.Int64
	mu                           sync.Mutex
	override                     map[string]hive.Status
}

func (r *reportCounter) GetReport(ctx context.Context, id string) (*hive.Report, error) {
	r.calls.Add(1)
	n := r.inFlight.Add(1)
	defer r.inFlight.Add(-1)
	for {
		m := r.maxInFlight.Load()
		if n <= m || r.maxInFlight.CompareAndSwap(m, n) {
			break
		}
	}
	time.Sleep(2 * time.Millisecond) // long enough for fetches to overlap
	rep, err := r.Hive.GetReport(ctx, id)
	r.mu.Lock()
	defer r.mu.Unlock()
	if s, ok := r.override[id]; ok && err == nil {
		rep.Result = s
	}
	return rep, err
}

func rowResults(t *testing.T, r response) map[string]string {
	t.Helper()
	out := map[string]string{}
	r.doc(t).Find(`[data-testid="check-row"]`).Each(func(_ int, s *goquery.Selection) {
		id := strings.TrimPrefix(s.AttrOr("id", ""), "check-")
		out[id] = s.Find(`[data-testid="check-result"] [data-testid="status-badge"]`).AttrOr("data-status", "")
	})
	return out
}

// TestChecksListResultsComeFromReports: the result badge is the report's grade. The sync fetches
// each completed check's report once, a bounded number at a time, and stores its summary; no page
// view fetches a report for a list, and a later pass fetches none again.
func TestChecksListResultsComeFromReports(t *testing.T) {
	var pages *reportCounter
	tc := newTestConsoleWith(t, 60, func(c *handlers.Config, _ *auth.Config) {
		pages = &reportCounter{Hive: c.Hive, override: map[string]hive.Status{}}
		c.Hive = pages
	})
	ctx := context.Background()
	all, _ := tc.api.ListChecks(ctx)
	var complete []hive.Check
	for _, ch := range all.Data {
		if ch.Status == hive.CheckComplete {
			complete = append(complete, ch)
		}
	}
	if len(complete) < 30 {
		t.Fatalf("want at least 30 completed checks, got %d", len(complete))
	}
	// A fresh copy, synced through a Hive whose newest completed check's report says one thing
	// and its decision another.
	tc.read = readmodel.New(dbtest.SQLite(t), nil)
	sync := &syncCounter{Client: tc.api, override: map[string]hive.Status{}}
	odd := complete[0]
	sync.override[odd.ID] = hive.StatusCaution
	if odd.Decision != nil && *odd.Decision == "review" {
		sync.override[odd.ID] = hive.StatusConsider
	}
	tc.app.Config.Read = tc.read
	if err := readmodel.NewSyncer(tc.read, sync, readmodel.SyncConfig{ReportWorkers: 4}).Pass(ctx); err != nil {
		t.Fatal(err)
	}
	if n := sync.calls.Load(); n != int64(len(complete)) {
		t.Errorf("the sync fetched %d reports, want one per completed check (%d)", n, len(complete))
	}
	if m := sync.maxInFlight.Load(); m > 4 || m < 2 {
		t.Errorf("report fetches at once: %d, want 2 to 4", m)
	}
	b := tc.browser()
	b.signInAs(auth.RoleAuditor)
	got := rowResults(t, b.get("/checks"))
	if got[odd.ID] != string(sync.override[odd.ID]) {
		t.Errorf("check %s: badge %q, want the report's %q", odd.ID[:8], got[odd.ID], sync.override[odd.ID])
	}
	for _, ch := range all.Data[:25] {
		if ch.Status != hive.CheckComplete && got[ch.ID] != "processing" {
			t.Errorf("processing check %s: badge %q", ch.ID[:8], got[ch.ID])
		}
	}
	// The overview's recent checks show the same grade.
	var onOverview string
	b.get("/").doc(t).Find(`[data-testid="recent-checks"] tr`).Each(func(_ int, s *goquery.Selection) {
		if s.Find(`[data-copy="`+odd.ID+`"]`).Length() > 0 {
			onOverview = s.Find(`[data-testid="status-badge"]`).AttrOr("data-status", "")
		}
	})
	if onOverview != string(sync.override[odd.ID]) {
		t.Errorf("overview: check %s badge %q, want the report's %q", odd.ID[:8], onOverview, sync.override[odd.ID])
	}
	caution := rowResults(t, b.get("/checks?result=caution&size=100"))
	for _, ch := range complete {
		rep, err := tc.api.GetReport(ctx, ch.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := rep.Result
		if s, ok := sync.override[ch.ID]; ok {
			want = s
		}
		if _, shown := caution[ch.ID]; shown != (want == hive.StatusCaution) {
			t.Errorf("check %s (report %s): shown under caution %v", ch.ID[:8], want, shown)
		}
	}
	if n := pages.calls.Load(); n != 0 {
		t.Errorf("page views fetched %d reports, want none: the lists read the stored summaries", n)
	}
	before := sync.calls.Load()
	if err := readmodel.NewSyncer(tc.read, sync, readmodel.SyncConfig{}).Pass(ctx); err != nil {
		t.Fatal(err)
	}
	if n := sync.calls.Load() - before; n != 0 {
		t.Errorf("a second pass fetched %d reports again, want 0: a completed report never changes", n)
	}
}

// syncCounter is the sandbox's API as the sync reads it, counting report fetches and how many run
// at once, and grading some reports differently.
type syncCounter struct {
	*hive.Client
	calls, inFlight, maxInFlight atomic.Int64
	override                     map[string]hive.Status
}

func (r *syncCounter) GetReport(ctx context.Context, id string) (*hive.Report, error) {
	r.calls.Add(1)
	n := r.inFlight.Add(1)
	defer r.inFlight.Add(-1)
	for {
		m := r.maxInFlight.Load()
		if n <= m || r.maxInFlight.CompareAndSwap(m, n) {
			break
		}
	}
	time.Sleep(2 * time.Millisecond) // long enough for fetches to overlap
	rep, err := r.Client.GetReport(ctx, id)
	if s, ok := r.override[id]; ok && err == nil {
		rep.Result = s
	}
	return rep, err
}

// TestChecksListFiltersAndSorts: every filter and sort the toolbar offers, held in the URL.
func TestChecksListFiltersAndSorts(t *testing.T) {
	tc := newTestConsoleWith(t, 60)
	ctx := context.Background()
	all, _ := tc.api.ListChecks(ctx)
	b := tc.browser()
	b.signInAs(auth.RoleAuditor)
	ids := func(path string) []string {
		var out []string
		b.get(path).doc(t).Find(`[data-testid="check-row"]`).Each(func(_ int, s *goquery.Selection) {
			out = append(out, strings.TrimPrefix(s.AttrOr("id", ""), "check-"))
		})
		return out
	}
	count := func(keep func(hive.Check) bool) int {
		n := 0
		for _, ch := range all.Data {
			if keep(ch) {
				n++
			}
		}
		return n
	}
	for _, d := range []string{"approved", "review", "declined"} {
		want := count(func(ch hive.Check) bool { return ch.Decision != nil && *ch.Decision == d })
		if got := len(ids("/checks?size=100&decision=" + d)); got != want {
			t.Errorf("decision %s: %d rows, want %d", d, got, want)
		}
	}
	day := count(func(ch hive.Check) bool { return time.Since(ch.CreatedAt) < 24*time.Hour })
	if got := len(ids("/checks?size=100&since=24h")); got != day {
		t.Errorf("since 24h: %d rows, want %d", got, day)
	}
	if got := len(ids("/checks?size=100&since=forever")); got != min(100, len(all.Data)) {
		t.Errorf("an unknown window is ignored: %d rows, want %d", got, len(all.Data))
	}

	// By customer, A to Z, as the page shows the names, accents read as their letters ("Çağrı"
	// among the Cs).
	var names []string
	b.get("/checks?size=100&sort=customer").doc(t).Find(`[data-testid="check-row"] td:nth-child(2) a:not([data-testid="check-links"])`).Each(func(_ int, s *goquery.Selection) {
		names = append(names, fold.String(s.Text()))
	})
	if len(names) < 10 || !slices.IsSorted(names) {
		t.Errorf("sort by customer: not A to Z: %v", names)
	}
	// By result, worst first: consider before caution before clear.
	rank := map[string]int{"consider": 0, "unknown": 1, "caution": 2, "clear": 3, "processing": 4}
	var ranks []int
	for _, r := range rowResultsInOrder(t, b.get("/checks?size=100&sort=result")) {
		ranks = append(ranks, rank[r])
	}
	if len(ranks) < 10 || !slices.IsSorted(ranks) {
		t.Errorf("sort by result: not worst first: %v", ranks)
	}
	// The sort links carry the whole state.
	link := b.get("/checks?decision=declined&sort=customer").doc(t).Find(`[data-testid="sort-customer"]`).AttrOr("href", "")
	if link != "/checks?decision=declined&dir=desc&sort=customer" {
		t.Errorf("sort link: %s", link)
	}
}

func rowResultsInOrder(t *testing.T, r response) []string {
	var out []string
	r.doc(t).Find(`[data-testid="check-row"] [data-testid="check-result"] [data-testid="status-badge"]`).Each(func(_ int, s *goquery.Selection) {
		out = append(out, s.AttrOr("data-status", ""))
	})
	return out
}

// TestChecksTableAnswersDatastar: typing in the search patches the results and the address bar.
func TestChecksTableAnswersDatastar(t *testing.T) {
	tc := newTestConsoleWith(t, 30)
	all, _ := tc.api.ListChecks(context.Background())
	b := tc.browser()
	b.signInAs(auth.RoleReviewer)
	req, _ := http.NewRequest(http.MethodGet, tc.URL+"/checks/table?datastar="+url.QueryEscape(`{"q":"`+all.Data[0].ID[:8]+`","status":"bogus"}`), nil)
	req.Header.Set("Datastar-Request", "true")
	r := b.do(req)
	if r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("got %d %s", r.StatusCode, r.Header.Get("Content-Type"))
	}
	for _, want := range []string{"event: datastar-patch-elements", `id="check-results"`, `id="check-` + all.Data[0].ID + `"`,
		"/checks?q=" + all.Data[0].ID[:8]} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("patch lacks %s", want)
		}
	}
	if strings.Count(r.Body, `data-testid="check-row"`) != 1 {
		t.Errorf("want exactly the one matching row")
	}
}

// TestChecksStreamSaysWhenAShownCheckCompletes: while the list shows a processing check it opens a
// stream, which tells the page when the check completes and then ends.
func TestChecksStreamSaysWhenAShownCheckCompletes(t *testing.T) {
	p := &processingHive{until: 3}
	tc := newTestConsole(t, fastStreams, func(c *handlers.Config, _ *auth.Config) { c.Hive = p })
	tc.sync()
	b := tc.browser()
	b.signInAs(auth.RoleReviewer)
	page := b.get("/checks").doc(t)
	if page.Find(`[data-testid="checks-live"]`).Length() != 1 {
		t.Fatal("a list showing a processing check opens no stream")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, tc.URL+"/checks/stream?datastar="+url.QueryEscape(`{"page":1}`), nil)
	req.Header.Set("Datastar-Request", "true")
	r := b.do(req)
	if ctx.Err() != nil {
		t.Fatal("the stream did not end when the check completed")
	}
	if !strings.Contains(r.Body, "event: datastar-patch-signals") || !strings.Contains(r.Body, "checksChanged") {
		t.Errorf("stream body: %s", r.Body)
	}
}
