package handlers_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/hive"
)

// newSession makes a customer and an SDK session, completed when complete is true.
func newSession(t *testing.T, tc *testConsole, email string, complete bool) string {
	t.Helper()
	ctx := context.Background()
	c, err := tc.api.CreateCustomer(ctx, hive.CustomerParams{Email: hive.String(email)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tc.api.CreateSession(ctx, hive.SessionParams{CustomerID: c.ID}); err != nil {
		t.Fatal(err)
	}
	all, _ := tc.api.ListSessions(ctx)
	id := all.Data[0].ID
	if complete {
		if _, err := tc.sb.CompleteSession(ctx, id, "clear"); err != nil {
			t.Fatal(err)
		}
	}
	tc.sync() // made behind the console's back: the next pass would copy it
	return id
}

func TestRunAndDeleteCheck(t *testing.T) {
	tc := newTestConsole(t)
	ctx := context.Background()
	reviewer := tc.browser()
	reviewer.signInAs(auth.RoleReviewer)

	open := newSession(t, tc, "open@example.com", false)
	r := reviewer.post("/checks", url.Values{"session_id": {open}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/sessions/"+open {
		t.Fatalf("check on an open session: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	if flash := reviewer.get("/sessions/" + open).doc(t).Find(`[data-testid="flash"]`).Text(); !strings.Contains(flash, "not finished") {
		t.Errorf("flash %q", flash)
	}

	done := newSession(t, tc, "done@example.com", true)
	page := reviewer.get("/sessions/" + done)
	if page.doc(t).Find(`[data-testid="run-check"]`).Length() != 1 {
		t.Fatal("a completed session without a check offers no Run check")
	}
	r = reviewer.post("/checks", url.Values{"session_id": {done}})
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/checks/") {
		t.Fatalf("run check: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	checkID := strings.TrimPrefix(r.Header.Get("Location"), "/checks/")
	if report := reviewer.get("/checks/" + checkID); report.StatusCode != 200 {
		t.Fatalf("report page: %d", report.StatusCode)
	}
	if reviewer.get("/checks/"+checkID).doc(t).Find(`button[data-testid="delete-check"]`).Length() != 0 {
		t.Error("a reviewer is offered Delete check")
	}

	admin := tc.browser()
	admin.signInAs(auth.RoleAdmin)
	if admin.get("/checks/"+checkID).doc(t).Find(`button[data-testid="delete-check"]`).Length() != 1 {
		t.Error("an admin is not offered Delete check")
	}
	r = admin.post("/checks/"+checkID+"/delete", nil)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/sessions/"+done {
		t.Fatalf("delete: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	if _, err := tc.api.GetCheck(ctx, checkID); !errors.Is(err, hive.ErrNotFound) {
		t.Errorf("the check is still at Hive: %v", err)
	}
}

func TestRunCheckFromCustomerPage(t *testing.T) {
	tc := newTestConsole(t)
	sessionID := newSession(t, tc, "runner@example.com", true)
	all, _ := tc.api.ListCustomers(context.Background())
	customerID := all.Data[0].ID // newest first
	reviewer := tc.browser()
	reviewer.signInAs(auth.RoleReviewer)
	page := reviewer.get("/customers/" + customerID).doc(t)
	form := page.Find(`[data-testid="customer-run-check"]`).Closest("form")
	if form.Find(`input[name="session_id"]`).AttrOr("value", "") != sessionID {
		t.Fatal("the customer page offers no Run check for the completed session")
	}
	r := reviewer.post("/checks", url.Values{"session_id": {sessionID}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("run: %d", r.StatusCode)
	}
	after := reviewer.get("/customers/" + customerID).doc(t)
	if after.Find(`[data-testid="customer-run-check"]`).Length() != 0 {
		t.Error("a session with a check still offers Run check")
	}
	support := tc.browser()
	support.signInAs(auth.RoleSupport)
	if support.get("/customers/"+customerID).doc(t).Find(`[data-testid="customer-run-check"]`).Length() != 0 {
		t.Error("support cannot create checks, yet is offered the button")
	}
}

func TestChecksList(t *testing.T) {
	tc := newTestConsoleWith(t, 40)
	ctx := context.Background()
	all, _ := tc.api.ListChecks(ctx)
	b := tc.browser()
	b.signInAs(auth.RoleAuditor)
	count := func(r response) int { return r.doc(t).Find(`[data-testid="check-row"]`).Length() }
	page := b.get("/checks")
	if page.StatusCode != 200 || count(page) != min(25, len(all.Data)) {
		t.Fatalf("list: %d, %d rows of %d", page.StatusCode, count(page), len(all.Data))
	}
	// Newest first: the first row was created when Hive's newest was (checks created in the same
	// second may come in either order).
	first := strings.TrimPrefix(page.doc(t).Find(`[data-testid="check-row"] a.mono`).First().AttrOr("href", ""), "/checks/")
	if i := slices.IndexFunc(all.Data, func(c hive.Check) bool { return c.ID == first }); i < 0 || !all.Data[i].CreatedAt.Equal(all.Data[0].CreatedAt) {
		t.Errorf("newest first: got %s", first)
	}
	processing := 0
	for _, ch := range all.Data {
		if ch.Status == hive.CheckProcessing {
			processing++
		}
	}
	if n := count(b.get("/checks?status=processing")); n != processing {
		t.Errorf("processing filter: %d, want %d", n, processing)
	}
	b.get("/checks?result=consider").doc(t).Find(`[data-testid="status-badge"]`).Each(func(_ int, s *goquery.Selection) {
		if s.AttrOr("data-status", "") != "consider" {
			t.Errorf("a %s badge under the consider filter", s.AttrOr("data-status", ""))
		}
	})
	if n := count(b.get("/checks?q=" + all.Data[0].ID[:8])); n != 1 {
		t.Errorf("search by check id: %d rows", n)
	}
	if n := count(b.get("/checks?q=zzzz-nobody")); n != 0 {
		t.Errorf("no match: %d rows", n)
	}
	oldest := b.get("/checks?dir=asc").doc(t).Find(`[data-testid="check-row"] a.mono`).First().AttrOr("href", "")
	if oldest != "/checks/"+all.Data[len(all.Data)-1].ID {
		t.Errorf("oldest first: got %s", oldest)
	}
}
