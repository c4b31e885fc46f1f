package handlers_test

import (
	"bytes"
	"context"
	"io"
	stdlog "log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/handlers"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/hive/sandbox"
)

// hiveTimeout is the console's per-call Hive timeout in these tests; a page must answer within
// pageBudget whatever Hive does.
const (
	hiveTimeout = time.Second
	pageBudget  = hiveTimeout + 2*time.Second
)

// faultyHive is a fault-injecting Hive: a server on 127.0.0.1 in front of a real sandbox that
// forwards every request unless a fault is set, and records the paths it was asked for.
type faultyHive struct {
	t        *testing.T
	addr     string
	proxy    *httputil.ReverseProxy
	upstream *http.Transport // to the sandbox; its idle connections are closed when counting goroutines

	mu      sync.Mutex
	server  *http.Server
	fault   *fault
	revoked map[string]bool // bearer tokens answered 401
	paths   []string        // every request but /token, as "GET /customers/{id}"
	tokens  atomic.Int64    // GET /token requests
	refused atomic.Int64    // 401s answered
}

// fault is one way Hive misbehaves, for the requests `only` selects (every one but /token when nil).
type fault struct {
	name  string
	down  bool // the listener is closed: connection refused
	only  func(path string) bool
	serve func(f *faultyHive, w http.ResponseWriter, r *http.Request)
}

func newFaultyHive(t *testing.T, target string) *faultyHive {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	f := &faultyHive{t: t, addr: "127.0.0.1:0", revoked: map[string]bool{},
		upstream: &http.Transport{DialContext: (&net.Dialer{Timeout: time.Second}).DialContext, MaxIdleConnsPerHost: 8}}
	f.proxy = &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(u) }, Transport: f.upstream,
		ErrorLog: discardLog()}
	f.start()
	t.Cleanup(func() { f.stop(); f.upstream.CloseIdleConnections() })
	return f
}

func discardLog() *stdlog.Logger { return slog.NewLogLogger(slog.DiscardHandler, slog.LevelError) }

// start listens on the fake's address (a fresh port the first time, the same one after stop).
func (f *faultyHive) start() {
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		f.t.Fatalf("fake Hive: listen again on %s: %v", f.addr, err)
	}
	srv := &http.Server{Handler: f, ErrorLog: discardLog()}
	f.mu.Lock()
	f.addr, f.server = ln.Addr().String(), srv
	f.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
}

// stop closes the listener and every connection: Hive is down.
func (f *faultyHive) stop() {
	f.mu.Lock()
	srv := f.server
	f.mu.Unlock()
	_ = srv.Close()
}

func (f *faultyHive) URL() string { return "http://" + f.addr }

// set makes every later request meet ft; nil forwards them all again.
func (f *faultyHive) set(ft *fault) {
	f.mu.Lock()
	prev := f.fault
	f.fault = ft
	f.mu.Unlock()
	wasDown, isDown := prev != nil && prev.down, ft != nil && ft.down
	switch {
	case isDown && !wasDown:
		f.stop()
	case wasDown && !isDown:
		f.start()
	}
}

// seen returns the requests the fake got, but /token.
func (f *faultyHive) seen() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.paths)
}

var idPattern = regexp.MustCompile(`/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

func (f *faultyHive) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/token" {
		f.tokens.Add(1)
		f.proxy.ServeHTTP(w, r)
		return
	}
	f.mu.Lock()
	f.paths = append(f.paths, r.Method+" "+idPattern.ReplaceAllString(r.URL.Path, "/{id}"))
	ft := f.fault
	f.mu.Unlock()
	if ft != nil && ft.serve != nil && (ft.only == nil || ft.only(r.URL.Path)) {
		ft.serve(f, w, r)
		return
	}
	f.proxy.ServeHTTP(w, r)
}

// answer is a fault that answers status and body.
func answer(status int, body string, header ...string) func(*faultyHive, http.ResponseWriter, *http.Request) {
	return func(_ *faultyHive, w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// wait holds the request until the client gives up (or a minute passes).
func wait(r *http.Request, d time.Duration) {
	select {
	case <-r.Context().Done():
	case <-time.After(d):
	}
}

// detailPath selects one object's path: /customers/{id}, /checks/{id}.
func detailPath(path string) bool {
	return idPattern.MatchString(path) && strings.Count(path, "/") == 2
}

// customersPath selects the customers endpoints.
func customersPath(path string) bool { return strings.HasPrefix(path, "/customers") }

// The faults Hive can have.
var (
	faultDown       = &fault{name: "down", down: true}
	faultSlowAnswer = &fault{name: "slow to answer", serve: func(_ *faultyHive, _ http.ResponseWriter, r *http.Request) {
		wait(r, time.Minute)
	}}
	faultSlowBody = &fault{name: "slow body", serve: func(_ *faultyHive, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		rc := http.NewResponseController(w)
		body := `{"data":[{"id":"`
		for i := 0; ; i++ { // one byte a second, until the client hangs up
			if _, err := io.WriteString(w, body[i%len(body):i%len(body)+1]); err != nil || rc.Flush() != nil {
				return
			}
			select {
			case <-r.Context().Done():
				return
			case <-time.After(time.Second):
			}
		}
	}}
	faultRevoked = &fault{name: "401 once", serve: func(f *faultyHive, w http.ResponseWriter, r *http.Request) {
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		f.mu.Lock()
		if len(f.revoked) == 0 { // the first token seen is revoked, for good
			f.revoked[tok] = true
		}
		refused := f.revoked[tok]
		f.mu.Unlock()
		if refused {
			f.refused.Add(1)
			answer(401, `{"error":{"status":401,"code":"unauthorized","message":"the access token was revoked"}}`)(f, w, r)
			return
		}
		f.proxy.ServeHTTP(w, r)
	}}
	fault404  = &fault{name: "404", only: detailPath, serve: answer(404, `{"error":{"status":404,"code":"not_found","message":"no such object"}}`)}
	fault429  = &fault{name: "429", serve: answer(429, `{"error":{"status":429,"message":"slow down"}}`, "Retry-After", "30")}
	fault500  = &fault{name: "500", serve: answer(500, `{"error":{"status":500,"message":"internal error: db password=hunter2"}}`)}
	fault503  = &fault{name: "503", serve: answer(503, `<html>upstream maintenance</html>`)}
	faultTrim = &fault{name: "truncated JSON", serve: func(f *faultyHive, w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		f.proxy.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body[:len(body)/2])
		_ = http.NewResponseController(w).Flush()
		panic(http.ErrAbortHandler) // the connection drops mid-body
	}}
	faultMalformed  = &fault{name: "malformed JSON", serve: answer(200, `{"data":[{"id":"x",}],"meta":{`)}
	faultWrongTypes = &fault{name: "wrong types", serve: answer(200,
		`{"id":42,"email":true,"status":["complete"],"data":"everything","meta":{"total":"lots"}}`)}
	faultHuge = &fault{name: "50 MiB body", serve: func(_ *faultyHive, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		chunk := bytes.Repeat([]byte("a"), 64<<10)
		if _, err := io.WriteString(w, `{"data":"`); err != nil {
			return
		}
		for range (50 << 20) / len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return // the client stopped reading
			}
		}
		_, _ = io.WriteString(w, `"}`)
	}}
)

// rig is a console whose real hive.Client talks to a faulty Hive in front of a seeded sandbox.
type rig struct {
	tc         *testConsole
	fake       *faultyHive
	client     *hive.Client
	transport  *http.Transport // the console's to Hive
	logs       *syncBuffer
	customerID string
	checkID    string // a completed check
}

// syncBuffer is a bytes.Buffer safe for the logger's concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}
func (b *syncBuffer) String() string { b.mu.Lock(); defer b.mu.Unlock(); return b.buf.String() }

// newRig starts the rig; mods adjust the console's Hive client config.
func newRig(t *testing.T, breaker hive.BreakerPolicy, mods ...func(*hive.Config)) *rig {
	t.Helper()
	ctx := context.Background()
	sb, err := sandbox.New(ctx, sandbox.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sb.Seed(ctx, sandbox.SeedOptions{Seed: 5, Customers: 8}); err != nil {
		t.Fatal(err)
	}
	sbHTTP := httptest.NewServer(sb)
	t.Cleanup(func() { sbHTTP.Close(); sb.Close() })
	creds := sb.Credentials()
	r := &rig{fake: newFaultyHive(t, sbHTTP.URL), logs: &syncBuffer{},
		transport: &http.Transport{DialContext: (&net.Dialer{Timeout: time.Second}).DialContext,
			ResponseHeaderTimeout: 5 * time.Second, IdleConnTimeout: time.Minute, MaxIdleConnsPerHost: 16}}
	t.Cleanup(r.transport.CloseIdleConnections)
	cfg := hive.Config{BaseURL: r.fake.URL(), APIKey: creds.APIKey, APISecret: hive.Secret(creds.APISecret),
		ApplicationKey: creds.ApplicationKey, Timeout: hiveTimeout, HTTPClient: &http.Client{Transport: r.transport},
		Retry:   hive.RetryPolicy{BaseDelay: 20 * time.Millisecond, MaxDelay: 100 * time.Millisecond, MaxRetryAfter: 2 * time.Second},
		Breaker: breaker}
	for _, m := range mods {
		m(&cfg)
	}
	r.client, err = hive.New(cfg)
	if err != nil {
		t.Fatal(err)
	}

	// Ids straight from the sandbox, past the fake.
	direct, err := hive.New(hive.Config{BaseURL: sbHTTP.URL, APIKey: creds.APIKey, APISecret: hive.Secret(creds.APISecret),
		HTTPClient: &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}})
	if err != nil {
		t.Fatal(err)
	}
	customers, err := direct.ListCustomers(ctx)
	if err != nil || len(customers.Data) == 0 {
		t.Fatalf("sandbox customers: %v", err)
	}
	r.customerID = customers.Data[0].ID
	checks, err := direct.ListChecks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range checks.Data {
		if ch.Status == hive.CheckComplete {
			r.checkID = ch.ID
			break
		}
	}
	if r.checkID == "" {
		t.Fatal("the sandbox seeded no completed check")
	}

	r.tc = newTestConsole(t, func(c *handlers.Config, _ *auth.Config) {
		c.Hive, c.HivePing, c.HiveUnreachable = r.client, r.client.Ping, r.client.Unreachable
		c.Logger = slog.New(slog.NewTextHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	})
	return r
}

// closeIdle closes every idle keep-alive connection of the test, so the goroutines that serve them
// end and only the ones something still holds are counted.
func (r *rig) closeIdle(b *browser) {
	r.transport.CloseIdleConnections()
	r.fake.upstream.CloseIdleConnections()
	b.client.CloseIdleConnections()
}

// quiet returns the number of goroutines once idle connections are closed: the fewest seen within
// half a second.
func (r *rig) quiet(b *browser) int {
	fewest := runtime.NumGoroutine()
	for deadline := time.Now().Add(500 * time.Millisecond); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		r.closeIdle(b)
		fewest = min(fewest, runtime.NumGoroutine())
	}
	return fewest
}

// settle fails the test unless the goroutines come back to at most baseline within ten seconds.
func (r *rig) settle(t *testing.T, b *browser, baseline int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r.closeIdle(b)
		n := runtime.NumGoroutine()
		if n <= baseline {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("goroutines: got %d after the fault, want at most %d as before\n%s", n, baseline, buf)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// timedGet gets path and says how long the answer took.
func timedGet(b *browser, path string) (response, time.Duration) {
	start := time.Now()
	resp := b.get(path)
	return resp, time.Since(start)
}

// TestHiveFaults: whatever Hive does, every page that needs it answers within its budget with a
// clear page — 404 stays 404, failures are 502/503 with a retry hint, nothing internal, no panic —
// pages that do not need Hive (the lists and the overview read the console's copy) keep working, the console recovers when Hive does, and no goroutine
// is left behind.
func TestHiveFaults(t *testing.T) {
	tests := []struct {
		fault         *fault
		detail        []int // statuses allowed for one object's page
		retryAfter502 bool  // a 502 page carries Retry-After
	}{
		{faultDown, []int{503}, true},
		{faultSlowAnswer, []int{503}, true},
		{faultSlowBody, []int{503}, true},
		{faultRevoked, []int{200}, false},
		{fault404, []int{404}, false},
		{fault429, []int{503}, true},
		{fault500, []int{502}, true},
		{fault503, []int{502}, true},
		{faultTrim, []int{502}, false},
		{faultMalformed, []int{502}, false},
		{faultWrongTypes, []int{502}, false},
		{faultHuge, []int{502}, false},
	}
	for _, tt := range tests {
		t.Run(tt.fault.name, func(t *testing.T) {
			r := newRig(t, hive.BreakerPolicy{Disabled: true}) // each fault shows its own page
			b := r.tc.browser()
			baseline := r.quiet(b)

			// Faulty from the start, so the console has no reading of Hive's lists to fall back on.
			r.fake.set(tt.fault)
			b.signInAs(auth.RoleAdmin)
			pages := []struct {
				path string
				want []int
			}{
				{"/customers", []int{200}}, // the list reads the console's copy: no fault of Hive's reaches it
				{"/customers/" + r.customerID, tt.detail},
				{"/checks/" + r.checkID, tt.detail},
				{"/", []int{200}},
			}
			for _, p := range pages {
				resp, took := timedGet(b, p.path)
				if took > pageBudget {
					t.Errorf("%s took %v, want under %v", p.path, took, pageBudget)
				}
				if !slices.Contains(p.want, resp.StatusCode) {
					t.Errorf("%s: got %d, want one of %v", p.path, resp.StatusCode, p.want)
					continue
				}
				if resp.StatusCode == 200 {
					continue
				}
				doc := resp.doc(t)
				if doc.Find(`[data-testid="error-page"]`).Length() != 1 {
					t.Errorf("%s: %d without the error page", p.path, resp.StatusCode)
				}
				if resp.StatusCode >= 500 && !strings.Contains(resp.Body, "Try again") {
					t.Errorf("%s: %d without a retry hint", p.path, resp.StatusCode)
				}
				// Unreachable and rate limited (503) always say when to retry; failing Hive (502) does
				// too, an unreadable answer only in words.
				want := resp.StatusCode == 503 || resp.StatusCode == 502 && tt.retryAfter502
				if got := resp.Header.Get("Retry-After") != ""; got != want {
					t.Errorf("%s: %d with Retry-After %q, want set=%v", p.path, resp.StatusCode, resp.Header.Get("Retry-After"), want)
				}
				for _, leak := range []string{"hunter2", "upstream maintenance", "context deadline", "127.0.0.1"} {
					if strings.Contains(resp.Body, leak) {
						t.Errorf("%s: the page leaks %q", p.path, leak)
					}
				}
			}
			for _, path := range []string{"/users", "/account/password"} {
				if resp, took := timedGet(b, path); resp.StatusCode != 200 || took > time.Second {
					t.Errorf("%s while Hive is faulty: got %d in %v, want 200 at once", path, resp.StatusCode, took)
				}
			}

			r.fake.set(nil)
			for _, path := range []string{"/customers/" + r.customerID, "/"} {
				deadline := time.Now().Add(5 * time.Second)
				for resp := b.get(path); resp.StatusCode != 200; resp = b.get(path) {
					if time.Now().After(deadline) {
						t.Fatalf("%s after Hive recovered: got %d, want 200", path, resp.StatusCode)
					}
					time.Sleep(20 * time.Millisecond)
				}
			}
			if strings.Contains(r.logs.String(), "msg=panic") {
				t.Errorf("a handler panicked:\n%s", r.logs.String())
			}
			r.settle(t, b, baseline)
		})
	}
}

// TestTokenRevokedMidSession: Hive revokes the console's token while staff work; the client gets a
// new one once and retries, the page succeeds, and the staff member stays signed in.
func TestTokenRevokedMidSession(t *testing.T) {
	r := newRig(t, hive.BreakerPolicy{})
	b := r.tc.browser()
	b.signInAs(auth.RoleReviewer)
	if resp := b.get("/customers/" + r.customerID); resp.StatusCode != 200 {
		t.Fatalf("before: got %d, want 200", resp.StatusCode)
	}
	if n := r.fake.tokens.Load(); n != 1 {
		t.Fatalf("tokens before the revocation: got %d, want 1", n)
	}
	r.fake.set(faultRevoked)
	for _, path := range []string{"/checks/" + r.checkID, "/customers/" + r.customerID} {
		if resp := b.get(path); resp.StatusCode != 200 {
			t.Errorf("%s with the token revoked: got %d, want 200", path, resp.StatusCode)
		}
	}
	if n := r.fake.refused.Load(); n < 1 {
		t.Fatalf("the fake refused %d requests, want the revoked token refused at least once", n)
	}
	if n := r.fake.tokens.Load(); n != 2 {
		t.Errorf("tokens fetched: got %d, want 2 (one refresh)", n)
	}
	if resp := b.get("/account/password"); resp.StatusCode != 200 {
		t.Errorf("the staff member was signed out: /account/password got %d", resp.StatusCode)
	}
	if r.client.Unreachable() {
		t.Error("a revoked token opened a breaker")
	}
}

// TestBreakerFailsFast: after repeated failures the console stops asking Hive — pages fail at
// once with 503 and a Retry-After and Hive sees nothing — the overview shows what the console last
// knew under a banner, and once Hive recovers a single probe closes the breaker.
func TestBreakerFailsFast(t *testing.T) {
	const cooldown = time.Second
	r := newRig(t, hive.BreakerPolicy{Failures: 3, Cooldown: cooldown})
	b := r.tc.browser()
	b.signInAs(auth.RoleAdmin)
	home := b.get("/")
	if home.StatusCode != 200 || home.doc(t).Find(`[data-testid="hive-down"]`).Length() != 0 {
		t.Fatalf("overview before: got %d, want 200 without the banner", home.StatusCode)
	}
	baseline := r.quiet(b)
	customer := "/customers/" + r.customerID

	r.fake.set(&fault{name: "customers failing", only: customersPath, serve: answer(503, `{}`)})
	for i := range 3 {
		if resp := b.get(customer); resp.StatusCode != 502 {
			t.Fatalf("failure %d: got %d, want 502", i+1, resp.StatusCode)
		}
	}
	if !r.client.Unreachable() {
		t.Fatal("after three failures: Unreachable false, want true")
	}

	before := len(r.fake.seen())
	fastest := time.Hour
	for range 3 {
		resp, took := timedGet(b, customer)
		fastest = min(fastest, took)
		if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || !strings.Contains(resp.Body, "Try again") {
			t.Fatalf("while open: got %d, Retry-After %q, want 503 with a retry hint", resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	}
	if fastest > 100*time.Millisecond {
		t.Errorf("while open: the page took %v, want under 100ms", fastest)
	}
	if seen := r.fake.seen()[before:]; len(seen) != 0 {
		t.Errorf("while open: Hive got %v, want nothing", seen)
	}
	home = b.get("/")
	banner := home.doc(t).Find(`[data-testid="hive-down"]`)
	if home.StatusCode != 200 || banner.Length() != 1 || !strings.Contains(banner.Text(), "last knew") {
		t.Errorf("overview while open: got %d with %d banners, want 200 with the banner", home.StatusCode, banner.Length())
	}
	if home.doc(t).Find(`[data-testid="counts"]`).Length() != 1 {
		t.Error("overview while open: the counts the console last knew are missing")
	}
	if resp := b.get("/users"); resp.StatusCode != 200 {
		t.Errorf("/users while open: got %d, want 200", resp.StatusCode)
	}

	// Hive recovers; after the cool-down the first page view is the probe, and it closes the breaker.
	r.fake.set(nil)
	before = len(r.fake.seen())
	deadline := time.Now().Add(cooldown + 5*time.Second)
	var resp response
	for resp = b.get(customer); resp.StatusCode != 200; resp = b.get(customer) {
		if resp.StatusCode != 503 || time.Now().After(deadline) {
			t.Fatalf("after recovery: got %d, want 503 until the probe, then 200", resp.StatusCode)
		}
		if seen := r.fake.seen()[before:]; len(seen) != 0 {
			t.Fatalf("Hive was asked %v before the cool-down ended", seen)
		}
		time.Sleep(50 * time.Millisecond)
	}
	probes := 0
	for _, p := range r.fake.seen()[before:] {
		if strings.HasPrefix(p, "GET /customers") {
			probes++
		}
	}
	if probes != 1 {
		t.Errorf("customer requests to close the breaker: got %d, want 1 probe", probes)
	}
	if r.client.Unreachable() {
		t.Error("after the probe: Unreachable true, want false")
	}
	if home := b.get("/"); home.doc(t).Find(`[data-testid="hive-down"]`).Length() != 0 {
		t.Error("the banner outlived the outage")
	}
	r.settle(t, b, baseline)
}
