package handlers_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/handlers"
	"github.com/hiveconsole/hiveconsole/hive"
)

func validCustomer() url.Values {
	return url.Values{"email": {"ada@example.com"}, "first_name": {"Ada"}, "last_name": {"Lovelace"}, "gender": {"female"},
		"dob": {"10-12-1915"}, "phone": {"+44 20 7946 0958"}, "meta_key_0": {"plan"}, "meta_value_0": {"gold"}}
}

func TestCreateCustomer(t *testing.T) {
	tc := newTestConsole(t)
	b := tc.browser()
	b.signInAs(auth.RoleSupport)
	resp := b.post("/customers", validCustomer())
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/customers/") {
		t.Fatalf("create: %d %q %s", resp.StatusCode, resp.Header.Get("Location"), resp.Body)
	}
	id := strings.TrimPrefix(resp.Header.Get("Location"), "/customers/")
	c, err := tc.api.GetCustomer(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if *c.Phone != "+442079460958" || *c.DOB != "10-12-1915" || c.Metadata["plan"] != "gold" || c.MiddleName != nil {
		t.Errorf("stored: phone %v dob %v meta %v middle %v", deref(c.Phone), deref(c.DOB), c.Metadata, c.MiddleName)
	}
	if list := b.get("/customers?q=ada%40example.com"); len(rows(t, list)) != 1 {
		t.Error("the new customer is not in the list at once")
	}
}

func deref(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

// TestCustomerValidation: each rule gets a message by its field and keeps everything typed.
func TestCustomerValidation(t *testing.T) {
	tc := newTestConsole(t)
	b := tc.browser()
	b.signInAs(auth.RoleAdmin)
	tests := []struct {
		field, value, errField string
	}{
		{"email", "", "email"},
		{"email", "not-an-email", "email"},
		{"email", "Ada <ada@example.com>", "email"},
		{"gender", "other", "gender"},
		{"dob", "1815-12-10", "dob"},
		{"dob", "31-02-2000", "dob"},
		{"dob", "01-01-2999", "dob"},
		{"phone", "020 7946 0958", "phone"},
		{"phone", "+44 12", "phone"},
		{"first_name", strings.Repeat("x", 101), "first_name"},
		{"meta_key_0", strings.Repeat("k", 41), "metadata"},
		{"meta_value_0", strings.Repeat("v", 501), "metadata"},
		{"meta_key_0", "", "metadata"}, // a value without a key
	}
	for _, tt := range tests {
		t.Run(tt.field+"="+tt.value, func(t *testing.T) {
			form := validCustomer()
			form.Set(tt.field, tt.value)
			resp := b.post("/customers", form)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("got %d, want 422", resp.StatusCode)
			}
			doc := resp.doc(t)
			if doc.Find(`[data-testid="error-`+tt.errField+`"]`).Text() == "" {
				t.Errorf("no message by %s", tt.errField)
			}
			if v, _ := doc.Find(`#last_name`).Attr("value"); v != "Lovelace" {
				t.Errorf("what was typed was lost: last name %q", v)
			}
		})
	}
}

func TestEditCustomer(t *testing.T) {
	tc := newTestConsole(t)
	ctx := context.Background()
	c, err := tc.api.CreateCustomer(ctx, hive.CustomerParams{Email: hive.String("edit@example.com"), FirstName: hive.String("Edith"),
		Phone: hive.String("+442079460958"), Metadata: map[string]string{"plan": "gold", "tier": "2"}})
	if err != nil {
		t.Fatal(err)
	}
	b := tc.browser()
	b.signInAs(auth.RoleSupport)
	formPage := b.get("/customers/" + c.ID + "/edit").doc(t)
	form := url.Values{}
	formPage.Find(`[data-testid="customer-form"] input, [data-testid="customer-form"] select`).Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		if name == "" || name == "csrf_token" {
			return
		}
		val, _ := s.Attr("value")
		if s.Is("select") {
			val, _ = s.Find("option[selected]").Attr("value")
		}
		form.Set(name, val)
	})
	if form.Get("version") == "" || form.Get("first_name") != "Edith" {
		t.Fatalf("the edit form is not filled: %v", form)
	}
	form.Set("phone", "")        // cleared on purpose
	form.Set("last_name", "Nnn") // set
	for i := 0; i < 5; i++ {     // remove "tier", keep "plan"
		if form.Get("meta_key_"+string(rune('0'+i))) == "tier" {
			form.Set("meta_value_"+string(rune('0'+i)), "")
		}
	}
	resp := b.post("/customers/"+c.ID, form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d %s", resp.StatusCode, resp.Body)
	}
	got, _ := tc.api.GetCustomer(ctx, c.ID)
	if got.Phone != nil || *got.LastName != "Nnn" || *got.FirstName != "Edith" || got.Metadata["plan"] != "gold" || got.Metadata["tier"] != "" {
		t.Errorf("after save: %+v", got)
	}

	// Someone else saves in between: the stale form is not written, both versions are shown.
	stale := form
	stale.Set("first_name", "Mine")
	if _, err := tc.api.UpdateCustomer(ctx, c.ID, hive.CustomerParams{FirstName: hive.String("Theirs")}); err != nil {
		t.Fatal(err)
	}
	resp = b.post("/customers/"+c.ID, stale)
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("stale save: got %d, want 409", resp.StatusCode)
	}
	conflict := resp.doc(t).Find(`[data-testid="conflict"]`).Text()
	if !strings.Contains(conflict, "Mine") || !strings.Contains(conflict, "Theirs") {
		t.Errorf("conflict view: %q", conflict)
	}
	if now, _ := tc.api.GetCustomer(ctx, c.ID); *now.FirstName != "Theirs" {
		t.Fatalf("the stale form overwrote: %q", *now.FirstName)
	}
	// Saving the conflict form again means "mine wins".
	again := url.Values{}
	resp.doc(t).Find(`[data-testid="customer-form"] input`).Each(func(_ int, s *goquery.Selection) {
		if name, _ := s.Attr("name"); name != "" && name != "csrf_token" {
			again.Set(name, s.AttrOr("value", ""))
		}
	})
	again.Set("gender", "")
	if r := b.post("/customers/"+c.ID, again); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("overwrite: %d", r.StatusCode)
	}
	if now, _ := tc.api.GetCustomer(ctx, c.ID); *now.FirstName != "Mine" {
		t.Errorf("mine did not win: %q", *now.FirstName)
	}
	if r := b.get("/customers/" + c.ID + "/edit"); r.StatusCode != 200 {
		t.Errorf("edit page: %d", r.StatusCode)
	}
	for _, id := range []string{"8462e8ce-4245-4eca-835c-4a160b93b030", "nope"} {
		if r := b.get("/customers/" + id + "/edit"); r.StatusCode != http.StatusNotFound {
			t.Errorf("edit %s: got %d, want 404", id, r.StatusCode)
		}
	}
}

func TestDeleteCustomer(t *testing.T) {
	tc := newTestConsole(t)
	ctx := context.Background()
	all, _ := tc.api.ListCustomers(ctx)
	admin := tc.browser()
	admin.signInAs(auth.RoleAdmin)
	var victim hive.Customer
	for _, c := range all.Data {
		page := admin.get("/customers/" + c.ID + "/delete")
		if strings.Contains(page.doc(t).Find(`[data-testid="delete-impact"]`).Text(), "1 checks") {
			victim = c
			break
		}
	}
	if victim.ID == "" {
		victim = all.Data[0]
	}
	wrong := admin.post("/customers/"+victim.ID+"/delete", url.Values{"confirm_email": {"someone@else.com"}})
	if wrong.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("wrong email: %d", wrong.StatusCode)
	}
	if _, err := tc.api.GetCustomer(ctx, victim.ID); err != nil {
		t.Fatal("deleted without the right email")
	}
	ok := admin.post("/customers/"+victim.ID+"/delete", url.Values{"confirm_email": {strings.ToUpper(victim.Email)}})
	if ok.StatusCode != http.StatusSeeOther || ok.Header.Get("Location") != "/customers" {
		t.Fatalf("delete: %d", ok.StatusCode)
	}
	if _, err := tc.api.GetCustomer(ctx, victim.ID); err == nil {
		t.Fatal("the customer is still at Hive")
	}
	if list := admin.get("/customers?q=" + url.QueryEscape(victim.Email)); len(rows(t, list)) != 0 {
		t.Error("the deleted customer is still listed")
	}
}

// TestExportCSV: the export is exactly the filtered, sorted list, every page, with formula cells
// neutralised.
func TestExportCSV(t *testing.T) {
	tc := newTestConsoleWith(t, 40)
	ctx := context.Background()
	if _, err := tc.api.CreateCustomer(ctx, hive.CustomerParams{Email: hive.String("formula@example.com"),
		FirstName: hive.String("=HYPERLINK(\"http://evil\")"), LastName: hive.String("@SUM(A1)")}); err != nil {
		t.Fatal(err)
	}
	tc.sync()
	b := tc.browser()
	b.signInAs(auth.RoleAdmin) // sees emails in clear, so the order can be checked
	screen := b.get("/customers?sort=email&size=25")
	href := screen.doc(t).Find(`[data-testid="export-csv"]`).AttrOr("href", "")
	if !strings.Contains(href, "sort=email") {
		t.Fatalf("export link %q does not carry the view", href)
	}
	resp := b.get(href)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("export: %d %v", resp.StatusCode, resp.Header)
	}
	records, err := csv.NewReader(strings.NewReader(resp.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 1+41 {
		t.Fatalf("got %d rows, want every customer (41) and a header", len(records)-1)
	}
	for i := 2; i < len(records); i++ {
		if records[i-1][2] > records[i][2] {
			t.Fatalf("not in the screen's order at %d", i)
		}
	}
	if got := rows(t, screen); got[0] != records[1][2] {
		t.Errorf("first row: screen %q, CSV %q", got[0], records[1][2])
	}
	for _, r := range records {
		if strings.Contains(r[2], "formula@") && !strings.HasPrefix(r[1], "'=") {
			t.Errorf("formula not neutralised: %q", r[1])
		}
	}
	filtered := b.get("/customers/export.csv?q=formula")
	if n := strings.Count(strings.TrimSpace(filtered.Body), "\n"); n != 1 {
		t.Errorf("filtered export: %d data rows, want 1", n)
	}
	support := tc.browser()
	support.signInAs(auth.RoleSupport)
	if r := support.get("/customers/export.csv"); r.StatusCode != http.StatusForbidden {
		t.Errorf("support export: got %d, want 403", r.StatusCode)
	}
}

// refusingHive passes everything to the real sandbox but refuses customer writes as Hive would a
// value it does not accept, naming the field.
type refusingHive struct {
	handlers.Hive
	field string
}

func (r refusingHive) CreateCustomer(context.Context, hive.CustomerParams) (*hive.Customer, error) {
	return nil, &hive.Error{Code: hive.CodeInvalid, StatusCode: 422, Field: r.field, Message: "this value is not accepted"}
}

// TestAPIErrorsMapToFields: what Hive refuses comes back by the field Hive named, with the form
// as typed.
func TestAPIErrorsMapToFields(t *testing.T) {
	for _, tt := range []struct{ field, shown string }{{"email", "email"}, {"metadata[plan]", "metadata"}, {"", "form"}} {
		tc := newTestConsole(t, func(c *handlers.Config, _ *auth.Config) { c.Hive = refusingHive{Hive: c.Hive, field: tt.field} })
		b := tc.browser()
		b.signInAs(auth.RoleSupport)
		resp := b.post("/customers", validCustomer())
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%s: got %d", tt.field, resp.StatusCode)
		}
		doc := resp.doc(t)
		msg := doc.Find(`[data-testid="error-` + tt.shown + `"]`).Text()
		if tt.shown == "form" {
			msg = doc.Find(`[data-testid="form-error"]`).Text()
		}
		if !strings.Contains(msg, "not accepted") {
			t.Errorf("%s: message %q", tt.field, msg)
		}
		if v, _ := doc.Find(`#first_name`).Attr("value"); v != "Ada" {
			t.Errorf("%s: typed values lost", tt.field)
		}
	}
}

// TestCustomerPageShowsTheFlash: after a save without JavaScript, the customer page says so (the
// page's reveal forms must not take the flash meant for it).
func TestCustomerPageShowsTheFlash(t *testing.T) {
	tc := newTestConsole(t)
	cust, err := tc.api.CreateCustomer(context.Background(), customer("flash@example.com", "Fla", "Sh"))
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range []auth.Role{auth.RoleAdmin, auth.RoleSupport} {
		b := tc.browser()
		b.signInAs(role)
		form := editForm(t, b, cust.ID)
		form.Set("first_name", "Flash"+string(role))
		if r := b.post("/customers/"+cust.ID, form); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: save: %d", role, r.StatusCode)
		}
		if got := b.get("/customers/" + cust.ID).doc(t).Find(`[data-testid="flash"]`).Text(); !strings.Contains(got, "Changes saved") {
			t.Errorf("%s: flash %q", role, got)
		}
	}
}

// TestFragmentsLeaveTheFlash: a Datastar patch answered between a save and the next page (another
// tab's search, say) must not take the message meant for that page.
func TestFragmentsLeaveTheFlash(t *testing.T) {
	tc := newTestConsole(t)
	cust, err := tc.api.CreateCustomer(context.Background(), customer("fragment@example.com", "Fra", "Gment"))
	if err != nil {
		t.Fatal(err)
	}
	b := tc.browser()
	b.signInAs(auth.RoleAdmin)
	form := editForm(t, b, cust.ID)
	form.Set("first_name", "Frag")
	if r := b.post("/customers/"+cust.ID, form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", r.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodGet, tc.URL+"/customers/table?datastar="+url.QueryEscape(`{"q":"fragment"}`), nil)
	req.Header.Set("Datastar-Request", "true")
	if r := b.do(req); r.StatusCode != http.StatusOK {
		t.Fatalf("table: %d", r.StatusCode)
	}
	if got := b.get("/customers/" + cust.ID).doc(t).Find(`[data-testid="flash"]`).Text(); !strings.Contains(got, "Changes saved") {
		t.Errorf("flash after a patch in between: %q", got)
	}
}
