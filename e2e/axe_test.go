//go:build browser

package e2e

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// axeSource is axe-core, from the bundle's npm dependencies (a test tool, never served).
func axeSource(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../static/node_modules/axe-core/axe.min.js")
	if err != nil {
		t.Fatalf("axe-core is missing (run npm ci in static/): %v", err)
	}
	return string(b)
}

// axeProblems runs axe-core's WCAG 2.1 A and AA rules on the page and lists the serious and critical
// violations, each with up to three of the elements concerned.
func axeProblems(t *testing.T, ctx context.Context, src string) []string {
	t.Helper()
	var out []string
	_, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](src))
	if err != nil {
		t.Fatalf("load axe: %v", err)
	}
	res, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`axe.run(document, {
		runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
		resultTypes: ['violations'],
	}).then((r) => r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
		.map((v) => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' · ')))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("run axe: %v", err)
	}
	out = append(out, res...)
	return out
}

// colourScheme makes the page render in the light or the dark scheme.
func colourScheme(scheme string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
		return err
	})
}

// TestAccessibility runs axe-core on every page for every role, in the light and the dark scheme:
// no serious or critical violation.
func TestAccessibility(t *testing.T) {
	c := startConsole(t, "HIVECONSOLE_WEBHOOK_ALLOW=127.0.0.1") // so the webhooks page shows its form
	src := axeSource(t)
	admin := browserWithin(t, 300*time.Second)
	do(t, admin, signIn(c.URL, "admin@localhost", adminPassword), chromedp.WaitVisible(chromedp.CSS(`[data-testid="overview-queue"]`)))
	for _, role := range []string{"reviewer", "support", "auditor"} {
		createStaff(t, admin, c.URL, "axe."+role+"@example.com", "A "+role, role)
	}
	do(t, admin, chromedp.Navigate(c.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="overview-queue"]`)))
	check := evalString(t, admin, `document.querySelector('[data-testid="overview-queue"] [data-testid="queue-row"] a').getAttribute('href')`)
	customer := evalAsync(t, admin, `(async () => { const r = await fetch('`+check+`'); const d = new DOMParser().parseFromString(await r.text(), 'text/html');
		return d.querySelector('[data-testid="report-customer"]').getAttribute('href'); })()`)
	session := evalAsync(t, admin, `(async () => { const r = await fetch('`+customer+`'); const d = new DOMParser().parseFromString(await r.text(), 'text/html');
		return d.querySelector('a[href^="/sessions/"]').getAttribute('href'); })()`)
	pages := []string{"/", "/customers", customer, "/checks", "/checks?queue=review", check, "/sessions", session, "/files", "/inbox", "/insights", "/account/password", "/account/security", check + "/evidence", "/retention"}
	adminPages := append([]string{"/users", "/users/new", "/audit", "/customers/new", "/webhooks"}, pages...)
	run := func(ctx context.Context, who string, pages []string) {
		for _, scheme := range []string{"light", "dark"} {
			do(t, ctx, colourScheme(scheme))
			for _, page := range pages {
				do(t, ctx, chromedp.Navigate(c.URL+page), chromedp.WaitVisible(chromedp.CSS(`main`)))
				for _, p := range axeProblems(t, ctx, src) {
					t.Errorf("%s, %s, %s: %s", who, scheme, page, p)
				}
			}
		}
	}
	run(admin, "admin", adminPages)
	for _, role := range []string{"reviewer", "support", "auditor"} {
		ctx := browserWithin(t, 300*time.Second)
		do(t, ctx, signIn(c.URL, "axe."+role+"@example.com", reviewerPassword), chromedp.WaitVisible(chromedp.CSS(`main`)))
		run(ctx, role, pages)
	}
}

// createStaff creates a staff account of the given role through the staff pages as the signed-in admin.
func createStaff(t *testing.T, ctx context.Context, url, email, name, role string) {
	t.Helper()
	do(t, ctx,
		chromedp.Navigate(url+"/users/new"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="user-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), email),
		chromedp.SendKeys(chromedp.CSS(`#name`), name),
		chromedp.SendKeys(chromedp.CSS(`#password`), reviewerPassword),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`(document.getElementById('role').value = %q, true)`, role)))
			return err
		}),
		chromedp.Click(chromedp.CSS(`[data-testid="user-form"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="user-role"]`)),
	)
}

// evalAsync evaluates js, which gives a promise of a string, failing the test on error.
func evalAsync(t *testing.T, ctx context.Context, js string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return s
}
