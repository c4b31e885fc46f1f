package retention

import (
	"strings"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/database"
	"github.com/hiveconsole/hiveconsole/database/dbtest"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/internal/clocktest"
	"github.com/hiveconsole/hiveconsole/readmodel"
	"github.com/hiveconsole/hiveconsole/review"
)

func TestParsePolicy(t *testing.T) {
	for in, want := range map[string]Policy{
		"":                                 {},
		"off":                              {},
		"decided=5y":                       {Decided: 5 * 365 * day},
		" decided=1825d , incomplete=90d ": {Decided: 1825 * day, Incomplete: 90 * day},
		"incomplete=30d":                   {Incomplete: 30 * day},
	} {
		got, err := ParsePolicy(in)
		if err != nil || got != want {
			t.Errorf("ParsePolicy(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"decided", "decided=5", "decided=0d", "decided=-3d", "decided=5w", "forever=5y", "decided=5y,"} {
		if _, err := ParsePolicy(bad); err == nil {
			t.Errorf("ParsePolicy(%q): no error", bad)
		}
	}
	if s := (Policy{Decided: 5 * 365 * day, Incomplete: 90 * day}).String(); s != "decided=1825d,incomplete=90d" {
		t.Errorf("String() = %q", s)
	}
	if s := (Policy{}).String(); s != "off" {
		t.Errorf("String() of no policy = %q", s)
	}
}

// fixture writes customers into the console's copy of Hive as the sync would, each with the checks
// and decisions a rule turns on.
type fixture struct {
	t      *testing.T
	db     *database.DB
	read   *readmodel.Store
	clock  *clocktest.Clock
	ledger *review.Ledger
	at     time.Time // the ledger's clock
	n      int
}

func (f *fixture) customer(id string, created time.Time) {
	f.t.Helper()
	first, last := "Ada", "Lovelace-"+id
	if err := f.read.PutCustomer(f.t.Context(), &hive.Customer{ID: id, Email: id + "@example.com", FirstName: &first, LastName: &last,
		CreatedAt: created, UpdatedAt: created}); err != nil {
		f.t.Fatal(err)
	}
}

// check gives the customer a check: status, Hive's decision ("" for none), last updated at.
func (f *fixture) check(customerID, status, decision string, updated time.Time) string {
	f.t.Helper()
	f.n++
	sid, cid := customerID+"-s"+string(rune('0'+f.n)), customerID+"-c"+string(rune('0'+f.n))
	if err := f.read.PutSession(f.t.Context(), &hive.Session{ID: sid, CustomerID: customerID, FullName: "Ada", Email: "a@example.com",
		ApplicationID: "app", WorkspaceID: "ws", Status: "completed", CreatedAt: updated, UpdatedAt: updated, ExpiresAt: updated}); err != nil {
		f.t.Fatal(err)
	}
	ch := &hive.Check{ID: cid, SessionID: sid, Status: hive.CheckStatus(status), CreatedAt: updated, UpdatedAt: updated}
	if decision != "" {
		ch.Decision = &decision
	}
	if err := f.read.PutCheck(f.t.Context(), ch); err != nil {
		f.t.Fatal(err)
	}
	return cid
}

// review records a reviewer's final decision on the check at the time.
func (f *fixture) review(checkID, customerID string, d review.Decision, at time.Time, reviewer string) {
	f.t.Helper()
	f.at = at
	r := review.Review{CheckID: checkID, CustomerID: customerID, Decision: d, Note: "Looked at it", ReviewerID: reviewer, ReviewerEmail: "ada@example.com"}
	if d == review.Resubmit {
		r.SessionID = "ses_again"
	}
	if _, err := f.ledger.Record(f.t.Context(), r, review.DefaultRejectReasons); err != nil {
		f.t.Fatal(err)
	}
}

// TestPlan: each rule takes exactly the customers it describes, never a held or deleted one, and
// the plan changes nothing.
func TestPlan(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, open func(testing.TB) *database.DB) {
		db := open(t)
		clock := clocktest.New()
		f := &fixture{t: t, db: db, read: readmodel.New(db, clock.Now), clock: clock}
		f.ledger = review.New(db, func() time.Time { return f.at }, 0)
		ctx := t.Context()
		admin := staff(t, db, "ada@example.com")
		y := func(year int, month time.Month) time.Time { return time.Date(year, month, 1, 12, 0, 0, 0, time.UTC) }

		f.customer("cus_hive_approved", y(2019, 1)) // Hive approved in 2020: decided
		f.check("cus_hive_approved", "complete", "approved", y(2020, 3))
		f.customer("cus_reviewed", y(2019, 2)) // a reviewer approved in 2020: decided
		c := f.check("cus_reviewed", "complete", "review", y(2020, 1))
		f.review(c, "cus_reviewed", review.Approve, y(2020, 6), admin.ID)
		f.customer("cus_waiting", y(2019, 3)) // Hive asked for review, nobody decided: kept
		f.check("cus_waiting", "complete", "review", y(2020, 1))
		f.customer("cus_recent", y(2019, 4)) // decided twice, the newest last month: kept
		f.check("cus_recent", "complete", "approved", y(2020, 1))
		f.check("cus_recent", "complete", "declined", y(2026, 11))
		f.customer("cus_resubmit", y(2019, 5)) // asked to resubmit: not settled, kept
		c = f.check("cus_resubmit", "complete", "review", y(2020, 1))
		f.review(c, "cus_resubmit", review.Resubmit, y(2020, 2), admin.ID)
		f.customer("cus_no_checks", y(2026, 1))  // no check, created 11 months ago: incomplete
		f.customer("cus_new", y(2026, 11))       // no check, created last month: kept
		f.customer("cus_processing", y(2025, 1)) // only a processing check: incomplete
		f.check("cus_processing", "processing", "", y(2025, 1))
		f.customer("cus_held", y(2019, 6)) // decided long ago, but held: kept
		f.check("cus_held", "complete", "approved", y(2020, 1))
		if _, err := NewHolds(db, clock.Now).Place(ctx, "cus_held", admin, "Subpoena 2026-114"); err != nil {
			t.Fatal(err)
		}
		f.customer("cus_gone", y(2019, 7)) // decided long ago, deleted already: not planned again
		f.check("cus_gone", "complete", "approved", y(2020, 1))
		if err := f.read.DeleteCustomer(ctx, "cus_gone"); err != nil {
			t.Fatal(err)
		}

		now := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
		p, _ := ParsePolicy("decided=5y,incomplete=90d")
		plan, err := NewPlanner(db).Plan(ctx, p, now, 10)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range plan.First {
			got = append(got, c.Rule+":"+c.CustomerID)
		}
		want := "decided:cus_hive_approved decided:cus_reviewed incomplete:cus_processing incomplete:cus_no_checks"
		if strings.Join(got, " ") != want || plan.Decided != 2 || plan.Incomplete != 2 || plan.Held != 1 || plan.Total() != 4 {
			t.Errorf("plan: %d decided, %d incomplete, %d held; first %v\nwant %s", plan.Decided, plan.Incomplete, plan.Held, got, want)
		}
		if s := plan.First[1].Settled; !s.Equal(y(2020, 6)) {
			t.Errorf("cus_reviewed settled %v, want the reviewer's decision", s)
		}

		// The limit is per rule; one rule alone plans only its own.
		p, _ = ParsePolicy("decided=5y")
		plan, err = NewPlanner(db).Plan(ctx, p, now, 1)
		if err != nil || plan.Decided != 2 || plan.Incomplete != 0 || len(plan.First) != 1 {
			t.Errorf("decided only, limit 1: %+v %v", plan, err)
		}
		// No rows asked: the counts alone.
		p2, _ := ParsePolicy("decided=5y,incomplete=90d")
		counts, err := NewPlanner(db).Plan(ctx, p2, now, 0)
		if err != nil || counts.Decided != 2 || counts.Incomplete != 2 || len(counts.First) != 0 {
			t.Errorf("limit 0: %+v %v", counts, err)
		}
		// A plan changes nothing: the same plan again.
		again, _ := NewPlanner(db).Plan(ctx, p, now, 1)
		if again.Decided != plan.Decided {
			t.Error("a second plan differs from the first")
		}
	})
}

func TestInitials(t *testing.T) {
	if got := Initials(" Ada  Lovelace-Byron "); got != "A. L." {
		t.Errorf("Initials = %q", got)
	}
}
