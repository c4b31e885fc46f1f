package handlers_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

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
