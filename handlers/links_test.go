package handlers_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/hive/sandbox"
)

// TestIDsLinkToTheirPages: every id of a thing that has a page links to it — the overview's recent
// checks, a customer's checks and sessions, a session's check, a report's session.
func TestIDsLinkToTheirPages(t *testing.T) {
	tc := newTestConsole(t)
	ch := scenarioCheck(t, tc, customer("linked@example.com", "Lin", "Ked"), sandbox.ScenarioClear)
	sess, err := tc.api.GetSession(t.Context(), ch.SessionID)
	if err != nil {
		t.Fatal(err)
	}
	b := tc.browser()
	b.signInAs(auth.RoleAdmin)
	for _, tt := range []struct{ page, selector, href string }{
		{"/", `[data-testid="recent-checks"] [data-testid="id-chip"] a`, "/checks/" + ch.ID},
		{"/customers/" + sess.CustomerID, `[data-testid="customer-checks"] [data-testid="id-chip"] a`, "/checks/" + ch.ID},
		{"/customers/" + sess.CustomerID, `[data-testid="id-chip"] a[href="/sessions/` + sess.ID + `"]`, "/sessions/" + sess.ID},
		{"/sessions/" + sess.ID, `[data-testid="session-check"] a`, "/checks/" + ch.ID},
		{"/checks/" + ch.ID, `[data-testid="id-chip"] a[href^="/sessions/"]`, "/sessions/" + sess.ID},
	} {
		found := false
		b.get(tt.page).doc(t).Find(tt.selector).Each(func(_ int, s *goquery.Selection) {
			found = found || s.AttrOr("href", "") == tt.href
		})
		if !found {
			t.Errorf("%s: no %s linking to %s", tt.page, tt.selector, tt.href)
		}
	}
}

// TestDecisionsNamedApart: lists name Hive's decision and the console's review in columns of their
// own; the report page keeps "Delete check" away from the verdict, and says a processing check
// updates by itself.
func TestDecisionsNamedApart(t *testing.T) {
	tc := newTestConsole(t)
	b := tc.browser()
	b.signInAs(auth.RoleAdmin)
	for _, page := range []string{"/checks", "/"} {
		var heads []string
		b.get(page).doc(t).Find("table th").Each(func(_ int, s *goquery.Selection) { heads = append(heads, strings.TrimSpace(s.Text())) })
		if !slices.Contains(heads, "Hive") || !slices.Contains(heads, "Review") || slices.Contains(heads, "Decision") {
			t.Errorf("%s: headers %v", page, heads)
		}
	}
	ch := scenarioCheck(t, tc, customer("apart@example.com", "Ap", "Art"), sandbox.ScenarioClear)
	doc := b.get("/checks/" + ch.ID).doc(t)
	if doc.Find(`[data-testid="report-header"] [data-testid="delete-check"]`).Length() != 0 ||
		doc.Find(`[data-testid="check-danger"] button[data-testid="delete-check"]`).Length() != 1 {
		t.Error("Delete check is not set apart from the verdict")
	}
}

// TestOneDateFormat: a date of birth reads the same on a customer's page as on a report ("14 Mar
// 1988"), and ages are relative with the exact time on hover, however old.
func TestOneDateFormat(t *testing.T) {
	tc := newTestConsole(t)
	ch := scenarioCheck(t, tc, customer("dates@example.com", "Da", "Tes"), sandbox.ScenarioClear)
	sess, _ := tc.api.GetSession(t.Context(), ch.SessionID)
	admin := tc.browser()
	admin.signInAs(auth.RoleAdmin)
	page := admin.get("/customers/" + sess.CustomerID)
	if !strings.Contains(page.Body, "14 Mar 1988") || strings.Contains(page.Body, "14-03-1988") {
		t.Error("the customer page does not write the date of birth as reports do")
	}
	if !strings.Contains(admin.get("/checks/"+ch.ID).Body, "14 Mar 1988") {
		t.Error("the report does not write the date of birth as 14 Mar 1988")
	}
	page.doc(t).Find(`[data-testid="customer-checks"] td.nowrap`).Each(func(_ int, s *goquery.Selection) {
		if s.Find("time[title]").Length() != 1 {
			t.Errorf("an age without its exact time: %q", s.Text())
		}
	})
}

// TestUnknownAddressKeepsTheNavigation: a signed-in user who follows a dead link gets the 404 page
// with the navigation; a stranger gets it without.
func TestUnknownAddressKeepsTheNavigation(t *testing.T) {
	tc := newTestConsole(t)
	b := tc.browser()
	b.signInAs(auth.RoleSupport)
	r := b.get("/no/such/page")
	if r.StatusCode != http.StatusNotFound || r.doc(t).Find(`[data-testid="nav"]`).Length() != 1 {
		t.Errorf("signed in: %d, navigation %d", r.StatusCode, r.doc(t).Find(`[data-testid="nav"]`).Length())
	}
	r = tc.browser().get("/no/such/page")
	if r.StatusCode != http.StatusNotFound || r.doc(t).Find(`[data-testid="nav"]`).Length() != 0 {
		t.Errorf("a stranger: %d, navigation %d", r.StatusCode, r.doc(t).Find(`[data-testid="nav"]`).Length())
	}
}
