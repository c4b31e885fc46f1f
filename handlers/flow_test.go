package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/hive/sandbox"
)

// TestReviewFlow: "Record & next" records and opens the next check, claimed; a decided check shows
// its decision with the form folded behind "Change"; a resubmission keeps the reviewer on the check,
// the token folded, Next at hand; pages that answer a POST name their own address.
func TestReviewFlow(t *testing.T) {
	tc := newTestConsoleWith(t, 30)
	reviewer := tc.browser()
	reviewer.signInAs(auth.RoleReviewer)
	head := queueHead(t, tc, 2)

	r := reviewer.post("/checks/"+head[0]+"/review", url.Values{"decision": {"approve"}, "note": {"fine"}, "then": {"next"}})
	next := strings.TrimPrefix(r.Header.Get("Location"), "/checks/")
	if r.StatusCode != http.StatusSeeOther || next == head[0] || next == r.Header.Get("Location") {
		t.Fatalf("Record & next: %d → %s", r.StatusCode, r.Header.Get("Location"))
	}
	if h, mine := claimOnPage(t, reviewer, next); h != "reviewer@example.com" || mine != "true" {
		t.Errorf("the next check is held by %q (mine %s), want the reviewer", h, mine)
	}
	decided := reviewer.get("/checks/" + head[0]).doc(t)
	if decided.Find(`details[data-testid="review-change"] [data-testid="review-form"]`).Length() != 1 {
		t.Error("a decided check does not fold its form behind Change")
	}
	if reviewer.get("/checks/"+next).doc(t).Find(`details[data-testid="review-change"]`).Length() != 0 {
		t.Error("a waiting check folds its form")
	}

	// A refusal answers the POST with the check's page, which names its own address.
	r = reviewer.post("/checks/"+next+"/review", url.Values{"decision": {"reject"}, "note": {"no reason given"}})
	if r.StatusCode != http.StatusUnprocessableEntity || r.doc(t).Find(`meta[name="page-url"]`).AttrOr("content", "") != "/checks/"+next {
		t.Errorf("a refused decision: %d, page-url %q", r.StatusCode, r.doc(t).Find(`meta[name="page-url"]`).AttrOr("content", ""))
	}
	if _, ok := r.doc(t).Find(`[data-testid="review-reason"]`).Attr("data-required-when"); !ok {
		t.Error("the reason is not asked for in the page before the form is sent")
	}

	// A resubmission keeps the reviewer on the check.
	ch := scenarioCheck(t, tc, customer("flow@example.com", "Flo", "W"), sandbox.ScenarioPoorImageQuality)
	r = decide(reviewer, ch.ID, "resubmit", "", "ask for sharper images")
	doc := r.doc(t)
	if r.StatusCode != http.StatusCreated || doc.Find(`meta[name="page-url"]`).AttrOr("content", "") != "/checks/"+ch.ID {
		t.Fatalf("resubmission: %d", r.StatusCode)
	}
	if doc.Find(`details[data-testid="issued-token"] [data-testid="session-token"]`).Length() != 1 ||
		doc.Find(`[data-testid="review-next"]`).Length() != 1 || doc.Find(`[data-testid="report"]`).Length() != 1 {
		t.Error("the resubmission does not show the check with the token folded and Next")
	}
	if reviewer.get("/checks/"+ch.ID).doc(t).Find(`[data-testid="issued-token"]`).Length() != 0 {
		t.Error("the token is shown again")
	}
}

// TestDecisionPanel: the report page puts Hive's verdict and every sub-check the report did not clear
// beside the evidence, in words with the values involved (masked for a role that sees them masked),
// each leading to its section.
func TestDecisionPanel(t *testing.T) {
	tc := newTestConsole(t)
	ch := scenarioCheck(t, tc, customer("panel@example.com", "Pan", "El"), sandbox.ScenarioDataMismatch)
	admin := tc.browser()
	admin.signInAs(auth.RoleAdmin)
	doc := admin.get("/checks/" + ch.ID).doc(t)
	panel := doc.Find(`[data-testid="decision-panel"]`)
	if panel.Find(`[data-testid="why"] [data-testid="status-badge"]`).Length() != 1 || panel.Find(`[data-testid="review-form"]`).Length() != 1 {
		t.Fatal("the decision panel lacks the verdict or the decision form")
	}
	items := panel.Find(`[data-testid="why-item"]`)
	var differs string
	items.Each(func(_ int, s *goquery.Selection) {
		if strings.Contains(s.Text(), "differs") {
			differs = strings.Join(strings.Fields(s.Text()), " ")
			if href := s.Find("a").AttrOr("href", ""); href != "#section-document" || doc.Find(href).Length() != 1 {
				t.Errorf("%q leads to %q", differs, href)
			}
		}
	})
	if !strings.Contains(differs, "document ") || !strings.Contains(differs, "record ") {
		t.Errorf("the data mismatch reads %q, want both values", differs)
	}
	// A reviewer sees customers' dates of birth masked: the panel says so rather than showing either.
	reviewer := tc.browser()
	reviewer.signInAs(auth.RoleReviewer)
	text := strings.Join(strings.Fields(reviewer.get("/checks/"+ch.ID).doc(t).Find(`[data-testid="why"]`).Text()), " ")
	if !strings.Contains(text, "Date of birth differs values masked for your role") {
		t.Errorf("the reviewer's panel: %q", text)
	}
}
