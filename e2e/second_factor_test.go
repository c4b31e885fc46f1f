//go:build browser

package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// totpCode is an authenticator app's code for secret at t.
func totpCode(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(strings.ReplaceAll(secret, " ", ""), at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestTwoFactorSignIn: a reviewer sets up an authenticator from the user menu's Security page (the QR
// code and the secret shown, then the recovery codes), signs out, and signs in again with the
// password and then a code; later with the password and a recovery code.
func TestTwoFactorSignIn(t *testing.T) {
	c := startConsole(t)
	ctx := browserWithin(t, 120*time.Second)
	problems := watchProblems(t, ctx)
	do(t, ctx, signIn(c.URL, "admin@localhost", adminPassword), chromedp.WaitVisible(chromedp.CSS(`[data-testid="recent-checks"]`)))
	createReviewer(t, ctx, c.URL, "tess@example.com", "Tess Two")
	signOut := chromedp.Steps(
		chromedp.Click(chromedp.CSS(`[data-testid="user-menu"] summary`)),
		chromedp.Click(chromedp.CSS(`[data-testid="sign-out"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="login-form"]`)),
	)
	do(t, ctx, signOut, signIn(c.URL, "tess@example.com", reviewerPassword), chromedp.WaitVisible(chromedp.CSS(`[data-testid="overview-queue"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="user-menu"] summary`)),
		chromedp.Click(chromedp.CSS(`a.user-menu__item[href="/account/security"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="totp-begin"] button`)),
		chromedp.Click(chromedp.CSS(`[data-testid="totp-begin"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="totp-qr"]`)),
		screenshot("totp-setup"))
	secret := text(t, ctx, `[data-testid="totp-secret"]`)
	now := time.Now()
	do(t, ctx, chromedp.SendKeys(chromedp.CSS(`#code`), totpCode(t, secret, now)),
		chromedp.Click(chromedp.CSS(`[data-testid="totp-confirm"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="recovery-codes"]`)))
	recovery := evalString(t, ctx, `[...document.querySelectorAll('[data-testid="recovery-codes"] code')].map(c => c.textContent).join(' ')`)
	codes := strings.Fields(recovery)
	if len(codes) != 10 {
		t.Fatalf("recovery codes: %q", recovery)
	}

	// The password, then the code of the next step (the window takes one step either side; the
	// enrolment used this one).
	do(t, ctx, signOut, signIn(c.URL, "tess@example.com", reviewerPassword), chromedp.WaitVisible(chromedp.CSS(`[data-testid="code-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`#code`), totpCode(t, secret, now.Add(30*time.Second))),
		chromedp.Click(chromedp.CSS(`[data-testid="verify-code"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="overview-queue"]`)))

	// The password, then a recovery code.
	do(t, ctx, signOut, signIn(c.URL, "tess@example.com", reviewerPassword), chromedp.WaitVisible(chromedp.CSS(`[data-testid="code-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`#code`), codes[0]),
		chromedp.Click(chromedp.CSS(`[data-testid="verify-code"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="overview-queue"]`)))
	if flash := text(t, ctx, `[data-testid="flash"]`); !strings.Contains(flash, "9 left") {
		t.Errorf("after a recovery code: flash %q", flash)
	}
	do(t, ctx, chromedp.Navigate(c.URL+"/account/security"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="codes-left"]`)), screenshot("totp-on"))
	if p := problems.all(); len(p) != 0 {
		t.Errorf("page problems: %v", p)
	}
}
