package handlers_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/descope/virtualwebauthn"
	"github.com/hiveconsole/hiveconsole/audit"
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/handlers"
	"github.com/hiveconsole/hiveconsole/internal/oidctest"
	"github.com/hiveconsole/hiveconsole/internal/passkeytest"
)

// localhost is a browser that opens the console by its localhost name, where its passkeys live
// (browsers offer none on an IP address).
func (tc *testConsole) localhost() *browser {
	b := tc.browser()
	u, _ := url.Parse(tc.URL)
	b.host = "localhost:" + u.Port()
	return b
}

// device is a passkey for u that answers the test console.
func (tc *testConsole) device(u auth.User) *passkeytest.Device {
	u0, _ := url.Parse(tc.URL)
	_, port, _ := net.SplitHostPort(u0.Host)
	return passkeytest.NewDevice(tc.t, passkeytest.RP(port), u.ID, virtualwebauthn.AuthenticatorOptions{})
}

// jsonPost posts what the browser script posts at the end of a ceremony: JSON, with the token in
// the header.
func (b *browser) jsonPost(path string, body []byte, token string) response {
	b.t.Helper()
	return b.postWith(path, "application/json", body, "Accept", "application/json", "X-CSRF-Token", token)
}

// answer reads a ceremony step's JSON answer.
func answerOf(t *testing.T, r response) map[string]string {
	t.Helper()
	var m map[string]string
	if err := json.Unmarshal([]byte(r.Body), &m); err != nil {
		t.Fatalf("not a JSON answer (%d): %v\n%s", r.StatusCode, err, r.Body)
	}
	return m
}

// addPasskey adds d as a passkey of the signed-in user of b, under name, through the Security page.
func addPasskey(t *testing.T, b *browser, d *passkeytest.Device, name string) response {
	t.Helper()
	begin := b.post("/account/passkeys/begin", url.Values{"name": {name}, "current_password": {testPassword}}, "Accept", "application/json")
	if begin.StatusCode != http.StatusOK {
		t.Fatalf("begin adding a passkey: %d %s", begin.StatusCode, begin.Body)
	}
	answer, _ := d.Create(t, []byte(begin.Body))
	return b.jsonPost("/account/passkeys", answer, b.csrf)
}

// passkeySignIn signs b in with d from page (the sign-in page or the code page), and returns the
// finishing step's answer.
func passkeySignIn(t *testing.T, b *browser, d *passkeytest.Device, page string) response {
	t.Helper()
	form := b.get(page).doc(t).Find(`form[data-passkey="sign-in"]`)
	if form.Length() != 1 {
		t.Fatalf("%s offers no passkey sign-in", page)
	}
	token := form.Find(`input[name="csrf_token"]`).AttrOr("value", "")
	values := url.Values{"csrf_token": {token}}
	if next, ok := form.Find(`input[name="next"]`).Attr("value"); ok {
		values.Set("next", next)
	}
	begin := b.post(form.AttrOr("action", ""), values, "Accept", "application/json")
	if begin.StatusCode != http.StatusOK {
		t.Fatalf("begin a passkey sign-in: %d %s", begin.StatusCode, begin.Body)
	}
	answer, _ := d.Get(t, []byte(begin.Body))
	return b.jsonPost("/login/passkey", answer, token)
}

// TestPasskeys: a user adds a passkey on the Security page (after their password), signs out, and
// signs in with it alone, going where they were going; each step is in the trail and on the
// Security page; removing it stops it signing in.
func TestPasskeys(t *testing.T) {
	tc := newTestConsole(t)
	ctx := context.Background()
	rev := tc.users[auth.RoleReviewer]

	// By the console's IP address, the page says where passkeys work.
	ip := tc.browser()
	ip.signInAs(auth.RoleReviewer)
	sec := ip.get("/account/security").doc(t)
	if link := sec.Find(`[data-testid="passkeys-elsewhere"] a`).AttrOr("href", ""); !strings.HasPrefix(link, "http://localhost:") {
		t.Errorf("at 127.0.0.1 the page links to %q for passkeys", link)
	}
	if sec.Find(`[data-testid="passkey-add"]`).Length() != 0 {
		t.Error("at 127.0.0.1 the page offers to add a passkey")
	}
	if st := ip.post("/account/passkeys/begin", url.Values{"current_password": {testPassword}}, "Accept", "application/json").StatusCode; st != http.StatusNotFound {
		t.Errorf("adding a passkey at 127.0.0.1: %d", st)
	}

	b := tc.localhost()
	b.signInAs(auth.RoleReviewer)
	if b.get("/account/security").doc(t).Find(`form[data-passkey="register"]`).Length() != 1 {
		t.Fatal("the Security page has no form to add a passkey")
	}
	// Without the browser script, the form leads back with a message.
	if r := b.post("/account/passkeys/begin", url.Values{"current_password": {testPassword}}); r.StatusCode != http.StatusSeeOther {
		t.Errorf("a form post without the script: %d", r.StatusCode)
	}
	wrong := b.post("/account/passkeys/begin", url.Values{"current_password": {"not-it"}}, "Accept", "application/json")
	if wrong.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(answerOf(t, wrong)["error"], "not your current password") {
		t.Errorf("a wrong password: %d %s", wrong.StatusCode, wrong.Body)
	}
	phone := tc.device(rev)
	added := addPasskey(t, b, phone, "Work phone")
	if added.StatusCode != http.StatusOK || answerOf(t, added)["redirect"] != "/account/security" {
		t.Fatalf("adding a passkey: %d %s", added.StatusCode, added.Body)
	}
	sec = b.get("/account/security").doc(t)
	if name := sec.Find(`[data-testid="passkey-name"]`).Text(); name != "Work phone" {
		t.Errorf("the Security page lists %q", name)
	}
	if !strings.Contains(sec.Find(`[data-testid="toast"], .flash`).Text(), "Work phone") {
		t.Error("no message says the passkey was added")
	}
	// The token the script sends must be the session's.
	if r := b.jsonPost("/account/passkeys", []byte(`{}`), "forged"); r.StatusCode != http.StatusForbidden {
		t.Errorf("finishing with a forged token: %d", r.StatusCode)
	}

	// Sign out; sign in with the passkey alone, going where the sign-in page was sent.
	b.post("/logout", nil)
	b2 := tc.localhost()
	b2.get("/checks") // sends the anonymous browser to /login?next=/checks
	done := passkeySignIn(t, b2, phone, "/login?next=%2Fchecks")
	if done.StatusCode != http.StatusOK || answerOf(t, done)["redirect"] != "/checks" {
		t.Fatalf("passkey sign-in: %d %s", done.StatusCode, done.Body)
	}
	if st := b2.get("/checks").StatusCode; st != http.StatusOK {
		t.Fatalf("after the passkey sign-in, /checks: %d", st)
	}
	home := b2.get("/")
	b2.csrf = home.doc(t).Find(`meta[name="csrf-token"]`).AttrOr("content", "")
	sec = b2.get("/account/security").doc(t)
	if !strings.Contains(sec.Find(`[data-testid="account-sign-ins"]`).Text(), "Signed in with a passkey") {
		t.Errorf("the sign-ins do not show the passkey sign-in: %q", sec.Find(`[data-testid="account-sign-ins"]`).Text())
	}
	if used := sec.Find(`[data-testid="passkey"] td[data-label="Last used"]`).Text(); strings.Contains(used, "Never") {
		t.Error("the passkey's last use is not shown")
	}

	// An answer that does not verify is refused and recorded.
	b3 := tc.localhost()
	stranger := tc.device(rev) // a key the console never saw, claiming the reviewer
	if r := passkeySignIn(t, b3, stranger, "/login"); r.StatusCode != http.StatusUnauthorized || !strings.Contains(answerOf(t, r)["error"], "not accepted") {
		t.Errorf("an unknown passkey: %d %s", r.StatusCode, r.Body)
	}
	if st := b3.get("/").StatusCode; st != http.StatusSeeOther {
		t.Errorf("after a refused passkey, /: %d", st)
	}

	// Removing it: another user's id is not found; the user's own goes.
	id := sec.Find(`[data-testid="passkey"] form`).AttrOr("action", "")
	other := tc.browser()
	other.signInAs(auth.RoleAdmin)
	if st := other.post(id, nil).StatusCode; st != http.StatusNotFound {
		t.Errorf("an admin removing the reviewer's passkey from their own account: %d", st)
	}
	if r := b2.post(id, nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("removing the passkey: %d", r.StatusCode)
	}
	if b2.get("/account/security").doc(t).Find(`[data-testid="passkey"]`).Length() != 0 {
		t.Error("the passkey is still listed")
	}
	if r := passkeySignIn(t, tc.localhost(), phone, "/login"); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("a removed passkey signs in: %d", r.StatusCode)
	}

	want := map[string]string{"auth.passkey_add": "success", "auth.sign_in": "success", "auth.passkey": "failure", "auth.passkey_remove": "success"}
	events, _, err := tc.trail.Events(ctx, audit.Query{Actor: rev.Email, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range events {
		if w, ok := want[e.Action]; ok && string(e.Outcome) == w {
			if e.Action == "auth.sign_in" && e.Details["method"] != "passkey" {
				continue
			}
			if (e.Action == "auth.passkey_add" || e.Action == "auth.passkey_remove") && e.Details["name"] != "Work phone" {
				t.Errorf("%s names %v", e.Action, e.Details["name"])
			}
			seen[e.Action] = true
		}
	}
	for action := range want {
		if !seen[action] {
			t.Errorf("no %s %s in the trail", want[action], action)
		}
	}
}

// TestPasskeySecondFactor: in a role that must have a second factor, a user whose only second
// factor is a passkey gives it after the password (no code form, no enrolment); a passkey is both
// factors, so signing in with it alone asks for nothing more. Where password sign-in is kept for a
// break-glass admin, a passkey is refused like a password; an admin's reset removes passkeys.
func TestPasskeySecondFactor(t *testing.T) {
	policy, err := auth.ParseMFAPolicy("all")
	if err != nil {
		t.Fatal(err)
	}
	tc := newTestConsole(t, func(h *handlers.Config, _ *auth.Config) { h.MFARequired = policy })
	rev := tc.users[auth.RoleReviewer]
	phone := tc.device(rev)
	registerDirect(t, tc, rev, phone) // signing in to add one would need a second factor first

	// By the console's IP address the second step says where the passkey works.
	ip := tc.browser()
	passwordStep(ip, rev.Email, testPassword, "/checks")
	if link := ip.get("/login/code").doc(t).Find(`[data-testid="passkey-elsewhere"] a`).AttrOr("href", ""); !strings.HasPrefix(link, "http://localhost:") {
		t.Errorf("the second step at 127.0.0.1 links to %q", link)
	}

	b := tc.localhost()
	if r := passwordStep(b, rev.Email, testPassword, "/checks"); r.Header.Get("Location") != "/login/code" {
		t.Fatalf("the password of a reviewer with a passkey leads to %q, want the second step", r.Header.Get("Location"))
	}
	page := b.get("/login/code").doc(t)
	if page.Find(`[data-testid="code-form"]`).Length() != 0 || page.Find(`form[data-passkey="sign-in"]`).Length() != 1 {
		t.Errorf("the second step of a passkey-only user: code form %d, passkey form %d",
			page.Find(`[data-testid="code-form"]`).Length(), page.Find(`form[data-passkey="sign-in"]`).Length())
	}
	done := passkeySignIn(t, b, phone, "/login/code")
	if done.StatusCode != http.StatusOK || answerOf(t, done)["redirect"] != "/checks" {
		t.Fatalf("the passkey after the password: %d %s", done.StatusCode, done.Body)
	}
	if st := b.get("/checks").StatusCode; st != http.StatusOK {
		t.Errorf("signed in with password and passkey, /checks: %d", st)
	}

	// A passkey alone is both factors: no code, no enrolment.
	admin := tc.users[auth.RoleAdmin]
	key := tc.device(admin)
	registerDirect(t, tc, admin, key)
	a := tc.localhost()
	if r := passkeySignIn(t, a, key, "/login"); r.StatusCode != http.StatusOK {
		t.Fatalf("a passkey alone: %d %s", r.StatusCode, r.Body)
	}
	user := a.get("/users/" + rev.ID)
	if user.StatusCode != http.StatusOK {
		t.Fatalf("an admin signed in with a passkey alone, the user page: %d", user.StatusCode)
	}
	a.csrf = user.doc(t).Find(`meta[name="csrf-token"]`).AttrOr("content", "")
	if got := user.doc(t).Find(`[data-testid="user-second-factors"]`).Text(); !strings.Contains(got, "1 passkey") {
		t.Errorf("the user page says %q", got)
	}

	// The admin resets the reviewer's second factors: the passkey goes with them.
	if r := a.post("/users/"+rev.ID+"/second-factor/reset", url.Values{"reason": {"Lost phone"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("reset: %d", r.StatusCode)
	}
	if has, _ := tc.staff.HasPasskey(context.Background(), rev.ID); has {
		t.Error("the reviewer's passkey outlived the admin's reset")
	}
	if r := passwordStep(tc.localhost(), rev.Email, testPassword, "/"); r.Header.Get("Location") != "/login/setup" {
		t.Errorf("after the reset, the reviewer's password leads to %q, want enrolment", r.Header.Get("Location"))
	}
}

// TestPasskeyBreakGlass: where password sign-in is kept for a break-glass admin, passkeys are too,
// since either would go around single sign-on; the break-glass admin's still works.
func TestPasskeyBreakGlass(t *testing.T) {
	p := oidctest.New(t)
	tc := newTestConsoleWith(t, 1, withSSO(p, func(*auth.OIDCConfig) {}), func(h *handlers.Config, _ *auth.Config) {
		h.PasswordSignIn, _ = auth.ParsePasswordSignIn("break-glass:admin@example.com")
	})
	rev, admin := tc.users[auth.RoleReviewer], tc.users[auth.RoleAdmin]
	revKey, adminKey := tc.device(rev), tc.device(admin)
	registerDirect(t, tc, rev, revKey)
	registerDirect(t, tc, admin, adminKey)
	b := tc.localhost()
	if r := passkeySignIn(t, b, revKey, "/login"); r.StatusCode != http.StatusForbidden || !strings.Contains(answerOf(t, r)["error"], "single sign-on") {
		t.Errorf("a reviewer's passkey with SSO enforced: %d %s", r.StatusCode, r.Body)
	}
	if st := b.get("/").StatusCode; st != http.StatusSeeOther {
		t.Errorf("after the refusal, /: %d", st)
	}
	if r := passkeySignIn(t, tc.localhost(), adminKey, "/login"); r.StatusCode != http.StatusOK {
		t.Errorf("the break-glass admin's passkey: %d %s", r.StatusCode, r.Body)
	}
}

// registerDirect gives u the passkey d through the auth service, as the Security page would.
func registerDirect(t *testing.T, tc *testConsole, u auth.User, d *passkeytest.Device) {
	t.Helper()
	first := httptest.NewRecorder()
	options, err := tc.staff.BeginPasskeyRegistration(context.Background(), first, u, "Registered in the test")
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := d.Create(t, options)
	r := httptest.NewRequest(http.MethodPost, auth.PasskeyRegisterPath, nil)
	for _, c := range first.Result().Cookies() {
		r.AddCookie(c)
	}
	if _, err := tc.staff.FinishPasskeyRegistration(context.Background(), httptest.NewRecorder(), r, u, answer); err != nil {
		t.Fatal(err)
	}
}
