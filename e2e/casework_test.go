//go:build browser

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestTwoReviewers: two reviewers in two browsers. Ana takes the next check from the overview and
// holds it; Ben, opening it, sees her claim, and his decision is refused naming her, with his note
// kept. Ana approves a check the four-eyes rules cover: it waits for a second approver, and Ben, who
// sees her decision and note, confirms it. Ana writes a note that mentions Ben: his open page shows it
// without a reload, and his inbox counts and lists it.
func TestTwoReviewers(t *testing.T) {
	c := startConsole(t)
	ana := browserWithin(t, 120*time.Second)
	ben := browserWithin(t, 120*time.Second)
	problems := watchProblems(t, ana)
	do(t, ana, signIn(c.URL, "admin@localhost", adminPassword), chromedp.WaitVisible(chromedp.CSS(`[data-testid="recent-checks"]`)))
	createReviewer(t, ana, c.URL, "ana@example.com", "Ana Reviewer")
	createReviewer(t, ana, c.URL, "ben@example.com", "Ben Reviewer")
	do(t, ana,
		chromedp.Click(chromedp.CSS(`[data-testid="user-menu"] summary`)),
		chromedp.Click(chromedp.CSS(`[data-testid="sign-out"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="login-form"]`)),
		signIn(c.URL, "ana@example.com", reviewerPassword),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="overview-queue"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="start-reviewing"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="review-form"]`)),
	)
	check := evalString(t, ana, `location.pathname`)
	if mine := evalString(t, ana, `document.querySelector('#review [data-testid="claim"]').dataset.mine`); mine != "true" {
		t.Fatalf("Start reviewing did not claim %s for Ana", check)
	}

	// Ben sees the claim; his decision is refused and names Ana; his note stays.
	do(t, ben, signIn(c.URL, "ben@example.com", reviewerPassword), chromedp.WaitVisible(chromedp.CSS(`[data-testid="overview-queue"]`)),
		chromedp.Navigate(c.URL+check), chromedp.WaitVisible(chromedp.CSS(`[data-testid="review-form"]`)))
	if h := evalString(t, ben, `document.querySelector('#review [data-testid="claim"]').dataset.holder`); h != "ana@example.com" {
		t.Fatalf("Ben's page says the check is held by %q", h)
	}
	do(t, ben,
		chromedp.Click(chromedp.CSS(`[data-testid="decision-approve"] input`)),
		chromedp.SendKeys(chromedp.CSS(`#review-note`), "looks fine to me"),
		chromedp.Click(chromedp.CSS(`[data-testid="review-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="error-claim"]`)),
		screenshot("casework-refused"),
	)
	if msg := text(t, ben, `[data-testid="error-claim"]`); !strings.Contains(msg, "ana@example.com") {
		t.Errorf("the refusal says %q", msg)
	}
	if note := evalString(t, ben, `document.getElementById('review-note').value`); note != "looks fine to me" {
		t.Errorf("Ben's note came back as %q", note)
	}
	if loc := evalString(t, ben, `location.pathname`); loc != check {
		t.Errorf("after the refusal the address bar says %s, want the check's own %s", loc, check)
	}
	// Rejecting asks for the reason in the page, before anything is sent.
	do(t, ben, chromedp.Click(chromedp.CSS(`[data-testid="decision-reject"] input`)))
	if v := evalString(t, ben, `String(document.getElementById('review-reason').required && !document.querySelector('[data-testid="review-form"]').checkValidity())`); v != "true" {
		t.Error("choosing Reject does not make the reason required in the page")
	}
	do(t, ben, chromedp.Click(chromedp.CSS(`[data-testid="decision-approve"] input`)))

	// Ana approves first; the check waits for a second approver.
	do(t, ana,
		chromedp.Click(chromedp.CSS(`[data-testid="decision-approve"] input`)),
		chromedp.SendKeys(chromedp.CSS(`#review-note`), "the face matches the document on a closer look"),
		chromedp.Click(chromedp.CSS(`[data-testid="review-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="four-eyes"]`)),
	)
	if st := evalString(t, ana, `document.querySelector('[data-testid="review-state"]').dataset.state`); st != "pending_second" {
		t.Fatalf("after Ana's approval: state %q, want pending_second (does the check's result need four eyes?)", st)
	}
	// Ben, whose page is still open, learns of it without a reload, then reloads and confirms.
	pollJS(t, ben, "Ben's open page to learn of Ana's decision",
		`(document.querySelector('[data-testid="case-notice"]')?.textContent || '').includes('ana@example.com recorded a decision')`, 15*time.Second)
	do(t, ben, chromedp.Navigate(c.URL+check), chromedp.WaitVisible(chromedp.CSS(`[data-testid="four-eyes"]`)), screenshot("casework-second"))
	if by := evalString(t, ben, `document.querySelector('[data-testid="four-eyes"]').dataset.firstBy`); by != "ana@example.com" {
		t.Errorf("Ben sees the first approval by %q", by)
	}
	if !strings.Contains(text(t, ben, `[data-testid="four-eyes"]`), "closer look") {
		t.Error("Ben does not see Ana's note")
	}
	do(t, ben,
		chromedp.Click(chromedp.CSS(`[data-testid="decision-approve"] input`)),
		chromedp.SendKeys(chromedp.CSS(`#review-note`), "agreed"),
		chromedp.Click(chromedp.CSS(`[data-testid="review-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"]`)),
	)
	if st := evalString(t, ben, `document.querySelector('[data-testid="review-state"]').dataset.state`); st != "approved" {
		t.Fatalf("after Ben's approval: state %q, want approved", st)
	}

	// Ana writes a note mentioning Ben while his page is open.
	do(t, ben, chromedp.WaitVisible(chromedp.CSS(`html[data-datastar="ready"]`)))
	do(t, ana,
		chromedp.Navigate(c.URL+check),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="note-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`#note-body`), "@ben@example.com the customer called back, all good"),
		chromedp.Click(chromedp.CSS(`[data-testid="note-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="note"]`)),
	)
	pollJS(t, ben, "Ben's open page to show Ana's note",
		`[...document.querySelectorAll('[data-testid="note"]')].some((n) => n.textContent.includes('called back'))`, 15*time.Second)
	do(t, ben, chromedp.Navigate(c.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="nav-count"]`)), screenshot("casework-inbox-count"))
	if n := strings.TrimSpace(text(t, ben, `[data-testid="nav-count"]`)); !strings.HasPrefix(n, "1") {
		t.Errorf("Ben's inbox count %q", n)
	}
	do(t, ben, chromedp.Navigate(c.URL+"/inbox"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="inbox-item"]`)), screenshot("casework-inbox"))
	if !strings.Contains(text(t, ben, `[data-testid="inbox-item"]`), "called back") {
		t.Error("Ben's inbox does not list Ana's note")
	}
	if p := problems.all(); len(p) != 0 {
		t.Errorf("page problems:\n%s", strings.Join(p, "\n"))
	}
}

// TestDecisionPanelStaysInView: on a wide screen the decision panel stays beside the evidence while it
// scrolls, its controls in view; "Record & next" records and opens the next check.
func TestDecisionPanelStaysInView(t *testing.T) {
	c := startConsole(t)
	ctx := browserWithin(t, 90*time.Second)
	do(t, ctx, chromedp.EmulateViewport(1440, 900), signIn(c.URL, "admin@localhost", adminPassword),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="overview-queue"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="start-reviewing"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="decision-panel"] [data-testid="review-form"]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[data-datastar="ready"]`)),
	)
	first := evalString(t, ctx, `location.pathname`)
	inView := `(() => { const r = document.querySelector('[data-testid="review-submit-next"]').getBoundingClientRect();
		return String(r.top >= 0 && r.bottom <= window.innerHeight && r.left >= 0 && r.right <= window.innerWidth); })()`
	if evalString(t, ctx, `(window.scrollTo(0, document.body.scrollHeight), String(window.scrollY > 1000))`) != "true" {
		t.Fatal("the report page does not scroll")
	}
	pollJS(t, ctx, "the decision controls to stay in view at the foot of the evidence", inView+` === "true"`, 5*time.Second)
	if evalString(t, ctx, `String(document.querySelectorAll('[data-testid="why-item"]').length > 0)`) != "true" {
		t.Error("the panel lists nothing the report did not clear")
	}
	do(t, ctx,
		chromedp.Click(chromedp.CSS(`[data-testid="decision-reject"] input`)),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.getElementById('review-reason').value = 'face_mismatch', true)`))
			return err
		}),
		chromedp.SendKeys(chromedp.CSS(`#review-note`), "not the document's holder"),
		screenshot("decision-panel"),
		chromedp.Click(chromedp.CSS(`[data-testid="review-submit-next"]`)),
	)
	pollJS(t, ctx, "Record & next to open another check",
		`location.pathname.startsWith('/checks/') && location.pathname !== '`+first+`' && document.querySelector('[data-testid="review-form"]') !== null`, 10*time.Second)
}

// TestImagesWholeAndLinked: the document and the selfie are shown whole, at equal height, with the
// face scores beside them; linked, zooming one zooms both.
func TestImagesWholeAndLinked(t *testing.T) {
	c := startConsole(t)
	ctx := browserWithin(t, 90*time.Second)
	problems := watchProblems(t, ctx)
	do(t, ctx, chromedp.EmulateViewport(1440, 900), signIn(c.URL, "admin@localhost", adminPassword),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="overview-queue"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="start-reviewing"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="image-portrait"]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[data-datastar="ready"]`)),
	)
	pollJS(t, ctx, "both images to load", `[...document.querySelectorAll('[data-testid="report-images"] img')].every((i) => i.complete && i.naturalWidth > 0)`, 10*time.Second)
	whole := `(() => {
		const panes = [...document.querySelectorAll('[data-testid="report-images"] [data-viewer]')];
		const heights = panes.map((p) => Math.round(p.querySelector('[data-viewer-frame]').getBoundingClientRect().height));
		const contained = panes.every((p) => {
			const f = p.querySelector('[data-viewer-frame]').getBoundingClientRect();
			const i = p.querySelector('img');
			const r = i.getBoundingClientRect();
			return getComputedStyle(i).objectFit === 'contain' && r.width <= f.width + 1 && r.height <= f.height + 1;
		});
		return String(panes.length >= 2 && heights.every((h) => h === heights[0]) && contained);
	})()`
	if evalString(t, ctx, whole) != "true" {
		t.Error("the images are not whole at equal height")
	}
	if s := text(t, ctx, `[data-testid="image-scores"]`); !strings.Contains(s, "similarity") && !strings.Contains(s, "Similarity") {
		t.Errorf("the face scores beside the images read %q", s)
	}
	do(t, ctx,
		chromedp.Click(chromedp.CSS(`[data-testid="link-zoom"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="report-images"] .compare__pane:nth-child(1) [data-viewer-action="zoom-in"]`)),
	)
	zooms := evalString(t, ctx, `[...document.querySelectorAll('[data-testid="report-images"] [data-viewer]')].map((p) => p.dataset.zoom).join(',')`)
	if parts := strings.Split(zooms, ","); len(parts) < 2 || parts[0] != "1.25" || parts[1] != "1.25" {
		t.Errorf("linked zoom: panes at %s, want both 1.25", zooms)
	}
	do(t, ctx, viewerShot("images-linked"))
	if p := problems.all(); len(p) != 0 {
		t.Errorf("page problems:\n%s", strings.Join(p, "\n"))
	}
}
