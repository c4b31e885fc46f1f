//go:build browser

package e2e

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/hiveconsole/hiveconsole/internal/oidctest"
)

// TestSingleSignOn: with an OpenID provider running in this process, a reviewer nobody created yet
// clicks "Sign in with Example ID" on the sign-in page, is approved by the provider, comes back
// signed in with the role the provider's group grants, on the page they were going to; the Security
// page records the sign-in as single sign-on.
func TestSingleSignOn(t *testing.T) {
	p := oidctest.New(t)
	p.Signs("sso.reviewer@example.com", "kyc-reviewers")
	c := startConsole(t, "HIVECONSOLE_OIDC_ISSUER="+p.URL, "HIVECONSOLE_OIDC_CLIENT_ID="+p.ClientID,
		"HIVECONSOLE_OIDC_CLIENT_SECRET="+p.ClientSecret, "HIVECONSOLE_OIDC_ROLES=console-admins=admin,kyc-reviewers=reviewer",
		"HIVECONSOLE_OIDC_CREATE_USERS=true", "HIVECONSOLE_OIDC_NAME=Example ID")
	u, err := url.Parse(c.URL)
	if err != nil {
		t.Fatal(err)
	}
	ctx := browserWithin(t, 90*time.Second)
	problems := watchProblems(t, ctx)
	// By its localhost name the sign-in page offers all three ways in.
	do(t, ctx, chromedp.Navigate("http://localhost:"+u.Port()+"/login"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="passkey-sign-in-button"]`)),
		screenshot("sign-in-all-ways"))
	do(t, ctx, chromedp.Navigate(c.URL+"/checks"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="sso-sign-in"]`)))
	if label := text(t, ctx, `[data-testid="sso-sign-in"]`); label != "Sign in with Example ID" {
		t.Errorf("the button reads %q", label)
	}
	do(t, ctx, chromedp.Click(chromedp.CSS(`[data-testid="sso-sign-in"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="user-menu"]`)))
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(loc, c.URL+"/checks") {
		t.Errorf("after single sign-on the browser is at %s, want /checks", loc)
	}
	if who := text(t, ctx, `[data-testid="user-menu"] summary`); !strings.Contains(who, "Signed In Through SSO") {
		t.Errorf("the user menu says %q", who)
	}
	// A reviewer: the staff pages are not theirs.
	do(t, ctx, chromedp.Navigate(c.URL+"/users"), chromedp.WaitVisible(chromedp.CSS(`body`)))
	if got := text(t, ctx, `main`); !strings.Contains(got, "403") && !strings.Contains(strings.ToLower(got), "not allowed") {
		t.Errorf("a reviewer signed in through SSO on /users: %q", got)
	}
	do(t, ctx, chromedp.Navigate(c.URL+"/account/security"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="account-sign-ins"]`)))
	if got := text(t, ctx, `[data-testid="account-sign-ins"]`); !strings.Contains(got, "Signed in with single sign-on") {
		t.Errorf("the sign-ins say %q", got)
	}
	for _, p := range problems.all() {
		if !strings.Contains(p, "403") || !strings.Contains(p, "/users") {
			t.Errorf("page problem: %s", p)
		}
	}
}
