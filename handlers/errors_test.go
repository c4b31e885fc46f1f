package handlers_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/handlers"
	"github.com/hiveconsole/hiveconsole/hive"
)

// failingHive answers every call with one error, as an unreachable or failing Hive would.
type failingHive struct {
	handlers.Hive // calls the test does not expect panic
	err           error
}

func (f failingHive) ListCustomers(context.Context) (*hive.List[hive.Customer], error) {
	return nil, f.err
}
func (f failingHive) ListSessions(context.Context) (*hive.List[hive.Session], error) {
	return nil, f.err
}
func (f failingHive) ListChecks(context.Context) (*hive.List[hive.Check], error)  { return nil, f.err }
func (f failingHive) ListFiles(context.Context) (*hive.List[hive.File], error)    { return nil, f.err }
func (f failingHive) GetCustomer(context.Context, string) (*hive.Customer, error) { return nil, f.err }

func withHive(h handlers.Hive) option {
	return func(c *handlers.Config, _ *auth.Config) { c.Hive = h }
}

// TestErrorPages: typed errors become their status and a page with the layout and the request id,
// and nothing internal — no Go error text, stack, file path or upstream detail.
func TestErrorPages(t *testing.T) {
	secret := "upstream said: database password=hunter2 at /srv/hive/main.go:42"
	tests := []struct {
		name   string
		err    error
		status int
		retry  bool
	}{
		{"unreachable", &hive.Error{Code: hive.CodeUnavailable, Op: "GET /customers", Err: errors.New(secret)}, 503, true},
		{"failing", &hive.Error{Code: hive.CodeUnavailable, StatusCode: 500, Message: secret}, 502, true},
		{"rate limited", &hive.Error{Code: hive.CodeRateLimited, StatusCode: 429, RetryAfter: 7e9}, 503, true},
		{"bad answer", &hive.Error{Code: hive.CodeBadResponse, Err: errors.New(secret)}, 502, false},
		{"credentials refused", &hive.Error{Code: hive.CodeUnauthorized, StatusCode: 401, Message: secret}, 502, false},
		{"not found", &hive.Error{Code: hive.CodeNotFound, StatusCode: 404, Message: secret}, 404, false},
		{"untyped", errors.New(secret), 500, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tc := newTestConsole(t, withHive(failingHive{err: tt.err}))
			b := tc.browser()
			b.signInAs(auth.RoleReviewer)
			resp := b.get("/customers/00000000-0000-4000-8000-000000000001") // read from Hive live
			if resp.StatusCode != tt.status {
				t.Fatalf("got %d, want %d", resp.StatusCode, tt.status)
			}
			doc := resp.doc(t)
			if doc.Find(`[data-testid="error-page"]`).Length() != 1 || doc.Find(`[data-testid="nav"]`).Length() != 1 {
				t.Fatal("want the error page inside the layout")
			}
			if id := doc.Find(`[data-testid="request-id"]`).Text(); id == "" || id != resp.Header.Get("X-Request-Id") {
				t.Errorf("request id: page %q, header %q", id, resp.Header.Get("X-Request-Id"))
			}
			for _, leak := range []string{"hunter2", "main.go", "/srv/", "goroutine", "upstream said"} {
				if strings.Contains(resp.Body, leak) {
					t.Errorf("the page leaks %q", leak)
				}
			}
			if got := resp.Header.Get("Retry-After") != ""; got != tt.retry {
				t.Errorf("Retry-After %q, want set=%v", resp.Header.Get("Retry-After"), tt.retry)
			}
		})
	}
}

// TestSecurityHeaders: pages, error pages, static files and health endpoints all carry the headers.
func TestSecurityHeaders(t *testing.T) {
	tc := newTestConsole(t)
	b := tc.browser()
	b.signInAs(auth.RoleAdmin)
	css := b.get("/").doc(t).Find(`link[rel="stylesheet"]`).AttrOr("href", "")
	if !strings.HasPrefix(css, "/static/app.") {
		t.Fatalf("stylesheet href %q is not content-hashed", css)
	}
	for _, path := range []string{"/", "/login", "/nope", css, "/healthz"} {
		resp := b.get(path)
		h := resp.Header
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "script-src 'self' 'nonce-", "'unsafe-eval'", "frame-ancestors 'none'", "object-src 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP allows inline code", path)
		}
		for name, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
			"Cross-Origin-Opener-Policy": "same-origin", "X-Frame-Options": "DENY"} {
			if h.Get(name) != want {
				t.Errorf("%s: %s = %q, want %q", path, name, h.Get(name), want)
			}
		}
		if h.Get("Server") != "" {
			t.Errorf("%s: Server header %q", path, h.Get("Server"))
		}
		if path == css {
			if !strings.Contains(h.Get("Cache-Control"), "immutable") {
				t.Errorf("%s: Cache-Control %q", path, h.Get("Cache-Control"))
			}
		} else if h.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", path, h.Get("Cache-Control"))
		}
	}
	// The nonce is fresh on every response and is the one on the page's script.
	first, second := b.get("/"), b.get("/")
	n1 := first.doc(t).Find("script[nonce]").AttrOr("nonce", "")
	if n1 == "" || !strings.Contains(first.Header.Get("Content-Security-Policy"), "'nonce-"+n1+"'") {
		t.Errorf("script nonce %q is not the CSP's", n1)
	}
	if n1 == second.doc(t).Find("script[nonce]").AttrOr("nonce", "") {
		t.Error("the nonce repeats across responses")
	}
}

func TestHealthAndMetrics(t *testing.T) {
	tc := newTestConsole(t)
	b := tc.browser()
	if r := b.get("/healthz"); r.StatusCode != 200 {
		t.Errorf("healthz: %d", r.StatusCode)
	}
	if r := b.get("/readyz"); r.StatusCode != 200 {
		t.Errorf("readyz: %d %s", r.StatusCode, r.Body)
	}
	b.signInAs(auth.RoleAdmin)
	b.get("/")
	m := b.get("/metrics").Body
	for _, want := range []string{`hiveconsole_http_requests_total{method="GET",route="/",status="200"}`,
		"hiveconsole_http_request_duration_seconds", "hiveconsole_sse_streams_active", "go_goroutines"} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	down := newTestConsole(t, func(c *handlers.Config, _ *auth.Config) {
		c.HivePing = func(context.Context) error { return errors.New("no route to host") }
	})
	if r := down.browser().get("/readyz"); r.StatusCode != 503 || strings.Contains(r.Body, "no route") {
		t.Errorf("readyz with Hive down: %d %q", r.StatusCode, r.Body)
	}
}
