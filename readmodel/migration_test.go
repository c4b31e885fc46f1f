package readmodel

import (
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/database"
	"github.com/hiveconsole/hiveconsole/database/dbtest"
)

// TestIndexMigrationKeepsTheCopy: a copy written before migrations 7 and 8 comes through them
// whole: the search text loses the id and search still finds names, the tallies count the live rows,
// a check decided on before leaves the review queue, and stored reports' concerns count by reason.
func TestIndexMigrationKeepsTheCopy(t *testing.T) {
	dbtest.EachAt(t, func(t *testing.T, openAt dbtest.Opener) {
		ctx := context.Background()
		db := openAt(t, 6)
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := db.Exec(ctx, q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		for i, c := range []struct{ id, name, deleted string }{
			{"aaaa0001-0000-4000-8000-000000000001", "zoe muller", ""},
			{"bbbb0002-0000-4000-8000-000000000002", "jan de vries", ""},
			{"cccc0003-0000-4000-8000-000000000003", "gone person", "1"},
		} {
			var deleted any
			if c.deleted != "" {
				deleted = int64(1)
			}
			exec(`INSERT INTO hive_customers (id, email, full_name, name_key, search_names, search_contact, created_at,
				updated_at, pass, ord, digest, deleted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, 'd', ?)`,
				c.id, "x@example.com", c.name, c.name, c.name+"\n"+c.id, "x@example.com\n", 100+i, 100+i, i, deleted)
		}
		for i, id := range []string{"c0000001-0000-4000-8000-000000000001", "c0000002-0000-4000-8000-000000000002"} {
			exec(`INSERT INTO hive_checks (id, session_id, status, result, report_result, created_at, updated_at, pass, changed,
				ord, digest) VALUES (?, 's', 'complete', 'consider', 'consider', ?, ?, 1, 1, ?, 'd')`, id, 100+i, 100+i, i)
		}
		exec(`INSERT INTO hive_reports (check_id, report_id, result, breakdowns, concerns, device_hashes, ip_addresses, fetched_at)
			VALUES (?, 'r', 'consider', '[]', ?, '[]', '[]', 1)`, "c0000002-0000-4000-8000-000000000002",
			`[{"path":"facial/face_comparison/similarity","status":"consider","values":{"similarity":"0.08"}},{"path":"customer/ip/tor","status":"caution"}]`)
		staff, err := auth.NewService(ctx, db, auth.Config{BaseURL: "http://localhost",
			SessionKeys: [][]byte{[]byte(strings.Repeat("k", 32))}, HashParams: auth.DefaultHashParams()})
		if err != nil {
			t.Fatal(err)
		}
		u, err := staff.CreateUser(ctx, auth.NewUser{Email: "rev@example.com", Name: "Rev", Role: auth.RoleReviewer,
			Password: "a long enough password 1"})
		if err != nil {
			t.Fatal(err)
		}
		// A decision as the schema of the time took it (the ledger writes today's).
		exec(`INSERT INTO reviews (check_id, decision, note, reviewer_id, reviewer_email, created_at) VALUES (?, 'approve', 'fine', ?, ?, 1)`,
			"c0000001-0000-4000-8000-000000000001", u.ID, u.Email)

		if err := db.MigrateTo(ctx, database.Latest); err != nil {
			t.Fatal(err)
		}
		s := New(db, nil)
		w := &world{t: t, db: db, store: s}
		if got := w.strings(`SELECT search_names FROM hive_customers`); strings.Join(got, "|") != "gone person|jan de vries|zoe muller" {
			t.Errorf("search text after the migration: %q, want the names alone", got)
		}
		for search, want := range map[string]int{"muller": 1, "vries": 1, "bbbb0002": 1, "0000-4000": 0} {
			page, err := s.Customers(ctx, CustomerQuery{Search: search, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Rows) != want {
				t.Errorf("search %q after the migration: %d rows, want %d", search, len(page.Rows), want)
			}
		}
		w.tallied()
		queue, err := s.Checks(ctx, CheckQuery{Queue: true, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(queue.Rows) != 1 || queue.Rows[0].Check.ID != "c0000002-0000-4000-8000-000000000002" || queue.Total != 1 {
			t.Errorf("queue after the migration: %+v, want the check nobody decided on", queue)
		}
		// Migration 8 reads the stored summaries' concerns into rows the queue counts by.
		reasons, err := s.QueueReasons(ctx, QueueRule{})
		if err != nil {
			t.Fatal(err)
		}
		if want := map[string]int{"facial/face_comparison/similarity": 1, "customer/ip/tor": 1}; !maps.Equal(reasons, want) {
			t.Errorf("queue reasons after the migration: %v, want %v", reasons, want)
		}
	})
}
