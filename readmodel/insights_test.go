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
	"github.com/hiveconsole/hiveconsole/database/dbtest"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/review"
)

// TestInsightsMatchANaiveComputation builds a month of checks, reports and decisions, changes some
// of them afterwards (a check completes again a day later, another is deleted, a late report), and
// compares every insight figure with the same figure worked out in plain Go from the fixture.
func TestInsightsMatchANaiveComputation(t *testing.T) {
	each(t, func(t *testing.T, open func(testing.TB) *database.DB) {
		db := open(t)
		s := New(db, nil)
		ctx := context.Background()
		customers := fixture(t, s, 20)
		base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

		type check struct {
			ch       hive.Check
			deleted  bool
			concerns []string
		}
		checks := map[string]*check{}
		var order []string
		decisions := []string{hive.DecisionApproved, hive.DecisionReview, hive.DecisionDeclined}
		put := func(c *check) {
			t.Helper()
			if err := s.PutCheck(ctx, &c.ch); err != nil {
				t.Fatal(err)
			}
		}
		report := func(c *check, i int) {
			t.Helper()
			result := []string{"clear", "caution", "consider"}[i%3]
			r := &hive.Report{ID: "r" + c.ch.ID, CheckID: c.ch.ID, Result: hive.Status(result)}
			if result != "clear" {
				subs := []hive.Breakdown{{Name: "similarity", Status: hive.StatusConsider}, {Name: "age_range", Status: hive.StatusCaution},
					{Name: "gender", Status: hive.StatusClear}, {Name: "liveness", Status: hive.StatusConsider}}[i%3 : 2+i%3]
				r.Facial = &hive.FacialReport{Section: hive.Section{Status: hive.Status(result),
					Breakdowns: []hive.Breakdown{{Name: "face_comparison", Status: hive.Status(result), SubChecks: subs}}}}
				for _, sub := range subs {
					if sub.Status != hive.StatusClear {
						c.concerns = append(c.concerns, "facial/face_comparison/"+sub.Name)
					}
				}
			}
			if err := s.PutReport(ctx, &c.ch, r); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 150 {
			cu := customers[i%len(customers)]
			sess := hive.Session{ID: fmt.Sprintf("5e55%04d-1111-4222-8333-000000000000", i), CustomerID: cu.ID, Status: hive.SessionCompleted}
			if err := s.PutSession(ctx, &sess); err != nil {
				t.Fatal(err)
			}
			c := &check{ch: hive.Check{ID: fmt.Sprintf("c4ec%04d-aaaa-4bbb-8ccc-%012d", i, i*31), SessionID: sess.ID,
				Status: hive.CheckComplete, CreatedAt: base.Add(time.Duration(i*5) * time.Hour)}}
			c.ch.UpdatedAt = c.ch.CreatedAt.Add(time.Duration((i*37)%30) * time.Hour)
			if i%11 == 0 {
				c.ch.Status = hive.CheckProcessing
				c.ch.UpdatedAt = c.ch.CreatedAt
			} else if i%7 != 0 { // some complete without a decision: unknown
				d := decisions[i%3]
				c.ch.Decision = &d
			}
			put(c)
			if c.ch.Status == hive.CheckComplete && i%5 != 0 {
				report(c, i)
			}
			checks[c.ch.ID] = c
			order = append(order, c.ch.ID)
		}
		// Afterwards: some checks change day or result, one finishes processing, some are deleted,
		// a report arrives late.
		for i, id := range order {
			c := checks[id]
			switch {
			case i%11 == 0 && i%22 == 0: // processing, now complete
				c.ch.Status = hive.CheckComplete
				d := hive.DecisionDeclined
				c.ch.Decision = &d
				c.ch.UpdatedAt = c.ch.CreatedAt.Add(3 * time.Hour)
				put(c)
			case i%13 == 1 && c.ch.Status == hive.CheckComplete: // completes again a day later, declined
				d := hive.DecisionDeclined
				c.ch.Decision = &d
				c.ch.UpdatedAt = c.ch.UpdatedAt.Add(25 * time.Hour)
				put(c)
			case i%17 == 2:
				if err := s.DeleteCheck(ctx, id); err != nil {
					t.Fatal(err)
				}
				c.deleted = true
			case i%5 == 0 && c.ch.Status == hive.CheckComplete && i%11 != 0: // its report, late
				report(c, i)
			}
		}

		// Decisions by two reviewers at set times: finals of each kind, four-eyes pairs, a change.
		staff, err := auth.NewService(ctx, db, auth.Config{BaseURL: "http://localhost", SessionKeys: [][]byte{[]byte(strings.Repeat("k", 32))},
			HashParams: auth.DefaultHashParams()})
		if err != nil {
			t.Fatal(err)
		}
		var revs []auth.User
		for _, e := range []string{"ann@example.com", "bob@example.com"} {
			u, err := staff.CreateUser(ctx, auth.NewUser{Email: e, Name: e[:3], Role: auth.RoleReviewer, Password: "a long enough password 1"})
			if err != nil {
				t.Fatal(err)
			}
			revs = append(revs, u)
		}
		var clock time.Time
		ledger := review.New(db, func() time.Time { return clock }, 0)
		decide := func(id string, u auth.User, d review.Decision, second bool, at time.Time) {
			t.Helper()
			clock = at
			r := review.Review{CheckID: id, Decision: d, Note: "seen", ReviewerID: u.ID, ReviewerEmail: u.Email, NeedsSecond: second}
			switch d {
			case review.Reject:
				r.Reason = "face_mismatch"
			case review.Resubmit:
				r.SessionID = "5e55ffff-1111-4222-8333-000000000000"
			}
			if _, err := ledger.Record(ctx, r, nil); err != nil {
				t.Fatal(err)
			}
		}
		for i, id := range order {
			c := checks[id]
			if c.ch.Status != hive.CheckComplete || i%3 == 2 {
				continue
			}
			at := c.ch.UpdatedAt.Add(time.Duration(1+(i*53)%70) * time.Hour)
			u := revs[i%2]
			switch i % 6 {
			case 0:
				decide(id, u, review.Approve, false, at)
			case 1:
				decide(id, u, review.Reject, false, at)
			case 3:
				decide(id, u, review.Approve, true, at)                            // a first approval,
				decide(id, revs[(i+1)%2], review.Approve, true, at.Add(time.Hour)) // confirmed by the other
			case 4:
				decide(id, u, review.Resubmit, false, at)
				if i%4 == 0 { // changed the next day
					decide(id, revs[(i+1)%2], review.Approve, false, at.Add(24*time.Hour))
				}
			}
		}

		// The reviews as stored, read raw.
		type stored struct {
			id                     int64
			check, reviewer, email string
			decision, stage        string
			at                     time.Time
		}
		var all []stored
		rows, err := db.Query(ctx, `SELECT id, check_id, reviewer_id, reviewer_email, decision, stage, created_at FROM reviews`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var r stored
			var at int64
			if err := rows.Scan(&r.id, &r.check, &r.reviewer, &r.email, &r.decision, &r.stage, &at); err != nil {
				t.Fatal(err)
			}
			r.at = database.FromUnix(at)
			all = append(all, r)
		}
		rows.Close()
		slices.SortFunc(all, func(a, b stored) int { return cmp.Or(a.at.Compare(b.at), cmp.Compare(a.id, b.id)) })

		day := func(t time.Time) time.Time { return t.UTC().Truncate(24 * time.Hour) }
		periods := []Period{
			{From: base, To: base.AddDate(0, 0, 6)},
			{From: base.AddDate(0, 0, 5), To: base.AddDate(0, 0, 40)},
			{From: base.AddDate(0, 0, 29), To: base.AddDate(0, 0, 29)},
		}
		for _, p := range periods {
			in := func(t time.Time) bool { return !t.Before(p.From) && t.Before(p.To.AddDate(0, 0, 1)) }
			// Checks by day.
			want := CheckDays{Days: p.Days(), Started: make([]int, len(p.Days())), Completed: map[string][]int{}}
			for _, r := range CompletedResults {
				want.Completed[r] = make([]int, len(want.Days))
			}
			wantConcerns := map[string]int{}
			for _, id := range order {
				c := checks[id]
				if c.deleted {
					continue
				}
				if in(c.ch.CreatedAt) {
					want.Started[int(day(c.ch.CreatedAt).Sub(p.From)/(24*time.Hour))]++
				}
				if c.ch.Status == hive.CheckComplete && in(c.ch.UpdatedAt) {
					want.Completed[CheckResult(&c.ch)][int(day(c.ch.UpdatedAt).Sub(p.From)/(24*time.Hour))]++
					for _, path := range c.concerns {
						wantConcerns[path]++
					}
				}
			}
			got, err := s.CheckDays(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%v: checks by day\n got %v\nwant %v", p, got, want)
			}
			top, err := s.TopConcerns(ctx, p, 10)
			if err != nil {
				t.Fatal(err)
			}
			var wantTop []PathCount
			for _, path := range slices.Sorted(maps.Keys(wantConcerns)) {
				wantTop = append(wantTop, PathCount{path, wantConcerns[path]})
			}
			slices.SortStableFunc(wantTop, func(a, b PathCount) int { return b.N - a.N })
			if fmt.Sprint(top) != fmt.Sprint(wantTop) {
				t.Errorf("%v: sub-checks\n got %v\nwant %v", p, top, wantTop)
			}

			// Decisions, for the team and for each reviewer.
			for _, who := range []string{"", revs[0].ID, revs[1].ID} {
				wantD := Decisions{Versus: map[string]map[string]int{}}
				by := map[string]*ReviewerDecisions{}
				decidedBefore := map[string]bool{}
				for _, r := range all {
					first := r.stage == "final" && !decidedBefore[r.check]
					if r.stage == "final" {
						decidedBefore[r.check] = true
					}
					if !in(r.at) || (who != "" && r.reviewer != who) {
						continue
					}
					x := by[r.reviewer]
					if x == nil {
						x = &ReviewerDecisions{ID: r.reviewer, Email: r.email}
						by[r.reviewer] = x
					}
					switch r.decision {
					case "approve":
						x.Approve++
					case "reject":
						x.Reject++
					default:
						x.Resubmit++
					}
					if r.stage != "final" {
						x.FourEyes++
						continue
					}
					c := checks[r.check]
					hd := ""
					if c.ch.Decision != nil {
						hd = *c.ch.Decision
					}
					if wantD.Versus[hd] == nil {
						wantD.Versus[hd] = map[string]int{}
					}
					wantD.Versus[hd][r.decision]++
					if hd == "approved" || hd == "declined" {
						wantD.Overrulable++
						if (hd == "approved" && r.decision == "reject") || (hd == "declined" && r.decision == "approve") {
							wantD.Overruled++
						}
					}
					if first {
						wantD.Waits = append(wantD.Waits, r.at.Sub(c.ch.UpdatedAt))
					}
				}
				slices.Sort(wantD.Waits)
				for _, x := range by {
					wantD.Reviewers = append(wantD.Reviewers, *x)
				}
				slices.SortFunc(wantD.Reviewers, func(a, b ReviewerDecisions) int {
					return cmp.Or(b.Total()-a.Total(), strings.Compare(a.Email, b.Email))
				})
				gotD, err := s.Decisions(ctx, p, who)
				if err != nil {
					t.Fatal(err)
				}
				if fmt.Sprint(gotD) != fmt.Sprint(wantD) {
					t.Errorf("%v, reviewer %q: decisions\n got %+v\nwant %+v", p, who, gotD, wantD)
				}
				if who == "" && p == periods[1] && (wantD.Overruled == 0 || len(wantD.Waits) < 10 || len(wantD.Reviewers) != 2) {
					t.Errorf("the fixture is too thin to test anything: %+v", wantD)
				}
			}
		}
	})
}

func TestPercentile(t *testing.T) {
	h := func(n int) time.Duration { return time.Duration(n) * time.Hour }
	var ten []time.Duration
	for i := 1; i <= 10; i++ {
		ten = append(ten, h(i))
	}
	for _, c := range []struct {
		in   []time.Duration
		q    float64
		want time.Duration
	}{
		{nil, 0.5, 0},
		{[]time.Duration{h(3)}, 0.95, h(3)},
		{ten, 0.5, h(5)},
		{ten, 0.9, h(9)},
		{ten, 0.95, h(10)},
		{ten, 0.1, h(1)},
	} {
		if got := Percentile(c.in, c.q); got != c.want {
			t.Errorf("Percentile(%v, %v) = %v, want %v", c.in, c.q, got, c.want)
		}
	}
}

// TestQueueSnapshots: the hour's snapshot is what the queue showed, taken once an hour whoever asks
// again, and the history lists a period's snapshots.
func TestQueueSnapshots(t *testing.T) {
	each(t, func(t *testing.T, open func(testing.TB) *database.DB) {
		ctx := context.Background()
		s := New(open(t), nil)
		customers := fixture(t, s, 3)
		now := time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
		rule, targets := QueueRule{Results: []string{"consider", "caution"}}, ServiceTimes{"consider": 4 * time.Hour}
		add := func(i int, result string, completed time.Time) {
			t.Helper()
			sess := hive.Session{ID: fmt.Sprintf("5e55%04d-1111-4222-8333-000000000000", i), CustomerID: customers[0].ID, Status: hive.SessionCompleted}
			if err := s.PutSession(ctx, &sess); err != nil {
				t.Fatal(err)
			}
			ch := hive.Check{ID: fmt.Sprintf("c4ec%04d-aaaa-4bbb-8ccc-000000000000", i), SessionID: sess.ID, Status: hive.CheckComplete,
				CreatedAt: completed, UpdatedAt: completed}
			if err := s.PutCheck(ctx, &ch); err != nil {
				t.Fatal(err)
			}
			if err := s.PutReport(ctx, &ch, &hive.Report{ID: "r" + ch.ID, CheckID: ch.ID, Result: hive.Status(result)}); err != nil {
				t.Fatal(err)
			}
		}
		add(1, "consider", now.Add(-5*time.Hour)) // overdue
		add(2, "consider", now.Add(-1*time.Hour)) // on time
		add(3, "caution", now.Add(-9*time.Hour))  // no target
		add(4, "clear", now.Add(-9*time.Hour))    // not queued
		if err := s.SnapshotQueue(ctx, rule, targets, now); err != nil {
			t.Fatal(err)
		}
		add(5, "consider", now.Add(-6*time.Hour))
		s.Forget()
		if err := s.SnapshotQueue(ctx, rule, targets, now.Add(20*time.Minute)); err != nil { // same hour: kept as it was
			t.Fatal(err)
		}
		if err := s.SnapshotQueue(ctx, rule, targets, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		got, err := s.QueueHistory(ctx, Period{From: now.Truncate(24 * time.Hour), To: now.Truncate(24 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		want := []QueuePoint{{now.Truncate(time.Hour), 3, 1}, {now.Add(time.Hour).Truncate(time.Hour), 4, 2}}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("queue history %v, want %v", got, want)
		}
		if got, _ := s.QueueHistory(ctx, Period{From: now.AddDate(0, 0, 1).Truncate(24 * time.Hour), To: now.AddDate(0, 0, 2).Truncate(24 * time.Hour)}); len(got) != 0 {
			t.Errorf("a period without snapshots lists %v", got)
		}
	})
}

// TestInsightsMigration: the tallies migration 17 builds from the checks, concerns and decisions
// already stored equal those its triggers keep for the same rows written afterwards.
func TestInsightsMigration(t *testing.T) {
	dbtest.EachAt(t, func(t *testing.T, openAt dbtest.Opener) {
		ctx := context.Background()
		day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
		write := func(s *Store) {
			t.Helper()
			for i, d := range []string{hive.DecisionApproved, hive.DecisionDeclined, hive.DecisionDeclined, ""} {
				ch := hive.Check{ID: fmt.Sprintf("c%d", i), SessionID: "s", Status: hive.CheckComplete,
					CreatedAt: day, UpdatedAt: day.Add(time.Duration(i*10) * time.Hour)}
				if d != "" {
					ch.Decision = &d
				}
				// Written as a pass first writes a check, in columns migration 16 has already.
				if _, err := s.db.Exec(ctx, `INSERT INTO hive_checks (`+checkColumns+`) VALUES `+checkRow, checkArgs(&ch, 1, int64(i))...); err != nil {
					t.Fatal(err)
				}
				if _, err := s.db.Exec(ctx, `INSERT INTO hive_concerns (check_id, path) VALUES (?, 'document/mrz'), (?, 'facial/liveness')`,
					ch.ID, ch.ID); err != nil {
					t.Fatal(err)
				}
			}
			// Decisions: a final one on c0 and c1, a first approval then a final one on c2.
			if _, err := s.db.Exec(ctx, `INSERT INTO users (id, email, name, role, password_hash, created_at, password_changed_at)
				VALUES ('u1', 'rev@example.com', 'Rev', 'reviewer', '$argon2id$x', 1, 1)`); err != nil {
				t.Fatal(err)
			}
			at := database.Unix(day.Add(40 * time.Hour))
			for i, r := range []struct{ check, decision, stage string }{{"c0", "approve", "final"}, {"c1", "reject", "final"},
				{"c2", "approve", "first"}, {"c2", "approve", "final"}, {"c1", "approve", "final"}} {
				reason := any(nil)
				if r.decision == "reject" {
					reason = "face_mismatch"
				}
				if _, err := s.db.Exec(ctx, `INSERT INTO reviews (check_id, decision, reason, note, reviewer_id, reviewer_email, created_at, stage)
					VALUES (?, ?, ?, 'seen', 'u1', 'rev@example.com', ?, ?)`, r.check, r.decision, reason, at+int64(i)*3600, r.stage); err != nil {
					t.Fatal(err)
				}
			}
		}
		old := openAt(t, 16)
		write(New(old, nil))
		if err := old.MigrateTo(ctx, database.Latest); err != nil {
			t.Fatal(err)
		}
		fresh := openAt(t, database.Latest)
		write(New(fresh, nil))
		read := func(db *database.DB) []string {
			w := &world{t: t, db: db}
			return append(append(w.strings(`SELECT kind || ' ' || CAST(day AS TEXT) || ' ' || value || '=' || CAST(n AS TEXT) FROM insight_days WHERE n <> 0`),
				w.strings(`SELECT CAST(day AS TEXT) || ' ' || reviewer_id || ' ' || hive_decision || ' ' || decision || ' ' || stage || '=' || CAST(n AS TEXT)
					FROM insight_decisions`)...),
				w.strings(`SELECT check_id || ' ' || CAST(day AS TEXT) || ' ' || reviewer_id || ' ' || CAST(seconds AS TEXT) FROM insight_waits`)...)
		}
		migrated, written := read(old), read(fresh)
		if len(written) != 7+4+3 || !slices.Equal(migrated, written) {
			t.Errorf("insight tallies:\nmigrated %q\n written %q", migrated, written)
		}
	})
}
