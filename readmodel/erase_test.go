package readmodel

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/database"
	"github.com/hiveconsole/hiveconsole/hive"
)

// dump is every row of table as text, each value formatted, for searching.
func dump(t *testing.T, db *database.DB, table string) []string {
	t.Helper()
	rows, err := db.Query(context.Background(), `SELECT * FROM `+table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, v := range vals {
			if bs, ok := v.([]byte); ok {
				v = string(bs)
			}
			fmt.Fprintf(&b, "%v\x1f", v)
		}
		out = append(out, b.String())
	}
	return out
}

// TestEraseCustomer: after EraseCustomer, no table of the copy holds the customer's email, document
// number, MRZ hash or device hashes; the customer, their sessions and checks are marked deleted
// and keep their ids; another customer is untouched; erasing again is harmless.
func TestEraseCustomer(t *testing.T) {
	each(t, func(t *testing.T, open func(testing.TB) *database.DB) {
		w := newWorld(t, open, 12)
		w.pass()
		ctx := context.Background()
		var id, email, doc, mrz, devices string
		err := w.db.QueryRow(ctx, `SELECT c.id, c.email, r.doc_number, r.mrz_hash, r.device_hashes FROM hive_customers c
			JOIN hive_checks k ON k.customer_id = c.id JOIN hive_reports r ON r.check_id = k.id
			WHERE r.doc_number IS NOT NULL AND r.mrz_hash IS NOT NULL ORDER BY c.id LIMIT 1`).Scan(&id, &email, &doc, &mrz, &devices)
		if err != nil {
			t.Fatalf("no customer with a stored report: %v", err)
		}
		var other string
		if err := w.db.QueryRow(ctx, `SELECT email FROM hive_customers WHERE id <> ? ORDER BY id LIMIT 1`, id).Scan(&other); err != nil {
			t.Fatal(err)
		}
		secrets := []string{email, doc, mrz}
		if d := strings.Trim(devices, `[]"`); d != "" {
			secrets = append(secrets, strings.Split(d, `","`)[0])
		}
		checks, err := w.store.EraseCustomer(ctx, id)
		if err != nil || len(checks) == 0 {
			t.Fatalf("EraseCustomer: %v %v", checks, err)
		}
		for _, table := range []string{"hive_customers", "hive_sessions", "hive_checks", "hive_files", "hive_reports", "hive_identifiers", "hive_concerns"} {
			for _, row := range dump(t, w.db, table) {
				for _, s := range secrets {
					if strings.Contains(row, s) {
						t.Errorf("%s still holds %q: %s", table, s, row)
					}
				}
			}
		}
		if !slices.Contains(w.ids(Customers, true), id) {
			t.Error("the erased customer is not marked deleted")
		}
		for _, c := range checks {
			if !slices.Contains(w.ids(Checks, true), c) {
				t.Errorf("check %s is not marked deleted", c)
			}
		}
		if got := w.strings(`SELECT email FROM hive_customers WHERE email = ?`, other); len(got) != 1 {
			t.Error("another customer's email went too")
		}
		again, err := w.store.EraseCustomer(ctx, id)
		if err != nil || !slices.Equal(again, checks) {
			t.Errorf("erasing again: %v %v", again, err)
		}

		// A pass that read the customer from Hive before the deletion writes nothing back: the
		// sandbox still has them, as Hive has for a pass that began a moment earlier. Neither does a
		// write through, nor a report fetched late.
		w.pass()
		cust, err := w.api.GetCustomer(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.store.PutCustomer(ctx, cust); err != nil {
			t.Fatal(err)
		}
		for _, c := range checks {
			ch, err := w.api.GetCheck(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			if err := w.store.PutCheck(ctx, ch); err != nil {
				t.Fatal(err)
			}
			if ch.ReportID == nil {
				continue
			}
			r, err := w.api.GetReport(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			if err := w.store.PutReport(ctx, ch, r); err != nil {
				t.Fatal(err)
			}
		}
		for _, table := range []string{"hive_customers", "hive_sessions", "hive_checks", "hive_files", "hive_reports", "hive_identifiers"} {
			for _, row := range dump(t, w.db, table) {
				for _, s := range secrets {
					if strings.Contains(row, s) {
						t.Errorf("after a stale pass, %s holds %q again: %s", table, s, row)
					}
				}
			}
		}

		// A session and a check the copy had not seen, written after the erasure (a pass read them
		// from Hive just before the deletion), with a report: the next pass's end erases them too.
		now := time.Now().UTC()
		if err := w.store.PutSession(ctx, &hive.Session{ID: "ses_late", CustomerID: id, FullName: "Late Name", Email: "late@example.org",
			ApplicationID: "app", WorkspaceID: "ws", Status: "completed", CreatedAt: now, UpdatedAt: now, ExpiresAt: now}); err != nil {
			t.Fatal(err)
		}
		late, err := w.api.GetCheck(ctx, checks[0])
		if err != nil {
			t.Fatal(err)
		}
		report, err := w.api.GetReport(ctx, late.ID)
		if err != nil {
			t.Fatal(err)
		}
		late.ID, late.SessionID = "chk_late", "ses_late"
		if err := w.store.PutCheck(ctx, late); err != nil {
			t.Fatal(err)
		}
		if err := w.store.PutReport(ctx, late, report); err != nil {
			t.Fatal(err)
		}
		if got := w.strings(`SELECT email FROM hive_sessions WHERE id = 'ses_late'`); len(got) != 1 || got[0] != "late@example.org" {
			t.Fatalf("the late session: %v", got)
		}
		if n, err := w.store.EraseStragglers(ctx, time.Now().Add(-time.Hour)); err != nil || n != 1 {
			t.Fatalf("EraseStragglers: %d %v", n, err)
		}
		secrets = append(secrets, "late@example.org", "Late Name")
		for _, table := range []string{"hive_sessions", "hive_reports", "hive_identifiers"} {
			for _, row := range dump(t, w.db, table) {
				for _, s := range secrets {
					if strings.Contains(row, s) {
						t.Errorf("after the stragglers' erasure, %s holds %q: %s", table, s, row)
					}
				}
			}
		}
		if n, _ := w.store.EraseStragglers(ctx, time.Now().Add(-time.Hour)); n != 0 {
			t.Errorf("stragglers again: %d", n)
		}
	})
}
