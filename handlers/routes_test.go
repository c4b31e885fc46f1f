package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/handlers"
)

// samplePath fills a route's parameters with values that exist or at least validate.
func samplePath(path string) string {
	path = strings.ReplaceAll(path, ":id", "8462e8ce-4245-4eca-835c-4a160b93b030")
	return strings.ReplaceAll(path, "*", "app.css")
}

// TestEveryRouteIsInThePermissionTable: whatever Echo serves was registered from the table, and
// everything in the table is served.
func TestEveryRouteIsInThePermissionTable(t *testing.T) {
	tc := newTestConsole(t)
	table := map[string]handlers.Access{}
	for _, r := range tc.app.Routes() {
		table[r.Method+" "+r.Path] = r.Access
	}
	served := map[string]bool{}
	for _, r := range tc.app.Echo().Routes() {
		if r.Method == "echo_route_not_found" {
			continue
		}
		key := r.Method + " " + r.Path
		served[key] = true
		if _, ok := table[key]; !ok {
			t.Errorf("%s is served but missing from the permission table", key)
		}
	}
	for key := range table {
		if !served[key] {
			t.Errorf("%s is in the table but not served", key)
		}
	}
}

// TestRouteRoleMatrix walks every route with every role: a role the table denies gets 403 and a
// role it allows does not; anonymous visitors are sent to sign in.
func TestRouteRoleMatrix(t *testing.T) {
	tc := newTestConsole(t)
	browsers := map[auth.Role]*browser{}
	for _, role := range auth.AllRoles() {
		b := tc.browser()
		b.signInAs(role)
		browsers[role] = b
	}
	for _, r := range tc.app.Routes() {
		if r.Access.Public || r.Path == "/logout" { // logout is checked by the session tests
			continue
		}
		path := samplePath(r.Path)
		if r.Access.Scope != "" {
			// The read API takes an API token alone: a staff session gets 401, as nobody does.
			for _, role := range auth.AllRoles() {
				if status := browsers[role].status(r.Method, path); status != http.StatusUnauthorized {
					t.Errorf("%s %s as %s: got %d, want 401", r.Method, r.Path, role, status)
				}
			}
			if status := tc.browser().status(r.Method, path); status != http.StatusUnauthorized {
				t.Errorf("%s %s anonymous: got %d, want 401", r.Method, r.Path, status)
			}
			continue
		}
		for _, role := range auth.AllRoles() {
			status := browsers[role].status(r.Method, path)
			allowed := r.Access.Permission == "" || role.Can(r.Access.Permission)
			if got := status == http.StatusForbidden; got == allowed {
				t.Errorf("%s %s as %s: got %d, want allowed=%v", r.Method, r.Path, role, status, allowed)
			}
			if status == http.StatusSeeOther && r.Method == http.MethodGet {
				// Some pages lead on (the next check to review); none may send a signed-in user to sign in.
				if loc := browsers[role].get(path).Header.Get("Location"); strings.HasPrefix(loc, "/login") {
					t.Errorf("%s %s as %s: redirected to %s although signed in", r.Method, r.Path, role, loc)
				}
			}
		}
		anon := tc.browser()
		var resp response
		if r.Method == http.MethodGet {
			resp = anon.get(path)
		} else {
			resp = anon.post(path, url.Values{})
		}
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Errorf("%s %s anonymous: got %d %q, want 303 to /login", r.Method, r.Path, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
}

// TestUnsafeRoutesNeedCSRF: every unsafe route refuses a cross-origin request and a request without
// the session's token, and the request changes nothing (signing out is the observable change).
func TestUnsafeRoutesNeedCSRF(t *testing.T) {
	tc := newTestConsole(t)
	for _, r := range tc.app.Routes() {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			continue
		}
		t.Run(r.Method+" "+r.Path, func(t *testing.T) {
			b := tc.browser()
			b.signInAs(auth.RoleAdmin)
			path := samplePath(r.Path)
			cross := b.post(path, url.Values{}, "Sec-Fetch-Site", "cross-site")
			if cross.StatusCode != http.StatusForbidden {
				t.Errorf("cross-site: got %d, want 403", cross.StatusCode)
			}
			evilOrigin := b.post(path, url.Values{}, "Sec-Fetch-Site", "", "Origin", "https://evil.example")
			if evilOrigin.StatusCode != http.StatusForbidden {
				t.Errorf("foreign Origin: got %d, want 403", evilOrigin.StatusCode)
			}
			noToken := b.post(path, url.Values{"csrf_token": {""}})
			if noToken.StatusCode != http.StatusForbidden {
				t.Errorf("no token: got %d, want 403", noToken.StatusCode)
			}
			wrongToken := b.post(path, url.Values{"csrf_token": {"x" + b.csrf}})
			if wrongToken.StatusCode != http.StatusForbidden {
				t.Errorf("wrong token: got %d, want 403", wrongToken.StatusCode)
			}
			if home := b.get("/"); home.StatusCode != http.StatusOK {
				t.Errorf("after refused posts the session changed: GET / = %d", home.StatusCode)
			}
		})
	}
}
