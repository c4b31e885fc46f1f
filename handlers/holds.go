package handlers

import (
	"context"
	"errors"
	"net/http"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/retention"
	"github.com/hiveconsole/hiveconsole/views"
	"github.com/labstack/echo/v4"
)

// Holds are legal holds on customers; *retention.Holds implements it. While a customer is held,
// nothing of theirs is deleted: not by retention, not by an admin's Delete. Nil offers none.
type Holds interface {
	Place(ctx context.Context, customerID string, admin auth.User, reason string) (retention.Hold, error)
	Release(ctx context.Context, customerID string, admin auth.User, reason string) (retention.Hold, error)
	InForce(ctx context.Context, customerID string) (retention.Hold, bool, error)
}

// holdModel is the customer page's legal hold: the one in force, and the form that places or
// releases one for admins; form carries what was typed and why it was refused.
func (a *App) holdModel(c echo.Context, customerID string, form views.HoldModel) (views.HoldModel, error) {
	m := form
	if a.Holds == nil {
		return m, nil
	}
	u, _ := userOf(c)
	m.Available, m.CanManage = true, u.Can(auth.HoldCustomers)
	h, ok, err := a.Holds.InForce(c.Request().Context(), customerID)
	if err != nil || !ok {
		return m, err
	}
	m.Held, m.Reason, m.By, m.Since = true, h.Reason, h.HeldBy, h.HeldAt
	return m, nil
}

// placeHold puts the customer under a legal hold, with the reason in the trail.
func (a *App) placeHold(c echo.Context) error { return a.changeHold(c, true) }

// releaseHold ends the customer's legal hold, with the reason in the trail.
func (a *App) releaseHold(c echo.Context) error { return a.changeHold(c, false) }

func (a *App) changeHold(c echo.Context, place bool) error {
	if a.Holds == nil {
		return echo.ErrNotFound
	}
	id := c.Param("id")
	if !hive.ValidID(id) {
		return echo.NewHTTPError(http.StatusNotFound, "There is no such customer.")
	}
	ctx := c.Request().Context()
	if _, err := a.Hive.GetCustomer(ctx, id); err != nil {
		return err // no hold on a customer Hive does not have
	}
	me, _ := userOf(c)
	reason := retention.CleanReason(c.FormValue("reason"))
	form := views.HoldModel{FormReason: reason, Placing: place}
	if form.FormError = retention.ReasonProblem(reason); form.FormError != "" {
		return a.customerPageWith(c, http.StatusUnprocessableEntity, views.NotesModel{}, form)
	}
	action, do := "customer.hold", a.Holds.Place
	if !place {
		action, do = "customer.release", a.Holds.Release
	}
	var changeErr error
	err := a.mutate(c, auditEntry{Action: action, TargetType: "customer", TargetID: id, Details: map[string]any{"reason": reason}}, func() error {
		_, changeErr = do(ctx, id, me, reason)
		return changeErr
	})
	switch {
	case errors.Is(changeErr, retention.ErrHeld):
		form.FormError = "The customer is under a legal hold already: someone placed one meanwhile."
		return a.customerPageWith(c, http.StatusConflict, views.NotesModel{}, form)
	case errors.Is(changeErr, retention.ErrDeleting):
		form.FormError = "The retention policy is deleting this customer right now, so a hold can no longer stop it."
		return a.customerPageWith(c, http.StatusConflict, views.NotesModel{}, form)
	case errors.Is(changeErr, retention.ErrNotHeld):
		form.FormError = "The customer is not under a legal hold: someone released it meanwhile."
		return a.customerPageWith(c, http.StatusConflict, views.NotesModel{}, form)
	case err != nil:
		return err
	}
	if place {
		a.flash(c, "success", "The customer is under a legal hold: nothing of theirs is deleted until it is released.")
	} else {
		a.flash(c, "success", "The legal hold is released.")
	}
	return redirect(c, "/customers/"+id)
}

// refuseWhileHeld answers a deletion of a held customer with 409, or nil when they are not held.
func (a *App) refuseWhileHeld(ctx context.Context, customerID string) error {
	if a.Holds == nil {
		return nil
	}
	h, ok, err := a.Holds.InForce(ctx, customerID)
	if err != nil {
		return err
	}
	if ok {
		return echo.NewHTTPError(http.StatusConflict, "This customer is under a legal hold ("+h.Reason+"), placed by "+h.HeldBy+
			": nothing of theirs can be deleted until an admin releases it.")
	}
	return nil
}
