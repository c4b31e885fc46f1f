package handlers

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/views"
	"github.com/labstack/echo/v4"
)

// preSessionCookie carries the CSRF token of forms shown before sign-in (the sign-in form itself):
// there is no web session yet, so the token is double-submitted — cookie and form must match.
const preSessionCookie = "hiveconsole_presession"

func (a *App) preSessionToken(c echo.Context) string {
	if ck, err := c.Cookie(a.preSessionName()); err == nil && len(ck.Value) >= 32 {
		return ck.Value
	}
	token := randomString(32)
	c.SetCookie(&http.Cookie{Name: a.preSessionName(), Value: token, Path: "/login", HttpOnly: true,
		Secure: a.https, SameSite: http.SameSiteStrictMode, MaxAge: int((2 * time.Hour).Seconds())})
	return token
}

func (a *App) preSessionName() string {
	if a.https {
		return "__Secure-" + preSessionCookie
	}
	return preSessionCookie
}

func (a *App) loginForm(c echo.Context) error {
	if _, _, err := a.Staff.SignedInUser(c.Request()); err == nil {
		return redirect(c, safeNext(c.QueryParam("next")))
	}
	m := a.loginModel(c, views.LoginModel{Next: nextParam(c.QueryParam("next")), Sandbox: a.Sandbox, CSRFToken: a.preSessionToken(c)})
	if c.QueryParam("signed_out") != "" {
		p := a.page(c, "Sign in")
		p.Flashes = []views.Flash{{Kind: "success", Message: "You have signed out."}}
		return render(c, http.StatusOK, views.LoginPage(p, m))
	}
	return render(c, http.StatusOK, views.LoginPage(a.page(c, "Sign in"), m))
}

// nextParam keeps a destination only when it is safe, so the form never echoes a hostile one.
func nextParam(next string) string {
	if safeNext(next) == next {
		return next
	}
	return ""
}

// preSessionForm checks a sign-in form's double-submitted token, cookie against form, and returns it
// for the page re-rendered with an error.
func (a *App) preSessionForm(c echo.Context) (string, error) {
	ck, err := c.Cookie(a.preSessionName())
	if err != nil || !equalToken(ck.Value, csrfToken(c.Request())) {
		return "", echo.NewHTTPError(http.StatusForbidden, "The sign-in form expired. Reload the page and try again.")
	}
	return ck.Value, nil
}

func (a *App) login(c echo.Context) error {
	token, err := a.preSessionForm(c)
	if err != nil {
		return err
	}
	email := strings.TrimSpace(c.FormValue("email"))
	m := a.loginModel(c, views.LoginModel{Email: email, Next: nextParam(c.FormValue("next")), Sandbox: a.Sandbox, CSRFToken: token})
	typed := auth.User{Email: strings.ToLower(email)} // who tried, as typed, until we know who it is
	if !a.PasswordSignIn.Allows(email) {
		// Refused before the password is looked at: the setting is no secret, and a guess here
		// tells nothing and costs no hashing.
		_ = a.recordAudit(c, typed, auditEntry{Action: "auth.sign_in", TargetType: "user", Outcome: outcomeFailure,
			Details: map[string]any{"method": "password", "reason": "password_sign_in_off"}})
		m.Error = "Password sign-in is turned off. Sign in with " + cmp.Or(m.SSOName, "single sign-on") + " instead, with the button above."
		return render(c, http.StatusForbidden, views.LoginPage(a.page(c, "Sign in"), m))
	}
	client := auth.ClientIP(c.Request(), a.TrustedProxies)
	u, err := a.Staff.Authenticate(c.Request().Context(), email, c.FormValue("password"), client)
	var throttled *auth.ThrottledError
	switch {
	case errors.As(err, &throttled):
		m.Error = a.slowedDown(c, typed, throttled)
		return render(c, http.StatusTooManyRequests, views.LoginPage(a.page(c, "Sign in"), m))
	case errors.Is(err, auth.ErrInvalidCredentials):
		a.auditSignIn(c, typed, "auth.sign_in", outcomeFailure)
		m.Error = "That email and password do not match an active account."
		return render(c, http.StatusUnauthorized, views.LoginPage(a.page(c, "Sign in"), m))
	case err != nil:
		return err
	}
	if a.PasswordSignIn.BreakGlass != "" && u.Role != auth.RoleAdmin {
		// The break-glass account is for an admin mending single sign-on; any other role waits for it.
		_ = a.recordAudit(c, u, auditEntry{Action: "auth.sign_in", TargetType: "user", TargetID: u.ID, Outcome: outcomeFailure,
			Details: map[string]any{"method": "password", "reason": "break_glass_not_admin"}})
		m.Error = "Password sign-in is kept for a break-glass admin, and this account is not an admin. Sign in with " + cmp.Or(m.SSOName, "single sign-on") + " instead."
		return render(c, http.StatusForbidden, views.LoginPage(a.page(c, "Sign in"), m))
	}
	needed, err := a.secondFactorNeeded(c.Request().Context(), u)
	if err != nil {
		return err
	}
	enrol := !needed && a.SecondFactor != nil && a.MFARequired.Requires(u.Role)
	if needed || enrol { // the password holds; the session waits for the code, or for setting one up
		if err := a.recordAudit(c, u, auditEntry{Action: "auth.password", TargetType: "user", TargetID: u.ID, Outcome: outcomeSuccess}); err != nil {
			return err
		}
		if err := a.Sessions.BeginSecondFactor(c.Response(), u, safeNext(c.FormValue("next"))); err != nil {
			return err
		}
		if enrol {
			return redirect(c, "/login/setup")
		}
		return redirect(c, "/login/code")
	}
	if err := a.recordAudit(c, u, auditEntry{Action: "auth.sign_in", TargetType: "user", TargetID: u.ID, Outcome: outcomeSuccess}); err != nil {
		return err // no session the trail does not show
	}
	if _, err := a.Sessions.Login(c.Response(), c.Request(), u); err != nil {
		return err
	}
	return redirect(c, safeNext(c.FormValue("next")))
}

// slowedDown records a sign-in step refused because failures slowed the account or the address down,
// sets Retry-After, and returns what the page tells the user.
func (a *App) slowedDown(c echo.Context, who auth.User, throttled *auth.ThrottledError) string {
	a.auditSignIn(c, who, "auth.lockout", outcomeDenied)
	wait := ceilSecond(throttled.RetryAfter)
	c.Response().Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())))
	return fmt.Sprintf("Too many attempts. Wait %s, then try again.", humanDuration(wait))
}

// auditSignIn records a refused sign-in. The refusal stands whether or not the row is written.
func (a *App) auditSignIn(c echo.Context, typed auth.User, action, outcome string) {
	_ = a.recordAudit(c, typed, auditEntry{Action: action, TargetType: "user", Outcome: outcome})
}

func (a *App) logout(c echo.Context) error {
	if u, ok := userOf(c); ok {
		_ = a.audit(c, auditEntry{Action: "auth.sign_out", TargetType: "user", TargetID: u.ID, Outcome: outcomeSuccess})
	}
	if err := a.Sessions.Logout(c.Response(), c.Request()); err != nil {
		return err
	}
	return redirect(c, "/login?signed_out=1")
}

// ceilSecond rounds a wait up to a whole second: rounded down, it would invite an attempt that is
// still refused ("wait 0 seconds").
func ceilSecond(d time.Duration) time.Duration {
	if t := d.Truncate(time.Second); t < d {
		return t + time.Second
	}
	return d
}

// humanDuration says a wait in minutes or seconds.
func humanDuration(d time.Duration) string {
	if d >= time.Minute {
		m := int((d + time.Minute - 1) / time.Minute)
		if m == 1 {
			return "a minute"
		}
		return fmt.Sprintf("%d minutes", m)
	}
	if d <= time.Second {
		return "a second"
	}
	return fmt.Sprintf("%d seconds", int(d.Seconds()))
}
