package auth

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/database"
)

// BenchmarkAuthenticate measures sign-in throughput with 8 concurrent callers (SetParallelism(4) on
// this 2-core machine), for the three outcomes a caller must not be able to tell apart by timing.
// Throttles are set out of reach: this measures hashing and the database, not lockouts.
func BenchmarkAuthenticate(b *testing.B) {
	db, err := database.Open(context.Background(), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	unlimited, delayless := ThrottlePolicy{MaxFailures: 1 << 30, Window: time.Minute}, DelayPolicy{FreeFailures: 1 << 30}
	svc, err := NewService(context.Background(), db, Config{
		SessionKeys:     [][]byte{testKey('a')},
		PairThrottle:    delayless,
		AccountThrottle: delayless,
		AddressThrottle: unlimited,
	})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.CreateUser(context.Background(), NewUser{Email: "alice@example.com", Name: "Alice", Role: RoleReviewer, Password: testPassword}); err != nil {
		b.Fatal(err)
	}
	cases := []struct {
		name, email, password string
		want                  error
	}{
		{"success", "alice@example.com", testPassword, nil},
		{"wrong-password", "alice@example.com", "wrong-password-entirely", ErrInvalidCredentials},
		{"unknown-user", "nobody@example.com", testPassword, ErrInvalidCredentials},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetParallelism(4)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := svc.Authenticate(context.Background(), c.email, c.password, testAddr); !errors.Is(err, c.want) && err != c.want {
						b.Errorf("Authenticate: got %v, want %v", err, c.want)
					}
				}
			})
		})
	}
}

// BenchmarkAuthenticateLatency is one caller at a time: the per-attempt latency of each outcome,
// to compare the unknown-user and wrong-password paths without queueing noise.
func BenchmarkAuthenticateLatency(b *testing.B) {
	db, err := database.Open(context.Background(), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	unlimited, delayless := ThrottlePolicy{MaxFailures: 1 << 30, Window: time.Minute}, DelayPolicy{FreeFailures: 1 << 30}
	svc, err := NewService(context.Background(), db, Config{SessionKeys: [][]byte{testKey('a')},
		PairThrottle: delayless, AccountThrottle: delayless, AddressThrottle: unlimited})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.CreateUser(context.Background(), NewUser{Email: "alice@example.com", Name: "Alice", Role: RoleReviewer, Password: testPassword}); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct{ name, email, password string }{
		{"wrong-password", "alice@example.com", "wrong-password-entirely"},
		{"unknown-user", "nobody@example.com", testPassword},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := svc.Authenticate(context.Background(), c.email, c.password, testAddr); err != ErrInvalidCredentials {
					b.Fatalf("got %v, want ErrInvalidCredentials", err)
				}
			}
		})
	}
}
