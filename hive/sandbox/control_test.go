package sandbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/hive/sandbox"
)

// person creates a customer with a session waiting for the SDK, returning both ids.
func (e *env) person(email, first, last, dob string) (customerID, sessionID string) {
	e.t.Helper()
	ctx := context.Background()
	c, err := e.client.CreateCustomer(ctx, hive.CustomerParams{Email: hive.String(email), FirstName: hive.String(first),
		LastName: hive.String(last), DOB: hive.String(dob)})
	if err != nil {
		e.t.Fatal(err)
	}
	return c.ID, e.newSession(c.ID)
}

// newSession opens another session for a customer.
func (e *env) newSession(customerID string) string {
	e.t.Helper()
	tok, err := e.client.CreateSession(context.Background(), hive.SessionParams{CustomerID: customerID})
	if err != nil {
		e.t.Fatal(err)
	}
	claims, err := e.srv.VerifySessionToken(tok.Token)
	if err != nil {
		e.t.Fatal(err)
	}
	return claims.SessionID
}

// completeWith completes a session over HTTP with the form fields given and expects status; it
// returns the body.
func (e *env) completeWith(sessionID string, form url.Values, want int) []byte {
	e.t.Helper()
	return e.raw("POST", "/sandbox/sessions/"+sessionID+"/complete", "application/x-www-form-urlencoded", form.Encode(), want)
}

// checked runs a check on a completed session and returns it with its report.
func (e *env) checked(sessionID string) (*hive.Check, *hive.Report) {
	e.t.Helper()
	ctx := context.Background()
	c, err := e.client.CreateCheck(ctx, sessionID)
	if err != nil {
		e.t.Fatal(err)
	}
	if c, err = e.client.GetCheck(ctx, c.ID); err != nil || c.Status != hive.CheckComplete {
		e.t.Fatalf("check %s: got %+v, %v, want complete", sessionID, c, err)
	}
	r, err := e.client.GetReport(ctx, c.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return c, r
}

// download returns the bytes of a check's file of the type given.
func (e *env) download(checkID string, kind hive.FileType) []byte {
	e.t.Helper()
	files, err := e.client.ListFiles(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	for _, f := range files.Data {
		if f.CheckID != nil && *f.CheckID == checkID && f.Type == kind {
			return e.raw("GET", "/downloads/"+f.ID, "", "", http.StatusOK)
		}
	}
	e.t.Fatalf("check %s has no %s file", checkID, kind)
	return nil
}

// documentIdentity is what makes a document the same document.
func documentIdentity(r *hive.Report) []string {
	p := r.Document.Properties
	return []string{p.DocumentClassCode, p.IssuingStateCode, p.DocumentNumber, p.PersonalNumber, p.Surname,
		p.GivenNames, p.DateOfBirth, p.Nationality, p.DateOfIssue, p.DateOfExpiry, p.MRZStrings}
}

// deviceIdentity is what makes the devices the same devices.
func deviceIdentity(r *hive.Report) []string {
	m, d := r.Customer.Properties.Mobile, r.Customer.Properties.Desktop
	return []string{m.DeviceHash, m.IP, m.Platform, d.DeviceHash, d.IP, d.Platform}
}

func TestCompleteReusesAnotherCustomersEvidence(t *testing.T) {
	e := startSandbox(t)
	anna, annaSession := e.person("anna@example.com", "Anna", "Eriksson", "12-08-1974")
	e.complete(annaSession, sandbox.ScenarioClear)
	annaCheck, annaReport := e.checked(annaSession)

	tests := []struct {
		name                     string
		form                     url.Values
		sameDocument, sameDevice bool
	}{
		{"same document", url.Values{"same_document_as": {anna}}, true, false},
		{"same device", url.Values{"same_device_as": {anna}}, false, true},
		{"both", url.Values{"same_document_as": {anna}, "same_device_as": {anna}, "scenario": {"clear"}}, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, sid := e.person(strings.ReplaceAll(tc.name, " ", "")+"@example.com", "Maria", "Lindqvist", "03-02-1990")
			var sess hive.Session
			if err := json.Unmarshal(e.completeWith(sid, tc.form, http.StatusOK), &sess); err != nil || sess.Status != hive.SessionCompleted {
				t.Fatalf("complete: got %+v, %v", sess, err)
			}
			check, r := e.checked(sid)
			if r.Result != hive.StatusClear {
				t.Errorf("result: got %s, want clear as the scenario says", r.Result)
			}
			if got, want := documentIdentity(r), documentIdentity(annaReport); slices.Equal(got, want) != tc.sameDocument {
				t.Errorf("document: got %v, Anna's %v, want the same: %v", got, want, tc.sameDocument)
			}
			if got, want := deviceIdentity(r), deviceIdentity(annaReport); slices.Equal(got, want) != tc.sameDevice {
				t.Errorf("devices: got %v, Anna's %v, want the same: %v", got, want, tc.sameDevice)
			}
			if !tc.sameDocument {
				return
			}
			for _, kind := range []hive.FileType{hive.FileDocumentFront, hive.FilePortrait} {
				if !bytes.Equal(e.download(check.ID, kind), e.download(annaCheck.ID, kind)) {
					t.Errorf("%s: got another picture, want Anna's", kind)
				}
			}
		})
	}
}

// A reused document or device carries the flaws its first check found, and reuse chains: the
// third customer's document is the first's.
func TestReusedEvidenceKeepsItsFlaws(t *testing.T) {
	e := startSandbox(t)
	a, sa := e.person("a@example.com", "Jüri", "Tamm", "01-05-1981")
	e.completeWith(sa, url.Values{"scenario": {"expired_document"}}, http.StatusOK)
	_, first := e.checked(sa)
	b, sb := e.person("b@example.com", "Mati", "Kask", "09-09-1979")
	e.completeWith(sb, url.Values{"scenario": {"vpn_tor"}, "same_document_as": {a}}, http.StatusOK)
	_, second := e.checked(sb)
	_, sc := e.person("c@example.com", "Toomas", "Saar", "17-11-1985")
	e.completeWith(sc, url.Values{"same_document_as": {b}, "same_device_as": {b}}, http.StatusOK)
	_, third := e.checked(sc)

	if got, want := documentIdentity(third), documentIdentity(first); !slices.Equal(got, want) {
		t.Errorf("chained document: got %v, want the first's %v", got, want)
	}
	if got, want := deviceIdentity(third), deviceIdentity(second); !slices.Equal(got, want) {
		t.Errorf("devices: got %v, want the second's %v", got, want)
	}
	for _, tc := range []struct {
		name string
		sub  *hive.Breakdown
	}{
		{"expired document", third.Document.Breakdown(hive.BreakdownDataValidation).SubCheck("date_of_expiry")},
		{"vpn", third.Customer.IP().SubCheck("vpn")},
	} {
		if tc.sub == nil || tc.sub.Status != hive.StatusConsider {
			t.Errorf("%s: got %+v, want consider, carried with the reused evidence", tc.name, tc.sub)
		}
	}
}

func TestCompleteRejectsBadReuse(t *testing.T) {
	e := startSandbox(t)
	done, sid := e.person("done@example.com", "Anna", "Eriksson", "12-08-1974")
	e.complete(sid, sandbox.ScenarioClear)
	waiting, _ := e.person("waiting@example.com", "Karl", "Berg", "02-03-1966")
	const unknown = "8462e8ce-4245-4eca-835c-4a160b93b030"

	tests := []struct {
		name    string
		form    url.Values
		status  int
		field   string
		message string
	}{
		{"document: not an id", url.Values{"same_document_as": {"anna"}}, 422, "same_document_as", "must be a customer id"},
		{"device: not an id", url.Values{"same_device_as": {done + "x"}}, 422, "same_device_as", "must be a customer id"},
		{"document: no such customer", url.Values{"same_document_as": {unknown}}, 422, "same_document_as", "no such customer"},
		{"device: no such customer", url.Values{"same_device_as": {unknown}}, 422, "same_device_as", "no such customer"},
		{"document: no completed session", url.Values{"same_document_as": {waiting}}, 422, "same_document_as", "no completed session"},
		{"device: no completed session", url.Values{"same_device_as": {waiting}}, 422, "same_device_as", "no completed session"},
		{"document and a document story", url.Values{"same_document_as": {done}, "scenario": {"mrz_checksum"}}, 422, "scenario", "mrz_checksum"},
		{"device and a network story", url.Values{"same_device_as": {done}, "scenario": {"vpn_tor"}}, 422, "scenario", "vpn_tor"},
		{"good document, bad device", url.Values{"same_document_as": {done}, "same_device_as": {waiting}}, 422, "same_device_as", "no completed session"},
		{"unknown parameter", url.Values{"same_face_as": {done}}, 400, "same_face_as", "unknown parameter"},
	}
	_, open := e.person("open@example.com", "Eva", "Holm", "21-06-1992")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got struct{ Error sandbox.APIError }
			if err := json.Unmarshal(e.completeWith(open, tc.form, tc.status), &got); err != nil {
				t.Fatal(err)
			}
			if got.Error.Field != tc.field || !strings.Contains(got.Error.Message, tc.message) {
				t.Errorf("got field %q, message %q, want field %q, a message with %q", got.Error.Field, got.Error.Message, tc.field, tc.message)
			}
		})
	}
	if s, err := e.client.GetSession(context.Background(), open); err != nil || s.Status != hive.SessionCreated {
		t.Fatalf("after the refusals: got %+v, %v, want the session still created", s, err)
	}
	// In process, the same refusal is an *APIError naming the option.
	_, err := e.srv.CompleteSessionWith(context.Background(), open, sandbox.ScenarioClear, sandbox.CompleteOptions{SameDeviceAs: unknown})
	var apiErr *sandbox.APIError
	if !errors.As(err, &apiErr) || apiErr.Field != "same_device_as" || apiErr.Status != http.StatusUnprocessableEntity {
		t.Errorf("in process: got %v, want a 422 naming same_device_as", err)
	}
}

func TestScenariosListTheCompleteParameters(t *testing.T) {
	e := startSandbox(t)
	resp, err := http.Get(e.http.URL + "/sandbox/scenarios") // public, as before
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Data       []map[string]any
		Parameters []map[string]any
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range body.Data {
		names = append(names, s["name"].(string))
		if len(s) != 5 || s["title"] == "" || s["description"] == "" || s["result"] == "" || s["decision"] == "" {
			t.Errorf("scenario %v: want exactly name, title, description, result, decision", s)
		}
	}
	var want []string
	for _, s := range sandbox.Scenarios() {
		want = append(want, string(s.Scenario))
	}
	if !slices.Equal(names, want) {
		t.Errorf("data: got %v, want %v", names, want)
	}
	var params []string
	for _, p := range body.Parameters {
		params = append(params, p["name"].(string))
		if d, _ := p["description"].(string); d == "" || len(p) != 2 {
			t.Errorf("parameter %v: want a name and a description", p)
		}
	}
	if want := []string{"scenario", "same_document_as", "same_device_as"}; !slices.Equal(params, want) {
		t.Errorf("parameters: got %v, want %v", params, want)
	}
}
