package handlers

import (
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/hive"
)

// FuzzListQuery feeds any query string to every list's parsing and paging: none panics, and the
// rows a list would show always lie within what it holds.
func FuzzListQuery(f *testing.F) {
	for _, seed := range []string{"", "page=2", "page=9223372036854775807", "page=-9223372036854775808&size=100",
		"page=4611686018427387904&size=50", "page=368934881474191034", "page=184467440737095518&size=50", "q=ann&sort=email&dir=desc&page=3", "size=25&page=1e9", "page=%00",
		"queue=review&result=consider&page=99", "status=expired&customer=abc&page=2147483648", "actor=x&page=18446744073709551615"} {
		f.Add(seed)
	}
	idx := fuzzIndex(37)
	sessions := make([]hive.Session, 23)
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	for i := range sessions {
		sessions[i] = hive.Session{ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), Status: hive.SessionCreated, ExpiresAt: now}
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		cq := parseCustomerQuery(signalsFromURL(v))
		for _, contact := range []bool{true, false} {
			cq.Contact = contact
			res := idx.run(cq)
			if len(res.Rows) > cq.Size || res.Total > len(idx.entries) {
				t.Fatalf("customers %q: %d rows of %d, page size %d", raw, len(res.Rows), res.Total, cq.Size)
			}
		}
		kq := parseCheckQuery(checkSignalsFromURL(v))
		for _, total := range []int{0, 1, 24, 25, 26, 1000} {
			checkSpan(t, raw, total, kq.Size, kq.Page)
		}
		sq := parseSessionQuery(sessionSignalsFromURL(v))
		if res := sq.run(sessions, now); len(res.Rows) > sq.Size || res.Total > len(sessions) {
			t.Fatalf("sessions %q: %d rows of %d", raw, len(res.Rows), res.Total)
		}
		_, page := parseFileQuery(v)
		checkSpan(t, raw, 60, customerSizes[0], page)
		_, aq, _ := parseAuditFilter(v)
		if aq.Offset < 0 || aq.Offset > maxPage*auditPageSize {
			t.Fatalf("audit %q: offset %d", raw, aq.Offset)
		}
	})
}

func checkSpan(t *testing.T, raw string, total, size, requested int) {
	t.Helper()
	page, from, to := pageSpan(total, size, requested)
	if page < 1 || from < 0 || from > to || to > total || to-from > max(size, 1) {
		t.Fatalf("%q: page %d of %d rows (size %d) → page %d [%d, %d)", raw, requested, total, size, page, from, to)
	}
}

// fuzzIndex is a customer index of n made-up customers.
func fuzzIndex(n int) *customerIndex {
	customers := make([]hive.Customer, n)
	for i := range customers {
		first, phone := fmt.Sprintf("Person%d", i), fmt.Sprintf("+44770090%04d", i)
		customers[i] = hive.Customer{ID: fmt.Sprintf("10000000-0000-4000-8000-%012d", i), Email: fmt.Sprintf("p%d@example.com", i),
			FirstName: &first, Phone: &phone}
	}
	return newCustomerIndex(customers, nil, nil, time.Now())
}
