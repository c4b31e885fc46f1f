package auth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/database/dbtest"
)

// TestRevocationEndsEverySession replays each browser's old cookie after the change.
func TestRevocationEndsEverySession(t *testing.T) {
	tests := []struct {
		name   string
		change func(ctx context.Context, svc *Service, id string) error
		revoke bool
	}{
		{"RevokeSessions", func(ctx context.Context, svc *Service, id string) error { return svc.RevokeSessions(ctx, id) }, true},
		{"disable", func(ctx context.Context, svc *Service, id string) error {
			_, err := svc.SetDisabled(ctx, id, true)
			return err
		}, true},
		{"role change", func(ctx context.Context, svc *Service, id string) error {
			_, err := svc.SetRole(ctx, id, RoleAuditor)
			return err
		}, true},
		{"password reset", func(ctx context.Context, svc *Service, id string) error {
			return svc.SetPassword(ctx, id, "lantern-brook-quiet-88")
		}, true},
		{"own password change", func(ctx context.Context, svc *Service, id string) error {
			return svc.ChangePassword(ctx, id, testPassword, "lantern-brook-quiet-88")
		}, true},
		{"role set to the same role", func(ctx context.Context, svc *Service, id string) error {
			_, err := svc.SetRole(ctx, id, RoleReviewer)
			return err
		}, false},
		{"enabling an enabled user", func(ctx context.Context, svc *Service, id string) error {
			_, err := svc.SetDisabled(ctx, id, false)
			return err
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, _, _ := newTestEnv(t, nil)
			mustCreateUser(t, svc, "admin@example.com", RoleAdmin)
			u := mustCreateUser(t, svc, "alice@example.com", RoleReviewer)
			other := mustCreateUser(t, svc, "bob@example.com", RoleSupport)
			laptop := login(t, svc.Sessions(), u, nil)
			phone := login(t, svc.Sessions(), u, nil)
			bystander := login(t, svc.Sessions(), other, nil)
			if err := tt.change(t.Context(), svc, u.ID); err != nil {
				t.Fatalf("change: %v", err)
			}
			for name, c := range map[string]*http.Cookie{"laptop": laptop, "phone": phone} {
				ws := load(t, svc.Sessions(), c)
				if got := ws.Authenticated(); got == tt.revoke {
					t.Errorf("%s cookie replayed: signed in %v, want %v", name, got, !tt.revoke)
				}
			}
			if ws := load(t, svc.Sessions(), bystander); ws.UserID() != other.ID {
				t.Errorf("another user's session: user %q, want %q untouched", ws.UserID(), other.ID)
			}
		})
	}
}

func TestLogoutEndsTheSession(t *testing.T) {
	svc, _, _ := newTestEnv(t, nil)
	store := svc.Sessions()
	u := mustCreateUser(t, svc, "alice@example.com", RoleReviewer)
	c := login(t, store, u, nil)
	other := login(t, store, u, nil)
	r, w := request(c), httptest.NewRecorder()
	ws, err := store.Load(r)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Logout(w, r); err != nil {
		t.Fatal(err)
	}
	if ws.Authenticated() {
		t.Error("the request's session still reads as signed in after Logout")
	}
	// A flash added after logout goes into a fresh anonymous session.
	ws.AddFlash("Signed out")
	if err := ws.Save(r, w); err != nil {
		t.Fatal(err)
	}
	if replay := load(t, store, c); replay.Authenticated() {
		t.Error("the logged-out cookie still signs in")
	}
	if ws := load(t, store, other); !ws.Authenticated() {
		t.Error("logout ended the user's other session; only this browser's should end")
	}
	var flash *http.Cookie
	for _, sc := range w.Result().Cookies() {
		if sc.Name == store.CookieName() && sc.MaxAge > 0 {
			flash = sc
		}
	}
	if flash == nil {
		t.Fatal("no new cookie for the post-logout flash")
	}
	if got := load(t, store, flash).Flashes(); len(got) != 1 || got[0] != "Signed out" {
		t.Errorf("flashes after logout = %v, want [Signed out]", got)
	}
}

func TestSaveAfterRevocationDoesNotResurrect(t *testing.T) {
	svc, _, _ := newTestEnv(t, nil)
	store := svc.Sessions()
	u := mustCreateUser(t, svc, "alice@example.com", RoleReviewer)
	c := login(t, store, u, nil)
	r, w := request(c), httptest.NewRecorder()
	ws, err := store.Load(r)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.RevokeSessions(t.Context(), u.ID); err != nil { // an admin acts while the request runs
		t.Fatal(err)
	}
	ws.Values["note"] = "late write"
	if err := ws.Save(r, w); err != nil {
		t.Fatal(err)
	}
	if replay := load(t, store, c); replay.Authenticated() {
		t.Error("saving a revoked session brought it back")
	}
}

func TestSignedInUser(t *testing.T) {
	svc, db, _ := newTestEnv(t, nil)
	mustCreateUser(t, svc, "admin@example.com", RoleAdmin)
	u := mustCreateUser(t, svc, "alice@example.com", RoleReviewer)
	if _, ws, err := svc.SignedInUser(request(nil)); !errors.Is(err, ErrUnauthenticated) || ws == nil {
		t.Errorf("anonymous: got %v (session %v), want ErrUnauthenticated and a session", err, ws)
	}
	c := login(t, svc.Sessions(), u, nil)
	got, ws, err := svc.SignedInUser(request(c))
	if err != nil || got.ID != u.ID || ws.UserID() != u.ID {
		t.Fatalf("signed in: got %+v, %v", got, err)
	}
	// Disabled behind the Service's back: the session must still not authenticate, and is ended.
	if _, err := db.UpdateUser(t.Context(), u.ID, func(su *StoredUser) error { su.Disabled = true; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.SignedInUser(request(c)); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("disabled user's session: got %v, want ErrUnauthenticated", err)
	}
	if _, err := db.WebSession(t.Context(), ws.ID); !errors.Is(err, ErrSessionNotFound) {
		t.Errorf("disabled user's session row: got %v, want it deleted", err)
	}
	if _, err := svc.Sessions().Login(httptest.NewRecorder(), request(nil), User{ID: u.ID, Disabled: true}); !errors.Is(err, ErrUserDisabled) {
		t.Errorf("Login for a disabled user: got %v, want ErrUserDisabled", err)
	}
}

func TestCSRFToken(t *testing.T) {
	svc, _, clock := newTestEnv(t, nil)
	store := svc.Sessions()
	u := mustCreateUser(t, svc, "alice@example.com", RoleReviewer)
	c1 := login(t, store, u, nil)
	c2 := login(t, store, u, nil)
	first := load(t, store, c1)
	token := first.CSRFToken()
	if len(token) < 43 {
		t.Errorf("token %q is shorter than 256 bits of base64", token)
	}
	clock.Advance(10 * time.Minute)
	if again := load(t, store, c1).CSRFToken(); again != token {
		t.Errorf("token changed within the session: %q then %q", token, again)
	}
	if other := load(t, store, c2).CSRFToken(); other == token {
		t.Error("two sessions share a CSRF token")
	}
	tests := []struct {
		name, token string
		want        bool
	}{
		{"right token", token, true},
		{"other session's token", load(t, store, c2).CSRFToken(), false},
		{"empty", "", false},
		{"prefix", token[:len(token)-1], false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := load(t, store, c1).VerifyCSRF(tt.token); got != tt.want {
				t.Errorf("VerifyCSRF = %v, want %v", got, tt.want)
			}
		})
	}
	if anon := load(t, store, nil); anon.VerifyCSRF(anon.CSRFToken()) {
		t.Error("an unsaved anonymous session verified its throwaway token")
	}
}

func TestSessionValuesPersist(t *testing.T) {
	svc, db, _ := newTestEnv(t, nil)
	store := svc.Sessions()
	// An anonymous visitor that stores nothing costs no row and gets no cookie.
	r, w := request(nil), httptest.NewRecorder()
	if err := store.Save(r, w, mustGet(t, store, r)); err != nil {
		t.Fatal(err)
	}
	if c := responseCookie(w, store.CookieName()); c != nil {
		t.Errorf("empty anonymous session set cookie %v, want none", c)
	}
	if n := dbtest.CountRows(t, db.db, "web_sessions"); n != 0 {
		t.Errorf("empty anonymous session stored %d rows, want 0", n)
	}
	u := mustCreateUser(t, svc, "alice@example.com", RoleReviewer)
	c := login(t, store, u, nil)
	r, w = request(c), httptest.NewRecorder()
	ws, _ := store.Load(r)
	ws.Values["queue.sort"] = "oldest"
	ws.Values[42] = []any{"a", 1}
	if err := ws.Save(r, w); err != nil {
		t.Fatal(err)
	}
	got := load(t, store, c)
	if got.Values["queue.sort"] != "oldest" || got.UserID() != u.ID {
		t.Errorf("Values = %v user %q; want queue.sort=oldest for %s", got.Values, got.UserID(), u.ID)
	}
	if _, err := store.New(request(c), "someothername"); err == nil {
		t.Error("New with another cookie name: got nil error")
	}
}
