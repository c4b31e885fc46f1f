package handlers

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/views"
)

// customerIndex is every customer at one moment, with what the list page needs worked out once:
// Hive lists all customers in one response, so the console searches, sorts and pages itself, and
// does the expensive part (decoding, joining checks, lower-casing, sorting) once per snapshot, not
// once per request.
type customerIndex struct {
	at      time.Time
	entries []customerEntry // the API's order: newest first
	byName  []int32         // entry positions, name ascending
	byEmail []int32         // entry positions, email ascending
	corpus  string          // every haystack, in entry order, each followed by a NUL
	starts  []int           // where each entry's haystack starts in corpus
	results resultCache     // recent searches' matches, so paging and re-reading cost a page
}

// resultCache keeps the matching positions, in order, of the last few filtered queries of one
// snapshot: staff page through and come back to the same search, and each of those requests then
// costs one page of work, not a scan of every customer.
type resultCache struct {
	mu    sync.Mutex
	keys  []string // oldest first
	value map[string][]int32
}

const resultCacheSize = 16

func (c *resultCache) get(key string) ([]int32, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.value[key]
	return v, ok
}

func (c *resultCache) put(key string, v []int32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.value == nil {
		c.value = map[string][]int32{}
	}
	if _, ok := c.value[key]; ok {
		return
	}
	if len(c.keys) == resultCacheSize {
		delete(c.value, c.keys[0])
		c.keys = c.keys[1:]
	}
	c.keys = append(c.keys, key)
	c.value[key] = v
}

// customerEntry is a customer and what the list shows and searches about them.
type customerEntry struct {
	customer   hive.Customer
	name       string
	haystack   string // lower-case name, email, phone digits and id, for search
	checks     int
	latest     views.Status // result of the latest check; StatusUnknown when none
	latestTime time.Time
}

// newCustomerIndex joins customers with their sessions' checks (the latest check decides the badge)
// and prepares the sort orders.
func newCustomerIndex(customers []hive.Customer, sessions []hive.Session, checks []hive.Check, at time.Time) *customerIndex {
	sessionCustomer := make(map[string]string, len(sessions))
	for _, s := range sessions {
		sessionCustomer[s.ID] = s.CustomerID
	}
	type latest struct {
		n      int
		result views.Status
		at     time.Time
	}
	perCustomer := make(map[string]latest, len(customers))
	for _, ch := range checks {
		cid, ok := sessionCustomer[ch.SessionID]
		if !ok {
			continue
		}
		l := perCustomer[cid]
		l.n++
		if ch.CreatedAt.After(l.at) || l.at.IsZero() {
			l.at, l.result = ch.CreatedAt, checkRow(ch).Result
		}
		perCustomer[cid] = l
	}
	idx := &customerIndex{at: at, entries: make([]customerEntry, len(customers))}
	for i, c := range customers {
		name := c.FullName()
		l := perCustomer[c.ID]
		result := l.result
		if l.n == 0 {
			result = views.StatusUnknown
		}
		idx.entries[i] = customerEntry{customer: c, name: name, haystack: haystack(c, name), checks: l.n, latest: result, latestTime: l.at}
	}
	var corpus strings.Builder
	idx.starts = make([]int, len(idx.entries))
	for i := range idx.entries {
		idx.starts[i] = corpus.Len()
		corpus.WriteString(idx.entries[i].haystack)
		corpus.WriteByte(0)
	}
	idx.corpus = corpus.String()
	idx.byName = idx.order(func(e *customerEntry) string { return strings.ToLower(e.name) })
	idx.byEmail = idx.order(func(e *customerEntry) string { return e.customer.Email })
	return idx
}

// haystack is what a search looks in: names and email in lower case, the phone's digits (so
// "7700 900" finds "+447700900123") and the id.
func haystack(c hive.Customer, name string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(name))
	b.WriteByte('\n')
	b.WriteString(strings.ToLower(c.Email))
	b.WriteByte('\n')
	if c.Phone != nil {
		for _, r := range *c.Phone {
			if r >= '0' && r <= '9' {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('\n')
	b.WriteString(strings.ToLower(c.ID))
	return b.String()
}

// order returns entry positions sorted by key, ties broken by the API's order.
func (idx *customerIndex) order(key func(*customerEntry) string) []int32 {
	keys := make([]string, len(idx.entries))
	for i := range idx.entries {
		keys[i] = key(&idx.entries[i])
	}
	pos := make([]int32, len(idx.entries))
	for i := range pos {
		pos[i] = int32(i)
	}
	slices.SortStableFunc(pos, func(a, b int32) int { return cmp.Compare(keys[a], keys[b]) })
	return pos
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
}

// The choices the list offers; anything else in a URL falls back to the default.
var (
	customerSorts    = []string{"created", "name", "email"}
	customerSizes    = []int{25, 50, 100}
	customerResults  = []string{"clear", "caution", "consider", "processing"}
	customerCheckOpt = []string{"with", "without"}
)

// customerPage is one page of a query's results.
type customerPage struct {
	Rows  []*customerEntry
	Total int // rows matching, all pages
	Query customerQuery
}

// run filters, sorts and pages. A search scans one string holding every customer's lower-case
// text (strings.Index over a few megabytes is far faster than a call per customer) and marks the
// matching entries; then the chosen order is walked once and the matching positions are kept in
// the snapshot's result cache, so the next page of the same view costs one page of work. With no
// search and no filter, the page is sliced straight from the order.
func (idx *customerIndex) run(q customerQuery) customerPage {
	n := len(idx.entries)
	needle := strings.ToLower(strings.TrimSpace(q.Q))
	order := idx.orderFor(q)
	page := customerPage{Query: q}
	from := (q.Page - 1) * q.Size
	if needle == "" && q.Checks == "" && q.Result == "" {
		page.Total = n
		for i := from; i < min(n, from+q.Size); i++ {
			page.Rows = append(page.Rows, &idx.entries[order(i)])
		}
		return page
	}
	key := fmt.Sprintf("%q|%s|%s|%s|%v", needle, q.Checks, q.Result, q.Sort, q.Desc)
	hits, ok := idx.results.get(key)
	if !ok {
		hits = idx.filter(needle, q, order)
		idx.results.put(key, hits)
	}
	page.Total = len(hits)
	for i := from; i < min(len(hits), from+q.Size); i++ {
		page.Rows = append(page.Rows, &idx.entries[hits[i]])
	}
	return page
}

// filter returns the positions of the entries matching the search and the filters, in order.
func (idx *customerIndex) filter(needle string, q customerQuery, order func(int) int) []int32 {
	n := len(idx.entries)
	var matched []bool // nil: every entry matches the search
	if needle != "" {
		matched = make([]bool, n)
		idx.mark(matched, needle)
		if digits := onlyDigits(needle); len(digits) >= 3 && digits != needle {
			idx.mark(matched, digits) // "7700 900" finds "+447700900123"
		}
	}
	keep := func(e *customerEntry) bool {
		switch {
		case q.Checks == "with" && e.checks == 0, q.Checks == "without" && e.checks > 0:
			return false
		}
		return q.Result == "" || (e.checks > 0 && string(e.latest) == q.Result)
	}
	hits := []int32{}
	for i := 0; i < n; i++ {
		pos := order(i)
		if (matched == nil || matched[pos]) && keep(&idx.entries[pos]) {
			hits = append(hits, int32(pos))
		}
	}
	return hits
}

// mark sets matched[i] for every entry whose haystack contains needle.
func (idx *customerIndex) mark(matched []bool, needle string) {
	if strings.IndexByte(needle, 0) >= 0 {
		return
	}
	for from := 0; from < len(idx.corpus); {
		at := strings.Index(idx.corpus[from:], needle)
		if at < 0 {
			return
		}
		at += from
		entry := sort.SearchInts(idx.starts, at+1) - 1 // the last entry starting at or before at
		matched[entry] = true
		if entry+1 < len(idx.starts) {
			from = idx.starts[entry+1] // one hit per entry is enough
		} else {
			return
		}
	}
}

// orderFor maps a position in the query's order to an entry position.
func (idx *customerIndex) orderFor(q customerQuery) func(i int) int {
	n := len(idx.entries)
	switch {
	case q.Sort == "name" && !q.Desc:
		return func(i int) int { return int(idx.byName[i]) }
	case q.Sort == "name":
		return func(i int) int { return int(idx.byName[n-1-i]) }
	case q.Sort == "email" && !q.Desc:
		return func(i int) int { return int(idx.byEmail[i]) }
	case q.Sort == "email":
		return func(i int) int { return int(idx.byEmail[n-1-i]) }
	case q.Desc: // created, newest first: the API's order
		return func(i int) int { return i }
	}
	return func(i int) int { return n - 1 - i }
}

func onlyDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
