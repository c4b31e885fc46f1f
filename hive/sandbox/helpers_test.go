package sandbox_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/hive/sandbox"
)

// clock is a settable clock shared by a sandbox and its test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// env is a running sandbox, over real HTTP on loopback, and a client for it.
type env struct {
	t      testing.TB
	srv    *sandbox.Server
	http   *httptest.Server
	client *hive.Client
	clock  *clock
	dir    string
}

// startSandbox starts a sandbox in a fresh data dir (or dir, when given) with instant checks.
func startSandbox(t testing.TB, mod ...func(*sandbox.Options)) *env {
	t.Helper()
	e := &env{t: t, clock: newClock(), dir: t.TempDir()}
	opts := sandbox.Options{DataDir: e.dir, Now: e.clock.Now}
	for _, m := range mod {
		m(&opts)
	}
	e.dir = opts.DataDir
	srv, err := sandbox.New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	e.http = httptest.NewServer(srv)
	t.Cleanup(func() {
		e.http.Close()
		_ = srv.Close()
	})
	creds := srv.Credentials()
	e.client, err = hive.New(hive.Config{BaseURL: e.http.URL, APIKey: creds.APIKey, APISecret: hive.Secret(creds.APISecret),
		ApplicationKey: creds.ApplicationKey, Retry: hive.RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// token fetches a fresh access token with raw HTTP.
func (e *env) token() string {
	e.t.Helper()
	c := e.srv.Credentials()
	req, _ := http.NewRequest("GET", e.http.URL+"/token", nil)
	req.SetBasicAuth(c.APIKey, c.APISecret)
	var body struct {
		AccessToken string `json:"access_token"`
	}
	resp := e.do(req, http.StatusOK)
	if err := json.Unmarshal(resp, &body); err != nil || body.AccessToken == "" {
		e.t.Fatalf("token: %s", resp)
	}
	return body.AccessToken
}

// raw sends a request with a bearer token and expects status; it returns the body.
func (e *env) raw(method, path, contentType, body string, want int) []byte {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.http.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+e.token())
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return e.do(req, want)
}

func (e *env) do(req *http.Request, want int) []byte {
	e.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		e.t.Fatalf("%s %s: got %d %s, want %d", req.Method, req.URL.Path, resp.StatusCode, b, want)
	}
	return b
}

// complete finishes a session as the SDK would, with a scenario.
func (e *env) complete(sessionID string, scenario sandbox.Scenario) {
	e.t.Helper()
	e.raw("POST", "/sandbox/sessions/"+sessionID+"/complete", "application/x-www-form-urlencoded",
		url.Values{"scenario": {string(scenario)}}.Encode(), http.StatusOK)
}

// customerWithSession creates a customer and a session for it, returning both ids.
func (e *env) customerWithSession(email string) (customerID, sessionID string) {
	e.t.Helper()
	ctx := context.Background()
	c, err := e.client.CreateCustomer(ctx, hive.CustomerParams{Email: hive.String(email), FirstName: hive.String("Anna"),
		LastName: hive.String("Eriksson"), Gender: hive.String("female"), DOB: hive.String("12-08-1974")})
	if err != nil {
		e.t.Fatal(err)
	}
	tok, err := e.client.CreateSession(ctx, hive.SessionParams{CustomerID: c.ID})
	if err != nil {
		e.t.Fatal(err)
	}
	claims, err := e.srv.VerifySessionToken(tok.Token)
	if err != nil {
		e.t.Fatal(err)
	}
	return c.ID, claims.SessionID
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
