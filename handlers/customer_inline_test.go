package handlers_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/hive"
)

// datastarPost sends a form as Datastar's @post(…, {contentType: 'form'}) does: multipart, with the
// Datastar and CSRF headers.
func (b *browser) datastarPost(path string, fields map[string]string) response {
	b.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, b.tc.URL+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Datastar-Request", "true")
	req.Header.Set("X-CSRF-Token", b.csrf)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

// TestInlineEdit: with Datastar the edit form replaces the profile in place, a mistake patches only
// the fields with the message, and a good save puts the profile back with a toast.
func TestInlineEdit(t *testing.T) {
	tc := newTestConsole(t)
	ctx := context.Background()
	c, err := tc.api.CreateCustomer(ctx, hive.CustomerParams{Email: hive.String("inline@example.com"), FirstName: hive.String("In"), LastName: hive.String("Line")})
	if err != nil {
		t.Fatal(err)
	}
	b := tc.browser()
	b.signInAs(auth.RoleSupport)
	req, _ := http.NewRequest(http.MethodGet, tc.URL+"/customers/"+c.ID+"/edit", nil)
	req.Header.Set("Datastar-Request", "true")
	form := b.do(req)
	if !strings.Contains(form.Body, "event: datastar-patch-elements") || !strings.Contains(form.Body, `id="customer-profile"`) {
		t.Fatalf("edit: want the inline form patched in:\n%.300s", form.Body)
	}
	version := form.doc(t).Find(`input[name="version"]`).AttrOr("value", "")
	fields := map[string]string{"email": "inline@example.com", "first_name": "In", "last_name": "Line", "dob": "31-02-1990",
		"version": version, "csrf_token": b.csrf}
	bad := b.datastarPost("/customers/"+c.ID, fields)
	if !strings.Contains(bad.Body, `id="customer-form-fields"`) || !strings.Contains(bad.Body, `data-testid="error-dob"`) {
		t.Fatalf("bad save: want the fields with the message:\n%s", bad.Body)
	}
	fields["dob"] = "09-12-1946"
	fields["last_name"] = "Lined"
	good := b.datastarPost("/customers/"+c.ID, fields)
	for _, want := range []string{`id="customer-profile"`, `id="customer-heading"`, `data-testid="toast"`, "Changes saved."} {
		if !strings.Contains(good.Body, want) {
			t.Errorf("good save lacks %s:\n%s", want, good.Body)
		}
	}
	if got, _ := tc.api.GetCustomer(ctx, c.ID); got.DOB == nil || *got.DOB != "09-12-1946" || *got.LastName != "Lined" {
		t.Errorf("stored: %+v", got)
	}
}

// TestInlineEditKeepsAnUntouchedDoubtfulPhone: the inline form follows the full form's rule. Its
// phone, stored as the console would not accept it, shows a warning, stops no save of another field
// and stays as it was; a new invalid number typed into it is refused with the message.
func TestInlineEditKeepsAnUntouchedDoubtfulPhone(t *testing.T) {
	tc := newTestConsole(t)
	ctx := context.Background()
	c, err := tc.api.CreateCustomer(ctx, hive.CustomerParams{Email: hive.String("inline-kept@example.com"), LastName: hive.String("Old"),
		Phone: hive.String(doubtfulPhone)})
	if err != nil {
		t.Fatal(err)
	}
	b := tc.browser()
	b.signInAs(auth.RoleSupport)
	openInline := func() response {
		req, _ := http.NewRequest(http.MethodGet, tc.URL+"/customers/"+c.ID+"/edit", nil)
		req.Header.Set("Datastar-Request", "true")
		return b.do(req)
	}
	form := openInline()
	if msg := form.doc(t).Find(`[data-testid="warning-phone"]`).Text(); !strings.Contains(msg, "not a valid number for its country") {
		t.Errorf("inline form: warning by the phone %q, want the console's doubt", msg)
	}
	fields := map[string]string{"email": "inline-kept@example.com", "phone": doubtfulPhone, "last_name": "Renamed",
		"version": form.doc(t).Find(`input[name="version"]`).AttrOr("value", ""), "csrf_token": b.csrf}
	if good := b.datastarPost("/customers/"+c.ID, fields); !strings.Contains(good.Body, "Changes saved.") {
		t.Fatalf("save of the last name: want the profile back with a toast:\n%s", good.Body)
	}
	if got, _ := tc.api.GetCustomer(ctx, c.ID); deref(got.Phone) != doubtfulPhone || deref(got.LastName) != "Renamed" {
		t.Errorf("stored phone %q, last name %q: want %q kept as it was, Renamed", deref(got.Phone), deref(got.LastName), doubtfulPhone)
	}

	fields["version"] = openInline().doc(t).Find(`input[name="version"]`).AttrOr("value", "")
	fields["phone"], fields["last_name"] = "+31602121918", "Never"
	bad := b.datastarPost("/customers/"+c.ID, fields)
	if msg := bad.doc(t).Find(`[data-testid="error-phone"]`).Text(); !strings.Contains(msg, "not a valid number for its country") {
		t.Errorf("a new invalid phone: error %q, want the message", msg)
	}
	if got, _ := tc.api.GetCustomer(ctx, c.ID); deref(got.Phone) != doubtfulPhone || deref(got.LastName) != "Renamed" {
		t.Errorf("a refused form was saved: phone %q, last name %q", deref(got.Phone), deref(got.LastName))
	}
}
