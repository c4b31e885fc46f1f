package readmodel

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/database"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/review"
)

// TestCheckQueriesMatchANaiveScan: every filter, search, order, page and the review queue the SQL
// answers equals a scan of the fixture in Go.
func TestCheckQueriesMatchANaiveScan(t *testing.T) {
	each(t, func(t *testing.T, open func(testing.TB) *database.DB) {
		db := open(t)
		s := New(db, nil)
		s.seekFrom = 1 // every page past the first finds its day through the tallies
		ctx := context.Background()
		customers := fixture(t, s, 60)
		byID := map[string]hive.Customer{}
		for _, c := range customers {
			byID[c.ID] = c
		}
		type row struct {
			ch       hive.Check
			result   string
			customer string
			reviewed bool
			state    string // the review state its newest decision put it in; "" for none
			n        int    // the order the fixture wrote it in
		}
		var rows []row
		concerns := map[string][]string{} // by check: the paths its report did not clear
		decisions := []string{hive.DecisionApproved, hive.DecisionReview, hive.DecisionDeclined}
		base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		for i := range 180 {
			c := customers[i%50] // ten customers without checks
			sess := hive.Session{ID: fmt.Sprintf("5e55%04d-1111-4222-8333-000000000000", i), CustomerID: c.ID, Status: hive.SessionCompleted}
			if err := s.PutSession(ctx, &sess); err != nil {
				t.Fatal(err)
			}
			ch := hive.Check{ID: fmt.Sprintf("c4ec%04d-aaaa-4bbb-8ccc-%012d", i, i*31), SessionID: sess.ID, Status: hive.CheckComplete,
				CreatedAt: base.Add(time.Duration(i%70) * time.Hour)}
			ch.UpdatedAt = ch.CreatedAt.Add(time.Duration((i*37)%50) * time.Hour) // completion: the queue's clock
			result := "unknown"
			switch {
			case i%9 == 0:
				ch.Status, result = hive.CheckProcessing, "processing"
			default:
				d := decisions[i%3]
				ch.Decision = &d
			}
			if err := s.PutCheck(ctx, &ch); err != nil {
				t.Fatal(err)
			}
			if ch.Status == hive.CheckComplete && i%5 != 0 { // some reports not read yet
				result = []string{"clear", "caution", "consider", "clear"}[i%4]
				r := &hive.Report{ID: "r" + ch.ID, CheckID: ch.ID, Result: hive.Status(result)}
				if result != "clear" { // what the report did not clear: one or two of three sub-checks
					subs := []hive.Breakdown{{Name: "similarity", Status: hive.StatusConsider}, {Name: "age_range", Status: hive.StatusCaution},
						{Name: "gender", Status: hive.StatusClear}}[i%2 : 2+i%2]
					r.Facial = &hive.FacialReport{Section: hive.Section{Status: hive.Status(result),
						Breakdowns: []hive.Breakdown{{Name: "face_comparison", Status: hive.Status(result), SubChecks: subs}}}}
					for _, sub := range subs {
						if sub.Status != hive.StatusClear {
							concerns[ch.ID] = append(concerns[ch.ID], "facial/face_comparison/"+sub.Name)
						}
					}
				}
				if err := s.PutReport(ctx, &ch, r); err != nil {
					t.Fatal(err)
				}
			}
			rows = append(rows, row{ch: ch, result: result, customer: c.ID, n: i})
		}
		// Reviews on some completed checks: those leave the queue.
		staff, err := auth.NewService(ctx, db, auth.Config{BaseURL: "http://localhost", SessionKeys: [][]byte{[]byte(strings.Repeat("k", 32))},
			HashParams: auth.DefaultHashParams()})
		if err != nil {
			t.Fatal(err)
		}
		u, err := staff.CreateUser(ctx, auth.NewUser{Email: "rev@example.com", Name: "Rev", Role: auth.RoleReviewer, Password: "a long enough password 1"})
		if err != nil {
			t.Fatal(err)
		}
		ledger := review.New(db, nil, 0)
		for i := range rows {
			if rows[i].ch.Status == hive.CheckComplete && i%4 == 1 {
				if _, err := ledger.Record(ctx, review.Review{CheckID: rows[i].ch.ID, Decision: review.Approve, Note: "fine",
					ReviewerID: u.ID, ReviewerEmail: u.Email}, nil); err != nil {
					t.Fatal(err)
				}
				rows[i].reviewed, rows[i].state = true, "approved"
			}
			if rows[i].ch.Status == hive.CheckComplete && i%8 == 3 { // a first approval of two: still waiting
				if _, err := ledger.Record(ctx, review.Review{CheckID: rows[i].ch.ID, Decision: review.Approve, Note: "fine",
					ReviewerID: u.ID, ReviewerEmail: u.Email, NeedsSecond: true}, nil); err != nil {
					t.Fatal(err)
				}
				rows[i].state = "pending_second"
			}
		}
		// A check the copy first sees after a decision on it is out of the queue too.
		late := hive.Check{ID: "c4ec9999-aaaa-4bbb-8ccc-000000000001", SessionID: "5e550001-1111-4222-8333-000000000000",
			Status: hive.CheckComplete, CreatedAt: base}
		if _, err := ledger.Record(ctx, review.Review{CheckID: late.ID, Decision: review.Approve, Note: "fine",
			ReviewerID: u.ID, ReviewerEmail: u.Email}, nil); err != nil {
			t.Fatal(err)
		}
		if err := s.PutCheck(ctx, &late); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, row{ch: late, result: "unknown", customer: customers[1].ID, reviewed: true, state: "approved", n: len(rows)})
		// Claims on some checks, assignments on others: a claim lapses, an assignment does not.
		two, err := staff.CreateUser(ctx, auth.NewUser{Email: "two@example.com", Name: "Two", Role: auth.RoleReviewer, Password: "a long enough password 2"})
		if err != nil {
			t.Fatal(err)
		}
		claimed, assigned := map[string]string{}, map[string]string{}
		for i, r := range rows {
			switch {
			case r.reviewed:
			case i%6 == 3:
				if _, err := ledger.Claim(ctx, r.ch.ID, u); err != nil {
					t.Fatal(err)
				}
				claimed[r.ch.ID] = u.Email
			case i%6 == 5:
				if _, err := ledger.Assign(ctx, r.ch.ID, two, "admin@example.com"); err != nil {
					t.Fatal(err)
				}
				assigned[r.ch.ID] = two.Email
			}
		}
		lapsed := time.Now().Add(time.Hour) // as HeldSince: every claim has lapsed
		holder := func(q CheckQuery, id string) string {
			if h := assigned[id]; h != "" {
				return h
			}
			if q.HeldSince.Before(time.Now().Add(-time.Minute)) {
				return claimed[id]
			}
			return ""
		}

		rank := map[string]int{"processing": -1, "clear": 0, "caution": 1, "unknown": 2, "consider": 3}
		naive := func(q CheckQuery) []string {
			terms, digits := searchTerms(q.Search, q.Contact)
			var hits []row
			for _, r := range rows {
				c := byID[r.customer]
				match := len(terms) == 0 || strings.HasPrefix(r.ch.ID, strings.ToLower(strings.TrimSpace(q.Search)))
				if len(terms) > 0 && !match {
					match = len(naive(customers, nil, CustomerQuery{Search: q.Search, Contact: q.Contact, Limit: 1000})) > 0 &&
						slices.Contains(naive([]hive.Customer{c}, nil, CustomerQuery{Search: q.Search, Contact: q.Contact, Limit: 10}), c.ID)
				}
				_ = digits
				switch {
				case !match,
					q.Status != "" && string(r.ch.Status) != q.Status,
					q.Decision != "" && (r.ch.Decision == nil || *r.ch.Decision != q.Decision),
					q.Result != "" && (r.ch.Status != hive.CheckComplete || r.result != q.Result),
					!q.Since.IsZero() && r.ch.CreatedAt.Before(q.Since),
					q.Customer != "" && r.customer != q.Customer,
					q.Queue && (r.ch.Status != hive.CheckComplete || r.reviewed || !queued(q.Rule, r.ch.ID, r.result)),
					q.Reason != "" && !slices.Contains(concerns[r.ch.ID], q.Reason),
					q.ReviewState == "unreviewed" && (r.ch.Status != hive.CheckComplete || r.state != ""),
					q.ReviewState != "" && q.ReviewState != "unreviewed" && (r.ch.Status != hive.CheckComplete || r.state != q.ReviewState),
					q.Holder == NoHolder && holder(q, r.ch.ID) != "",
					q.Holder != "" && q.Holder != NoHolder && holder(q, r.ch.ID) != q.Holder:
					continue
				}
				hits = append(hits, r)
			}
			slices.SortStableFunc(hits, func(x, y row) int {
				newest := func() int { // within a second, the one written later is newer
					return cmp.Or(y.ch.CreatedAt.Compare(x.ch.CreatedAt), cmp.Compare(y.n, x.n))
				}
				flip := func(n int) int {
					if q.Desc {
						return -n
					}
					return n
				}
				switch {
				case q.Queue: // overdue, on time, no target; in each the check due first; each by completion
					now := cmp.Or(q.Now, time.Now())
					band := func(r row) int {
						due, ok := q.Targets.Due(r.result, r.ch.UpdatedAt)
						switch {
						case !ok:
							return 2
						case due.Before(now):
							return 0
						}
						return 1
					}
					if c := cmp.Compare(band(x), band(y)); c != 0 {
						return c
					}
					dx, okx := q.Targets.Due(x.result, x.ch.UpdatedAt)
					dy, oky := q.Targets.Due(y.result, y.ch.UpdatedAt)
					if okx != oky {
						return map[bool]int{true: -1, false: 1}[okx]
					}
					if okx {
						if c := dx.Compare(dy); c != 0 {
							return c
						}
					}
					return cmp.Or(x.ch.UpdatedAt.Compare(y.ch.UpdatedAt), cmp.Compare(x.n, y.n))
				case q.Sort == "customer":
					return cmp.Or(flip(strings.Compare(fold0(byID[x.customer]), fold0(byID[y.customer]))), newest())
				case q.Sort == "result":
					return cmp.Or(flip(cmp.Compare(rank[x.result], rank[y.result])), newest())
				}
				return flip(-newest())
			})
			ids := []string{}
			for _, r := range hits[min(q.Offset, len(hits)):min(q.Offset+q.Limit, len(hits))] {
				ids = append(ids, r.ch.ID+"/"+r.result)
			}
			return append(ids, fmt.Sprint(len(hits)))
		}

		var queries []CheckQuery
		for _, sortBy := range []string{"created", "customer", "result"} {
			for _, desc := range []bool{true, false} {
				for _, offset := range []int{0, 25, 100, 170} {
					queries = append(queries, CheckQuery{Sort: sortBy, Desc: desc, Offset: offset, Limit: 25})
				}
			}
		}
		for _, f := range []CheckQuery{{Status: "processing"}, {Status: "complete"}, {Result: "clear"}, {Result: "consider"},
			{Decision: "review"}, {Since: base.Add(40 * time.Hour)}, {Customer: customers[3].ID}, {Queue: true},
			{Queue: true, Offset: 40}, {Queue: true, Rule: QueueRule{Results: []string{"consider"}}},
			{Queue: true, Targets: DefaultServiceTimes}, {Queue: true, Targets: DefaultServiceTimes, Offset: 20},
			{Queue: true, Targets: DefaultServiceTimes, Offset: 45, Limit: 10},
			{Queue: true, Targets: DefaultServiceTimes, Now: base.Add(60 * time.Hour)},
			{Queue: true, Targets: DefaultServiceTimes, Now: base.Add(60 * time.Hour), Offset: 30, Limit: 10},
			{Queue: true, Targets: ServiceTimes{"caution": 40 * time.Hour, "consider": 4 * time.Hour}, Now: base.Add(50 * time.Hour)},
			{Queue: true, Targets: ServiceTimes{"caution": time.Hour, "consider": 30 * time.Hour, "clear": 2 * time.Hour},
				Rule: QueueRule{Results: []string{"caution", "consider"}, SampleClear: 40}, Offset: 30},
			{Queue: true, Targets: ServiceTimes{"consider": 4 * time.Hour}, Rule: QueueRule{Results: []string{"caution", "consider", "unknown"}}},
			{Queue: true, Targets: DefaultServiceTimes, Holder: NoHolder, Reason: "facial/face_comparison/similarity"},
			{Queue: true, Rule: QueueRule{Results: []string{"caution", "consider"}, SampleClear: 40}},
			{Queue: true, Rule: QueueRule{Results: []string{"unknown", "clear"}}},
			{Queue: true, Rule: QueueRule{Results: []string{"consider"}, SampleClear: 100}},
			{Queue: true, Reason: "facial/face_comparison/similarity"}, {Queue: true, Reason: "facial/face_comparison/age_range"},
			{Reason: "facial/face_comparison/age_range"}, {Queue: true, Reason: "document/nothing"},
			{ReviewState: "unreviewed"}, {ReviewState: "approved"}, {ReviewState: "pending_second"}, {ReviewState: "rejected"},
			{ReviewState: "unreviewed", Queue: true}, {ReviewState: "pending_second", Queue: true, Targets: DefaultServiceTimes},
			{Queue: true, Holder: NoHolder}, {Queue: true, Holder: NoHolder, HeldSince: lapsed}, {Holder: "rev@example.com"},
			{Queue: true, Holder: "two@example.com"}, {Queue: true, Holder: "rev@example.com", HeldSince: lapsed},
			{Queue: true, Holder: "nobody@example.com"}, {Search: "c4ec001"}, {Search: "müller", Contact: true}, {Search: "muller"},
			{Search: ".1@example", Contact: true}, {Search: ".1@example"}, {Search: "7700 90001", Contact: true}, {Search: "AAAA-4B"}} {
			f.Limit = cmp.Or(f.Limit, 50)
			if f.Sort == "" {
				f.Sort, f.Desc = "created", true
			}
			queries = append(queries, f)
		}
		for _, q := range queries {
			page, err := s.Checks(ctx, q)
			if err != nil {
				t.Fatalf("%+v: %v", q, err)
			}
			got := []string{}
			for _, e := range page.Rows {
				got = append(got, e.Check.ID+"/"+e.Result)
				if c := byID[e.CustomerID]; e.CustomerName != c.FullName() {
					t.Errorf("check %s: customer name %q, want %q", e.Check.ID, e.CustomerName, c.FullName())
				}
			}
			got = append(got, fmt.Sprint(page.Total))
			if want := naive(q); !slices.Equal(got, want) {
				t.Errorf("%+v:\n got %v\nwant %v", q, got, want)
			}
		}
		// How the queue stands against its service times.
		for _, tt := range []struct {
			rule    QueueRule
			targets ServiceTimes
		}{{QueueRule{}, DefaultServiceTimes}, {QueueRule{Results: []string{"caution", "consider"}, SampleClear: 40}, ServiceTimes{"clear": time.Hour}}} {
			now := base.Add(60 * time.Hour)
			got, err := s.QueueTimes(ctx, tt.rule, tt.targets, now)
			if err != nil {
				t.Fatal(err)
			}
			var want QueueTimes
			for _, r := range rows {
				if r.ch.Status != hive.CheckComplete || r.reviewed || !queued(tt.rule, r.ch.ID, r.result) {
					continue
				}
				if due, ok := tt.targets.Due(r.result, r.ch.UpdatedAt); ok && due.Before(now) {
					want.Overdue++
				}
				if want.Oldest.IsZero() || r.ch.UpdatedAt.Before(want.Oldest) {
					want.Oldest = r.ch.UpdatedAt
				}
			}
			if got != want || want.Overdue == 0 {
				t.Errorf("queue times under %+v, %v: %+v, want %+v", tt.rule, tt.targets, got, want)
			}
		}
		// The queue's checks counted by what their reports did not clear.
		for _, rule := range []QueueRule{{}, {Results: []string{"consider"}}, {Results: []string{"caution", "consider"}, SampleClear: 40}} {
			got, err := s.QueueReasons(ctx, rule)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]int{}
			for _, r := range rows {
				if r.ch.Status == hive.CheckComplete && !r.reviewed && queued(rule, r.ch.ID, r.result) {
					for _, p := range concerns[r.ch.ID] {
						want[p]++
					}
				}
			}
			if !maps.Equal(got, want) {
				t.Errorf("queue reasons under %+v: %v, want %v", rule, got, want)
			}
		}
	})
}

// queued is the rule of the review queue in plain Go: the check's result is one the rule names
// ("unknown": completed, report not read yet), or it is a cleared check in the rule's sample.
func queued(rule QueueRule, id, result string) bool {
	if len(rule.Results) == 0 {
		rule = DefaultQueueRule
	}
	return slices.Contains(rule.Results, result) || (result == "clear" && SampleBucket(id) < rule.SampleClear)
}

// TestQueueSettings: the results and the sample are read as an operator writes them, and refused
// with a message that names what is allowed.
func TestQueueSettings(t *testing.T) {
	if got, err := ParseQueueResults(" Consider, caution ,consider"); err != nil || !slices.Equal(got, []string{"consider", "caution"}) {
		t.Errorf("results: %v %v", got, err)
	}
	for _, bad := range []string{"", " , ", "declined", "consider,approved"} {
		if _, err := ParseQueueResults(bad); err == nil || !strings.Contains(err.Error(), "clear, caution, consider, unknown") {
			t.Errorf("%q: %v, want a refusal naming the results", bad, err)
		}
	}
	for v, want := range map[string]int{"0": 0, "5": 5, "10%": 10, " 100 ": 100} {
		if got, err := ParseSample(v); err != nil || got != want {
			t.Errorf("sample %q: %d %v", v, got, err)
		}
	}
	for _, bad := range []string{"-1", "101", "ten", ""} {
		if _, err := ParseSample(bad); err == nil {
			t.Errorf("sample %q: no error", bad)
		}
	}
	// About the share asked for, over random ids.
	n := 0
	for i := range 10000 {
		if SampleBucket(fmt.Sprintf("%08x-0000-4000-8000-%012x", i, uint64(i)*2654435761%(1<<48))) < 10 {
			n++
		}
	}
	if n < 800 || n > 1200 {
		t.Errorf("a 10%% sample took %d of 10,000", n)
	}
}
