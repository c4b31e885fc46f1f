package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/hive/sandbox"
)

// TestNotes: staff who work cases write notes on checks and customers, shown newest first with author,
// role and time, as text; a bad note comes back with what was typed; "@" and a colleague's email puts
// it in their inbox, counted in the navigation and marked read on opening; auditors only read.
func TestNotes(t *testing.T) {
	tc := newTestConsole(t)
	ch := scenarioCheck(t, tc, customer("noted@example.com", "Nora", "Noted"), sandbox.ScenarioFaceMismatch)
	support, reviewer, auditor := tc.browser(), tc.browser(), tc.browser()
	support.signInAs(auth.RoleSupport)
	reviewer.signInAs(auth.RoleReviewer)
	auditor.signInAs(auth.RoleAuditor)

	note := func(b *browser, path, body string) response {
		return b.post(path+"/notes", url.Values{"body": {body}})
	}
	if r := note(support, "/checks/"+ch.ID, "called the customer, asked for a new photo <b>now</b>"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("support's note: %d", r.StatusCode)
	}
	if r := note(reviewer, "/checks/"+ch.ID, "@support@example.com thanks; @reviewer@example.com for me"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("reviewer's note: %d", r.StatusCode)
	}
	page := auditor.get("/checks/" + ch.ID)
	items := page.doc(t).Find(`[data-testid="note"]`)
	if items.Length() != 2 || !strings.Contains(items.First().Text(), "reviewer@example.com") || !strings.Contains(items.First().Text(), "reviewer") {
		t.Fatalf("notes on the check: %d, first %q", items.Length(), items.First().Text())
	}
	if strings.Contains(page.Body, "<b>now</b>") || !strings.Contains(items.Last().Find(".note__body").Text(), "<b>now</b>") {
		t.Error("a note's text is not shown as text")
	}
	if page.doc(t).Find(`[data-testid="note-form"]`).Length() != 0 {
		t.Error("an auditor is offered the note form")
	}
	if r := note(auditor, "/checks/"+ch.ID, "auditors only read"); r.StatusCode != http.StatusForbidden {
		t.Errorf("an auditor's note: %d, want 403", r.StatusCode)
	}

	// Refusals keep what was typed.
	long := strings.Repeat("x", 2001)
	r := note(support, "/checks/"+ch.ID, long)
	if r.StatusCode != http.StatusUnprocessableEntity || r.doc(t).Find(`[data-testid="note-body"]`).Text() != long ||
		!strings.Contains(r.doc(t).Find(`[data-testid="error-body"]`).Text(), "2000") {
		t.Errorf("a note too long: %d", r.StatusCode)
	}
	r = note(support, "/checks/"+ch.ID, "ask @nobody@example.com")
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.doc(t).Find(`[data-testid="error-body"]`).Text(), "nobody@example.com") {
		t.Errorf("a mention of nobody: %d", r.StatusCode)
	}

	// On a customer too.
	cust := ch.SessionID
	sess, err := tc.api.GetSession(t.Context(), cust)
	if err != nil {
		t.Fatal(err)
	}
	if r := note(support, "/customers/"+sess.CustomerID, "prefers email"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("a customer note: %d", r.StatusCode)
	}
	if n := reviewer.get("/customers/" + sess.CustomerID).doc(t).Find(`[data-testid="note"]`).Length(); n != 1 {
		t.Errorf("notes on the customer: %d", n)
	}
	r = note(support, "/customers/"+sess.CustomerID, "  ")
	if r.StatusCode != http.StatusUnprocessableEntity || r.doc(t).Find(`[data-testid="error-body"]`).Length() != 1 {
		t.Errorf("an empty customer note: %d", r.StatusCode)
	}

	// The inbox: the mention is counted, listed, then read.
	if n := strings.TrimSpace(support.get("/").doc(t).Find(`[data-testid="nav-count"]`).Text()); !strings.HasPrefix(n, "1") {
		t.Errorf("support's inbox count %q, want 1", n)
	}
	if reviewer.get("/").doc(t).Find(`[data-testid="nav-count"]`).Length() != 0 {
		t.Error("the author's own mention counts in their inbox")
	}
	inbox := support.get("/inbox").doc(t).Find(`[data-testid="inbox-item"]`)
	if inbox.Length() != 1 || inbox.AttrOr("data-unread", "") != "true" || inbox.Find("a").AttrOr("href", "") != "/checks/"+ch.ID+"#notes" {
		t.Errorf("support's inbox: %d items, %q", inbox.Length(), inbox.Text())
	}
	if support.get("/").doc(t).Find(`[data-testid="nav-count"]`).Length() != 0 {
		t.Error("the inbox count stays after opening it")
	}
	if support.get("/inbox").doc(t).Find(`[data-testid="inbox-item"]`).AttrOr("data-unread", "") != "false" {
		t.Error("an opened mention is still unread")
	}
	var adds int
	for _, e := range trail(t, tc) {
		if e.Action == "note.add" && e.Outcome == "success" {
			adds++
			for _, v := range e.Details {
				if s, ok := v.(string); ok && strings.Contains(s, "customer") {
					t.Errorf("the trail holds a note's text: %v", e.Details)
				}
			}
		}
	}
	if adds != 3 {
		t.Errorf("%d note.add rows, want 3", adds)
	}
}
