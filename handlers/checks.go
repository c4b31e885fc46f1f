package handlers

import (
	"context"
	"errors"
	"net/http"

	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/labstack/echo/v4"
)

// createCheck runs a check on a completed session (POST /checks, session_id) and opens its page,
// which follows the processing live. A session that is not completed comes back with a clear word.
func (a *App) createCheck(c echo.Context) error {
	sessionID := c.FormValue("session_id")
	if !hive.ValidID(sessionID) {
		return echo.NewHTTPError(http.StatusBadRequest, "Choose a session to check.")
	}
	var ch *hive.Check
	err := a.change(c, auditEntry{Action: "check.create", TargetType: "check", Details: map[string]any{"session": sessionID}},
		func() (string, error) {
			created, err := a.Hive.CreateCheck(c.Request().Context(), sessionID)
			if err != nil {
				return "", err
			}
			ch = created
			return ch.ID, nil
		})
	var herr *hive.Error
	if errors.As(err, &herr) && (herr.Code == hive.CodeConflict || herr.Code == hive.CodeInvalid) {
		a.flash(c, "error", "No check was run: the customer has not finished the SDK flow for this session, or it already has a check.")
		return redirect(c, "/sessions/"+sessionID)
	}
	if err != nil {
		return err
	}
	a.writeThrough(c, "check.create", func(ctx context.Context) error { return a.Read.PutCheck(ctx, ch) })
	return redirect(c, "/checks/"+ch.ID)
}

// deleteCheck deletes a check and its report (admins), after the report page's confirmation.
func (a *App) deleteCheck(c echo.Context) error {
	id := c.Param("id")
	if !hive.ValidID(id) {
		return echo.NewHTTPError(http.StatusNotFound, "There is no such check.")
	}
	ctx := c.Request().Context()
	ch, err := a.Hive.GetCheck(ctx, id)
	if err != nil {
		return err
	}
	if customerID, _ := a.checkCustomer(ctx, ch.SessionID); customerID != "" {
		if err := a.refuseWhileHeld(ctx, customerID); err != nil {
			return err
		}
	}
	if err := a.mutate(c, auditEntry{Action: "check.delete", TargetType: "check", TargetID: id,
		Details: map[string]any{"session": ch.SessionID}}, func() error { return a.Hive.DeleteCheck(ctx, id) }); err != nil {
		return err
	}
	a.writeThrough(c, "check.delete", func(ctx context.Context) error { return a.Read.DeleteCheck(ctx, id) })
	a.flash(c, "success", "The check and its report were deleted.")
	return redirect(c, "/sessions/"+ch.SessionID)
}
