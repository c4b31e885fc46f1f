package handlers

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/notes"
	"github.com/hiveconsole/hiveconsole/readmodel"
	"github.com/hiveconsole/hiveconsole/views"
	"github.com/labstack/echo/v4"
)

// customerSignals is the list's state as Datastar signals: the same fields as the URL.
type customerSignals struct {
	Q      string `json:"q"`
	Sort   string `json:"sort"`
	Dir    string `json:"dir"`
	Page   int    `json:"page"`
	Size   int    `json:"size"`
	Checks string `json:"checks"`
	Result string `json:"result"`
}

// customerQuery is everything the list's URL can say.
type customerQuery struct {
	Q      string // search text
	Sort   string // created, name or email
	Desc   bool
	Page   int    // 1-based
	Size   int    // rows per page
	Checks string // "", "with" or "without"
	Result string // "", or a status the latest check must have
	// Contact says the viewer sees contact data in clear, so search reaches emails and phones and
	// the list sorts by email. Without it, neither may touch their clear values: the order and the
	// matches would give away what the page masks. Not part of the URL: it is the viewer's, from
	// the permission table.
	Contact bool
}

// The choices the list offers; anything else in a URL falls back to the default.
var (
	customerSorts    = []string{"created", "name", "email"}
	customerSizes    = []int{25, 50, 100}
	customerResults  = []string{"clear", "caution", "consider", "processing"}
	customerCheckOpt = []string{"with", "without"}
)

// parseCustomerQuery reads the list's state; values the list does not offer fall back to defaults,
// so an edited or stale URL still shows a sensible page.
func parseCustomerQuery(s customerSignals) customerQuery {
	q := customerQuery{Q: strings.TrimSpace(s.Q), Sort: "created", Desc: true, Page: pageNumber(s.Page), Size: customerSizes[0]}
	if len(q.Q) > 200 {
		q.Q = q.Q[:200]
	}
	if slices.Contains(customerSorts, s.Sort) {
		q.Sort = s.Sort
		q.Desc = s.Sort == "created" // newest first, A to Z
	}
	q.Desc = descending(s.Dir, q.Desc)
	if slices.Contains(customerSizes, s.Size) {
		q.Size = s.Size
	}
	q.Checks, q.Result = oneOf(s.Checks, customerCheckOpt), oneOf(s.Result, customerResults)
	return q
}

// forViewer limits the query to what the viewer may search and sort on: a viewer who sees contact
// data masked searches names and ids only, and a sort by email falls back to the default.
func (q customerQuery) forViewer(pol piiPolicy) customerQuery {
	q.Contact = pol.clear(fromRecord)
	if !q.Contact && q.Sort == "email" {
		q.Sort, q.Desc = "created", true
	}
	return q
}

func signalsFromURL(v url.Values) customerSignals {
	page, _ := strconv.Atoi(v.Get("page"))
	size, _ := strconv.Atoi(v.Get("size"))
	return customerSignals{Q: v.Get("q"), Sort: v.Get("sort"), Dir: v.Get("dir"), Page: page, Size: size, Checks: v.Get("checks"), Result: v.Get("result")}
}

// signals is the query as the page's Datastar signals.
func (q customerQuery) signals() customerSignals {
	dir := "asc"
	if q.Desc {
		dir = "desc"
	}
	return customerSignals{Q: q.Q, Sort: q.Sort, Dir: dir, Page: q.Page, Size: q.Size, Checks: q.Checks, Result: q.Result}
}

// url is the list's address for this query, leaving out defaults so shared links stay short.
func (q customerQuery) url() string {
	v := url.Values{}
	def := parseCustomerQuery(customerSignals{Sort: q.Sort})
	if q.Q != "" {
		v.Set("q", q.Q)
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
	if q.Checks != "" {
		v.Set("checks", q.Checks)
	}
	if q.Result != "" {
		v.Set("result", q.Result)
	}
	if len(v) == 0 {
		return "/customers"
	}
	return "/customers?" + v.Encode()
}

// customers is the list page: search, filters, sort and paging, all in the URL.
func (a *App) customers(c echo.Context) error {
	m, err := a.customersModel(c, parseCustomerQuery(signalsFromURL(c.QueryParams())))
	if err != nil {
		return err
	}
	u, _ := userOf(c)
	m.CanCreate = u.Can(auth.EditCustomers)
	return render(c, http.StatusOK, views.CustomersPage(a.page(c, "Customers"), m))
}

// customersTable answers the list's Datastar requests (typing in the search, sorting, paging,
// filtering): it patches the results and keeps the address bar in step, without a reload.
func (a *App) customersTable(c echo.Context) error {
	var s customerSignals
	if err := readListSignals(c, &s); err != nil {
		return err
	}
	m, err := a.customersModel(c, parseCustomerQuery(s))
	if err != nil {
		return err
	}
	return a.patchResults(c, views.CustomerResults(a.assets(), m), m.URL)
}

func (a *App) customersModel(c echo.Context, q customerQuery) (views.CustomersModel, error) {
	pol := pii(c)
	q = q.forViewer(pol)
	ctx := c.Request().Context()
	res, err := a.Read.Customers(ctx, q.read())
	if err != nil {
		return views.CustomersModel{}, err
	}
	if pages := max(1, (res.Total+q.Size-1)/q.Size); q.Page > pages {
		q.Page = pages // past the end (the list shrank, or an edited URL): show the last page
		if res, err = a.Read.Customers(ctx, q.read()); err != nil {
			return views.CustomersModel{}, err
		}
	}
	all := res.Total
	if q.filtered() {
		if all, err = a.Read.Count(ctx, readmodel.Customers); err != nil {
			return views.CustomersModel{}, err
		}
	}
	m := views.CustomersModel{Q: q.Q, Checks: q.Checks, Result: q.Result, Size: q.Size, Sizes: customerSizes,
		URL: q.url(), Total: all, Now: time.Now()}
	sig, _ := json.Marshal(q.signals())
	m.Signals = string(sig)
	if u, _ := userOf(c); u.Can(auth.ExportCSV) {
		m.ExportURL = "/customers/export.csv" + strings.TrimPrefix(m.URL, "/customers")
	}
	for _, e := range res.Rows {
		m.Rows = append(m.Rows, customerRow(e, pol))
	}
	if m.Sync, err = a.syncStatus(ctx); err != nil {
		return views.CustomersModel{}, err
	}
	m.SearchHint = "Name, email, phone or id"
	email := q.column("Email", "email")
	if !q.Contact {
		m.SearchHint, email = "Name or id", views.SortColumn{Label: "Email", Key: "email", State: views.SortNone}
	}
	m.Columns = []views.SortColumn{q.column("Name", "name"), email, q.column("Created", "created")}
	m.Pager = views.NewPager(res.Total, q.Size, q.Page, func(n int) string {
		p := q
		p.Page = n
		return p.url()
	})
	return m, nil
}

// column is the list's sortable header for key; created starts newest first, the others A to Z.
func (q customerQuery) column(label, key string) views.SortColumn {
	return sortColumn(label, key, q.Sort, q.Desc, key == "created", func(sort string, desc bool) string {
		next := q
		next.Page, next.Sort, next.Desc = 1, sort, desc
		return next.url()
	})
}

func customerRow(e readmodel.CustomerEntry, pol piiPolicy) views.CustomerRow {
	result := views.Status(e.Latest)
	if e.Checks == 0 {
		result = views.StatusUnknown
	}
	return views.CustomerRow{ID: e.Customer.ID, Name: e.Name, Email: pol.show(fromRecord, piiEmail, e.Customer.Email),
		Phone: pol.show(fromRecord, piiPhone, deref(e.Customer.Phone)), Created: e.Customer.CreatedAt,
		Checks: e.Checks, Result: result}
}

// read is the query as the console's copy takes it.
func (q customerQuery) read() readmodel.CustomerQuery {
	size := max(q.Size, 1)
	return readmodel.CustomerQuery{Search: q.Q, Contact: q.Contact, Checks: q.Checks, Result: q.Result, Sort: q.Sort,
		Desc: q.Desc, Offset: (pageNumber(q.Page) - 1) * size, Limit: size}
}

// filtered says whether the query narrows the list (a search or a filter).
func (q customerQuery) filtered() bool {
	return strings.TrimSpace(q.Q) != "" || q.Checks != "" || q.Result != ""
}

// customer is the detail page: profile, metadata, and the customer's sessions and checks.
func (a *App) customer(c echo.Context) error {
	id := c.Param("id")
	if !hive.ValidID(id) {
		return echo.NewHTTPError(http.StatusNotFound, "There is no such customer.")
	}
	if isDatastar(c) { // the inline editor's Cancel
		cust, err := a.Hive.GetCustomer(c.Request().Context(), id)
		if err != nil {
			return err
		}
		return a.showProfile(c, cust, "")
	}
	return a.customerPage(c, http.StatusOK, views.NotesModel{})
}

// customerPage renders the customer in the path with status; notes carries a refused note's text and
// why it was refused.
func (a *App) customerPage(c echo.Context, status int, notesForm views.NotesModel) error {
	return a.customerPageWith(c, status, notesForm, views.HoldModel{})
}

// customerPageWith is customerPage with the legal hold form as typed and why it was refused.
func (a *App) customerPageWith(c echo.Context, status int, notesForm views.NotesModel, holdForm views.HoldModel) error {
	id := c.Param("id")
	ctx := c.Request().Context()
	cust, err := a.Hive.GetCustomer(ctx, id)
	if err != nil {
		return err
	}
	a.refreshCustomer(c, cust)
	links, err := a.linksOf(ctx, cust.ID)
	if err != nil {
		return err
	}
	d := customerDetail(cust, links, pii(c))
	d.CSRFToken = a.fragment(c).CSRFToken
	u, _ := userOf(c)
	d.CanEdit, d.CanDelete, d.CanIssue = u.Can(auth.EditCustomers), u.Can(auth.DeleteCustomers), u.Can(auth.IssueSessions)
	d.CanRunChecks, d.CanSeeImages = u.Can(auth.CreateChecks), u.Can(auth.DownloadFiles)
	if !d.CanSeeImages {
		d.Images = nil
	}
	if err := a.markReviews(ctx, d.Checks); err != nil {
		return err
	}
	// A customer's page shows their contact data (masked or not): a PII view, in the trail like
	// report views, before the page is served.
	if err := a.audit(c, auditEntry{Action: "customer.view", TargetType: "customer", TargetID: id, Outcome: outcomeSuccess,
		Details: map[string]any{"masked": d.Masked}}); err != nil {
		return err
	}
	if d.History, err = a.auditHistory(c, "customer", id); err != nil {
		return err
	}
	if d.Notes, err = a.notesModel(c, notes.OnCustomer, id, notesForm); err != nil {
		return err
	}
	if d.Hold, err = a.holdModel(c, id, holdForm); err != nil {
		return err
	}
	if d.Hold.Held {
		d.CanDelete = false // the banner says why; Delete would only be refused
	}
	if d.Timeline, d.TimelineMore, err = a.customerTimeline(ctx, cust, links); err != nil {
		return err
	}
	ids := make([]string, 0, len(links.checks))
	for _, e := range links.checks {
		ids = append(ids, e.Check.ID)
	}
	if d.Linked, err = a.linkedModel(c, "customer", ids, cust.ID); err != nil {
		return err
	}
	p := a.page(c, orName(cust))
	if status != http.StatusOK {
		p.URL = "/customers/" + id // a refused note: the address bar shows the customer, not the POST
	}
	return render(c, status, views.CustomerPage(p, d))
}
