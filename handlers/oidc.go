package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"unicode"

	"github.com/hiveconsole/hiveconsole/audit"
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/views"
	"github.com/labstack/echo/v4"
)

// SingleSignOn is staff's OpenID Connect provider; *auth.OIDC implements it. It speaks the protocol
// and verifies the ID token; the handlers match the identity to an account, record the sign-in and
// start the session.
type SingleSignOn interface {
	Name() string
	CreatesUsers() bool
	AuthCodeURL(ctx context.Context, state, nonce, verifier string) (string, error)
	Identify(ctx context.Context, code, verifier, nonce string) (auth.OIDCIdentity, error)
}

// Reasons a single sign-on is refused after the provider vouched for the identity, next to
// auth's OIDC* reasons; each is the audit row's reason.
const (
	ssoStateMissing   = "state_missing"    // no sign-on in flight in this browser: expired, replayed or never started
	ssoStateMismatch  = "state_mismatch"   // the callback is not the answer to this browser's request
	ssoProviderError  = "provider_refused" // the provider answered with an error instead of a code
	ssoUnknownAccount = "unknown_account"
	ssoDisabled       = "account_disabled"
	ssoLastAdmin      = "last_admin" // the provider demotes the last enabled admin
)

// ssoRefusals says what the page tells the user for each reason, and with which status. It never
// carries the provider's own words.
var ssoRefusals = map[string]struct {
	status  int
	message string
}{
	ssoStateMissing:          {http.StatusBadRequest, "That sign-in expired or was already used. Start again with the button below."},
	ssoStateMismatch:         {http.StatusBadRequest, "That sign-in expired or was already used. Start again with the button below."},
	ssoProviderError:         {http.StatusUnauthorized, "The identity provider did not sign you in."},
	auth.OIDCUnavailable:     {http.StatusServiceUnavailable, "The identity provider cannot be reached just now. Try again in a moment."},
	auth.OIDCExchangeFailed:  {http.StatusUnauthorized, "The identity provider's answer could not be verified, so you are not signed in. Try again; if it keeps happening, ask an admin to check the single sign-on settings."},
	auth.OIDCNoIDToken:       {http.StatusUnauthorized, "The identity provider's answer could not be verified, so you are not signed in. Try again; if it keeps happening, ask an admin to check the single sign-on settings."},
	auth.OIDCInvalidToken:    {http.StatusUnauthorized, "The identity provider's answer could not be verified, so you are not signed in. Try again; if it keeps happening, ask an admin to check the single sign-on settings."},
	auth.OIDCNonceMismatch:   {http.StatusUnauthorized, "The identity provider's answer could not be verified, so you are not signed in. Try again; if it keeps happening, ask an admin to check the single sign-on settings."},
	auth.OIDCEmailMissing:    {http.StatusForbidden, "Your identity provider account has no email address the console can use. Ask an admin."},
	auth.OIDCEmailUnverified: {http.StatusForbidden, "Your identity provider has not verified your email address, so the console cannot match it to an account."},
	auth.OIDCNoRole:          {http.StatusForbidden, "Your identity provider account is in no group that grants a console role. Ask an admin."},
	ssoUnknownAccount:        {http.StatusForbidden, "No console account has your email address. Ask an admin to create one."},
	ssoDisabled:              {http.StatusForbidden, "Your console account is disabled."},
	ssoLastAdmin:             {http.StatusConflict, "The identity provider no longer makes you an admin, but you are the console's last enabled admin: make someone else an admin first."},
}

// loginModel is the sign-in form as every sign-in page shows it: with the single sign-on button and
// the note on passwords when they apply.
func (a *App) loginModel(c echo.Context, m views.LoginModel) views.LoginModel {
	m.Passkey = a.passkeysHere(c)
	if a.SingleSignOn != nil {
		m.SSOName = a.SingleSignOn.Name()
		m.SSOURL = "/login/oidc"
		if m.Next != "" {
			m.SSOURL += "?" + url.Values{"next": {m.Next}}.Encode()
		}
	}
	m.PasswordBreakGlass = a.PasswordSignIn.BreakGlass != ""
	return m
}

// startSingleSignOn sends the browser to the provider's authorization endpoint, with a fresh state,
// nonce and PKCE verifier kept in this browser for the callback.
func (a *App) startSingleSignOn(c echo.Context) error {
	if a.SingleSignOn == nil {
		return echo.ErrNotFound
	}
	next := safeNext(c.QueryParam("next"))
	if _, _, err := a.Staff.SignedInUser(c.Request()); err == nil {
		return redirect(c, next)
	}
	st := auth.OIDCState{State: randomString(32), Nonce: randomString(32), Verifier: randomString(32), Next: next}
	to, err := a.SingleSignOn.AuthCodeURL(c.Request().Context(), st.State, st.Nonce, st.Verifier)
	if err != nil {
		return a.refuseSingleSignOn(c, auth.User{}, err)
	}
	if err := a.Sessions.BeginSingleSignOn(c.Response(), st); err != nil {
		return err
	}
	return c.Redirect(http.StatusFound, to)
}

// singleSignOnCallback is where the provider sends the browser back: the state must be this
// browser's (once), the code is exchanged with the verifier, the ID token verified, and the account
// it names — found by email, created when that is allowed — gets the role its claim maps to and a
// session. No second factor is asked: that is the provider's business.
func (a *App) singleSignOnCallback(c echo.Context) error {
	if a.SingleSignOn == nil {
		return echo.ErrNotFound
	}
	ctx := c.Request().Context()
	st, err := a.Sessions.TakeSingleSignOn(c.Response(), c.Request())
	if err != nil {
		return a.refuseSingleSignOn(c, auth.User{}, &auth.OIDCError{Reason: ssoStateMissing})
	}
	q := c.QueryParams()
	if !equalToken(q.Get("state"), st.State) {
		return a.refuseSingleSignOn(c, auth.User{}, &auth.OIDCError{Reason: ssoStateMismatch})
	}
	if q.Get("error") != "" || q.Get("code") == "" {
		return a.refuseSingleSignOn(c, auth.User{}, &auth.OIDCError{Reason: ssoProviderError})
	}
	id, err := a.SingleSignOn.Identify(ctx, q.Get("code"), st.Verifier, st.Nonce)
	if err != nil {
		return a.refuseSingleSignOn(c, auth.User{}, err)
	}
	u, err := a.singleSignOnAccount(c, id)
	if err != nil {
		return a.refuseSingleSignOn(c, auth.User{ID: u.ID, Email: id.Email, Role: u.Role}, err)
	}
	if err := a.recordAudit(c, u, auditEntry{Action: "auth.sign_in", TargetType: "user", TargetID: u.ID, Outcome: outcomeSuccess,
		Details: map[string]any{"method": "oidc"}}); err != nil {
		return err // no session the trail does not show
	}
	if _, err := a.Sessions.Login(c.Response(), c.Request(), u); err != nil {
		return err
	}
	return redirect(c, safeNext(st.Next))
}

// singleSignOnAccount is the enabled account id names, created when allowed, with the role the
// provider grants now. A role change goes through SetRole, which signs the user out everywhere:
// it comes before the session this sign-in starts, so only older sessions end.
func (a *App) singleSignOnAccount(c echo.Context, id auth.OIDCIdentity) (auth.User, error) {
	ctx := c.Request().Context()
	u, err := a.Staff.UserByEmail(ctx, id.Email)
	switch {
	case errors.Is(err, auth.ErrUserNotFound) && a.SingleSignOn.CreatesUsers():
		return a.createSingleSignOnUser(c, id)
	case errors.Is(err, auth.ErrUserNotFound):
		return auth.User{}, &auth.OIDCError{Reason: ssoUnknownAccount}
	case err != nil:
		return auth.User{}, err
	case u.Disabled:
		return u, &auth.OIDCError{Reason: ssoDisabled}
	case u.Role == id.Role:
		return u, nil
	}
	details := map[string]any{"email": u.Email, "role": string(u.Role), "new_role": string(id.Role), "source": "oidc"}
	var changed auth.User
	err = a.recordChange(c, u, auditEntry{Action: "user.role", TargetType: "user", TargetID: u.ID, Details: details}, func() (*auth.User, error) {
		changed, err = a.StaffAdmin.SetRole(ctx, u.ID, id.Role)
		return &changed, err
	})
	if errors.Is(err, auth.ErrLastAdmin) {
		return u, &auth.OIDCError{Reason: ssoLastAdmin}
	}
	return changed, err
}

// createSingleSignOnUser opens an account for a verified identity with a mapped role. Its password
// is random and never shown: the account signs in through the provider (or after an admin's reset).
func (a *App) createSingleSignOnUser(c echo.Context, id auth.OIDCIdentity) (auth.User, error) {
	nu := auth.NewUser{Email: id.Email, Name: displayName(id), Role: id.Role, Password: auth.GeneratePassword()}
	actor := auth.User{Email: id.Email, Role: id.Role}
	var created auth.User
	err := a.recordChange(c, actor, auditEntry{Action: "user.create", TargetType: "user",
		Details: map[string]any{"email": id.Email, "role": string(id.Role), "source": "oidc"}}, func() (*auth.User, error) {
		var err error
		created, err = a.StaffAdmin.CreateUser(c.Request().Context(), nu)
		return &created, err
	})
	return created, err
}

// displayName is the token's name when it makes a valid one, else the email's local part.
func displayName(id auth.OIDCIdentity) string {
	name := strings.TrimSpace(id.Name)
	if name == "" || len([]rune(name)) > 100 || strings.ContainsFunc(name, unicode.IsControl) {
		name, _, _ = strings.Cut(id.Email, "@")
	}
	return name
}

// recordChange writes an attempted row, does the change, and writes its outcome, as change does for
// a signed-in user's request; here the actor is the user signing in. do returns the account as it
// is after the change: the outcome row names it (a new account has its id only then).
func (a *App) recordChange(c echo.Context, actor auth.User, e auditEntry, do func() (*auth.User, error)) error {
	e.Outcome = audit.OutcomeAttempted
	if err := a.recordAudit(c, actor, e); err != nil {
		return err
	}
	after, err := do()
	e.Outcome = outcomeSuccess
	if err != nil {
		e.Outcome = outcomeFailure
		e.Details["error"] = errorClass(err)
	} else {
		actor, e.TargetID = *after, after.ID
	}
	if rerr := a.recordAudit(c, actor, e); rerr != nil && err == nil {
		a.log.Warn("audit outcome not written", slog.String("action", e.Action), slog.String("request_id", requestIDOf(c)))
	}
	return err
}

// refuseSingleSignOn records a refused single sign-on with its reason and shows the sign-in page
// with what the user can do. An error that is no refusal is returned as it is.
func (a *App) refuseSingleSignOn(c echo.Context, who auth.User, err error) error {
	var oe *auth.OIDCError
	if !errors.As(err, &oe) {
		return err
	}
	if oe.Err != nil { // the provider's words, for the operator only
		a.log.LogAttrs(c.Request().Context(), slog.LevelWarn, "single sign-on refused", slog.String("reason", oe.Reason),
			slog.String("request_id", requestIDOf(c)), slog.Any("err", oe.Err))
	}
	_ = a.recordAudit(c, who, auditEntry{Action: "auth.sign_in", TargetType: "user", TargetID: who.ID, Outcome: outcomeFailure,
		Details: map[string]any{"method": "oidc", "reason": oe.Reason}})
	r, ok := ssoRefusals[oe.Reason]
	if !ok {
		r = ssoRefusals[auth.OIDCInvalidToken]
	}
	m := a.loginModel(c, views.LoginModel{Sandbox: a.Sandbox, CSRFToken: a.preSessionToken(c), Error: r.message})
	return render(c, r.status, views.LoginPage(a.page(c, "Sign in"), m))
}
