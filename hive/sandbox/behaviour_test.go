package sandbox_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/hive/sandbox"
)

func TestCustomerValidation(t *testing.T) {
	e := startSandbox(t)
	const form = "application/x-www-form-urlencoded"
	tests := []struct {
		name   string
		body   string
		status int
		field  string
	}{
		{"valid", "email=a@example.com&gender=Female&dob=29-02-2000&phone=%2B44+7700+900123", 200, ""},
		{"email without domain dot", "email=a@localhost", 422, "email"},
		{"email with a display name", "email=Ann+%3Ca@example.com%3E", 422, "email"},
		{"gender other", "email=a@example.com&gender=other", 422, "gender"},
		{"dob wrong format", "email=a@example.com&dob=2000-02-29", 422, "dob"},
		{"dob not a real date", "email=a@example.com&dob=30-02-2000", 422, "dob"},
		{"dob in the future", "email=a@example.com&dob=01-01-2099", 422, "dob"},
		{"dob before 1900", "email=a@example.com&dob=01-01-1850", 422, "dob"},
		{"phone with letters", "email=a@example.com&phone=call+me", 422, "phone"},
		{"phone too short", "email=a@example.com&phone=12345", 422, "phone"},
		{"first name too long", "email=a@example.com&first_name=" + strings.Repeat("x", 101), 422, "first_name"},
		{"metadata key too long", "email=a@example.com&metadata[" + strings.Repeat("k", 41) + "]=v", 422, "metadata"},
		{"metadata value too long", "email=a@example.com&metadata[k]=" + strings.Repeat("v", 501), 422, "metadata"},
		{"metadata malformed key", "email=a@example.com&metadata[a][b]=v", 400, "metadata[a][b]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := e.raw("POST", "/customers", form, tc.body, tc.status)
			if tc.status == 200 {
				var c hive.Customer
				if err := json.Unmarshal(body, &c); err != nil || *c.Gender != "female" || *c.DOB != "29-02-2000" {
					t.Fatalf("got %s, %v", body, err)
				}
				return
			}
			var got struct{ Error sandbox.APIError }
			_ = json.Unmarshal(body, &got)
			if got.Error.Field != tc.field {
				t.Errorf("field: got %q, want %q (%s)", got.Error.Field, tc.field, body)
			}
		})
	}
	t.Run("too many metadata keys", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("email=a@example.com")
		for i := range 51 {
			fmt.Fprintf(&b, "&metadata[k%d]=v", i)
		}
		e.raw("POST", "/customers", form, b.String(), 422)
	})
}

func TestJSONBodiesAreAccepted(t *testing.T) {
	e := startSandbox(t)
	body := e.raw("POST", "/customers", "application/json", `{"email":"j@example.com","first_name":"Jo","metadata":{"plan":"gold"}}`, 200)
	var c hive.Customer
	if err := json.Unmarshal(body, &c); err != nil || *c.FirstName != "Jo" || c.Metadata["plan"] != "gold" {
		t.Fatalf("got %s", body)
	}
	body = e.raw("PATCH", "/customers/"+c.ID, "application/json", `{"first_name":null,"metadata":null}`, 200)
	if err := json.Unmarshal(body, &c); err != nil || c.FirstName != nil || len(c.Metadata) != 0 {
		t.Fatalf("JSON null clears: got %s", body)
	}
	e.raw("PATCH", "/customers/"+c.ID, "application/json", `{"email":""}`, 422)
	e.raw("PATCH", "/customers/"+c.ID, "application/json", `{"first_name":5}`, 400)
}

func TestTokenEndpoint(t *testing.T) {
	e := startSandbox(t, func(o *sandbox.Options) { o.TokenTTL = 10 * time.Second })
	c := e.srv.Credentials()
	basic := func(h string, want int) string {
		req, _ := http.NewRequest("GET", e.http.URL+"/token", nil)
		req.Header.Set("Authorization", h)
		var body struct {
			AccessToken string `json:"access_token"`
			ExpiresIn   int    `json:"expires_in"`
		}
		_ = json.Unmarshal(e.do(req, want), &body)
		if want == 200 && body.ExpiresIn != 10 {
			t.Errorf("expires_in: got %d, want 10", body.ExpiresIn)
		}
		return body.AccessToken
	}
	std := basic("Basic "+base64.StdEncoding.EncodeToString([]byte(c.APIKey+":"+c.APISecret)), 200)
	literal := basic("Basic "+c.APIKey+":"+c.APISecret, 200)
	basic("Basic "+c.APIKey+":wrong", 401)
	basic("Bearer "+c.APIKey, 401)
	basic("", 401)

	get := func(tok string, want int) {
		req, _ := http.NewRequest("GET", e.http.URL+"/customers", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		e.do(req, want)
	}
	get(std, 200)
	get(literal, 200)
	get("forged.token", 401)
	e.clock.Advance(9 * time.Second)
	get(std, 200)
	e.clock.Advance(time.Second)
	get(std, 401) // expired
}

func TestSessionLifecycle(t *testing.T) {
	e := startSandbox(t)
	ctx := context.Background()
	_, open := e.customerWithSession("a@example.com")
	_, done := e.customerWithSession("b@example.com")
	e.complete(done, sandbox.ScenarioClear)
	e.raw("POST", "/sandbox/sessions/"+done+"/complete", "", "", http.StatusConflict) // only once
	e.raw("POST", "/sandbox/sessions/"+open+"/complete", "application/x-www-form-urlencoded", "scenario=nope", 422)
	e.clock.Advance(90 * time.Minute)
	s, err := e.client.GetSession(ctx, open)
	if err != nil || s.Status != hive.SessionExpired {
		t.Fatalf("after 90 minutes: got %+v, %v, want expired", s, err)
	}
	if s, _ = e.client.GetSession(ctx, done); s.Status != hive.SessionCompleted {
		t.Fatalf("a completed session stays completed: got %q", s.Status)
	}
	e.raw("POST", "/sandbox/sessions/"+open+"/complete", "", "", http.StatusConflict) // expired
	if _, err := e.client.CreateSession(ctx, hive.SessionParams{CustomerID: "8462e8ce-4245-4eca-835c-4a160b93b030"}); !errors.Is(err, hive.ErrInvalid) {
		t.Fatalf("session for an unknown customer: got %v", err)
	}
	if _, err := e.client.CreateSession(ctx, hive.SessionParams{CustomerID: s.CustomerID, ApplicationKey: "wrong"}); !errors.Is(err, hive.ErrInvalid) {
		t.Fatalf("session with a wrong application key: got %v", err)
	}
}

func TestChecksProcessForTheConfiguredDelay(t *testing.T) {
	e := startSandbox(t, func(o *sandbox.Options) { o.CheckDelay = 3 * time.Second })
	ctx := context.Background()
	_, sid := e.customerWithSession("a@example.com")
	e.complete(sid, sandbox.ScenarioExpiredDocument)
	check, err := e.client.CreateCheck(ctx, sid)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(2 * time.Second)
	if check, _ = e.client.GetCheck(ctx, check.ID); check.Status != hive.CheckProcessing {
		t.Fatalf("after 2s: got %q, want processing", check.Status)
	}
	if _, err := e.client.GetReport(ctx, check.ID); !errors.Is(err, hive.ErrNotFound) {
		t.Fatalf("report while processing: got %v, want ErrNotFound", err)
	}
	e.clock.Advance(time.Second)
	if check, _ = e.client.GetCheck(ctx, check.ID); check.Status != hive.CheckComplete || *check.Decision != sandbox.DecisionFor(hive.StatusConsider) {
		t.Fatalf("after 3s: got %+v", check)
	}
	r, err := e.client.GetReport(ctx, check.ID)
	if err != nil || !r.Processed.Equal(check.UpdatedAt) || r.Processed.Sub(r.Submitted) < 0 {
		t.Fatalf("report times: %+v, %v", r, err)
	}
	// The control endpoint ends processing at once.
	_, sid2 := e.customerWithSession("b@example.com")
	e.complete(sid2, sandbox.ScenarioClear)
	c2, _ := e.client.CreateCheck(ctx, sid2)
	var forced hive.Check
	_ = json.Unmarshal(e.raw("POST", "/sandbox/checks/"+c2.ID+"/complete", "", "", 200), &forced)
	if forced.Status != hive.CheckComplete {
		t.Fatalf("forced completion: got %+v", forced)
	}
}

func TestStateSurvivesARestart(t *testing.T) {
	e := startSandbox(t)
	ctx := context.Background()
	custID, sid := e.customerWithSession("keep@example.com")
	e.complete(sid, sandbox.ScenarioVPNTor)
	creds := e.srv.Credentials()
	e.http.Close()
	if err := e.srv.Close(); err != nil {
		t.Fatal(err)
	}
	again := startSandbox(t, func(o *sandbox.Options) { o.DataDir = e.dir })
	if again.srv.Credentials() != creds {
		t.Fatal("credentials changed across a restart")
	}
	c, err := again.client.GetCustomer(ctx, custID)
	if err != nil || c.Email != "keep@example.com" {
		t.Fatalf("customer after restart: %+v, %v", c, err)
	}
	s, err := again.client.GetSession(ctx, sid)
	if err != nil || s.Status != hive.SessionCompleted {
		t.Fatalf("session after restart: %+v, %v", s, err)
	}
}

// TestConcurrentWrites runs many writers at once (run it with -race): nothing is lost or doubled.
func TestConcurrentWrites(t *testing.T) {
	e := startSandbox(t)
	ctx := context.Background()
	const writers, each = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				c, err := e.client.CreateCustomer(ctx, hive.CustomerParams{Email: hive.String(fmt.Sprintf("w%d-%d@example.com", w, i))})
				if err != nil {
					errs <- err
					continue
				}
				if _, err := e.client.UpdateCustomer(ctx, c.ID, hive.CustomerParams{FirstName: hive.String("N")}); err != nil {
					errs <- err
				}
				if _, err := e.client.CreateSession(ctx, hive.SessionParams{CustomerID: c.ID}); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	list, err := e.client.ListCustomers(ctx)
	if err != nil || list.Meta.Total != writers*each {
		t.Fatalf("got %d customers, %v, want %d", list.Meta.Total, err, writers*each)
	}
	seen := map[string]bool{}
	for _, c := range list.Data {
		if seen[c.ID] || c.FirstName == nil {
			t.Fatalf("customer %s duplicated or update lost", c.ID)
		}
		seen[c.ID] = true
	}
	if s, _ := e.client.ListSessions(ctx); s.Meta.Total != writers*each {
		t.Fatalf("got %d sessions, want %d", s.Meta.Total, writers*each)
	}
}
