package handlers

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/readmodel"
	"github.com/hiveconsole/hiveconsole/views"
)

// sessionQuery is everything the SDK session list's URL can say.
type sessionQuery struct {
	Status   string // "", or a status the session must have
	Customer string // a customer id, or text in the customer's email or name
	Sort     string // created, expires or status
	Desc     bool
	Page     int // 1-based
	Size     int // rows per page
	// Contact says the viewer sees emails in clear, so the customer search looks in them; not part
	// of the URL, it is the viewer's.
	Contact bool
}

// The choices the list offers; anything else in a URL falls back to the default.
var (
	sessionSorts    = []string{"created", "expires", "status"}
	sessionSizes    = []int{25, 50, 100}
	sessionStatuses = []string{string(views.SessionCreated), string(views.SessionCompleted), string(views.SessionExpired)}
)

// sessionSignals is the list's state as Datastar signals: the same fields as the URL.
type sessionSignals struct {
	Status   string `json:"status"`
	Customer string `json:"customer"`
	Sort     string `json:"sort"`
	Dir      string `json:"dir"`
	Page     int    `json:"page"`
	Size     int    `json:"size"`
}

// sessionSortDesc is a column's natural direction: newest and latest expiry first, statuses in
// their life's order (waiting, completed, expired).
func sessionSortDesc(sort string) bool { return sort != "status" }

// parseSessionQuery reads the list's state; values the list does not offer fall back to defaults,
// so an edited or stale URL still shows a sensible page.
func parseSessionQuery(s sessionSignals) sessionQuery {
	q := sessionQuery{Customer: strings.TrimSpace(s.Customer), Sort: "created", Desc: true, Page: pageNumber(s.Page), Size: sessionSizes[0]}
	if len(q.Customer) > 200 {
		q.Customer = q.Customer[:200]
	}
	if slices.Contains(sessionSorts, s.Sort) {
		q.Sort, q.Desc = s.Sort, sessionSortDesc(s.Sort)
	}
	q.Desc = descending(s.Dir, q.Desc)
	if slices.Contains(sessionSizes, s.Size) {
		q.Size = s.Size
	}
	q.Status = oneOf(s.Status, sessionStatuses)
	return q
}

func sessionSignalsFromURL(v url.Values) sessionSignals {
	page, _ := strconv.Atoi(v.Get("page"))
	size, _ := strconv.Atoi(v.Get("size"))
	return sessionSignals{Status: v.Get("status"), Customer: v.Get("customer"), Sort: v.Get("sort"), Dir: v.Get("dir"), Page: page, Size: size}
}

// signals is the query as the page's Datastar signals.
func (q sessionQuery) signals() sessionSignals {
	dir := "asc"
	if q.Desc {
		dir = "desc"
	}
	return sessionSignals{Status: q.Status, Customer: q.Customer, Sort: q.Sort, Dir: dir, Page: q.Page, Size: q.Size}
}

// url is the list's address for this query, leaving out defaults so shared links stay short.
func (q sessionQuery) url() string {
	v := url.Values{}
	if q.Status != "" {
		v.Set("status", q.Status)
	}
	if q.Customer != "" {
		v.Set("customer", q.Customer)
	}
	if q.Sort != "created" {
		v.Set("sort", q.Sort)
	}
	if q.Desc != sessionSortDesc(q.Sort) {
		v.Set("dir", q.signals().Dir)
	}
	if q.Page > 1 {
		v.Set("page", strconv.Itoa(q.Page))
	}
	if q.Size != sessionSizes[0] {
		v.Set("size", strconv.Itoa(q.Size))
	}
	if len(v) == 0 {
		return "/sessions"
	}
	return "/sessions?" + v.Encode()
}

// column is the list's sortable header for key, starting in the key's natural direction.
func (q sessionQuery) column(label, key string) views.SortColumn {
	return sortColumn(label, key, q.Sort, q.Desc, sessionSortDesc(key), func(sort string, desc bool) string {
		next := q
		next.Page, next.Sort, next.Desc = 1, sort, desc
		return next.url()
	})
}

// read is the query as the console's copy takes it, as of now.
func (q sessionQuery) read(now time.Time) readmodel.SessionQuery {
	size := max(q.Size, 1)
	return readmodel.SessionQuery{Status: q.Status, Customer: q.Customer, Contact: q.Contact, Sort: q.Sort, Desc: q.Desc,
		Now: now, Offset: (pageNumber(q.Page) - 1) * size, Limit: size}
}

// sessionStatus is a session's status as of now: the copy may be a while old, and a session that
// was waiting when it was read may have expired since, which Hive itself would say.
func sessionStatus(s hive.Session, now time.Time) views.SessionStatus {
	if s.Status == hive.SessionCreated && !now.Before(s.ExpiresAt) {
		return views.SessionExpired
	}
	return views.SessionStatus(s.Status)
}
