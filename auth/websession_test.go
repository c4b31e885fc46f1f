package auth

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/hiveconsole/hiveconsole/database/dbtest"
)

func TestSessionCookieAttributes(t *testing.T) {
	tests := []struct {
		baseURL    string
		wantName   string
		wantSecure bool
	}{
		{"http://127.0.0.1:8080", "hiveconsole", false},
		{"https://console.example.com", "__Host-hiveconsole", true},
	}
	for _, tt := range tests {
		t.Run(tt.baseURL, func(t *testing.T) {
			svc, _, _ := newTestEnv(t, func(c *Config) { c.BaseURL = tt.baseURL })
			u := mustCreateUser(t, svc, "alice@example.com", RoleReviewer)
			w := httptest.NewRecorder()
			if _, err := svc.Sessions().Login(w, request(nil), u); err != nil {
				t.Fatal(err)
			}
			raw := w.Result().Header.Get("Set-Cookie")
			c := responseCookie(w, tt.wantName)
			if c == nil {
				t.Fatalf("Set-Cookie = %q, want a cookie named %s", raw, tt.wantName)
			}
			if c.Secure != tt.wantSecure {
				t.Errorf("Secure = %v, want %v (%s)", c.Secure, tt.wantSecure, raw)
			}
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Domain != "" {
				t.Errorf("HttpOnly=%v SameSite=%v Path=%q Domain=%q; want true, Lax, /, none (%s)", c.HttpOnly, c.SameSite, c.Path, c.Domain, raw)
			}
			if c.MaxAge != 12*60*60 {
				t.Errorf("Max-Age = %d, want %d (the absolute timeout)", c.MaxAge, 12*60*60)
			}
			if strings.Contains(raw, "Partitioned") || strings.Contains(raw, "SameSite=None") {
				t.Errorf("Set-Cookie = %q has gorilla defaults we do not want", raw)
			}
			// Logging out clears the same cookie with the same attributes.
			lw := httptest.NewRecorder()
			if err := svc.Sessions().Logout(lw, request(c)); err != nil {
				t.Fatal(err)
			}
			cleared := responseCookie(lw, tt.wantName)
			if cleared == nil || cleared.MaxAge >= 0 || cleared.Value != "" || cleared.Secure != tt.wantSecure || !cleared.HttpOnly {
				t.Errorf("logout cookie = %+v, want an emptied, expired cookie with the same attributes", cleared)
			}
		})
	}
}

// cookieID verifies c with the test key and returns the random id it carries.
func cookieID(t *testing.T, c *http.Cookie) []byte {
	t.Helper()
	var raw []byte
	if err := securecookie.New(testKey('a'), nil).SetSerializer(securecookie.NopEncoder{}).Decode(c.Name, c.Value, &raw); err != nil {
		t.Fatalf("decode session cookie: %v", err)
	}
	return raw
}

func TestSessionCookieCarriesOnlyASignedID(t *testing.T) {
	svc, db, _ := newTestEnv(t, nil)
	u := mustCreateUser(t, svc, "alice@example.com", RoleReviewer)
	c := login(t, svc.Sessions(), u, nil)
	raw := cookieID(t, c)
	if len(raw) != sessionIDLen {
		t.Fatalf("cookie carries %d bytes, want a %d-byte random id", len(raw), sessionIDLen)
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if c.Value == enc.EncodeToString(raw) {
			t.Errorf("cookie value is the bare id %q, want it signed", c.Value)
		}
	}
	ws := load(t, svc.Sessions(), c)
	decoded, _ := base64.URLEncoding.DecodeString(c.Value)
	for _, secret := range []string{u.ID, u.Email, ws.CSRFToken(), ws.ID} {
		if strings.Contains(c.Value, secret) || strings.Contains(string(decoded), secret) {
			t.Errorf("cookie value %q reveals %q", c.Value, secret)
		}
	}
	// The database and Session.ID hold only the id's hash: neither can be replayed as a cookie.
	if ws.ID != hashSessionID(raw) {
		t.Errorf("Session.ID = %q, want the hash of the cookie's id", ws.ID)
	}
	if _, err := db.WebSession(t.Context(), base64.RawURLEncoding.EncodeToString(raw)); !errors.Is(err, ErrSessionNotFound) {
		t.Errorf("looking a row up by the raw id: got %v, want ErrSessionNotFound", err)
	}
	if rec, err := db.WebSession(t.Context(), hashSessionID(raw)); err != nil || rec.UserID != u.ID {
		t.Errorf("row by hash = %+v, %v; want user %s", rec, err, u.ID)
	}
}

func TestTamperedCookieLoadsEmpty(t *testing.T) {
	svc, _, _ := newTestEnv(t, nil)
	u := mustCreateUser(t, svc, "alice@example.com", RoleReviewer)
	c := login(t, svc.Sessions(), u, nil)
	raw := cookieID(t, c)
	forged, err := securecookie.New(testKey('z'), nil).SetSerializer(securecookie.NopEncoder{}).Encode(c.Name, raw)
	if err != nil {
		t.Fatal(err)
	}
	flipped := []byte(c.Value)
	flipped[len(flipped)/2] ^= 1
	tests := map[string]string{
		"flipped character":       string(flipped),
		"truncated":               c.Value[:len(c.Value)-4],
		"raw id, unsigned":        base64.URLEncoding.EncodeToString(raw),
		"right id, wrong key":     forged,
		"empty":                   "",
		"another cookie's layout": "MTcwMDAwMDAwMHx8",
	}
	for name, value := range tests {
		t.Run(name, func(t *testing.T) {
			got := load(t, svc.Sessions(), &http.Cookie{Name: c.Name, Value: value})
			if got.Authenticated() || !got.IsNew || got.ID != "" {
				t.Errorf("loaded user %q IsNew=%v ID=%q; want a new empty session", got.UserID(), got.IsNew, got.ID)
			}
		})
	}
}

func TestSessionKeyRotation(t *testing.T) {
	db := openTestDB(t)
	clock := newFakeClock()
	withKeys := func(keys ...[]byte) *Service {
		return testService(t, db, clock, func(c *Config) { c.SessionKeys = keys })
	}
	oldSvc := withKeys(testKey('1'))
	u := mustCreateUser(t, oldSvc, "alice@example.com", RoleReviewer)
	oldCookie := login(t, oldSvc.Sessions(), u, nil)

	rotated := withKeys(testKey('2'), testKey('1'))
	if ws := load(t, rotated.Sessions(), oldCookie); ws.UserID() != u.ID {
		t.Errorf("old-key cookie after rotation: user %q, want %q (old keys still verify)", ws.UserID(), u.ID)
	}
	newCookie := login(t, rotated.Sessions(), u, nil)
	var raw []byte
	if err := securecookie.New(testKey('2'), nil).SetSerializer(securecookie.NopEncoder{}).Decode(newCookie.Name, newCookie.Value, &raw); err != nil {
		t.Errorf("new cookie does not verify with the newest key: %v", err)
	}
	if err := securecookie.New(testKey('1'), nil).SetSerializer(securecookie.NopEncoder{}).Decode(newCookie.Name, newCookie.Value, &raw); err == nil {
		t.Error("new cookie verifies with the old key; want it signed with the newest")
	}

	retired := withKeys(testKey('2'))
	if ws := load(t, retired.Sessions(), oldCookie); ws.Authenticated() {
		t.Error("old-key cookie after the old key was dropped: still signed in")
	}
	if ws := load(t, retired.Sessions(), newCookie); ws.UserID() != u.ID {
		t.Errorf("new-key cookie: user %q, want %q", ws.UserID(), u.ID)
	}
}

func TestLoginRotatesSessionID(t *testing.T) {
	svc, _, _ := newTestEnv(t, nil)
	store := svc.Sessions()
	u := mustCreateUser(t, svc, "alice@example.com", RoleReviewer)

	// An anonymous session with a value, as an attacker could plant in a victim's browser.
	w := httptest.NewRecorder()
	r := request(nil)
	ws, err := store.Load(r)
	if err != nil {
		t.Fatal(err)
	}
	ws.Values["planted"] = "by attacker"
	if err := ws.Save(r, w); err != nil {
		t.Fatal(err)
	}
	before := responseCookie(w, store.CookieName())
	if before == nil {
		t.Fatal("saving an anonymous session with a value set no cookie")
	}
	anon := load(t, store, before)
	after := login(t, store, u, before)
	if after.Value == before.Value {
		t.Fatal("login kept the cookie value")
	}
	signedIn := load(t, store, after)
	if signedIn.ID == anon.ID || signedIn.UserID() != u.ID {
		t.Errorf("after login: id %q user %q; want a new id for %s", signedIn.ID, signedIn.UserID(), u.ID)
	}
	if _, ok := signedIn.Values["planted"]; ok {
		t.Error("a value from before sign-in survived into the signed-in session")
	}
	if replay := load(t, store, before); replay.Authenticated() || !replay.IsNew {
		t.Errorf("the pre-login cookie after login: user %q IsNew=%v; want a new empty session", replay.UserID(), replay.IsNew)
	}
	// Signing in again from a signed-in browser also rotates and ends the previous session.
	again := login(t, store, u, after)
	if replay := load(t, store, after); replay.Authenticated() {
		t.Error("the previous signed-in cookie still works after a second login")
	}
	if ws := load(t, store, again); ws.UserID() != u.ID {
		t.Errorf("second login cookie: user %q, want %q", ws.UserID(), u.ID)
	}
}

func TestSessionTimeouts(t *testing.T) {
	type step struct {
		advance time.Duration
		alive   bool
	}
	every := func(d time.Duration, n int) []step {
		steps := make([]step, n)
		for i := range steps {
			steps[i] = step{d, true}
		}
		return steps
	}
	tests := []struct {
		name  string
		edit  func(*Config)
		steps []step
	}{
		{"idle: activity keeps it alive", nil, []step{{29 * time.Minute, true}, {29 * time.Minute, true}, {29 * time.Minute, true}}},
		{"idle: 30 minutes without a request ends it", nil, []step{{29 * time.Minute, true}, {30 * time.Minute, false}}},
		{"idle: configurable", func(c *Config) { c.IdleTimeout = 5 * time.Minute }, []step{{4 * time.Minute, true}, {5 * time.Minute, false}}},
		{"absolute: 12 hours however active", nil, append(every(20*time.Minute, 35), step{20 * time.Minute, false})},
		{"absolute: configurable", func(c *Config) { c.AbsoluteTimeout = time.Hour }, append(every(20*time.Minute, 2), step{20 * time.Minute, false})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, _, clock := newTestEnv(t, tt.edit)
			u := mustCreateUser(t, svc, "alice@example.com", RoleReviewer)
			c := login(t, svc.Sessions(), u, nil)
			var elapsed time.Duration
			for i, s := range tt.steps {
				clock.Advance(s.advance)
				elapsed += s.advance
				if got := load(t, svc.Sessions(), c).Authenticated(); got != s.alive {
					t.Fatalf("step %d, %v after login: signed in %v, want %v", i+1, elapsed, got, s.alive)
				}
			}
			// An expired session stays expired: going back in time does not revive a deleted row.
			if !tt.steps[len(tt.steps)-1].alive {
				clock.Advance(-tt.steps[len(tt.steps)-1].advance)
				if load(t, svc.Sessions(), c).Authenticated() {
					t.Error("expired session came back")
				}
			}
		})
	}
}

func TestLastSeenWritesAreThrottled(t *testing.T) {
	svc, db, clock := newTestEnv(t, nil)
	u := mustCreateUser(t, svc, "alice@example.com", RoleReviewer)
	c := login(t, svc.Sessions(), u, nil)
	start := clock.Now()
	idHash := load(t, svc.Sessions(), c).ID
	lastSeen := func() time.Time {
		rec, err := db.WebSession(t.Context(), idHash)
		if err != nil {
			t.Fatal(err)
		}
		return rec.LastSeenAt
	}
	clock.Advance(59 * time.Second)
	load(t, svc.Sessions(), c)
	if got := lastSeen(); !got.Equal(start) {
		t.Errorf("last_seen_at after a request 59s in = %v, want unchanged %v", got, start)
	}
	clock.Advance(time.Second)
	load(t, svc.Sessions(), c)
	if got, want := lastSeen(), start.Add(time.Minute); !got.Equal(want) {
		t.Errorf("last_seen_at after a request 60s in = %v, want %v", got, want)
	}
}

func TestPurgeExpired(t *testing.T) {
	svc, db, clock := newTestEnv(t, nil)
	u := mustCreateUser(t, svc, "alice@example.com", RoleReviewer)
	login(t, svc.Sessions(), u, nil)
	for range 3 {
		svc.Authenticate(t.Context(), "ghost@example.com", "wrong-password-entirely", testAddr)
	}
	clock.Advance(29 * time.Minute)
	fresh := login(t, svc.Sessions(), u, nil)
	clock.Advance(2 * time.Minute)
	if err := svc.PurgeExpired(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := dbtest.CountRows(t, db.db, "web_sessions"); n != 1 {
		t.Errorf("sessions after purge = %d, want 1 (the idle one removed)", n)
	}
	if !load(t, svc.Sessions(), fresh).Authenticated() {
		t.Error("purge removed a live session")
	}
	if n := dbtest.CountRows(t, db.db, "login_throttles"); n != 3 {
		t.Errorf("throttle rows after 31 minutes = %d, want 3 (kept for a day)", n)
	}
	clock.Advance(25 * time.Hour)
	if err := svc.PurgeExpired(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := dbtest.CountRows(t, db.db, "login_throttles"); n != 0 {
		t.Errorf("throttle rows after a day = %d, want 0", n)
	}
}

func TestReplacedValuesKeepTheSession(t *testing.T) {
	svc, _, _ := newTestEnv(t, nil)
	u := mustCreateUser(t, svc, "alice@example.com", RoleReviewer)
	c := login(t, svc.Sessions(), u, nil)
	r, w := request(c), httptest.NewRecorder()
	ws, _ := svc.Sessions().Load(r)
	token := ws.CSRFToken()
	ws.Values = map[any]any{"only": "this"} // a handler clearing everything, metadata included
	if ws.UserID() != "" {
		t.Fatalf("precondition: metadata still visible after replacing Values")
	}
	if err := ws.Save(r, w); err != nil {
		t.Fatal(err)
	}
	got := load(t, svc.Sessions(), c)
	if got.UserID() != u.ID || got.CSRFToken() != token || got.Values["only"] != "this" {
		t.Errorf("after replacing Values: user %q token kept %v values %v; want the same signed-in session with the new value",
			got.UserID(), got.CSRFToken() == token, got.Values)
	}
}
