package views

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"
)

func renderDoc(t *testing.T, c templ.Component) *goquery.Document {
	t.Helper()
	var buf bytes.Buffer
	if err := c.Render(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

var testAssets = Assets{CSS: "/static/app.1.css", JS: "/static/datastar.1.js", Icons: "/static/icons.1.svg", Favicon: "/static/favicon.1.svg"}

// TestStatusBadge: every grade reads as colour, icon and text; anything unknown renders grey.
func TestStatusBadge(t *testing.T) {
	tests := []struct {
		status     Status
		class      string
		icon, text string
	}{
		{StatusClear, "badge--clear", "#i-check", "Clear"},
		{StatusCaution, "badge--caution", "#i-alert-triangle", "Caution"},
		{StatusConsider, "badge--consider", "#i-x-octagon", "Consider"},
		{StatusProcessing, "badge--processing", "#i-loader", "Processing"},
		{StatusUnknown, "badge--unknown", "#i-help-circle", "Unknown"},
		{"amber", "badge--unknown", "#i-help-circle", "Unknown"},
		{"", "badge--unknown", "#i-help-circle", "Unknown"},
	}
	for _, tc := range tests {
		badge := renderDoc(t, StatusBadge(testAssets, tc.status, "")).Find(`[data-testid="status-badge"]`)
		if !badge.HasClass(tc.class) {
			t.Errorf("%q: class %q, want %s", tc.status, badge.AttrOr("class", ""), tc.class)
		}
		if href := badge.Find("use").AttrOr("href", ""); !strings.HasSuffix(href, tc.icon) {
			t.Errorf("%q: icon %q, want %s", tc.status, href, tc.icon)
		}
		if text := strings.TrimSpace(badge.Text()); text != tc.text {
			t.Errorf("%q: text %q, want %q", tc.status, text, tc.text)
		}
	}
}

func TestLayout(t *testing.T) {
	p := Page{Title: "Overview", Nonce: "n0nce", CSRFToken: "tok", Assets: testAssets, Environment: Environment{Sandbox: true},
		User: &User{Name: "Ada Lovelace", Email: "ada@example.com", Role: "reviewer"},
		Nav:  []NavItem{{Label: "Overview", Href: "/", Icon: "home", Current: true}, {Label: "Staff", Href: "/users", Icon: "user"}}}
	doc := renderDoc(t, Layout(p))
	if got := doc.Find(`meta[name="csrf-token"]`).AttrOr("content", ""); got != "tok" {
		t.Errorf("csrf meta %q", got)
	}
	if got := doc.Find(`script[type="module"]`).AttrOr("nonce", ""); got != "n0nce" {
		t.Errorf("script nonce %q", got)
	}
	if doc.Find("script:not([src])").Length() != 0 || doc.Find("[style]").Length() != 0 {
		t.Error("inline script or style in the layout breaks the CSP")
	}
	if !doc.Find(".app").HasClass("app--sandbox") || strings.TrimSpace(doc.Find(`[data-testid="env-badge"]`).Text()) != "Sandbox" {
		t.Error("sandbox mode must show loudly")
	}
	current := doc.Find(`[data-testid="nav"] a[aria-current="page"]`)
	if current.Length() != 1 || strings.TrimSpace(current.Text()) != "Overview" {
		t.Errorf("current nav: %d %q", current.Length(), current.Text())
	}
	if doc.Find(`[data-testid="user-menu"] .avatar`).Text() != "AL" {
		t.Errorf("initials %q", doc.Find(`.avatar`).Text())
	}
	if doc.Find(`form[action="/logout"] input[name="csrf_token"]`).AttrOr("value", "") != "tok" {
		t.Error("the sign-out form lacks the CSRF token")
	}
	anon := renderDoc(t, Layout(Page{Title: "Sign in", Assets: testAssets}))
	if anon.Find(`[data-testid="nav"]`).Length() != 0 || anon.Find(`[data-testid="user-menu"]`).Length() != 0 {
		t.Error("signed-out pages show no navigation")
	}
}

// TestEscaping: API-sourced strings are text, never markup.
func TestEscaping(t *testing.T) {
	hostile := `<img src=x onerror=alert(1)>`
	doc := renderDoc(t, ErrorPage(Page{Assets: testAssets}, ErrorModel{Status: 404, Title: hostile, Message: hostile, RequestID: "r1"}))
	if doc.Find("img[onerror]").Length() != 0 {
		t.Fatal("a hostile string became an element")
	}
	if !strings.Contains(doc.Find(`[data-testid="error-page"]`).Text(), hostile) {
		t.Error("the hostile string should show as text")
	}
	if doc.Find(`[data-testid="request-id"]`).Text() != "r1" {
		t.Error("the error page lacks the request id")
	}
}

func TestAgo(t *testing.T) {
	now := mustTime(t, "2026-11-26T12:00:00Z")
	tests := []struct{ t, want string }{
		{"2026-11-26T11:59:30Z", "just now"},
		{"2026-11-26T11:55:00Z", "5 min ago"},
		{"2026-11-26T09:00:00Z", "3 h ago"},
		{"2026-11-25T10:00:00Z", "1 day ago"},
		{"2026-11-20T12:00:00Z", "6 days ago"},
		{"2026-09-20T12:00:00Z", "2 months ago"},
		{"2025-10-02T12:00:00Z", "1 year ago"},
		{"2023-01-02T12:00:00Z", "3 years ago"},
		{"2026-11-27T12:00:00Z", "27 Nov 2026"},
	}
	for _, tc := range tests {
		if got := Ago(now, mustTime(t, tc.t)); got != tc.want {
			t.Errorf("Ago(%s): got %q, want %q", tc.t, got, tc.want)
		}
	}
}

func TestNewPager(t *testing.T) {
	link := func(n int) string { return "/customers?page=" + strconv.Itoa(n) }
	tests := []struct {
		total, size, page int
		from, to          int
		labels            string
		prev, next        bool
	}{
		{0, 25, 1, 0, 0, "1", false, false},
		{10, 25, 1, 1, 10, "1", false, false},
		{100, 25, 2, 26, 50, "1 2 3 4", true, true},
		{1000, 25, 20, 476, 500, "1 … 18 19 20 21 22 … 40", true, true},
		{1000, 25, 99, 976, 1000, "1 … 38 39 40", true, false}, // past the end: the last page
		{1000, 25, -3, 1, 25, "1 2 3 … 40", false, true},
	}
	for _, tc := range tests {
		p := NewPager(tc.total, tc.size, tc.page, link)
		var labels []string
		for _, l := range p.Pages {
			labels = append(labels, l.Label)
		}
		if p.From != tc.from || p.To != tc.to || strings.Join(labels, " ") != tc.labels || (p.Prev != "") != tc.prev || (p.Next != "") != tc.next {
			t.Errorf("NewPager(%d, %d, %d): got %d–%d [%s] prev %q next %q", tc.total, tc.size, tc.page, p.From, p.To, strings.Join(labels, " "), p.Prev, p.Next)
		}
	}
}

func TestSortHeaderAndPagination(t *testing.T) {
	var buf bytes.Buffer
	buf.WriteString("<table><tr>")
	if err := SortHeader(testAssets, SortColumn{Label: "Created", State: SortDescending, Href: "/customers?sort=created&dir=asc"}).Render(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	buf.WriteString("</tr></table>")
	doc, _ := goquery.NewDocumentFromReader(&buf)
	th := doc.Find("th")
	if th.AttrOr("aria-sort", "") != "descending" || th.Find(`a.sort`).AttrOr("href", "") != "/customers?sort=created&dir=asc" {
		t.Errorf("sort header: %v", th.Nodes)
	}
	p := NewPager(100, 25, 2, func(n int) string { return "/x?page=" + strconv.Itoa(n) })
	nav := renderDoc(t, Pagination(testAssets, p)).Find(`[data-testid="pagination"]`)
	if !strings.Contains(nav.Text(), "Showing 26–50 of 100") {
		t.Errorf("info: %q", nav.Text())
	}
	if nav.Find(`a[aria-current="page"]`).Text() != "2" || nav.Find(`[data-testid="prev"]`).AttrOr("href", "") != "/x?page=1" {
		t.Error("current page or previous link wrong")
	}
	first := renderDoc(t, Pagination(testAssets, NewPager(10, 25, 1, func(int) string { return "/x" })))
	if first.Find(`[data-testid="prev"][aria-disabled="true"]`).Length() != 1 {
		t.Error("the previous link on page one must be disabled")
	}
}

func TestShortID(t *testing.T) {
	tests := []struct{ id, want string }{
		{"8462e8ce-4245-4eca-835c-4a160b93b030", "8462e8ce"},
		{"abc", "abc"},
		{"", ""},
		{"12345678", "12345678"},
		{"123456789", "12345678"},
		{"éééééééééé", "éééééééé"},
		{"日本語のIDです。長い", "日本語のIDです"},
		{"\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7", "\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8"},
	}
	for _, tc := range tests {
		if got := ShortID(tc.id); got != tc.want {
			t.Errorf("ShortID(%q): got %q, want %q", tc.id, got, tc.want)
		}
	}
	if got := shortID("8462e8ce-4245-4eca-835c-4a160b93b030"); got != "8462e8ce…" {
		t.Errorf("shortID of a UUID: got %q, want the first block and an ellipsis", got)
	}
	if got := shortID("abc"); got != "abc" {
		t.Errorf("shortID(abc): got %q, want it whole", got)
	}
}

// TestTablesShortenAnyID: the tables that shorten ids render ids of any length, never panicking
// on one shorter than what they show.
func TestTablesShortenAnyID(t *testing.T) {
	rows := []CheckListRow{{CheckRow: CheckRow{ID: "abc", Status: "complete"}}}
	tests := []struct {
		name, id string // id: where the table writes the id
		c        templ.Component
	}{
		{"checks", "a.mono", CheckResults(testAssets, "token", ChecksModel{Rows: rows, Columns: make([]SortColumn, 3)})},
		{"files", ".file-cell__id", FilesPage(Page{Assets: testAssets}, FilesModel{Rows: []FileRow{{ID: "abc", CheckID: "é"}}})},
		{"overview queue", "a.mono", OverviewPage(Page{Assets: testAssets}, OverviewModel{ShowQueue: true, Queue: rows}, false, time.Time{})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := renderDoc(t, tc.c)
			if got := doc.Find(tc.id).First().Text(); got != "abc" {
				t.Errorf("got link text %q, want abc", got)
			}
		})
	}
}

func TestDevice(t *testing.T) {
	for ua, want := range map[string]string{
		"": "Unknown browser",
		"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0":                                                "Firefox on Linux",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36 Edg/131.0": "Edge on Windows",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15":    "Safari on macOS",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1":                "Safari on iOS",
		"Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36":              "Chrome on Android",
		"curl/8.5.0": "curl",
	} {
		if got := Device(ua); got != want {
			t.Errorf("Device(%q) = %q, want %q", ua, got, want)
		}
	}
}
