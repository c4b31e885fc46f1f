package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hiveconsole/hiveconsole/audit"
	"github.com/hiveconsole/hiveconsole/auth"
)

// TestLegalHold: an admin places a hold on a customer with a reason (a missing one is named, and
// what was typed is kept); the page says so to everyone; while it holds, neither the customer nor
// their checks can be deleted; a release takes a reason too; both are in the trail; only admins
// may do either.
func TestLegalHold(t *testing.T) {
	tc := newTestConsole(t)
	ctx := context.Background()
	ch, customerID := completedCheckWithFiles(t, tc.api)
	page := "/customers/" + customerID
	admin := tc.browser()
	admin.signInAs(auth.RoleAdmin)
	if admin.get(page).doc(t).Find(`[data-testid="place-hold"]`).Length() != 1 {
		t.Fatal("the admin's customer page has no form to place a hold")
	}
	short := admin.post(page+"/hold", url.Values{"reason": {" x "}})
	if short.StatusCode != http.StatusUnprocessableEntity || short.doc(t).Find(`#place-hold-button-reason`).AttrOr("value", "") != "x" ||
		!strings.Contains(short.doc(t).Find(`[data-testid="error-place-hold-button-reason"]`).Text(), "at least 3") {
		t.Errorf("a one-letter reason: %d %q", short.StatusCode, short.doc(t).Find(`[data-testid="error-place-hold-button-reason"]`).Text())
	}
	if r := admin.post(page+"/hold", url.Values{"reason": {"Subpoena 2026-114"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("placing a hold: %d", r.StatusCode)
	}
	if r := admin.post(page+"/hold", url.Values{"reason": {"Another matter"}}); r.StatusCode != http.StatusConflict {
		t.Errorf("a second hold: %d, want 409", r.StatusCode)
	}

	rev := tc.browser()
	rev.signInAs(auth.RoleReviewer)
	doc := rev.get(page).doc(t)
	if got := doc.Find(`[data-testid="legal-hold"]`).Text(); !strings.Contains(got, "Subpoena 2026-114") || !strings.Contains(got, "admin@example.com") {
		t.Errorf("a reviewer sees %q", got)
	}
	if doc.Find(`[data-testid="release-hold"]`).Length() != 0 {
		t.Error("a reviewer is offered the release")
	}
	if admin.get(page).doc(t).Find(`[data-testid="delete-customer"]`).Length() != 0 {
		t.Error("the admin is offered Delete on a held customer")
	}
	if st := rev.post(page+"/release", url.Values{"reason": {"Because"}}).StatusCode; st != http.StatusForbidden {
		t.Errorf("a reviewer releasing: %d", st)
	}

	// Held: nothing can be deleted.
	for _, path := range []string{page + "/delete"} {
		if st := admin.get(path).StatusCode; st != http.StatusConflict {
			t.Errorf("GET %s while held: %d, want 409", path, st)
		}
	}
	cust, err := tc.api.GetCustomer(ctx, customerID)
	if err != nil {
		t.Fatal(err)
	}
	if r := admin.post(page+"/delete", url.Values{"confirm_email": {cust.Email}}); r.StatusCode != http.StatusConflict || !strings.Contains(r.Body, "legal hold") {
		t.Errorf("deleting a held customer: %d", r.StatusCode)
	}
	if r := admin.post("/checks/"+ch.ID+"/delete", nil); r.StatusCode != http.StatusConflict {
		t.Errorf("deleting a held customer's check: %d", r.StatusCode)
	}
	if _, err := tc.api.GetCustomer(ctx, customerID); err != nil {
		t.Errorf("the held customer is gone: %v", err)
	}

	if r := admin.post(page+"/release", url.Values{"reason": {"Matter closed"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("releasing: %d", r.StatusCode)
	}
	if released := admin.get(page).doc(t); released.Find(`[data-testid="legal-hold"]`).Length() != 0 || released.Find(`[data-testid="delete-customer"]`).Length() != 1 {
		t.Error("after the release the page still shows the hold, or no Delete")
	}
	if r := admin.post(page+"/release", url.Values{"reason": {"Matter closed"}}); r.StatusCode != http.StatusConflict {
		t.Errorf("a second release: %d, want 409", r.StatusCode)
	}
	for action, reason := range map[string]string{"customer.hold": "Subpoena 2026-114", "customer.release": "Matter closed"} {
		events, _, err := tc.trail.Events(ctx, audit.Query{Action: action, Outcome: "success", TargetID: customerID})
		if err != nil || len(events) != 1 || events[0].Details["reason"] != reason {
			t.Errorf("%s in the trail: %+v %v", action, events, err)
		}
	}
}
