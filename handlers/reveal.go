package handlers

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/views"
	"github.com/labstack/echo/v4"
)

// reveal shows one masked field to a user who may reveal it, once they say why. The reason and
// what was revealed (never the value) go into the audit trail first: when that write fails,
// nothing is shown. The value goes only into this response: with Datastar a patch of the field's
// element, without it a page; never a signal, a URL or a cache.
func (a *App) reveal(c echo.Context) error {
	target, id, field := c.FormValue("target"), c.FormValue("id"), c.FormValue("field")
	i := revealableIndex(target, field)
	if i < 0 || !hive.ValidID(id) {
		return echo.NewHTTPError(http.StatusNotFound, "There is no such field to reveal.")
	}
	spec := customerContact[i]
	reason := strings.Join(strings.Fields(c.FormValue("reason")), " ")
	f := views.RevealField{Target: target, TargetID: id, Field: field, Label: spec.label, Masked: true, CanReveal: true,
		Mono: spec.kind == piiPhone, Reason: reason}
	back := "/customers/" + id
	if msg := reasonProblem(reason, "to see it"); msg != "" {
		cust, err := a.Hive.GetCustomer(c.Request().Context(), id)
		if err != nil {
			return err
		}
		f.Value, f.Error = mask(spec.kind, spec.value(cust)), msg
		if isDatastar(c) {
			return a.patch(c, "", views.Revealable(a.assets(), a.fragment(c).CSRFToken, f))
		}
		return render(c, http.StatusUnprocessableEntity, views.RevealFormPage(a.page(c, "Reveal "+spec.label), f, back))
	}
	cust, err := a.Hive.GetCustomer(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if err := a.audit(c, auditEntry{Action: "pii.reveal", TargetType: target, TargetID: id, Outcome: outcomeSuccess,
		Details: map[string]any{"field": field, "reason": reason}}); err != nil {
		return err
	}
	f.Value, f.Masked, f.CanReveal, f.Revealed, f.Reason = spec.value(cust), false, false, true, ""
	if isDatastar(c) {
		return a.patch(c, "", views.Revealable(a.assets(), "", f))
	}
	return render(c, http.StatusOK, views.RevealedPage(a.page(c, spec.label+" revealed"), f, back))
}

// revealableIndex finds a field that may be revealed: for now the customer record's contact data,
// the only classified fields masked from a role that may reveal.
func revealableIndex(target, field string) int {
	if target != "customer" {
		return -1
	}
	for i, f := range customerContact {
		if string(f.kind) == field {
			return i
		}
	}
	return -1
}

// reasonProblem says what is wrong with the reason for seeing personal data, or "" when it will do;
// what names what is to be seen ("it", "the pack").
func reasonProblem(reason, what string) string {
	switch n := utf8.RuneCountInString(reason); {
	case n == 0:
		return "Say why you need " + what + ": the reason goes into the audit trail."
	case n < 3:
		return "Give a reason of at least 3 characters."
	case n > 200:
		return "Keep the reason under 200 characters."
	}
	return ""
}
