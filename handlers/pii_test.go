package handlers_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/hive/sandbox"
	"github.com/hiveconsole/hiveconsole/mrz"
)

// piiFixture is a customer with a completed check, and every classified value the console shows
// of them, as Hive holds it.
type piiFixture struct {
	customerID, checkID, sessionID string
	record                         map[string]string // from the customer record
	report                         map[string]string // from the report
}

func newPIIFixture(t *testing.T, tc *testConsole) piiFixture {
	t.Helper()
	p := customer("piiperson@example.com", "Pia", "Private")
	p.Phone = hive.String("+447911123456")
	ch := scenarioCheck(t, tc, p, sandbox.ScenarioVPNTor)
	ctx := context.Background()
	rep, err := tc.api.GetReport(ctx, ch.ID)
	if err != nil {
		t.Fatal(err)
	}
	s, err := tc.api.GetSession(ctx, ch.SessionID)
	if err != nil {
		t.Fatal(err)
	}
	doc := rep.Document.Properties
	dev := rep.Customer.Properties.Mobile
	if dev == nil {
		dev = rep.Customer.Properties.Desktop
	}
	f := piiFixture{customerID: s.CustomerID, checkID: ch.ID, sessionID: ch.SessionID,
		record: map[string]string{"email": "piiperson@example.com", "phone": "+447911123456", "dob": "14-03-1988"},
		report: map[string]string{"document number": doc.DocumentNumber, "personal number": doc.PersonalNumber,
			"mrz": mrz.Split(doc.MRZStrings)[0], "ip": dev.IP, "device hash": dev.DeviceHash,
			"coordinates": fmt.Sprintf("%.4f, %.4f", dev.Latitude, dev.Longitude)}}
	if doc.PersonalNumber == "" {
		delete(f.report, "personal number") // not every document has one
	}
	for k, v := range f.report {
		if len(v) < 5 {
			t.Fatalf("the scenario's %s is %q: too short to look for", k, v)
		}
	}
	return f
}

// TestPIIMaskingPerRole walks every page and fragment that shows a classified field, as every role:
// record fields are clear for admins and support, report fields for admins and reviewers; auditors
// see everything masked. A masked value must not be anywhere in the response.
func TestPIIMaskingPerRole(t *testing.T) {
	tc := newTestConsole(t)
	f := newPIIFixture(t, tc)
	datastar := func(path, signals string) string {
		return path + "?datastar=" + url.QueryEscape(signals)
	}
	recordPages := []string{
		"/customers?q=private",
		datastar("/customers/table", `{"q":"private"}`),
		"/customers/" + f.customerID,
		"/checks?q=private",
		datastar("/checks/table", `{"q":"private"}`),
		"/sessions?customer=private",
		"/sessions/" + f.sessionID,
	}
	clearRecord := map[auth.Role]bool{auth.RoleAdmin: true, auth.RoleSupport: true}
	clearReport := map[auth.Role]bool{auth.RoleAdmin: true, auth.RoleReviewer: true}
	for _, role := range auth.AllRoles() {
		t.Run(string(role), func(t *testing.T) {
			b := tc.browser()
			b.signInAs(role)
			get := func(path string) string {
				req, _ := http.NewRequest(http.MethodGet, tc.URL+path, nil)
				if strings.Contains(path, "datastar=") {
					req.Header.Set("Datastar-Request", "true")
				}
				r := b.do(req)
				if r.StatusCode != 200 {
					t.Fatalf("GET %s: %d", path, r.StatusCode)
				}
				return r.Body
			}
			for _, path := range recordPages {
				body := get(path)
				shown := strings.Contains(body, "piiperson@example.com")
				if shown != clearRecord[role] {
					t.Errorf("%s: email shown %v, want %v", path, shown, clearRecord[role])
				}
				if !clearRecord[role] && !strings.Contains(body, "p•••@example.com") {
					t.Errorf("%s: no masked email", path)
				}
			}
			profile := get("/customers/" + f.customerID)
			for field, v := range f.record {
				if field == "dob" {
					v = "14 Mar 1988" // pages write dates as reports do; the CSV keeps the stored form
				}
				if strings.Contains(profile, v) != clearRecord[role] {
					t.Errorf("customer page: %s %q shown %v, want %v", field, v, !clearRecord[role], clearRecord[role])
				}
			}
			reveals := strings.Count(profile, `data-testid="reveal-form"`)
			if want := map[bool]int{true: 3}[role.Can(auth.RevealPII) && !clearRecord[role]]; reveals != want {
				t.Errorf("customer page: %d reveal forms, want %d", reveals, want)
			}
			if role.Can(auth.ExportCSV) {
				csv := get("/customers/export.csv?q=private")
				for field, v := range f.record {
					if strings.Contains(csv, v) != clearRecord[role] {
						t.Errorf("CSV export: %s shown %v, want %v", field, !clearRecord[role], clearRecord[role])
					}
				}
			}
			report := get("/checks/" + f.checkID)
			for field, v := range f.report {
				if strings.Contains(report, html.EscapeString(v)) != clearReport[role] {
					t.Errorf("report: %s %q shown %v, want %v", field, v, !clearReport[role], clearReport[role])
				}
			}
			// The date of birth is on the document (report data) and in the comparison with the
			// record (record data).
			if strings.Contains(report, "14 Mar 1988") != (clearReport[role] || clearRecord[role]) {
				t.Errorf("report: date of birth shown %v", !(clearReport[role] || clearRecord[role]))
			}
			if strings.Contains(report, "&#34;document_number&#34;") != clearReport[role] {
				t.Errorf("report: raw JSON shown %v, want %v", !clearReport[role], clearReport[role])
			}
			if got := b.status(http.MethodGet, "/checks/"+f.checkID+"/report.json"); (got == 200) != clearReport[role] {
				t.Errorf("report.json: %d", got)
			}
		})
	}
}

// TestReveal: a reviewer reveals one masked field with a reason, with and without JavaScript; no
// reason, no value; roles that may not reveal are refused.
func TestReveal(t *testing.T) {
	tc := newTestConsole(t)
	f := newPIIFixture(t, tc)
	reviewer := tc.browser()
	reviewer.signInAs(auth.RoleReviewer)
	form := func(field, reason string) url.Values {
		return url.Values{"target": {"customer"}, "id": {f.customerID}, "field": {field}, "reason": {reason}}
	}
	page := reviewer.post("/reveal", form("phone", "customer called  to confirm"))
	if page.StatusCode != 200 || !strings.Contains(page.Body, "+447911123456") {
		t.Fatalf("reveal without JavaScript: %d", page.StatusCode)
	}
	if strings.Contains(page.Body, "piiperson@example.com") {
		t.Error("revealing the phone showed the email too")
	}

	bad := reviewer.post("/reveal", form("email", "  x "))
	if bad.StatusCode != http.StatusUnprocessableEntity || strings.Contains(bad.Body, "piiperson@example.com") {
		t.Errorf("a one-letter reason: %d, or the value leaked", bad.StatusCode)
	}
	if !strings.Contains(bad.Body, "at least 3 characters") || !strings.Contains(bad.Body, `value="x"`) {
		t.Error("a refused reason: no message, or what was typed is lost")
	}

	sse := reviewer.datastarPost("/reveal", map[string]string{"target": "customer", "id": f.customerID, "field": "dob",
		"reason": "age check on a complaint"})
	if !strings.Contains(sse.Body, "datastar-patch-elements") || !strings.Contains(sse.Body, "14 Mar 1988") ||
		!strings.Contains(sse.Body, `id="pii-customer-`+f.customerID+`-dob"`) {
		t.Errorf("reveal with Datastar: %s", sse.Body)
	}
	if strings.Contains(sse.Body, "datastar-patch-signals") {
		t.Error("a revealed value must not travel as a signal")
	}

	for _, tt := range []struct {
		name string
		form url.Values
		want int
	}{
		{"unknown field", form("password", "because"), http.StatusNotFound},
		{"report field", url.Values{"target": {"check"}, "id": {f.checkID}, "field": {"ip"}, "reason": {"because"}}, http.StatusNotFound},
		{"bad id", url.Values{"target": {"customer"}, "id": {"../x"}, "field": {"email"}, "reason": {"because"}}, http.StatusNotFound},
	} {
		if r := reviewer.post("/reveal", tt.form); r.StatusCode != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, r.StatusCode, tt.want)
		}
	}
	for _, role := range []auth.Role{auth.RoleSupport, auth.RoleAuditor} {
		b := tc.browser()
		b.signInAs(role)
		if r := b.post("/reveal", form("email", "curious")); r.StatusCode != http.StatusForbidden || strings.Contains(r.Body, "piiperson@example.com") {
			t.Errorf("%s: %d", role, r.StatusCode)
		}
	}
}

// TestPIIMaskedInTheReportStream: the fragment that replaces a processing check's page when it
// completes is masked like the page.
func TestPIIMaskedInTheReportStream(t *testing.T) {
	tc := newTestConsole(t, fastStreams)
	ctx := context.Background()
	p := customer("streampii@example.com", "Sam", "Stream")
	cust, err := tc.api.CreateCustomer(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tc.api.CreateSession(ctx, hive.SessionParams{CustomerID: cust.ID}); err != nil {
		t.Fatal(err)
	}
	all, _ := tc.api.ListSessions(ctx)
	if _, err := tc.sb.CompleteSession(ctx, all.Data[0].ID, sandbox.ScenarioClear); err != nil {
		t.Fatal(err)
	}
	ch, err := tc.api.CreateCheck(ctx, all.Data[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range []auth.Role{auth.RoleSupport, auth.RoleAuditor, auth.RoleReviewer} {
		b := tc.browser()
		b.signInAs(role)
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		req, _ := http.NewRequestWithContext(sctx, http.MethodGet, tc.URL+"/checks/"+ch.ID+"/stream", nil)
		req.Header.Set("Datastar-Request", "true")
		body := b.do(req).Body
		cancel()
		rep, err := tc.api.GetReport(ctx, ch.ID)
		if err != nil {
			t.Fatal(err)
		}
		number := rep.Document.Properties.DocumentNumber
		if !strings.Contains(body, `data-testid="report-result"`) {
			t.Fatalf("%s: the stream sent no report", role)
		}
		if strings.Contains(body, number) != role.Can(auth.SeeReportPII) {
			t.Errorf("%s: document number %s in the stream fragment: %v", role, number, !role.Can(auth.SeeReportPII))
		}
	}
}
