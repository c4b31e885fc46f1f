package handlers

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/hiveconsole/hiveconsole/audit"
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/views"
	"github.com/labstack/echo/v4"
)

// AccountSessions lists and ends a user's own web sessions; *auth.Service implements it.
type AccountSessions interface {
	SessionsOf(ctx context.Context, userID, current string) ([]auth.SessionInfo, error)
	EndSession(ctx context.Context, userID, key string) (bool, error)
}

// signInRows is how many of one's sign-in events the Security page shows.
const signInRows = 20

// signInActions are the trail's actions about signing in, with their words on the Security page.
var signInActions = map[string]string{
	"auth.sign_in":             "Signed in",
	"auth.password":            "Password accepted, code asked",
	"auth.second_factor":       "Wrong code",
	"auth.second_factor_enrol": "Set up two-factor sign-in",
	"auth.second_factor_off":   "Turned off two-factor sign-in",
	"auth.passkey":             "Passkey not accepted",
	"auth.passkey_add":         "Added a passkey",
	"auth.passkey_remove":      "Removed a passkey",
	"auth.lockout":             "Sign-in slowed down after failures",
	"auth.sign_out":            "Signed out",
	"auth.session_end":         "Ended a session",
}

// errEnoughSignIns stops reading the trail once the page has its rows.
var errEnoughSignIns = errors.New("enough sign-ins")

// accountActivity adds the user's sessions and their last sign-in events to the Security page.
func (a *App) accountActivity(c echo.Context, m *views.SecurityModel) error {
	me, _ := userOf(c)
	ctx := c.Request().Context()
	m.Now = time.Now()
	if a.AccountSessions != nil {
		current := ""
		if ws := sessionOf(c); ws != nil {
			current = ws.Session.ID
		}
		sessions, err := a.AccountSessions.SessionsOf(ctx, me.ID, current)
		if err != nil {
			return err
		}
		for _, s := range sessions {
			m.Sessions = append(m.Sessions, views.WebSessionRow{Key: s.Key, Device: views.Device(s.UserAgent), UserAgent: s.UserAgent, Address: s.ClientIP,
				Started: s.CreatedAt, LastSeen: s.LastSeen, Current: s.Current})
		}
	}
	// The trail's sign-in rows about this account, newest first: those it wrote as itself, and
	// failures typed with its email before anyone knew who it was. The actor filter matches within
	// addresses, so each row is checked for this account exactly. It reads along the action's index
	// and stops at the page's rows, counting nothing.
	err := a.Audit.Each(ctx, audit.Query{Actor: me.Email, Action: "auth."}, func(e audit.Entry) error {
		label, ok := signInActions[e.Action]
		mine := e.ActorID == me.ID || (e.ActorID == "" && strings.EqualFold(e.ActorEmail, me.Email))
		if !ok || !mine || e.Outcome == audit.OutcomeAttempted {
			return nil // an attempt's outcome follows in its own row
		}
		switch e.Details["second_factor"] {
		case "totp":
			label = "Signed in with a code"
		case "recovery_code":
			label = "Signed in with a recovery code"
		case "totp_enrolled":
			label = "Signed in, setting up two-factor sign-in"
		}
		if e.Action == "auth.sign_in" && e.Outcome == audit.OutcomeSuccess {
			switch e.Details["method"] {
			case "passkey":
				label = "Signed in with a passkey"
			case "oidc":
				label = "Signed in with single sign-on"
			}
		}
		m.SignIns = append(m.SignIns, views.SignInRow{Time: e.Time, What: label, Outcome: string(e.Outcome), Address: e.ClientIP})
		if len(m.SignIns) == signInRows {
			return errEnoughSignIns
		}
		return nil
	})
	if err != nil && !errors.Is(err, errEnoughSignIns) {
		return err
	}
	return nil
}

// endSession ends one of the user's own sessions, another browser's or this one.
func (a *App) endSession(c echo.Context) error {
	if a.AccountSessions == nil {
		return echo.ErrNotFound
	}
	me, _ := userOf(c)
	key := c.Param("key")
	current := false
	if ws := sessionOf(c); ws != nil {
		current = ws.Session.ID == key
	}
	var ended bool
	if err := a.mutate(c, auditEntry{Action: "auth.session_end", TargetType: "user", TargetID: me.ID,
		Details: map[string]any{"current": current}}, func() (err error) {
		ended, err = a.AccountSessions.EndSession(c.Request().Context(), me.ID, key)
		return err
	}); err != nil {
		return err
	}
	if current {
		return redirect(c, "/login")
	}
	if ended {
		a.flash(c, "success", "That session has ended: the browser is signed out.")
	}
	return redirect(c, "/account/security")
}
