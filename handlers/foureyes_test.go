package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/handlers"
	"github.com/hiveconsole/hiveconsole/hive/sandbox"
	"github.com/hiveconsole/hiveconsole/review"
)

func reviewStateOn(t *testing.T, b *browser, checkID string) string {
	t.Helper()
	return b.get("/checks/"+checkID).doc(t).Find(`#review [data-testid="review-state"]`).AttrOr("data-state", "")
}

// TestFourEyes: approving a check the rules cover leaves it awaiting a second approver, who must be
// someone else and sees the first decision, its note and its author; a second reviewer who disagrees
// sends it back to the queue marked so; an approval the rules do not cover is final at once.
func TestFourEyes(t *testing.T) {
	tc := newTestConsole(t, func(c *handlers.Config, _ *auth.Config) { c.FourEyes = review.DefaultFourEyes })
	ana := tc.browser()
	ana.signInAs(auth.RoleReviewer)
	ben := reviewerBrowser(t, tc, "ben@example.com")
	risky := scenarioCheck(t, tc, customer("four@example.com", "Fay", "Four"), sandbox.ScenarioFaceMismatch)
	disputed := scenarioCheck(t, tc, customer("dispute@example.com", "Dee", "Spute"), sandbox.ScenarioFaceMismatch)
	clear := scenarioCheck(t, tc, customer("clear@example.com", "Cle", "Ar"), sandbox.ScenarioClear)

	if r := decide(ana, risky.ID, "approve", "", "the face matches on a second look"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("first approval: %d", r.StatusCode)
	}
	if s := reviewStateOn(t, ana, risky.ID); s != "pending_second" {
		t.Fatalf("after the first approval: state %q, want pending_second", s)
	}
	page := ana.get("/checks/" + risky.ID).doc(t)
	if !strings.Contains(page.Find(`[data-testid="four-eyes"]`).Text(), "You approved this check first") {
		t.Error("the first approver is not told someone else must confirm")
	}
	if _, disabled := page.Find(`[data-testid="decision-approve"] input`).Attr("disabled"); !disabled {
		t.Error("the first approver is offered the second approval")
	}
	r := decide(ana, risky.ID, "approve", "", "confirming my own")
	if r.StatusCode != http.StatusConflict || !strings.Contains(r.doc(t).Find(`[data-testid="error-claim"]`).Text(), "someone else") {
		t.Errorf("the second approval by the first approver: %d", r.StatusCode)
	}
	if h, _ := tc.ledger.ForCheck(context.Background(), risky.ID); len(h) != 1 {
		t.Errorf("the refused approval stored something: %d reviews", len(h))
	}
	// The check stays in the queue, and Next does not hand it back to its first approver.
	if _, ok := queueRows(t, ben, "")[risky.ID]; !ok {
		t.Error("a check awaiting its second approval is not in the queue")
	}
	for range 3 {
		if loc := ana.post("/reviews/next", nil).Header.Get("Location"); loc == "/checks/"+risky.ID {
			t.Fatal("Next offers the first approver the check they approved first")
		} else if id := strings.TrimPrefix(loc, "/checks/"); id != loc {
			ana.post("/checks/"+id+"/release", nil)
		}
	}
	second := ben.get("/checks/" + risky.ID).doc(t).Find(`[data-testid="four-eyes"]`)
	if second.AttrOr("data-first-by", "") != "reviewer@example.com" || !strings.Contains(second.Text(), "the face matches on a second look") {
		t.Errorf("the second reviewer sees %q", second.Text())
	}
	if r := decide(ben, risky.ID, "approve", "", "agreed"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("second approval: %d", r.StatusCode)
	}
	if s := reviewStateOn(t, ben, risky.ID); s != "approved" {
		t.Errorf("after the second approval: state %q", s)
	}
	if _, ok := queueRows(t, ben, "")[risky.ID]; ok {
		t.Error("an approved check stays in the queue")
	}

	// A second reviewer who disagrees sends the check back, marked.
	decide(ana, disputed.ID, "approve", "", "fine by me")
	if r := decide(ben, disputed.ID, "reject", "face_mismatch", "not the same person"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("disagreeing: %d", r.StatusCode)
	}
	if s := reviewStateOn(t, ana, disputed.ID); s != "disagree" {
		t.Errorf("after the disagreement: state %q, want disagree", s)
	}
	row := ben.get("/checks?queue=review&size=100").doc(t).Find("#check-" + disputed.ID)
	if row.Find(`[data-testid="review-state-tag"]`).AttrOr("data-state", "") != "disagree" {
		t.Error("the queue does not mark the disputed check")
	}

	// Outside the rules one approval is final.
	decide(ana, clear.ID, "approve", "", "fine")
	if s := reviewStateOn(t, ana, clear.ID); s != "approved" {
		t.Errorf("approving a clear check: state %q, want approved", s)
	}
	var stages []string
	for _, e := range trail(t, tc) {
		if e.Action == "review.decide" && e.Outcome == "success" && e.TargetID == disputed.ID {
			stages = append(stages, strings.TrimSpace(e.Details["stage"].(string)))
		}
	}
	if strings.Join(stages, ",") != "first,disputed" {
		t.Errorf("the trail's stages for the disputed check: %v", stages)
	}
}

// TestDecidedMeanwhile: a decision sent from a page that did not show the check's newest decision is
// refused with 409, naming who decided since and keeping what was typed; sent again from the page it
// comes back on, it is recorded.
func TestDecidedMeanwhile(t *testing.T) {
	tc := newTestConsole(t)
	ana := tc.browser()
	ana.signInAs(auth.RoleReviewer)
	ben := reviewerBrowser(t, tc, "ben@example.com")
	ch := scenarioCheck(t, tc, customer("both@example.com", "Bo", "Th"), sandbox.ScenarioFaceMismatch)
	seen := func(b *browser) string {
		return b.get("/checks/"+ch.ID).doc(t).Find(`[data-testid="review-form"] input[name="seen"]`).AttrOr("value", "?")
	}
	anaSeen, benSeen := seen(ana), seen(ben)
	if anaSeen != "0" || benSeen != "0" {
		t.Fatalf("the forms carry seen=%s and %s, want 0", anaSeen, benSeen)
	}
	if r := ana.post("/checks/"+ch.ID+"/review", url.Values{"decision": {"reject"}, "reason": {"face_mismatch"}, "note": {"not her"}, "seen": {anaSeen}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("Ana's decision: %d", r.StatusCode)
	}
	r := ben.post("/checks/"+ch.ID+"/review", url.Values{"decision": {"resubmit"}, "note": {"ask for a new selfie"}, "seen": {benSeen}})
	doc := r.doc(t)
	if r.StatusCode != http.StatusConflict || !strings.Contains(doc.Find(`[data-testid="error-claim"]`).Text(), "reviewer@example.com recorded a decision (rejected)") {
		t.Fatalf("Ben's decision from a stale page: %d %q", r.StatusCode, doc.Find(`[data-testid="error-claim"]`).Text())
	}
	if doc.Find(`[data-testid="review-note"]`).Text() != "ask for a new selfie" {
		t.Error("Ben's note was lost")
	}
	if h, _ := tc.ledger.ForCheck(context.Background(), ch.ID); len(h) != 1 {
		t.Fatalf("%d reviews, want Ana's alone", len(h))
	}
	again := doc.Find(`[data-testid="review-form"] input[name="seen"]`).AttrOr("value", "")
	if r := ben.post("/checks/"+ch.ID+"/review", url.Values{"decision": {"resubmit"}, "note": {"ask for a new selfie"}, "seen": {again}}); r.StatusCode != http.StatusCreated {
		t.Errorf("Ben's decision from the page it came back on: %d", r.StatusCode)
	}
}

// TestReviewStateFilter: the checks list filters by the console's review state, and says each row's.
func TestReviewStateFilter(t *testing.T) {
	tc := newTestConsole(t, func(c *handlers.Config, _ *auth.Config) { c.FourEyes = review.DefaultFourEyes })
	reviewer := tc.browser()
	reviewer.signInAs(auth.RoleReviewer)
	pending := scenarioCheck(t, tc, customer("pend@example.com", "Pen", "Ding"), sandbox.ScenarioFaceMismatch)
	approved := scenarioCheck(t, tc, customer("appr@example.com", "Ap", "Proved"), sandbox.ScenarioClear)
	decide(reviewer, pending.ID, "approve", "", "first of two")
	decide(reviewer, approved.ID, "approve", "", "fine")
	ids := func(state string) map[string]string {
		out := map[string]string{}
		reviewer.get("/checks?size=100&review=" + state).doc(t).Find(`[data-testid="check-row"]`).Each(func(_ int, s *goquery.Selection) {
			out[strings.TrimPrefix(s.AttrOr("id", ""), "check-")] = s.Find(`[data-testid="review-state-tag"]`).AttrOr("data-state", "")
		})
		return out
	}
	if got := ids("pending_second"); len(got) != 1 || got[pending.ID] != "pending_second" {
		t.Errorf("awaiting second review: %v", got)
	}
	if got := ids("approved"); len(got) != 1 || got[approved.ID] != "approved" {
		t.Errorf("approved: %v", got)
	}
	unreviewed := ids("unreviewed")
	if len(unreviewed) == 0 || unreviewed[pending.ID] != "" || unreviewed[approved.ID] != "" {
		t.Errorf("unreviewed: %d rows, holding a decided check", len(unreviewed))
	}
	for id, st := range unreviewed {
		if st != "unreviewed" {
			t.Errorf("unreviewed lists %s in state %q", id[:8], st)
		}
	}
}
