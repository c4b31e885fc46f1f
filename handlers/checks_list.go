package handlers

import (
	"cmp"
	"context"
	"encoding/json"
	"hash/fnv"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/views"
	"github.com/labstack/echo/v4"
	"github.com/starfederation/datastar-go/datastar"
)

// checkSignals is the checks list's state as Datastar signals: the same fields as the URL.
type checkSignals struct {
	Q        string `json:"q"`
	Status   string `json:"status"`
	Result   string `json:"result"`
	Decision string `json:"decision"`
	Since    string `json:"since"`
	Sort     string `json:"sort"`
	Dir      string `json:"dir"`
	Page     int    `json:"page"`
	Size     int    `json:"size"`
	Queue    string `json:"queue"` // "review": the review queue
}

var (
	checkStatuses  = []string{"processing", "complete"}
	checkResults   = []string{"clear", "caution", "consider"}
	checkDecisions = []string{"approved", "review", "declined"}
	checkSorts     = []string{"created", "customer", "result"}
	// checkSince are the created filter's windows.
	checkSince = map[string]time.Duration{"24h": 24 * time.Hour, "7d": 7 * 24 * time.Hour, "30d": 30 * 24 * time.Hour}
)

// checkQuery is everything the checks list's URL can say.
type checkQuery struct {
	Q                               string // customer name, email or id, or the check's id
	Status, Result, Decision, Since string
	Sort                            string
	Desc                            bool
	Page, Size                      int
	Queue                           bool // only completed checks nobody decided on, worst then oldest first
}

// parseCheckQuery reads the list's state; values the list does not offer fall back to defaults.
func parseCheckQuery(s checkSignals) checkQuery {
	q := checkQuery{Q: strings.TrimSpace(s.Q), Sort: "created", Desc: true, Page: pageNumber(s.Page), Size: customerSizes[0]}
	if len(q.Q) > 200 {
		q.Q = q.Q[:200]
	}
	if slices.Contains(checkSorts, s.Sort) {
		q.Sort = s.Sort
		q.Desc = s.Sort != "customer" // newest first, worst first, A to Z
	}
	q.Desc = descending(s.Dir, q.Desc)
	if slices.Contains(customerSizes, s.Size) {
		q.Size = s.Size
	}
	q.Status, q.Result, q.Decision = oneOf(s.Status, checkStatuses), oneOf(s.Result, checkResults), oneOf(s.Decision, checkDecisions)
	if _, ok := checkSince[s.Since]; ok {
		q.Since = s.Since
	}
	q.Queue = s.Queue == "review"
	return q
}

func checkSignalsFromURL(v url.Values) checkSignals {
	page, _ := strconv.Atoi(v.Get("page"))
	size, _ := strconv.Atoi(v.Get("size"))
	return checkSignals{Q: v.Get("q"), Status: v.Get("status"), Result: v.Get("result"), Decision: v.Get("decision"),
		Since: v.Get("since"), Sort: v.Get("sort"), Dir: v.Get("dir"), Page: page, Size: size, Queue: v.Get("queue")}
}

func (q checkQuery) signals() checkSignals {
	dir := "asc"
	if q.Desc {
		dir = "desc"
	}
	s := checkSignals{Q: q.Q, Status: q.Status, Result: q.Result, Decision: q.Decision, Since: q.Since,
		Sort: q.Sort, Dir: dir, Page: q.Page, Size: q.Size}
	if q.Queue {
		s.Queue = "review"
	}
	return s
}

// url is the list's address for this query, leaving out defaults so shared links stay short.
func (q checkQuery) url() string {
	v := url.Values{}
	def := parseCheckQuery(checkSignals{Sort: q.Sort})
	for _, kv := range [][2]string{{"q", q.Q}, {"status", q.Status}, {"result", q.Result}, {"decision", q.Decision}, {"since", q.Since}} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	if q.Queue {
		v.Set("queue", "review")
	}
	if q.Sort != "created" {
		v.Set("sort", q.Sort)
	}
	if q.Desc != def.Desc {
		v.Set("dir", q.signals().Dir)
	}
	if q.Page > 1 {
		v.Set("page", strconv.Itoa(q.Page))
	}
	if q.Size != customerSizes[0] {
		v.Set("size", strconv.Itoa(q.Size))
	}
	if len(v) == 0 {
		return "/checks"
	}
	return "/checks?" + v.Encode()
}

// column is the list's sortable header for key; the customer column starts A to Z, the others worst
// or newest first.
func (q checkQuery) column(label, key string) views.SortColumn {
	return sortColumn(label, key, q.Sort, q.Desc, key != "customer", func(sort string, desc bool) string {
		next := q
		next.Page, next.Sort, next.Desc = 1, sort, desc
		return next.url()
	})
}

// checks is the checks list page: search, filters, sort and paging, all in the URL.
func (a *App) checks(c echo.Context) error {
	m, _, err := a.checksModel(c, parseCheckQuery(checkSignalsFromURL(c.QueryParams())))
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.ChecksPage(a.page(c, "Checks"), m))
}

// checksTable answers the list's Datastar requests (typing, filtering, sorting, paging, and a
// watched check completing): it patches the results and keeps the address bar in step.
func (a *App) checksTable(c echo.Context) error {
	var s checkSignals
	if err := readListSignals(c, &s); err != nil {
		return err
	}
	m, _, err := a.checksModel(c, parseCheckQuery(s))
	if err != nil {
		return err
	}
	return a.patchResults(c, views.CheckResults(a.assets(), m), m.URL)
}

// checksStream watches the processing checks the list shows. When one completes it tells the page,
// which asks for the table again with its current state, and ends; the refreshed table opens a new
// stream if checks are still processing. It also ends when the page closes or the server stops.
func (a *App) checksStream(c echo.Context) error {
	var s checkSignals
	if err := readListSignals(c, &s); err != nil {
		return err
	}
	_, watch, err := a.checksModel(c, parseCheckQuery(s))
	if err != nil {
		return err
	}
	return a.liveStream(c, "checks stream", func(sse *datastar.ServerSentEventGenerator) (bool, error) {
		if len(watch) == 0 {
			return true, nil
		}
		snap, err := a.snapshots.get(c.Request().Context(), a.liveInterval())
		if err != nil || !anyDone(snap.checks, watch) {
			return false, err
		}
		changed, _ := json.Marshal(map[string]int64{"checksChanged": time.Now().UnixNano()})
		_ = sse.PatchSignals(changed)
		return true, nil
	})
}

// anyDone reports whether a watched check is no longer processing (or no longer exists).
func anyDone(checks []hive.Check, watch []string) bool {
	for _, id := range watch {
		i := slices.IndexFunc(checks, func(ch hive.Check) bool { return ch.ID == id })
		if i < 0 || checks[i].Status != hive.CheckProcessing {
			return true
		}
	}
	return false
}

// checksModel builds the list for a query and says which of the shown checks are processing.
// Report results come from the shared report cache; only the shown page's are fetched, unless
// the query filters or sorts by result, which needs them all.
func (a *App) checksModel(c echo.Context, q checkQuery) (views.ChecksModel, []string, error) {
	ctx := c.Request().Context()
	snap, err := a.snapshots.get(ctx, pageMaxAge)
	if err != nil {
		return views.ChecksModel{}, nil, err
	}
	now := time.Now()
	pol := pii(c)
	states, err := a.reviewStates(ctx)
	if err != nil {
		return views.ChecksModel{}, nil, err
	}
	needle := strings.ToLower(q.Q)
	contact := pol.clear(fromRecord) // a viewer who sees contact data masked searches names and ids only
	var rows []views.CheckListRow
	for _, ch := range snap.checks {
		ref, _ := snap.session(ch.SessionID)
		e := ref.customer
		switch {
		case q.Status != "" && string(ch.Status) != q.Status:
			continue
		case q.Decision != "" && deref(ch.Decision) != q.Decision:
			continue
		case q.Since != "" && ch.CreatedAt.Before(now.Add(-checkSince[q.Since])):
			continue
		case q.Queue && (ch.Status != hive.CheckComplete || states[ch.ID] != ""):
			continue
		case needle != "" && !strings.Contains(strings.ToLower(ch.ID), needle) && (e == nil || !e.matches(needle, contact)):
			continue
		}
		lr := views.CheckListRow{CheckRow: checkRow(ch)}
		if ch.Status == hive.CheckComplete {
			lr.Result = views.StatusUnknown // until the report says
			lr.ReviewState = cmp.Or(states[ch.ID], views.ReviewUnreviewed)
		}
		if e != nil {
			lr.CustomerID, lr.CustomerName, lr.CustomerEmail = e.customer.ID, e.name, pol.show(fromRecord, piiEmail, e.customer.Email)
		}
		rows = append(rows, lr)
	}
	if q.Result != "" || q.Sort == "result" || q.Queue {
		a.fillResults(c, rows)
	}
	if q.Result != "" {
		rows = slices.DeleteFunc(rows, func(r views.CheckListRow) bool { return string(r.Result) != q.Result })
	}
	if q.Queue {
		sortQueue(rows)
	} else {
		sortChecks(rows, q)
	}
	var from, to int
	q.Page, from, to = pageSpan(len(rows), q.Size, q.Page)
	page := rows[from:to]
	if q.Result == "" && q.Sort != "result" && !q.Queue {
		a.fillResults(c, page)
	}
	m := views.ChecksModel{Queue: q.Queue, Q: q.Q, Status: q.Status, Result: q.Result, Decision: q.Decision, Since: q.Since,
		Size: q.Size, Sizes: customerSizes, URL: q.url(), Total: len(snap.checks), Now: now, Rows: page,
		SearchHint: "Customer name, email or id, or check id"}
	if !contact {
		m.SearchHint = "Customer name or id, or check id"
	}
	sig, _ := json.Marshal(q.signals())
	m.Signals = string(sig)
	m.Columns = []views.SortColumn{q.column("Customer", "customer"), q.column("Result", "result"), q.column("Created", "created")}
	m.Pager = views.NewPager(len(rows), q.Size, q.Page, func(n int) string {
		p := q
		p.Page = n
		return p.url()
	})
	var watch []string
	for _, r := range page {
		if r.Status == string(hive.CheckProcessing) {
			watch = append(watch, r.ID)
		}
	}
	m.LiveKey = liveKey(watch)
	return m, watch, nil
}

// fillResults puts each completed row's report result in, from the cache or from Hive.
func (a *App) fillResults(c echo.Context, rows []views.CheckListRow) {
	ptrs := make([]*views.CheckRow, len(rows))
	for i := range rows {
		ptrs[i] = &rows[i].CheckRow
	}
	a.fillCheckResults(c.Request().Context(), ptrs)
}

// fillCheckResults replaces the decision-derived badge of completed checks with their report's
// result, from the cache or from Hive; a report Hive does not give shows as unknown.
func (a *App) fillCheckResults(ctx context.Context, rows []*views.CheckRow) {
	var ids []string
	for _, r := range rows {
		if r.Status == string(hive.CheckComplete) {
			ids = append(ids, r.ID)
		}
	}
	results := a.reports.resultsOf(ctx, ids)
	for _, r := range rows {
		if r.Status != string(hive.CheckComplete) {
			continue
		}
		r.Result = views.StatusUnknown
		if s, ok := results[r.ID]; ok {
			r.Result = viewStatus(s)
		}
	}
}

// annotateChecks gives completed checks their report's result and their review state, for the
// tables that show a few checks (a customer's, the overview's recent ones).
func (a *App) annotateChecks(ctx context.Context, rows []views.CheckRow) error {
	ptrs := make([]*views.CheckRow, len(rows))
	for i := range rows {
		ptrs[i] = &rows[i]
	}
	a.fillCheckResults(ctx, ptrs)
	states, err := a.reviewStates(ctx)
	if err != nil {
		return err
	}
	for i := range rows {
		if rows[i].Status == string(hive.CheckComplete) {
			rows[i].ReviewState = cmp.Or(states[rows[i].ID], views.ReviewUnreviewed)
		}
	}
	return nil
}

// sortChecks orders rows as the query asks; ties keep the newest first.
func sortChecks(rows []views.CheckListRow, q checkQuery) {
	slices.SortStableFunc(rows, func(x, y views.CheckListRow) int {
		var n int
		switch q.Sort {
		case "customer":
			n = cmp.Compare(strings.ToLower(x.CustomerName), strings.ToLower(y.CustomerName))
		case "result":
			n = cmp.Compare(resultRank(x.Result), resultRank(y.Result))
		}
		if n == 0 {
			n = x.CreatedAt.Compare(y.CreatedAt)
			if q.Sort != "created" {
				return -n // ties: newest first, whatever the direction
			}
		}
		if q.Desc {
			return -n
		}
		return n
	})
}

// liveKey names the set of watched checks, so that a table watching other checks gets a new live
// element (and so a new stream) when it is patched in.
func liveKey(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	h := fnv.New64a()
	for _, id := range ids {
		h.Write([]byte(id))
	}
	return strconv.FormatUint(h.Sum64(), 36)
}

// sortQueue puts the most severe result first, then the oldest check.
func sortQueue(rows []views.CheckListRow) {
	slices.SortStableFunc(rows, func(x, y views.CheckListRow) int {
		if n := cmp.Compare(resultRank(y.Result), resultRank(x.Result)); n != 0 {
			return n
		}
		return x.CreatedAt.Compare(y.CreatedAt)
	})
}

// resultRank orders results for sorting: processing first, then clear, caution, unknown, consider.
func resultRank(s views.Status) int {
	if s == views.StatusProcessing {
		return -1
	}
	return hive.Status(s).Severity()
}
