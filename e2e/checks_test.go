//go:build browser

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/hiveconsole/hiveconsole/hive/sandbox"
)

// TestReportViewer opens a check from the overview's recent checks: the report renders its three
// sections, and the only-issues toggle works as a plain link.
func TestReportViewer(t *testing.T) {
	c := startConsole(t)
	ctx := browser(t)
	do(t, ctx,
		signIn(c.URL, "admin@localhost", adminPassword),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="recent-checks"]`)),
	)
	// A completed check, preferably a failed one: its report has the most to show.
	id, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
		const rows = [...document.querySelectorAll('[data-testid="recent-checks"] tr')].filter(r => r.querySelector('[data-copy]'));
		const row = rows.find(r => r.querySelector('.badge--consider')) || rows.find(r => !r.querySelector('.badge--processing'));
		return row ? row.querySelector('[data-copy]').dataset.copy : '';
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	id = strings.TrimSpace(id)
	processing, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
		const b = document.querySelector('[data-testid="recent-checks"] tr .badge--processing');
		return b ? b.closest('tr').querySelector('[data-copy]').dataset.copy : '';
	})()`))
	if len(id) != 36 {
		t.Fatalf("check id from the overview: got %q", id)
	}
	do(t, ctx,
		chromedp.Navigate(c.URL+"/checks/"+id),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="section-device"]`)),
		screenshot("report"),
		chromedp.Click(chromedp.CSS(`[data-testid="only-issues"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="show-all"]`)),
		screenshot("report-issues"),
	)
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="tree-leaf"][data-status="clear"]').length`))
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("only issues: got %d clear leaves, want 0", n)
	}
	if processing != "" {
		do(t, ctx,
			chromedp.Navigate(c.URL+"/checks/"+processing),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="report-summary"]`)),
			screenshot("report-processing"),
		)
	}
}

// pollJS waits until js is truthy, failing with what it waited for.
// It survives navigations: an evaluation that fails while a page is replaced is tried again.
func pollJS(t *testing.T, ctx context.Context, what, js string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) && ctx.Err() == nil {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { try { return !!(`+js+`); } catch (e) { return false; } })()`))
		if err == nil && ok {
			return
		}
		last = err
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("waiting for %s: timed out (last error: %v)", what, last)
}

// runScenarioCheck issues a new SDK session for the first customer, simulates the customer
// finishing it with the scenario, and runs a check on it, as an admin would in sandbox mode. It
// returns the check's id; the browser is on the check's page, which shows it processing.
func runScenarioCheck(t *testing.T, ctx context.Context, url, scenario string) string {
	t.Helper()
	do(t, ctx,
		chromedp.Navigate(url+"/customers"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="customer-row"] td:first-child a`)),
		chromedp.Click(chromedp.CSS(`[data-testid="customer-row"] td:first-child a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="issue-session"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="issue-session"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="view-session"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="view-session"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="simulate-form"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="scenario-`+scenario+`"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="simulate"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="run-check"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="run-check"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="report-summary"]`)),
	)
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	id := loc[strings.LastIndex(loc, "/")+1:]
	if len(id) != 36 {
		t.Fatalf("after running a check: at %s", loc)
	}
	return id
}

// TestChecksGoLive: a check just run shows processing and turns into its result on screen by itself,
// on its page and in the checks list, without a reload; the list searches as the reviewer types.
func TestChecksGoLive(t *testing.T) {
	c := startConsole(t)
	ctx := browser(t)
	problems := watchProblems(t, ctx)
	do(t, ctx, signIn(c.URL, "admin@localhost", adminPassword), chromedp.WaitVisible(chromedp.CSS(`[data-testid="recent-checks"]`)))

	first := runScenarioCheck(t, ctx, c.URL, "face_mismatch")
	if st := evalString(t, ctx, `document.querySelector('[data-testid="report-result"]').dataset.status`); st != "processing" {
		t.Fatalf("a check just run shows %q, want processing", st)
	}
	do(t, ctx, screenshot("check-processing"))
	evalString(t, ctx, `(window.stayed = 'yes')`)
	pollJS(t, ctx, "the report to replace the processing page",
		`document.querySelector('[data-testid="section-face"]') !== null && window.stayed === 'yes'`, 20*time.Second)
	if st := evalString(t, ctx, `document.querySelector('[data-testid="report-result"]').dataset.status`); st != "consider" {
		t.Errorf("face mismatch: result %q, want consider", st)
	}

	second := runScenarioCheck(t, ctx, c.URL, "clear")
	do(t, ctx,
		chromedp.Navigate(c.URL+"/checks"),
		chromedp.WaitVisible(chromedp.CSS(`html[data-datastar="ready"]`)),
	)
	row := `document.getElementById('check-` + second + `')`
	if st := evalString(t, ctx, row+`?.dataset.status ?? 'missing'`); st != "processing" {
		t.Fatalf("the list shows the new check as %q, want processing", st)
	}
	do(t, ctx, screenshot("checks-processing"))
	evalString(t, ctx, `(window.stayed = 'list')`)
	pollJS(t, ctx, "the row to turn into its result",
		row+`?.dataset.status === 'complete' && `+row+`.querySelector('[data-testid="status-badge"]').dataset.status === 'clear' && window.stayed === 'list'`,
		20*time.Second)
	do(t, ctx, screenshot("checks-live"))

	do(t, ctx, chromedp.SendKeys(chromedp.CSS(`[data-testid="check-q"]`), first[:8]))
	pollJS(t, ctx, "the list to narrow to the searched check",
		`document.querySelectorAll('[data-testid="check-row"]').length === 1 && document.getElementById('check-`+first+`') !== null && location.search.includes('q=`+first[:8]+`') && window.stayed === 'list'`,
		10*time.Second)
	if p := problems.all(); len(p) != 0 {
		t.Errorf("page problems:\n%s", strings.Join(p, "\n"))
	}
}

// TestEveryScenarioRendersCleanly opens a check of each sandbox scenario: each report renders
// without a console error, an exception or a CSP violation.
func TestEveryScenarioRendersCleanly(t *testing.T) {
	c := startConsole(t)
	ctx := browserWithin(t, 2*time.Minute)
	problems := watchProblems(t, ctx)
	do(t, ctx, signIn(c.URL, "admin@localhost", adminPassword), chromedp.WaitVisible(chromedp.CSS(`[data-testid="recent-checks"]`)))
	ids := map[string]string{}
	for _, sc := range sandbox.Scenarios() {
		start := time.Now()
		ids[string(sc.Scenario)] = runScenarioCheck(t, ctx, c.URL, string(sc.Scenario))
		t.Logf("%s: check run in %v", sc.Scenario, time.Since(start).Round(time.Millisecond))
	}
	for _, sc := range sandbox.Scenarios() {
		do(t, ctx,
			chromedp.Navigate(c.URL+"/checks/"+ids[string(sc.Scenario)]),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="section-device"]`)),
			screenshot("scenario-"+string(sc.Scenario)),
		)
		if got := evalString(t, ctx, `document.querySelector('[data-testid="report-result"]').dataset.status`); got != string(sc.Result) {
			t.Errorf("%s: result %s, want %s", sc.Scenario, got, sc.Result)
		}
		if p := problems.all(); len(p) != 0 {
			t.Fatalf("%s: page problems:\n%s", sc.Scenario, strings.Join(p, "\n"))
		}
	}
}
