package audit

import (
	"errors"
	"strings"
	"testing"

	"github.com/hiveconsole/hiveconsole/database"
)

// TestSealedPersonalData: an event's personal data is stored sealed (the row's text holds none of
// it), read back merged into the details; once the subject is shredded the rows say it was erased,
// still say who did what to which id, and the chain verifies; later rows about the subject keep no
// personal data; another subject's stay readable.
func TestSealedPersonalData(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, open func(testing.TB) *database.DB) {
		db := open(t)
		tr := New(db, newFakeClock().Now)
		ctx := t.Context()
		update := func(customer, before, after string) Event {
			return Event{ActorID: "u1", ActorEmail: "rita@example.com", Action: "customer.update", TargetType: "customer", TargetID: customer,
				Outcome: OutcomeSuccess, Details: map[string]any{"fields": 1}, Subject: CustomerSubject(customer),
				Personal: map[string]any{"changes": map[string]any{"email": map[string]any{"before": before, "after": after}}}}
		}
		for _, e := range []Event{update("cus_1", "grace@example.com", "grace.hopper@example.com"), update("cus_2", "ada@example.com", "ada.l@example.com")} {
			if err := tr.Record(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		var stored string
		if err := db.QueryRow(ctx, `SELECT details FROM audit_events WHERE seq = 1`).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(stored, "grace") || !strings.Contains(stored, `"sealed"`) || !strings.Contains(stored, `"fields":1`) {
			t.Errorf("the stored details: %s", stored)
		}
		rows, _, err := tr.Events(ctx, Query{TargetID: "cus_1"})
		if err != nil || len(rows) != 1 {
			t.Fatalf("Events: %v %v", rows, err)
		}
		changes, _ := rows[0].Details["changes"].(map[string]any)
		if email, _ := changes["email"].(map[string]any); email["after"] != "grace.hopper@example.com" || rows[0].Details["fields"] == nil || rows[0].Details[sealedKey] != nil {
			t.Errorf("read back: %v", rows[0].Details)
		}

		if err := tr.Shred(ctx, CustomerSubject("cus_1")); err != nil {
			t.Fatal(err)
		}
		if err := tr.Record(ctx, update("cus_1", "x@example.com", "y@example.com")); err != nil {
			t.Fatal(err)
		}
		var later string
		if err := db.QueryRow(ctx, `SELECT details FROM audit_events WHERE seq = 3`).Scan(&later); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(later, "example.com") || strings.Contains(later, `"data"`) {
			t.Errorf("a row about a shredded subject keeps personal data: %s", later)
		}
		var seen []Entry
		if err := tr.Each(ctx, Query{}, func(e Entry) error { seen = append(seen, e); return nil }); err != nil {
			t.Fatal(err)
		}
		for _, e := range seen {
			erased := e.Details[ErasedKey] == erasedNote
			if e.TargetID == "cus_1" && (!erased || e.Details["changes"] != nil || e.ActorEmail != "rita@example.com" || e.Action != "customer.update") {
				t.Errorf("a shredded row reads %+v", e)
			}
			if e.TargetID == "cus_2" && (erased || e.Details["changes"] == nil) {
				t.Errorf("another subject's row reads %+v", e)
			}
		}
		if v, err := tr.Verify(ctx); err != nil || v.BrokenSeq != 0 || v.Rows != 3 {
			t.Errorf("Verify after shredding: %+v %v", v, err)
		}
		var keys int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM audit_keys WHERE subject = ? AND key IS NULL AND shredded_at IS NOT NULL`,
			CustomerSubject("cus_1")).Scan(&keys); err != nil || keys != 1 {
			t.Errorf("the shredded key's row: %d %v", keys, err)
		}

		// Callers cannot forge a sealed value, nor seal without a subject.
		forged := update("cus_3", "a@example.com", "b@example.com")
		forged.Details = map[string]any{sealedKey: map[string]any{"subject": "customer:cus_3", "data": "AAAA"}}
		if err := tr.Record(ctx, forged); !errors.Is(err, ErrInvalidEvent) {
			t.Errorf("details carrying a sealed value: %v, want ErrInvalidEvent", err)
		}
		anonymous := update("cus_3", "a@example.com", "b@example.com")
		anonymous.Subject = ""
		if err := tr.Record(ctx, anonymous); !errors.Is(err, ErrInvalidEvent) {
			t.Errorf("personal data without a subject: %v, want ErrInvalidEvent", err)
		}
	})
}
