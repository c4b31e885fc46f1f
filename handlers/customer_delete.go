package handlers

import (
	"context"
	"net/http"
	"strings"

	"github.com/hiveconsole/hiveconsole/views"
	"github.com/labstack/echo/v4"
)

// deleteImpact counts what deleting a customer takes with it.
func (a *App) deleteImpact(c echo.Context, id string) (views.DeleteImpact, error) {
	a.snapshots.invalidate() // the counts must be current, not a page view's few seconds old
	snap, err := a.snapshots.get(c.Request().Context(), pageMaxAge)
	if err != nil {
		return views.DeleteImpact{}, err
	}
	var d views.DeleteImpact
	mine := map[string]bool{}
	for _, s := range snap.sessions {
		if s.CustomerID == id {
			mine[s.ID] = true
			d.Sessions++
		}
	}
	for _, ch := range snap.checks {
		if mine[ch.SessionID] {
			d.Checks++
			if ch.ReportID != nil {
				d.Reports++
			}
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
	a.snapshots.invalidate()
	a.writeThrough(c, "customer.delete", func(ctx context.Context) error { return a.Read.DeleteCustomer(ctx, cust.ID) })
	a.flash(c, "success", orName(cust)+" and their sessions, checks, reports and files were deleted.")
	return redirect(c, "/customers")
}
