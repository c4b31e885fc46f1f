package auth

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/database"
)

// countHashes makes svc count argon2id computations.
func countHashes(svc *Service) *atomic.Int64 {
	var n atomic.Int64
	svc.hasher.observe = func() { n.Add(1) }
	return &n
}

func TestAuthenticateFailuresLookAlike(t *testing.T) {
	svc, _, clock := newTestEnv(t, nil)
	mustCreateUser(t, svc, "alice@example.com", RoleReviewer)
	bob := mustCreateUser(t, svc, "bob@example.com", RoleSupport)
	if _, err := svc.SetDisabled(t.Context(), bob.ID, true); err != nil {
		t.Fatal(err)
	}
	hashes := countHashes(svc)
	tests := []struct{ name, email, password string }{
		{"unknown email", "nobody@example.com", testPassword},
		{"wrong password", "alice@example.com", "wrong-password-entirely"},
		{"disabled user, right password", "bob@example.com", testPassword},
		{"password over the limit", "alice@example.com", testPassword + strings.Repeat("x", 600)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := hashes.Load()
			u, err := svc.Authenticate(t.Context(), tt.email, tt.password, testAddr)
			if err != ErrInvalidCredentials { // identity, not just errors.Is: the very same error value
				t.Errorf("err = %v, want ErrInvalidCredentials itself", err)
			}
			if u != (User{}) {
				t.Errorf("user = %+v, want the zero User", u)
			}
			if got := hashes.Load() - before; got != 1 {
				t.Errorf("argon2id computations = %d, want 1 (the same work on every path)", got)
			}
			clock.Advance(time.Hour) // keep the throttle out of this test
		})
	}
}

func TestAuthenticateSuccess(t *testing.T) {
	svc, _, clock := newTestEnv(t, nil)
	alice := mustCreateUser(t, svc, "alice@example.com", RoleReviewer)
	u, err := svc.Authenticate(t.Context(), "  Alice@EXAMPLE.com ", testPassword, testAddr)
	if err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	if u.ID != alice.ID {
		t.Errorf("user id = %s, want %s", u.ID, alice.ID)
	}
	if !u.LastLoginAt.Equal(clock.Now()) {
		t.Errorf("LastLoginAt = %v, want %v", u.LastLoginAt, clock.Now())
	}
	stored, err := svc.UserByID(t.Context(), alice.ID)
	if err != nil || !stored.LastLoginAt.Equal(clock.Now()) {
		t.Errorf("stored LastLoginAt = %v (err %v), want %v", stored.LastLoginAt, err, clock.Now())
	}
}

func TestAddressThrottle(t *testing.T) {
	svc, _, _ := newTestEnv(t, nil)
	mustCreateUser(t, svc, "alice@example.com", RoleReviewer)
	// Twenty failures spread over twenty accounts, so no account budget runs out.
	for i := range 20 {
		_, err := svc.Authenticate(t.Context(), "user"+string(rune('a'+i))+"@example.com", "wrong-password-entirely", testAddr)
		if !errors.Is(err, ErrInvalidCredentials) {
			t.Fatalf("failure %d: got %v, want ErrInvalidCredentials", i+1, err)
		}
	}
	if _, err := svc.Authenticate(t.Context(), "alice@example.com", testPassword, testAddr); !errors.Is(err, ErrThrottled) {
		t.Errorf("21st attempt from the same address: got %v, want ErrThrottled", err)
	}
	if _, err := svc.Authenticate(t.Context(), "alice@example.com", testPassword, netip.MustParseAddr("198.51.100.1")); err != nil {
		t.Errorf("from another address: %v, want success", err)
	}
}

func TestAddressThrottleGroupsIPv6By64(t *testing.T) {
	svc, _, _ := newTestEnv(t, func(c *Config) { c.AddressThrottle = ThrottlePolicy{MaxFailures: 2} })
	for _, a := range []string{"2001:db8:1:2::1", "2001:db8:1:2:ffff::9"} {
		svc.Authenticate(t.Context(), "x"+a+"@example.com", "wrong-password-entirely", netip.MustParseAddr(a))
	}
	if _, err := svc.Authenticate(t.Context(), "y@example.com", "wrong-password-entirely", netip.MustParseAddr("2001:db8:1:2::77")); !errors.Is(err, ErrThrottled) {
		t.Errorf("third attempt from the same /64: got %v, want ErrThrottled", err)
	}
	if _, err := svc.Authenticate(t.Context(), "y@example.com", "wrong-password-entirely", netip.MustParseAddr("2001:db8:1:3::1")); !errors.Is(err, ErrInvalidCredentials) {
		t.Errorf("from the next /64: got %v, want ErrInvalidCredentials", err)
	}
}

// TestThrottleHoldsUnderConcurrency fires many guesses at once: charging before hashing, in one
// transaction, means exactly the free failures get checked however the requests interleave, on
// either database.
func TestThrottleHoldsUnderConcurrency(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, open func(testing.TB) *sqlStore) {
		tests := []struct {
			name    string
			from    func(i int) netip.Addr
			checked int64
		}{
			{"one address", func(int) netip.Addr { return testAddr }, 5},          // the pair's free failures
			{"sixteen addresses", func(i int) netip.Addr { return addrN(i) }, 10}, // the account's
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				svc, _, _ := newTestEnvOn(t, open, nil)
				mustCreateUser(t, svc, "alice@example.com", RoleReviewer)
				var invalid, throttled atomic.Int64
				var wg sync.WaitGroup
				for i := range 16 {
					wg.Go(func() {
						_, err := svc.Authenticate(context.Background(), "alice@example.com", "wrong-password-entirely", tt.from(i))
						switch {
						case errors.Is(err, ErrInvalidCredentials):
							invalid.Add(1)
						case errors.Is(err, ErrThrottled):
							throttled.Add(1)
						default:
							t.Errorf("Authenticate: %v", err)
						}
					})
				}
				wg.Wait()
				if invalid.Load() != tt.checked || throttled.Load() != 16-tt.checked {
					t.Errorf("checked %d, throttled %d; want %d and %d", invalid.Load(), throttled.Load(), tt.checked, 16-tt.checked)
				}
			})
		}
	})
}

func TestThrottleSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	clock := newFakeClock()
	db, err := database.Open(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	svc := testService(t, &sqlStore{db: db}, clock, nil)
	for range 5 {
		svc.Authenticate(t.Context(), "alice@example.com", "wrong-password-entirely", testAddr)
	}
	db.Close()
	db2, err := database.Open(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	svc2 := testService(t, &sqlStore{db: db2}, clock, nil)
	if _, err := svc2.Authenticate(t.Context(), "alice@example.com", "wrong-password-entirely", testAddr); !errors.Is(err, ErrThrottled) {
		t.Errorf("after reopening the database: got %v, want ErrThrottled", err)
	}
}

func TestSpoofedForwardedForCannotEscapeAddressThrottle(t *testing.T) {
	svc, _, _ := newTestEnv(t, func(c *Config) { c.AddressThrottle = ThrottlePolicy{MaxFailures: 3} })
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	var last error
	for i := range 4 {
		r := request(nil)
		r.RemoteAddr = "203.0.113.50:41000"
		r.Header.Set("X-Forwarded-For", addrN(i).String()) // a fresh forged address every time
		_, last = svc.Authenticate(t.Context(), "u"+addrN(i).String()+"@example.com", "wrong-password-entirely", ClientIP(r, trusted))
	}
	if !errors.Is(last, ErrThrottled) {
		t.Errorf("fourth attempt with a forged X-Forwarded-For: got %v, want ErrThrottled", last)
	}
}

// addrN returns distinct documentation-range addresses.
func addrN(i int) netip.Addr { return netip.AddrFrom4([4]byte{192, 0, 2, byte(i + 1)}) }
