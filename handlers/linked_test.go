package handlers_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/handlers"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/hive/sandbox"
)

// customerOf is the customer a check's session belongs to.
func customerOf(t *testing.T, tc *testConsole, ch *hive.Check) string {
	t.Helper()
	s, err := tc.api.GetSession(context.Background(), ch.SessionID)
	if err != nil {
		t.Fatal(err)
	}
	return s.CustomerID
}

// TestLinkedPanel: the report page and the customer page show the other customers whose documents
// carry the same name and date of birth, with what they share, their checks and a link to them; not
// a namesake born another day. Emails are masked as the viewer's role masks them elsewhere. A linked
// customer a reviewer rejected is flagged, and the decision panel names the link as a reason.
func TestLinkedPanel(t *testing.T) {
	tc := newTestConsole(t)
	subject := scenarioCheck(t, tc, customer("lena.one@example.com", "Lena", "Linkmann"), sandbox.ScenarioClear)
	twin := scenarioCheck(t, tc, customer("lena.two@example.com", "Lena", "Linkmann"), sandbox.ScenarioClear)
	older := customer("lena.three@example.com", "Lena", "Linkmann")
	older.DOB = hive.String("01-01-1970")
	scenarioCheck(t, tc, older, sandbox.ScenarioClear)
	subjectCustomer, twinCustomer := customerOf(t, tc, subject), customerOf(t, tc, twin)

	reviewer := tc.browser()
	reviewer.signInAs(auth.RoleReviewer)
	if r := reviewer.get("/checks/" + subject.ID); r.StatusCode != http.StatusOK {
		t.Fatalf("report: %d", r.StatusCode)
	}
	panel := func(doc *goquery.Document) *goquery.Selection { return doc.Find(`[data-testid="linked"]`) }
	before := panel(reviewer.get("/checks/" + subject.ID).doc(t))
	if before.Find(`[data-testid="linked-rejected"]`).Length() != 0 {
		t.Error("flagged before anyone rejected the twin")
	}
	if r := decide(reviewer, twin.ID, "reject", "document_fraud", "the same person twice"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("reject: %d", r.StatusCode)
	}
	for _, role := range auth.AllRoles() {
		b := tc.browser()
		b.signInAs(role)
		for _, path := range []string{"/checks/" + subject.ID, "/customers/" + subjectCustomer} {
			doc := b.get(path).doc(t)
			rows := panel(doc).Find(`[data-testid="linked-customer"]`)
			if rows.Length() != 1 || rows.AttrOr("data-customer", "") != twinCustomer {
				t.Fatalf("%s as %s: linked %d customers, want the twin alone", path, role, rows.Length())
			}
			if rows.AttrOr("data-rejected", "") != "true" || rows.Find(`[data-testid="linked-rejected"]`).Length() != 1 {
				t.Errorf("%s as %s: the rejected twin is not flagged", path, role)
			}
			if k := rows.Find(`[data-testid="linked-share"]`).AttrOr("data-kind", ""); k != "name_dob" {
				t.Errorf("%s as %s: shares %q", path, role, k)
			}
			if rows.Find(`a[href="/checks/`+twin.ID+`"]`).Length() != 1 || rows.Find(`a[href="/customers/`+twinCustomer+`"]`).Length() != 1 {
				t.Errorf("%s as %s: no links to the twin and their check", path, role)
			}
			text := rows.Text()
			if clear := role.Can(auth.SeeRecordPII); strings.Contains(text, "lena.two@example.com") != clear {
				t.Errorf("%s as %s: the twin's email in clear: %v, want %v", path, role, !clear, clear)
			}
			if strings.Contains(path, "/checks/") {
				why := doc.Find(`[data-testid="why-item"]`).First()
				if !strings.Contains(why.Text(), "Linked to a rejected customer") || why.Find("a").AttrOr("href", "") != "#linked" {
					t.Errorf("as %s: the decision panel's first reason is %q", role, why.Text())
				}
			}
		}
	}
	// The twin's own page links back to the subject; a namesake with another birth date links nobody.
	twinDoc := reviewer.get("/customers/" + twinCustomer).doc(t)
	if panel(twinDoc).Find(`[data-testid="linked-customer"][data-customer="`+subjectCustomer+`"]`).Length() != 1 {
		t.Error("the twin's page does not link the subject")
	}
}

// TestLinkedCrowd: an identifier shared by more customers than HIVECONSOLE_LINKED_CROWD is a count.
func TestLinkedCrowd(t *testing.T) {
	tc := newTestConsole(t, func(c *handlers.Config, _ *auth.Config) { c.LinkedCrowd = 1 })
	subject := scenarioCheck(t, tc, customer("crowd.one@example.com", "Carl", "Crowd"), sandbox.ScenarioClear)
	scenarioCheck(t, tc, customer("crowd.two@example.com", "Carl", "Crowd"), sandbox.ScenarioClear)
	scenarioCheck(t, tc, customer("crowd.three@example.com", "Carl", "Crowd"), sandbox.ScenarioClear)
	b := tc.browser()
	b.signInAs(auth.RoleReviewer)
	card := b.get("/checks/" + subject.ID).doc(t).Find(`[data-testid="linked"]`)
	crowd := card.Find(`[data-testid="linked-crowd"][data-kind="name_dob"]`)
	if crowd.Length() != 1 || !strings.Contains(crowd.Text(), "shared with 2 other customers") {
		t.Errorf("crowd: %q", crowd.Text())
	}
	if card.Find(`[data-testid="linked-share"][data-kind="name_dob"]`).Length() != 0 {
		t.Error("the crowd's customers are listed")
	}
}

// TestLinkedQueue: the review queue shows how many customers a waiting check is linked to; once a
// reviewer rejects one of them, the check gives "Linked to a rejected customer" as its first reason
// and comes first in its service-time band, before a check due earlier.
func TestLinkedQueue(t *testing.T) {
	tc := newTestConsole(t)
	other := scenarioCheck(t, tc, customer("olga.other@example.com", "Olga", "Other"), sandbox.ScenarioFaceMismatch)
	subject := scenarioCheck(t, tc, customer("quinn.one@example.com", "Quinn", "Queue"), sandbox.ScenarioFaceMismatch)
	twin := scenarioCheck(t, tc, customer("quinn.two@example.com", "Quinn", "Queue"), sandbox.ScenarioFaceMismatch)
	reviewer := tc.browser()
	reviewer.signInAs(auth.RoleReviewer)
	row := func(doc *goquery.Document, id string) *goquery.Selection {
		return doc.Find(`[data-testid="check-row"]#check-` + id)
	}
	queue := reviewer.get("/checks?queue=review&size=100").doc(t)
	if n := row(queue, subject.ID).Find(`[data-testid="check-links"]`).AttrOr("data-links", ""); n != "1" {
		t.Errorf("the subject's row shows %q links, want 1", n)
	}
	if row(queue, other.ID).Find(`[data-testid="check-links"]`).Length() != 0 {
		t.Error("a check linked to nobody shows links")
	}
	if r := decide(reviewer, twin.ID, "reject", "document_fraud", "the same person twice"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("reject: %d", r.StatusCode)
	}
	queue = reviewer.get("/checks?queue=review&size=100").doc(t)
	if first := row(queue, subject.ID).Find(`[data-testid="check-reason"]`).First().Text(); first != "Linked to a rejected customer" {
		t.Errorf("the subject's first reason is %q", first)
	}
	var order []string
	queue.Find(`[data-testid="check-row"]`).Each(func(_ int, s *goquery.Selection) {
		if id := strings.TrimPrefix(s.AttrOr("id", ""), "check-"); id == subject.ID || id == other.ID {
			order = append(order, id)
		}
	})
	if len(order) != 2 || order[0] != subject.ID {
		t.Errorf("the queue lists %v, want the subject (linked to a rejected customer) before the check due earlier", order)
	}
}
