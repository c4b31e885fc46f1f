package sandbox_test

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/hive/sandbox"
)

// TestClientContract drives every endpoint through hive.Client against a real sandbox over HTTP.
func TestClientContract(t *testing.T) {
	e := startSandbox(t)
	ctx := context.Background()
	c := e.client

	// Customers.
	created, err := c.CreateCustomer(ctx, hive.CustomerParams{Email: hive.String("john@hive.id"), Phone: hive.String("+44 7700 900123"),
		FirstName: hive.String("John"), LastName: hive.String("Doe"), Metadata: map[string]string{"plan": "gold", "ref": "42"}})
	if err != nil {
		t.Fatal(err)
	}
	if !hive.ValidID(created.ID) || created.Email != "john@hive.id" || created.MiddleName != nil || created.Metadata["plan"] != "gold" {
		t.Fatalf("created: got %+v", created)
	}
	if !created.CreatedAt.Equal(e.clock.Now().Truncate(time.Second)) {
		t.Errorf("created_at: got %v, want %v", created.CreatedAt, e.clock.Now())
	}
	got, err := c.GetCustomer(ctx, created.ID)
	if err != nil || got.Email != created.Email || *got.Phone != "+44 7700 900123" {
		t.Fatalf("get: got %+v, %v", got, err)
	}
	e.clock.Advance(time.Minute)
	updated, err := c.UpdateCustomer(ctx, created.ID, hive.CustomerParams{MiddleName: hive.String("Farrell"), Phone: hive.String(""),
		Metadata: map[string]string{"plan": "", "tier": "2"}})
	if err != nil {
		t.Fatal(err)
	}
	if *updated.MiddleName != "Farrell" || updated.Phone != nil || *updated.FirstName != "John" || updated.Email != "john@hive.id" {
		t.Errorf("update must change only what was sent: got %+v", updated)
	}
	if _, ok := updated.Metadata["plan"]; ok || updated.Metadata["tier"] != "2" || updated.Metadata["ref"] != "42" {
		t.Errorf("metadata merge: got %v, want ref=42 tier=2 and no plan", updated.Metadata)
	}
	if !updated.UpdatedAt.After(updated.CreatedAt) {
		t.Errorf("updated_at did not move: %v", updated.UpdatedAt)
	}
	second, err := c.CreateCustomer(ctx, hive.CustomerParams{Email: hive.String("second@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	list, err := c.ListCustomers(ctx)
	if err != nil || list.Meta.Total != 2 || len(list.Data) != 2 || list.Data[0].ID != second.ID {
		t.Fatalf("list must be newest first with total: got %+v, %v", list, err)
	}

	// Sessions.
	tok, err := c.CreateSession(ctx, hive.SessionParams{CustomerID: created.ID})
	if err != nil {
		t.Fatal(err)
	}
	claims, err := e.srv.VerifySessionToken(tok.Token)
	if err != nil {
		t.Fatalf("session token does not verify: %v", err)
	}
	if claims.CustomerID != created.ID || claims.ExpiresAt.Sub(claims.IssuedAt.Time) != 90*time.Minute {
		t.Errorf("claims: got %+v", claims)
	}
	sess, err := c.GetSession(ctx, claims.SessionID)
	if err != nil {
		t.Fatal(err)
	}
	if sess.Status != hive.SessionCreated || sess.FullName != "John Farrell Doe" || sess.Email != "john@hive.id" || sess.CheckID != nil ||
		sess.ApplicationID != e.srv.Credentials().ApplicationID || !sess.ExpiresAt.Equal(claims.ExpiresAt.Time) {
		t.Errorf("session: got %+v", sess)
	}
	if _, err := c.CreateCheck(ctx, sess.ID); !errors.Is(err, hive.ErrConflict) {
		t.Fatalf("check on a session not completed: got %v, want ErrConflict", err)
	}
	e.complete(sess.ID, sandbox.ScenarioFaceMismatch)
	if sess, _ = c.GetSession(ctx, sess.ID); sess.Status != hive.SessionCompleted {
		t.Fatalf("session after completion: got %q", sess.Status)
	}
	sessions, err := c.ListSessions(ctx)
	if err != nil || sessions.Meta.Total != 1 || sessions.Data[0].ID != sess.ID {
		t.Fatalf("sessions: got %+v, %v", sessions, err)
	}

	// Files, before the check.
	files, err := c.ListFiles(ctx)
	if err != nil || files.Meta.Total < 2 {
		t.Fatalf("files: got %+v, %v", files, err)
	}
	for _, f := range files.Data {
		if f.CheckID != nil {
			t.Errorf("file %s tied to a check before one exists", f.ID)
		}
	}

	// Checks.
	check, err := c.CreateCheck(ctx, sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	if check.Status != hive.CheckProcessing || check.Decision != nil || check.ReportID != nil || check.SessionID != sess.ID {
		t.Fatalf("new check: got %+v", check)
	}
	if _, err := c.CreateCheck(ctx, sess.ID); !errors.Is(err, hive.ErrConflict) {
		t.Fatalf("second check on a session: got %v, want ErrConflict", err)
	}
	check, err = c.GetCheck(ctx, check.ID) // delay 0: complete at the next read
	if err != nil {
		t.Fatal(err)
	}
	if check.Status != hive.CheckComplete || check.Decision == nil || check.ReportID == nil {
		t.Fatalf("completed check: got %+v", check)
	}
	report, err := c.GetReport(ctx, check.ID)
	if err != nil {
		t.Fatal(err)
	}
	if report.ID != *check.ReportID || report.CheckID != check.ID || report.Result != hive.StatusConsider {
		t.Errorf("report: got id %s check %s result %s", report.ID, report.CheckID, report.Result)
	}
	if *check.Decision != sandbox.DecisionFor(report.Result) {
		t.Errorf("decision %q does not follow result %q", *check.Decision, report.Result)
	}
	if sim := report.Facial.FaceComparison().SubCheck("similarity"); sim == nil || sim.Status == hive.StatusClear {
		t.Errorf("face_mismatch similarity: got %+v", sim)
	}
	if sess, _ = c.GetSession(ctx, sess.ID); sess.CheckID == nil || *sess.CheckID != check.ID {
		t.Errorf("session check_id: got %v, want %s", sess.CheckID, check.ID)
	}
	checks, err := c.ListChecks(ctx)
	if err != nil || checks.Meta.Total != 1 {
		t.Fatalf("checks: got %+v, %v", checks, err)
	}

	// Files, after: tied to the check, and downloadable as real images.
	files, _ = c.ListFiles(ctx)
	kinds := map[hive.FileType]bool{}
	for _, f := range files.Data {
		kinds[f.Type] = true
		if f.CheckID == nil || *f.CheckID != check.ID {
			t.Errorf("file %s: check %v, want %s", f.ID, f.CheckID, check.ID)
		}
		if !strings.HasPrefix(f.URL, e.http.URL+"/downloads/") {
			t.Errorf("file url %q not on the sandbox", f.URL)
		}
		fc, err := c.OpenFile(ctx, f.ID)
		if err != nil {
			t.Fatalf("open %s: %v", f.Type, err)
		}
		data, err := io.ReadAll(fc.Body)
		fc.Body.Close()
		if err != nil || int64(len(data)) != fc.ContentLength || fc.ContentType != "image/png" {
			t.Fatalf("download %s: %d bytes (length %d, type %q), %v", f.Type, len(data), fc.ContentLength, fc.ContentType, err)
		}
		if _, err := png.Decode(bytes.NewReader(data)); err != nil {
			t.Errorf("%s is not a PNG: %v", f.Type, err)
		}
	}
	if !kinds[hive.FilePortrait] || !kinds[hive.FileDocumentFront] {
		t.Errorf("file kinds: got %v, want portrait and document_front", kinds)
	}
	one, err := c.GetFile(ctx, files.Data[0].ID)
	if err != nil || one.ID != files.Data[0].ID {
		t.Fatalf("get file: %+v, %v", one, err)
	}

	// Deleting a check removes its report and unties session and files.
	if err := c.DeleteCheck(ctx, check.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetReport(ctx, check.ID); !errors.Is(err, hive.ErrNotFound) {
		t.Errorf("report after delete: got %v, want ErrNotFound", err)
	}
	if sess, _ = c.GetSession(ctx, sess.ID); sess.CheckID != nil {
		t.Errorf("session still points at the deleted check")
	}

	// Deleting a customer cascades to sessions, checks, reports and files.
	check2ID := newCompletedCheck(t, e, created.ID)
	deleted, err := c.DeleteCustomer(ctx, created.ID)
	if err != nil || deleted.ID != created.ID || *deleted.MiddleName != "Farrell" {
		t.Fatalf("delete returns the deleted customer: got %+v, %v", deleted, err)
	}
	if _, err := c.GetCustomer(ctx, created.ID); !errors.Is(err, hive.ErrNotFound) {
		t.Errorf("customer after delete: got %v", err)
	}
	if _, err := c.GetCheck(ctx, check2ID); !errors.Is(err, hive.ErrNotFound) {
		t.Errorf("check after customer delete: got %v", err)
	}
	if _, err := c.GetReport(ctx, check2ID); !errors.Is(err, hive.ErrNotFound) {
		t.Errorf("report after customer delete: got %v", err)
	}
	for _, list := range []func() (int, error){
		func() (int, error) { l, err := c.ListSessions(ctx); return l.Meta.Total, err },
		func() (int, error) { l, err := c.ListChecks(ctx); return l.Meta.Total, err },
		func() (int, error) { l, err := c.ListFiles(ctx); return l.Meta.Total, err },
	} {
		if n, err := list(); err != nil || n != 0 {
			t.Errorf("after cascade: got %d, %v, want 0", n, err)
		}
	}
	if err := c.DeleteSession(ctx, sess.ID); !errors.Is(err, hive.ErrNotFound) {
		t.Errorf("deleting a cascaded session: got %v", err)
	}
}

// newCompletedCheck adds a completed session and a completed check for a customer.
func newCompletedCheck(t *testing.T, e *env, customerID string) string {
	t.Helper()
	ctx := context.Background()
	tok, err := e.client.CreateSession(ctx, hive.SessionParams{CustomerID: customerID})
	if err != nil {
		t.Fatal(err)
	}
	claims, _ := e.srv.VerifySessionToken(tok.Token)
	e.complete(claims.SessionID, sandbox.ScenarioClear)
	check, err := e.client.CreateCheck(ctx, claims.SessionID)
	if err != nil {
		t.Fatal(err)
	}
	if check, err = e.client.GetCheck(ctx, check.ID); err != nil || check.Status != hive.CheckComplete {
		t.Fatalf("check: %+v, %v", check, err)
	}
	return check.ID
}

// TestErrorClasses: every documented error status, with the documented body.
func TestErrorClasses(t *testing.T) {
	e := startSandbox(t)
	ctx := context.Background()
	customerID, sessionID := e.customerWithSession("anna@example.com")
	const form = "application/x-www-form-urlencoded"
	tests := []struct {
		name   string
		run    func() []byte
		status int
		code   string
		field  string
	}{
		{"400 unknown parameter", func() []byte { return e.raw("POST", "/customers", form, "email=a@b.co&nickname=x", 400) }, 400, "invalid_request", "nickname"},
		{"400 email missing", func() []byte { return e.raw("POST", "/customers", form, "first_name=x", 400) }, 400, "invalid_request", "email"},
		{"400 malformed JSON", func() []byte { return e.raw("POST", "/customers", "application/json", "{", 400) }, 400, "invalid_request", ""},
		{"401 no token", func() []byte {
			req, _ := http.NewRequest("GET", e.http.URL+"/customers", nil)
			return e.do(req, 401)
		}, 401, "unauthorized", ""},
		{"404 unknown customer", func() []byte { return e.raw("GET", "/customers/8462e8ce-4245-4eca-835c-4a160b93b030", "", "", 404) }, 404, "not_found", ""},
		{"404 unknown path", func() []byte { return e.raw("GET", "/nothing", "", "", 404) }, 404, "not_found", ""},
		{"405 wrong verb", func() []byte { return e.raw("PUT", "/customers/"+customerID, form, "", 405) }, 405, "method_not_allowed", ""},
		{"409 check on an open session", func() []byte { return e.raw("POST", "/checks", form, "session_id="+sessionID, 409) }, 409, "conflict", ""},
		{"413 body too large", func() []byte {
			return e.raw("POST", "/customers", form, "email=a@b.co&first_name="+strings.Repeat("x", 70<<10), 413)
		}, 413, "payload_too_large", ""},
		{"422 invalid email", func() []byte { return e.raw("POST", "/customers", form, "email=not-an-email", 422) }, 422, "invalid_field", "email"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := tc.run()
			var got struct {
				Error sandbox.APIError `json:"error"`
			}
			if err := jsonUnmarshal(body, &got); err != nil {
				t.Fatalf("body %s: %v", body, err)
			}
			if got.Error.Status != tc.status || got.Error.Code != tc.code || got.Error.Field != tc.field || got.Error.Message == "" || got.Error.RequestID == "" {
				t.Errorf("got %+v, want status %d code %s field %q", got.Error, tc.status, tc.code, tc.field)
			}
		})
	}
	// The client maps them to its sentinels.
	if _, err := e.client.CreateCustomer(ctx, hive.CustomerParams{Email: hive.String("bad")}); !errors.Is(err, hive.ErrInvalid) {
		t.Errorf("client 422: got %v", err)
	} else if herr := new(hive.Error); errors.As(err, &herr) && herr.Field != "email" {
		t.Errorf("client 422 field: got %q", herr.Field)
	}
	if _, err := e.client.GetCheck(ctx, "8462e8ce-4245-4eca-835c-4a160b93b030"); !errors.Is(err, hive.ErrNotFound) {
		t.Errorf("client 404: got %v", err)
	}
}
