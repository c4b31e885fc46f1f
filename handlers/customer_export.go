package handlers

import (
	"encoding/csv"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/hiveconsole/hiveconsole/readmodel"
	"github.com/labstack/echo/v4"
)

// exportCustomers streams the list on screen — the same search, filters and sort, every page — as
// CSV. Cells a spreadsheet would read as a formula are neutralised.
func (a *App) exportCustomers(c echo.Context) error {
	pol := pii(c)
	q := parseCustomerQuery(signalsFromURL(c.QueryParams())).forViewer(pol)
	ctx := c.Request().Context()
	rq := q.read()
	rq.Limit = 1
	count, err := a.Read.Customers(ctx, rq)
	if err != nil {
		return err
	}
	if err := a.audit(c, auditEntry{Action: "customers.export", TargetType: "customer", Outcome: outcomeSuccess,
		Details: map[string]any{"query": q.url(), "rows": count.Total, "masked": !pol.clear(fromRecord)}}); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="customers-`+time.Now().UTC().Format("20060102-150405")+`.csv"`)
	c.Response().WriteHeader(200)
	w := csv.NewWriter(c.Response())
	_ = w.Write([]string{"id", "name", "email", "phone", "gender", "dob", "checks", "latest_check", "created_at", "updated_at"})
	err = a.Read.EachCustomer(ctx, q.read(), func(e readmodel.CustomerEntry) error {
		cu := e.Customer
		latest := ""
		if e.Checks > 0 {
			latest = e.Latest
		}
		record := []string{cu.ID, e.Name, pol.show(fromRecord, piiEmail, cu.Email), pol.show(fromRecord, piiPhone, deref(cu.Phone)),
			deref(cu.Gender), pol.show(fromRecord, piiDOB, deref(cu.DOB)), strconv.Itoa(e.Checks),
			latest, cu.CreatedAt.UTC().Format(time.RFC3339), cu.UpdatedAt.UTC().Format(time.RFC3339)}
		for i := range record {
			record[i] = csvSafe(record[i])
		}
		return w.Write(record)
	})
	w.Flush()
	if err != nil && ctx.Err() == nil {
		// The header is sent: the file ends short, and the log says why.
		a.log.Warn("customer export ended early", slog.String("request_id", requestIDOf(c)), slog.Any("err", err))
	}
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
