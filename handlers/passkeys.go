package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/views"
	"github.com/labstack/echo/v4"
)

// Passkeys are staff's WebAuthn credentials, which sign in as both factors at once; *auth.Service
// implements it. Without one, or with an origin of "", the console offers no passkeys.
//
// Each ceremony takes two requests from the browser script: the first (a form post) answers the
// options for navigator.credentials.create or .get as JSON; the second posts what the browser
// returned, as JSON, with the CSRF token in the X-CSRF-Token header, and is answered
// {"redirect": "/…"} on success or {"error": "…"} with a 4xx status.
type Passkeys interface {
	PasskeyOrigin() string
	Passkeys(ctx context.Context, userID string) ([]auth.Passkey, error)
	HasPasskey(ctx context.Context, userID string) (bool, error)
	BeginPasskeyRegistration(ctx context.Context, w http.ResponseWriter, u auth.User, name string) (json.RawMessage, error)
	FinishPasskeyRegistration(ctx context.Context, w http.ResponseWriter, r *http.Request, u auth.User, answer []byte) (auth.Passkey, error)
	RemovePasskey(ctx context.Context, userID, id string) error
	BeginPasskeySignIn(w http.ResponseWriter, next string) (json.RawMessage, error)
	FinishPasskeySignIn(ctx context.Context, w http.ResponseWriter, r *http.Request, answer []byte) (auth.PasskeySignIn, error)
}

// maxPasskeyAnswer bounds the JSON a browser posts at the end of a ceremony; real ones are a few
// kilobytes.
const maxPasskeyAnswer = 64 << 10

// passkeysOffered reports whether the console offers passkeys at all.
func (a *App) passkeysOffered() bool { return a.Passkeys != nil && a.Passkeys.PasskeyOrigin() != "" }

// passkeysHere reports whether a browser on this request's address can use the console's passkeys.
// On https they live at the base URL, which is where the request came; on http (development) the
// request's host must be the localhost name they were made for.
func (a *App) passkeysHere(c echo.Context) bool {
	if !a.passkeysOffered() {
		return false
	}
	if a.https {
		return true
	}
	return strings.EqualFold("http://"+c.Request().Host, a.Passkeys.PasskeyOrigin())
}

// passkeyJSON answers a step of a ceremony to the browser script.
func passkeyJSON(c echo.Context, status int, key, value string) error {
	return c.JSON(status, map[string]string{key: value})
}

// wantsJSON reports whether the request came from the browser script rather than a form post
// without it.
func wantsJSON(c echo.Context) bool {
	return strings.Contains(c.Request().Header.Get(echo.HeaderAccept), echo.MIMEApplicationJSON)
}

// readAnswer reads the JSON the browser posted at the end of a ceremony.
func readAnswer(c echo.Context) ([]byte, error) {
	return io.ReadAll(io.LimitReader(c.Request().Body, maxPasskeyAnswer))
}

// beginPasskeySignIn answers the options for a sign-in with a passkey, on the sign-in page or after
// the password for a role that needs a second factor.
func (a *App) beginPasskeySignIn(c echo.Context) error {
	if _, err := a.preSessionForm(c); err != nil {
		return err
	}
	if !a.passkeysHere(c) {
		return echo.ErrNotFound
	}
	if !wantsJSON(c) {
		return redirect(c, "/login")
	}
	next := safeNext(c.FormValue("next"))
	if _, pendingNext, ok := a.pendingUser(c); ok {
		next = safeNext(pendingNext)
	}
	options, err := a.Passkeys.BeginPasskeySignIn(c.Response(), next)
	if err != nil {
		return err
	}
	return c.JSONBlob(http.StatusOK, options)
}

// finishPasskeySignIn checks the passkey's answer and starts the session. A passkey is both factors:
// no code follows, whatever the role. It is the console's own credential, so where single sign-on
// is the only way in, it is refused like a password but for the break-glass account.
func (a *App) finishPasskeySignIn(c echo.Context) error {
	if _, err := a.preSessionForm(c); err != nil {
		return passkeyJSON(c, http.StatusForbidden, "error", "The sign-in page expired. Reload it and try again.")
	}
	if !a.passkeysHere(c) {
		return echo.ErrNotFound
	}
	answer, err := readAnswer(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	got, err := a.Passkeys.FinishPasskeySignIn(ctx, c.Response(), c.Request(), answer)
	switch {
	case errors.Is(err, auth.ErrPasskeyCeremony):
		a.auditPasskeyRefused(c, got.User, "ceremony")
		return passkeyJSON(c, http.StatusUnauthorized, "error", "That took too long, or the page was used twice. Try again.")
	case errors.Is(err, auth.ErrPasskeyRejected):
		a.auditPasskeyRefused(c, got.User, "rejected")
		return passkeyJSON(c, http.StatusUnauthorized, "error", "That passkey was not accepted. It may have been removed, or its account disabled.")
	case err != nil:
		return err
	}
	u := got.User
	if !a.PasswordSignIn.Allows(u.Email) || (a.PasswordSignIn.BreakGlass != "" && u.Role != auth.RoleAdmin) {
		_ = a.recordAudit(c, u, auditEntry{Action: "auth.sign_in", TargetType: "user", TargetID: u.ID, Outcome: outcomeFailure,
			Details: map[string]any{"method": "passkey", "reason": "password_sign_in_off"}})
		return passkeyJSON(c, http.StatusForbidden, "error", "Sign in with single sign-on instead: passkeys are kept for the break-glass account.")
	}
	if err := a.recordAudit(c, u, auditEntry{Action: "auth.sign_in", TargetType: "user", TargetID: u.ID, Outcome: outcomeSuccess,
		Details: map[string]any{"method": "passkey", "passkey": got.Passkey.Name}}); err != nil {
		return err // no session the trail does not show
	}
	a.Sessions.EndSecondFactor(c.Response())
	if _, err := a.Sessions.Login(c.Response(), c.Request(), u); err != nil {
		return err
	}
	return passkeyJSON(c, http.StatusOK, "redirect", safeNext(got.Next))
}

// auditPasskeyRefused records a refused passkey sign-in, under the account the passkey named when it
// named one.
func (a *App) auditPasskeyRefused(c echo.Context, u auth.User, reason string) {
	e := auditEntry{Action: "auth.passkey", TargetType: "user", TargetID: u.ID, Outcome: outcomeFailure, Details: map[string]any{"reason": reason}}
	_ = a.recordAudit(c, u, e)
}

// beginPasskeyRegistration checks the user's password, then answers the options for adding a
// passkey. The password stops a session left open on a shared screen from gaining a way in that
// outlives it.
func (a *App) beginPasskeyRegistration(c echo.Context) error {
	if !a.passkeysHere(c) {
		return echo.ErrNotFound
	}
	me, _ := userOf(c)
	if !wantsJSON(c) {
		a.flash(c, "error", "Adding a passkey needs a browser with passkey support and JavaScript.")
		return redirect(c, "/account/security")
	}
	if !a.PasswordSignIn.Allows(me.Email) {
		return passkeyJSON(c, http.StatusForbidden, "error", "You sign in with single sign-on, so a passkey would not be used.")
	}
	if msg, err := a.confirmPassword(c, me); err != nil || msg != "" {
		if err != nil {
			return err
		}
		return passkeyJSON(c, http.StatusUnprocessableEntity, "error", msg)
	}
	options, err := a.Passkeys.BeginPasskeyRegistration(c.Request().Context(), c.Response(), me, c.FormValue("name"))
	if errors.Is(err, auth.ErrTooManyPasskeys) {
		return passkeyJSON(c, http.StatusUnprocessableEntity, "error", fmt.Sprintf("You have %d passkeys, the most one account may have. Remove one to add another.", auth.MaxPasskeys))
	}
	if err != nil {
		return err
	}
	return c.JSONBlob(http.StatusOK, options)
}

// finishPasskeyRegistration stores the passkey the browser made, under the name typed when it began,
// and records it in the trail.
func (a *App) finishPasskeyRegistration(c echo.Context) error {
	if !a.passkeysHere(c) {
		return echo.ErrNotFound
	}
	me, _ := userOf(c)
	answer, err := readAnswer(c)
	if err != nil {
		return err
	}
	var added auth.Passkey
	var finishErr error
	details := map[string]any{} // the outcome row names the passkey, known once it is made
	err = a.change(c, auditEntry{Action: "auth.passkey_add", TargetType: "user", TargetID: me.ID, Details: details}, func() (string, error) {
		added, finishErr = a.Passkeys.FinishPasskeyRegistration(c.Request().Context(), c.Response(), c.Request(), me, answer)
		if finishErr == nil {
			details["name"] = added.Name
		}
		return me.ID, finishErr
	})
	switch {
	case errors.Is(finishErr, auth.ErrPasskeyCeremony):
		return passkeyJSON(c, http.StatusUnprocessableEntity, "error", "That took too long, or the page was used twice. Try again.")
	case errors.Is(finishErr, auth.ErrPasskeyRejected):
		return passkeyJSON(c, http.StatusUnprocessableEntity, "error", "The browser's answer did not verify, so no passkey was added. Try again.")
	case errors.Is(finishErr, auth.ErrPasskeyExists):
		return passkeyJSON(c, http.StatusUnprocessableEntity, "error", "That passkey is registered already.")
	case errors.Is(finishErr, auth.ErrTooManyPasskeys):
		return passkeyJSON(c, http.StatusUnprocessableEntity, "error", fmt.Sprintf("You have %d passkeys, the most one account may have.", auth.MaxPasskeys))
	case err != nil:
		return err
	}
	a.flash(c, "success", "Passkey \u201c"+added.Name+"\u201d added. Next time, sign in with it instead of your password.")
	return passkeyJSON(c, http.StatusOK, "redirect", "/account/security")
}

// removePasskey removes one of the user's own passkeys.
func (a *App) removePasskey(c echo.Context) error {
	if a.Passkeys == nil {
		return echo.ErrNotFound
	}
	me, _ := userOf(c)
	ctx := c.Request().Context()
	id := c.Param("id")
	keys, err := a.Passkeys.Passkeys(ctx, me.ID)
	if err != nil {
		return err
	}
	name := ""
	for _, k := range keys {
		if k.ID == id {
			name = k.Name
		}
	}
	if name == "" {
		return echo.ErrNotFound
	}
	if err := a.mutate(c, auditEntry{Action: "auth.passkey_remove", TargetType: "user", TargetID: me.ID, Details: map[string]any{"name": name}}, func() error {
		return a.Passkeys.RemovePasskey(ctx, me.ID, id)
	}); err != nil {
		return err
	}
	a.flash(c, "success", "Passkey \u201c"+name+"\u201d removed. It no longer signs you in.")
	return redirect(c, "/account/security")
}

// passkeysModel is the Security page's passkeys card.
func (a *App) passkeysModel(c echo.Context, me auth.User) (views.PasskeysModel, error) {
	m := views.PasskeysModel{Available: a.passkeysOffered(), Here: a.passkeysHere(c), CanAdd: a.PasswordSignIn.Allows(me.Email), Max: auth.MaxPasskeys}
	if a.Passkeys == nil {
		return m, nil
	}
	m.Origin = a.Passkeys.PasskeyOrigin()
	keys, err := a.Passkeys.Passkeys(c.Request().Context(), me.ID)
	for _, k := range keys {
		m.List = append(m.List, views.PasskeyRow{ID: k.ID, Name: k.Name, Added: k.CreatedAt, LastUsed: k.LastUsedAt, Synced: k.Synced})
	}
	return m, err
}

// confirmPassword checks the current password typed into a form that changes how the user signs in;
// msg says why it was refused ("" when it holds).
func (a *App) confirmPassword(c echo.Context, me auth.User) (msg string, err error) {
	_, err = a.Staff.Authenticate(c.Request().Context(), me.Email, c.FormValue("current_password"), auth.ClientIP(c.Request(), a.TrustedProxies))
	var throttled *auth.ThrottledError
	switch {
	case errors.As(err, &throttled):
		return fmt.Sprintf("Too many attempts. Wait %s, then try again.", humanDuration(ceilSecond(throttled.RetryAfter))), nil
	case errors.Is(err, auth.ErrInvalidCredentials):
		return "That is not your current password.", nil
	}
	return "", err
}
