package handlers

import (
	"net/url"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/readmodel"
)

// FuzzListQuery feeds any query string to every list's parsing and paging: none panics, and the
// rows a list would show always lie within what it holds.
func FuzzListQuery(f *testing.F) {
	for _, seed := range []string{"", "page=2", "page=9223372036854775807", "page=-9223372036854775808&size=100",
		"page=4611686018427387904&size=50", "page=368934881474191034", "page=184467440737095518&size=50", "q=ann&sort=email&dir=desc&page=3", "size=25&page=1e9", "page=%00",
		"queue=review&result=consider&page=99", "status=expired&customer=abc&page=2147483648", "actor=x&page=18446744073709551615"} {
		f.Add(seed)
	}
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		// What the lists ask of the console's copy: a page within bounds, whatever the URL says.
		cq := parseCustomerQuery(signalsFromURL(v)).read()
		if cq.Offset < 0 || cq.Limit < 1 || cq.Limit > 100 || cq.Offset > maxPage*100 {
			t.Fatalf("customers %q: offset %d, limit %d", raw, cq.Offset, cq.Limit)
		}
		kq := parseCheckQuery(checkSignalsFromURL(v))
		if rq := kq.read(now, true, readmodel.DefaultQueueRule); rq.Offset < 0 || rq.Limit < 1 || rq.Limit > 100 || rq.Offset > maxPage*100 {
			t.Fatalf("checks %q: offset %d, limit %d", raw, rq.Offset, rq.Limit)
		}
		for _, total := range []int{0, 1, 24, 25, 26, 1000} {
			checkSpan(t, raw, total, kq.Size, kq.Page)
		}
		sq := parseSessionQuery(sessionSignalsFromURL(v)).read(now)
		if sq.Offset < 0 || sq.Limit < 1 || sq.Limit > 100 || sq.Offset > maxPage*100 {
			t.Fatalf("sessions %q: offset %d, limit %d", raw, sq.Offset, sq.Limit)
		}
		fq := parseFileQuery(fileSignalsFromURL(v))
		if rq := fq.read(now, true); rq.Offset < 0 || rq.Limit < 1 || rq.Limit > 100 || rq.Offset > maxPage*100 {
			t.Fatalf("files %q: offset %d, limit %d", raw, rq.Offset, rq.Limit)
		}
		checkSpan(t, raw, 60, fileSize, fq.Page)
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
