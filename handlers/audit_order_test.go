package handlers_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hiveconsole/hiveconsole/audit"
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/handlers"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/hive/sandbox"
	"github.com/hiveconsole/hiveconsole/review"
)

// guardedHive is the sandbox seen through a Hive that counts the changes asked of it and, while
// refuse is set, refuses them as Hive would refuse a request.
type guardedHive struct {
	handlers.Hive
	changes atomic.Int64
	refuse  atomic.Bool
}

var errHiveRefused = &hive.Error{Code: hive.CodeUnavailable, StatusCode: http.StatusServiceUnavailable, Message: "unavailable"}

func (g *guardedHive) ask() error {
	g.changes.Add(1)
	if g.refuse.Load() {
		return errHiveRefused
	}
	return nil
}

func (g *guardedHive) CreateCustomer(ctx context.Context, p hive.CustomerParams) (*hive.Customer, error) {
	if err := g.ask(); err != nil {
		return nil, err
	}
	return g.Hive.CreateCustomer(ctx, p)
}

func (g *guardedHive) UpdateCustomer(ctx context.Context, id string, p hive.CustomerParams) (*hive.Customer, error) {
	if err := g.ask(); err != nil {
		return nil, err
	}
	return g.Hive.UpdateCustomer(ctx, id, p)
}

func (g *guardedHive) CreateSession(ctx context.Context, p hive.SessionParams) (*hive.SessionToken, error) {
	if err := g.ask(); err != nil {
		return nil, err
	}
	return g.Hive.CreateSession(ctx, p)
}

func (g *guardedHive) CreateCheck(ctx context.Context, sessionID string) (*hive.Check, error) {
	if err := g.ask(); err != nil {
		return nil, err
	}
	return g.Hive.CreateCheck(ctx, sessionID)
}

func (g *guardedHive) DeleteCheck(ctx context.Context, id string) error {
	if err := g.ask(); err != nil {
		return err
	}
	return g.Hive.DeleteCheck(ctx, id)
}

// pickyTrail is the real trail but refuses the rows refuse picks, as a trail that fails mid-request
// would.
type pickyTrail struct {
	handlers.Auditor
	refuse atomic.Value // func(audit.Event) bool, or nil
}

func (p *pickyTrail) wrap(real handlers.Auditor) { p.Auditor = real }

func (p *pickyTrail) Record(ctx context.Context, e audit.Event) error {
	if f, _ := p.refuse.Load().(func(audit.Event) bool); f != nil && f(e) {
		return errors.New("disk full")
	}
	return p.Auditor.Record(ctx, e)
}

// failingLedger is the real ledger, unable to store a decision while broken is set.
type failingLedger struct {
	handlers.Reviews
	broken atomic.Bool
}

func (f *failingLedger) wrap(real handlers.Reviews) { f.Reviews = real }

func (f *failingLedger) Record(ctx context.Context, r review.Review, reasons []review.RejectReason) (review.Review, error) {
	if f.broken.Load() {
		return review.Review{}, errors.New("database is locked")
	}
	return f.Reviews.Record(ctx, r, reasons)
}

// TestChangesAreAuditedAroundTheirEffect: every change asked of Hive writes an "attempted" row
// before asking and its outcome after, so the trail tells the truth whatever fails. A trail that
// cannot take the attempt stops the change before Hive hears of it, and the page says nothing was
// done; Hive refusing gives a failure row with Hive's error code; a trail that fails only after Hive
// made the change leaves the attempt and lets the page say what was done.
func TestChangesAreAuditedAroundTheirEffect(t *testing.T) {
	gh, picky := &guardedHive{}, &pickyTrail{}
	tc := newTestConsole(t, func(c *handlers.Config, _ *auth.Config) { gh.Hive = c.Hive; c.Hive = gh; c.Audit = picky })
	ctx := context.Background()
	admin := tc.browser()
	admin.signInAs(auth.RoleAdmin)
	f := newPIIFixture(t, tc)
	waiting := func() string { // a session the customer completed, ready for a check
		t.Helper()
		if _, err := tc.api.CreateSession(ctx, hive.SessionParams{CustomerID: f.customerID}); err != nil {
			t.Fatal(err)
		}
		all, _ := tc.api.ListSessions(ctx)
		id := firstCreated(all.Data, f.customerID)
		if _, err := tc.sb.CompleteSession(ctx, id, sandbox.ScenarioClear); err != nil {
			t.Fatal(err)
		}
		return id
	}
	changes := []struct {
		name, action string
		do           func() response
		done         int // the status of a change made
	}{
		{"customer create", "customer.create", func() response {
			return admin.post("/customers", url.Values{"email": {"order@example.com"}, "first_name": {"Ora"}, "last_name": {"Der"}})
		}, http.StatusSeeOther},
		{"customer update", "customer.update", func() response {
			form := editForm(t, admin, f.customerID)
			form.Set("middle_name", "M"+strings.Repeat("x", int(gh.changes.Load()%5)))
			return admin.post("/customers/"+f.customerID, form)
		}, http.StatusSeeOther},
		{"session issue", "session.issue", func() response { return admin.post("/customers/"+f.customerID+"/sessions", nil) }, http.StatusCreated},
		{"check create", "check.create", func() response { return admin.post("/checks", url.Values{"session_id": {waiting()}}) }, http.StatusSeeOther},
		{"check delete", "check.delete", func() response {
			ch := scenarioCheck(t, tc, customer("del"+strings.Repeat("x", int(gh.changes.Load()))+"@example.com", "Del", "Ete"), sandbox.ScenarioClear)
			return admin.post("/checks/"+ch.ID+"/delete", nil)
		}, http.StatusSeeOther},
	}
	for _, ch := range changes {
		t.Run(ch.name, func(t *testing.T) {
			rowsSince := func(n int) []audit.Entry {
				var out []audit.Entry
				for _, r := range trail(t, tc)[n:] {
					if r.Action == ch.action {
						out = append(out, r)
					}
				}
				return out
			}

			// The trail refuses the attempt: Hive is not asked, nothing is recorded.
			picky.refuse.Store(func(e audit.Event) bool { return e.Action == ch.action })
			before, asked := len(trail(t, tc)), gh.changes.Load()
			r := ch.do()
			if r.StatusCode != http.StatusServiceUnavailable || !strings.Contains(r.Body, "was not done") {
				t.Errorf("attempt refused: got %d, want 503 saying it was not done", r.StatusCode)
			}
			if n := gh.changes.Load() - asked; n != 0 {
				t.Errorf("attempt refused: Hive was asked %d times, want 0", n)
			}
			if rows := rowsSince(before); len(rows) != 0 {
				t.Errorf("attempt refused: %d rows, want none", len(rows))
			}

			// Hive refuses: the attempt, then a failure with Hive's code.
			picky.refuse.Store(func(audit.Event) bool { return false })
			gh.refuse.Store(true)
			before = len(trail(t, tc))
			ch.do()
			gh.refuse.Store(false)
			rows := rowsSince(before)
			if len(rows) != 2 || rows[0].Outcome != audit.OutcomeAttempted || rows[1].Outcome != audit.OutcomeFailure ||
				rows[1].Details["error"] != "hive: "+string(hive.CodeUnavailable) {
				t.Errorf("Hive refused: rows %v, want the attempt and a failure with Hive's code", outcomes(rows))
			}

			// The outcome row fails after Hive made the change: the change stands, the page says so,
			// and the trail keeps the attempt.
			picky.refuse.Store(func(e audit.Event) bool { return e.Action == ch.action && e.Outcome != audit.OutcomeAttempted })
			before, asked = len(trail(t, tc)), gh.changes.Load()
			r = ch.do()
			picky.refuse.Store(func(audit.Event) bool { return false })
			if r.StatusCode != ch.done || strings.Contains(r.Body, "was not done") {
				t.Errorf("outcome unwritable: got %d, want %d and no word that it was not done", r.StatusCode, ch.done)
			}
			if n := gh.changes.Load() - asked; n != 1 {
				t.Errorf("outcome unwritable: Hive was asked %d times, want 1", n)
			}
			if rows := rowsSince(before); len(rows) != 1 || rows[0].Outcome != audit.OutcomeAttempted {
				t.Errorf("outcome unwritable: rows %v, want the attempt alone", outcomes(rows))
			}
		})
	}
	if v, err := tc.trail.Verify(ctx); err != nil || v.BrokenSeq != 0 {
		t.Errorf("Verify = %+v, %v; want intact", v, err)
	}
}

// TestReviewDecisionFailureIsRecorded: a decision the database cannot store leaves the attempt and a
// failure row, and no decision.
func TestReviewDecisionFailureIsRecorded(t *testing.T) {
	ledger := &failingLedger{}
	tc := newTestConsole(t, func(c *handlers.Config, _ *auth.Config) { c.Reviews = ledger })
	f := newPIIFixture(t, tc)
	reviewer := tc.browser()
	reviewer.signInAs(auth.RoleReviewer)
	before := len(trail(t, tc))
	ledger.broken.Store(true)
	r := reviewer.post("/checks/"+f.checkID+"/review", url.Values{"decision": {"approve"}, "note": {"fine"}})
	if r.StatusCode < 500 {
		t.Errorf("a decision that could not be stored: got %d, want a 5xx", r.StatusCode)
	}
	var rows []audit.Entry
	for _, e := range trail(t, tc)[before:] {
		if e.Action == "review.decide" {
			rows = append(rows, e)
		}
	}
	if len(rows) != 2 || rows[0].Outcome != audit.OutcomeAttempted || rows[1].Outcome != audit.OutcomeFailure || rows[1].TargetID != f.checkID {
		t.Errorf("rows %v, want the attempt and its failure", outcomes(rows))
	}
	if got, _ := tc.ledger.ForCheck(context.Background(), f.checkID); len(got) != 0 {
		t.Errorf("%d decisions stored, want none", len(got))
	}
}

func outcomes(rows []audit.Entry) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.Action+"/"+r.Outcome+" "+r.TargetID)
	}
	return out
}
