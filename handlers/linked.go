package handlers

import (
	"strconv"

	"github.com/hiveconsole/hiveconsole/readmodel"
	"github.com/hiveconsole/hiveconsole/views"
	"github.com/labstack/echo/v4"
)

// linkLabels name the kinds of identifier two customers can share.
var linkLabels = map[string]string{
	readmodel.LinkDocument:       "Same document",
	readmodel.LinkMRZ:            "Same MRZ",
	readmodel.LinkPersonalNumber: "Same personal number",
	readmodel.LinkNameDOB:        "Same name and date of birth",
	readmodel.LinkDevice:         "Same device",
	readmodel.LinkIP:             "Same IP address",
}

// linkedRejectedReason is the reason, in the queue and in the decision panel alike, of a check linked
// to a customer a reviewer rejected.
const linkedRejectedReason = "Linked to a rejected customer"

// linkedModel is the Linked panel of a check (one id) or a customer (all of theirs): the other
// customers sharing an identifier, their emails as the viewer may see them.
func (a *App) linkedModel(c echo.Context, subject string, checkIDs []string, customerID string) (views.LinkedModel, error) {
	m := views.LinkedModel{Subject: subject}
	found, err := a.Read.Linked(c.Request().Context(), checkIDs, customerID, a.LinkedCrowd)
	if err != nil {
		return m, err
	}
	pol := pii(c)
	for _, lc := range found.Customers {
		v := views.LinkedCustomer{ID: lc.CustomerID, Name: lc.Name, Email: pol.show(fromRecord, piiEmail, lc.Email), Rejected: lc.Rejected}
		for _, k := range lc.Shares {
			v.Shares = append(v.Shares, views.LinkedShare{Kind: k, Label: linkLabels[k]})
		}
		for _, ch := range lc.Checks {
			v.Checks = append(v.Checks, views.LinkedCheck{ID: ch.ID, Result: views.Status(ch.Result), ReviewState: ch.ReviewState})
		}
		m.Customers = append(m.Customers, v)
	}
	for _, cr := range found.Crowds {
		n := strconv.Itoa(cr.Customers)
		if cr.Customers > 10*a.LinkedCrowd {
			n = "more than " + strconv.Itoa(10*a.LinkedCrowd)
		}
		m.Crowds = append(m.Crowds, views.LinkedCrowd{Kind: cr.Kind, Label: linkLabels[cr.Kind], Customers: n})
	}
	return m, nil
}
