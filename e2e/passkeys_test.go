//go:build browser

package e2e

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
)

// TestPasskeySignIn: with Chromium's virtual authenticator (a platform authenticator that holds
// discoverable credentials and verifies its user), an admin adds a passkey on the Security page,
// signs out, and signs in again with the passkey alone: no email, password or code. The console runs
// on 127.0.0.1, where browsers offer no passkeys; the browser opens it as localhost, where they live.
func TestPasskeySignIn(t *testing.T) {
	c := startConsole(t)
	u, err := url.Parse(c.URL)
	if err != nil {
		t.Fatal(err)
	}
	local := "http://localhost:" + u.Port()
	ctx := browserWithin(t, 120*time.Second)
	problems := watchProblems(t, ctx)
	enableUI := false
	if _, err := chromedp.Call(ctx, webauthn.Enable, webauthn.EnableParams{EnableUI: &enableUI}); err != nil {
		t.Fatal(err)
	}
	added, err := chromedp.Call(ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{Options: &webauthn.VirtualAuthenticatorOptions{
		Protocol: webauthn.AuthenticatorProtocolCtap2, Ctap2version: webauthn.Ctap2versionCtap21, Transport: webauthn.AuthenticatorTransportInternal,
		HasResidentKey: true, HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true,
	}})
	if err != nil {
		t.Fatal(err)
	}

	// By its address, the Security page says where passkeys work.
	do(t, ctx, signIn(c.URL, "admin@localhost", adminPassword), chromedp.WaitVisible(chromedp.CSS(`[data-testid="recent-checks"]`)),
		chromedp.Navigate(c.URL+"/account/security"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="passkeys-elsewhere"]`)))
	if href := evalString(t, ctx, `document.querySelector('[data-testid="passkeys-elsewhere"] a').href`); href != local+"/account/security" {
		t.Errorf("the page links to %q for passkeys, want %s/account/security", href, local)
	}

	// By its localhost name: add a passkey. A wrong password first is told in the form and keeps
	// what was typed.
	signOut := chromedp.Steps(
		chromedp.Click(chromedp.CSS(`[data-testid="user-menu"] summary`)),
		chromedp.Click(chromedp.CSS(`[data-testid="sign-out"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="login-form"]`)),
	)
	do(t, ctx, signIn(local, "admin@localhost", adminPassword), chromedp.WaitVisible(chromedp.CSS(`[data-testid="recent-checks"]`)),
		chromedp.Navigate(local+"/account/security"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="passkey-add"]`)),
		chromedp.SendKeys(chromedp.CSS(`#passkey_name`), "Chromium test key"),
		chromedp.SendKeys(chromedp.CSS(`#passkey_password`), "wrong-password"),
		chromedp.Click(chromedp.CSS(`[data-testid="passkey-add-button"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="passkey-add"] [data-testid="passkey-error"]`)))
	if msg := text(t, ctx, `[data-testid="passkey-add"] [data-testid="passkey-error"]`); !strings.Contains(msg, "not your current password") {
		t.Errorf("a wrong password: %q", msg)
	}
	if name := evalString(t, ctx, `document.querySelector('#passkey_name').value`); name != "Chromium test key" {
		t.Errorf("after the error the name reads %q", name)
	}
	evalString(t, ctx, `(document.querySelector('#passkey_password').value = '')`)
	do(t, ctx,
		chromedp.SendKeys(chromedp.CSS(`#passkey_password`), adminPassword),
		chromedp.Click(chromedp.CSS(`[data-testid="passkey-add-button"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="passkey-name"]`)),
		screenshot("passkey-added"))
	if name := text(t, ctx, `[data-testid="passkey-name"]`); name != "Chromium test key" {
		t.Errorf("the passkey is listed as %q", name)
	}
	src := axeSource(t)
	for _, scheme := range []string{"light", "dark"} {
		// Reloaded in the scheme: a page switched while open animates its colours, which axe would
		// sample half-way.
		do(t, ctx, colourScheme(scheme), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`[data-testid="passkey-name"]`)))
		for _, p := range axeProblems(t, ctx, src) {
			t.Errorf("Security page with a passkey, %s: %s", scheme, p)
		}
	}
	creds, err := chromedp.Call(ctx, webauthn.GetCredentials, webauthn.GetCredentialsParams(added))
	if err != nil {
		t.Fatal(err)
	}
	if len(creds.Credentials) != 1 || !creds.Credentials[0].IsResidentCredential || creds.Credentials[0].RpID != "localhost" {
		t.Fatalf("the authenticator holds %+v, want one discoverable credential for localhost", creds.Credentials)
	}

	// Signed out, the passkey alone signs in, and goes where the sign-in page was sent.
	do(t, ctx, signOut,
		chromedp.Navigate(local+"/checks"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="passkey-sign-in-button"]`)),
		screenshot("passkey-sign-in"),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			for _, scheme := range []string{"light", "dark"} {
				if err := chromedp.Do(ctx, colourScheme(scheme), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`[data-testid="passkey-sign-in-button"]`))); err != nil {
					return err
				}
				for _, p := range axeProblems(t, ctx, src) {
					t.Errorf("sign-in page with passkeys, %s: %s", scheme, p)
				}
			}
			return nil
		}),
		chromedp.Click(chromedp.CSS(`[data-testid="passkey-sign-in-button"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="user-menu"]`)))
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(loc, local+"/checks") {
		t.Errorf("after the passkey sign-in the browser is at %s, want /checks", loc)
	}
	do(t, ctx, chromedp.Navigate(local+"/account/security"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="account-sign-ins"]`)))
	if got := text(t, ctx, `[data-testid="account-sign-ins"]`); !strings.Contains(got, "Signed in with a passkey") {
		t.Errorf("the sign-ins say %q", got)
	}
	for _, p := range problems.all() {
		if !strings.Contains(p, "422") || !strings.Contains(p, "/account/passkeys/begin") { // the wrong password's answer is expected
			t.Errorf("page problem: %s", p)
		}
	}
}
