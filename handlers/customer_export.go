package handlers

import (
	"encoding/csv"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// exportCustomers streams the list on screen — the same search, filters and sort, every page — as
// CSV. Cells a spreadsheet would read as a formula are neutralised.
func (a *App) exportCustomers(c echo.Context) error {
	pol := pii(c)
	q := parseCustomerQuery(signalsFromURL(c.QueryParams())).forViewer(pol)
	snap, err := a.snapshots.get(c.Request().Context(), pageMaxAge)
	if err != nil {
		return err
	}
	q.Page, q.Size = 1, len(snap.customers.entries)+1
	res := snap.customers.run(q)
	if err := a.audit(c, auditEntry{Action: "customers.export", TargetType: "customer", Outcome: outcomeSuccess,
		Details: map[string]any{"query": q.url(), "rows": len(res.Rows), "masked": !pol.clear(fromRecord)}}); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="customers-`+time.Now().UTC().Format("20060102-150405")+`.csv"`)
	c.Response().WriteHeader(200)
	w := csv.NewWriter(c.Response())
	_ = w.Write([]string{"id", "name", "email", "phone", "gender", "dob", "checks", "latest_check", "created_at", "updated_at"})
	for _, e := range res.Rows {
		cu := e.customer
		latest := ""
		if e.checks > 0 {
			latest = string(e.latest)
		}
		record := []string{cu.ID, e.name, pol.show(fromRecord, piiEmail, cu.Email), pol.show(fromRecord, piiPhone, deref(cu.Phone)),
			deref(cu.Gender), pol.show(fromRecord, piiDOB, deref(cu.DOB)), strconv.Itoa(e.checks),
			latest, cu.CreatedAt.UTC().Format(time.RFC3339), cu.UpdatedAt.UTC().Format(time.RFC3339)}
		for i := range record {
			record[i] = csvSafe(record[i])
		}
		if err := w.Write(record); err != nil {
			return nil // the download was abandoned
		}
	}
	w.Flush()
	return nil
}

// csvSafe stops a spreadsheet from running a cell as a formula (OWASP's CSV injection advice): a
// cell starting with = + - @, a tab or a carriage return gets a leading apostrophe.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
