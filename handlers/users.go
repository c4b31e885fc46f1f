package handlers

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/views"
	"github.com/labstack/echo/v4"
)

// StaffAdmin is what the staff pages need of accounts; *auth.Service implements it.
type StaffAdmin interface {
	ListUsers(ctx context.Context) ([]auth.User, error)
	UserByID(ctx context.Context, id string) (auth.User, error)
	CreateUser(ctx context.Context, nu auth.NewUser) (auth.User, error)
	SetRole(ctx context.Context, id string, role auth.Role) (auth.User, error)
	SetDisabled(ctx context.Context, id string, disabled bool) (auth.User, error)
	SetPassword(ctx context.Context, id, password string) error
	ChangePassword(ctx context.Context, id, current, password string) error
	RevokeSessions(ctx context.Context, id string) error
	SignInThrottle(ctx context.Context, id string) (auth.SignInThrottle, error)
	ClearSignInThrottle(ctx context.Context, id string) error
}

// roleOptions describes each role for the forms, from the permission table's own words.
func roleOptions() []views.RoleOption {
	desc := map[auth.Role]string{
		auth.RoleAdmin:    "everything, including staff accounts and the audit trail",
		auth.RoleReviewer: "works the review queue, decides checks, may reveal PII",
		auth.RoleSupport:  "edits customers and issues SDK sessions",
		auth.RoleAuditor:  "reads everything, changes nothing, reveals no PII",
	}
	var out []views.RoleOption
	for _, r := range auth.AllRoles() {
		out = append(out, views.RoleOption{Value: string(r), Label: strings.ToUpper(string(r[:1])) + string(r[1:]), Description: desc[r]})
	}
	return out
}

func userRow(u auth.User) views.UserRow {
	return views.UserRow{ID: u.ID, Email: u.Email, Name: u.Name, Role: string(u.Role), Disabled: u.Disabled,
		LastLogin: u.LastLoginAt, Created: u.CreatedAt}
}

func (a *App) users(c echo.Context) error {
	list, err := a.StaffAdmin.ListUsers(c.Request().Context())
	if err != nil {
		return err
	}
	m := views.UsersModel{Now: time.Now()}
	for _, u := range list {
		m.Users = append(m.Users, userRow(u))
	}
	return render(c, http.StatusOK, views.UsersPage(a.page(c, "Staff"), m))
}

func (a *App) newUserForm(c echo.Context) error {
	f := views.UserForm{Role: string(auth.RoleSupport), Roles: roleOptions()}
	return render(c, http.StatusOK, views.UserNewPage(a.page(c, "New staff account"), f))
}

// createUser creates an account. A generated password is shown on the response page itself, once:
// it never goes into a redirect, a flash stored in the database, or a log.
func (a *App) createUser(c echo.Context) error {
	f := views.UserForm{Email: strings.TrimSpace(c.FormValue("email")), Name: strings.TrimSpace(c.FormValue("name")),
		Role: c.FormValue("role"), Roles: roleOptions()}
	password := c.FormValue("password")
	generated := password == ""
	if generated {
		password = auth.GeneratePassword()
	}
	role, err := auth.ParseRole(f.Role)
	if err != nil {
		f.Errors = map[string]string{"role": "Choose one of the roles."}
		return render(c, http.StatusUnprocessableEntity, views.UserNewPage(a.page(c, "New staff account"), f))
	}
	var u auth.User
	err = a.change(c, auditEntry{Action: "user.create", TargetType: "user",
		Details: map[string]any{"email": auth.NormalizeEmail(f.Email), "role": string(role)}}, func() (id string, err error) {
		u, err = a.StaffAdmin.CreateUser(c.Request().Context(), auth.NewUser{Email: f.Email, Name: f.Name, Role: role, Password: password})
		return u.ID, err
	})
	if fe := fieldErrors(err); fe != nil {
		f.Errors = fe
		return render(c, http.StatusUnprocessableEntity, views.UserNewPage(a.page(c, "New staff account"), f))
	}
	if err != nil {
		return err
	}
	if !generated {
		a.flash(c, "success", "Account created for "+u.Name+".")
		return redirect(c, "/users/"+u.ID)
	}
	return a.renderUser(c, http.StatusCreated, u, password, "")
}

// fieldErrors turns auth's validation errors into a message per form field, or nil.
func fieldErrors(err error) map[string]string {
	var ve auth.ValidationErrors
	var fe *auth.FieldError
	switch {
	case errors.As(err, &ve):
		out := map[string]string{}
		for _, e := range ve {
			out[e.Field] = e.Message
		}
		return out
	case errors.As(err, &fe):
		return map[string]string{fe.Field: fe.Message}
	}
	return nil
}

func (a *App) user(c echo.Context) error {
	u, err := a.userParam(c)
	if err != nil {
		return err
	}
	return a.renderUser(c, http.StatusOK, u, "", "")
}

func (a *App) renderUser(c echo.Context, status int, u auth.User, newPassword, problem string) error {
	me, _ := userOf(c)
	throttle, err := a.StaffAdmin.SignInThrottle(c.Request().Context(), u.ID)
	if err != nil {
		return err
	}
	m := views.UserModel{User: userRow(u), Roles: roleOptions(), Self: me.ID == u.ID, NewPassword: newPassword,
		SignIn: signInDelay(throttle), Error: problem, Now: time.Now()}
	if a.SecondFactor != nil {
		if m.SecondFactor, err = a.SecondFactor.HasTOTP(c.Request().Context(), u.ID); err != nil {
			return err
		}
	}
	if a.Passkeys != nil {
		keys, err := a.Passkeys.Passkeys(c.Request().Context(), u.ID)
		if err != nil {
			return err
		}
		m.Passkeys = len(keys)
	}
	if status == http.StatusUnprocessableEntity && problem == "" {
		m.ResetError = "Give the reason for the reset: it goes into the audit trail."
	}
	return render(c, status, views.UserPage(a.page(c, u.Name), m))
}

func signInDelay(t auth.SignInThrottle) views.SignInDelay {
	return views.SignInDelay{Until: t.DelayedUntil, Everywhere: t.Everywhere, Failures: t.Failures, Addresses: t.Addresses}
}

// userParam loads the user the path names; an unknown id is a 404.
func (a *App) userParam(c echo.Context) (auth.User, error) {
	u, err := a.StaffAdmin.UserByID(c.Request().Context(), c.Param("id"))
	if errors.Is(err, auth.ErrUserNotFound) {
		return u, echo.NewHTTPError(http.StatusNotFound, "There is no such staff account.")
	}
	return u, err
}

// userAction runs one admin action on the user in the path and returns to their page with a flash;
// refusals the admin should read (the last admin, say) come back on the page itself.
func (a *App) userAction(action string, do func(ctx context.Context, c echo.Context, u auth.User) (string, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		u, err := a.userParam(c)
		if err != nil {
			return err
		}
		details := map[string]any{"email": u.Email, "role": string(u.Role)}
		if action == "user.role" {
			details["new_role"] = c.FormValue("role")
		}
		var msg string
		err = a.mutate(c, auditEntry{Action: action, TargetType: "user", TargetID: u.ID, Details: details}, func() (err error) {
			msg, err = do(c.Request().Context(), c, u)
			return err
		})
		switch {
		case errors.Is(err, auth.ErrLastAdmin):
			return a.renderUser(c, http.StatusConflict, u, "", "The console needs at least one enabled admin: make someone else an admin first.")
		case err != nil:
			return err
		}
		me, _ := userOf(c)
		if me.ID == u.ID && msg != "" {
			// Changing your own account ends your sessions; sign in again.
			return redirect(c, "/login")
		}
		a.flash(c, "success", msg)
		return redirect(c, "/users/"+u.ID)
	}
}

func (a *App) setUserRole(ctx context.Context, c echo.Context, u auth.User) (string, error) {
	role, err := auth.ParseRole(c.FormValue("role"))
	if err != nil {
		return "", echo.NewHTTPError(http.StatusBadRequest, "Choose one of the roles.")
	}
	if role == u.Role {
		return "", nil
	}
	if _, err := a.StaffAdmin.SetRole(ctx, u.ID, role); err != nil {
		return "", err
	}
	return u.Name + " is now " + string(role) + " and was signed out everywhere.", nil
}

func (a *App) disableUser(ctx context.Context, _ echo.Context, u auth.User) (string, error) {
	_, err := a.StaffAdmin.SetDisabled(ctx, u.ID, true)
	return u.Name + "'s account is disabled and signed out everywhere.", err
}

func (a *App) enableUser(ctx context.Context, _ echo.Context, u auth.User) (string, error) {
	_, err := a.StaffAdmin.SetDisabled(ctx, u.ID, false)
	return u.Name + "'s account is enabled.", err
}

func (a *App) revokeUser(ctx context.Context, _ echo.Context, u auth.User) (string, error) {
	return u.Name + " was signed out everywhere.", a.StaffAdmin.RevokeSessions(ctx, u.ID)
}

// resetPassword sets a generated password and shows it once on the response page.
func (a *App) resetPassword(c echo.Context) error {
	u, err := a.userParam(c)
	if err != nil {
		return err
	}
	password := auth.GeneratePassword()
	if err := a.mutate(c, auditEntry{Action: "user.reset_password", TargetType: "user", TargetID: u.ID,
		Details: map[string]any{"email": u.Email}}, func() error {
		return a.StaffAdmin.SetPassword(c.Request().Context(), u.ID, password)
	}); err != nil {
		return err
	}
	if me, _ := userOf(c); me.ID == u.ID {
		return redirect(c, "/login")
	}
	return a.renderUser(c, http.StatusOK, u, password, "")
}

// clearSignInDelay forgets the failed sign-ins counted against the account in the path, from every
// address, so its next attempt is checked at once. The trail records what was cleared. Nobody is
// signed out, so an admin clearing their own account stays on the page.
func (a *App) clearSignInDelay(c echo.Context) error {
	u, err := a.userParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	before, err := a.StaffAdmin.SignInThrottle(ctx, u.ID)
	if err != nil {
		return err
	}
	details := map[string]any{"email": u.Email, "failures": before.Failures, "addresses": before.Addresses,
		"delayed": before.Delayed()}
	if err := a.mutate(c, auditEntry{Action: "user.unlock", TargetType: "user", TargetID: u.ID, Details: details}, func() error {
		return a.StaffAdmin.ClearSignInThrottle(ctx, u.ID)
	}); err != nil {
		return err
	}
	a.flash(c, "success", "Sign-in delays for "+u.Name+" were cleared: the next attempt from any address is checked at once.")
	return redirect(c, "/users/"+u.ID)
}

func (a *App) passwordForm(c echo.Context) error {
	return render(c, http.StatusOK, views.PasswordPage(a.page(c, "Change your password"), views.PasswordForm{}))
}

// changePassword changes the signed-in user's own password. The service signs them out everywhere,
// this browser included, so a fresh session is started here.
func (a *App) changePassword(c echo.Context) error {
	me, _ := userOf(c)
	var changeErr error
	err := a.mutate(c, auditEntry{Action: "user.change_password", TargetType: "user", TargetID: me.ID}, func() error {
		changeErr = a.StaffAdmin.ChangePassword(c.Request().Context(), me.ID, c.FormValue("current_password"), c.FormValue("password"))
		return changeErr
	})
	if changeErr == nil && err != nil {
		return err // the trail refused the attempt: nothing was changed
	}
	if fe := fieldErrors(err); fe != nil {
		return render(c, http.StatusUnprocessableEntity, views.PasswordPage(a.page(c, "Change your password"), views.PasswordForm{Errors: fe}))
	}
	var throttled *auth.ThrottledError
	if errors.Is(err, auth.ErrInvalidCredentials) || errors.As(err, &throttled) {
		f := views.PasswordForm{Errors: map[string]string{"current_password": "That is not your current password."}}
		return render(c, http.StatusUnprocessableEntity, views.PasswordPage(a.page(c, "Change your password"), f))
	}
	if err != nil {
		return err
	}
	ws, err := a.Sessions.Login(c.Response(), c.Request(), me)
	if err != nil {
		return err
	}
	c.Set(keySession, ws)
	a.flash(c, "success", "Your password was changed. Other browsers were signed out.")
	return redirect(c, "/")
}

// resetSecondFactor removes a colleague's authenticator, recovery codes and passkeys, for a lost or
// replaced phone, and signs them out everywhere; the reason goes into the trail with the reset.
func (a *App) resetSecondFactor(c echo.Context) error {
	u, err := a.userParam(c)
	if err != nil {
		return err
	}
	if a.SecondFactor == nil {
		return echo.ErrNotFound
	}
	reason := strings.TrimSpace(c.FormValue("reason"))
	if reason == "" || utf8.RuneCountInString(reason) > 500 {
		return a.renderUser(c, http.StatusUnprocessableEntity, u, "", "")
	}
	if err := a.mutate(c, auditEntry{Action: "user.second_factor_reset", TargetType: "user", TargetID: u.ID,
		Details: map[string]any{"email": u.Email, "reason": reason}}, func() error {
		if err := a.SecondFactor.ResetSecondFactor(c.Request().Context(), u.ID); err != nil {
			return err
		}
		return a.StaffAdmin.RevokeSessions(c.Request().Context(), u.ID)
	}); err != nil {
		return err
	}
	if me, _ := userOf(c); me.ID == u.ID {
		return redirect(c, "/login")
	}
	a.flash(c, "success", u.Name+"'s two-factor sign-in was reset and they were signed out everywhere.")
	return redirect(c, "/users/"+u.ID)
}
