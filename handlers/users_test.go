package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hiveconsole/hiveconsole/auth"
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
