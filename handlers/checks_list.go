package handlers

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hiveconsole/hiveconsole/views"
	"github.com/labstack/echo/v4"
)

// checkQuery is everything the checks list's URL can say.
type checkQuery struct {
	Q      string // customer name, email or id, or the check's id
	Status string // "", processing, complete
	Result string // "", clear, caution, consider
	Desc   bool   // newest first
	Page   int
	Size   int
}

func parseCheckQuery(v url.Values) checkQuery {
	q := checkQuery{Q: strings.TrimSpace(v.Get("q")), Desc: v.Get("dir") != "asc", Size: customerSizes[0]}
	q.Page, _ = strconv.Atoi(v.Get("page"))
	q.Page = max(q.Page, 1)
	if size, _ := strconv.Atoi(v.Get("size")); slices.Contains(customerSizes, size) {
		q.Size = size
	}
	if s := v.Get("status"); s == "processing" || s == "complete" {
		q.Status = s
	}
	if r := v.Get("result"); r == "clear" || r == "caution" || r == "consider" {
		q.Result = r
	}
	return q
}

func (q checkQuery) url(page int) string {
	v := url.Values{}
	if q.Q != "" {
		v.Set("q", q.Q)
	}
	if q.Status != "" {
		v.Set("status", q.Status)
	}
	if q.Result != "" {
		v.Set("result", q.Result)
	}
	if !q.Desc {
		v.Set("dir", "asc")
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if q.Size != customerSizes[0] {
		v.Set("size", strconv.Itoa(q.Size))
	}
	if len(v) == 0 {
		return "/checks"
	}
	return "/checks?" + v.Encode()
}

// checks is the checks list: status, result, customer, created; filters, search, sort and paging,
// all in the URL. The result badge follows the decision, which Hive derives from the report.
func (a *App) checks(c echo.Context) error {
	q := parseCheckQuery(c.QueryParams())
	snap, err := a.snapshots.get(c.Request().Context(), pageMaxAge)
	if err != nil {
		return err
	}
	customerOf := map[string]*customerEntry{} // by session id
	byID := make(map[string]*customerEntry, len(snap.customers.entries))
	for i := range snap.customers.entries {
		byID[snap.customers.entries[i].customer.ID] = &snap.customers.entries[i]
	}
	for _, s := range snap.sessions {
		customerOf[s.ID] = byID[s.CustomerID]
	}
	needle := strings.ToLower(q.Q)
	var rows []views.CheckListRow
	for _, ch := range snap.checks {
		row := checkRow(ch)
		e := customerOf[ch.SessionID]
		lr := views.CheckListRow{CheckRow: row}
		if e != nil {
			lr.CustomerID, lr.CustomerName, lr.CustomerEmail = e.customer.ID, e.name, e.customer.Email
		}
		switch {
		case q.Status != "" && string(ch.Status) != q.Status:
			continue
		case q.Result != "" && string(row.Result) != q.Result:
			continue
		case needle != "" && !strings.Contains(strings.ToLower(ch.ID), needle) &&
			(e == nil || !strings.Contains(e.haystack, needle)):
			continue
		}
		rows = append(rows, lr)
	}
	if !q.Desc {
		slices.Reverse(rows)
	}
	pages := max(1, (len(rows)+q.Size-1)/q.Size)
	q.Page = min(q.Page, pages)
	from := (q.Page - 1) * q.Size
	m := views.ChecksModel{Q: q.Q, Status: q.Status, Result: q.Result, Desc: q.Desc, Size: q.Size, Sizes: customerSizes,
		Total: len(snap.checks), Now: time.Now()}
	flip := q
	flip.Desc = !q.Desc
	m.ToggleDir = flip.url(1)
	m.Rows = rows[from:min(len(rows), from+q.Size)]
	m.Pager = views.NewPager(len(rows), q.Size, q.Page, q.url)
	return render(c, http.StatusOK, views.ChecksPage(a.page(c, "Checks"), m))
}
