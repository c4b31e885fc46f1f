package hive

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const (
	custID    = "8462e8ce-4245-4eca-835c-4a160b93b030"
	sessionID = "d8779205-f122-4325-af25-942e7850b696"
	chkID     = "db3590ce-3121-4b0d-9839-733709727f7b"
	fileID    = "e1e0cdc7-5c10-4fe9-85c8-18add6596ef0"
)

// TestRequestShape checks method, path (under a base path), form body and Authorization of every
// API method against what the reference's curl examples send.
func TestRequestShape(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		call   func(c *Client) error
		method string
		path   string
		form   url.Values // nil: no body
	}{
		{"create customer", func(c *Client) error {
			_, err := c.CreateCustomer(ctx, CustomerParams{Email: String("john@hive.id"), FirstName: String("John"), Metadata: map[string]string{"plan": "gold", "ref": "x y"}})
			return err
		}, "POST", "/customers", url.Values{"email": {"john@hive.id"}, "first_name": {"John"}, "metadata[plan]": {"gold"}, "metadata[ref]": {"x y"}}},
		{"list customers", func(c *Client) error { _, err := c.ListCustomers(ctx); return err }, "GET", "/customers", nil},
		{"retrieve customer", func(c *Client) error { _, err := c.GetCustomer(ctx, custID); return err }, "GET", "/customers/" + custID, nil},
		{"update customer sends only set fields, empty clears", func(c *Client) error {
			_, err := c.UpdateCustomer(ctx, custID, CustomerParams{MiddleName: String("Farrell"), Phone: String("")})
			return err
		}, "PATCH", "/customers/" + custID, url.Values{"middle_name": {"Farrell"}, "phone": {""}}},
		{"delete customer", func(c *Client) error { _, err := c.DeleteCustomer(ctx, custID); return err }, "DELETE", "/customers/" + custID, nil},
		{"create session with the configured application key", func(c *Client) error {
			_, err := c.CreateSession(ctx, SessionParams{CustomerID: custID})
			return err
		}, "POST", "/sessions", url.Values{"customer_id": {custID}, "application_key": {testAppKey}}},
		{"create session with an explicit application key", func(c *Client) error {
			_, err := c.CreateSession(ctx, SessionParams{CustomerID: custID, ApplicationKey: "other"})
			return err
		}, "POST", "/sessions", url.Values{"customer_id": {custID}, "application_key": {"other"}}},
		{"list sessions", func(c *Client) error { _, err := c.ListSessions(ctx); return err }, "GET", "/sessions", nil},
		{"retrieve session", func(c *Client) error { _, err := c.GetSession(ctx, sessionID); return err }, "GET", "/sessions/" + sessionID, nil},
		{"delete session", func(c *Client) error { return c.DeleteSession(ctx, sessionID) }, "DELETE", "/sessions/" + sessionID, nil},
		{"create check", func(c *Client) error { _, err := c.CreateCheck(ctx, sessionID); return err }, "POST", "/checks", url.Values{"session_id": {sessionID}}},
		{"list checks", func(c *Client) error { _, err := c.ListChecks(ctx); return err }, "GET", "/checks", nil},
		{"retrieve check", func(c *Client) error { _, err := c.GetCheck(ctx, chkID); return err }, "GET", "/checks/" + chkID, nil},
		{"delete check", func(c *Client) error { return c.DeleteCheck(ctx, chkID) }, "DELETE", "/checks/" + chkID, nil},
		{"retrieve report", func(c *Client) error { _, err := c.GetReport(ctx, chkID); return err }, "GET", "/checks/" + chkID + "/report", nil},
		{"list files", func(c *Client) error { _, err := c.ListFiles(ctx); return err }, "GET", "/files", nil},
		{"retrieve file", func(c *Client) error { _, err := c.GetFile(ctx, fileID); return err }, "GET", "/files/" + fileID, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeHive(t, "/v1")
			f.handle = func(w http.ResponseWriter, r *http.Request, _ recorded) {
				switch {
				case r.URL.Path == "/v1/sessions" && r.Method == "POST":
					writeJSON(w, 200, `{"session_token":"eyJ.x.y"}`)
				case strings.HasSuffix(r.URL.Path, "/report"):
					writeJSON(w, 200, `{"id":"r","result":"clear"}`)
				case r.Method == "GET" && strings.Count(r.URL.Path, "/") == 2:
					writeJSON(w, 200, `{"data":[],"meta":{"total":0}}`)
				default:
					writeJSON(w, 200, objectJSON(r.URL.Path))
				}
			}
			c := newTestClient(t, f)
			if err := tc.call(c); err != nil {
				t.Fatalf("call: %v", err)
			}
			reqs := f.recorded()
			if len(reqs) != 1 {
				t.Fatalf("got %d requests, want 1", len(reqs))
			}
			r := reqs[0]
			if r.Method != tc.method || r.Path != "/v1"+tc.path {
				t.Errorf("got %s %s, want %s /v1%s", r.Method, r.Path, tc.method, tc.path)
			}
			if r.Auth != "Bearer "+tokenValue(1) {
				t.Errorf("Authorization: got %q, want the bearer token", r.Auth)
			}
			if tc.form == nil {
				if r.Form != "" {
					t.Errorf("body: got %q, want none", r.Form)
				}
				return
			}
			if r.ContentType != "application/x-www-form-urlencoded" {
				t.Errorf("Content-Type: got %q", r.ContentType)
			}
			got, err := url.ParseQuery(r.Form)
			if err != nil {
				t.Fatal(err)
			}
			if got.Encode() != tc.form.Encode() {
				t.Errorf("form: got %s, want %s", got.Encode(), tc.form.Encode())
			}
		})
	}
}

// TestInvalidIDsNeverReachTheAPI: a path can never be smuggled through an id.
func TestInvalidIDsNeverReachTheAPI(t *testing.T) {
	f := newFakeHive(t, "/v1")
	c := newTestClient(t, f)
	ctx := context.Background()
	for _, id := range []string{"", "../token", "8462e8ce-4245-4eca-835c-4a160b93b03", "8462e8ce/4245-4eca-835c-4a160b93b030", "8462e8ce-4245-4eca-835c-4a160b93b03g", "x%2F..%2Fy"} {
		calls := map[string]error{}
		_, calls["GetCustomer"] = c.GetCustomer(ctx, id)
		_, calls["UpdateCustomer"] = c.UpdateCustomer(ctx, id, CustomerParams{})
		_, calls["DeleteCustomer"] = c.DeleteCustomer(ctx, id)
		_, calls["GetSession"] = c.GetSession(ctx, id)
		calls["DeleteSession"] = c.DeleteSession(ctx, id)
		_, calls["CreateSession"] = c.CreateSession(ctx, SessionParams{CustomerID: id})
		_, calls["CreateCheck"] = c.CreateCheck(ctx, id)
		_, calls["GetCheck"] = c.GetCheck(ctx, id)
		calls["DeleteCheck"] = c.DeleteCheck(ctx, id)
		_, calls["GetReport"] = c.GetReport(ctx, id)
		_, calls["GetFile"] = c.GetFile(ctx, id)
		_, calls["OpenFile"] = c.OpenFile(ctx, id)
		for name, err := range calls {
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("%s(%q): got %v, want ErrInvalid", name, id, err)
			}
		}
	}
	if n := len(f.recorded()) + int(f.tokenHits.Load()); n != 0 {
		t.Fatalf("got %d requests, want none", n)
	}
	if !ValidID(strings.ToUpper(custID)) {
		t.Error("upper-case UUIDs are valid ids")
	}
}

func TestNewRequiresHTTPSExceptLoopback(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"https://api.hive.id", true},
		{"", true},
		{"http://api.hive.id", false},
		{"http://127.0.0.1:8090", true},
		{"http://127.8.0.1:8090/base", true},
		{"http://localhost:8090", true},
		{"http://[::1]:8090", true},
		{"http://10.0.0.5", false},
		{"ftp://api.hive.id", false},
		{"api.hive.id", false},
		{"https://user:pw@api.hive.id", false},
	}
	for _, tc := range tests {
		_, err := New(Config{BaseURL: tc.url, APIKey: "k", APISecret: "s"})
		if (err == nil) != tc.ok {
			t.Errorf("New(%q): got error %v, want ok=%v", tc.url, err, tc.ok)
		}
	}
	if _, err := New(Config{APIKey: "k"}); err == nil {
		t.Error("New without a secret: got nil error")
	}
}

func TestErrorsAreTyped(t *testing.T) {
	tests := []struct {
		status int
		body   string
		want   error
		field  string
		msg    string
	}{
		{404, `{"error":{"status":404,"code":"not_found","message":"no such customer"}}`, ErrNotFound, "", "no such customer"},
		{422, `{"error":{"status":422,"code":"invalid","message":"email is not valid","field":"email"}}`, ErrInvalid, "email", "email is not valid"},
		{400, `{"message":"flat body","field":"dob"}`, ErrInvalid, "dob", "flat body"},
		{409, `{"error":"session not completed"}`, ErrConflict, "", "session not completed"},
		{429, `slow down`, ErrRateLimited, "", "too many requests"},
		{403, ``, ErrForbidden, "", "forbidden"},
		{500, `<html>oops</html>`, ErrUnavailable, "", "internal server error"},
	}
	for _, tc := range tests {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			f := newFakeHive(t, "/v1")
			f.handle = func(w http.ResponseWriter, _ *http.Request, _ recorded) {
				w.Header().Set("X-Request-Id", "req-123")
				writeJSON(w, tc.status, tc.body)
			}
			c := newTestClient(t, f)
			_, err := c.CreateCustomer(context.Background(), CustomerParams{Email: String("a@b.c")})
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			var herr *Error
			if !errors.As(err, &herr) {
				t.Fatalf("got %T, want *Error", err)
			}
			if herr.StatusCode != tc.status || herr.Field != tc.field || herr.Message != tc.msg || herr.RequestID != "req-123" || herr.Op != "POST /customers" {
				t.Errorf("got %+v", herr)
			}
		})
	}
}

func TestUnreachableIsUnavailable(t *testing.T) {
	f := newFakeHive(t, "/v1")
	url := f.URL()
	f.srv.Close()
	c, err := New(Config{BaseURL: url, APIKey: testKey, APISecret: testSecret, Retry: RetryPolicy{BaseDelay: 1, MaxDelay: 1}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListCustomers(context.Background())
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("got %v, want ErrUnavailable", err)
	}
}

func TestPing(t *testing.T) {
	for _, tc := range []struct {
		status int
		ok     bool
	}{{404, true}, {503, false}, {401, false}} {
		f := newFakeHive(t, "/v1")
		f.handle = func(w http.ResponseWriter, _ *http.Request, _ recorded) { writeJSON(w, tc.status, `{}`) }
		c := newTestClient(t, f)
		recordSleeps(c)
		if err := c.Ping(context.Background()); (err == nil) != tc.ok {
			t.Errorf("Ping with Hive answering %d: got %v, want ok=%v", tc.status, err, tc.ok)
		}
	}
}
