package auth

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestPendingSecondFactor: the password step's cookie names the user and the destination, is
// HttpOnly, Strict and limited to /login, expires after PendingTTL, and is worthless forged, renamed
// from a session cookie, or signed with another key.
func TestPendingSecondFactor(t *testing.T) {
	svc, _, clock := newTestEnv(t, nil)
	store := svc.Sessions()
	w := httptest.NewRecorder()
	if err := store.BeginSecondFactor(w, User{ID: "u-1"}, "/checks?queue=review"); err != nil {
		t.Fatal(err)
	}
	ck := responseCookie(w, pendingCookie)
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/login" || ck.MaxAge != int(PendingTTL/time.Second) {
		t.Fatalf("pending cookie %+v", ck)
	}
	read := func(c *http.Cookie) (string, string, error) {
		r := httptest.NewRequest(http.MethodGet, "/login/code", nil)
		r.AddCookie(c)
		return store.PendingSecondFactor(r)
	}
	if id, next, err := read(ck); err != nil || id != "u-1" || next != "/checks?queue=review" {
		t.Fatalf("read back %q %q %v", id, next, err)
	}
	forged := *ck
	forged.Value = ck.Value[:len(ck.Value)-4] + "AAAA"
	if _, _, err := read(&forged); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("a forged cookie: %v", err)
	}
	// A session cookie of the same store, under the pending cookie's name, does not pass.
	session := login(t, store, mustCreateUser(t, svc, "pending@example.com", RoleReviewer), nil)
	renamed := &http.Cookie{Name: pendingCookie, Value: session.Value}
	if _, _, err := read(renamed); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("a session cookie renamed: %v", err)
	}
	// Another key's signature does not pass.
	other := testService(t, openTestDB(t), clock, func(c *Config) { c.SessionKeys = [][]byte{testKey('z')} })
	w2 := httptest.NewRecorder()
	if err := other.Sessions().BeginSecondFactor(w2, User{ID: "u-1"}, "/"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := read(responseCookie(w2, pendingCookie)); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("another key's cookie: %v", err)
	}
	clock.Advance(PendingTTL + time.Second)
	if _, _, err := read(ck); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("after %v: %v", PendingTTL, err)
	}
	w3 := httptest.NewRecorder()
	store.EndSecondFactor(w3)
	if c := responseCookie(w3, pendingCookie); c == nil || c.MaxAge >= 0 {
		t.Errorf("ending does not clear the cookie: %+v", c)
	}
}
