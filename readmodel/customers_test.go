package readmodel

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/database"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/internal/fold"
)

// fixture writes n customers with awkward names, emails and phones, and checks for some.
func fixture(t *testing.T, s *Store, n int) []hive.Customer {
	t.Helper()
	ctx := context.Background()
	firsts := []string{"Anne-Marie", "Zoë", "Łukasz", "Sean", "Seán", "O'Brien", "Ana", "Jürgen", "li", "Bo", "50%_off"}
	lasts := []string{"Müller", "Mueller", "O'Brien", "Straße", "Strasse", "Ng", "Ó Súilleabháin", "Doe", "Smith"}
	r := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var out []hive.Customer
	for i := range n {
		c := hive.Customer{ID: fmt.Sprintf("%08x-1111-4222-8333-%012d", i*7919, i),
			Email:     fmt.Sprintf("%s.%d@Example-%d.com", strings.ToLower(lasts[i%len(lasts)][:2]), i, i%5),
			FirstName: hive.String(firsts[r.IntN(len(firsts))]), LastName: hive.String(lasts[r.IntN(len(lasts))]),
			CreatedAt: base.Add(time.Duration(r.IntN(50)) * time.Hour), UpdatedAt: base}
		if i%3 != 0 {
			c.Phone = hive.String(fmt.Sprintf("+44 7700 9%05d", i))
		}
		if err := s.PutCustomer(ctx, &c); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

// naive is the rule the SQL must follow, written over the fixture in plain Go: a search looks in
// the folded name, and for viewers who see contact data in clear also in the email and the phone's
// digits; a phone typed with separators is also matched by its digits; and it finds the customer
// whose id starts with it.
func naive(all []hive.Customer, latest map[string]string, q CustomerQuery) []string {
	terms, digits := searchTerms(q.Search, q.Contact)
	var hits []hive.Customer
	for _, c := range all {
		names := fold.String(c.FullName())
		contact := fold.String(c.Email) + "\n"
		if c.Phone != nil {
			contact += strings.Map(func(r rune) rune {
				if r >= '0' && r <= '9' {
					return r
				}
				return -1
			}, *c.Phone)
		}
		match := len(terms) == 0
		for _, t := range terms {
			match = match || strings.Contains(names, t) || (q.Contact && strings.Contains(contact, t))
		}
		match = match || (digits != "" && strings.Contains(contact, digits)) ||
			(len(terms) > 0 && strings.HasPrefix(c.ID, strings.ToLower(strings.TrimSpace(q.Search))))
		l, has := latest[c.ID]
		switch {
		case q.Checks == "with" && !has, q.Checks == "without" && has, q.Result != "" && l != q.Result:
			match = false
		}
		if match {
			hits = append(hits, c)
		}
	}
	written := map[string]int{} // the fixture writes customers in order: a later one is newer within a second
	for i, c := range all {
		written[c.ID] = i
	}
	key := func(c hive.Customer) string {
		switch {
		case q.Sort == "name":
			return fold.String(c.FullName()) + "\x00" + c.ID
		case q.Sort == "email" && q.Contact:
			return c.Email + "\x00" + c.ID
		}
		return fmt.Sprintf("%020d %06d", c.CreatedAt.Unix(), written[c.ID])
	}
	desc := q.Desc
	if q.Sort == "email" && !q.Contact {
		desc = true
	}
	sort.SliceStable(hits, func(i, j int) bool {
		a, b := key(hits[i]), key(hits[j])
		if desc {
			return a > b
		}
		return a < b
	})
	ids := []string{}
	for _, c := range hits[min(q.Offset, len(hits)):min(q.Offset+q.Limit, len(hits))] {
		ids = append(ids, c.ID)
	}
	return append(ids, fmt.Sprint(len(hits)))
}

// TestCustomerQueriesMatchANaiveScan: every search, filter, order and page the SQL answers (FTS5
// or LIKE on SQLite, trigram indexes on PostgreSQL) equals a scan of the fixture in Go, for
// viewers who see contact data in clear and for those who see it masked.
func TestCustomerQueriesMatchANaiveScan(t *testing.T) {
	each(t, func(t *testing.T, open func(testing.TB) *database.DB) {
		s := New(open(t), nil)
		s.seekFrom = 1 // every page past the first finds its day through the tallies
		all := fixture(t, s, 300)
		ctx := context.Background()
		// Give some customers checks, so the filters have something to tell apart.
		latest := map[string]string{}
		for i, c := range all[:60] {
			sess := hive.Session{ID: fmt.Sprintf("s%07d-1111-4222-8333-000000000000", i), CustomerID: c.ID, Status: hive.SessionCompleted}
			if err := s.PutSession(ctx, &sess); err != nil {
				t.Fatal(err)
			}
			d := []string{hive.DecisionApproved, hive.DecisionReview, hive.DecisionDeclined}[i%3]
			ch := hive.Check{ID: fmt.Sprintf("c%07d-1111-4222-8333-000000000000", i), SessionID: sess.ID,
				Status: hive.CheckComplete, Decision: &d, CreatedAt: c.CreatedAt}
			if err := s.PutCheck(ctx, &ch); err != nil {
				t.Fatal(err)
			}
			latest[c.ID] = CheckResult(&ch)
		}
		searches := []string{"", "mü", "muller", "MÜLLER", "o'brien", "o brien", "anne-marie", "zoe", "lukasz", "strasse",
			"straße", "sean", "7700 9000", "+44 7700", "770", "example-3", "50%_", "%", "_", "\"", "1111-4222", all[7].ID[:6], all[8].ID[:3], strings.ToUpper(all[9].ID[:13]), all[10].ID,
			"li", "b", "suilleabhain", "x", "e.1"}
		var queries []CustomerQuery
		for _, search := range searches {
			for _, contact := range []bool{true, false} {
				queries = append(queries, CustomerQuery{Search: search, Contact: contact, Sort: "created", Desc: true, Limit: 25})
			}
		}
		for _, sortBy := range []string{"created", "name", "email"} {
			for _, desc := range []bool{true, false} {
				for _, contact := range []bool{true, false} {
					for _, offset := range []int{0, 25, 150, 275, 290} {
						queries = append(queries, CustomerQuery{Sort: sortBy, Desc: desc, Contact: contact, Offset: offset, Limit: 25})
					}
				}
			}
		}
		for _, f := range []struct{ checks, result string }{{"with", ""}, {"without", ""}, {"", "clear"}, {"", "consider"}, {"with", "caution"}} {
			queries = append(queries, CustomerQuery{Checks: f.checks, Result: f.result, Sort: "name", Limit: 25},
				CustomerQuery{Search: "mu", Checks: f.checks, Result: f.result, Sort: "created", Desc: true, Limit: 100, Contact: true})
		}
		for _, q := range queries {
			page, err := s.Customers(ctx, q)
			if err != nil {
				t.Fatalf("%+v: %v", q, err)
			}
			got := []string{}
			for _, e := range page.Rows {
				got = append(got, e.Customer.ID)
			}
			got = append(got, fmt.Sprint(page.Total))
			if want := naive(all, latest, q); !slices.Equal(got, want) {
				t.Errorf("%+v:\n got %v\nwant %v", q, got, want)
			}
		}
	})
}

func fold0(c hive.Customer) string { return fold.String(c.FullName()) }

// TestPhoneDigits: only a search that reads as a phone number is also searched by its digits.
func TestPhoneDigits(t *testing.T) {
	for _, tt := range []struct {
		in, digits string
		ok         bool
	}{
		{"7700 900", "7700900", true},
		{"+44 (0)7700-900.123", "4407700900123", true},
		{"447700", "", false}, // digits alone are searched as they are
		{"3f2a1b9c", "", false},
		{"anna 123", "", false},
		{"+4", "", false},
	} {
		digits, ok := PhoneDigits(tt.in)
		if ok != tt.ok || (ok && digits != tt.digits) {
			t.Errorf("PhoneDigits(%q) = %q, %v; want %q, %v", tt.in, digits, ok, tt.digits, tt.ok)
		}
	}
}
