package handlers

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/labstack/echo/v4"
)

// Context keys for the signed-in user and their web session.
const (
	keyUser    = "user"
	keySession = "web_session"
)

// guard enforces a route's access rule: anonymous requests to protected pages go to the sign-in page
// (keeping where they were going); a role without the permission gets 403; every unsafe request of a
// signed-in user must carry the session's CSRF token, in the form body or in the X-CSRF-Token header.
func (a *App) guard(acc Access, next echo.HandlerFunc) echo.HandlerFunc {
	if acc.Public {
		return next
	}
	if acc.Scope != "" {
		return a.apiGuard(acc.Scope, next)
	}
	return func(c echo.Context) error {
		r := c.Request()
		u, ws, err := a.Staff.SignedInUser(r)
		if errors.Is(err, auth.ErrUnauthenticated) {
			return a.toLogin(c)
		}
		if err != nil {
			return err
		}
		c.Set(keyUser, u)
		c.Set(keySession, ws)
		if !safeMethod(r.Method) {
			if !ws.VerifyCSRF(csrfToken(r)) {
				return echo.NewHTTPError(http.StatusForbidden, "This form has expired or did not come from the console. Reload the page and try again.")
			}
		}
		if acc.Permission != "" && !u.Can(acc.Permission) {
			if err := a.audit(c, auditEntry{Action: "access.denied", Outcome: outcomeDenied,
				Details: map[string]any{"method": r.Method, "route": c.Path(), "permission": string(acc.Permission)}}); err != nil {
				return err
			}
			return echo.NewHTTPError(http.StatusForbidden, defaultMessage(http.StatusForbidden))
		}
		return next(c)
	}
}

// csrfToken reads a request's CSRF token from the X-CSRF-Token header or from the body (an urlencoded
// or multipart form), never from the URL: a token in a URL leaks into access logs, browser history and
// Referer headers, and a link or an image could then carry it to a victim.
func csrfToken(r *http.Request) string {
	if token := r.Header.Get(auth.CSRFHeader); token != "" {
		return token
	}
	return r.PostFormValue(auth.CSRFField)
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// toLogin sends an anonymous visitor to the sign-in page, remembering a GET's destination.
func (a *App) toLogin(c echo.Context) error {
	r := c.Request()
	if r.Header.Get("Datastar-Request") == "true" {
		return echo.NewHTTPError(http.StatusUnauthorized, "Your session has ended. Reload the page to sign in again.")
	}
	to := "/login"
	if r.Method == http.MethodGet && r.URL.Path != "/" {
		to += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	return redirect(c, to)
}

// userOf is the signed-in user of a guarded request.
func userOf(c echo.Context) (auth.User, bool) {
	u, ok := c.Get(keyUser).(auth.User)
	return u, ok
}

func sessionOf(c echo.Context) *auth.WebSession {
	ws, _ := c.Get(keySession).(*auth.WebSession)
	return ws
}

// safeNext keeps a post-sign-in destination only when it is a path on this site. Everything a
// browser could read as another origin — "//evil", "/\evil", "https:evil", tabs or newlines that
// browsers strip, and the same hidden behind percent-encoding — falls back to the overview.
func safeNext(next string) string {
	const home = "/"
	if next == "" || !strings.HasPrefix(next, "/") || strings.ContainsAny(next, "\\\t\r\n\x00") {
		return home
	}
	decoded, err := url.PathUnescape(next)
	if err != nil || strings.HasPrefix(decoded, "//") || strings.ContainsAny(decoded, "\\\t\r\n\x00") {
		return home
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || strings.HasPrefix(next, "//") {
		return home
	}
	return next
}

// equalToken compares tokens in constant time.
func equalToken(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
