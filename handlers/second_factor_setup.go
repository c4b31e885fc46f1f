package handlers

import (
	"errors"
	"net/http"
	"strings"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/views"
	"github.com/labstack/echo/v4"
)

// A user whose role must have a second factor (HIVECONSOLE_MFA_REQUIRED) and has none sets one up
// right after the password, before any session exists: nothing else of the console is reachable
// until the first code is right.

// setupForm shows the QR code and the secret to a user who must set up a second factor; the same
// secret again on a reload.
func (a *App) setupForm(c echo.Context) error {
	u, _, ok := a.pendingUser(c)
	if !ok {
		return redirect(c, "/login")
	}
	ctx := c.Request().Context()
	has, err := a.SecondFactor.HasTOTP(ctx, u.ID)
	if err != nil {
		return err
	}
	if has {
		return redirect(c, "/login/code")
	}
	e, pending, err := a.SecondFactor.PendingTOTP(ctx, u)
	if err != nil {
		return err
	}
	if !pending {
		if e, err = a.SecondFactor.BeginTOTP(ctx, u); err != nil {
			return err
		}
	}
	m := views.SetupModel{CSRFToken: a.preSessionToken(c), Role: string(u.Role), Enrolment: enrolmentView(e)}
	return render(c, http.StatusOK, views.SetupPage(a.page(c, "Set up two-factor sign-in"), m))
}

// setup takes the first code: right, the second factor is on, the session starts and the recovery
// codes are shown once; wrong, the same secret again with a message.
func (a *App) setup(c echo.Context) error {
	token, err := a.preSessionForm(c)
	if err != nil {
		return err
	}
	u, next, ok := a.pendingUser(c)
	if !ok {
		return redirect(c, "/login")
	}
	ctx := c.Request().Context()
	code := strings.TrimSpace(c.FormValue("code"))
	codes, err := a.SecondFactor.ConfirmTOTP(ctx, u, code)
	switch {
	case errors.Is(err, auth.ErrInvalidCode):
		a.auditSignIn(c, u, "auth.second_factor_enrol", outcomeFailure)
		e, pending, perr := a.SecondFactor.PendingTOTP(ctx, u)
		if perr != nil {
			return perr
		}
		if !pending {
			return redirect(c, "/login/setup")
		}
		m := views.SetupModel{CSRFToken: token, Role: string(u.Role), Enrolment: enrolmentView(e)}
		m.Enrolment.Code, m.Enrolment.Error = code, "That code does not match. Type the six digits your app shows now."
		return render(c, http.StatusUnprocessableEntity, views.SetupPage(a.page(c, "Set up two-factor sign-in"), m))
	case errors.Is(err, auth.ErrNoPendingTOTP):
		return redirect(c, "/login/setup")
	case err != nil:
		return err
	}
	if err := a.recordAudit(c, u, auditEntry{Action: "auth.second_factor_enrol", TargetType: "user", TargetID: u.ID, Outcome: outcomeSuccess}); err != nil {
		return err
	}
	if err := a.recordAudit(c, u, auditEntry{Action: "auth.sign_in", TargetType: "user", TargetID: u.ID, Outcome: outcomeSuccess,
		Details: map[string]any{"second_factor": "totp_enrolled"}}); err != nil {
		return err
	}
	a.Sessions.EndSecondFactor(c.Response())
	ws, err := a.Sessions.Login(c.Response(), c.Request(), u)
	if err != nil {
		return err
	}
	c.Set(keyUser, u)
	c.Set(keySession, ws)
	m := views.SecurityModel{Available: true, Required: true, HasTOTP: true, CodesLeft: len(codes), Recovery: codes, Continue: safeNext(next)}
	return render(c, http.StatusOK, views.SecurityPage(a.page(c, "Security"), m))
}
