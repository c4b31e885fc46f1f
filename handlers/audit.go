package handlers

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"maps"
	"net/http"

	"github.com/hiveconsole/hiveconsole/audit"
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/labstack/echo/v4"
)

// Auditor keeps the audit trail; *audit.Trail implements it.
type Auditor interface {
	Record(ctx context.Context, e audit.Event) error
	Events(ctx context.Context, q audit.Query) ([]audit.Entry, int, error)
	Each(ctx context.Context, q audit.Query, fn func(audit.Entry) error) error
	RowsAbout(ctx context.Context, targets []audit.Target, fn func(audit.Row) error) error // rows an evidence pack carries, oldest first
	Head(ctx context.Context) (audit.Row, bool, error)                                     // the chain's newest row
}

// The outcomes an audit row records.
const (
	outcomeSuccess = audit.OutcomeSuccess
	outcomeFailure = audit.OutcomeFailure
	outcomeDenied  = audit.OutcomeDenied
)

// auditEntry is what a handler says happened; audit adds who, from where and in which request.
type auditEntry struct {
	Action, TargetType, TargetID, Outcome string
	Details                               map[string]any
	// Personal is personal data of Subject (audit.CustomerSubject) the row holds sealed, so that
	// retention can make it unreadable: an update's before and after values.
	Subject  string
	Personal map[string]any
}

// errAuditUnavailable refuses an action whose audit row could not be written: the console fails
// closed, so nothing is changed or served that the trail does not show.
var errAuditUnavailable = echo.NewHTTPError(http.StatusServiceUnavailable,
	"The audit trail could not be written, so this was not done and nothing was shown. Try again in a moment.")

// audit writes one row for the signed-in user's request. Its error is the one to return: the
// action must not go ahead. Mutations call it before asking Hive, sensitive reads after fetching
// and before serving, so a failing trail stops both.
func (a *App) audit(c echo.Context, e auditEntry) error {
	u, _ := userOf(c)
	return a.recordAudit(c, u, e)
}

func (a *App) recordAudit(c echo.Context, u auth.User, e auditEntry) error {
	ev := audit.Event{ActorID: u.ID, ActorEmail: u.Email, Role: u.Role, Action: e.Action, TargetType: e.TargetType,
		TargetID: e.TargetID, ClientIP: auth.ClientIP(c.Request(), a.TrustedProxies).String(), RequestID: requestIDOf(c),
		Outcome: e.Outcome, Details: e.Details, Subject: e.Subject, Personal: e.Personal}
	if err := a.Audit.Record(c.Request().Context(), ev); err != nil {
		a.log.LogAttrs(c.Request().Context(), slog.LevelError, "audit write failed", slog.String("action", e.Action),
			slog.String("request_id", ev.RequestID), slog.Any("err", err))
		return errAuditUnavailable
	}
	return nil
}

// errorClass names an error for the trail without its text, which could carry API data.
func errorClass(err error) string {
	var he *echo.HTTPError
	var hv *hive.Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &hv):
		return "hive: " + string(hv.Code)
	case errors.As(err, &he):
		return http.StatusText(he.Code)
	}
	return "internal"
}

// mutate records a change in two rows around doing it (see change), for changes whose target is
// known before they are made.
func (a *App) mutate(c echo.Context, e auditEntry, do func() error) error {
	return a.change(c, e, func() (string, error) { return e.TargetID, do() })
}

// change records a change in two rows around doing it, so the trail tells what happened whatever
// fails. The "attempted" row comes first: a trail that cannot take it stops the change before
// anything is asked of Hive (or of the console's own data), and the caller says nothing was done,
// which is true. The outcome row follows: "success", with the target's id (which do returns: Hive
// names a new customer, check or session only once it exists), or "failure" with the error's class
// (Hive's error code, never its text). Once the change is made it stands even if its outcome row
// cannot be written: that is logged, the trail shows the attempt without its outcome (which is what is
// known), and the caller goes on to say what was done.
func (a *App) change(c echo.Context, e auditEntry, do func() (targetID string, err error)) error {
	e.Outcome = audit.OutcomeAttempted
	if err := a.audit(c, e); err != nil {
		return err
	}
	id, err := do()
	e.Outcome, e.TargetID = outcomeSuccess, cmp.Or(id, e.TargetID)
	if err != nil {
		e.Outcome = outcomeFailure
		e.Details = maps.Clone(e.Details)
		if e.Details == nil {
			e.Details = map[string]any{}
		}
		e.Details["error"] = errorClass(err)
	}
	_ = a.audit(c, e) // logged by recordAudit; the change is made or refused either way
	return err
}

// cut shortens s to n characters, the last of them "…".
func cut(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
