package handlers_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hiveconsole/hiveconsole/auth"
)

// postWith sends a same-origin POST to path (which may carry a query) with body as its content, for
// tests that need the CSRF token somewhere other than where browser.post puts it.
func (b *browser) postWith(path, contentType string, body []byte, headers ...string) response {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.tc.URL+path, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return b.do(req)
}

// multipartForm encodes fields as multipart/form-data and returns the body and its content type.
func multipartForm(t *testing.T, fields map[string]string) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), w.FormDataContentType()
}

// TestCSRFTokenOnlyFromBodyOrHeader: the token counts in an urlencoded or multipart body or in the
// X-CSRF-Token header, never in the URL, where it would leak into logs, history and Referer headers
// and let a link carry it. A refused request changes nothing.
func TestCSRFTokenOnlyFromBodyOrHeader(t *testing.T) {
	tc := newTestConsole(t)
	const form = "application/x-www-form-urlencoded"
	tests := []struct {
		name   string
		send   func(b *browser, path string) response
		wantOK bool
	}{
		{"query only, empty body", func(b *browser, path string) response {
			return b.postWith(path+"?"+auth.CSRFField+"="+url.QueryEscape(b.csrf), form, nil)
		}, false},
		{"query only, other fields in the body", func(b *browser, path string) response {
			return b.postWith(path+"?"+auth.CSRFField+"="+url.QueryEscape(b.csrf), form, []byte("role=auditor"))
		}, false},
		{"query only, multipart body", func(b *browser, path string) response {
			body, ct := multipartForm(t, map[string]string{"role": "auditor"})
			return b.postWith(path+"?"+auth.CSRFField+"="+url.QueryEscape(b.csrf), ct, body)
		}, false},
		{"urlencoded body", func(b *browser, path string) response {
			return b.postWith(path, form, []byte(url.Values{auth.CSRFField: {b.csrf}}.Encode()))
		}, true},
		{"multipart body", func(b *browser, path string) response {
			body, ct := multipartForm(t, map[string]string{auth.CSRFField: b.csrf})
			return b.postWith(path, ct, body)
		}, true},
		{"header", func(b *browser, path string) response {
			return b.postWith(path, "", nil, auth.CSRFHeader, b.csrf)
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Run("sign out", func(t *testing.T) {
				b := tc.browser()
				b.signInAs(auth.RoleReviewer)
				r := tt.send(b, "/logout")
				if got := r.StatusCode == http.StatusSeeOther; got != tt.wantOK {
					t.Errorf("POST /logout: got %d, want accepted=%v", r.StatusCode, tt.wantOK)
				}
				if home := b.get("/"); (home.StatusCode == http.StatusOK) == tt.wantOK {
					t.Errorf("GET / after the post: got %d, want signed in=%v", home.StatusCode, !tt.wantOK)
				}
			})
			t.Run("sign a colleague out", func(t *testing.T) {
				admin, support := tc.browser(), tc.browser()
				admin.signInAs(auth.RoleAdmin)
				support.signInAs(auth.RoleSupport)
				r := tt.send(admin, "/users/"+tc.users[auth.RoleSupport].ID+"/revoke")
				if got := r.StatusCode == http.StatusSeeOther; got != tt.wantOK {
					t.Errorf("POST /users/:id/revoke: got %d, want accepted=%v", r.StatusCode, tt.wantOK)
				}
				if !tt.wantOK && r.StatusCode != http.StatusForbidden {
					t.Errorf("POST /users/:id/revoke: got %d, want 403", r.StatusCode)
				}
				if home := support.get("/"); (home.StatusCode == http.StatusOK) == tt.wantOK {
					t.Errorf("the colleague's GET / after the post: got %d, want signed in=%v", home.StatusCode, !tt.wantOK)
				}
			})
		})
	}
}

// TestSignInTokenOnlyFromBody: the sign-in form's own token, too, is read from the body only.
func TestSignInTokenOnlyFromBody(t *testing.T) {
	tc := newTestConsole(t)
	b := tc.browser()
	token, _ := b.get("/login").doc(t).Find(`input[name="csrf_token"]`).Attr("value")
	creds := url.Values{"email": {"admin@example.com"}, "password": {testPassword}}
	inQuery := b.postWith("/login?"+auth.CSRFField+"="+url.QueryEscape(token), "application/x-www-form-urlencoded",
		[]byte(creds.Encode()))
	if inQuery.StatusCode != http.StatusForbidden {
		t.Fatalf("token in the query: got %d, want 403", inQuery.StatusCode)
	}
	if home := b.get("/"); home.StatusCode != http.StatusSeeOther || !strings.HasPrefix(home.Header.Get("Location"), "/login") {
		t.Errorf("after the refused sign-in GET / = %d %q, want the sign-in page", home.StatusCode, home.Header.Get("Location"))
	}
	creds.Set(auth.CSRFField, token)
	if r := b.post("/login", creds); r.StatusCode != http.StatusSeeOther {
		t.Errorf("token in the body: got %d, want 303", r.StatusCode)
	}
}
