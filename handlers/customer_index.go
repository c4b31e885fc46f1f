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
	contact corpus          // names, ids, emails and phones: for staff who see contact data in clear
	names   corpus          // names and ids only: for staff who see contact data masked
	results resultCache     // recent searches' matches, so paging and re-reading cost a page
}

// corpus is one search text per entry, in entry order, joined into one string so a search is one
// strings.Index scan over a few megabytes rather than a call per customer.
type corpus struct {
	text   string // every entry's text, each followed by a NUL
	starts []int  // where each entry's text starts
}

func newCorpus(entries []customerEntry, text func(*customerEntry) string) corpus {
	var b strings.Builder
	c := corpus{starts: make([]int, len(entries))}
	for i := range entries {
		c.starts[i] = b.Len()
		b.WriteString(text(&entries[i]))
		b.WriteByte(0)
	}
	c.text = b.String()
	return c
}

// mark sets matched[i] for every entry whose text contains needle.
func (c *corpus) mark(matched []bool, needle string) {
	if needle == "" || strings.IndexByte(needle, 0) >= 0 {
		return
	}
	for from := 0; from < len(c.text); {
		at := strings.Index(c.text[from:], needle)
		if at < 0 {
			return
		}
		at += from
		entry := sort.SearchInts(c.starts, at+1) - 1 // the last entry starting at or before at
		matched[entry] = true
		if entry+1 >= len(c.starts) {
			return
		}
		from = c.starts[entry+1] // one hit per entry is enough
	}
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
	haystack   string // lower-case name and id, then email and phone digits, for search
	namesEnd   int    // haystack[:namesEnd] is the name and id alone
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
		hay, namesEnd := haystack(c, name)
		idx.entries[i] = customerEntry{customer: c, name: name, haystack: hay, namesEnd: namesEnd, checks: l.n, latest: result, latestTime: l.at}
	}
	idx.contact = newCorpus(idx.entries, func(e *customerEntry) string { return e.haystack })
	idx.names = newCorpus(idx.entries, func(e *customerEntry) string { return e.haystack[:e.namesEnd] })
	idx.byName = idx.order(func(e *customerEntry) string { return strings.ToLower(e.name) })
	idx.byEmail = idx.order(func(e *customerEntry) string { return e.customer.Email })
	return idx
}

// haystack is what a search looks in: the name in lower case and the id, then the email in lower
// case and the phone's digits (so "7700 900" finds "+447700900123"). namesEnd is where the contact
// data starts: staff who see it masked search only what comes before.
func haystack(c hive.Customer, name string) (hay string, namesEnd int) {
	var b strings.Builder
	b.WriteString(strings.ToLower(name))
	b.WriteByte('\n')
	b.WriteString(strings.ToLower(c.ID))
	namesEnd = b.Len()
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
	return b.String(), namesEnd
}

// matches reports whether a search (in lower case) finds the entry: in its name and id, and for a
// viewer who sees contact data in clear (contact) also in its email and phone, the phone by its
// digits alone ("7700 900" finds "+447700900123").
func (e *customerEntry) matches(needle string, contact bool) bool {
	if !contact {
		return strings.Contains(e.haystack[:e.namesEnd], needle)
	}
	if strings.Contains(e.haystack, needle) {
		return true
	}
	digits, ok := phoneDigits(needle)
	return ok && strings.Contains(e.haystack[e.namesEnd:], digits)
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
	q.Page, q.Size = pageNumber(q.Page), max(q.Size, 1) // bounded before any arithmetic
	from := (q.Page - 1) * q.Size
	if needle == "" && q.Checks == "" && q.Result == "" {
		page.Total = n
		for i := from; i < min(n, from+q.Size); i++ {
			page.Rows = append(page.Rows, &idx.entries[order(i)])
		}
		return page
	}
	key := fmt.Sprintf("%q|%s|%s|%s|%v|%v", needle, q.Checks, q.Result, q.Sort, q.Desc, q.Contact)
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
		if !q.Contact {
			idx.names.mark(matched, needle)
		} else {
			idx.contact.mark(matched, needle)
			if digits, ok := phoneDigits(needle); ok {
				idx.contact.mark(matched, digits) // "7700 900" finds "+447700900123"
			}
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

// orderFor maps a position in the query's order to an entry position.
func (idx *customerIndex) orderFor(q customerQuery) func(i int) int {
	n := len(idx.entries)
	switch {
	case q.Sort == "name" && !q.Desc:
		return func(i int) int { return int(idx.byName[i]) }
	case q.Sort == "name":
		return func(i int) int { return int(idx.byName[n-1-i]) }
	case q.Sort == "email" && !q.Contact: // never for a viewer who sees emails masked: newest first
		return func(i int) int { return i }
	case q.Sort == "email" && !q.Desc:
		return func(i int) int { return int(idx.byEmail[i]) }
	case q.Sort == "email":
		return func(i int) int { return int(idx.byEmail[n-1-i]) }
	case q.Desc: // created, newest first: the API's order
		return func(i int) int { return i }
	}
	return func(i int) int { return n - 1 - i }
}

// phoneDigits reads a search as a phone number typed with separators ("+44 7700 900-123"): its
// digits, when it holds at least three and nothing but digits and the signs people write numbers
// with. Anything else (an id's start, "3f2a1b9c", a name) is not a phone, so its digits are not
// searched: they would find phones by accident.
func phoneDigits(s string) (string, bool) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case strings.ContainsRune(" +-.()/", r):
		default:
			return "", false
		}
	}
	digits := b.String()
	return digits, len(digits) >= 3 && digits != s
}
