package handlers_test

import (
	"context"
	"github.com/hiveconsole/hiveconsole/internal/oidctest"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/audit"
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/handlers"
)

const testRoleMapping = "console-admins=admin,kyc-reviewers=reviewer,support=support,audit=auditor"

// withSSO points the console at p, with the role mapping above; edit changes the rest.
func withSSO(p *oidctest.Provider, edit ...func(*auth.OIDCConfig)) option {
	return func(h *handlers.Config, _ *auth.Config) {
		roles, err := auth.ParseOIDCRoles(testRoleMapping)
		if err != nil {
			panic(err)
		}
		cfg := auth.OIDCConfig{Issuer: p.URL, ClientID: p.ClientID, ClientSecret: p.ClientSecret,
			RedirectURL: h.BaseURL.String() + "/login/oidc/callback", Roles: roles, Name: "Example ID"}
		for _, e := range edit {
			e(&cfg)
		}
		o, err := auth.NewOIDC(cfg)
		if err != nil {
			panic(err)
		}
		h.SingleSignOn = o
	}
}

// getURL fetches an absolute URL, the provider's or the console's, with the browser's cookies.
func (b *browser) getURL(raw string) response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, raw, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// ssoSignIn clicks the sign-in page's single sign-on button and follows the redirects by hand, to
// the provider and back; it returns the callback's address and its response.
func (b *browser) ssoSignIn(p *oidctest.Provider, next string) (string, response) {
	b.t.Helper()
	page := b.get("/login?next=" + url.QueryEscape(next))
	href, ok := page.doc(b.t).Find(`[data-testid="sso-sign-in"]`).Attr("href")
	if !ok || !strings.HasPrefix(href, "/login/oidc") {
		b.t.Fatalf("sign-in page button: %q %v", href, ok)
	}
	start := b.get(href)
	toProvider := start.Header.Get("Location")
	if start.StatusCode != http.StatusFound || !strings.HasPrefix(toProvider, p.URL+"/authorize?") {
		b.t.Fatalf("start: %d to %q, want 302 to the provider's authorization endpoint", start.StatusCode, toProvider)
	}
	approved := b.getURL(toProvider)
	callback := approved.Header.Get("Location")
	if approved.StatusCode != http.StatusFound || !strings.HasPrefix(callback, b.tc.URL+"/login/oidc/callback?") {
		b.t.Fatalf("provider: %d to %q %s", approved.StatusCode, callback, approved.Body)
	}
	return callback, b.getURL(callback)
}

// signedInAs is the role of the user the browser's session signs in, or "" when it has none.
func (b *browser) signedInAs() auth.Role {
	b.t.Helper()
	if b.status(http.MethodGet, "/account/security") != http.StatusOK {
		return ""
	}
	u, _, err := b.tc.staff.SignedInUser(requestWithCookies(b, "/"))
	if err != nil {
		return ""
	}
	return u.Role
}

func requestWithCookies(b *browser, path string) *http.Request {
	req, _ := http.NewRequest(http.MethodGet, b.tc.URL+path, nil)
	u, _ := url.Parse(b.tc.URL)
	for _, c := range b.client.Jar.Cookies(u) {
		req.AddCookie(c)
	}
	return req
}

// lastSignIn is the newest auth.sign_in row.
func lastSignIn(t *testing.T, tc *testConsole) audit.Entry {
	t.Helper()
	rows, _, err := tc.trail.Events(context.Background(), audit.Query{Action: "auth.sign_in", Limit: 1})
	if err != nil || len(rows) == 0 {
		t.Fatalf("no auth.sign_in row (%v)", err)
	}
	return rows[0]
}

// TestOIDCSignIn: through the real redirects, the provider's user lands signed in at next with the
// role their groups map to, without the console's second factor even where the role requires one;
// at the next sign-in a changed group changes the role, which ends the older sessions only.
func TestOIDCSignIn(t *testing.T) {
	p := oidctest.New(t)
	tc := newTestConsoleWith(t, 1, withSSO(p), func(h *handlers.Config, _ *auth.Config) { h.MFARequired, _ = auth.ParseMFAPolicy("all") })
	reviewer := tc.users[auth.RoleReviewer]

	p.Signs("Reviewer@Example.com", "kyc-reviewers", "unrelated")
	first := tc.browser()
	_, r := first.ssoSignIn(p, "/checks?queue=review")
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/checks?queue=review" {
		t.Fatalf("callback: %d to %q, want 303 to next", r.StatusCode, r.Header.Get("Location"))
	}
	if got := first.signedInAs(); got != auth.RoleReviewer {
		t.Errorf("signed in as %q, want reviewer", got)
	}
	e := lastSignIn(t, tc)
	if e.Outcome != audit.OutcomeSuccess || e.ActorID != reviewer.ID || e.Details["method"] != "oidc" {
		t.Errorf("sign-in row: %s by %s %v, want success by the reviewer with method oidc", e.Outcome, e.ActorID, e.Details)
	}

	p.Signs("reviewer@example.com", "support", "console-admins")
	second := tc.browser()
	if _, r := second.ssoSignIn(p, "//evil.example/x"); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/" {
		t.Fatalf("callback: %d to %q, want 303 to / (an unsafe next is dropped)", r.StatusCode, r.Header.Get("Location"))
	}
	if got := second.signedInAs(); got != auth.RoleAdmin {
		t.Errorf("after the group changed, signed in as %q, want admin", got)
	}
	if u, _ := tc.staff.UserByID(context.Background(), reviewer.ID); u.Role != auth.RoleAdmin {
		t.Errorf("stored role %s, want admin", u.Role)
	}
	if got := first.signedInAs(); got != "" {
		t.Errorf("the session from before the role change is still signed in as %q", got)
	}
	rows, _, _ := tc.trail.Events(context.Background(), audit.Query{Action: "user.role", Outcome: audit.OutcomeSuccess})
	if len(rows) != 1 || rows[0].Details["new_role"] != "admin" || rows[0].Details["source"] != "oidc" {
		t.Errorf("role change rows: %+v", rows)
	}
}

// TestOIDCRefusals: each way the provider can misbehave, and each account that may not sign in, is
// refused with no session, a page that says why without the provider's words, and an audit row.
func TestOIDCRefusals(t *testing.T) {
	p := oidctest.New(t)
	tc := newTestConsoleWith(t, 1, withSSO(p))
	ctx := context.Background()
	if _, err := tc.staff.SetDisabled(ctx, tc.users[auth.RoleAuditor].ID, true); err != nil {
		t.Fatal(err)
	}
	past := time.Now().Add(-time.Hour)
	for _, tt := range []struct {
		name, email string
		groups      []string
		misbehave   func(p *oidctest.Provider)
		status      int
		reason      string
	}{
		{"wrong audience", "support@example.com", []string{"support"}, claims(func(c map[string]any) { c["aud"] = "another-client" }), 401, auth.OIDCInvalidToken},
		{"wrong issuer", "support@example.com", []string{"support"}, claims(func(c map[string]any) { c["iss"] = "https://evil.example" }), 401, auth.OIDCInvalidToken},
		{"expired", "support@example.com", []string{"support"}, claims(func(c map[string]any) { c["iat"], c["exp"] = past.Unix(), past.Add(30*time.Minute).Unix() }), 401, auth.OIDCInvalidToken},
		{"another key", "support@example.com", []string{"support"}, func(p *oidctest.Provider) { p.SignWithOtherKey = true }, 401, auth.OIDCInvalidToken},
		{"nonce mismatch", "support@example.com", []string{"support"}, claims(func(c map[string]any) { c["nonce"] = "another-sign-in" }), 401, auth.OIDCNonceMismatch},
		{"no nonce", "support@example.com", []string{"support"}, claims(func(c map[string]any) { delete(c, "nonce") }), 401, auth.OIDCNonceMismatch},
		{"email unverified", "support@example.com", []string{"support"}, claims(func(c map[string]any) { c["email_verified"] = false }), 403, auth.OIDCEmailUnverified},
		{"no email", "support@example.com", []string{"support"}, claims(func(c map[string]any) { delete(c, "email") }), 403, auth.OIDCEmailMissing},
		{"unmapped group", "support@example.com", []string{"interns"}, nil, 403, auth.OIDCNoRole},
		{"no group claim", "support@example.com", nil, claims(func(c map[string]any) { delete(c, "groups") }), 403, auth.OIDCNoRole},
		{"disabled account", "auditor@example.com", []string{"audit"}, nil, 403, "account_disabled"},
		{"unknown account", "stranger@example.com", []string{"support"}, nil, 403, "unknown_account"},
		{"last admin demoted", "admin@example.com", []string{"support"}, nil, 409, "last_admin"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p.Signs(tt.email, tt.groups...)
			if tt.misbehave != nil {
				p.Set(tt.misbehave)
			}
			b := tc.browser()
			_, r := b.ssoSignIn(p, "/customers")
			if r.StatusCode != tt.status {
				t.Errorf("callback: got %d, want %d", r.StatusCode, tt.status)
			}
			assertRefused(t, tc, b, r, tt.reason)
		})
	}
	if u, _ := tc.staff.UserByEmail(ctx, "admin@example.com"); u.Role != auth.RoleAdmin {
		t.Errorf("the last admin was demoted to %s", u.Role)
	}
	if _, err := tc.staff.UserByEmail(ctx, "stranger@example.com"); err == nil {
		t.Error("an unknown email got an account without HIVECONSOLE_OIDC_CREATE_USERS")
	}

	t.Run("replayed callback", func(t *testing.T) {
		p.Signs("support@example.com", "support")
		b := tc.browser()
		callback, r := b.ssoSignIn(p, "/")
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("first callback: %d", r.StatusCode)
		}
		exchanges := p.Exchanges
		for name, replayer := range map[string]*browser{"same browser": b, "another browser": tc.browser()} {
			if r := replayer.getURL(callback); r.StatusCode != http.StatusBadRequest || lastSignIn(t, tc).Details["reason"] != "state_missing" {
				t.Errorf("%s replays the callback: %d %v, want 400 state_missing", name, r.StatusCode, lastSignIn(t, tc).Details)
			}
		}
		if p.Exchanges != exchanges {
			t.Errorf("a replayed callback reached the token endpoint")
		}
	})
	t.Run("state mismatch", func(t *testing.T) {
		b := tc.browser()
		start := b.get("/login/oidc")
		if start.StatusCode != http.StatusFound {
			t.Fatalf("start: %d", start.StatusCode)
		}
		r := b.get("/login/oidc/callback?code=anything&state=not-the-one")
		if r.StatusCode != http.StatusBadRequest {
			t.Errorf("got %d, want 400", r.StatusCode)
		}
		assertRefused(t, tc, b, r, "state_mismatch")
	})
	t.Run("provider error", func(t *testing.T) {
		b := tc.browser()
		loc, _ := url.Parse(b.get("/login/oidc").Header.Get("Location"))
		r := b.get("/login/oidc/callback?error=access_denied&error_description=%3Cscript%3Eprovider+text%3C%2Fscript%3E&state=" + url.QueryEscape(loc.Query().Get("state")))
		if r.StatusCode != http.StatusUnauthorized {
			t.Errorf("got %d, want 401", r.StatusCode)
		}
		assertRefused(t, tc, b, r, "provider_refused")
	})
	t.Run("provider down", func(t *testing.T) {
		p.Set(func(p *oidctest.Provider) { p.Down = true })
		// A console that has not discovered the provider yet: a fresh one, started while it is down.
		fresh := newTestConsoleWith(t, 1, withSSO(p))
		fb := fresh.browser()
		r := fb.get("/login/oidc")
		if r.StatusCode != http.StatusServiceUnavailable || r.Header.Get("Location") != "" {
			t.Errorf("start while the provider is down: %d to %q, want 503 and no redirect", r.StatusCode, r.Header.Get("Location"))
		}
		assertRefused(t, fresh, fb, r, auth.OIDCUnavailable)
		p.Signs("support@example.com", "support") // back up
		if _, r := fb.ssoSignIn(p, "/"); r.StatusCode != http.StatusSeeOther {
			t.Errorf("once the provider is back: %d, want 303", r.StatusCode)
		}
	})
	t.Run("state expired", func(t *testing.T) {
		p.Signs("support@example.com", "support")
		b := tc.browser()
		start := b.get("/login/oidc")
		approved := b.getURL(start.Header.Get("Location"))
		tc.clock.Advance(auth.OIDCStateTTL + time.Second)
		r := b.getURL(approved.Header.Get("Location"))
		if r.StatusCode != http.StatusBadRequest {
			t.Errorf("got %d, want 400", r.StatusCode)
		}
		assertRefused(t, tc, b, r, "state_missing")
	})
}

func claims(f func(map[string]any)) func(*oidctest.Provider) {
	return func(p *oidctest.Provider) { p.Claims = f }
}

// assertRefused checks a refused single sign-on: no session, the sign-in page with a message but
// not the provider's words, and a failure row with the reason.
func assertRefused(t *testing.T, tc *testConsole, b *browser, r response, reason string) {
	t.Helper()
	if strings.Contains(r.Body, "provider text") || strings.Contains(r.Body, "maintenance") {
		t.Errorf("the page shows the provider's words")
	}
	if r.doc(t).Find(`[data-testid="sso-sign-in"]`).Length() != 1 || r.doc(t).Find(`[data-testid="form-error"]`).Length() == 0 {
		t.Errorf("the refusal is not the sign-in page with a message and the button")
	}
	if got := b.get("/"); got.StatusCode != http.StatusSeeOther || !strings.HasPrefix(got.Header.Get("Location"), "/login") {
		t.Errorf("after a refusal, / answers %d to %q: a session exists", got.StatusCode, got.Header.Get("Location"))
	}
	e := lastSignIn(t, tc)
	if e.Outcome != audit.OutcomeFailure || e.Details["reason"] != reason || e.Details["method"] != "oidc" {
		t.Errorf("audit row: %s %v, want failure with reason %s", e.Outcome, e.Details, reason)
	}
}

// TestOIDCCreatesUsersAndBreakGlass: with CREATE_USERS an unknown verified email gets an account
// with its mapped role; with password sign-in kept for a break-glass admin, everyone else's password
// is refused before it is checked, and the admin's is accepted.
func TestOIDCCreatesUsersAndBreakGlass(t *testing.T) {
	p := oidctest.New(t)
	tc := newTestConsoleWith(t, 1, withSSO(p, func(c *auth.OIDCConfig) { c.CreateUsers = true }), func(h *handlers.Config, _ *auth.Config) {
		h.PasswordSignIn, _ = auth.ParsePasswordSignIn("break-glass:admin@example.com")
	})
	p.Signs("new.reviewer@example.com", "kyc-reviewers")
	b := tc.browser()
	if _, r := b.ssoSignIn(p, "/"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("callback: %d %s", r.StatusCode, r.Body)
	}
	u, err := tc.staff.UserByEmail(context.Background(), "new.reviewer@example.com")
	if err != nil || u.Role != auth.RoleReviewer || u.Name != "Signed In Through SSO" {
		t.Errorf("created account: %+v %v, want a reviewer named from the token", u, err)
	}
	if got := b.signedInAs(); got != auth.RoleReviewer {
		t.Errorf("signed in as %q, want reviewer", got)
	}
	rows, _, _ := tc.trail.Events(context.Background(), audit.Query{Action: "user.create", Outcome: audit.OutcomeSuccess})
	if len(rows) != 1 || rows[0].TargetID != u.ID || rows[0].Details["source"] != "oidc" {
		t.Errorf("creation rows: %+v", rows)
	}

	page := tc.browser().get("/login")
	if page.doc(t).Find(`[data-testid="break-glass-note"]`).Length() != 1 || page.doc(t).Find(`[data-testid="login-form"]`).Length() != 1 {
		t.Errorf("the sign-in page lacks the password form or its break-glass note")
	}
	support := tc.browser()
	r := support.signIn("support@example.com", testPassword)
	if r.StatusCode != http.StatusForbidden || !strings.Contains(r.Body, "Sign in with Example ID") {
		t.Errorf("support's password: %d, want 403 pointing to the single sign-on button", r.StatusCode)
	}
	if e := lastSignIn(t, tc); e.Outcome != audit.OutcomeFailure || e.ActorEmail != "support@example.com" || e.Details["reason"] != "password_sign_in_off" {
		t.Errorf("refused password row: %s %s %v", e.Outcome, e.ActorEmail, e.Details)
	}
	if support.signedInAs() != "" {
		t.Error("support signed in with a password")
	}
	if r := tc.browser().signIn("Admin@example.com", testPassword); r.StatusCode != http.StatusSeeOther {
		t.Errorf("the break-glass admin's password: %d, want 303", r.StatusCode)
	}
}

// TestOIDCOff: without an issuer there is no button, and both routes are not found.
func TestOIDCOff(t *testing.T) {
	tc := newTestConsoleWith(t, 1)
	b := tc.browser()
	if b.get("/login").doc(t).Find(`[data-testid="sso-sign-in"]`).Length() != 0 {
		t.Error("the sign-in page offers single sign-on that is not configured")
	}
	for _, path := range []string{"/login/oidc", "/login/oidc/callback?code=x&state=y"} {
		if got := b.status(http.MethodGet, path); got != http.StatusNotFound {
			t.Errorf("%s: got %d, want 404", path, got)
		}
	}
}

// TestBreakGlassMustBeAdmin: the break-glass account keeps its password only while it is an admin;
// named for another role, its password is refused like everyone else's, and recorded.
func TestBreakGlassMustBeAdmin(t *testing.T) {
	p := oidctest.New(t)
	tc := newTestConsoleWith(t, 1, withSSO(p), func(h *handlers.Config, _ *auth.Config) {
		h.PasswordSignIn, _ = auth.ParsePasswordSignIn("break-glass:reviewer@example.com")
	})
	rev := tc.users[auth.RoleReviewer]
	r := tc.browser().signIn(rev.Email, testPassword)
	if r.StatusCode != http.StatusForbidden || !strings.Contains(r.doc(t).Find(`[data-testid="form-error"]`).Text(), "not an admin") {
		t.Errorf("a reviewer named as break-glass account: %d %q", r.StatusCode, r.doc(t).Find(`[data-testid="form-error"]`).Text())
	}
	events, _, err := tc.trail.Events(context.Background(), audit.Query{Action: "auth.sign_in", Outcome: "failure"})
	if err != nil || len(events) != 1 || events[0].Details["reason"] != "break_glass_not_admin" || events[0].ActorID != rev.ID {
		t.Errorf("audit: %+v %v", events, err)
	}
}
