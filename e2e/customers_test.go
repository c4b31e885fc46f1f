//go:build browser

package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestCustomerSearchAsYouType: typing narrows the table in place and the address bar follows;
// sorting by a header and paging work the same way; the detail page opens from a row.
func TestCustomerSearchAsYouType(t *testing.T) {
	c := startConsole(t)
	ctx := browser(t)
	do(t, ctx,
		signIn(c.URL, "admin@localhost", adminPassword),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="recent-checks"]`)),
		chromedp.Navigate(c.URL+"/customers"),
		chromedp.WaitVisible(chromedp.CSS(`html[data-datastar="ready"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="customers"]`)),
		screenshot("customers"),
	)
	first := strings.TrimSpace(text(t, ctx, `[data-testid="customer-row"] td:nth-child(2)`))
	email := first[:strings.Index(first, "@")]
	do(t, ctx,
		chromedp.SendKeys(chromedp.CSS(`[data-testid="customer-q"]`), email),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="pagination"]`)),
	)
	deadline := time.Now().Add(10 * time.Second)
	for {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		rows, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="customer-row"]').length`))
		if strings.Contains(loc, "q="+email) && rows >= 1 && rows < 25 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("search did not narrow in place: location %q, %d rows", loc, rows)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got := text(t, ctx, `[data-testid="customer-row"] td:nth-child(2)`); !strings.Contains(got, email) {
		t.Errorf("first row %q does not match %q", got, email)
	}
	do(t, ctx, screenshot("customers-search"),
		chromedp.Clear(chromedp.CSS(`[data-testid="customer-q"]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="customer-q"]`), " "),
		chromedp.Click(chromedp.CSS(`[data-testid="sort-name"]`)),
	)
	deadline = time.Now().Add(10 * time.Second)
	for {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		if strings.Contains(loc, "sort=name") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("sorting did not update the address: %q", loc)
		}
		time.Sleep(50 * time.Millisecond)
	}
	do(t, ctx,
		chromedp.Click(chromedp.CSS(`[data-testid="customer-row"] td:first-child a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="profile"]`)),
		screenshot("customer"),
	)
}
