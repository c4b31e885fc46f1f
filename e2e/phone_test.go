//go:build browser

package e2e

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestPhoneLayout: at 390 px no page scrolls sideways (tables scroll inside their cards), the
// navigation is a menu behind a button, and on a report the decision stays one tap away.
func TestPhoneLayout(t *testing.T) {
	c := startConsole(t)
	ctx := browserWithin(t, 120*time.Second)
	problems := watchProblems(t, ctx)
	do(t, ctx, chromedp.EmulateViewport(390, 844), signIn(c.URL, "admin@localhost", adminPassword),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="overview-queue"]`)))
	check := evalString(t, ctx, `document.querySelector('[data-testid="overview-queue"] [data-testid="queue-row"] a').getAttribute('href')`)
	do(t, ctx, chromedp.Navigate(c.URL+"/customers"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="customer-row"]`)))
	customer := evalString(t, ctx, `document.querySelector('[data-testid="customer-row"] a').getAttribute('href')`)
	for _, page := range []string{"/", "/customers", "/checks", "/checks?queue=review", "/sessions", "/files", "/users", "/audit", "/inbox", "/insights", "/retention", check + "/evidence", customer, check} {
		do(t, ctx, chromedp.Navigate(c.URL+page), chromedp.WaitVisible(chromedp.CSS(`main`)), chromedp.Sleep(300*time.Millisecond))
		if w := evalString(t, ctx, `String(document.documentElement.scrollWidth <= window.innerWidth)`); w != "true" {
			t.Errorf("%s scrolls sideways at 390 px: %s", page, evalString(t, ctx, `document.documentElement.scrollWidth + ' > ' + window.innerWidth`))
		}
		if v := evalString(t, ctx, cutPlaceholders); v != "" {
			t.Errorf("%s at 390 px cuts placeholders off: %s", page, v)
		}
		// Every list's table is stacked rows with labels, not a table to scroll sideways. The report's
		// tables (the record comparison, the MRZ) are read across and fit as they are.
		if v := evalString(t, ctx, `[...document.querySelectorAll('main table')].filter(t => getComputedStyle(t.querySelector('thead') || t).display !== 'none')
			.map(t => t.dataset.testid || t.className).join(' ')`); v != "" && page != check {
			t.Errorf("%s at 390 px has tables that are not stacked: %s", page, v)
		}
	}
	if v := evalString(t, ctx, `String(getComputedStyle(document.querySelector('[data-testid="nav"]')).display)`); v != "none" {
		t.Errorf("the navigation shows (%s) before the menu is opened", v)
	}
	do(t, ctx, chromedp.Click(chromedp.CSS(`[data-testid="decide-bar"]`)))
	pollJS(t, ctx, "the Decide button to lead to the decision", `location.hash === '#decide'`, 5*time.Second)
	do(t, ctx, chromedp.Click(chromedp.CSS(`[data-testid="nav-toggle"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="nav"] a[href="/audit"]`)),
		screenshot("phone-menu"))
	do(t, ctx, chromedp.Navigate(c.URL+"/checks?queue=review"), chromedp.WaitReady(chromedp.CSS(`[data-testid="check-row"]`)))
	if v := evalString(t, ctx, `getComputedStyle(document.querySelector('[data-testid="checks"] thead')).display + ' ' +
		getComputedStyle(document.querySelector('[data-testid="check-row"] [data-label="Held by"]'), '::before').content`); v != `none "Held by"` {
		t.Errorf("the queue at 390 px is not stacked rows with labels: %s", v)
	}
	do(t, ctx, chromedp.EmulateViewport(1440, 900))
	for _, page := range []string{"/customers", "/checks", "/sessions", "/files", "/audit", "/insights", customer, check} {
		do(t, ctx, chromedp.Navigate(c.URL+page), chromedp.WaitVisible(chromedp.CSS(`main`)))
		if v := evalString(t, ctx, cutPlaceholders); v != "" {
			t.Errorf("%s at 1440 px cuts placeholders off: %s", page, v)
		}
	}
	do(t, ctx, chromedp.Navigate(c.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="nav"]`)))
	if v := evalString(t, ctx, `(() => { const n = document.querySelector('[data-testid="nav"]'); return n.scrollWidth <= n.clientWidth ? '' : n.scrollWidth + ' > ' + n.clientWidth; })()`); v != "" {
		t.Errorf("an admin's navigation is cut off at 1440 px: %s", v)
	}
	if v := evalString(t, ctx, `getComputedStyle(document.querySelector('[data-testid="nav-toggle"]')).display`); v != "none" {
		t.Errorf("the menu button shows (%s) on a wide screen", v)
	}
	if p := problems.all(); len(p) != 0 {
		t.Errorf("page problems: %v", p)
	}
}

// cutPlaceholders names the visible inputs whose placeholder is wider than the room the input gives
// it, measured in the input's own font; "" when every placeholder shows whole.
const cutPlaceholders = `(() => {
	const ctx = document.createElement('canvas').getContext('2d');
	return [...document.querySelectorAll('input[placeholder], textarea[placeholder]')].filter(i => i.offsetParent && i.tagName === 'INPUT').filter(i => {
		const s = getComputedStyle(i);
		ctx.font = s.font;
		return ctx.measureText(i.placeholder).width > i.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight) + 1;
	}).map(i => (i.name || i.id) + ': ' + i.placeholder).join('; ');
})()`
