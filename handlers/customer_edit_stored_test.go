package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/handlers"
	"github.com/hiveconsole/hiveconsole/hive"
)

// doubtfulPhone is a number Hive takes (a +, then 11 digits) that libphonenumber holds invalid for
// its country: the Dutch 067 range is not allocated.
const doubtfulPhone = "+31675186481"

// TestEditKeepsAnUntouchedDoubtfulPhone: a phone the user leaves alone, however the console judges
// it, never stops a save of another field and is kept exactly as stored; the form flags it with a
// warning, not an error. A number the user types is checked strictly.
func TestEditKeepsAnUntouchedDoubtfulPhone(t *testing.T) {
	tc := newTestConsole(t)
	ctx := context.Background()
	c, err := tc.api.CreateCustomer(ctx, hive.CustomerParams{Email: hive.String("kees@example.com"), FirstName: hive.String("Kees"),
		LastName: hive.String("Old"), Phone: hive.String(doubtfulPhone)})
	if err != nil {
		t.Fatal(err)
	}
	b := tc.browser()
	b.signInAs(auth.RoleSupport)

	page := b.get("/customers/" + c.ID + "/edit").doc(t)
	warning := page.Find(`[data-testid="warning-phone"]`)
	if !strings.Contains(warning.Text(), "not a valid number for its country") {
		t.Errorf("warning by the phone: got %q, want the console's doubt", warning.Text())
	}
	if n := page.Find(`[data-testid="error-phone"]`).Length(); n != 0 {
		t.Errorf("got %d errors by an untouched phone, want none", n)
	}
	phone := page.Find("#phone")
	if _, invalid := phone.Attr("aria-invalid"); invalid || !strings.Contains(phone.AttrOr("aria-describedby", ""), "phone-warning") {
		t.Errorf("phone input: aria-invalid present %v, aria-describedby %q: want valid, described by the warning",
			invalid, phone.AttrOr("aria-describedby", ""))
	}

	for _, tt := range []struct{ how, phone, lastName string }{
		{"as stored", doubtfulPhone, "Renamed"},
		{"spaced", " +31 6 7518 6481 ", "Spaced"},
		{"with separators and 00", "0031-(6)-75.18.64.81", "Separated"},
	} {
		form := editForm(t, b, c.ID)
		form.Set("phone", tt.phone)
		form.Set("last_name", tt.lastName)
		if r := b.post("/customers/"+c.ID, form); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: save of the last name: got %d, want 303:\n%s", tt.how, r.StatusCode, r.doc(t).Find(".field__error").Text())
		}
		got, _ := tc.api.GetCustomer(ctx, c.ID)
		if deref(got.Phone) != doubtfulPhone || deref(got.LastName) != tt.lastName {
			t.Errorf("%s: stored phone %q, last name %q: want %q kept as it was, %q", tt.how, deref(got.Phone), deref(got.LastName), doubtfulPhone, tt.lastName)
		}
	}

	form := editForm(t, b, c.ID)
	form.Set("phone", "+31 6021 21918") // typed now, and just as invalid
	form.Set("last_name", "Never")
	resp := b.post("/customers/"+c.ID, form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a new invalid phone: got %d, want 422", resp.StatusCode)
	}
	doc := resp.doc(t)
	if msg := doc.Find(`[data-testid="error-phone"]`).Text(); !strings.Contains(msg, "not a valid number for its country") {
		t.Errorf("error by a new invalid phone: got %q, want the message", msg)
	}
	if v := doc.Find("#phone").AttrOr("value", ""); v != "+31 6021 21918" {
		t.Errorf("phone shown again: got %q, want it as typed", v)
	}
	if got, _ := tc.api.GetCustomer(ctx, c.ID); deref(got.Phone) != doubtfulPhone || deref(got.LastName) == "Never" {
		t.Errorf("a refused form was saved: phone %q, last name %q", deref(got.Phone), deref(got.LastName))
	}

	form.Set("phone", "+31 6 1234 5678") // a valid number replaces the doubtful one, in E.164
	if r := b.post("/customers/"+c.ID, form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("a new valid phone: got %d, want 303", r.StatusCode)
	}
	if got, _ := tc.api.GetCustomer(ctx, c.ID); deref(got.Phone) != "+31612345678" {
		t.Errorf("stored phone: got %q, want +31612345678", deref(got.Phone))
	}

	// Left alone, even a valid number stays as stored: the save does not rewrite it in E.164.
	if _, err := tc.api.UpdateCustomer(ctx, c.ID, hive.CustomerParams{Phone: hive.String("+31 6 1234 5678")}); err != nil {
		t.Fatal(err)
	}
	form = editForm(t, b, c.ID)
	form.Set("last_name", "Last")
	if r := b.post("/customers/"+c.ID, form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("save of the last name: got %d, want 303", r.StatusCode)
	}
	if got, _ := tc.api.GetCustomer(ctx, c.ID); deref(got.Phone) != "+31 6 1234 5678" || deref(got.LastName) != "Last" {
		t.Errorf("stored phone %q, last name %q: want +31 6 1234 5678 as it was, Last", deref(got.Phone), deref(got.LastName))
	}
}

// TestStaleEditShowsTheConflictFirst: when someone else changed a field the user left alone, the
// stale form is refused for the conflict, not for that field, and nothing is saved.
func TestStaleEditShowsTheConflictFirst(t *testing.T) {
	tc := newTestConsole(t)
	ctx := context.Background()
	c, err := tc.api.CreateCustomer(ctx, hive.CustomerParams{Email: hive.String("stale@example.com"), LastName: hive.String("Old"),
		Phone: hive.String(doubtfulPhone)})
	if err != nil {
		t.Fatal(err)
	}
	b := tc.browser()
	b.signInAs(auth.RoleSupport)
	form := editForm(t, b, c.ID)
	if _, err := tc.api.UpdateCustomer(ctx, c.ID, hive.CustomerParams{Phone: hive.String("+31612345678")}); err != nil {
		t.Fatal(err)
	}
	form.Set("last_name", "Mine")
	resp := b.post("/customers/"+c.ID, form)
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("stale form: got %d, want 409", resp.StatusCode)
	}
	if rows := resp.doc(t).Find(`[data-testid="conflict"]`).Text(); !strings.Contains(rows, "Phone") || !strings.Contains(rows, "+31612345678") {
		t.Errorf("conflict: got %q, want the phone's two versions", rows)
	}
	if got, _ := tc.api.GetCustomer(ctx, c.ID); deref(got.LastName) != "Old" || deref(got.Phone) != "+31612345678" {
		t.Errorf("stored: last name %q, phone %q: want nothing of the stale form", deref(got.LastName), deref(got.Phone))
	}
}

// heldHive is Hive holding values the sandbox would refuse today, as records written by an older
// integration may hold them (the sandbox cannot be made to store them): GetCustomer returns the
// sandbox's customer with hold applied, and UpdateCustomer records what the console sends before
// passing it on.
type heldHive struct {
	handlers.Hive
	hold func(*hive.Customer)
	mu   sync.Mutex
	sent []hive.CustomerParams
}

func (h *heldHive) GetCustomer(ctx context.Context, id string) (*hive.Customer, error) {
	c, err := h.Hive.GetCustomer(ctx, id)
	if err == nil {
		h.hold(c)
	}
	return c, err
}

func (h *heldHive) UpdateCustomer(ctx context.Context, id string, p hive.CustomerParams) (*hive.Customer, error) {
	h.mu.Lock()
	h.sent = append(h.sent, p)
	h.mu.Unlock()
	return h.Hive.UpdateCustomer(ctx, id, p)
}

func (h *heldHive) lastSent() hive.CustomerParams {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.sent) == 0 {
		return hive.CustomerParams{}
	}
	return h.sent[len(h.sent)-1]
}

// TestEditKeepsEveryUntouchedDoubtfulField: the rule for the phone holds for every field the
// console checks. A stored value it doubts shows a warning by its field, a save of another field
// goes through without sending it, and a new value typed into that field is checked strictly.
func TestEditKeepsEveryUntouchedDoubtfulField(t *testing.T) {
	longKey := strings.Repeat("k", 45)
	many := map[string]string{}
	for i := range 51 {
		many[fmt.Sprintf("key%02d", i)] = "v"
	}
	tests := []struct {
		field     string
		hold      func(*hive.Customer)
		sent      func(hive.CustomerParams) bool // whether the held value went out with the save
		change    map[string]string              // form fields typed anew, as doubtful
		wantDoubt string
	}{
		{"email", func(c *hive.Customer) { c.Email = "ops@localhost" },
			func(p hive.CustomerParams) bool { return p.Email != nil }, map[string]string{"email": "desk@localhost"}, "like name@example.com"},
		{"first_name", func(c *hive.Customer) { c.FirstName = hive.String(strings.Repeat("a", 120)) },
			func(p hive.CustomerParams) bool { return p.FirstName != nil }, map[string]string{"first_name": strings.Repeat("b", 101)}, "at most 100"},
		{"gender", func(c *hive.Customer) { c.Gender = hive.String("Other") },
			func(p hive.CustomerParams) bool { return p.Gender != nil }, map[string]string{"gender": "unknown"}, "male or female"},
		{"dob", func(c *hive.Customer) { c.DOB = hive.String("01-01-1890") },
			func(p hive.CustomerParams) bool { return p.DOB != nil }, map[string]string{"dob": "02-01-1890"}, "after 1900"},
		{"metadata", func(c *hive.Customer) { c.Metadata = hive.Metadata{longKey: "v", "plan": "gold"} },
			func(p hive.CustomerParams) bool { _, ok := p.Metadata[longKey]; return ok }, map[string]string{"meta_value_0": "w"}, "at most 40"},
		{"metadata", func(c *hive.Customer) { c.Metadata = many },
			func(p hive.CustomerParams) bool { return len(p.Metadata) > 0 }, map[string]string{"meta_key_51": "one_more", "meta_value_51": "v"}, "At most 50"},
	}
	for _, tt := range tests {
		t.Run(tt.field+"/"+tt.wantDoubt, func(t *testing.T) {
			held := &heldHive{hold: tt.hold}
			tc := newTestConsole(t, func(c *handlers.Config, _ *auth.Config) { held.Hive = c.Hive; c.Hive = held })
			c, err := tc.api.CreateCustomer(context.Background(), hive.CustomerParams{Email: hive.String("held@example.com"), LastName: hive.String("Old")})
			if err != nil {
				t.Fatal(err)
			}
			b := tc.browser()
			b.signInAs(auth.RoleSupport)

			page := b.get("/customers/" + c.ID + "/edit").doc(t)
			if msg := page.Find(`[data-testid="warning-` + tt.field + `"]`).Text(); !strings.Contains(msg, tt.wantDoubt) {
				t.Errorf("warning by %s: got %q, want one saying %q", tt.field, msg, tt.wantDoubt)
			}
			if n := page.Find(`.field__error`).Length(); n != 0 {
				t.Errorf("got %d errors on a form nobody has touched, want none", n)
			}

			form := editForm(t, b, c.ID)
			form.Set("last_name", "New")
			if r := b.post("/customers/"+c.ID, form); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("save of the last name: got %d, want 303:\n%s", r.StatusCode, r.doc(t).Find(".field__error").Text())
			}
			if p := held.lastSent(); tt.sent(p) || deref(p.LastName) != "New" {
				t.Errorf("sent %+v: want the new last name and nothing of the held %s", p, tt.field)
			}

			form = editForm(t, b, c.ID)
			form.Set("last_name", "Newer")
			for k, v := range tt.change {
				form.Set(k, v)
			}
			resp := b.post("/customers/"+c.ID, form)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("a new doubtful %s: got %d, want 422", tt.field, resp.StatusCode)
			}
			if msg := resp.doc(t).Find(`[data-testid="error-` + tt.field + `"]`).Text(); !strings.Contains(msg, tt.wantDoubt) {
				t.Errorf("error by %s: got %q, want one saying %q", tt.field, msg, tt.wantDoubt)
			}
			if p := held.lastSent(); deref(p.LastName) == "Newer" {
				t.Error("a refused form was sent to Hive")
			}
		})
	}
}

// TestEditorsSeeContactInClear: the edit form shows email, phone and date of birth as stored and
// reads a value that comes back unchanged as "keep it". A role that saw them masked would post the
// mask back as a new value and overwrite the record with it, so every role that may edit
// customers must see their contact data in clear; a permission table that breaks this must first
// teach the form to keep a masked field.
func TestEditorsSeeContactInClear(t *testing.T) {
	for _, role := range auth.AllRoles() {
		if role.Can(auth.EditCustomers) && !role.Can(auth.SeeRecordPII) {
			t.Errorf("%s: may edit customers but sees their contact data masked", role)
		}
	}
}
