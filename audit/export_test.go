package audit

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/database"
)

// TestRowsAbout: the rows about a check and its customer come out oldest first, each as it was
// stored; each checks against its hash after a round trip through JSON (nanoseconds and details
// intact), consecutive ones link, and any change to a field or a link is caught.
func TestRowsAbout(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, open func(testing.TB) *database.DB) {
		clock := newFakeClock()
		tr := New(open(t), clock.Now)
		ctx := t.Context()
		events := []Event{
			{ActorID: "u1", ActorEmail: "a@example.com", Action: "report.view", TargetType: "check", TargetID: "chk_1", Outcome: OutcomeSuccess},
			{ActorID: "u1", ActorEmail: "a@example.com", Action: "customer.update", TargetType: "customer", TargetID: "cus_1", Outcome: OutcomeSuccess,
				Details: map[string]any{"fields": []string{"email"}, "note": "Zoë \u00e9"}},
			{ActorID: "u2", ActorEmail: "b@example.com", Action: "report.view", TargetType: "check", TargetID: "chk_2", Outcome: OutcomeSuccess},
			{ActorID: "u2", ActorEmail: "b@example.com", Action: "review.decide", TargetType: "check", TargetID: "chk_1", Outcome: OutcomeSuccess},
		}
		for _, e := range events {
			clock.Advance(1234567 * time.Nanosecond)
			if err := tr.Record(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		var rows []Row
		err := tr.RowsAbout(ctx, []Target{{"check", "chk_1"}, {"customer", "cus_1"}}, func(r Row) error {
			rows = append(rows, r)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 3 || rows[0].Seq != 1 || rows[1].Seq != 2 || rows[2].Seq != 4 {
			t.Fatalf("rows about chk_1 and cus_1: %+v", rows)
		}
		raw, _ := json.Marshal(rows)
		var back []Row
		if err := json.Unmarshal(raw, &back); err != nil {
			t.Fatal(err)
		}
		for _, r := range back {
			if err := r.Check(); err != nil {
				t.Errorf("seq %d after JSON: %v", r.Seq, err)
			}
		}
		if err := CheckLink(back[0], back[1]); err != nil {
			t.Errorf("rows 1 and 2: %v", err)
		}
		if err := CheckLink(back[1], back[2]); err != nil {
			t.Errorf("rows 2 and 4 say nothing of each other, got %v", err)
		}
		for name, edit := range map[string]func(*Row){
			"details": func(r *Row) { r.DetailsJSON = `{"fields":["phone"],"note":"Zoë é"}` },
			"actor":   func(r *Row) { r.ActorEmail = "c@example.com" },
			"time":    func(r *Row) { r.Time = r.Time.Add(time.Nanosecond) },
			"version": func(r *Row) { r.HashVersion = 9 },
		} {
			r := back[1]
			edit(&r)
			if err := r.Check(); !errors.Is(err, ErrRowHash) {
				t.Errorf("a changed %s: %v, want ErrRowHash", name, err)
			}
		}
		relinked := back[1]
		relinked.PrevHash = back[2].Hash
		if err := CheckLink(back[0], relinked); !errors.Is(err, ErrRowLink) {
			t.Errorf("a row linked elsewhere: %v, want ErrRowLink", err)
		}
		head, ok, err := tr.Head(ctx)
		if err != nil || !ok || head.Seq != 4 || head.Check() != nil {
			t.Errorf("Head: %+v %v %v", head, ok, err)
		}
	})
}
