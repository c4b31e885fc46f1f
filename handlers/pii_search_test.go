package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/hiveconsole/hiveconsole/auth"
)

// TestMaskedContactDataIsNoSearchOracle: a role that sees a customer's email and phone masked can
// neither search, sort nor export on their clear values, on any list, fragment or export — so no
// guessed fragment confirms a masked value — while name and id search keep working. Roles that see
// contact data in clear find the customer by it, which shows each query would reach it.
func TestMaskedContactDataIsNoSearchOracle(t *testing.T) {
	tc := newTestConsole(t)
	f := newPIIFixture(t, tc) // Pia Private, piiperson@example.com, +447911123456
	contactQueries := []string{"piiperson@example.com", "piiperson", "perso", "@example.com", "+447911123456",
		"447911123456", "7911 123 456", "911123"}
	nameQueries := []string{"Pia Private", "private", f.customerID, f.customerID[:8]}
	lists := []struct {
		name  string
		path  func(q string) string
		found func(body string) bool
	}{
		{"customers", func(q string) string { return "/customers?q=" + url.QueryEscape(q) }, linksTo("/customers/" + f.customerID)},
		{"customers fragment", func(q string) string { return datastarPath("/customers/table", map[string]any{"q": q}) }, linksTo("/customers/" + f.customerID)},
		{"customers export", func(q string) string { return "/customers/export.csv?q=" + url.QueryEscape(q) }, contains(f.customerID)},
		{"checks", func(q string) string { return "/checks?q=" + url.QueryEscape(q) }, linksTo("/checks/" + f.checkID)},
		{"checks fragment", func(q string) string { return datastarPath("/checks/table", map[string]any{"q": q}) }, linksTo("/checks/" + f.checkID)},
		{"sessions", func(q string) string { return "/sessions?customer=" + url.QueryEscape(q) }, linksTo("/sessions/" + f.sessionID)},
		{"sessions fragment", func(q string) string { return datastarPath("/sessions/table", map[string]any{"customer": q}) }, linksTo("/sessions/" + f.sessionID)},
		{"files", func(q string) string { return "/files?q=" + url.QueryEscape(q) }, linksTo("/customers/" + f.customerID)},
		{"files fragment", func(q string) string { return datastarPath("/files/table", map[string]any{"q": q}) }, linksTo("/customers/" + f.customerID)},
	}
	for _, role := range auth.AllRoles() {
		t.Run(string(role), func(t *testing.T) {
			b := tc.browser()
			b.signInAs(role)
			clear := role.Can(auth.SeeRecordPII)
			for _, l := range lists {
				if strings.Contains(l.name, "export") && !role.Can(auth.ExportCSV) {
					continue
				}
				for _, q := range contactQueries {
					if l.name == "sessions" || l.name == "sessions fragment" {
						if strings.ContainsAny(q, "+0123456789") {
							continue // the session list searches names, emails and ids, never phones
						}
					}
					if got := l.found(getOK(t, b, l.path(q))); got != clear {
						t.Errorf("%s, q=%q: customer found %v, want %v", l.name, q, got, clear)
					}
				}
				for _, q := range nameQueries {
					if l.name == "checks" || l.name == "checks fragment" || strings.HasPrefix(l.name, "sessions") {
						if q == f.customerID[:8] {
							continue // these lists match a customer's id whole or by its start
						}
					}
					if !l.found(getOK(t, b, l.path(q))) {
						t.Errorf("%s, q=%q: the customer is not found by name or id", l.name, q)
					}
				}
			}
		})
	}
}

// TestMaskedContactDataIsNoSortKey: sorting by email reorders the list only for roles that see
// emails in clear; for the others the list, its fragment and its export keep the default order,
// and the email column offers no sort.
func TestMaskedContactDataIsNoSortKey(t *testing.T) {
	tc := newTestConsole(t)
	for _, role := range auth.AllRoles() {
		t.Run(string(role), func(t *testing.T) {
			b := tc.browser()
			b.signInAs(role)
			clear := role.Can(auth.SeeRecordPII)
			def := customerRowIDs(t, getOK(t, b, "/customers?size=100"))
			for _, path := range []string{"/customers?size=100&sort=email", "/customers?size=100&sort=email&dir=desc",
				datastarPath("/customers/table", map[string]any{"sort": "email", "dir": "asc", "size": 100})} {
				got := customerRowIDs(t, getOK(t, b, path))
				if len(got) != len(def) || len(def) < 5 {
					t.Fatalf("%s: %d rows, default %d", path, len(got), len(def))
				}
				if same := slices.Equal(got, def); same == clear {
					t.Errorf("%s: order is the default %v, want %v", path, same, !clear)
				}
			}
			sortable := parseHTML(t, getOK(t, b, "/customers")).Find(`[data-testid="sort-email"]`).Length() == 1
			if sortable != clear {
				t.Errorf("email column sortable: %v, want %v", sortable, clear)
			}
			if role.Can(auth.ExportCSV) {
				def := csvIDs(getOK(t, b, "/customers/export.csv"))
				got := csvIDs(getOK(t, b, "/customers/export.csv?sort=email"))
				if same := slices.Equal(got, def); same == clear {
					t.Errorf("export sorted by email: order is the default %v, want %v", same, !clear)
				}
			}
		})
	}
}

// TestRecordComparisonHiddenWhenMasked: the report's comparison with the customer record gives no
// verdict on the date of birth to a role that sees it masked on either side — a reviewer (record
// masked), support (report masked) or an auditor (both) — whether the two agree or not. Admins see
// both in clear, and the verdict.
func TestRecordComparisonHiddenWhenMasked(t *testing.T) {
	tc := newTestConsole(t)
	f := newPIIFixture(t, tc) // the document and the record agree on the date of birth
	for _, role := range auth.AllRoles() {
		b := tc.browser()
		b.signInAs(role)
		page := parseHTML(t, getOK(t, b, "/checks/"+f.checkID))
		row := page.Find(`[data-testid="comparison-row"][data-field="Date of birth"]`)
		if row.Length() != 1 {
			t.Fatalf("%s: no date of birth row", role)
		}
		hidden := !role.Can(auth.SeeRecordPII) || !role.Can(auth.SeeReportPII)
		want := map[bool]string{true: "hidden", false: "true"}[hidden]
		if got := row.AttrOr("data-match", ""); got != want {
			t.Errorf("%s: data-match %q, want %q", role, got, want)
		}
		verdict := strings.Contains(row.Text(), "Matches") || strings.Contains(row.Text(), "Differs")
		if verdict == hidden {
			t.Errorf("%s: a verdict is shown %v, want %v (%q)", role, verdict, !hidden, row.Text())
		}
		if said := row.Find(`[data-testid="comparison-hidden"]`).Length() == 1; said != hidden {
			t.Errorf("%s: says the comparison is hidden %v, want %v", role, said, hidden)
		}
		if n := page.Find(`[data-testid="comparison-row"][data-match="true"]`).Length(); n < 2 {
			t.Errorf("%s: the unmasked fields lost their verdict (%d matches)", role, n)
		}
	}
}

func getOK(t *testing.T, b *browser, path string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.tc.URL+path, nil)
	if strings.Contains(path, "datastar=") {
		req.Header.Set("Datastar-Request", "true")
	}
	r := b.do(req)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: got %d, want 200", path, r.StatusCode)
	}
	return r.Body
}

func parseHTML(t *testing.T, body string) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// datastarPath is a Datastar GET: the signals travel JSON-encoded in the datastar parameter.
func datastarPath(path string, signals map[string]any) string {
	raw, _ := json.Marshal(signals)
	return path + "?datastar=" + url.QueryEscape(string(raw))
}

func linksTo(href string) func(string) bool {
	return func(body string) bool { return strings.Contains(body, `href="`+href+`"`) }
}

func contains(s string) func(string) bool {
	return func(body string) bool { return strings.Contains(body, s) }
}

// customerRowIDs lists the customer ids of a customers page or fragment, in order.
func customerRowIDs(t *testing.T, body string) []string {
	t.Helper()
	var ids []string
	parseHTML(t, body).Find(`[data-testid="customer-row"] a[href^="/customers/"]`).Each(func(_ int, s *goquery.Selection) {
		ids = append(ids, strings.TrimPrefix(s.AttrOr("href", ""), "/customers/"))
	})
	return ids
}

// csvIDs lists the first column of a CSV export, header left out.
func csvIDs(body string) []string {
	var ids []string
	for i, line := range strings.Split(strings.TrimSpace(body), "\n") {
		if i > 0 {
			ids = append(ids, strings.SplitN(line, ",", 2)[0])
		}
	}
	return ids
}
