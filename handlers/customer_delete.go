package handlers

import (
	"context"
	"net/http"
	"strings"

	"github.com/hiveconsole/hiveconsole/readmodel"
	"github.com/hiveconsole/hiveconsole/views"
	"github.com/labstack/echo/v4"
)

// deleteImpact counts what deleting a customer takes with it, from the console's copy of Hive.
func (a *App) deleteImpact(c echo.Context, id string) (views.DeleteImpact, error) {
	ctx := c.Request().Context()
	var d views.DeleteImpact
	sessions, err := a.Read.SessionsOf(ctx, id)
	if err != nil {
		return d, err
	}
	d.Sessions = len(sessions)
	checks, err := a.Read.Checks(ctx, readmodel.CheckQuery{Customer: id, Limit: 1000})
	if err != nil {
		return d, err
	}
	d.Checks = checks.Total
	for _, e := range checks.Rows {
		if e.Check.ReportID != nil {
			d.Reports++
		}
	}
	return d, nil
}

// deleteCustomerForm asks for the customer's email before deleting, and says what goes with them.
func (a *App) deleteCustomerForm(c echo.Context) error {
	cust, err := a.customerParam(c)
	if err != nil {
		return err
	}
	if err := a.refuseWhileHeld(c.Request().Context(), cust.ID); err != nil {
		return err
	}
	impact, err := a.deleteImpact(c, cust.ID)
	if err != nil {
		return err
	}
	m := views.DeleteCustomerModel{ID: cust.ID, Name: orName(cust), Email: cust.Email, Impact: impact}
	return render(c, http.StatusOK, views.DeleteCustomerPage(a.page(c, "Delete "+orName(cust)), m))
}

func (a *App) deleteCustomer(c echo.Context) error {
	cust, err := a.customerParam(c)
	if err != nil {
		return err
	}
	if err := a.refuseWhileHeld(c.Request().Context(), cust.ID); err != nil {
		return err
	}
	typed := strings.TrimSpace(c.FormValue("confirm_email"))
	if !strings.EqualFold(typed, cust.Email) {
		impact, err := a.deleteImpact(c, cust.ID)
		if err != nil {
			return err
		}
		m := views.DeleteCustomerModel{ID: cust.ID, Name: orName(cust), Email: cust.Email, Impact: impact, Typed: typed,
			Error: "Type the customer's email address exactly to confirm."}
		return render(c, http.StatusUnprocessableEntity, views.DeleteCustomerPage(a.page(c, "Delete "+orName(cust)), m))
	}
	if err := a.mutate(c, auditEntry{Action: "customer.delete", TargetType: "customer", TargetID: cust.ID}, func() error {
		_, err := a.Hive.DeleteCustomer(c.Request().Context(), cust.ID)
		return err
	}); err != nil {
		return err
	}
	a.writeThrough(c, "customer.delete", func(ctx context.Context) error { return a.Read.DeleteCustomer(ctx, cust.ID) })
	a.flash(c, "success", orName(cust)+" and their sessions, checks, reports and files were deleted.")
	return redirect(c, "/customers")
}
