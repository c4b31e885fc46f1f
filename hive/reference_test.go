package hive

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/internal/apiref"
)

// TestDecodeReferenceExamples decodes every example of the reference into its type and checks that
// encoding it again gives the same JSON (same keys, types, nulls and values). The reference's
// examples for the check and file lists are not valid JSON (a missing comma, a trailing comma):
// those must fail as a typed bad-response error, and their corrected text must decode.
func TestDecodeReferenceExamples(t *testing.T) {
	examples := apiref.Examples()
	type target struct {
		label  string
		new    func() any
		broken bool // the reference's text is not valid JSON
	}
	want := []target{
		{"token response", func() any { return new(tokenResponse) }, false},
		{"customer object", func() any { return new(Customer) }, false},
		{"create customer", func() any { return new(Customer) }, false},
		{"list customers", func() any { return new(List[Customer]) }, false},
		{"retrieve customer", func() any { return new(Customer) }, false},
		{"update customer", func() any { return new(Customer) }, false},
		{"delete customer", func() any { return new(Customer) }, false},
		{"session object", func() any { return new(Session) }, false},
		{"create session", func() any { return new(SessionToken) }, false},
		{"list sessions", func() any { return new(List[Session]) }, false},
		{"retrieve session", func() any { return new(Session) }, false},
		{"delete session", func() any { return new(struct{ ID string }) }, false},
		{"check object", func() any { return new(Check) }, false},
		{"create check", func() any { return new(Check) }, false},
		{"list checks", func() any { return new(List[Check]) }, true},
		{"retrieve check", func() any { return new(Check) }, false},
		{"report", func() any { return new(Report) }, false},
		{"file object", func() any { return new(File) }, false},
		{"list files", func() any { return new(List[File]) }, true},
		{"retrieve file", func() any { return new(File) }, false},
	}
	if len(examples) != len(want) {
		t.Fatalf("got %d examples in the reference, want %d", len(examples), len(want))
	}
	for i, tc := range want {
		ex := examples[i]
		t.Run(tc.label, func(t *testing.T) {
			v := tc.new()
			err := decodeBody("test", bytes.NewReader(ex.JSON), 1<<20, v)
			if tc.broken {
				if !errors.Is(err, ErrBadResponse) {
					t.Fatalf("decoding the reference's invalid JSON: got %v, want ErrBadResponse", err)
				}
				fixed := apiref.Fixed(ex.JSON)
				if err := decodeBody("test", bytes.NewReader(fixed), 1<<20, v); err != nil {
					t.Fatalf("decoding the corrected example: %v", err)
				}
				assertSameJSON(t, fixed, v)
				return
			}
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if _, ok := v.(*struct{ ID string }); !ok {
				assertSameJSON(t, ex.JSON, v)
			}
		})
	}
}

// assertSameJSON encodes v and compares it with want, structurally.
func assertSameJSON(t *testing.T, want []byte, v any) {
	t.Helper()
	got, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("round trip differs:\ngot  %s\nwant %s", got, compact(t, want))
	}
}

func compact(t *testing.T, b []byte) string {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return string(b)
	}
	return buf.String()
}

// TestDecodeReferenceValues checks the decoded values, not only the shape: timestamps, nulls,
// metadata and the report's order.
func TestDecodeReferenceValues(t *testing.T) {
	examples := apiref.Examples()
	var c Customer
	mustDecode(t, examples[apiref.CustomerObject].JSON, &c)
	if c.ID != "8462e8ce-4245-4eca-835c-4a160b93b030" || c.Email != "john@hive.id" {
		t.Errorf("customer id/email: got %q/%q", c.ID, c.Email)
	}
	if c.Phone != nil || c.MiddleName != nil || c.FirstName == nil || *c.FirstName != "John" {
		t.Errorf("customer nulls: got phone %v, middle %v, first %v; want nil, nil, John", c.Phone, c.MiddleName, c.FirstName)
	}
	if c.Metadata == nil || len(c.Metadata) != 0 {
		t.Errorf("metadata: got %#v, want empty, not nil", c.Metadata)
	}
	if want := time.Unix(1602241760, 0); !c.CreatedAt.Equal(want) {
		t.Errorf("created_at: got %v, want %v", c.CreatedAt, want)
	}
	if got := c.FullName(); got != "John Doe" {
		t.Errorf("full name: got %q, want %q", got, "John Doe")
	}

	var s Session
	mustDecode(t, examples[apiref.SessionObject].JSON, &s)
	if s.Status != SessionCompleted || s.CheckID != nil || s.CustomerID != c.ID || !s.ExpiresAt.Equal(time.Unix(1602241889, 0)) {
		t.Errorf("session: got %+v", s)
	}

	var r Report
	mustDecode(t, examples[apiref.Report].JSON, &r)
	if r.Result != StatusCaution || r.Version != 1 || !r.Submitted.Equal(time.Unix(1593445496, 0)) {
		t.Errorf("report header: got result %q version %d submitted %v", r.Result, r.Version, r.Submitted)
	}
	wantOrder := map[string][]string{
		"document": {"data_consistency", "data_validation", "document_visual_authenticity"},
		"facial":   {"image_integrity", "face_comparison", "visual_authenticity"},
		"customer": {"ip", "device_fingerprint"},
	}
	sections := map[string]*Section{"document": &r.Document.Section, "facial": &r.Facial.Section, "customer": &r.Customer.Section}
	for name, sec := range sections {
		if got := breakdownNames(sec.Breakdowns); !reflect.DeepEqual(got, wantOrder[name]) {
			t.Errorf("%s breakdowns: got %v, want %v", name, got, wantOrder[name])
		}
	}
	consistency := r.Document.DataConsistency()
	wantSub := []string{"document_number", "date_of_expiry", "date_of_birth", "personal_number", "surname", "given_names", "gender", "surname_and_given_names"}
	if got := breakdownNames(consistency.SubChecks); !reflect.DeepEqual(got, wantSub) {
		t.Errorf("data_consistency sub-checks: got %v, want %v", got, wantSub)
	}
	if got := consistency.SubCheck("date_of_expiry").Status; got != StatusCaution {
		t.Errorf("date_of_expiry: got %q, want caution", got)
	}
	if got := r.Document.DataValidation().SubCheck("mrz").Status; got != StatusConsider {
		t.Errorf("mrz: got %q, want consider", got)
	}
	if got := r.Facial.Properties.Liveness; got != 0.99992394 {
		t.Errorf("liveness: got %v", got)
	}
	if r.Customer.Properties.Mobile == nil || r.Customer.Properties.Mobile.ScreenPixelRatio != 2 || r.Customer.Properties.Email == nil {
		t.Errorf("customer properties: got %+v", r.Customer.Properties)
	}
	if got := r.Document.Properties.MRZStrings; !strings.HasPrefix(got, "IDESTAS1234567138001085718") {
		t.Errorf("mrz_strings: got %q", got)
	}
}

func breakdownNames(bs []Breakdown) []string {
	var names []string
	for _, b := range bs {
		names = append(names, b.Name)
	}
	return names
}

func mustDecode(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := decodeBody("test", bytes.NewReader(b), 1<<20, v); err != nil {
		t.Fatalf("decode: %v", err)
	}
}

// TestReportKeepsUnknownSubChecks: the API will add checks; the viewer must still see them, in place.
func TestReportKeepsUnknownSubChecks(t *testing.T) {
	in := `{"id":"r","check_id":"c","version":2,"result":"consider","processed":1,"submitted":1,"generated":1,
	"document_report":{"status":"consider","hologram_check":{"status":"consider","angle":{"status":"amber"},"score":0.4},
	"data_consistency":{"status":"clear","surname":{"status":"clear"}},"properties":{"surname":"X"}},
	"facial_report":null,"customer_report":{"status":"clear"}}`
	var r Report
	mustDecode(t, []byte(in), &r)
	if got := breakdownNames(r.Document.Breakdowns); !reflect.DeepEqual(got, []string{"hologram_check", "data_consistency"}) {
		t.Fatalf("breakdowns: got %v", got)
	}
	angle := r.Document.Breakdown("hologram_check").SubCheck("angle")
	if angle == nil || angle.Status != "amber" || angle.Status.Normalized() != StatusUnknown {
		t.Fatalf("unknown sub-check: got %+v", angle)
	}
	if r.Facial != nil {
		t.Fatalf("facial: got %+v, want nil for null", r.Facial)
	}
	out, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out, []byte(`"document_report":{"status":"consider","hologram_check":{"status":"consider","angle":{"status":"amber"}},"data_consistency"`)) {
		t.Fatalf("order lost on encode: %s", out)
	}
}

func TestDecodeRejectsBadBodies(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{"malformed", `{"id": "x",`},
		{"truncated", `{"data":[{"id":"8462e8ce-4245-4eca-835c-4a160b93b030","email":"a@b.c"`},
		{"wrong type for a string", `{"id": 42}`},
		{"wrong type for a timestamp", `{"id":"x","created_at":"yesterday"}`},
		{"wrong type for metadata", `{"id":"x","metadata":[1,2]}`},
		{"trailing data", `{"id":"x"} {"id":"y"}`},
		{"not JSON at all", `<html>502 Bad Gateway</html>`},
		{"empty", ``},
		{"over the limit", `{"id":"` + strings.Repeat("x", 200) + `"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var c Customer
			err := decodeBody("GET /customers/{id}", strings.NewReader(tc.body), 128, &c)
			if !errors.Is(err, ErrBadResponse) {
				t.Fatalf("got %v, want ErrBadResponse", err)
			}
		})
	}
}

func TestStatusSeverity(t *testing.T) {
	tests := []struct {
		a, b, worse Status
	}{
		{StatusClear, StatusCaution, StatusCaution},
		{StatusConsider, StatusCaution, StatusConsider},
		{StatusClear, "weird", "weird"},
		{"weird", StatusConsider, StatusConsider},
		{StatusClear, StatusClear, StatusClear},
	}
	for _, tc := range tests {
		if got := tc.a.Worse(tc.b); got != tc.worse {
			t.Errorf("%q.Worse(%q): got %q, want %q", tc.a, tc.b, got, tc.worse)
		}
	}
	if Status("").Normalized() != StatusUnknown || StatusCaution.Normalized() != StatusCaution {
		t.Error("Normalized: unknown statuses must become StatusUnknown, known ones stay")
	}
}

// TestEncodingKeepsTheReferenceKeyOrder: a human comparing the sandbox's JSON with the reference sees
// the keys in the same order.
func TestEncodingKeepsTheReferenceKeyOrder(t *testing.T) {
	examples := apiref.Examples()
	for _, tc := range []struct {
		index int
		v     any
	}{
		{apiref.CustomerObject, new(Customer)},
		{apiref.SessionObject, new(Session)},
		{apiref.CheckObject, new(Check)},
		{apiref.Report, new(Report)},
		{apiref.FileObject, new(File)},
	} {
		ex := examples[tc.index].JSON
		mustDecode(t, ex, tc.v)
		got, err := json.Marshal(tc.v)
		if err != nil {
			t.Fatal(err)
		}
		if want := topLevelKeys(t, ex); !reflect.DeepEqual(topLevelKeys(t, got), want) {
			t.Errorf("%T key order: got %v, want %v", tc.v, topLevelKeys(t, got), want)
		}
	}
}

func topLevelKeys(t *testing.T, b []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}
