//go:build browser

package e2e

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestLinkedRing opens the demo data's document ring (three customers who showed one passport; the
// sandbox's seed test guards it) and follows its links: from a member's page to another member, from
// there back, and into a linked check, whose report shows the ring too.
func TestLinkedRing(t *testing.T) {
	c := startConsole(t)
	ctx := browserWithin(t, 90*time.Second)
	problems := watchProblems(t, ctx)
	do(t, ctx, signIn(c.URL, "admin@localhost", adminPassword), chromedp.WaitVisible(chromedp.CSS(`[data-testid="recent-checks"]`)),
		chromedp.Navigate(c.URL+"/customers?q="+url.QueryEscape("Lotte Smit")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="customer-row"] td:first-child a`)),
		chromedp.Click(chromedp.CSS(`[data-testid="customer-row"] td:first-child a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="linked"]`)))
	first := evalString(t, ctx, `location.pathname`)
	// The copy reads the ring's reports in the background after start: the page shows them once read.
	ring := `[...document.querySelectorAll('[data-testid="linked-customer"]')].filter(c =>
		c.querySelector('[data-testid="linked-share"][data-kind="document"]')).length`
	deadline := time.Now().Add(30 * time.Second)
	for evalString(t, ctx, `String(`+ring+`)`) != "2" {
		if time.Now().After(deadline) {
			t.Fatalf("Lotte Smit's page links %s customers by document, want the ring's two others", evalString(t, ctx, `String(`+ring+`)`))
		}
		do(t, ctx, chromedp.Sleep(500*time.Millisecond), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`[data-testid="linked"]`)))
	}
	do(t, ctx, screenshot("linked-customer"),
		chromedp.Click(chromedp.CSS(`[data-testid="linked-customer"] .linked__who a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="linked"]`)))
	pollJS(t, ctx, "the other member's page to link back to the first", `document.querySelector('[data-testid="linked"] a[href="`+first+`"]')`, 5*time.Second)
	if n := evalString(t, ctx, `String(`+ring+`)`); n != "2" {
		t.Errorf("the second member links %s customers by document, want 2", n)
	}
	do(t, ctx, chromedp.Click(chromedp.CSS(`[data-testid="linked-customer"] .linked__checks a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="report-summary"]`)))
	pollJS(t, ctx, "the linked check's report to show the ring", ring+` === 2`, 5*time.Second)
	if loc := evalString(t, ctx, `location.pathname`); !strings.HasPrefix(loc, "/checks/") {
		t.Errorf("the linked check's link led to %s", loc)
	}
	do(t, ctx, screenshot("linked-report"))
	if p := problems.all(); len(p) != 0 {
		t.Errorf("page problems: %v", p)
	}
}
