package handlers

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/hiveconsole/hiveconsole/audit"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/views"
	"github.com/labstack/echo/v4"
)

func (a *App) newCustomerForm(c echo.Context) error {
	return render(c, http.StatusOK, views.CustomerFormPage(a.page(c, "New customer"), customerForm{}.view(nil, nil)))
}

func (a *App) createCustomer(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read.")
	}
	f := readCustomerForm(form)
	if errs := f.Validate(time.Now()); len(errs) > 0 {
		return render(c, http.StatusUnprocessableEntity, views.CustomerFormPage(a.page(c, "New customer"), f.view(errs, nil)))
	}
	var cust *hive.Customer
	err = a.change(c, auditEntry{Action: "customer.create", TargetType: "customer"}, func() (string, error) {
		created, err := a.Hive.CreateCustomer(c.Request().Context(), f.createParams())
		if err != nil {
			return "", err
		}
		cust = created
		return cust.ID, nil
	})
	if errs := apiFieldErrors(err); errs != nil {
		return render(c, http.StatusUnprocessableEntity, views.CustomerFormPage(a.page(c, "New customer"), f.view(errs, nil)))
	}
	if err != nil {
		return err
	}
	a.writeThrough(c, "customer.create", func(ctx context.Context) error { return a.Read.PutCustomer(ctx, cust) })
	a.flash(c, "success", "Customer created.")
	return redirect(c, "/customers/"+cust.ID)
}

// apiFieldErrors puts Hive's own validation errors by the field Hive named, or a form-wide message.
func apiFieldErrors(err error) map[string]string {
	var herr *hive.Error
	if !errors.As(err, &herr) || herr.Code != hive.CodeInvalid {
		return nil
	}
	field := herr.Field
	if strings.HasPrefix(field, "metadata") {
		field = "metadata"
	}
	if field == "" {
		field = "form"
	}
	return map[string]string{field: "Hive refused this: " + herr.Message + "."}
}

// customerParam loads the customer the path names; malformed ids are a 404 before any API call.
func (a *App) customerParam(c echo.Context) (*hive.Customer, error) {
	id := c.Param("id")
	if !hive.ValidID(id) {
		return nil, echo.NewHTTPError(http.StatusNotFound, "There is no such customer.")
	}
	return a.Hive.GetCustomer(c.Request().Context(), id)
}

func (a *App) editCustomerForm(c echo.Context) error {
	cust, err := a.customerParam(c)
	if err != nil {
		return err
	}
	f := formFromCustomer(cust)
	_, doubts := f.ValidateEdit(formFromCustomer(cust), time.Now()) // everything is as stored: only warnings
	v := f.view(nil, doubts)
	v.ID = cust.ID
	if isDatastar(c) {
		return a.patch(c, "", views.CustomerInlineForm(a.fragment(c), v))
	}
	return render(c, http.StatusOK, views.CustomerFormPage(a.page(c, "Edit "+orName(cust)), v))
}

func orName(c *hive.Customer) string {
	if n := c.FullName(); n != "" {
		return n
	}
	return c.Email
}

// updateCustomer saves an edit, sending only what changed. If the customer changed since the form
// was opened, nothing is written: the form comes back with both versions side by side, and saving
// again means "mine wins". What the user changed is checked strictly; what they left as Hive holds
// it now is kept as it is and, when the console doubts it, shown with a warning (ValidateEdit).
func (a *App) updateCustomer(c echo.Context) error {
	cust, err := a.customerParam(c)
	if err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read.")
	}
	f := readCustomerForm(form)
	typed := f // shown again as typed; f gets the stored values of what was left alone
	errs, warnings := f.ValidateEdit(formFromCustomer(cust), time.Now())
	title := "Edit " + orName(cust)
	show := func(status int, errs map[string]string, conflict *views.Conflict) error {
		v := typed.view(errs, warnings)
		v.ID, v.Conflict = cust.ID, conflict
		if isDatastar(c) {
			return a.patch(c, "", views.CustomerInlineFields(a.fragment(c), v))
		}
		return render(c, status, views.CustomerFormPage(a.page(c, title), v))
	}
	// A stale form is compared with what is stored now, not with what its user saw, so it could
	// seem to change fields its user never touched: the conflict comes first.
	if f.Version != customerVersion(cust) {
		conflict := conflictRows(f, formFromCustomer(cust))
		typed.Version = customerVersion(cust) // saving again overwrites the version now shown
		return show(http.StatusConflict, errs, &views.Conflict{Rows: conflict})
	}
	if len(errs) > 0 {
		return show(http.StatusUnprocessableEntity, errs, nil)
	}
	params, changed := f.updateParams(cust)
	saved := cust
	if changed {
		err = a.mutate(c, auditEntry{Action: "customer.update", TargetType: "customer", TargetID: cust.ID,
			Subject: audit.CustomerSubject(cust.ID), Personal: customerDiff(cust, params)},
			func() (err error) {
				saved, err = a.Hive.UpdateCustomer(c.Request().Context(), cust.ID, params)
				return err
			})
		if errs := apiFieldErrors(err); errs != nil {
			return show(http.StatusUnprocessableEntity, errs, nil)
		}
		if err != nil {
			return err
		}
		a.writeThrough(c, "customer.update", func(ctx context.Context) error { return a.Read.PutCustomer(ctx, saved) })
	}
	message := "Changes saved."
	if !changed {
		message = "Nothing changed."
	}
	if isDatastar(c) {
		return a.showProfile(c, saved, message)
	}
	a.flash(c, "success", message)
	return redirect(c, "/customers/"+cust.ID)
}

// conflictRows lists the fields where the user's form and the stored customer differ.
func conflictRows(mine, theirs customerForm) []views.ConflictRow {
	var rows []views.ConflictRow
	add := func(field, m, t string) {
		if m != t {
			rows = append(rows, views.ConflictRow{Field: field, Mine: m, Theirs: t})
		}
	}
	add("Email", mine.Email, theirs.Email)
	add("Phone", mine.Phone, theirs.Phone)
	add("First name", mine.FirstName, theirs.FirstName)
	add("Middle name", mine.MiddleName, theirs.MiddleName)
	add("Last name", mine.LastName, theirs.LastName)
	add("Gender", mine.Gender, theirs.Gender)
	add("Date of birth", mine.DOB, theirs.DOB)
	add("Metadata", metadataText(mine.Metadata), metadataText(theirs.Metadata))
	return rows
}

func metadataText(rows []views.KeyValue) string {
	var parts []string
	for _, kv := range rows {
		if kv.Value != "" {
			parts = append(parts, kv.Key+"="+kv.Value)
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// showProfile puts the read-only profile back in place of the inline form, with a toast.
func (a *App) showProfile(c echo.Context, cust *hive.Customer, message string) error {
	links, err := a.linksOf(c.Request().Context(), cust.ID)
	if err != nil {
		return err
	}
	d := customerDetail(cust, links, pii(c))
	d.CSRFToken = a.fragment(c).CSRFToken
	return a.patch(c, message, views.CustomerProfile(a.assets(), d), views.CustomerHeading(d.Name))
}
