package readmodel

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/hiveconsole/hiveconsole/database"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/internal/fold"
)

// CustomerQuery is what the customers list can ask for.
type CustomerQuery struct {
	Search string // as typed; "" for none
	// Contact says the viewer sees contact data in clear, so the search reaches emails and phones
	// and the list may sort by email. Without it neither touches their clear values.
	Contact bool
	Checks  string // "", "with" or "without"
	Result  string // "", or the latest check's result
	Sort    string // created, name or email
	Desc    bool
	Offset  int
	Limit   int
}

// CustomerEntry is a customer as the lists show them.
type CustomerEntry struct {
	Customer hive.Customer
	Name     string
	Checks   int
	Latest   string // the latest check's result; "" without checks
	Deleted  bool
}

// CustomerPage is one page of a query and how many rows match it in all.
type CustomerPage struct {
	Rows  []CustomerEntry
	Total int
}

// Customers runs a list query: search, filters and order in SQL on indexes.
func (s *Store) Customers(ctx context.Context, q CustomerQuery) (CustomerPage, error) {
	where, args := s.customerFilter(ctx, q)
	var page CustomerPage
	var err error
	switch {
	case where == "":
		page.Total, err = s.Count(ctx, Customers)
	case q == CustomerQuery{Checks: "without", Contact: q.Contact, Sort: q.Sort, Desc: q.Desc, Offset: q.Offset, Limit: q.Limit}:
		// Most customers have no check: count the few with checks, on their index, and subtract.
		var all, with int
		if all, err = s.Count(ctx, Customers); err == nil {
			with, err = s.count(ctx, `SELECT count(*) FROM hive_customers WHERE deleted_at IS NULL AND checks > 0`)
		}
		page.Total = max(all-with, 0)
	default:
		page.Total, err = s.count(ctx, `SELECT count(*) FROM hive_customers WHERE deleted_at IS NULL`+where, args...)
	}
	if err != nil {
		return CustomerPage{}, fmt.Errorf("readmodel: count customers: %w", err)
	}
	w := window(page.Total, q.Offset, q.Limit, customerOrder(q))
	if w.limit <= 0 {
		return page, nil
	}
	switch {
	case where == "":
		cond, more, offset, err := s.seek(ctx, Customers, w.order, "created_at", w.offset)
		if err != nil {
			return CustomerPage{}, err
		}
		where, args, w.offset = cond, more, offset
	case strings.Contains(where, searchIndexed):
		if all, err := s.Count(ctx, Customers); err == nil && walkOrder(page.Total, all, w.offset+w.limit) {
			// So many match that walking the list's order and keeping the matches finds the
			// page sooner than reading every match and sorting them.
			where = strings.Replace(where, searchIndexed, " AND +seq IN (", 1)
		}
	}
	if page.Rows, err = s.customerRows(ctx, where, w.order, w.limit, w.offset, args); err == nil && w.reversed {
		slices.Reverse(page.Rows)
	}
	return page, err
}

// span is how a page of a list is read: deep in the list (past its middle), from the other end
// with the order reversed, so the last page costs what the first does.
type span struct {
	order         string
	offset, limit int
	reversed      bool
}

func window(total, offset, limit int, order string) span {
	offset, limit = max(offset, 0), max(limit, 1)
	if total <= 0 || offset <= total/2 {
		return span{order: order, offset: offset, limit: limit}
	}
	return span{order: reverse(order), offset: max(total-offset-limit, 0), limit: min(limit, total-offset), reversed: true}
}

// EachCustomer calls fn with every live customer matching q, in q's order (the CSV export).
func (s *Store) EachCustomer(ctx context.Context, q CustomerQuery, fn func(CustomerEntry) error) error {
	where, args := s.customerFilter(ctx, q)
	rows, err := s.db.SQL().QueryContext(ctx, s.db.Q(`SELECT `+customerSelect+` FROM hive_customers
		WHERE deleted_at IS NULL`+where+` ORDER BY `+customerOrder(q)), args...)
	if err != nil {
		return fmt.Errorf("readmodel: customers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanCustomer(rows)
		if err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Customer returns one customer as the copy holds it, deleted or not; ok is false when the copy has
// never seen it.
func (s *Store) Customer(ctx context.Context, id string) (CustomerEntry, bool, error) {
	e, err := scanCustomer(s.db.QueryRow(ctx, `SELECT `+customerSelect+` FROM hive_customers WHERE id = ?`, id))
	if err == sql.ErrNoRows {
		return CustomerEntry{}, false, nil
	}
	return e, err == nil, err
}

func (s *Store) customerRows(ctx context.Context, where, order string, limit, offset int, args []any) ([]CustomerEntry, error) {
	rows, err := s.db.Query(ctx, `SELECT `+customerSelect+` FROM hive_customers WHERE deleted_at IS NULL`+where+
		` ORDER BY `+order+` LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, fmt.Errorf("readmodel: customers: %w", err)
	}
	defer rows.Close()
	out := []CustomerEntry{}
	for rows.Next() {
		e, err := scanCustomer(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

const customerSelect = `id, email, phone, first_name, middle_name, last_name, gender, dob, metadata, created_at, updated_at,
	full_name, checks, latest_result, deleted_at`

func scanCustomer(r database.Scanner) (CustomerEntry, error) {
	var e CustomerEntry
	c := &e.Customer
	var metadata, latest sql.NullString
	var created, updated int64
	var deleted sql.NullInt64
	if err := r.Scan(&c.ID, &c.Email, &c.Phone, &c.FirstName, &c.MiddleName, &c.LastName, &c.Gender, &c.DOB, &metadata,
		&created, &updated, &e.Name, &e.Checks, &latest, &deleted); err != nil {
		if err == sql.ErrNoRows {
			return e, err
		}
		return e, fmt.Errorf("readmodel: read customer: %w", err)
	}
	c.CreatedAt, c.UpdatedAt = database.FromUnix(created), database.FromUnix(updated)
	if metadata.Valid {
		if err := json.Unmarshal([]byte(metadata.String), &c.Metadata); err != nil {
			return e, fmt.Errorf("readmodel: read customer metadata: %w", err)
		}
	}
	e.Latest, e.Deleted = latest.String, deleted.Valid
	return e, nil
}

// customerOrder is the ORDER BY of a query; ties are broken by id so pages never overlap. Email is
// an order only for viewers who see emails in clear: for others the order would give them away.
func customerOrder(q CustomerQuery) string {
	dir := " ASC"
	if q.Desc {
		dir = " DESC"
	}
	switch {
	case q.Sort == "name":
		return "name_key" + dir + ", id" + dir
	case q.Sort == "email" && q.Contact:
		return "email" + dir + ", id" + dir
	case q.Sort == "email":
		return "created_at DESC, ord DESC"
	}
	return "created_at" + dir + ", ord" + dir
}

func reverse(order string) string {
	r := strings.NewReplacer(" ASC", " DESC", " DESC", " ASC")
	return r.Replace(order)
}

// customerFilter is the WHERE clause (after "deleted_at IS NULL") of a query's search and filters.
func (s *Store) customerFilter(ctx context.Context, q CustomerQuery) (string, []any) {
	var b strings.Builder
	var args []any
	switch q.Checks {
	case "with":
		b.WriteString(" AND checks > 0")
	case "without":
		b.WriteString(" AND checks = 0")
	}
	if q.Result != "" {
		// Only a customer with checks has a latest result.
		b.WriteString(" AND latest_result = ?")
		args = append(args, q.Result)
	}
	where, more := s.customerSearch(ctx, q.Search, q.Contact)
	b.WriteString(where)
	return b.String(), append(args, more...)
}

// customerSearch is the WHERE clause (after "deleted_at IS NULL", on hive_customers) of a search:
// "" when there is nothing to look for. A customer matches when the search is in their folded name
// (or, for viewers who see contact data in clear, their email or phone digits), or is the start of
// their id.
func (s *Store) customerSearch(ctx context.Context, search string, contact bool) (string, []any) {
	var b strings.Builder
	var args []any
	terms, digits := searchTerms(search, contact)
	if len(terms) == 0 {
		return "", nil
	}
	idCond, idArgs := s.idPrefix("id", strings.ToLower(strings.TrimSpace(search)))
	short := len(digits) > 0 && len(digits) < 3
	for _, t := range terms {
		short = short || len(t) < 3
	}
	switch {
	case !s.db.Postgres() && !short && !s.searchDeferred(ctx):
		// The trigram index answers a phrase query with the rows whose text holds it.
		cols := "search_names"
		if contact {
			cols = "{search_names search_contact}"
		}
		expr := cols + " : (" + phrases(terms) + ")"
		if digits != "" {
			expr += " OR search_contact : " + phrase(digits)
		}
		b.WriteString(searchIndexed + "SELECT rowid FROM hive_customers_search WHERE hive_customers_search MATCH ?" +
			" UNION ALL SELECT seq FROM hive_customers WHERE " + idCond + ")")
		args = append(append(args, expr), idArgs...)
	default:
		// PostgreSQL's trigram indexes answer LIKE '%…%'; SQLite scans for terms too short for
		// trigrams, and while the first load of customers has yet to build the search index.
		esc := ""
		if !s.db.Postgres() {
			esc = ` ESCAPE '\'`
		}
		var or []string
		for _, t := range terms {
			p := "%" + database.EscapeLike(t) + "%"
			or = append(or, "search_names LIKE ?"+esc)
			args = append(args, p)
			if contact {
				or = append(or, "search_contact LIKE ?"+esc)
				args = append(args, p)
			}
		}
		if digits != "" {
			or = append(or, "search_contact LIKE ?"+esc)
			args = append(args, "%"+digits+"%")
		}
		or = append(or, idCond)
		args = append(args, idArgs...)
		b.WriteString(" AND (" + strings.Join(or, " OR ") + ")")
	}
	return b.String(), args
}

// searchIndexed opens the condition of a search the trigram index answers (SQLite).
const searchIndexed = " AND seq IN ("

// walkOrder says whether a page of a search with matches rows out of all is found sooner by walking
// the order's index and keeping the rows that match (about upTo × all ÷ matches steps) than by
// reading every match and sorting them (about ten steps' cost each).
func walkOrder(matches, all, upTo int) bool {
	return matches > 0 && int64(matches)*int64(matches)*10 > int64(upTo)*int64(all)
}

// idPrefix is the condition that column (an id, as Hive writes them: lower case) starts with
// prefix, as a range of the column's index: ids are ASCII, so every id that starts with prefix sorts
// below prefix followed by DEL, compared byte by byte (SQLite's text order, and the pattern
// operators of PostgreSQL's index on ids).
func (s *Store) idPrefix(column, prefix string) (string, []any) {
	ge, lt := " >= ", " < "
	if s.db.Postgres() {
		ge, lt = " ~>=~ ", " ~<~ "
	}
	return "(" + column + ge + "? AND " + column + lt + "?)", []any{prefix, prefix + "\x7f"}
}

// searchTerms are the forms a search is looked for in: folded as the names are (so "muller" finds
// "Müller"), and lower-cased as typed (so an id's dashes still match). digits is the search read as
// a phone number, for viewers who see phones in clear, when it reads as one.
func searchTerms(search string, contact bool) (terms []string, digits string) {
	search = strings.TrimSpace(search)
	if search == "" || strings.ContainsRune(search, 0) {
		return nil, ""
	}
	terms = []string{strings.TrimSpace(fold.String(search))}
	if lower := strings.ToLower(search); lower != terms[0] {
		terms = append(terms, lower)
	}
	if contact {
		if d, ok := PhoneDigits(search); ok {
			digits = d
		}
	}
	return terms, digits
}

func phrases(terms []string) string {
	out := make([]string, len(terms))
	for i, t := range terms {
		out[i] = phrase(t)
	}
	return strings.Join(out, " OR ")
}

// phrase quotes a term as an FTS5 string: whatever it holds is matched as text, never as syntax.
func phrase(t string) string { return `"` + strings.ReplaceAll(t, `"`, `""`) + `"` }

// PhoneDigits reads a search as a phone number typed with separators ("+44 7700 900-123"): its
// digits, when it holds at least three and nothing but digits and the signs people write numbers
// with. Anything else (an id's start, "3f2a1b9c", a name) is not a phone, so its digits are not
// searched: they would find phones by accident.
func PhoneDigits(s string) (string, bool) {
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

// counts caches, for a moment, how many rows match a filtered query: a list shows its total on
// every view, and paging through a search or a filter asks for the same total again. A
// write-through forgets them all, so its author sees the change in the totals at once.
type counts struct {
	mu     sync.Mutex
	val    map[string]counted
	groups map[string]grouped
	flight singleflight.Group
}

type grouped struct {
	n  map[string]int
	at time.Time
}

// group returns a grouped count kept from the last moment.
func (c *counts) group(key string, now time.Time) (map[string]int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	g, ok := c.groups[key]
	if !ok || now.Sub(g.at) >= countTTL {
		return nil, false
	}
	return g.n, true
}

func (c *counts) keepGroup(key string, n map[string]int, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.groups == nil || len(c.groups) >= maxCounts {
		c.groups = map[string]grouped{}
	}
	c.groups[key] = grouped{n: n, at: now}
}

type counted struct {
	n  int
	at time.Time
}

// countTTL is how long a count is reused: a search matching a hundred thousand customers costs
// about as many row reads to count, and ten seconds is as old as a filtered total may be (a list
// without a filter counts through the tallies, exactly, and the viewer's own changes drop the
// reused counts at once). maxCounts bounds how many are kept.
const (
	countTTL  = 10 * time.Second
	maxCounts = 1000
)

// count runs a count(*) query, or reuses its answer from the last moment.
func (s *Store) count(ctx context.Context, query string, args ...any) (int, error) {
	key := query + "\x00" + fmt.Sprint(args...)
	now := s.now()
	s.counts.mu.Lock()
	if c, ok := s.counts.val[key]; ok && now.Sub(c.at) < countTTL {
		s.counts.mu.Unlock()
		return c.n, nil
	}
	s.counts.mu.Unlock()
	// Viewers asking for the same count at once share one query.
	v, err, _ := s.counts.flight.Do(key, func() (any, error) {
		var n int
		err := s.db.QueryRow(ctx, query, args...).Scan(&n)
		return n, err
	})
	if err != nil {
		return 0, err
	}
	n := v.(int)
	s.counts.mu.Lock()
	if s.counts.val == nil || len(s.counts.val) >= maxCounts {
		s.counts.val = map[string]counted{}
	}
	s.counts.val[key] = counted{n: n, at: now}
	s.counts.mu.Unlock()
	return n, nil
}

func (c *counts) forget() {
	c.mu.Lock()
	c.val, c.groups = nil, nil
	c.mu.Unlock()
}

// Forget drops the counts reused from a moment ago, so the next view counts afresh: for changes the
// copy derives from but does not write itself (a review decision takes a check out of the queue).
func (s *Store) Forget() { s.counts.forget() }

// Count is how many rows of a kind Hive has, as of the copy (deleted ones left out), from the
// tallies triggers keep.
func (s *Store) Count(ctx context.Context, kind Kind) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT CAST(COALESCE(sum(live), 0) AS BIGINT) FROM hive_tallies WHERE kind = ?`, string(kind)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("readmodel: count %s: %w", kind, err)
	}
	return n, nil
}
