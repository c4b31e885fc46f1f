package handlers_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/alexedwards/argon2id"
	"github.com/google/uuid"
	"github.com/hiveconsole/hiveconsole/audit"
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/database"
	"github.com/hiveconsole/hiveconsole/handlers"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/hive/sandbox"
	"github.com/hiveconsole/hiveconsole/notes"
	"github.com/hiveconsole/hiveconsole/readmodel"
	"github.com/hiveconsole/hiveconsole/retention"
	"github.com/hiveconsole/hiveconsole/review"
	"github.com/hiveconsole/hiveconsole/static"
	"github.com/hiveconsole/hiveconsole/webhooks"
)

const testPassword = "a long and unguessable passphrase"

// clock is a settable clock shared by the auth service and the test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// testConsole is the whole Echo app over real HTTP, with a real staff database, a real sandbox
// behind a real hive.Client, and the embedded assets.
type testConsole struct {
	t      *testing.T
	URL    string
	app    *handlers.App
	staff  *auth.Service
	trail  *audit.Trail    // the audit trail the app records to
	ledger *review.Ledger  // the review decisions the app keeps
	notes  *notes.Book     // the notes and inboxes the app keeps
	hooks  *webhooks.Store // the webhooks' endpoints and outbox
	db     *database.DB    // the console database under them, for tests that write to it directly
	clock  *clock
	users  map[auth.Role]auth.User
	hive   handlers.Hive
	api    *hive.Client // the sandbox's API, for tests that set up data
	sb     *sandbox.Server
	read   *readmodel.Store // the console's copy of Hive, which the lists read
	// syncFrom is the Hive the copy is synced from: the console's own (a test's faulty one, say)
	// when it can stream lists, else the sandbox's API.
	syncFrom readmodel.Hive
}

// sync copies Hive into the console's copy, as a sync pass does: tests that change Hive behind
// the console's back call it before looking at a list.
func (tc *testConsole) sync() {
	tc.t.Helper()
	if err := readmodel.NewSyncer(tc.read, tc.syncFrom, readmodel.SyncConfig{}).Pass(context.Background()); err != nil {
		tc.t.Fatalf("sync: %v", err)
	}
}

type option func(*handlers.Config, *auth.Config)

func newTestConsole(t *testing.T, opts ...option) *testConsole {
	t.Helper()
	return newTestConsoleWith(t, 12, opts...)
}

// newTestConsoleWith seeds the sandbox with the given number of demo customers.
func newTestConsoleWith(t *testing.T, customers int, opts ...option) *testConsole {
	t.Helper()
	ctx := context.Background()
	tc := &testConsole{t: t, clock: &clock{t: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}, users: map[auth.Role]auth.User{}}

	sb, err := sandbox.New(ctx, sandbox.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sb.Seed(ctx, sandbox.SeedOptions{Seed: 3, Customers: customers}); err != nil {
		t.Fatal(err)
	}
	sbHTTP := httptest.NewServer(sb)
	t.Cleanup(func() { sbHTTP.Close(); sb.Close() })
	creds := sb.Credentials()
	client, err := hive.New(hive.Config{BaseURL: sbHTTP.URL, APIKey: creds.APIKey, APISecret: hive.Secret(creds.APISecret),
		ApplicationKey: creds.ApplicationKey})
	if err != nil {
		t.Fatal(err)
	}

	dataDir := t.TempDir()
	if err := copyMigrated(dataDir); err != nil {
		t.Fatal(err)
	}
	db, err := database.Open(ctx, dataDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	tc.db = db
	srv := httptest.NewUnstartedServer(nil)
	base, _ := url.Parse("http://" + srv.Listener.Addr().String())
	acfg := auth.Config{BaseURL: base.String(), SessionKeys: [][]byte{[]byte(strings.Repeat("k", 32))}, MFAKey: []byte(strings.Repeat("m", 32)), Now: tc.clock.Now,
		IdleTimeout: 30 * time.Minute, AbsoluteTimeout: 12 * time.Hour}
	auth.UseTestHashing(&acfg)
	assets, err := static.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	tc.hive, tc.api, tc.sb = client, client, sb
	tc.read = readmodel.New(db, nil)
	hcfg := handlers.Config{BaseURL: base, Sandbox: true, Hive: client, HivePing: client.Ping, HiveUnreachable: client.Unreachable,
		Assets: assets, Read: tc.read}
	for _, o := range opts {
		o(&hcfg, &acfg)
	}
	tc.read.SetLinkCrowd(hcfg.LinkedCrowd)
	staff, err := auth.NewService(ctx, db, acfg)
	if err != nil {
		t.Fatal(err)
	}
	tc.staff, tc.trail, tc.ledger = staff, audit.New(db, tc.clock.Now), review.New(db, tc.clock.Now, 0)
	if w, ok := hcfg.Reviews.(interface{ wrap(handlers.Reviews) }); ok {
		w.wrap(tc.ledger) // a test's ledger around the real one
	} else {
		hcfg.Reviews = tc.ledger
	}
	hcfg.Staff, hcfg.StaffAdmin, hcfg.Sessions, hcfg.SecondFactor, hcfg.Passkeys, hcfg.AccountSessions = staff, staff, staff.Sessions(), staff, staff, staff
	tc.notes = notes.New(db, tc.clock.Now)
	hcfg.Notes = tc.notes
	if hcfg.Holds == nil {
		hcfg.Holds = retention.NewHolds(db, tc.clock.Now)
	}
	hcfg.Planner = retention.NewPlanner(db)
	if tc.hooks, err = webhooks.New(db, []byte(strings.Repeat("w", 32)), tc.clock.Now); err != nil {
		t.Fatal(err)
	}
	hcfg.Webhooks, hcfg.APITokens = tc.hooks, tc.hooks
	if hcfg.WebhookAllow.Empty() {
		hcfg.WebhookAllow, _ = webhooks.ParseAllow("127.0.0.1")
	}
	tc.ledger.OnRecord(tc.hooks.Recorded)
	if w, ok := hcfg.Audit.(interface{ wrap(handlers.Auditor) }); ok {
		w.wrap(tc.trail) // a test's auditor around the real trail
	} else {
		hcfg.Audit = tc.trail
	}
	tc.app, err = handlers.New(hcfg)
	if err != nil {
		t.Fatal(err)
	}
	tc.syncFrom = tc.api
	tc.sync() // the sandbox's demo data, whatever Hive the test puts in front of it
	if h, ok := hcfg.Hive.(readmodel.Hive); ok {
		tc.syncFrom = h
	}
	srv.Config.Handler = tc.app
	srv.Start()
	t.Cleanup(srv.Close)
	tc.URL = srv.URL
	tc.createStaff(ctx, staff)
	return tc
}

// staffHash is testPassword's argon2id hash at auth.TestHashParams, the cost the consoles here hash
// and verify at, made once for the whole test binary: each console's four accounts share it.
var staffHash = sync.OnceValue(func() string {
	p := auth.TestHashParams
	h, err := argon2id.CreateHash(testPassword, &argon2id.Params{Memory: p.MemoryKiB, Iterations: p.Iterations,
		Parallelism: p.Parallelism, SaltLength: 16, KeyLength: 32})
	if err != nil {
		panic(err)
	}
	return h
})

// migratedDir holds a console database with every migration applied, made once for the test binary
// (TestMain removes it): each console starts from a copy, as a console restarted on its data
// directory would. Migrating a fresh file was a quarter of a console's cost under the race detector.
var migratedDir = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "hiveconsole-handlers-")
	if err != nil {
		return "", err
	}
	db, err := database.Open(context.Background(), dir)
	if err != nil {
		return dir, err
	}
	return dir, db.Close()
})

// copyMigrated puts a copy of the migrated database into dataDir.
func copyMigrated(dataDir string) error {
	dir, err := migratedDir()
	if err != nil {
		return err
	}
	src, err := os.ReadFile(filepath.Join(dir, "console.db"))
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dataDir, "console.db"), src, 0o600)
}

func TestMain(m *testing.M) {
	code := m.Run()
	if dir, _ := migratedDir(); dir != "" {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

// createStaff gives the console one account per role, each with testPassword.
func (tc *testConsole) createStaff(ctx context.Context, staff *auth.Service) {
	t := tc.t
	t.Helper()
	now := database.Unix(tc.clock.Now())
	for _, role := range auth.AllRoles() {
		id := uuid.NewString()
		if _, err := tc.db.Exec(ctx, `INSERT INTO users (id, email, name, role, password_hash, created_at, password_changed_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, id, string(role)+"@example.com", "Test "+string(role), string(role), staffHash(), now, now); err != nil {
			t.Fatal(err)
		}
		u, err := staff.UserByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		tc.users[role] = u
	}
}

// browser is an HTTP client with a cookie jar that does not follow redirects, like a test user.
type browser struct {
	t      *testing.T
	tc     *testConsole
	client *http.Client
	csrf   string
	host   string // the Host header sent, when not the console's address (a name for the same server)
}

func (tc *testConsole) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: tc.t, tc: tc, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// response is a read response.
type response struct {
	*http.Response
	Body string
}

func (r response) doc(t *testing.T) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (b *browser) do(req *http.Request) response {
	b.t.Helper()
	if b.host != "" {
		req.Host = b.host
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return response{resp, string(body)}
}

// status sends a request and returns its status without reading the body, for streams that would
// keep a full read waiting.
func (b *browser) status(method, path string) int {
	b.t.Helper()
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader(url.Values{"csrf_token": {b.csrf}}.Encode())
	}
	req, _ := http.NewRequest(method, b.tc.URL+path, body)
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func (b *browser) get(path string) response {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.tc.URL+path, nil)
	return b.do(req)
}

// post sends a form as a same-origin browser would, with the page's CSRF token unless the form
// sets one.
func (b *browser) post(path string, form url.Values, headers ...string) response {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf_token"]; !ok && b.csrf != "" {
		form.Set("csrf_token", b.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, b.tc.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return b.do(req)
}

// signIn signs in through the form and keeps the session's CSRF token for later posts.
func (b *browser) signIn(email, password string) response {
	b.t.Helper()
	page := b.get("/login")
	token, _ := page.doc(b.t).Find(`input[name="csrf_token"]`).Attr("value")
	resp := b.post("/login", url.Values{"email": {email}, "password": {password}, "csrf_token": {token}})
	if resp.StatusCode == http.StatusSeeOther {
		home := b.get("/")
		b.csrf, _ = home.doc(b.t).Find(`meta[name="csrf-token"]`).Attr("content")
	}
	return resp
}

func (b *browser) signInAs(role auth.Role) {
	b.t.Helper()
	if resp := b.signIn(string(role)+"@example.com", testPassword); resp.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("sign in as %s: got %d", role, resp.StatusCode)
	}
}

// editForm reads the customer's edit form as the page fills it, ready to change a field and post.
func editForm(t *testing.T, b *browser, customerID string) url.Values {
	t.Helper()
	form := url.Values{}
	b.get("/customers/" + customerID + "/edit").doc(t).Find(`form input, form select`).Each(func(_ int, s *goquery.Selection) {
		if name := s.AttrOr("name", ""); name != "" && name != "csrf_token" {
			v := s.AttrOr("value", "")
			if s.Is("select") {
				v = s.Find("option[selected]").AttrOr("value", "")
			}
			form.Set(name, v)
		}
	})
	return form
}
