package review

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/database"
	"github.com/hiveconsole/hiveconsole/database/dbtest"
)

// colleague adds another reviewer to the database the ledger keeps.
func colleague(t *testing.T, db *database.DB, email string) auth.User {
	t.Helper()
	staff, err := auth.NewService(t.Context(), db, auth.Config{BaseURL: "http://127.0.0.1:8080",
		SessionKeys: [][]byte{[]byte("0123456789abcdef0123456789abcdef")}})
	if err != nil {
		t.Fatal(err)
	}
	u, err := staff.CreateUser(t.Context(), auth.NewUser{Email: email, Name: "Colleague", Role: auth.RoleReviewer,
		Password: "plinth-otter-marsh-43"})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func heldBy(t *testing.T, err error, email string) {
	t.Helper()
	var held *HeldError
	if !errors.As(err, &held) || held.Claim.Email != email {
		t.Fatalf("got %v, want a HeldError naming %s", err, email)
	}
}

func TestClaims(t *testing.T) { forEachDatabase(t, testClaims) }

func testClaims(t *testing.T, open func(testing.TB) *database.DB) {
	l, db, clock, ana := reviewEnv(t, open)
	ben := colleague(t, db, "ben@example.com")
	ctx := t.Context()

	c, err := l.Claim(ctx, "chk-1", ana)
	if err != nil || c.UserID != ana.ID || c.Email != ana.Email || c.Assigned() {
		t.Fatalf("Claim a free check = %+v, %v", c, err)
	}
	_, err = l.Claim(ctx, "chk-1", ben)
	heldBy(t, err, ana.Email)

	// Activity keeps a claim; past the claim time without any, it lapses and another may take it.
	clock.Advance(20 * time.Minute)
	if err := l.Touch(ctx, "chk-1", ana.ID); err != nil {
		t.Fatal(err)
	}
	clock.Advance(20 * time.Minute)
	_, err = l.Claim(ctx, "chk-1", ben)
	heldBy(t, err, ana.Email)
	if got, ok, err := l.ClaimOf(ctx, "chk-1"); err != nil || !ok || got.Email != ana.Email || !got.ClaimedAt.Equal(c.ClaimedAt) {
		t.Fatalf("ClaimOf after activity = %+v, %v, %v; want Ana's claim as taken", got, ok, err)
	}
	clock.Advance(DefaultClaimTTL)
	if _, ok, err := l.ClaimOf(ctx, "chk-1"); err != nil || ok {
		t.Fatalf("ClaimOf a lapsed claim = %v, %v; want nobody", ok, err)
	}
	if c, err := l.Claim(ctx, "chk-1", ben); err != nil || c.Email != ben.Email {
		t.Fatalf("Claim a lapsed check = %+v, %v; want Ben's", c, err)
	}

	// An assignment replaces whoever held the check and does not lapse.
	prev, err := l.Assign(ctx, "chk-1", ana, "admin@example.com")
	if err != nil || prev.Email != ben.Email {
		t.Fatalf("Assign = previous %+v, %v; want Ben's claim", prev, err)
	}
	clock.Advance(10 * DefaultClaimTTL)
	_, err = l.Claim(ctx, "chk-1", ben)
	heldBy(t, err, ana.Email)
	if c, err := l.Claim(ctx, "chk-1", ana); err != nil || c.AssignedBy != "admin@example.com" {
		t.Fatalf("the assignee claiming = %+v, %v; want the assignment kept", c, err)
	}

	// Only the holder releases, unless an admin does.
	_, err = l.Release(ctx, "chk-1", ben.ID, false)
	heldBy(t, err, ana.Email)
	if c, err := l.Release(ctx, "chk-1", ben.ID, true); err != nil || c.Email != ana.Email {
		t.Fatalf("an admin's release = %+v, %v", c, err)
	}
	if _, err := l.Release(ctx, "chk-1", ana.ID, false); !errors.Is(err, ErrNotHeld) {
		t.Fatalf("release of a free check: %v, want ErrNotHeld", err)
	}
	if c, err := l.Claim(ctx, "chk-1", ben); err != nil || c.Email != ben.Email {
		t.Fatalf("claim after release = %+v, %v", c, err)
	}
	if _, err := l.Release(ctx, "chk-1", ben.ID, false); err != nil {
		t.Fatalf("the holder's release: %v", err)
	}
}

// TestDecisionOnAHeldCheck: a decision on a check someone else holds stores nothing and names them; the
// holder's decision ends the claim.
func TestDecisionOnAHeldCheck(t *testing.T) { forEachDatabase(t, testDecisionOnAHeldCheck) }

func testDecisionOnAHeldCheck(t *testing.T, open func(testing.TB) *database.DB) {
	l, db, _, ana := reviewEnv(t, open)
	ben := colleague(t, db, "ben@example.com")
	ctx := t.Context()
	if _, err := l.Claim(ctx, "chk-1", ana); err != nil {
		t.Fatal(err)
	}
	_, err := l.Record(ctx, review(ben, "chk-1", nil), nil)
	heldBy(t, err, ana.Email)
	if got, err := l.ForCheck(ctx, "chk-1"); err != nil || len(got) != 0 {
		t.Fatalf("reviews after the refused decision = %+v, %v; want none", got, err)
	}
	mustRecord(t, l, review(ana, "chk-1", nil))
	if _, ok, _ := l.ClaimOf(ctx, "chk-1"); ok {
		t.Error("the claim holds after its holder's decision")
	}
	// A decision on a free check needs no claim first, and leaves none.
	mustRecord(t, l, review(ben, "chk-2", nil))
	if n := dbtest.CountRows(t, db, "check_claims"); n != 0 {
		t.Errorf("claims after two decisions = %d, want 0", n)
	}
}

// TestClaimRace: many reviewers claiming one check at once, through one or two console processes
// (replicas) on the same database, get it once.
func TestClaimRace(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		db := dbtest.SQLite(t)
		testClaimRace(t, db, db)
	})
	t.Run("postgres two replicas", func(t *testing.T) {
		url := dbtest.Schema(t, "claims")
		var dbs [2]*database.DB
		for i := range dbs {
			db, err := database.OpenPostgres(t.Context(), url)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			dbs[i] = db
		}
		testClaimRace(t, dbs[0], dbs[1])
	})
}

func testClaimRace(t *testing.T, one, two *database.DB) {
	const reviewers, checks = 8, 20
	users := make([]auth.User, reviewers)
	for i := range users {
		users[i] = colleague(t, one, fmt.Sprintf("r%d@example.com", i))
	}
	ledgers := []*Ledger{New(one, nil, 0), New(two, nil, 0)}
	for c := range checks {
		id := fmt.Sprintf("chk-%d", c)
		var wins sync.Map
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, u := range users {
			wg.Go(func() {
				<-start
				_, err := ledgers[i%2].Claim(t.Context(), id, u)
				var held *HeldError
				switch {
				case err == nil:
					wins.Store(u.Email, true)
				case !errors.As(err, &held):
					t.Errorf("claim %s by %s: %v", id, u.Email, err)
				}
			})
		}
		close(start)
		wg.Wait()
		n := 0
		wins.Range(func(any, any) bool { n++; return true })
		holder, ok, err := ledgers[0].ClaimOf(t.Context(), id)
		if n != 1 || err != nil || !ok {
			t.Fatalf("%s: %d reviewers got it (holder %+v, %v); want exactly one", id, n, holder, err)
		}
		if _, won := wins.Load(holder.Email); !won {
			t.Fatalf("%s is held by %s, who was refused", id, holder.Email)
		}
	}
}
