package handlers_test

import (
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/audit"
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/handlers"
)

func TestStaffAdmin(t *testing.T) {
	tc := newTestConsole(t)
	admin := tc.browser()
	admin.signInAs(auth.RoleAdmin)

	t.Run("create with a generated password shown once", func(t *testing.T) {
		resp := admin.post("/users", url.Values{"email": {"New.Person@Example.com"}, "name": {"New Person"}, "role": {"reviewer"}})
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("got %d", resp.StatusCode)
		}
		password := strings.TrimSpace(resp.doc(t).Find(`[data-testid="new-password"] .mono`).Text())
		if len(password) < 20 {
			t.Fatalf("generated password %q", password)
		}
		newcomer := tc.browser()
		if r := newcomer.signIn("new.person@example.com", password); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("the new user cannot sign in: %d", r.StatusCode)
		}
		if list := admin.get("/users"); !strings.Contains(list.Body, "new.person@example.com") || strings.Contains(list.Body, password) {
			t.Error("the list must show the account and never the password")
		}
	})
	t.Run("invalid input comes back with messages and what was typed", func(t *testing.T) {
		resp := admin.post("/users", url.Values{"email": {"reviewer@example.com"}, "name": {"Dup"}, "role": {"support"}, "password": {"short"}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("got %d", resp.StatusCode)
		}
		doc := resp.doc(t)
		if doc.Find(`[data-testid="error-password"]`).Text() == "" {
			t.Error("no message by the password field")
		}
		if v, _ := doc.Find(`#name`).Attr("value"); v != "Dup" {
			t.Errorf("name typed was lost: %q", v)
		}
		if v, _ := doc.Find(`#role option[selected]`).Attr("value"); v != "support" {
			t.Errorf("role chosen was lost: %q", v)
		}
	})
	t.Run("role change and disable sign the user out", func(t *testing.T) {
		support := tc.browser()
		support.signInAs(auth.RoleSupport)
		id := tc.users[auth.RoleSupport].ID
		resp := admin.post("/users/"+id+"/role", url.Values{"role": {"auditor"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("role: %d", resp.StatusCode)
		}
		page := admin.get("/users/" + id)
		if role := page.doc(t).Find(`[data-testid="user-role"]`).Text(); role != "auditor" {
			t.Errorf("role now %q", role)
		}
		if flash := page.doc(t).Find(`[data-testid="flash"]`).Text(); !strings.Contains(flash, "signed out") {
			t.Errorf("flash %q", flash)
		}
		if r := support.get("/"); r.StatusCode != http.StatusSeeOther {
			t.Errorf("the changed user is still signed in: %d", r.StatusCode)
		}
		if r := admin.post("/users/"+id+"/disable", nil); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("disable: %d", r.StatusCode)
		}
		if r := tc.browser().signIn("support@example.com", testPassword); r.StatusCode != http.StatusUnauthorized {
			t.Errorf("a disabled user signed in: %d", r.StatusCode)
		}
		admin.post("/users/"+id+"/enable", nil)
		if r := tc.browser().signIn("support@example.com", testPassword); r.StatusCode != http.StatusSeeOther {
			t.Errorf("an enabled user cannot sign in: %d", r.StatusCode)
		}
	})
	t.Run("the last admin stays an admin", func(t *testing.T) {
		resp := admin.post("/users/"+tc.users[auth.RoleAdmin].ID+"/role", url.Values{"role": {"support"}})
		if resp.StatusCode != http.StatusConflict || resp.doc(t).Find(`[data-testid="form-error"]`).Length() == 0 {
			t.Fatalf("demoting the last admin: got %d", resp.StatusCode)
		}
	})
	t.Run("unknown account", func(t *testing.T) {
		if r := admin.get("/users/usr_nope"); r.StatusCode != http.StatusNotFound {
			t.Errorf("got %d", r.StatusCode)
		}
	})
}

func TestChangeOwnPassword(t *testing.T) {
	tc := newTestConsole(t)
	here, elsewhere := tc.browser(), tc.browser()
	here.signInAs(auth.RoleReviewer)
	elsewhere.signInAs(auth.RoleReviewer)
	wrong := here.post("/account/password", url.Values{"current_password": {"not it"}, "password": {"a brand new long passphrase"}})
	if wrong.StatusCode != http.StatusUnprocessableEntity || wrong.doc(t).Find(`[data-testid="error-current_password"]`).Length() != 1 {
		t.Fatalf("wrong current password: %d", wrong.StatusCode)
	}
	ok := here.post("/account/password", url.Values{"current_password": {testPassword}, "password": {"a brand new long passphrase"}})
	if ok.StatusCode != http.StatusSeeOther || ok.Header.Get("Location") != "/" {
		t.Fatalf("change: %d %q", ok.StatusCode, ok.Header.Get("Location"))
	}
	if r := here.get("/"); r.StatusCode != http.StatusOK || !strings.Contains(r.doc(t).Find(`[data-testid="flash"]`).Text(), "password was changed") {
		t.Errorf("this browser after the change: %d", r.StatusCode)
	}
	if r := elsewhere.get("/"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("the other browser is still signed in: %d", r.StatusCode)
	}
	if r := tc.browser().signIn("reviewer@example.com", "a brand new long passphrase"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("the new password does not work: %d", r.StatusCode)
	}
}

// behindProxy makes the console trust X-Forwarded-For from the test's loopback connections, so a
// test can sign in from any client address.
func behindProxy(h *handlers.Config, _ *auth.Config) {
	h.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
}

// signInFrom signs in through the form as a browser at the client address addr would.
func (b *browser) signInFrom(addr, email, password string) response {
	b.t.Helper()
	token, _ := b.get("/login").doc(b.t).Find(`input[name="csrf_token"]`).Attr("value")
	return b.post("/login", url.Values{"email": {email}, "password": {password}, "csrf_token": {token}}, "X-Forwarded-For", addr)
}

// TestSignInDelayOnStaffPage: a stranger failing against a colleague's account from their own
// address slows only themselves; the admin sees the delay on the colleague's page and clearing it
// lets the next attempt through at once, with a row in the trail.
func TestSignInDelayOnStaffPage(t *testing.T) {
	tc := newTestConsole(t, behindProxy)
	support := tc.users[auth.RoleSupport]
	const stranger, owner = "198.51.100.7", "203.0.113.20"
	for i := range 5 {
		if r := tc.browser().signInFrom(stranger, support.Email, "not the password at all"); r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("stranger's failure %d: got %d, want 401", i+1, r.StatusCode)
		}
	}
	if r := tc.browser().signInFrom(stranger, support.Email, testPassword); r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("stranger's sixth attempt: got %d, want 429", r.StatusCode)
	}
	if r := tc.browser().signInFrom(owner, support.Email, testPassword); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("the owner from another address: got %d, want 303 (signed in)", r.StatusCode)
	}

	admin := tc.browser()
	admin.signInAs(auth.RoleAdmin)
	page := admin.get("/users/" + support.ID).doc(t)
	state := page.Find(`[data-testid="sign-in-delay"]`)
	until := tc.clock.Now().Add(time.Minute).UTC().Format("15:04:05")
	if !strings.Contains(state.Text(), "Delayed") || !strings.Contains(state.Find(`[data-testid="sign-in-delayed-until"]`).Text(), until) {
		t.Errorf("sign-in state %q, want Delayed until %s", strings.Join(strings.Fields(state.Text()), " "), until)
	}
	if got, want := state.Find(`[data-testid="sign-in-failures"]`).Text(), "5 failed attempts from 1 address"; got != want {
		t.Errorf("failures: got %q, want %q", got, want)
	}
	if state.Find(`form[action="/users/`+support.ID+`/unlock"] [data-testid="unlock"]`).Length() != 1 {
		t.Fatal("no Clear button posting to /users/:id/unlock")
	}

	seen := len(trail(t, tc))
	if r := admin.post("/users/"+support.ID+"/unlock", nil); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/users/"+support.ID {
		t.Fatalf("clear: got %d %q, want 303 to the staff page", r.StatusCode, r.Header.Get("Location"))
	}
	rows := trail(t, tc)[seen:]
	if len(rows) != 2 || rows[0].Outcome != audit.OutcomeAttempted || rows[1].Outcome != audit.OutcomeSuccess {
		t.Fatalf("trail after clearing: %+v, want a user.unlock attempt and its success", rows)
	}
	for _, r := range rows {
		if r.Action != "user.unlock" || r.TargetID != support.ID || r.ActorID != tc.users[auth.RoleAdmin].ID || fmt.Sprint(r.Details["failures"]) != "5" {
			t.Errorf("trail after clearing: %+v, want user.unlock rows by the admin for the account, 5 failures cleared", r)
		}
	}
	after := admin.get("/users/" + support.ID).doc(t)
	if got := strings.TrimSpace(after.Find(`[data-testid="sign-in-delay"]`).Text()); got != "No recent failed attempts" {
		t.Errorf("after clearing the state reads %q", got)
	}
	if after.Find(`[data-testid="unlock"]`).Length() != 0 {
		t.Error("a Clear button with nothing to clear")
	}
	if r := tc.browser().signInFrom(stranger, support.Email, "still not the password"); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("the stranger's next attempt after clearing: got %d, want 401 (checked at once)", r.StatusCode)
	}
}
