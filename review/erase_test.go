package review

import (
	"strings"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/database"
)

// TestEraseNotes: the notes of the decisions on a customer's checks give their text for its
// SHA-256, once; the decisions keep everything else; other customers' notes stay; no other change
// gets past the immutability triggers.
func TestEraseNotes(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, open func(testing.TB) *database.DB) {
		l, db, clock, u := reviewEnv(t, open)
		ctx := t.Context()
		record := func(check, customer, note string) {
			clock.Advance(time.Minute)
			if _, err := l.Record(ctx, Review{CheckID: check, CustomerID: customer, Decision: Approve, Note: note,
				ReviewerID: u.ID, ReviewerEmail: u.Email}, DefaultRejectReasons); err != nil {
				t.Fatal(err)
			}
		}
		record("chk_1", "cus_1", "Her address matches the utility bill")
		record("chk_2", "", "No customer known when decided") // found by the check
		record("chk_3", "cus_2", "Another customer")
		n, err := l.EraseNotes(ctx, "cus_1", []string{"chk_1", "chk_2"})
		if err != nil || n != 2 {
			t.Fatalf("EraseNotes: %d %v", n, err)
		}
		for _, check := range []string{"chk_1", "chk_2"} {
			got, err := l.ForCheck(ctx, check)
			if err != nil || len(got) != 1 || !strings.HasPrefix(got[0].Note, "sha256:") || len(got[0].Note) != 71 || got[0].ErasedAt.IsZero() ||
				got[0].Decision != Approve || got[0].ReviewerEmail != u.Email {
				t.Errorf("%s after erasing: %+v %v", check, got, err)
			}
		}
		if got, _ := l.ForCheck(ctx, "chk_3"); got[0].Note != "Another customer" {
			t.Errorf("another customer's decision reads %q", got[0].Note)
		}
		if n, err := l.EraseNotes(ctx, "cus_1", []string{"chk_1", "chk_2"}); err != nil || n != 0 {
			t.Errorf("erasing again: %d %v", n, err)
		}
		for name, q := range map[string]string{
			"edit a note":        `UPDATE reviews SET note = 'changed' WHERE check_id = 'chk_3'`,
			"erase and redecide": `UPDATE reviews SET note = 'sha256:` + strings.Repeat("a", 64) + `', erased_at = 1, decision = 'reject', reason = 'face_mismatch' WHERE check_id = 'chk_3'`,
			"erase with no hash": `UPDATE reviews SET note = 'gone', erased_at = 1 WHERE check_id = 'chk_3'`,
			"delete":             `DELETE FROM reviews WHERE check_id = 'chk_1'`,
		} {
			if _, err := db.Exec(ctx, q); err == nil {
				t.Errorf("%s: the database let it through", name)
			}
		}
	})
}
