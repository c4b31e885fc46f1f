package views

import (
	"bytes"
	"context"
	"strings"
	"testing"

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
		{"2026-11-20T12:00:00Z", "6 days ago"},
		{"2025-01-02T12:00:00Z", "2 Jan 2025"},
	}
	for _, tc := range tests {
		if got := Ago(now, mustTime(t, tc.t)); got != tc.want {
			t.Errorf("Ago(%s): got %q, want %q", tc.t, got, tc.want)
		}
	}
}
