package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/handlers"
)

func TestSignIn(t *testing.T) {
	tc := newTestConsole(t)
	t.Run("anonymous pages keep where they were going", func(t *testing.T) {
		resp := tc.browser().get("/?tab=checks")
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
			t.Fatalf("GET /: got %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		resp = tc.browser().get("/metrics-not-a-page")
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("unknown path: got %d, want 404", resp.StatusCode)
		}
	})
	t.Run("wrong password and unknown user read the same", func(t *testing.T) {
		wrong := tc.browser().signIn("admin@example.com", "not the password at all")
		unknown := tc.browser().signIn("nobody@example.com", "not the password at all")
		if wrong.StatusCode != http.StatusUnauthorized || unknown.StatusCode != http.StatusUnauthorized {
			t.Fatalf("got %d and %d, want 401 twice", wrong.StatusCode, unknown.StatusCode)
		}
		msg := func(r response) string { return r.doc(t).Find(`[data-testid="form-error"]`).Text() }
		if msg(wrong) == "" || msg(wrong) != msg(unknown) {
			t.Fatalf("messages differ: %q vs %q", msg(wrong), msg(unknown))
		}
		if v, _ := wrong.doc(t).Find(`#email`).Attr("value"); v != "admin@example.com" {
			t.Errorf("the email typed was lost: %q", v)
		}
		if strings.Contains(wrong.Body, "not the password at all") {
			t.Error("the password was echoed back")
		}
	})
	t.Run("success rotates to a signed-in session with safe cookie attributes", func(t *testing.T) {
		b := tc.browser()
		resp := b.signIn("reviewer@example.com", testPassword)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
			t.Fatalf("got %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		var session *http.Cookie
		for _, c := range resp.Cookies() {
			if c.Name == tc.staff.Sessions().CookieName() {
				session = c
			}
		}
		if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Path != "/" || session.Secure {
			t.Fatalf("session cookie: %+v", session)
		}
		if home := b.get("/"); home.StatusCode != http.StatusOK || !strings.Contains(home.Body, "Test reviewer") {
			t.Fatalf("overview: %d", home.StatusCode)
		}
	})
	t.Run("the sign-in form needs its token", func(t *testing.T) {
		b := tc.browser()
		resp := b.post("/login", url.Values{"email": {"admin@example.com"}, "password": {testPassword}, "csrf_token": {"forged"}})
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("got %d, want 403", resp.StatusCode)
		}
	})
}

func TestSignInThrottling(t *testing.T) {
	tc := newTestConsole(t)
	b := tc.browser()
	var last response
	for range 6 {
		last = b.signIn("support@example.com", "wrong wrong wrong wrong")
	}
	if last.StatusCode != http.StatusTooManyRequests || last.Header.Get("Retry-After") == "" {
		t.Fatalf("sixth failure: got %d (Retry-After %q), want 429", last.StatusCode, last.Header.Get("Retry-After"))
	}
	// A spoofed X-Forwarded-For from an untrusted peer does not reset the count.
	page := b.get("/login")
	token, _ := page.doc(t).Find(`input[name="csrf_token"]`).Attr("value")
	spoofed := b.post("/login", url.Values{"email": {"support@example.com"}, "password": {testPassword}, "csrf_token": {token}},
		"X-Forwarded-For", "203.0.113.9")
	if spoofed.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("with X-Forwarded-For: got %d, want 429", spoofed.StatusCode)
	}
}

// TestNextRedirects: after sign-in the console goes only to local paths.
func TestNextRedirects(t *testing.T) {
	tc := newTestConsole(t)
	tests := []struct{ next, want string }{
		{"/", "/"},
		{"/?q=ann", "/?q=ann"},
		{"//evil.example", "/"},
		{"/\\evil.example", "/"},
		{"https:evil.example", "/"},
		{"https://evil.example/", "/"},
		{"/%2F%2Fevil.example", "/"},
		{"/%5Cevil.example", "/"},
		{"/\t/evil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"evil.example", "/"},
		{"", "/"},
	}
	for _, tc2 := range tests {
		t.Run(tc2.next, func(t *testing.T) {
			b := tc.browser()
			page := b.get("/login?next=" + url.QueryEscape(tc2.next))
			token, _ := page.doc(t).Find(`input[name="csrf_token"]`).Attr("value")
			form := url.Values{"email": {"auditor@example.com"}, "password": {testPassword}, "csrf_token": {token}, "next": {tc2.next}}
			resp := b.post("/login", form)
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != tc2.want {
				t.Fatalf("next=%q: got %d %q, want %q", tc2.next, resp.StatusCode, resp.Header.Get("Location"), tc2.want)
			}
			if hidden, ok := page.doc(t).Find(`input[name="next"]`).Attr("value"); ok && hidden != tc2.want && tc2.want == "/" && tc2.next != "/" {
				t.Errorf("the form echoes an unsafe next: %q", hidden)
			}
		})
	}
}

// TestSessionsEnd: signing out, disabling a user, a role change, a password change and the idle and
// absolute timeouts all end a session; replaying the old cookie gets the sign-in page.
func TestSessionsEnd(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		end  func(tc *testConsole, b *browser, u auth.User)
	}{
		{"sign out", func(_ *testConsole, b *browser, _ auth.User) {
			if r := b.post("/logout", nil); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("logout: %d", r.StatusCode)
			}
		}},
		{"disabled", func(tc *testConsole, _ *browser, u auth.User) { _, _ = tc.staff.SetDisabled(ctx, u.ID, true) }},
		{"role change", func(tc *testConsole, _ *browser, u auth.User) { _, _ = tc.staff.SetRole(ctx, u.ID, auth.RoleAuditor) }},
		{"password reset", func(tc *testConsole, _ *browser, u auth.User) {
			_ = tc.staff.SetPassword(ctx, u.ID, "another long passphrase here")
		}},
		{"idle timeout", func(tc *testConsole, _ *browser, _ auth.User) { tc.clock.Advance(31 * time.Minute) }},
		{"absolute timeout", func(tc *testConsole, b *browser, _ auth.User) {
			for range 25 { // active every 29 minutes, yet 12 hours after sign-in it ends
				tc.clock.Advance(29 * time.Minute)
				b.get("/")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tc := newTestConsole(t)
			b := tc.browser()
			b.signInAs(auth.RoleSupport)
			saved := b.client.Jar.Cookies(mustURL(t, tc.URL))
			tt.end(tc, b, tc.users[auth.RoleSupport])
			replay := tc.browser()
			replay.client.Jar.SetCookies(mustURL(t, tc.URL), saved)
			if r := replay.get("/"); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
				t.Fatalf("old cookie after %s: got %d %q, want the sign-in page", tt.name, r.StatusCode, r.Header.Get("Location"))
			}
		})
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestHTTPSBaseURL: behind TLS, cookies are Secure with the __Host-/__Secure- prefixes and pages
// carry HSTS.
func TestHTTPSBaseURL(t *testing.T) {
	tc := newTestConsole(t, func(h *handlers.Config, a *auth.Config) {
		h.BaseURL = &url.URL{Scheme: "https", Host: "console.example.com"}
		a.BaseURL = "https://console.example.com"
	})
	resp := tc.browser().get("/login")
	if !strings.Contains(resp.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Errorf("HSTS: %q", resp.Header.Get("Strict-Transport-Security"))
	}
	var pre *http.Cookie
	for _, c := range resp.Cookies() {
		pre = c
	}
	if pre == nil || pre.Name != "__Secure-hiveconsole_presession" || !pre.Secure || !pre.HttpOnly || pre.SameSite != http.SameSiteStrictMode {
		t.Errorf("pre-session cookie: %+v", pre)
	}
	if name := tc.staff.Sessions().CookieName(); name != "__Host-hiveconsole" {
		t.Errorf("session cookie name %q", name)
	}
}

// TestThrottledSignInSaysHowLong: a throttled attempt is told how long to wait, in words and in
// Retry-After, and reads the same whether or not the account exists.
func TestThrottledSignInSaysHowLong(t *testing.T) {
	tc := newTestConsole(t)
	var pages []response
	for _, email := range []string{"support@example.com", "nobody@example.com"} {
		var last response
		for range 6 {
			last = tc.browser().signIn(email, "wrong wrong wrong wrong")
		}
		pages = append(pages, last)
	}
	msg := func(r response) string { return r.doc(t).Find(`[data-testid="form-error"]`).Text() }
	for i, r := range pages {
		if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") != "60" || !strings.Contains(msg(r), "Wait a minute") {
			t.Errorf("attempt %d: got %d, Retry-After %q, %q; want 429, 60 and a minute to wait", i, r.StatusCode, r.Header.Get("Retry-After"), msg(r))
		}
	}
	if msg(pages[0]) != msg(pages[1]) {
		t.Errorf("a real and an unknown account read differently: %q vs %q", msg(pages[0]), msg(pages[1]))
	}
}
