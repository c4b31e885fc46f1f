//go:build browser

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const reviewerPassword = "a reviewer's long passphrase"

// addReviewer creates a reviewer through the staff pages as the signed-in admin, then signs the
// browser in as that reviewer.
func addReviewer(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	createReviewer(t, ctx, url, "rev@example.com", "Rae Viewer")
	do(t, ctx,
		chromedp.Click(chromedp.CSS(`[data-testid="user-menu"] summary`)),
		chromedp.Click(chromedp.CSS(`[data-testid="sign-out"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="login-form"]`)),
		signIn(url, "rev@example.com", reviewerPassword),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="overview-queue"]`)),
	)
}

// createReviewer creates a reviewer through the staff pages as the signed-in admin.
func createReviewer(t *testing.T, ctx context.Context, url, email, name string) {
	t.Helper()
	createStaff(t, ctx, url, email, name, "reviewer")
}

// press sends one key to the page, as a reviewer's keyboard would.
func press(key string) chromedp.Action[chromedp.Void] {
	return chromedp.KeyEvent(key)
}

// TestReviewWithTheKeyboard: a reviewer starts from the overview's queue, rejects a check with
// the keyboard and a reason, moves to the next one with "n", and reveals a customer's masked
// phone number with a reason, in place.
func TestReviewWithTheKeyboard(t *testing.T) {
	c := startConsole(t)
	ctx := browserWithin(t, 90*time.Second)
	problems := watchProblems(t, ctx)
	do(t, ctx, signIn(c.URL, "admin@localhost", adminPassword), chromedp.WaitVisible(chromedp.CSS(`[data-testid="recent-checks"]`)))
	addReviewer(t, ctx, c.URL)
	do(t, ctx,
		screenshot("overview-queue"),
		chromedp.Click(chromedp.CSS(`[data-testid="start-reviewing"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="review-form"]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[data-datastar="ready"]`)),
	)
	first := evalString(t, ctx, `location.pathname`)
	do(t, ctx, press("x"))
	pollJS(t, ctx, "x to choose reject and focus the reason",
		`document.querySelector('[data-testid="decision-reject"] input').checked && document.activeElement.id === 'review-reason'`, 5*time.Second)
	evalString(t, ctx, `(document.getElementById('review-reason').value = 'face_mismatch', 'ok')`)
	do(t, ctx,
		chromedp.SendKeys(chromedp.CSS(`#review-note`), "the selfie is not the document's holder"),
		screenshot("review-form"),
		chromedp.Click(chromedp.CSS(`[data-testid="review-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"]`)),
	)
	if st := evalString(t, ctx, `document.querySelector('[data-testid="review-state"]').dataset.state`); st != "rejected" {
		t.Fatalf("after rejecting: state %q", st)
	}
	do(t, ctx, screenshot("review-recorded"), chromedp.WaitVisible(chromedp.CSS(`html[data-datastar="ready"]`)), press("n"))
	pollJS(t, ctx, "n to open the next check in the queue",
		`location.pathname.startsWith('/checks/') && location.pathname !== '`+first+`' && document.querySelector('[data-testid="review-form"]') !== null`, 10*time.Second)
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(`html[data-datastar="ready"]`)), press("a"))
	pollJS(t, ctx, "a to choose approve and focus the note",
		`document.querySelector('[data-testid="decision-approve"] input').checked && document.activeElement.id === 'review-note'`, 5*time.Second)
	// Typing in the note must not trigger shortcuts.
	do(t, ctx, chromedp.SendKeys(chromedp.CSS(`#review-note`), "n"))
	if loc := evalString(t, ctx, `location.pathname`); !strings.HasPrefix(loc, "/checks/") || loc == first {
		t.Fatalf("typing n in the note navigated to %s", loc)
	}

	// Reveal a customer's phone, masked for reviewers, with a reason.
	customer := evalString(t, ctx, `document.querySelector('[data-testid="report-customer"]').getAttribute('href')`)
	do(t, ctx,
		chromedp.Navigate(c.URL+customer),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="pii-phone"]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[data-datastar="ready"]`)),
	)
	masked := evalString(t, ctx, `document.querySelector('[data-testid="pii-phone"] .pii__value').textContent`)
	if !strings.Contains(masked, "•••") {
		t.Fatalf("a reviewer sees the phone as %q, want it masked", masked)
	}
	evalString(t, ctx, `(window.stayed = 'yes')`)
	do(t, ctx,
		chromedp.Click(chromedp.CSS(`[data-testid="pii-phone"] [data-testid="reveal"]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="pii-phone"] [data-testid="reveal-reason"]`), "customer asked to confirm"),
		screenshot("reveal-form"),
		chromedp.Click(chromedp.CSS(`[data-testid="pii-phone"] [data-testid="reveal-submit"]`)),
	)
	pollJS(t, ctx, "the phone to be revealed in place",
		`document.querySelector('[data-testid="pii-phone"] [data-testid="revealed"]') !== null && window.stayed === 'yes' && !document.querySelector('[data-testid="pii-phone"] .pii__value').textContent.includes('•')`,
		10*time.Second)
	do(t, ctx, screenshot("revealed"))
	if p := problems.all(); len(p) != 0 {
		t.Errorf("page problems:\n%s", strings.Join(p, "\n"))
	}
}
