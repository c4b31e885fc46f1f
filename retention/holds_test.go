package retention

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/database"
	"github.com/hiveconsole/hiveconsole/database/dbtest"
	"github.com/hiveconsole/hiveconsole/internal/clocktest"
)

// staff makes an admin account in db for the holds' foreign keys.
func staff(t testing.TB, db *database.DB, email string) auth.User {
	t.Helper()
	id := "usr_" + email[:4]
	if _, err := db.Exec(t.Context(), `INSERT INTO users (id, email, name, role, password_hash, created_at, password_changed_at)
		VALUES (?, ?, ?, 'admin', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA', 0, 0)`, id, email, email); err != nil {
		t.Fatal(err)
	}
	return auth.User{ID: id, Email: email, Role: auth.RoleAdmin}
}

// TestLegalHolds: a hold is placed once, with a reason; a second is refused while it is in force,
// even when two admins place one at the same moment; its release takes a reason and leaves the
// history; a released customer can be held again.
func TestLegalHolds(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, open func(testing.TB) *database.DB) {
		db := open(t)
		clock := clocktest.New()
		holds := NewHolds(db, clock.Now)
		ctx := t.Context()
		ada, bob := staff(t, db, "ada@example.com"), staff(t, db, "bob@example.com")

		if _, err := holds.Place(ctx, "cus_1", ada, " a "); !errors.Is(err, ErrReason) {
			t.Errorf("a one-letter reason: %v, want ErrReason", err)
		}
		h, err := holds.Place(ctx, "cus_1", ada, "  Subpoena\n2026-114  ")
		if err != nil || h.Reason != "Subpoena 2026-114" || h.HeldBy != ada.Email || !h.InForce() {
			t.Fatalf("Place: %+v %v", h, err)
		}
		if _, err := holds.Place(ctx, "cus_1", bob, "Another matter"); !errors.Is(err, ErrHeld) {
			t.Errorf("a second hold: %v, want ErrHeld", err)
		}
		got, ok, err := holds.InForce(ctx, "cus_1")
		if err != nil || !ok || got.ID != h.ID {
			t.Errorf("InForce: %+v %v %v", got, ok, err)
		}
		if _, ok, _ := holds.InForce(ctx, "cus_2"); ok {
			t.Error("a customer never held is in force")
		}

		clock.Advance(24 * time.Hour)
		if _, err := holds.Release(ctx, "cus_2", bob, "Matter closed"); !errors.Is(err, ErrNotHeld) {
			t.Errorf("releasing a customer never held: %v, want ErrNotHeld", err)
		}
		rel, err := holds.Release(ctx, "cus_1", bob, "Matter closed")
		if err != nil || rel.InForce() || rel.ReleasedBy != bob.Email || rel.ReleaseReason != "Matter closed" || !rel.Released.After(rel.HeldAt) {
			t.Fatalf("Release: %+v %v", rel, err)
		}
		if _, err := holds.Release(ctx, "cus_1", bob, "Matter closed"); !errors.Is(err, ErrNotHeld) {
			t.Errorf("a second release: %v, want ErrNotHeld", err)
		}

		// Two admins at once: exactly one hold is placed.
		clock.Advance(time.Hour)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, u := range []auth.User{ada, bob} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = holds.Place(ctx, "cus_1", u, "Regulator's request")
			}()
		}
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) || !(errors.Is(errs[0], ErrHeld) || errors.Is(errs[1], ErrHeld)) {
			t.Errorf("two holds at once: %v, %v; want one placed and one ErrHeld", errs[0], errs[1])
		}
		hist, err := holds.History(ctx, "cus_1")
		if err != nil || len(hist) != 2 || !hist[0].InForce() || hist[1].InForce() {
			t.Errorf("History: %+v %v", hist, err)
		}
	})
}

func TestReasonProblem(t *testing.T) {
	for in, ok := range map[string]bool{"": false, "  ": false, "ab": false, "a  b": true, "Court order": true,
		string(make([]rune, 501)): false} {
		if got := ReasonProblem(in) == ""; got != ok {
			t.Errorf("ReasonProblem(%q) accepts: %v, want %v", in, got, ok)
		}
	}
}
