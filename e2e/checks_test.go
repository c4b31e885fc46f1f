//go:build browser

package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
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
