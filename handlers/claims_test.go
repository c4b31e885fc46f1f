package handlers_test

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/readmodel"
)

// queueHead is the first n checks of the review queue, in its order.
func queueHead(t *testing.T, tc *testConsole, n int) []string {
	t.Helper()
	res, err := tc.read.Checks(context.Background(), readmodel.CheckQuery{Queue: true, Limit: n})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range res.Rows {
		ids = append(ids, e.Check.ID)
	}
	if len(ids) < n {
		t.Fatalf("the queue holds %d checks, the test needs %d", len(ids), n)
	}
	return ids
}

// reviewerBrowser signs in a further reviewer, created for the test.
func reviewerBrowser(t *testing.T, tc *testConsole, email string) *browser {
	t.Helper()
	if _, err := tc.staff.CreateUser(context.Background(), auth.NewUser{Email: email, Name: "Reviewer " + email[:3],
		Role: auth.RoleReviewer, Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	b := tc.browser()
	if r := b.signIn(email, testPassword); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in %s: %d", email, r.StatusCode)
	}
	return b
}

// claimOnPage is who the check's page says holds it, and whether it says that is the viewer.
func claimOnPage(t *testing.T, b *browser, checkID string) (holder, mine string) {
	t.Helper()
	s := b.get("/checks/" + checkID).doc(t).Find(`#review [data-testid="claim"]`)
	if s.Length() != 1 {
		t.Fatalf("check %s: %d claim panels, want one", checkID[:8], s.Length())
	}
	return s.AttrOr("data-holder", "?"), s.AttrOr("data-mine", "?")
}

// queueRows maps each row of a queue page to the holder it shows.
func queueRows(t *testing.T, b *browser, query string) map[string]string {
	t.Helper()
	out := map[string]string{}
	b.get("/checks?queue=review&size=100" + query).doc(t).Find(`[data-testid="check-row"]`).Each(func(_ int, s *goquery.Selection) {
		out[strings.TrimPrefix(s.AttrOr("id", ""), "check-")] = s.Find(`[data-testid="claim"]`).AttrOr("data-holder", "?")
	})
	return out
}

func audited(t *testing.T, tc *testConsole, action, checkID string) int {
	t.Helper()
	n := 0
	for _, e := range trail(t, tc) {
		if e.Action == action && e.TargetID == checkID && e.Outcome == "success" {
			n++
		}
	}
	return n
}

// TestClaims: a reviewer claims a check and others see it held; a colleague can neither claim it nor
// decide on it (409, naming the holder, storing nothing, keeping what they typed); only the holder or
// an admin releases it; the queue shows holders and filters by them; claims lapse without activity.
func TestClaims(t *testing.T) {
	tc := newTestConsoleWith(t, 30)
	ana := tc.browser()
	ana.signInAs(auth.RoleReviewer) // reviewer@example.com
	ben := reviewerBrowser(t, tc, "ben@example.com")
	head := queueHead(t, tc, 3)
	x := head[0]

	if h, mine := claimOnPage(t, ana, x); h != "" || mine != "false" {
		t.Fatalf("before any claim: holder %q mine %s", h, mine)
	}
	if r := ana.post("/checks/"+x+"/claim", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("claim: %d", r.StatusCode)
	}
	if h, mine := claimOnPage(t, ana, x); h != "reviewer@example.com" || mine != "true" {
		t.Errorf("the holder's page: holder %q mine %s", h, mine)
	}
	if h, mine := claimOnPage(t, ben, x); h != "reviewer@example.com" || mine != "false" {
		t.Errorf("a colleague's page: holder %q mine %s", h, mine)
	}
	r := ben.post("/checks/"+x+"/claim", nil)
	if r.StatusCode != http.StatusConflict || !strings.Contains(r.Body, "reviewer@example.com holds this check") {
		t.Errorf("a colleague's claim: %d, want 409 naming the holder", r.StatusCode)
	}
	r = decide(ben, x, "approve", "", "looks fine to me")
	if r.StatusCode != http.StatusConflict || !strings.Contains(r.doc(t).Find(`[data-testid="error-claim"]`).Text(), "reviewer@example.com") {
		t.Errorf("a colleague's decision: %d, want 409 naming the holder", r.StatusCode)
	}
	if note := r.doc(t).Find(`[data-testid="review-note"]`).Text(); note != "looks fine to me" {
		t.Errorf("the refused decision's note came back as %q", note)
	}
	if got, _ := tc.ledger.ForCheck(context.Background(), x); len(got) != 0 {
		t.Errorf("the refused decision stored %d reviews", len(got))
	}
	if r := ben.post("/checks/"+x+"/release", nil); r.StatusCode != http.StatusConflict {
		t.Errorf("a colleague's release: %d, want 409", r.StatusCode)
	}

	// The queue shows who holds what, and filters by it.
	if rows := queueRows(t, ben, ""); rows[x] != "reviewer@example.com" || rows[head[1]] != "" {
		t.Errorf("queue holders: %s → %q, %s → %q", x[:8], rows[x], head[1][:8], rows[head[1]])
	}
	if rows := queueRows(t, ana, "&assignee=me"); len(rows) != 1 || rows[x] == "" {
		t.Errorf("the holder's 'mine': %v, want only %s", rows, x[:8])
	}
	if rows := queueRows(t, ben, "&assignee=me"); len(rows) != 0 {
		t.Errorf("a colleague's 'mine': %v, want none", rows)
	}
	if rows := queueRows(t, ben, "&assignee=none"); len(rows) == 0 || rows[x] != "" || slices.ContainsFunc(slices.Collect(maps.Values(rows)), func(h string) bool { return h != "" }) {
		t.Errorf("'nobody holds': %v", rows)
	}
	if rows := queueRows(t, ben, "&assignee=reviewer%40example.com"); len(rows) != 1 || rows[x] == "" {
		t.Errorf("held by reviewer@example.com: %v", rows)
	}
	home := ana.get("/").doc(t)
	if n := strings.TrimSpace(home.Find(`[data-testid="my-queue-count"]`).Text()); n != "1" {
		t.Errorf("the overview's 'My queue' says %q, want 1", n)
	}
	if href := home.Find(`[data-testid="my-queue"]`).AttrOr("href", ""); href != "/checks?queue=review&assignee=me" {
		t.Errorf("'My queue' links to %q", href)
	}

	// The holder's decision ends the claim.
	if r := decide(ana, x, "approve", "", "fine"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("the holder's decision: %d", r.StatusCode)
	}
	if rows := queueRows(t, ana, "&assignee=me"); len(rows) != 0 {
		t.Errorf("after the decision, 'mine' holds %v", rows)
	}

	// A claim lapses after the claim time without activity; viewing the check keeps it.
	y := head[1]
	ana.post("/checks/"+y+"/claim", nil)
	tc.clock.Advance(20 * time.Minute)
	claimOnPage(t, ana, y) // activity
	tc.clock.Advance(20 * time.Minute)
	ben.signIn("ben@example.com", testPassword) // idle as long as the claim: signed out
	if h, _ := claimOnPage(t, ben, y); h != "reviewer@example.com" {
		t.Errorf("40 minutes after the claim, 20 after the holder's last look: holder %q", h)
	}
	tc.clock.Advance(11 * time.Minute)
	ben.get("/") // activity of the session only
	if h, _ := claimOnPage(t, ben, y); h != "" {
		t.Errorf("31 minutes without activity: holder %q, want the claim lapsed", h)
	}
	if r := ben.post("/checks/"+y+"/claim", nil); r.StatusCode != http.StatusSeeOther {
		t.Errorf("claim of a lapsed check: %d", r.StatusCode)
	}
	if r := ben.post("/checks/"+y+"/release", nil); r.StatusCode != http.StatusSeeOther {
		t.Errorf("the holder's release: %d", r.StatusCode)
	}
	if h, _ := claimOnPage(t, ben, y); h != "" {
		t.Errorf("after the release: holder %q", h)
	}
	for _, a := range []string{"review.claim", "review.release"} {
		if audited(t, tc, a, y) == 0 {
			t.Errorf("no %s row for %s", a, y[:8])
		}
	}
}

// TestAssignments: an admin gives checks to reviewers one at a time and several at once, takes them
// back, and cannot give one to someone who does not decide reviews; reviewers cannot assign.
func TestAssignments(t *testing.T) {
	tc := newTestConsoleWith(t, 30)
	admin, ana := tc.browser(), tc.browser()
	admin.signInAs(auth.RoleAdmin)
	ana.signInAs(auth.RoleReviewer)
	ben := reviewerBrowser(t, tc, "ben@example.com")
	head := queueHead(t, tc, 4)
	x := head[0]

	ana.post("/checks/"+x+"/claim", nil)
	if r := admin.post("/checks/"+x+"/assign", url.Values{"user": {"ben@example.com"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("assign: %d %s", r.StatusCode, r.Body)
	}
	if h, mine := claimOnPage(t, ben, x); h != "ben@example.com" || mine != "true" {
		t.Errorf("after the assignment: holder %q mine %s", h, mine)
	}
	if r := ana.post("/checks/"+x+"/claim", nil); r.StatusCode != http.StatusConflict {
		t.Errorf("claim of a check assigned to another: %d", r.StatusCode)
	}
	// An assignment does not lapse.
	tc.clock.Advance(2 * time.Hour)
	ben = tc.browser()
	ben.signIn("ben@example.com", testPassword)
	if h, _ := claimOnPage(t, ben, x); h != "ben@example.com" {
		t.Errorf("two hours later the assignment shows holder %q", h)
	}
	admin.signInAs(auth.RoleAdmin)
	ana.signInAs(auth.RoleReviewer)
	if r := admin.post("/checks/"+x+"/assign", url.Values{"user": {"support@example.com"}}); r.StatusCode != http.StatusConflict ||
		!strings.Contains(r.Body, "not an enabled staff member who decides reviews") {
		t.Errorf("assign to support: %d", r.StatusCode)
	}
	if r := ana.post("/checks/"+x+"/assign", url.Values{"user": {"reviewer@example.com"}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("a reviewer assigning: %d, want 403", r.StatusCode)
	}
	if r := admin.post("/checks/"+x+"/assign", url.Values{"user": {""}}); r.StatusCode != http.StatusSeeOther {
		t.Errorf("unassign: %d", r.StatusCode)
	}
	if h, _ := claimOnPage(t, ana, x); h != "" {
		t.Errorf("after unassigning: holder %q", h)
	}
	if audited(t, tc, "review.assign", x) != 1 || audited(t, tc, "review.release", x) != 1 {
		t.Error("the assignment and its end are not both in the trail")
	}

	// Several at once, from the queue's page.
	page := admin.get("/checks?queue=review").doc(t)
	if page.Find(`[data-testid="bulk-assign"]`).Length() != 1 || page.Find(`[data-testid="assign-pick"]`).Length() == 0 {
		t.Fatal("the admin's queue offers no bulk assignment")
	}
	if ana.get("/checks?queue=review").doc(t).Find(`[data-testid="bulk-assign"]`).Length() != 0 {
		t.Error("a reviewer is offered bulk assignment")
	}
	next := "/checks?queue=review&assignee=reviewer%40example.com"
	r := admin.post("/checks/assign", url.Values{"check": head[1:4], "user": {"reviewer@example.com"}, "next": {next}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != next {
		t.Fatalf("bulk assign: %d → %s", r.StatusCode, r.Header.Get("Location"))
	}
	if rows := queueRows(t, ana, "&assignee=me"); len(rows) != 3 || rows[head[1]] != "reviewer@example.com" {
		t.Errorf("after the bulk assignment the reviewer holds %v", rows)
	}
	// Next offers what the reviewer was given first.
	if loc := ana.post("/reviews/next", nil).Header.Get("Location"); !slices.Contains(head[1:4], strings.TrimPrefix(loc, "/checks/")) {
		t.Errorf("next: %s, want one of the assigned checks", loc)
	}
	admin.post("/checks/assign", url.Values{"check": head[1:4], "user": {""}})
	if rows := queueRows(t, ana, "&assignee=me"); len(rows) != 0 {
		t.Errorf("after taking them back the reviewer holds %v", rows)
	}
	for _, bad := range []string{"not a check", "0badc0de-0000-4000-8000-000000000000"} {
		if r := admin.post("/checks/assign", url.Values{"check": {bad}, "user": {"ben@example.com"}}); r.StatusCode != http.StatusBadRequest {
			t.Errorf("bulk assign of %q: %d", bad, r.StatusCode)
		}
	}
}

// TestNextRace: reviewers pressing Next at the same moment never get the same check.
func TestNextRace(t *testing.T) {
	tc := newTestConsoleWith(t, 40)
	const n = 6
	queueHead(t, tc, n)
	reviewers := make([]*browser, n)
	for i := range reviewers {
		reviewers[i] = reviewerBrowser(t, tc, fmt.Sprintf("r%d@example.com", i))
	}
	got := make([]string, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, b := range reviewers {
		wg.Go(func() {
			<-start
			req, _ := http.NewRequest(http.MethodPost, tc.URL+"/reviews/next", strings.NewReader(url.Values{"csrf_token": {b.csrf}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			resp, err := b.client.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			got[i] = resp.Header.Get("Location")
		})
	}
	close(start)
	wg.Wait()
	seen := map[string]bool{}
	for i, loc := range got {
		if !strings.HasPrefix(loc, "/checks/") || seen[loc] {
			t.Errorf("reviewer %d was sent to %q (all: %v)", i, loc, got)
		}
		seen[loc] = true
	}
}

// TestClaimActivity: writing a note on a held check keeps its claim from lapsing; leaving a check one
// claimed with Next gives it back, while leaving an assigned one keeps it.
func TestClaimActivity(t *testing.T) {
	tc := newTestConsoleWith(t, 30)
	ana := tc.browser()
	ana.signInAs(auth.RoleReviewer)
	admin := tc.browser()
	admin.signInAs(auth.RoleAdmin)
	head := queueHead(t, tc, 3)

	ana.post("/checks/"+head[0]+"/claim", nil)
	tc.clock.Advance(20 * time.Minute)
	ana.post("/checks/"+head[0]+"/notes", url.Values{"body": {"called the customer"}})
	tc.clock.Advance(20 * time.Minute)
	if c, ok, _ := tc.ledger.ClaimOf(t.Context(), head[0]); !ok || c.Email != "reviewer@example.com" {
		t.Errorf("40 minutes after the claim, 20 after a note, the claim is gone")
	}
	loc := ana.post("/reviews/next?after="+head[0], nil).Header.Get("Location")
	if _, ok, _ := tc.ledger.ClaimOf(t.Context(), head[0]); ok || loc == "/checks/"+head[0] {
		t.Errorf("Next from a claimed check: it is still held (%v), or offered again (%s)", ok, loc)
	}
	admin.signInAs(auth.RoleAdmin) // idle past the session timeout
	admin.post("/checks/"+head[2]+"/assign", url.Values{"user": {"reviewer@example.com"}})
	ana.post("/reviews/next?after="+head[2], nil)
	if c, ok, _ := tc.ledger.ClaimOf(t.Context(), head[2]); !ok || !c.Assigned() {
		t.Error("Next from an assigned check gave the assignment back")
	}
}
