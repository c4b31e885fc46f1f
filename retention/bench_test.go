package retention

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/database"
	"github.com/hiveconsole/hiveconsole/database/dbtest"
)

// BenchmarkPlan plans decided=5y,incomplete=90d over a copy of Hive with RETENTION_BENCH_CUSTOMERS
// customers (default 100,000) created over six years, most with one check and one in four with
// two, one check in three settled by a reviewer and the rest by Hive or left waiting, one customer
// in twenty without a completed check.
//
//	RETENTION_BENCH_CUSTOMERS=1000000 go test -run '^$' -bench Plan -benchtime 5x ./retention/
func BenchmarkPlan(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("RETENTION_BENCH_CUSTOMERS")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	db := dbtest.SQLite(b)
	admin := staff(b, db, "ada@example.com")
	now := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	start := now.AddDate(-6, 0, 0)
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		for i := range n {
			id := fmt.Sprintf("cus_%08d", i)
			created := start.Add(time.Duration(i) * (6 * 365 * 24 * time.Hour / time.Duration(n)))
			if _, err := tx.ExecContext(ctx, db.Q(`INSERT INTO hive_customers (id, email, created_at, updated_at, full_name, name_key,
				search_names, search_contact, pass, ord, digest) VALUES (?, ?, ?, ?, 'Ada Lovelace', 'ada lovelace', '', '', 1, ?, '')`),
				id, id+"@example.com", database.Unix(created), database.Unix(created), i); err != nil {
				return err
			}
			if i%20 == 0 {
				continue // no check
			}
			checks := 1 + i%4/3
			for k := range checks {
				cid := fmt.Sprintf("chk_%08d_%d", i, k)
				at := created.Add(time.Duration(k+1) * 24 * time.Hour)
				decision := []string{"approved", "review", "declined"}[i%3]
				if _, err := tx.ExecContext(ctx, db.Q(`INSERT INTO hive_checks (id, session_id, customer_id, status, decision, result, created_at,
					updated_at, pass, changed, ord, digest) VALUES (?, 's', ?, 'complete', ?, 'consider', ?, ?, 1, 1, ?, '')`),
					cid, id, decision, database.Unix(at), database.Unix(at), i); err != nil {
					return err
				}
				if decision == "review" && i%2 == 0 {
					if _, err := tx.ExecContext(ctx, db.Q(`INSERT INTO reviews (check_id, customer_id, decision, note, reviewer_id, reviewer_email, created_at, stage)
						VALUES (?, ?, 'approve', 'seen', ?, ?, ?, 'final')`), cid, id, admin.ID, admin.Email, database.Unix(at.Add(time.Hour))); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	p, _ := ParsePolicy("decided=5y,incomplete=90d")
	planner := NewPlanner(db)
	var plan Plan
	for b.Loop() {
		if plan, err = planner.Plan(ctx, p, now, 20); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(plan.Decided), "decided")
	b.ReportMetric(float64(plan.Incomplete), "incomplete")
}

// BenchmarkApply applies decided=30d,incomplete=30d to a sandbox Hive of RETENTION_BENCH_APPLY
// customers (default 300) and its synced copy, on SQLite: each customer's deletion in Hive over
// loopback, the copy's erasure, notes, decision notes, the audit key and two audit rows. It
// reports the time per deleted customer.
//
//	RETENTION_BENCH_APPLY=1000 go test -run '^$' -bench Apply -benchtime 1x ./retention/
func BenchmarkApply(b *testing.B) {
	n := 300
	if v, err := strconv.Atoi(os.Getenv("RETENTION_BENCH_APPLY")); err == nil && v > 0 {
		n = v
	}
	p, _ := ParsePolicy("decided=30d,incomplete=30d")
	var deleted int
	var spent time.Duration
	for range b.N {
		b.StopTimer()
		w := newWorld(b, dbtest.SQLite(b), n)
		b.StartTimer()
		start := time.Now()
		run, err := w.applier(w.api, "bench").Apply(context.Background(), p, ScheduleActor)
		if err != nil {
			b.Fatal(err)
		}
		spent += time.Since(start)
		deleted += run.Deleted
	}
	b.ReportMetric(float64(deleted)/float64(b.N), "deleted/run")
	b.ReportMetric(float64(spent.Milliseconds())/float64(max(deleted, 1)), "ms/customer")
}
