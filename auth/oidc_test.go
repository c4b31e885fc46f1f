package auth

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"
)

// TestParseOIDCRoles: value=role entries in order; a value may hold "="; bad roles, empty values
// and a value mapped twice are refused.
func TestParseOIDCRoles(t *testing.T) {
	m, err := ParseOIDCRoles(" console-admins=admin, kyc-reviewers=reviewer,support=support,audit=auditor,/grp=x=auditor ")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := m.String(), "console-admins=admin,kyc-reviewers=reviewer,support=support,audit=auditor,/grp=x=auditor"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	for _, bad := range []string{"admins", "=admin", "admins=boss", "a=admin,a=support", "a=admin,=support"} {
		if _, err := ParseOIDCRoles(bad); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
	if m, err := ParseOIDCRoles(""); err != nil || len(m) != 0 {
		t.Errorf("empty: %v %v", m, err)
	}
}

// TestOIDCRolesRoleFor: the most powerful mapped role wins, whatever the order of the mapping or the
// claim; nothing mapped is no role.
func TestOIDCRolesRoleFor(t *testing.T) {
	m, _ := ParseOIDCRoles("audit=auditor,support=support,console-admins=admin,kyc-reviewers=reviewer")
	for _, tt := range []struct {
		values []string
		want   Role
		ok     bool
	}{
		{[]string{"support"}, RoleSupport, true},
		{[]string{"audit", "kyc-reviewers", "support"}, RoleReviewer, true},
		{[]string{"support", "console-admins"}, RoleAdmin, true},
		{[]string{"interns", "Support"}, "", false},
		{nil, "", false},
	} {
		if got, ok := m.RoleFor(tt.values); got != tt.want || ok != tt.ok {
			t.Errorf("%v: got %q %v, want %q %v", tt.values, got, ok, tt.want, tt.ok)
		}
	}
}

// TestParsePasswordSignIn: on lets everyone; break-glass lets one email, in any letter case.
func TestParsePasswordSignIn(t *testing.T) {
	on, err := ParsePasswordSignIn("on")
	if err != nil || !on.Allows("anyone@example.com") || on.String() != "on" {
		t.Errorf("on: %+v %v", on, err)
	}
	bg, err := ParsePasswordSignIn("break-glass:Root@Example.com")
	if err != nil || bg.BreakGlass != "root@example.com" || bg.String() != "break-glass:root@example.com" {
		t.Fatalf("break-glass: %+v %v", bg, err)
	}
	if !bg.Allows(" ROOT@example.com") || bg.Allows("support@example.com") || bg.Allows("") {
		t.Errorf("break-glass allows the wrong people")
	}
	for _, bad := range []string{"off", "break-glass:", "break-glass:not-an-email", "yes"} {
		if _, err := ParsePasswordSignIn(bad); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
}

// TestOIDCClaims: the role claim may be a string, an array or a nested path; the email must be
// there and verified (true, or the string "true" some providers send).
func TestOIDCClaims(t *testing.T) {
	roles, _ := ParseOIDCRoles("admins=admin,staff=support")
	o, err := NewOIDC(OIDCConfig{Issuer: "https://id.example.com", ClientID: "c", RedirectURL: "https://console/login/oidc/callback",
		Roles: roles, RoleClaim: "realm_access.roles"})
	if err != nil {
		t.Fatal(err)
	}
	id, err := o.identity("s", map[string]any{"email": " A@Example.com", "email_verified": true,
		"realm_access": map[string]any{"roles": []any{"staff", 7, "admins"}}})
	if err != nil || id.Email != "a@example.com" || id.Role != RoleAdmin {
		t.Errorf("nested array claim: %+v %v", id, err)
	}
	// Microsoft Entra ID: no email_verified, but its domain-owner-verified claim, as a boolean or 1.
	for _, edov := range []any{true, float64(1), "true"} {
		id, err = o.identity("s", map[string]any{"email": "b@example.com", "xms_edov": edov, "realm_access": map[string]any{"roles": []any{"staff"}}})
		if err != nil || id.Role != RoleSupport {
			t.Errorf("xms_edov %v: %+v %v", edov, id, err)
		}
	}
	if got := claimValues(map[string]any{"groups": "staff"}, "groups"); !slices.Equal(got, []string{"staff"}) {
		t.Errorf("string claim: %v", got)
	}
	for name, tt := range map[string]struct {
		claims map[string]any
		reason string
	}{
		"no email":           {map[string]any{"email_verified": true}, OIDCEmailMissing},
		"not an email":       {map[string]any{"email": "someone", "email_verified": true}, OIDCEmailMissing},
		"unverified":         {map[string]any{"email": "a@example.com", "email_verified": false}, OIDCEmailUnverified},
		"unverified string":  {map[string]any{"email": "a@example.com", "email_verified": "false"}, OIDCEmailUnverified},
		"no verification":    {map[string]any{"email": "a@example.com"}, OIDCEmailUnverified},
		"entra unverified":   {map[string]any{"email": "a@example.com", "xms_edov": false}, OIDCEmailUnverified},
		"entra unverified 0": {map[string]any{"email": "a@example.com", "xms_edov": float64(0)}, OIDCEmailUnverified},
		"no role":            {map[string]any{"email": "a@example.com", "email_verified": "true", "realm_access": map[string]any{"roles": []any{"x"}}}, OIDCNoRole},
	} {
		_, err := o.identity("s", tt.claims)
		var oe *OIDCError
		if !errors.As(err, &oe) || oe.Reason != tt.reason {
			t.Errorf("%s: got %v, want reason %s", name, err, tt.reason)
		}
	}
	for _, bad := range []OIDCConfig{
		{Issuer: "", ClientID: "c", RedirectURL: "https://c/cb", Roles: roles},
		{Issuer: "https://id.example.com", RedirectURL: "https://c/cb", Roles: roles},
		{Issuer: "https://id.example.com", ClientID: "c", RedirectURL: "https://c/cb"},
	} {
		if _, err := NewOIDC(bad); err == nil {
			t.Errorf("%+v: want an error", bad)
		}
	}
}

// TestOIDCState: the sign-on's cookie is HttpOnly, Lax (the provider's redirect back is cross-site)
// and limited to /login; taking it clears it; it is worthless forged, expired or missing.
func TestOIDCState(t *testing.T) {
	svc, _, clock := newTestEnv(t, nil)
	store := svc.Sessions()
	w := httptest.NewRecorder()
	want := OIDCState{State: "st", Nonce: "no", Verifier: "ve", Next: "/checks?x=1"}
	if err := store.BeginSingleSignOn(w, want); err != nil {
		t.Fatal(err)
	}
	ck := responseCookie(w, oidcStateCookie)
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/login" || ck.MaxAge != int(OIDCStateTTL/time.Second) {
		t.Fatalf("state cookie %+v", ck)
	}
	take := func(c *http.Cookie) (OIDCState, *http.Cookie, error) {
		r := httptest.NewRequest(http.MethodGet, "/login/oidc/callback", nil)
		if c != nil {
			r.AddCookie(c)
		}
		w := httptest.NewRecorder()
		st, err := store.TakeSingleSignOn(w, r)
		return st, responseCookie(w, oidcStateCookie), err
	}
	st, cleared, err := take(ck)
	if err != nil || st.State != want.State || st.Nonce != want.Nonce || st.Verifier != want.Verifier || st.Next != want.Next {
		t.Fatalf("read back %+v %v", st, err)
	}
	if cleared == nil || cleared.MaxAge >= 0 {
		t.Errorf("taking does not clear the cookie: %+v", cleared)
	}
	forged := *ck
	forged.Value = ck.Value[:len(ck.Value)-4] + "AAAA"
	if _, _, err := take(&forged); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("a forged cookie: %v", err)
	}
	if _, _, err := take(nil); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("no cookie: %v", err)
	}
	clock.Advance(OIDCStateTTL + time.Second)
	if _, _, err := take(ck); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("after %v: %v", OIDCStateTTL, err)
	}
}
