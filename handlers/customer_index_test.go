package handlers

import (
	"fmt"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/views"
)

func syntheticCustomers(n int) ([]hive.Customer, []hive.Session, []hive.Check) {
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	customers := make([]hive.Customer, n)
	var sessions []hive.Session
	var checks []hive.Check
	for i := range n {
		first, last := fmt.Sprintf("Given%d", i%977), fmt.Sprintf("Family%d", i)
		phone := fmt.Sprintf("+44770090%04d", i%10000)
		customers[n-1-i] = hive.Customer{ID: fmt.Sprintf("%08x-0000-4000-8000-000000000000", i), Email: fmt.Sprintf("person%d@example.com", i),
			FirstName: &first, LastName: &last, Phone: &phone, CreatedAt: base.Add(time.Duration(i) * time.Minute)}
		if i%3 == 0 {
			sid := fmt.Sprintf("%08x-1111-4000-8000-000000000000", i)
			sessions = append(sessions, hive.Session{ID: sid, CustomerID: customers[n-1-i].ID})
			decision := []string{"approved", "review", "declined"}[i%9/3]
			checks = append(checks, hive.Check{ID: sid, SessionID: sid, Status: hive.CheckComplete, Decision: &decision, CreatedAt: base})
		}
	}
	return customers, sessions, checks
}

func TestCustomerIndex(t *testing.T) {
	c, s, ch := syntheticCustomers(100)
	idx := newCustomerIndex(c, s, ch, time.Now())
	tests := []struct {
		q     customerQuery
		total int
		first string
	}{
		{customerQuery{Sort: "created", Desc: true, Page: 1, Size: 25}, 100, "person99@example.com"},
		{customerQuery{Sort: "created", Page: 1, Size: 25}, 100, "person0@example.com"},
		{customerQuery{Q: "family42", Sort: "created", Desc: true, Page: 1, Size: 25}, 1, "person42@example.com"},
		{customerQuery{Q: "7700 90 0042", Sort: "created", Desc: true, Page: 1, Size: 25, Contact: true}, 1, "person42@example.com"}, // phone digits
		{customerQuery{Q: "PERSON5", Sort: "email", Page: 1, Size: 25, Contact: true}, 11, "person50@example.com"},
		// A viewer who sees contact data masked finds nobody by it, and cannot sort by email.
		{customerQuery{Q: "7700 90 0042", Sort: "created", Desc: true, Page: 1, Size: 25}, 0, ""},
		{customerQuery{Q: "person5", Sort: "created", Desc: true, Page: 1, Size: 25}, 0, ""},
		{customerQuery{Sort: "email", Page: 1, Size: 25}, 100, "person99@example.com"},
		{customerQuery{Checks: "with", Sort: "created", Desc: true, Page: 1, Size: 25}, 34, "person99@example.com"},
		{customerQuery{Checks: "without", Sort: "created", Desc: true, Page: 1, Size: 25}, 66, "person98@example.com"},
		{customerQuery{Result: "consider", Sort: "created", Desc: true, Page: 1, Size: 25}, 11, "person96@example.com"},
		{customerQuery{Sort: "name", Page: 4, Size: 25}, 100, ""},
	}
	for _, tc := range tests {
		page := idx.run(tc.q)
		first := ""
		if len(page.Rows) > 0 {
			first = page.Rows[0].customer.Email
		}
		if page.Total != tc.total || tc.first != "" && first != tc.first {
			t.Errorf("%+v: got total %d first %q, want %d %q", tc.q, page.Total, first, tc.total, tc.first)
		}
	}
	if got := idx.run(customerQuery{Result: "consider", Sort: "created", Desc: true, Page: 1, Size: 100}); got.Rows[0].latest != views.StatusConsider {
		t.Errorf("result filter row: %+v", got.Rows[0])
	}
}

// BenchmarkCustomerIndex is the console's own cost of a list page: a search over every customer,
// sorted by name, one page taken (the snapshot is built once and shared).
func BenchmarkCustomerIndex(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		c, s, ch := syntheticCustomers(n)
		b.Run(fmt.Sprintf("build/%d", n), func(b *testing.B) {
			for b.Loop() {
				newCustomerIndex(c, s, ch, time.Now())
			}
		})
		idx := newCustomerIndex(c, s, ch, time.Now())
		b.Run(fmt.Sprintf("search-new/%d", n), func(b *testing.B) {
			i := 0
			for b.Loop() { // a different search each time: the scan, not the cache
				i++
				idx.run(customerQuery{Q: fmt.Sprintf("given%d", i%977), Sort: "name", Page: 2, Size: 25})
			}
		})
		b.Run(fmt.Sprintf("search-again/%d", n), func(b *testing.B) {
			for b.Loop() { // the same view again, or its next page: the cache
				idx.run(customerQuery{Q: "given97", Sort: "name", Page: 2, Size: 25})
			}
		})
	}
}

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
		digits, ok := phoneDigits(tt.in)
		if ok != tt.ok || (ok && digits != tt.digits) {
			t.Errorf("phoneDigits(%q) = %q, %v; want %q, %v", tt.in, digits, ok, tt.digits, tt.ok)
		}
	}
}
