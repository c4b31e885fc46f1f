package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/hive/sandbox"
)

// TestCustomerTimeline: the customer page puts the record's creation and edits, the SDK session, the
// check, the decision and the notes on the customer and on the check in one list, newest first, each
// linking to what it is about; an edit names the fields and who changed them, never the values; past
// fifty events the oldest are left out, and the page says so.
func TestCustomerTimeline(t *testing.T) {
	tc := newTestConsole(t)
	ch := scenarioCheck(t, tc, customer("timeline@example.com", "Tim", "Line"), sandbox.ScenarioFaceMismatch)
	s, err := tc.api.GetSession(context.Background(), ch.SessionID)
	if err != nil {
		t.Fatal(err)
	}
	cust := s.CustomerID
	// The console's clock a minute past the sandbox's, which stamps Hive's side in real time; each
	// step a second after the last.
	tc.clock.Advance(time.Since(tc.clock.Now()) + time.Minute)
	admin, reviewer, support := tc.browser(), tc.browser(), tc.browser()
	admin.signInAs(auth.RoleAdmin)
	reviewer.signInAs(auth.RoleReviewer)
	support.signInAs(auth.RoleSupport)
	if r := decide(reviewer, ch.ID, "reject", "face_mismatch", "the selfie is someone else"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("decision: %d", r.StatusCode)
	}
	tc.clock.Advance(time.Second)
	if r := support.post("/customers/"+cust+"/notes", url.Values{"body": {"called the customer"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("note on the customer: %d", r.StatusCode)
	}
	tc.clock.Advance(time.Second)
	if r := reviewer.post("/checks/"+ch.ID+"/notes", url.Values{"body": {"asked for a new selfie"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("note on the check: %d", r.StatusCode)
	}
	tc.clock.Advance(time.Second)
	form := editForm(t, admin, cust)
	form.Set("phone", "+442079460958")
	if r := admin.post("/customers/"+cust, form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", r.StatusCode, r.doc(t).Find(".field__error").Text())
	}

	type entry struct{ kind, title, href, detail, meta, at string }
	read := func(b *browser) ([]entry, *goquery.Selection) {
		t.Helper()
		card := b.get("/customers/" + cust).doc(t).Find(`[data-testid="customer-timeline"]`)
		var out []entry
		card.Find(`[data-testid="timeline-entry"]`).Each(func(_ int, s *goquery.Selection) {
			out = append(out, entry{kind: s.AttrOr("data-kind", ""), title: strings.Join(strings.Fields(s.Find(".timeline__title").Text()), " "),
				href: s.Find(".timeline__title a").AttrOr("href", ""), detail: s.Find(".timeline__detail").Text(),
				meta: s.Find(".timeline__meta").Text(), at: s.Find("time").AttrOr("datetime", "")})
		})
		return out, card
	}
	for _, b := range []*browser{support, reviewer} {
		got, card := read(b)
		find := func(kind, title string) entry {
			t.Helper()
			for _, e := range got {
				if e.kind == kind && strings.Contains(e.title, title) {
					return e
				}
			}
			t.Fatalf("no %s entry %q in %+v", kind, title, got)
			return entry{}
		}
		find("customer", "Customer created")
		if e := find("session", "SDK session issued"); e.href != "/sessions/"+ch.SessionID {
			t.Errorf("session entry links %q", e.href)
		}
		find("session", "completed the SDK flow")
		find("check", "started")
		if e := find("check", "completed"); e.href != "/checks/"+ch.ID || card.Find(`[data-kind="check"] [data-testid="status-badge"]`).Length() != 1 {
			t.Errorf("the completed check links %q and shows its result", e.href)
		}
		if e := find("review", "Decision on check"); !strings.Contains(e.title, "Rejected") || !strings.Contains(e.detail, "Selfie does not match") ||
			!strings.Contains(e.meta, "reviewer@example.com") || e.href != "/checks/"+ch.ID {
			t.Errorf("decision entry: %+v", e)
		}
		if e := find("note", "Note on check"); e.detail != "asked for a new selfie" || e.href != "/checks/"+ch.ID {
			t.Errorf("note on the check: %+v", e)
		}
		if e := find("note", "Note"); e.detail != "asked for a new selfie" { // the newer note
			t.Errorf("note: %+v", e)
		}
		var onCustomer int
		for _, e := range got {
			if e.kind == "note" && e.title == "Note" && e.detail == "called the customer" && e.href == "" {
				onCustomer++
			}
		}
		if onCustomer != 1 {
			t.Errorf("the note on the customer is listed %d times", onCustomer)
		}
		if e := find("edit", "Record edited"); e.detail != "Changed phone" || !strings.Contains(e.meta, "admin@example.com") {
			t.Errorf("edit entry: %+v", e)
		}
		if strings.Contains(card.Text(), "9460958") {
			t.Error("the timeline shows an edited value")
		}
		for i := 1; i < len(got); i++ {
			a, _ := time.Parse(time.RFC3339, got[i-1].at)
			b, _ := time.Parse(time.RFC3339, got[i].at)
			if a.Before(b) {
				t.Errorf("entry %d (%s %s) is older than the next (%s %s)", i-1, got[i-1].kind, got[i-1].at, got[i].kind, got[i].at)
			}
		}
		if got[0].kind != "edit" {
			t.Errorf("the newest entry is the %s, want the edit", got[0].kind)
		}
		if card.Find(`[data-testid="timeline-more"]`).Length() != 0 {
			t.Error("a short history says events are left out")
		}
	}
	for i := range 50 {
		tc.clock.Advance(time.Second)
		if r := support.post("/customers/"+cust+"/notes", url.Values{"body": {"follow-up " + string(rune('A'+i%26))}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("note %d: %d", i, r.StatusCode)
		}
	}
	got, card := read(support)
	if len(got) != 50 || got[0].kind != "note" || card.Find(`[data-testid="timeline-more"]`).Length() != 1 {
		t.Errorf("a long history: %d entries, newest %s, says more: %d", len(got), got[0].kind, card.Find(`[data-testid="timeline-more"]`).Length())
	}
	for _, e := range got {
		if e.kind == "customer" {
			t.Error("the oldest event is shown past fifty")
		}
	}
}
