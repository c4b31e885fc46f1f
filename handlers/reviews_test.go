package handlers_test

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/handlers"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/hive/sandbox"
	"github.com/hiveconsole/hiveconsole/readmodel"
)

func decide(b *browser, checkID, decision, reason, note string) response {
	return b.post("/checks/"+checkID+"/review", url.Values{"decision": {decision}, "reason": {reason}, "note": {note}})
}

// TestReviewDecisions: approve, reject with a reason, request resubmission; each needs a note; a
// later decision supersedes and the history stays, newest first.
func TestReviewDecisions(t *testing.T) {
	tc := newTestConsole(t)
	ch := scenarioCheck(t, tc, customer("review@example.com", "Rita", "Review"), sandbox.ScenarioFaceMismatch)
	reviewer := tc.browser()
	reviewer.signInAs(auth.RoleReviewer)

	page := reportPage(t, tc, "/checks/"+ch.ID)
	if st := page.Find(`[data-testid="review-state"]`).AttrOr("data-state", ""); st != "unreviewed" {
		t.Fatalf("a new check's review state: %q", st)
	}
	if page.Find(`[data-testid="shortcut-legend"]`).Length() != 1 || page.Find(`[data-shortcut="a"]`).Length() != 1 ||
		page.Find(`[data-shortcut="n"]`).Length() != 1 {
		t.Error("the decision form has no shortcuts or no legend")
	}

	for _, tt := range []struct {
		name, decision, reason, note, field string
	}{
		{"no note", "approve", "", "   ", "note"},
		{"reject without a reason", "reject", "", "the selfie is someone else", "reason"},
		{"reject with an unknown reason", "reject", "vibes", "the selfie is someone else", "reason"},
		{"no decision", "", "", "hmm", "decision"},
	} {
		r := decide(reviewer, ch.ID, tt.decision, tt.reason, tt.note)
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: got %d, want 422", tt.name, r.StatusCode)
			continue
		}
		doc := r.doc(t)
		if doc.Find(`[data-testid="error-`+tt.field+`"]`).Length() != 1 {
			t.Errorf("%s: no message by %s", tt.name, tt.field)
		}
		if got := doc.Find(`[data-testid="review-note"]`).Text(); got != tt.note {
			t.Errorf("%s: the note typed is lost: %q", tt.name, got)
		}
	}

	if r := decide(reviewer, ch.ID, "approve", "", "looks fine at first"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d", r.StatusCode)
	}
	if r := decide(reviewer, ch.ID, "reject", "face_mismatch", "on a second look the selfie is someone else"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("reject: %d", r.StatusCode)
	}
	doc := reviewer.get("/checks/" + ch.ID).doc(t)
	if st := doc.Find(`[data-testid="review-state"]`).AttrOr("data-state", ""); st != "rejected" {
		t.Errorf("after approving then rejecting: state %q, want rejected", st)
	}
	var history []string
	doc.Find(`[data-testid="review-entry"]`).Each(func(_ int, s *goquery.Selection) {
		history = append(history, s.AttrOr("data-decision", ""))
	})
	if !slices.Equal(history, []string{"reject", "approve"}) {
		t.Errorf("history, newest first: %v", history)
	}
	entry := doc.Find(`[data-testid="review-entry"]`).First().Text()
	for _, want := range []string{"Selfie does not match the document", "on a second look", "reviewer@example.com"} {
		if !strings.Contains(entry, want) {
			t.Errorf("the rejection does not show %q", want)
		}
	}

	// The checks list and the customer page show the review beside Hive's decision.
	list := reviewer.get("/checks?q=" + ch.ID[:8]).doc(t)
	if st := list.Find(`[data-testid="review-state-tag"]`).AttrOr("data-state", ""); st != "rejected" {
		t.Errorf("checks list review state: %q", st)
	}
	s, _ := tc.api.GetSession(context.Background(), ch.SessionID)
	if st := reviewer.get("/customers/"+s.CustomerID).doc(t).Find(`[data-testid="review-state-tag"]`).AttrOr("data-state", ""); st != "rejected" {
		t.Errorf("customer page review state: %q", st)
	}
}

// TestReviewResubmission: requesting resubmission issues a new SDK session for the customer and
// shows its token once; the history links the session.
func TestReviewResubmission(t *testing.T) {
	tc := newTestConsole(t)
	ch := scenarioCheck(t, tc, customer("resubmit@example.com", "Remy", "Again"), sandbox.ScenarioPoorImageQuality)
	ctx := context.Background()
	s, _ := tc.api.GetSession(ctx, ch.SessionID)
	before, _ := tc.api.ListSessions(ctx)
	reviewer := tc.browser()
	reviewer.signInAs(auth.RoleReviewer)
	r := decide(reviewer, ch.ID, "resubmit", "document_fraud", "images too blurry to read")
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("resubmit: %d", r.StatusCode)
	}
	token := strings.TrimSpace(r.doc(t).Find(`[data-testid="session-token"]`).Text())
	if strings.Count(token, ".") != 2 {
		t.Fatalf("no session token on the page: %q", token)
	}
	after, _ := tc.api.ListSessions(ctx)
	if len(after.Data) != len(before.Data)+1 || after.Data[0].CustomerID != s.CustomerID {
		t.Fatalf("no new session for the customer")
	}
	doc := reviewer.get("/checks/" + ch.ID).doc(t)
	if st := doc.Find(`[data-testid="review-state"]`).AttrOr("data-state", ""); st != "resubmission" {
		t.Errorf("state %q, want resubmission", st)
	}
	if href := doc.Find(`[data-testid="review-entry"] a`).AttrOr("href", ""); href != "/sessions/"+after.Data[0].ID {
		t.Errorf("history links %q, want the new session", href)
	}
	if strings.Contains(doc.Text(), token) {
		t.Error("the token is shown again")
	}
}

// TestReviewQueue: completed checks Hive did not clear and nobody decided on, the one due first (by
// its result's service time from its completion) first; a decision takes a check out; "next" opens the
// next one; the overview shows the queue to reviewers.
func TestReviewQueue(t *testing.T) {
	tc := newTestConsoleWith(t, 30, func(c *handlers.Config, _ *auth.Config) { c.ServiceTimes = readmodel.DefaultServiceTimes })
	ctx := context.Background()
	reviewer := tc.browser()
	reviewer.signInAs(auth.RoleReviewer)
	queue := func() []string {
		var ids []string
		reviewer.get("/checks?queue=review&size=100").doc(t).Find(`[data-testid="check-row"]`).Each(func(_ int, s *goquery.Selection) {
			ids = append(ids, strings.TrimPrefix(s.AttrOr("id", ""), "check-"))
		})
		return ids
	}
	all, _ := tc.api.ListChecks(ctx)
	type item struct {
		id        string
		due, done time.Time
	}
	var want []item
	for _, ch := range all.Data {
		if ch.Status != hive.CheckComplete {
			continue
		}
		rep, err := tc.api.GetReport(ctx, ch.ID)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Result == hive.StatusClear {
			continue // what Hive cleared does not wait for a reviewer unless sampled
		}
		due, _ := readmodel.DefaultServiceTimes.Due(string(rep.Result), ch.UpdatedAt)
		want = append(want, item{ch.ID, due, ch.UpdatedAt})
	}
	slices.SortStableFunc(want, func(a, b item) int { return cmp.Or(a.due.Compare(b.due), a.done.Compare(b.done)) })
	var wantIDs []string
	for _, w := range want {
		wantIDs = append(wantIDs, w.id)
	}
	got := queue()
	if len(got) < 5 || !slices.Equal(got, wantIDs) {
		t.Fatalf("queue order:\n got %v\nwant %v", got, wantIDs)
	}
	// Each row says why it waits: the sub-checks its report did not clear.
	reviewer.get("/checks?queue=review&size=100").doc(t).Find(`[data-testid="check-row"]`).Each(func(_ int, s *goquery.Selection) {
		if s.Find(`[data-testid="check-reason"]`).Length() == 0 {
			t.Errorf("queue row %s says no reason", s.AttrOr("id", ""))
		}
	})
	if r := decide(reviewer, got[0], "approve", "", "fine"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d", r.StatusCode)
	}
	if after := queue(); slices.Contains(after, got[0]) || len(after) != len(got)-1 {
		t.Errorf("a decided check stays in the queue")
	}
	// Next skips the check the reviewer leaves and claims the one after it; asked again, it offers
	// the check they hold.
	if loc := reviewer.post("/reviews/next?after="+got[1], nil).Header.Get("Location"); loc != "/checks/"+got[2] {
		t.Errorf("next after %s: %s, want %s", got[1][:8], loc, got[2][:8])
	}
	if loc := reviewer.post("/reviews/next", nil).Header.Get("Location"); loc != "/checks/"+got[2] {
		t.Errorf("next: %s, want the check the reviewer holds, %s", loc, got[2][:8])
	}
	home := reviewer.get("/").doc(t)
	if n := strings.TrimSpace(home.Find(`[data-testid="queue-total"]`).Text()); n != strconv.Itoa(len(got)-1) {
		t.Errorf("overview queue total %q, want %d", n, len(got)-1)
	}
	support := tc.browser()
	support.signInAs(auth.RoleSupport)
	if support.get("/").doc(t).Find(`[data-testid="overview-queue"]`).Length() != 0 {
		t.Error("support, who does not decide, sees the queue on the overview")
	}
	if r := decide(support, got[1], "approve", "", "I think it's fine"); r.StatusCode != http.StatusForbidden {
		t.Errorf("support decides: %d", r.StatusCode)
	}
	if support.get("/checks/"+got[1]).doc(t).Find(`[data-testid="review-form"]`).Length() != 0 {
		t.Error("support is offered the decision form")
	}
}

// TestQueueReasonChips: the queue offers its reasons as filters, most common first, each with how
// many checks it holds; following one lists only those checks, each of which says that reason; a
// made-up reason in the address is ignored.
func TestQueueReasonChips(t *testing.T) {
	tc := newTestConsoleWith(t, 30)
	reviewer := tc.browser()
	reviewer.signInAs(auth.RoleReviewer)
	doc := reviewer.get("/checks?queue=review&size=100").doc(t)
	total := doc.Find(`[data-testid="check-row"]`).Length()
	chips := doc.Find(`[data-testid="reason-chip"]`)
	if total == 0 || chips.Length() < 2 {
		t.Fatalf("%d queue rows, %d chips", total, chips.Length())
	}
	if chips.First().AttrOr("aria-current", "") != "true" || chips.First().AttrOr("data-reason", "x") != "" {
		t.Error("the first chip is not the current 'any reason'")
	}
	last := 1 << 30
	chips.Slice(1, chips.Length()).Each(func(_ int, chip *goquery.Selection) {
		n, err := strconv.Atoi(strings.TrimSpace(chip.Find(".reason-chip__count").Text()))
		if err != nil || n > last || n < 1 {
			t.Errorf("chip %q: count %d after %d (%v)", chip.Text(), n, last, err)
		}
		last = n
		label := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(chip.Text()), strconv.Itoa(n)))
		filtered := reviewer.get(chip.AttrOr("href", "") + "&size=100").doc(t)
		if v := filtered.Find(`[data-testid="check-search"] input[name="reason"]`).AttrOr("value", ""); v != chip.AttrOr("data-reason", "") {
			t.Errorf("chip %q: the search form carries reason %q (without JavaScript it would drop the filter)", label, v)
		}
		rows := filtered.Find(`[data-testid="check-row"]`)
		if rows.Length() != n {
			t.Errorf("chip %q says %d, lists %d", label, n, rows.Length())
		}
		rows.Each(func(_ int, row *goquery.Selection) {
			if !strings.Contains(row.Find(`[data-testid="check-reasons"]`).Text(), label) {
				t.Errorf("chip %q lists %s, whose reasons are %q", label, row.AttrOr("id", ""), row.Find(`[data-testid="check-reasons"]`).Text())
			}
		})
	})
	if n := reviewer.get("/checks?queue=review&size=100&reason=" + url.QueryEscape("<b>x</b>")).doc(t).Find(`[data-testid="check-row"]`).Length(); n != total {
		t.Errorf("a made-up reason: %d rows, want the whole queue (%d)", n, total)
	}
}
