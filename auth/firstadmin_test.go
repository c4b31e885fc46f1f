package auth

import (
	"errors"
	"testing"
)

func TestEnsureFirstAdmin(t *testing.T) {
	t.Run("generated password", func(t *testing.T) {
		svc, _, _ := newTestEnv(t, nil)
		created, password, err := svc.EnsureFirstAdmin(t.Context(), "", "")
		if err != nil || !created {
			t.Fatalf("EnsureFirstAdmin = %v, %v; want created", created, err)
		}
		if msg := svc.policy.check(password, DefaultAdminEmail); msg != "" || len(password) < 20 {
			t.Errorf("generated password %q: policy says %q; want a long acceptable one", password, msg)
		}
		u, err := svc.Authenticate(t.Context(), DefaultAdminEmail, password, testAddr)
		if err != nil || u.Role != RoleAdmin {
			t.Fatalf("signing in with the generated password: %+v, %v; want an admin", u, err)
		}
		again, password2, err := svc.EnsureFirstAdmin(t.Context(), "", "")
		if err != nil || again || password2 != "" {
			t.Errorf("second call = %v, %q, %v; want nothing created, no password", again, password2, err)
		}
		if users, _ := svc.ListUsers(t.Context()); len(users) != 1 {
			t.Errorf("users = %d, want 1", len(users))
		}
	})
	t.Run("configured password", func(t *testing.T) {
		svc, _, _ := newTestEnv(t, nil)
		created, generated, err := svc.EnsureFirstAdmin(t.Context(), "Boss@Example.com", testPassword)
		if err != nil || !created || generated != "" {
			t.Fatalf("EnsureFirstAdmin = %v, %q, %v; want created with no generated password", created, generated, err)
		}
		if _, err := svc.Authenticate(t.Context(), "boss@example.com", testPassword, testAddr); err != nil {
			t.Errorf("sign in: %v", err)
		}
	})
	t.Run("weak configured password refused", func(t *testing.T) {
		svc, _, _ := newTestEnv(t, nil)
		_, _, err := svc.EnsureFirstAdmin(t.Context(), "", "password1234")
		var verrs ValidationErrors
		if !errors.As(err, &verrs) || verrs.Message("password") == "" {
			t.Errorf("got %v, want a password field error", err)
		}
	})
	t.Run("not while any user exists", func(t *testing.T) {
		svc, _, _ := newTestEnv(t, nil)
		mustCreateUser(t, svc, "someone@example.com", RoleSupport)
		created, password, err := svc.EnsureFirstAdmin(t.Context(), "admin@example.com", testPassword)
		if err != nil || created || password != "" {
			t.Errorf("with a user present = %v, %q, %v; want nothing created", created, password, err)
		}
		if _, err := svc.UserByEmail(t.Context(), "admin@example.com"); !errors.Is(err, ErrUserNotFound) {
			t.Errorf("admin lookup: got %v, want ErrUserNotFound", err)
		}
	})
}

func TestGeneratePassword(t *testing.T) {
	seen := map[string]bool{}
	for range 50 {
		p := GeneratePassword()
		if len(p) != 27 || p[6] != '-' || p[13] != '-' || p[20] != '-' {
			t.Fatalf("GeneratePassword() = %q, want four groups of six", p)
		}
		if seen[p] {
			t.Fatalf("GeneratePassword repeated %q", p)
		}
		seen[p] = true
	}
}
