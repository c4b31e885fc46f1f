package handlers

import (
	"context"
	"net/http"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/views"
	"github.com/labstack/echo/v4"
)

// sessionLifetime is how long Hive's session tokens live, per the reference; the token's own
// expiry claim wins when it can be read.
const sessionLifetime = 90 * time.Minute

// issueSDKSession creates an SDK session for the customer in the path with the configured
// application key and shows its token on the response page, once. The token goes nowhere else:
// not into a redirect, a flash, a Datastar signal, the console's database or a log.
func (a *App) issueSDKSession(c echo.Context) error {
	id := c.Param("id")
	if !hive.ValidID(id) {
		return echo.NewHTTPError(http.StatusNotFound, "There is no such customer.")
	}
	ctx := c.Request().Context()
	cust, err := a.Hive.GetCustomer(ctx, id)
	if err != nil {
		return err
	}
	m, err := a.newSDKSession(c, cust)
	if err != nil {
		return err
	}
	return render(c, http.StatusCreated, views.SessionIssuedPage(a.page(c, "SDK session issued"), m))
}

// newSDKSession asks Hive for a session for the customer and describes it for the page that shows
// its token once.
func (a *App) newSDKSession(c echo.Context, cust *hive.Customer) (views.SessionIssued, error) {
	now := time.Now()
	m := views.SessionIssued{CustomerID: cust.ID, CustomerName: cust.FullName(), Email: pii(c).show(fromRecord, piiEmail, cust.Email),
		Expires: now.Add(sessionLifetime), Now: now}
	err := a.change(c, auditEntry{Action: "session.issue", TargetType: "session", Details: map[string]any{"customer": cust.ID}},
		func() (string, error) {
			tok, err := a.Hive.CreateSession(c.Request().Context(), hive.SessionParams{CustomerID: cust.ID})
			if err != nil {
				return "", err
			}
			m.Token = tok.Token
			if claims, ok := readTokenClaims(tok.Token); ok {
				if hive.ValidID(claims.SessionID) {
					m.SessionID = claims.SessionID
				}
				if exp := claims.ExpiresAt; exp != nil && exp.Unix() > 0 {
					m.Expires = exp.Time
				}
			}
			return m.SessionID, nil
		})
	if err != nil {
		return views.SessionIssued{}, err
	}
	if m.SessionID != "" {
		a.writeThrough(c, "session.issue", func(ctx context.Context) error { return a.refreshSession(ctx, m.SessionID) })
	}
	return m, nil
}

// tokenClaims are the parts of a session token's payload the console shows: the session's id, and
// in the registered claims its expiry.
type tokenClaims struct {
	SessionID string `json:"session_id"`
	jwt.RegisteredClaims
}

// readTokenClaims reads a JWT's claims without verifying its signature: the token came straight from
// Hive over its authenticated API, and the claims only label the page (which session, until when).
func readTokenClaims(token string) (tokenClaims, bool) {
	var c tokenClaims
	if _, _, err := jwt.NewParser().ParseUnverified(token, &c); err != nil {
		return tokenClaims{}, false
	}
	return c, true
}

// deleteSDKSession deletes a session at Hive after the detail page's confirmation.
func (a *App) deleteSDKSession(c echo.Context) error {
	s, err := a.sessionParam(c)
	if err != nil {
		return err
	}
	if err := a.mutate(c, auditEntry{Action: "session.delete", TargetType: "session", TargetID: s.ID,
		Details: map[string]any{"customer": s.CustomerID}}, func() error { return a.Hive.DeleteSession(c.Request().Context(), s.ID) }); err != nil {
		return err
	}
	a.writeThrough(c, "session.delete", func(ctx context.Context) error { return a.Read.DeleteSession(ctx, s.ID) })
	who := s.FullName
	if who == "" {
		who = pii(c).show(fromRecord, piiEmail, s.Email)
	}
	a.flash(c, "success", "The SDK session for "+who+" was deleted.")
	return redirect(c, "/sessions")
}

// simulateSDKSession plays the SDK on a created session with a scenario from the sandbox's
// catalogue. It exists only in sandbox mode; against the real API the route is a 404.
func (a *App) simulateSDKSession(c echo.Context) error {
	if a.Simulator == nil {
		return echo.ErrNotFound
	}
	s, err := a.sessionParam(c)
	if err != nil {
		return err
	}
	name := c.FormValue("scenario")
	var chosen *Scenario
	for _, sc := range a.Simulator.Scenarios() {
		if sc.Name == name {
			chosen = &sc
			break
		}
	}
	if chosen == nil {
		return a.renderSession(c, http.StatusUnprocessableEntity, s, sessionProblem{scenarioError: "Choose one of the scenarios.", scenario: name})
	}
	if st := sessionStatus(*s, time.Now()); st != views.SessionCreated {
		return a.renderSession(c, http.StatusConflict, s, notWaiting(st))
	}
	ctx := c.Request().Context()
	var simErr error
	err = a.mutate(c, auditEntry{Action: "session.simulate", TargetType: "session", TargetID: s.ID,
		Details: map[string]any{"scenario": chosen.Name}}, func() error {
		simErr = a.Simulator.CompleteSession(ctx, s.ID, chosen.Name)
		return simErr
	})
	if simErr == nil && err != nil {
		return err // the trail refused the attempt: nothing was asked of the sandbox
	}
	if err != nil {
		// The simulator's errors are the sandbox's, not Hive's: read the session again to tell a
		// refusal (someone completed it, or it expired, in the meantime) from a failure.
		fresh, ferr := a.Hive.GetSession(ctx, s.ID)
		if ferr != nil {
			return ferr
		}
		if st := sessionStatus(*fresh, time.Now()); st != views.SessionCreated {
			return a.renderSession(c, http.StatusConflict, fresh, notWaiting(st))
		}
		return err
	}
	a.writeThrough(c, "session.simulate", func(ctx context.Context) error { return a.refreshSession(ctx, s.ID) })
	a.flash(c, "success", "Submitted as the SDK would, scenario “"+chosen.Title+"”.")
	return redirect(c, "/sessions/"+s.ID)
}

func notWaiting(st views.SessionStatus) sessionProblem {
	return sessionProblem{page: "Only a session still waiting for the customer can be submitted; this one is " + string(st) + "."}
}
