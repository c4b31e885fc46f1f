package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/hive"
)

func rows(t *testing.T, r response) []string {
	t.Helper()
	var out []string
	r.doc(t).Find(`[data-testid="customer-row"]`).Each(func(_ int, s *goquery.Selection) {
		out = append(out, strings.TrimSpace(s.Find("td").Eq(1).Text()))
	})
	return out
}

// TestCustomerList: search, filters, sort, paging and their URLs, against a real sandbox.
func TestCustomerList(t *testing.T) {
	tc := newTestConsole(t)
	ctx := context.Background()
	all, err := tc.api.ListCustomers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b := tc.browser()
	b.signInAs(auth.RoleSupport)

	first := b.get("/customers")
	if first.StatusCode != 200 || len(rows(t, first)) != len(all.Data) {
		t.Fatalf("all %d customers on one page of 25: got %d rows (%d)", len(all.Data), len(rows(t, first)), first.StatusCode)
	}
	if got := rows(t, first)[0]; got != all.Data[0].Email {
		t.Errorf("default order is newest first: got %q, want %q", got, all.Data[0].Email)
	}

	target := all.Data[len(all.Data)/2]
	local := target.Email[:strings.Index(target.Email, "@")]
	tests := []struct {
		name, query string
		check       func(t *testing.T, emails []string)
	}{
		{"search by email", "q=" + url.QueryEscape(local), func(t *testing.T, e []string) {
			if len(e) == 0 || !strings.Contains(strings.Join(e, " "), target.Email) {
				t.Errorf("got %v, want %s among them", e, target.Email)
			}
		}},
		{"search by id", "q=" + target.ID[:8], func(t *testing.T, e []string) {
			if len(e) != 1 || e[0] != target.Email {
				t.Errorf("got %v, want [%s]", e, target.Email)
			}
		}},
		{"search case-insensitive", "q=" + url.QueryEscape(strings.ToUpper(local)), func(t *testing.T, e []string) {
			if !strings.Contains(strings.Join(e, " "), target.Email) {
				t.Errorf("got %v", e)
			}
		}},
		{"no match", "q=zzzz-nobody", func(t *testing.T, e []string) {
			if len(e) != 0 {
				t.Errorf("got %v, want none", e)
			}
		}},
		{"sort by email ascending", "sort=email", func(t *testing.T, e []string) {
			for i := 1; i < len(e); i++ {
				if e[i-1] > e[i] {
					t.Fatalf("not ascending at %d: %v", i, e)
				}
			}
		}},
		{"sort by email descending", "sort=email&dir=desc", func(t *testing.T, e []string) {
			for i := 1; i < len(e); i++ {
				if e[i-1] < e[i] {
					t.Fatalf("not descending at %d: %v", i, e)
				}
			}
		}},
		{"oldest first", "dir=asc", func(t *testing.T, e []string) {
			if e[0] != all.Data[len(all.Data)-1].Email {
				t.Errorf("got %s first, want the oldest", e[0])
			}
		}},
		{"without checks", "checks=without", func(t *testing.T, e []string) {
			if len(e) == 0 || len(e) == len(all.Data) {
				t.Errorf("got %d of %d", len(e), len(all.Data))
			}
		}},
		{"nonsense parameters fall back", "sort=%3Cx%3E&size=7&page=-2&checks=maybe", func(t *testing.T, e []string) {
			if len(e) != len(all.Data) {
				t.Errorf("got %d rows", len(e))
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := b.get("/customers?" + tt.query)
			if r.StatusCode != 200 {
				t.Fatalf("status %d", r.StatusCode)
			}
			tt.check(t, rows(t, r))
		})
	}

	t.Run("filters by latest result agree with the badges", func(t *testing.T) {
		r := b.get("/customers?result=clear")
		r.doc(t).Find(`[data-testid="customer-row"] [data-testid="status-badge"]`).Each(func(_ int, s *goquery.Selection) {
			if s.AttrOr("data-status", "") != "clear" {
				t.Errorf("a %s badge in the clear filter", s.AttrOr("data-status", ""))
			}
		})
	})
}

func TestCustomerPaging(t *testing.T) {
	tc := newTestConsoleWith(t, 60)
	b := tc.browser()
	b.signInAs(auth.RoleAuditor)
	tests := []struct {
		query, info string
		rows        int
	}{
		{"", "Showing 1–25 of 60", 25},
		{"page=2", "Showing 26–50 of 60", 25},
		{"page=3", "Showing 51–60 of 60", 10},
		{"page=99", "Showing 51–60 of 60", 10}, // past the end: the last page
		{"size=50&page=2", "Showing 51–60 of 60", 10},
		{"q=zzzz-nobody", "No results", 0},
	}
	for _, tt := range tests {
		r := b.get("/customers?" + tt.query)
		info := strings.Join(strings.Fields(r.doc(t).Find(".pagination__info").Text()), " ")
		if info != tt.info || len(rows(t, r)) != tt.rows {
			t.Errorf("%q: got %q and %d rows, want %q and %d", tt.query, info, len(rows(t, r)), tt.info, tt.rows)
		}
	}
	next := b.get("/customers?sort=name&q=a").doc(t).Find(`[data-testid="next"]`).AttrOr("href", "")
	if next != "" && (!strings.Contains(next, "sort=name") || !strings.Contains(next, "q=a") || !strings.Contains(next, "page=2")) {
		t.Errorf("the next link loses the query: %q", next)
	}
	if r := b.get("/customers?q=" + url.QueryEscape("<script>")); r.StatusCode != 200 || strings.Contains(r.Body, "<script>") && !strings.Contains(r.Body, "&lt;script&gt;") {
		t.Errorf("the search text must come back escaped")
	}
}

// TestCustomerXSS: hostile names and metadata render as text in the list, the detail page and the
// Datastar fragment.
func TestCustomerXSS(t *testing.T) {
	tc := newTestConsole(t)
	ctx := context.Background()
	hostile := []string{`<script>alert(1)</script>`, `"><img src=x onerror=alert(2)>`, `'+alert(3)+'`, "line\u2028sep"}
	c, err := tc.api.CreateCustomer(ctx, hive.CustomerParams{Email: hive.String("hostile@example.com"),
		FirstName: hive.String(hostile[0]), MiddleName: hive.String(hostile[2]), LastName: hive.String(hostile[1]),
		Metadata: map[string]string{hostile[1]: hostile[0], "note": hostile[3]}})
	if err != nil {
		t.Fatal(err)
	}
	tc.sync()
	b := tc.browser()
	b.signInAs(auth.RoleReviewer)
	pages := map[string]response{
		"list":   b.get("/customers?q=script"),
		"detail": b.get("/customers/" + c.ID),
	}
	req, _ := http.NewRequest(http.MethodGet, tc.URL+"/customers/table?datastar="+url.QueryEscape(`{"q":"script"}`), nil)
	req.Header.Set("Datastar-Request", "true")
	pages["fragment"] = b.do(req)
	for name, r := range pages {
		if r.StatusCode != 200 {
			t.Fatalf("%s: %d", name, r.StatusCode)
		}
		doc := r.doc(t)
		if doc.Find("img[onerror]").Length() != 0 || strings.Contains(r.Body, "<script>alert") {
			t.Errorf("%s: hostile markup became markup", name)
		}
		if !strings.Contains(r.Body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s: the hostile name is not shown as text", name)
		}
	}
	if !strings.Contains(pages["fragment"].Body, "event: datastar-patch-elements") || !strings.Contains(pages["fragment"].Body, `replaceState({}, "", "/customers?q=script")`) {
		t.Errorf("fragment: want a patch and the address kept in step:\n%s", pages["fragment"].Body)
	}
}

func TestCustomerDetail(t *testing.T) {
	tc := newTestConsole(t)
	all, _ := tc.api.ListCustomers(context.Background())
	b := tc.browser()
	b.signInAs(auth.RoleSupport)
	var withChecks string
	for _, c := range all.Data {
		r := b.get("/customers/" + c.ID)
		if r.StatusCode != 200 || !strings.Contains(r.doc(t).Find(`[data-testid="profile"]`).Text(), c.Email) {
			t.Fatalf("detail of %s: %d", c.ID, r.StatusCode)
		}
		if r.doc(t).Find(`[data-testid="customer-checks"] tbody tr`).Length() > 0 {
			withChecks = c.ID
		}
	}
	if withChecks == "" {
		t.Error("no seeded customer shows checks")
	}
	for _, id := range []string{"8462e8ce-4245-4eca-835c-4a160b93b030", "not-an-id", "..%2F..%2Fetc"} {
		if r := b.get("/customers/" + id); r.StatusCode != http.StatusNotFound {
			t.Errorf("%s: got %d, want 404", id, r.StatusCode)
		}
	}
}
