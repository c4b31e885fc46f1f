package auth

import (
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/database"
	"github.com/hiveconsole/hiveconsole/database/dbtest"
)

const wrongPassword = "wrong-password-entirely"

// signInWaits makes up to n attempts with password from client, waiting out every delay the way a
// patient attacker would, and returns the RetryAfter of each refusal in order.
func signInWaits(t *testing.T, svc *Service, clock *fakeClock, email, password string, client netip.Addr, n int) []time.Duration {
	t.Helper()
	var waits []time.Duration
	for range n {
		_, err := svc.Authenticate(t.Context(), email, password, client)
		var te *ThrottledError
		switch {
		case errors.As(err, &te):
			waits = append(waits, te.RetryAfter)
			clock.Advance(te.RetryAfter)
		case !errors.Is(err, ErrInvalidCredentials):
			t.Fatalf("Authenticate(%s from %s): got %v, want ErrInvalidCredentials or ErrThrottled", email, client, err)
		}
	}
	return waits
}

func equalWaits(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestStrangerCannotLockOutOwner: however long someone keeps failing against an account from one
// address, the owner signing in from another is neither refused nor kept waiting.
func TestStrangerCannotLockOutOwner(t *testing.T) {
	svc, _, clock := newTestEnv(t, nil)
	alice := mustCreateUser(t, svc, "alice@example.com", RoleReviewer)
	stranger, owner := addrN(0), netip.MustParseAddr("198.51.100.20")
	signInWaits(t, svc, clock, "alice@example.com", wrongPassword, stranger, 41) // ends on a failure
	if _, err := svc.Authenticate(t.Context(), "alice@example.com", wrongPassword, stranger); !errors.Is(err, ErrThrottled) {
		t.Fatalf("the stranger's next attempt: got %v, want ErrThrottled", err)
	}
	u, err := svc.Authenticate(t.Context(), "alice@example.com", testPassword, owner)
	if err != nil || u.ID != alice.ID {
		t.Fatalf("the owner from another address: got %v, %v; want signed in", u.ID, err)
	}
	if _, err := svc.Authenticate(t.Context(), "alice@example.com", wrongPassword, stranger); !errors.Is(err, ErrThrottled) {
		t.Errorf("the stranger after the owner signed in: got %v, want still ErrThrottled", err)
	}
}

// TestPairDelayGrows: after five free failures from one address, each further attempt waits twice
// as long as the one before, up to half an hour, whether or not the account exists; a throttled
// attempt hashes nothing.
func TestPairDelayGrows(t *testing.T) {
	want := []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 16 * time.Minute,
		30 * time.Minute, 30 * time.Minute, 30 * time.Minute}
	for _, email := range []string{"alice@example.com", "ghost@example.com"} {
		t.Run(email, func(t *testing.T) {
			svc, _, clock := newTestEnv(t, nil)
			mustCreateUser(t, svc, "alice@example.com", RoleReviewer)
			hashes := countHashes(svc)
			for i := range 5 {
				if _, err := svc.Authenticate(t.Context(), email, wrongPassword, testAddr); !errors.Is(err, ErrInvalidCredentials) {
					t.Fatalf("free failure %d: got %v, want ErrInvalidCredentials", i+1, err)
				}
			}
			before := hashes.Load()
			if _, err := svc.Authenticate(t.Context(), email, wrongPassword, testAddr); !errors.Is(err, ErrThrottled) {
				t.Fatalf("sixth attempt at once: got %v, want ErrThrottled", err)
			}
			if got := hashes.Load() - before; got != 0 {
				t.Errorf("a throttled attempt ran %d hashes, want 0", got)
			}
			if got := signInWaits(t, svc, clock, email, wrongPassword, testAddr, 2*len(want)-1); !equalWaits(got, want) {
				t.Errorf("waits = %v, want %v", got, want)
			}
		})
	}
}

// TestSuccessClearsItsAddress: the owner's own mistakes slow only until they get it right.
func TestSuccessClearsItsAddress(t *testing.T) {
	svc, _, clock := newTestEnv(t, nil)
	mustCreateUser(t, svc, "alice@example.com", RoleReviewer)
	signInWaits(t, svc, clock, "alice@example.com", wrongPassword, testAddr, 7)
	var te *ThrottledError
	if _, err := svc.Authenticate(t.Context(), "alice@example.com", testPassword, testAddr); !errors.As(err, &te) {
		t.Fatalf("right password while delayed: got %v, want ErrThrottled", err)
	}
	clock.Advance(te.RetryAfter)
	if _, err := svc.Authenticate(t.Context(), "alice@example.com", testPassword, testAddr); err != nil {
		t.Fatalf("right password after the delay: %v", err)
	}
	for i := range 5 {
		if _, err := svc.Authenticate(t.Context(), "alice@example.com", wrongPassword, testAddr); !errors.Is(err, ErrInvalidCredentials) {
			t.Fatalf("failure %d after signing in: got %v, want free again", i+1, err)
		}
	}
}

// TestDistributedAttackIsSlowed: guesses spread over many addresses, each within its own free
// failures, still meet the account's delay: gentle, growing to a minute. It holds back every
// address except those the owner signed in from lately.
func TestDistributedAttackIsSlowed(t *testing.T) {
	svc, _, clock := newTestEnv(t, nil)
	mustCreateUser(t, svc, "alice@example.com", RoleReviewer)
	home := netip.MustParseAddr("198.51.100.20")
	if _, err := svc.Authenticate(t.Context(), "alice@example.com", testPassword, home); err != nil {
		t.Fatalf("the owner at home: %v", err)
	}
	for i := range 10 {
		if _, err := svc.Authenticate(t.Context(), "alice@example.com", wrongPassword, addrN(i)); !errors.Is(err, ErrInvalidCredentials) {
			t.Fatalf("free failure %d: got %v, want ErrInvalidCredentials", i+1, err)
		}
	}
	var waits []time.Duration
	for i := 10; len(waits) < 8; i++ {
		waits = append(waits, signInWaits(t, svc, clock, "alice@example.com", wrongPassword, addrN(i), 1)...)
	}
	want := []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 32 * time.Second,
		time.Minute, time.Minute, time.Minute}
	if !equalWaits(waits, want) {
		t.Errorf("waits of fresh addresses = %v, want %v", waits, want)
	}
	if _, err := svc.Authenticate(t.Context(), "alice@example.com", wrongPassword, addrN(40)); !errors.Is(err, ErrInvalidCredentials) {
		t.Fatalf("a fresh address once the minute is up: got %v, want ErrInvalidCredentials", err)
	}
	if _, err := svc.Authenticate(t.Context(), "alice@example.com", testPassword, netip.MustParseAddr("198.51.100.99")); !errors.Is(err, ErrThrottled) {
		t.Errorf("an address the owner never used, during the attack: got %v, want ErrThrottled", err)
	}
	if _, err := svc.Authenticate(t.Context(), "alice@example.com", testPassword, home); err != nil {
		t.Errorf("the owner at home, during the attack: got %v, want signed in", err)
	}
}

// TestKnownAddressIsForgotten: a month after the owner last signed in from an address, it is like
// any other again.
func TestKnownAddressIsForgotten(t *testing.T) {
	svc, _, clock := newTestEnv(t, nil)
	mustCreateUser(t, svc, "alice@example.com", RoleReviewer)
	home := netip.MustParseAddr("198.51.100.20")
	if _, err := svc.Authenticate(t.Context(), "alice@example.com", testPassword, home); err != nil {
		t.Fatal(err)
	}
	clock.Advance(31 * 24 * time.Hour)
	for i := range 10 {
		svc.Authenticate(t.Context(), "alice@example.com", wrongPassword, addrN(i))
	}
	if _, err := svc.Authenticate(t.Context(), "alice@example.com", testPassword, home); !errors.Is(err, ErrThrottled) {
		t.Errorf("home a month later, during an attack: got %v, want ErrThrottled", err)
	}
}

// TestClearSignInThrottle: an admin sees how an account is held back, from any address, and
// clearing it lets the next attempt from anywhere through at once; on either database.
func TestClearSignInThrottle(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, open func(testing.TB) *sqlStore) {
		svc, _, clock := newTestEnvOn(t, open, nil)
		alice := mustCreateUser(t, svc, "alice@example.com", RoleReviewer)
		bob := mustCreateUser(t, svc, "bob@example.com", RoleReviewer)
		home := netip.MustParseAddr("198.51.100.20")
		if _, err := svc.Authenticate(t.Context(), "alice@example.com", testPassword, home); err != nil {
			t.Fatal(err)
		}
		if st, err := svc.SignInThrottle(t.Context(), alice.ID); err != nil || st != (SignInThrottle{}) {
			t.Fatalf("after a sign-in: got %+v, %v; want nothing held back", st, err)
		}
		for i := range 5 {
			svc.Authenticate(t.Context(), "alice@example.com", wrongPassword, testAddr) // one address's free failures
			svc.Authenticate(t.Context(), "alice@example.com", wrongPassword, addrN(i))
		}
		svc.Authenticate(t.Context(), "bob@example.com", wrongPassword, testAddr)
		st, err := svc.SignInThrottle(t.Context(), alice.ID)
		want := SignInThrottle{DelayedUntil: clock.Now().Add(time.Minute), Everywhere: true, Failures: 10, Addresses: 6}
		if err != nil || st != want {
			t.Fatalf("during the attack: got %+v, %v; want %+v", st, err, want)
		}
		if err := svc.ClearSignInThrottle(t.Context(), alice.ID); err != nil {
			t.Fatal(err)
		}
		if st, err := svc.SignInThrottle(t.Context(), alice.ID); err != nil || st != (SignInThrottle{}) {
			t.Errorf("after clearing: got %+v, %v; want nothing held back", st, err)
		}
		for _, client := range []netip.Addr{testAddr, netip.MustParseAddr("198.51.100.99")} {
			if _, err := svc.Authenticate(t.Context(), "alice@example.com", wrongPassword, client); !errors.Is(err, ErrInvalidCredentials) {
				t.Errorf("from %s right after clearing: got %v, want the password checked", client, err)
			}
		}
		if st, _ := svc.SignInThrottle(t.Context(), bob.ID); st.Failures != 1 {
			t.Errorf("another account's failures after clearing = %d, want 1 (untouched)", st.Failures)
		}
		// The owner's home address is still known: a fresh attack does not hold them back there.
		for i := range 10 {
			svc.Authenticate(t.Context(), "alice@example.com", wrongPassword, addrN(10+i))
		}
		if _, err := svc.Authenticate(t.Context(), "alice@example.com", testPassword, home); err != nil {
			t.Errorf("the owner at home after clearing and a fresh attack: %v", err)
		}
		if _, err := svc.SignInThrottle(t.Context(), "usr_nope"); !errors.Is(err, ErrUserNotFound) {
			t.Errorf("unknown user: got %v, want ErrUserNotFound", err)
		}
		if err := svc.ClearSignInThrottle(t.Context(), "usr_nope"); !errors.Is(err, ErrUserNotFound) {
			t.Errorf("clearing an unknown user: got %v, want ErrUserNotFound", err)
		}
	})
}

// TestPurgeKeepsWhatStillCounts: the purge removes throttle rows only once nothing in them counts:
// no failure a policy still remembers, no delay, no address the owner signs in from.
func TestPurgeKeepsWhatStillCounts(t *testing.T) {
	svc, db, clock := newTestEnv(t, nil)
	mustCreateUser(t, svc, "alice@example.com", RoleReviewer)
	if _, err := svc.Authenticate(t.Context(), "alice@example.com", testPassword, testAddr); err != nil {
		t.Fatal(err)
	}
	signInWaits(t, svc, clock, "ghost@example.com", wrongPassword, addrN(1), 11) // ends delayed for 8 minutes
	steps := []struct {
		after time.Duration
		want  int
	}{
		{0, 4},                   // alice's known address; ghost's pair, account and address rows
		{23 * time.Hour, 4},      // ghost's failures are remembered for a day
		{2 * time.Hour, 1},       // alice's known address stays for 30 days
		{30 * 24 * time.Hour, 0}, // then nothing is left
	}
	for _, s := range steps {
		clock.Advance(s.after)
		if err := svc.PurgeExpired(t.Context()); err != nil {
			t.Fatal(err)
		}
		if n := dbtest.CountRows(t, db.db, "login_throttles"); n != s.want {
			t.Errorf("throttle rows %v later = %d, want %d", s.after, n, s.want)
		}
	}
}

// TestThrottleMigration rolls the throttle migration back and forth: rows written before it keep
// counting, and an account's row is found among the account's rows.
func TestThrottleMigration(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, open func(testing.TB) *sqlStore) {
		db := open(t)
		if err := db.db.MigrateDownTo(t.Context(), 3); err != nil {
			t.Fatalf("DownTo(3): %v", err)
		}
		if n := dbtest.SchemaObjects(t, db.db, "login_throttles_account"); n != 0 {
			t.Errorf("the account index after Down: %d objects, want 0", n)
		}
		acct, addr := accountKey("alice@example.com"), addressKey(testAddr)
		for _, key := range []string{acct, addr} {
			if _, err := db.db.SQL().ExecContext(t.Context(), db.db.Q(`INSERT INTO login_throttles
				(throttle_key, failures, window_start, locked_until, lockouts, updated_at) VALUES (?, 5, 100, 200, 1, 100)`), key); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.db.MigrateTo(t.Context(), database.Latest); err != nil {
			t.Fatalf("Up again: %v", err)
		}
		got, err := db.AccountThrottles(t.Context(), acct)
		want := []Throttle{{Key: acct, Account: acct, Failures: 5, WindowStart: database.FromUnix(100), LockedUntil: database.FromUnix(200),
			Lockouts: 1, UpdatedAt: database.FromUnix(100)}}
		if err != nil || len(got) != 1 || got[0] != want[0] {
			t.Errorf("the account's rows after Up = %+v, %v; want %+v", got, err, want)
		}
		if n := dbtest.CountRows(t, db.db, "login_throttles"); n != 2 {
			t.Errorf("rows after Up = %d, want 2", n)
		}
	})
}
