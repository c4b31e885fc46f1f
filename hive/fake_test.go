package hive

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Test credentials. The secret is distinctive so a leak is easy to spot in any output.
const (
	testKey    = "test-key"
	testSecret = "s3cr3t-DO-NOT-LEAK"
	testAppKey = "hWsqWCs7fS4nfKW1cYevw7fxKLKTN78a"
)

// recorded is one request the fake Hive received.
type recorded struct {
	Method, Path, Auth, ContentType string
	Form                            string // raw body
}

// fakeHive is a programmable Hive: it serves /token and routes everything else to handle, under a
// base path, and records every request.
type fakeHive struct {
	t        *testing.T
	srv      *httptest.Server
	basePath string

	mu        sync.Mutex
	requests  []recorded
	tokenHits atomic.Int64
	tokenN    atomic.Int64
	expiresIn int64
	tokenWait time.Duration // delays the token answer, to pile up concurrent callers
	handle    func(w http.ResponseWriter, r *http.Request, rec recorded)
}

func newFakeHive(t *testing.T, basePath string) *fakeHive {
	t.Helper()
	f := &fakeHive{t: t, basePath: basePath, expiresIn: 3599}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeHive) URL() string { return f.srv.URL + f.basePath }

// token returns the n-th access token the fake issues.
func tokenValue(n int64) string { return fmt.Sprintf("tok-%d-VERYSECRET", n) }

func (f *fakeHive) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rec := recorded{Method: r.Method, Path: r.URL.Path, Auth: r.Header.Get("Authorization"),
		ContentType: r.Header.Get("Content-Type"), Form: string(body)}
	if !strings.HasPrefix(r.URL.Path, f.basePath+"/") {
		http.Error(w, "outside the base path", http.StatusTeapot)
		return
	}
	if r.URL.Path == f.basePath+"/token" {
		f.tokenHits.Add(1)
		want := "Basic " + base64.StdEncoding.EncodeToString([]byte(testKey+":"+testSecret))
		if rec.Auth != want {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"error":{"status":401,"code":"unauthorized","message":"bad credentials"}}`)
			return
		}
		if f.tokenWait > 0 {
			time.Sleep(f.tokenWait)
		}
		n := f.tokenN.Add(1)
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": tokenValue(n), "expires_in": f.expiresIn})
		return
	}
	f.mu.Lock()
	f.requests = append(f.requests, rec)
	f.mu.Unlock()
	if f.handle == nil {
		http.NotFound(w, r)
		return
	}
	f.handle(w, r, rec)
}

func (f *fakeHive) recorded() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.requests...)
}

// newTestClient builds a client for the fake with fast retries.
func newTestClient(t *testing.T, f *fakeHive, mod ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{BaseURL: f.URL(), APIKey: testKey, APISecret: testSecret, ApplicationKey: testAppKey,
		Retry: RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Valid objects as the reference shows them, for fakes that answer a single object.
const (
	customerJSON = `{"id":"` + custID + `","email":"john@hive.id","phone":null,"first_name":"John","middle_name":null,` +
		`"last_name":"Doe","gender":null,"dob":null,"metadata":{},"created_at":1602241760,"updated_at":1602241760}`
	sessionJSON = `{"id":"` + sessionID + `","customer":"` + custID + `","full_name":"John Farrell Doe","email":"john@hive.id",` +
		`"application_id":"417c1928-05ac-45dd-8740-9e4a996f823e","workspace_id":"53f87c6e-7242-4a5b-ac65-33fba6e247a0",` +
		`"status":"completed","expires_at":1602241889,"created_at":1602238289,"updated_at":1602238325,"check_id":null}`
	checkJSON = `{"id":"` + chkID + `","session_id":"` + sessionID + `","status":"processing","decision":null,"report":null,` +
		`"created_at":1602251909,"updated_at":1602251909}`
)

// objectJSON is the valid object of the resource a path names: /customers/…, /sessions/…, /checks/….
func objectJSON(path string) string {
	switch {
	case strings.Contains(path, "/sessions"):
		return sessionJSON
	case strings.Contains(path, "/checks"):
		return checkJSON
	case strings.Contains(path, "/files"):
		return `{"id":"` + fileID + `","type":"portrait","metadata":{},"url":"https://files.hive.id/downloads/` + fileID +
			`","check":"` + chkID + `","created_at":1601084628}`
	}
	return customerJSON
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}
