package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hiveconsole/hiveconsole/auth"
)

// TestPagingOutOfRange: page numbers and sizes at and past the integers' ends, negative, or not
// numbers, on every list, fragment and export, answer with a page (the last, or the first), never a
// 500 from overflowing arithmetic.
func TestPagingOutOfRange(t *testing.T) {
	tc := newTestConsole(t)
	b := tc.browser()
	b.signInAs(auth.RoleAdmin)
	// The first three make (page-1)*size wrap to a negative number for sizes 25, 50 and 100.
	pages := []string{"368934881474191034", "184467440737095518", "92233720368547760", "9223372036854775807",
		"9223372036854775806", "4611686018427387904", "-9223372036854775808", "99999999999999999999", "0", "-1", "1e9", "abc"}
	sizes := []string{"25", "50", "100"}
	lists := []string{"/customers", "/checks", "/sessions", "/files", "/audit", "/customers/export.csv", "/audit/export.csv",
		"/checks?queue=review"}
	for _, list := range lists {
		for _, p := range pages {
			sep := "?"
			if strings.Contains(list, "?") {
				sep = "&"
			}
			queries := []string{"page=" + p, "page=" + p + "&size=" + p, "size=" + p}
			for _, size := range sizes {
				queries = append(queries, "page="+p+"&size="+size)
			}
			for _, query := range queries {
				path := list + sep + query
				if got := b.get(path).StatusCode; got != http.StatusOK {
					t.Errorf("GET %s: got %d, want 200", path, got)
				}
			}
		}
	}
	for _, fragment := range []string{"/customers/table", "/checks/table", "/sessions/table", "/files/table"} {
		for _, p := range []string{"368934881474191034", "9223372036854775807", "-9223372036854775808", "4611686018427387904"} {
			path := fragment + "?datastar=" + url.QueryEscape(`{"page":`+p+`,"size":`+p+`}`)
			req, _ := http.NewRequest(http.MethodGet, tc.URL+path, nil)
			req.Header.Set("Datastar-Request", "true")
			if got := b.do(req).StatusCode; got != http.StatusOK {
				t.Errorf("GET %s: got %d, want 200", path, got)
			}
		}
	}
}
