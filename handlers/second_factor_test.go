package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/hiveconsole/hiveconsole/audit"
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// code is the authenticator's code for secret at t.
func code(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(strings.ReplaceAll(secret, " ", ""), at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// passwordStep posts the sign-in form and returns where it sends the browser.
func passwordStep(b *browser, email, password, next string) response {
	b.t.Helper()
	token, _ := b.get("/login").doc(b.t).Find(`input[name="csrf_token"]`).Attr("value")
	return b.post("/login", url.Values{"email": {email}, "password": {password}, "next": {next}, "csrf_token": {token}})
}

// codeStep posts a code on the second step.
func codeStep(b *browser, c string) response {
	b.t.Helper()
	page := b.get("/login/code")
	if page.StatusCode != http.StatusOK {
		b.t.Fatalf("the code page: %d", page.StatusCode)
	}
	token, _ := page.doc(b.t).Find(`input[name="csrf_token"]`).Attr("value")
	return b.post("/login/code", url.Values{"code": {c}, "csrf_token": {token}})
}

// TestSecondFactor: a user sets up an authenticator from the Security page (a wrong first code keeps
// the same secret; the right one shows ten recovery codes once); from then on the password alone
// signs nobody in: the code page follows, a wrong or replayed code is refused and audited, the right
// one signs in and goes where the user was going; a recovery code works once; turning it off takes
// the password.
func TestSecondFactor(t *testing.T) {
	tc := newTestConsole(t)
	ctx := context.Background()
	email := tc.users[auth.RoleReviewer].Email
	b := tc.browser()
	b.signInAs(auth.RoleReviewer)
	if st := b.get("/account/security").doc(t).Find(`[data-testid="second-factor-state"]`).Text(); st != "Off" {
		t.Fatalf("a new account's second factor: %q", st)
	}
	setup := b.post("/account/totp", nil).doc(t)
	secret := setup.Find(`[data-testid="totp-secret"]`).Text()
	if len(strings.ReplaceAll(secret, " ", "")) < 16 || setup.Find(`svg[data-testid="totp-qr"] path`).AttrOr("d", "") == "" {
		t.Fatalf("no secret or QR code: %q", secret)
	}
	wrong := b.post("/account/totp/confirm", url.Values{"code": {"000000"}})
	if wrong.StatusCode != http.StatusUnprocessableEntity || wrong.doc(t).Find(`[data-testid="totp-secret"]`).Text() != secret {
		t.Fatalf("a wrong first code: %d, secret shown again %v", wrong.StatusCode, wrong.doc(t).Find(`[data-testid="totp-secret"]`).Text() == secret)
	}
	done := b.post("/account/totp/confirm", url.Values{"code": {code(t, secret, tc.clock.Now())}}).doc(t)
	var recovery []string
	done.Find(`[data-testid="recovery-codes"] code`).Each(func(_ int, s *goquery.Selection) { recovery = append(recovery, s.Text()) })
	if len(recovery) != 10 || done.Find(`[data-testid="second-factor-state"]`).Text() != "On" {
		t.Fatalf("after the right code: %d recovery codes, state %q", len(recovery), done.Find(`[data-testid="second-factor-state"]`).Text())
	}
	if again := b.get("/account/security").doc(t); again.Find(`[data-testid="recovery-codes"]`).Length() != 0 ||
		!strings.Contains(again.Find(`[data-testid="codes-left"]`).Text(), "10 recovery codes left") {
		t.Error("the recovery codes show again, or the count is wrong")
	}

	// The password alone opens nothing now.
	other := tc.browser()
	if r := passwordStep(other, email, testPassword, "/checks"); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/login/code" {
		t.Fatalf("password step: %d to %q", r.StatusCode, r.Header.Get("Location"))
	}
	if st := other.status(http.MethodGet, "/checks"); st != http.StatusSeeOther {
		t.Errorf("a page after the password alone: %d", st)
	}
	if r := codeStep(other, "123456"); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("a wrong code: %d", r.StatusCode)
	}
	tc.clock.Advance(30 * time.Second) // the enrolment used this step's code
	now := code(t, secret, tc.clock.Now())
	r := codeStep(other, now)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/checks" {
		t.Fatalf("the right code: %d to %q", r.StatusCode, r.Header.Get("Location"))
	}
	if st := other.status(http.MethodGet, "/checks"); st != http.StatusOK {
		t.Errorf("signed in with the code, /checks: %d", st)
	}
	// The same code again, in a third browser: refused.
	third := tc.browser()
	passwordStep(third, email, testPassword, "")
	if r := codeStep(third, now); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("a replayed code: %d", r.StatusCode)
	}
	// A recovery code, typed as people do, works once.
	if r := codeStep(third, strings.ToUpper(recovery[3])); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("a recovery code: %d", r.StatusCode)
	}
	if home := third.get("/").doc(t).Text(); !strings.Contains(home, "9 left") {
		t.Error("signing in with a recovery code does not say how many are left")
	}
	fourth := tc.browser()
	passwordStep(fourth, email, testPassword, "")
	if r := codeStep(fourth, recovery[3]); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("a used recovery code: %d", r.StatusCode)
	}
	// No password step in this browser: the code page sends it to sign in.
	if r := tc.browser().get("/login/code"); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/login" {
		t.Errorf("the code page without a password step: %d to %q", r.StatusCode, r.Header.Get("Location"))
	}

	events, _, err := tc.trail.Events(ctx, audit.Query{Actor: email, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, e := range events {
		seen[e.Action+" "+string(e.Outcome)]++
	}
	for _, want := range []string{"auth.second_factor_enrol success", "auth.password success", "auth.second_factor failure", "auth.sign_in success"} {
		if seen[want] == 0 {
			t.Errorf("no %q row in the trail: %v", want, seen)
		}
	}

	// Turning it off takes the password.
	if r := b.post("/account/totp/off", url.Values{"current_password": {"not it at all, no"}}); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("turning off with a wrong password: %d", r.StatusCode)
	}
	if r := b.post("/account/totp/off", url.Values{"current_password": {testPassword}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("turning off: %d", r.StatusCode)
	}
	if r := passwordStep(tc.browser(), email, testPassword, ""); r.Header.Get("Location") == "/login/code" {
		t.Error("after turning it off, sign-in still asks for a code")
	}
}
