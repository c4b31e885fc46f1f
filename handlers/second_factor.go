package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/views"
	"github.com/labstack/echo/v4"
)

// SecondFactor is staff's second factor, an authenticator app's codes (TOTP) with recovery codes;
// *auth.Service implements it. Without one, sign-in asks for the password only.
type SecondFactor interface {
	HasTOTP(ctx context.Context, userID string) (bool, error)
	BeginTOTP(ctx context.Context, u auth.User) (auth.TOTPEnrolment, error)
	PendingTOTP(ctx context.Context, u auth.User) (auth.TOTPEnrolment, bool, error)
	ConfirmTOTP(ctx context.Context, u auth.User, code string) ([]string, error)
	RecoveryCodesLeft(ctx context.Context, userID string) (int, error)
	VerifySecondFactor(ctx context.Context, userID, code string, client netip.Addr) (recovery bool, err error)
	ResetTOTP(ctx context.Context, userID string) error
	ResetSecondFactor(ctx context.Context, userID string) error // the app, its recovery codes and the passkeys
}

// pendingUser is who passed the password step in this browser and where they were going; ok is
// false when nobody did, the step has expired, or the account is gone or disabled since (its cookie
// is then forgotten).
func (a *App) pendingUser(c echo.Context) (u auth.User, next string, ok bool) {
	if a.SecondFactor == nil {
		return u, "", false
	}
	id, next, err := a.Sessions.PendingSecondFactor(c.Request())
	if err != nil {
		return u, "", false
	}
	u, err = a.StaffAdmin.UserByID(c.Request().Context(), id)
	if err != nil || u.Disabled {
		a.Sessions.EndSecondFactor(c.Response())
		return auth.User{}, "", false
	}
	return u, next, true
}

// secondFactorNeeded reports whether u gives a second factor after the password: the code of their
// authenticator app when they have one, or, in a role that must have a second factor, a passkey
// when they have one and the console offers passkeys. A passkey is otherwise a way in of its own,
// not a step after the password.
func (a *App) secondFactorNeeded(ctx context.Context, u auth.User) (bool, error) {
	if a.SecondFactor == nil {
		return false, nil
	}
	has, err := a.SecondFactor.HasTOTP(ctx, u.ID)
	if err != nil || has || !a.MFARequired.Requires(u.Role) || !a.passkeysOffered() {
		return has, err
	}
	return a.Passkeys.HasPasskey(ctx, u.ID)
}

// secondFactorModel is the code page for u: the code form when they have an authenticator app, and
// the passkey button when they have a passkey and this address can use it.
func (a *App) secondFactorModel(c echo.Context, u auth.User, token string) (views.SecondFactorModel, error) {
	ctx := c.Request().Context()
	m := views.SecondFactorModel{CSRFToken: token}
	var err error
	if m.HasTOTP, err = a.SecondFactor.HasTOTP(ctx, u.ID); err != nil {
		return m, err
	}
	if !a.passkeysOffered() {
		return m, nil
	}
	has, err := a.Passkeys.HasPasskey(ctx, u.ID)
	if err != nil || !has {
		return m, err
	}
	if a.passkeysHere(c) {
		m.Passkey = true
	} else {
		m.PasskeyAt = a.Passkeys.PasskeyOrigin()
	}
	return m, nil
}

// secondFactorForm asks for the code of the user who passed the password step in this browser, or
// their passkey.
func (a *App) secondFactorForm(c echo.Context) error {
	u, _, ok := a.pendingUser(c)
	if !ok {
		return redirect(c, "/login")
	}
	m, err := a.secondFactorModel(c, u, a.preSessionToken(c))
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.SecondFactorPage(a.page(c, "Sign in"), m))
}

// secondFactor checks the code and starts the session. A wrong code is audited and slowed down like
// a wrong password; a recovery code is accepted once, and the page after says how many are left.
func (a *App) secondFactor(c echo.Context) error {
	token, err := a.preSessionForm(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	u, next, ok := a.pendingUser(c)
	if !ok {
		return redirect(c, "/login")
	}
	m, err := a.secondFactorModel(c, u, token)
	if err != nil {
		return err
	}
	recovery, err := a.SecondFactor.VerifySecondFactor(ctx, u.ID, c.FormValue("code"), auth.ClientIP(c.Request(), a.TrustedProxies))
	var throttled *auth.ThrottledError
	switch {
	case errors.Is(err, auth.ErrNoTOTP):
		m.Error = "You have no authenticator app set up: use your passkey."
		return render(c, http.StatusUnprocessableEntity, views.SecondFactorPage(a.page(c, "Sign in"), m))
	case errors.As(err, &throttled):
		m.Error = a.slowedDown(c, u, throttled)
		return render(c, http.StatusTooManyRequests, views.SecondFactorPage(a.page(c, "Sign in"), m))
	case errors.Is(err, auth.ErrInvalidCode):
		a.auditSignIn(c, u, "auth.second_factor", outcomeFailure)
		m.Error = "That code is not right, or was used already. Type the code your app shows now, or a recovery code."
		return render(c, http.StatusUnauthorized, views.SecondFactorPage(a.page(c, "Sign in"), m))
	case err != nil:
		return err
	}
	factor := "totp"
	if recovery {
		factor = "recovery_code"
	}
	if err := a.recordAudit(c, u, auditEntry{Action: "auth.sign_in", TargetType: "user", TargetID: u.ID, Outcome: outcomeSuccess,
		Details: map[string]any{"second_factor": factor}}); err != nil {
		return err
	}
	a.Sessions.EndSecondFactor(c.Response())
	ws, err := a.Sessions.Login(c.Response(), c.Request(), u)
	if err != nil {
		return err
	}
	c.Set(keySession, ws)
	if recovery {
		left, err := a.SecondFactor.RecoveryCodesLeft(ctx, u.ID)
		if err == nil {
			a.flash(c, "warning", fmt.Sprintf("You signed in with a recovery code. %d left: set up your authenticator again on the Security page if you lost it.", left))
		}
	}
	return redirect(c, safeNext(next))
}

// security is the signed-in user's second factor: whether they have one, how many recovery codes
// are left, or the way to set one up.
func (a *App) security(c echo.Context) error {
	m, err := a.securityModel(c)
	if err != nil {
		return err
	}
	if err := a.accountActivity(c, &m); err != nil {
		return err
	}
	return render(c, http.StatusOK, views.SecurityPage(a.page(c, "Security"), m))
}

func (a *App) securityModel(c echo.Context) (views.SecurityModel, error) {
	me, _ := userOf(c)
	ctx := c.Request().Context()
	m := views.SecurityModel{Available: a.SecondFactor != nil, Required: a.MFARequired.Requires(me.Role)}
	if a.SecondFactor == nil {
		return m, nil
	}
	var err error
	if m.HasTOTP, err = a.SecondFactor.HasTOTP(ctx, me.ID); err != nil {
		return m, err
	}
	if m.HasTOTP {
		if m.CodesLeft, err = a.SecondFactor.RecoveryCodesLeft(ctx, me.ID); err != nil {
			return m, err
		}
	}
	m.Passkeys, err = a.passkeysModel(c, me)
	return m, err
}

// beginTOTP makes a new secret and shows it as a QR code and as text, with the form for the first
// code.
func (a *App) beginTOTP(c echo.Context) error {
	if a.SecondFactor == nil {
		return echo.ErrNotFound
	}
	me, _ := userOf(c)
	m, err := a.securityModel(c)
	if err != nil {
		return err
	}
	if m.HasTOTP {
		return redirect(c, "/account/security")
	}
	e, err := a.SecondFactor.BeginTOTP(c.Request().Context(), me)
	if err != nil {
		return err
	}
	m.Enrolment = enrolmentView(e)
	return render(c, http.StatusOK, views.SecurityPage(a.page(c, "Set up two-factor sign-in"), m))
}

// confirmTOTP takes the first code: right, the second factor is on and the recovery codes are shown,
// once; wrong, the same secret is shown again with a message.
func (a *App) confirmTOTP(c echo.Context) error {
	if a.SecondFactor == nil {
		return echo.ErrNotFound
	}
	me, _ := userOf(c)
	ctx := c.Request().Context()
	m, err := a.securityModel(c)
	if err != nil {
		return err
	}
	code := strings.TrimSpace(c.FormValue("code"))
	var codes []string
	var confirmErr error
	err = a.mutate(c, auditEntry{Action: "auth.second_factor_enrol", TargetType: "user", TargetID: me.ID}, func() error {
		codes, confirmErr = a.SecondFactor.ConfirmTOTP(ctx, me, code)
		return confirmErr
	})
	switch {
	case errors.Is(confirmErr, auth.ErrInvalidCode):
		pending, ok, perr := a.SecondFactor.PendingTOTP(ctx, me)
		if perr != nil {
			return perr
		}
		if !ok {
			return redirect(c, "/account/security")
		}
		m.Enrolment = enrolmentView(pending)
		m.Enrolment.Code, m.Enrolment.Error = code, "That code does not match. Type the six digits your app shows now."
		return render(c, http.StatusUnprocessableEntity, views.SecurityPage(a.page(c, "Set up two-factor sign-in"), m))
	case errors.Is(confirmErr, auth.ErrNoPendingTOTP):
		return redirect(c, "/account/security")
	case err != nil:
		return err
	}
	m.HasTOTP, m.CodesLeft, m.Recovery = true, len(codes), codes
	return render(c, http.StatusOK, views.SecurityPage(a.page(c, "Security"), m))
}

func enrolmentView(e auth.TOTPEnrolment) *views.TOTPEnrolment {
	var grouped []string
	for i := 0; i < len(e.Secret); i += 4 {
		grouped = append(grouped, e.Secret[i:min(i+4, len(e.Secret))])
	}
	return &views.TOTPEnrolment{Secret: strings.Join(grouped, " "), QR: e.QR}
}

// turnOffTOTP removes the signed-in user's second factor once their password confirms it is them:
// a session left open on a shared screen must not be enough.
func (a *App) turnOffTOTP(c echo.Context) error {
	if a.SecondFactor == nil {
		return echo.ErrNotFound
	}
	me, _ := userOf(c)
	ctx := c.Request().Context()
	if a.MFARequired.Requires(me.Role) {
		return echo.NewHTTPError(http.StatusForbidden, "Your role must sign in with a second factor: it cannot be turned off.")
	}
	msg, err := a.confirmPassword(c, me)
	if err != nil {
		return err
	}
	if msg != "" {
		m, err := a.securityModel(c)
		if err != nil {
			return err
		}
		m.OffError = msg
		return render(c, http.StatusUnprocessableEntity, views.SecurityPage(a.page(c, "Security"), m))
	}
	if err := a.mutate(c, auditEntry{Action: "auth.second_factor_off", TargetType: "user", TargetID: me.ID}, func() error {
		return a.SecondFactor.ResetTOTP(ctx, me.ID)
	}); err != nil {
		return err
	}
	a.flash(c, "success", "Two-factor sign-in is off. Sign-in asks for your password only.")
	return redirect(c, "/account/security")
}
