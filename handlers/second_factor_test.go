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
	"github.com/hiveconsole/hiveconsole/handlers"
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
	if r := other.post("/login/code", url.Values{"code": {"123456"}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("a code without the form's token: %d", r.StatusCode)
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

// TestSecondFactorRequired: with HIVECONSOLE_MFA_REQUIRED naming a role, a user of it without a
// second factor sets one up right after the password and reaches nothing before the first code is
// right; then the session starts, the recovery codes show once and lead on to where they were going.
// They cannot turn it off; an admin resets it with a reason, which signs them out and is audited;
// other roles sign in with the password alone.
func TestSecondFactorRequired(t *testing.T) {
	policy, err := auth.ParseMFAPolicy("reviewer")
	if err != nil {
		t.Fatal(err)
	}
	tc := newTestConsole(t, func(h *handlers.Config, _ *auth.Config) { h.MFARequired = policy })
	ctx := context.Background()
	rev := tc.users[auth.RoleReviewer]
	b := tc.browser()
	if r := passwordStep(b, rev.Email, testPassword, "/checks"); r.Header.Get("Location") != "/login/setup" {
		t.Fatalf("a reviewer without a second factor is sent to %q", r.Header.Get("Location"))
	}
	for _, page := range []string{"/", "/checks", "/account/security"} {
		if st := b.status(http.MethodGet, page); st != http.StatusSeeOther {
			t.Errorf("%s before the second factor is set up: %d", page, st)
		}
	}
	setup := b.get("/login/setup")
	doc := setup.doc(t)
	secret := doc.Find(`[data-testid="totp-secret"]`).Text()
	token := doc.Find(`input[name="csrf_token"]`).AttrOr("value", "")
	if setup.StatusCode != http.StatusOK || secret == "" || b.get("/login/setup").doc(t).Find(`[data-testid="totp-secret"]`).Text() != secret {
		t.Fatalf("the setup page: %d, secret %q (a reload must show the same)", setup.StatusCode, secret)
	}
	if r := b.post("/login/setup", url.Values{"code": {code(t, secret, tc.clock.Now())}, "csrf_token": {"forged"}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("a first code without the form's token: %d", r.StatusCode)
	}
	if r := b.post("/login/setup", url.Values{"code": {"000000"}, "csrf_token": {token}}); r.StatusCode != http.StatusUnprocessableEntity ||
		r.doc(t).Find(`[data-testid="totp-secret"]`).Text() != secret {
		t.Errorf("a wrong first code: %d", r.StatusCode)
	}
	done := b.post("/login/setup", url.Values{"code": {code(t, secret, tc.clock.Now())}, "csrf_token": {token}})
	if done.StatusCode != http.StatusOK || done.doc(t).Find(`[data-testid="recovery-codes"] code`).Length() != 10 ||
		done.doc(t).Find(`[data-testid="codes-saved"]`).AttrOr("href", "") != "/checks" {
		t.Fatalf("after the first code: %d", done.StatusCode)
	}
	if st := b.status(http.MethodGet, "/checks"); st != http.StatusOK {
		t.Errorf("signed in after setting up: /checks %d", st)
	}
	b.csrf = b.get("/").doc(t).Find(`meta[name="csrf-token"]`).AttrOr("content", "")
	sec := b.get("/account/security").doc(t)
	if sec.Find(`[data-testid="second-factor-policy"]`).Text() != "Required for your role." || sec.Find(`[data-testid="totp-off"]`).Length() != 0 {
		t.Error("the Security page does not say it is required, or offers to turn it off")
	}
	if r := b.post("/account/totp/off", url.Values{"current_password": {testPassword}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("turning off a required second factor: %d", r.StatusCode)
	}
	// Support is not named: the password alone.
	if r := passwordStep(tc.browser(), tc.users[auth.RoleSupport].Email, testPassword, ""); r.Header.Get("Location") != "/" {
		t.Errorf("support is sent to %q", r.Header.Get("Location"))
	}

	// An admin resets it: a reason is required; then the reviewer is signed out and sets up again.
	admin := tc.browser()
	admin.signInAs(auth.RoleAdmin)
	page := admin.get("/users/" + rev.ID).doc(t)
	if page.Find(`[data-testid="user-second-factor-state"]`).Text() != "On" {
		t.Error("the staff page does not show the reviewer's second factor")
	}
	if r := admin.post("/users/"+rev.ID+"/second-factor/reset", url.Values{"reason": {"  "}}); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a reset without a reason: %d", r.StatusCode)
	}
	if r := admin.post("/users/"+rev.ID+"/second-factor/reset", url.Values{"reason": {"lost phone, ticket 4411"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("the reset: %d", r.StatusCode)
	}
	if st := b.status(http.MethodGet, "/checks"); st != http.StatusSeeOther {
		t.Errorf("the reviewer's session survived the reset: %d", st)
	}
	if r := passwordStep(tc.browser(), rev.Email, testPassword, ""); r.Header.Get("Location") != "/login/setup" {
		t.Errorf("after the reset, the reviewer is sent to %q", r.Header.Get("Location"))
	}
	events, _, err := tc.trail.Events(ctx, audit.Query{Action: "user.second_factor_reset", Outcome: "success"})
	if err != nil || len(events) != 1 || events[0].Details["reason"] != "lost phone, ticket 4411" || events[0].TargetID != rev.ID {
		t.Errorf("the reset's audit row: %v %+v", err, events)
	}
	if st := tc.browser().status(http.MethodGet, "/login/setup"); st != http.StatusSeeOther {
		t.Errorf("the setup page without a password step: %d", st)
	}
}

// TestAccountSessions: the Security page lists the user's sessions (this browser marked) and their
// last sign-ins, failures included; ending another browser's session signs it out; another user's
// session cannot be ended from there.
func TestAccountSessions(t *testing.T) {
	tc := newTestConsole(t)
	email := tc.users[auth.RoleReviewer].Email
	if r := passwordStep(tc.browser(), email, "a wrong password, surely", ""); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a wrong password: %d", r.StatusCode)
	}
	laptop, phone, admin := tc.browser(), tc.browser(), tc.browser()
	laptop.signInAs(auth.RoleReviewer)
	phone.signInAs(auth.RoleReviewer)
	admin.signInAs(auth.RoleAdmin)
	doc := laptop.get("/account/security").doc(t)
	rows := doc.Find(`[data-testid="account-session"]`)
	if rows.Length() != 2 || doc.Find(`[data-testid="this-session"]`).Length() != 1 {
		t.Fatalf("sessions listed: %d, marked current: %d", rows.Length(), doc.Find(`[data-testid="this-session"]`).Length())
	}
	if addr := rows.First().Find(`[data-label="Address"]`).Text(); addr != "127.0.0.1" {
		t.Errorf("a session's address: %q", addr)
	}
	var whats []string
	doc.Find(`[data-testid="account-sign-in"] [data-label="What"]`).Each(func(_ int, s *goquery.Selection) { whats = append(whats, s.Text()) })
	outcomes := doc.Find(`[data-testid="account-sign-in"] [data-label="Outcome"]`).Text()
	if len(whats) < 3 || whats[0] != "Signed in" || !strings.Contains(outcomes, "failure") {
		t.Errorf("sign-ins: %q, outcomes %q", whats, outcomes)
	}
	// Only the last 20, however many there are.
	for range 25 {
		if err := tc.trail.Record(context.Background(), audit.Event{ActorID: tc.users[auth.RoleReviewer].ID, ActorEmail: email,
			Action: "auth.sign_out", TargetType: "user", Outcome: audit.OutcomeSuccess}); err != nil {
			t.Fatal(err)
		}
	}
	if n := laptop.get("/account/security").doc(t).Find(`[data-testid="account-sign-in"]`).Length(); n != 20 {
		t.Errorf("%d sign-in rows, want the last 20", n)
	}
	// The other session's End form ends the phone's session.
	end := doc.Find(`[data-testid="account-session"] form`).AttrOr("action", "")
	if r := laptop.post(end, nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("ending the phone's session: %d", r.StatusCode)
	}
	if st := phone.status(http.MethodGet, "/checks"); st != http.StatusSeeOther {
		t.Errorf("the phone is still signed in: %d", st)
	}
	if st := laptop.status(http.MethodGet, "/checks"); st != http.StatusOK {
		t.Errorf("the laptop was signed out too: %d", st)
	}
	// The admin's session, by its key, cannot be ended from the reviewer's page.
	var key string
	if err := tc.db.QueryRow(context.Background(), `SELECT id_hash FROM web_sessions WHERE user_id = ?`, tc.users[auth.RoleAdmin].ID).Scan(&key); err != nil {
		t.Fatal(err)
	}
	laptop.post("/account/sessions/"+key+"/end", nil)
	if st := admin.status(http.MethodGet, "/checks"); st != http.StatusOK {
		t.Errorf("a reviewer ended the admin's session: %d", st)
	}
}

// TestSecondFactorThrottled: wrong codes are slowed down like wrong passwords: past the free
// failures the code page answers 429 with Retry-After, even for the right code, and the trail has
// the refusal.
func TestSecondFactorThrottled(t *testing.T) {
	tc := newTestConsole(t)
	ctx := context.Background()
	rev := tc.users[auth.RoleReviewer]
	e, err := tc.staff.BeginTOTP(ctx, rev)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tc.staff.ConfirmTOTP(ctx, rev, code(t, e.Secret, tc.clock.Now())); err != nil {
		t.Fatal(err)
	}
	b := tc.browser()
	passwordStep(b, rev.Email, testPassword, "")
	var r response
	for i := range 10 {
		if r = codeStep(b, "000000"); r.StatusCode == http.StatusTooManyRequests {
			break
		}
		if r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong code %d: %d", i+1, r.StatusCode)
		}
	}
	if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Fatalf("after ten wrong codes: %d, Retry-After %q", r.StatusCode, r.Header.Get("Retry-After"))
	}
	tc.clock.Advance(30 * time.Second)
	if r := codeStep(b, code(t, e.Secret, tc.clock.Now())); r.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the right code while slowed down: %d", r.StatusCode)
	}
	events, _, err := tc.trail.Events(ctx, audit.Query{Action: "auth.lockout", Actor: rev.Email})
	if err != nil || len(events) == 0 {
		t.Errorf("no auth.lockout row: %v", err)
	}
}
