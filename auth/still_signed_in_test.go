package auth

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestStillSignedIn: a session a long request loaded earlier is checked again against what is
// stored now — sign-out, revocation, a disabled user, the idle and absolute timeouts — and the
// check itself never counts as activity.
func TestStillSignedIn(t *testing.T) {
	tests := []struct {
		name   string
		change func(ctx context.Context, svc *Service, db *sqlStore, clock *fakeClock, userID string) error
		holds  bool
	}{
		{"nothing changed", func(context.Context, *Service, *sqlStore, *fakeClock, string) error { return nil }, true},
		{"revoked", func(ctx context.Context, svc *Service, _ *sqlStore, _ *fakeClock, id string) error {
			return svc.RevokeSessions(ctx, id)
		}, false},
		{"disabled", func(ctx context.Context, svc *Service, _ *sqlStore, _ *fakeClock, id string) error {
			_, err := svc.SetDisabled(ctx, id, true)
			return err
		}, false},
		{"disabled behind the service's back", func(ctx context.Context, _ *Service, db *sqlStore, _ *fakeClock, id string) error {
			_, err := db.UpdateUser(ctx, id, func(su *StoredUser) error { su.Disabled = true; return nil })
			return err
		}, false},
		{"role changed", func(ctx context.Context, svc *Service, _ *sqlStore, _ *fakeClock, id string) error {
			_, err := svc.SetRole(ctx, id, RoleAuditor)
			return err
		}, false},
		{"idle timeout", func(_ context.Context, _ *Service, _ *sqlStore, clock *fakeClock, _ string) error {
			clock.Advance(30 * time.Minute)
			return nil
		}, false},
		{"just inside the idle timeout", func(_ context.Context, _ *Service, _ *sqlStore, clock *fakeClock, _ string) error {
			clock.Advance(29 * time.Minute)
			return nil
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, db, clock := newTestEnv(t, nil)
			mustCreateUser(t, svc, "admin@example.com", RoleAdmin)
			u := mustCreateUser(t, svc, "alice@example.com", RoleReviewer)
			c := login(t, svc.Sessions(), u, nil)
			_, ws, err := svc.SignedInUser(request(c))
			if err != nil {
				t.Fatal(err)
			}
			if err := tt.change(t.Context(), svc, db, clock, u.ID); err != nil {
				t.Fatal(err)
			}
			got, err := svc.StillSignedIn(t.Context(), ws)
			if holds := err == nil; holds != tt.holds {
				t.Fatalf("got %v, want holding %v", err, tt.holds)
			}
			if err != nil && !errors.Is(err, ErrUnauthenticated) {
				t.Errorf("got %v, want ErrUnauthenticated", err)
			}
			if err == nil && (got.ID != u.ID || got.Role != RoleReviewer) {
				t.Errorf("got user %+v, want alice the reviewer", got)
			}
		})
	}
}

// TestStillSignedInIsNotActivity: checking a session over and over, as a stream does on every
// tick, never keeps it alive past the idle timeout; only requests do. The absolute timeout ends it
// however active it is.
func TestStillSignedInIsNotActivity(t *testing.T) {
	svc, _, clock := newTestEnv(t, nil)
	u := mustCreateUser(t, svc, "alice@example.com", RoleReviewer)
	c := login(t, svc.Sessions(), u, nil)
	_, ws, err := svc.SignedInUser(request(c))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 14 { // 28 minutes of ticks
		clock.Advance(2 * time.Minute)
		if _, err := svc.StillSignedIn(t.Context(), ws); err != nil {
			t.Fatalf("after %d minutes of stream ticks: %v", 2*(i+1), err)
		}
	}
	clock.Advance(3 * time.Minute) // 31 minutes without a request
	if _, err := svc.StillSignedIn(t.Context(), ws); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("31 minutes of stream ticks and no request: got %v, want ErrUnauthenticated", err)
	}

	c = login(t, svc.Sessions(), u, nil)
	_, ws, err = svc.SignedInUser(request(c))
	if err != nil {
		t.Fatal(err)
	}
	for range 12 * 3 { // a request every 20 minutes keeps it alive, for 12 hours only
		clock.Advance(20 * time.Minute)
		if _, _, err := svc.SignedInUser(request(c)); err != nil {
			break
		}
	}
	if _, err := svc.StillSignedIn(t.Context(), ws); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("past the absolute timeout: got %v, want ErrUnauthenticated", err)
	}
}
