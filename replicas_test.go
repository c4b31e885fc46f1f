package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver, for the test's own schema

	"github.com/hiveconsole/hiveconsole/audit"
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/database"
	"github.com/hiveconsole/hiveconsole/database/dbtest"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/hive/sandbox"
)

const (
	replicaAdminEmail = "admin@example.com"
	replicaPassword   = "plinth-otter-marsh-43"
)

// TestReplicasShareOnePostgreSQL runs two consoles, as two replicas behind a load balancer would run,
// on one PostgreSQL schema and one Hive (a sandbox on loopback), with the same session keys, and
// checks that sessions, revocations, the audit chain and review decisions are shared, that one of
// them syncs the copy of Hive both list from, and that the other takes the sync over when it stops.
func TestReplicasShareOnePostgreSQL(t *testing.T) {
	dbURL := dbtest.Schema(t, "replicas")
	ctx := t.Context()

	sb, err := sandbox.New(ctx, sandbox.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	hiveSrv := httptest.NewServer(sb)
	t.Cleanup(hiveSrv.Close)
	creds := sb.Credentials()

	shared := map[string]string{
		"HIVECONSOLE_DATABASE_URL":   dbURL,
		"HIVECONSOLE_SESSION_KEYS":   rand.Text() + rand.Text() + "," + rand.Text() + rand.Text(),
		"HIVECONSOLE_MFA_KEY":        base64.StdEncoding.EncodeToString([]byte(strings.Repeat("m", 32))),
		"HIVECONSOLE_MFA_REQUIRED":   "none", // against a real Hive the default is all; these staff sign in with a password
		"HIVECONSOLE_ADMIN_EMAIL":    replicaAdminEmail,
		"HIVECONSOLE_ADMIN_PASSWORD": replicaPassword,
		"HIVE_API_URL":               hiveSrv.URL,
		"HIVE_API_KEY":               creds.APIKey,
		"HIVE_API_SECRET":            creds.APISecret,
		"HIVE_APPLICATION_KEY":       creds.ApplicationKey,
		"HIVECONSOLE_SYNC_INTERVAL":  "2s", // a lease of 1 s
	}
	// Both start at once, as replicas do: one creates the first admin and runs the migrations, the
	// other waits for them.
	var a, b *replica
	var wg sync.WaitGroup
	wg.Go(func() { a = startReplica(t, "A", shared) })
	wg.Go(func() { b = startReplica(t, "B", shared) })
	wg.Wait()
	if a == nil || b == nil {
		t.FailNow()
	}
	if created := strings.Count(a.stdout.String()+b.stdout.String(), "with the password from HIVECONSOLE_ADMIN_PASSWORD"); created != 1 {
		t.Errorf("the first admin was created %d times, want once", created)
	}

	staff, trail := openReplicaStaff(t, dbURL, shared["HIVECONSOLE_SESSION_KEYS"])
	checkID := completedCheck(t, hiveSrv.URL, creds, sb)

	t.Run("a session from A is valid on B, and signing out on B ends it on A", func(t *testing.T) {
		u := newUser(t)
		u.signIn(a, replicaAdminEmail, replicaPassword)
		if code := u.get(b, "/").StatusCode; code != http.StatusOK {
			t.Fatalf("overview on B with A's cookie: got %d, want 200", code)
		}
		if r := u.post(b, "/logout", nil); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-out on B (with the CSRF token A issued): got %d, want 303", r.StatusCode)
		}
		if r := u.get(a, "/"); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
			t.Errorf("overview on A after signing out on B: got %d to %q, want 303 to /login", r.StatusCode, r.Header.Get("Location"))
		}
	})

	t.Run("disabling staff on A signs them out on B", func(t *testing.T) {
		support, err := staff.CreateUser(ctx, auth.NewUser{Email: "support@example.com", Name: "Sam Support",
			Role: auth.RoleSupport, Password: replicaPassword})
		if err != nil {
			t.Fatal(err)
		}
		sam := newUser(t)
		sam.signIn(b, support.Email, replicaPassword)
		if code := sam.get(b, "/customers").StatusCode; code != http.StatusOK {
			t.Fatalf("customers on B before: got %d, want 200", code)
		}
		admin := newUser(t)
		admin.signIn(a, replicaAdminEmail, replicaPassword)
		if r := admin.post(a, "/users/"+support.ID+"/disable", nil); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("disable on A: got %d, want 303", r.StatusCode)
		}
		if r := sam.get(b, "/customers"); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
			t.Errorf("customers on B after A disabled the account: got %d to %q, want 303 to /login", r.StatusCode, r.Header.Get("Location"))
		}
	})

	t.Run("a review decided on A shows on B", func(t *testing.T) {
		admin := newUser(t)
		admin.signIn(a, replicaAdminEmail, replicaPassword)
		before := reviewState(t, admin.get(b, "/checks/"+checkID))
		if r := admin.post(a, "/checks/"+checkID+"/review", url.Values{"decision": {"approve"}, "note": {"matches the document"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("review on A: got %d, want 303", r.StatusCode)
		}
		onA := reviewState(t, admin.get(a, "/checks/"+checkID))
		onB := reviewState(t, admin.get(b, "/checks/"+checkID))
		if onB != onA || onB == before {
			t.Errorf("review state on B = %q (before %q), want A's %q", onB, before, onA)
		}
	})

	t.Run("writers on both replicas form one audit chain", func(t *testing.T) {
		before, err := trail.Verify(ctx)
		if err != nil {
			t.Fatal(err)
		}
		const perReplica = 20
		var wg sync.WaitGroup
		for _, r := range []*replica{a, b} {
			for range 2 {
				u := newUser(t)
				u.signIn(r, replicaAdminEmail, replicaPassword)
				wg.Go(func() {
					for range perReplica / 2 {
						// Each report view is one audit row, written by the replica that served it.
						if code := u.get(r, "/checks/"+checkID).StatusCode; code != http.StatusOK {
							t.Errorf("report on %s: got %d", r.name, code)
							return
						}
					}
				})
			}
		}
		wg.Wait()
		v, err := trail.Verify(ctx)
		// Four sign-ins, then 2 × perReplica report views.
		if want := before.Rows + 4 + 2*perReplica; err != nil || v.BrokenSeq != 0 || v.Rows != want {
			t.Fatalf("Verify = %+v, %v; want %d rows intact", v, err, want)
		}
		// The shell's `hiveconsole audit verify` reads the same trail.
		var out, errOut strings.Builder
		env := func(k string) string {
			if k == "HIVECONSOLE_DATA_DIR" {
				return a.dataDir
			}
			return shared[k]
		}
		if err := run(ctx, []string{"audit", "verify"}, env, &out, &errOut); err != nil ||
			!strings.Contains(out.String(), fmt.Sprintf("audit trail intact: %d rows", v.Rows)) {
			t.Errorf("audit verify: %v; stdout %q stderr %q", err, out.String(), errOut.String())
		}
	})
	t.Run("reviewers on both replicas pressing Next at once get different checks; a claim on A holds on B", func(t *testing.T) {
		const reviewers = 6
		var waiting []string
		for i := range reviewers + 2 {
			waiting = append(waiting, scenarioCheck(t, hiveSrv.URL, creds, sb, fmt.Sprintf("queued%d@example.com", i), sandbox.ScenarioFaceMismatch))
		}
		admin := newUser(t)
		admin.signIn(a, replicaAdminEmail, replicaPassword)
		waitUntil(t, 15*time.Second, "the replicas' copy to queue the new checks", func() bool {
			return find(t, admin.get(b, "/checks?queue=review&size=100"), `[data-testid="check-row"]`).Length() >= len(waiting)
		})
		users := make([]*user, reviewers)
		for i := range users {
			email := fmt.Sprintf("next%d@example.com", i)
			if _, err := staff.CreateUser(ctx, auth.NewUser{Email: email, Name: "Next " + email[:5], Role: auth.RoleReviewer,
				Password: replicaPassword}); err != nil {
				t.Fatal(err)
			}
			users[i] = newUser(t)
			users[i].signIn([]*replica{a, b}[i%2], email, replicaPassword)
		}
		got := make([]string, reviewers)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, u := range users {
			wg.Go(func() {
				<-start
				got[i] = u.post([]*replica{a, b}[i%2], "/reviews/next", nil).Header.Get("Location")
			})
		}
		close(start)
		wg.Wait()
		seen := map[string]bool{}
		for i, loc := range got {
			if !strings.HasPrefix(loc, "/checks/") || seen[loc] {
				t.Errorf("reviewer %d was sent to %q (all: %v)", i, loc, got)
			}
			seen[loc] = true
		}
		// The check reviewer 0 holds (through A) cannot be claimed nor decided through B.
		held := strings.TrimPrefix(got[0], "/checks/")
		if r := users[1].post(b, "/checks/"+held+"/claim", nil); r.StatusCode != http.StatusConflict || !strings.Contains(r.body, "next0@example.com") {
			t.Errorf("claim on B of a check held through A: %d", r.StatusCode)
		}
		if r := users[1].post(b, "/checks/"+held+"/review", url.Values{"decision": {"approve"}, "note": {"n"}}); r.StatusCode != http.StatusConflict {
			t.Errorf("decision on B of a check held through A: %d", r.StatusCode)
		}
	})
	t.Run("one replica syncs; both list what it copied and what either wrote through; the other takes over", func(t *testing.T) {
		db, err := database.OpenPostgres(ctx, dbURL)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		holder := func() string {
			var h string
			_ = db.SQL().QueryRowContext(ctx, `SELECT holder FROM sync_lease`).Scan(&h)
			return h
		}
		admin := newUser(t)
		admin.signIn(a, replicaAdminEmail, replicaPassword) // the session holds on B too
		listed := func(r *replica, q string) bool {
			return find(t, admin.get(r, "/customers?q="+url.QueryEscape(q)), `[data-testid="customer-row"]`).Length() == 1
		}
		// Created on A: listed on B at once, without a sync.
		if r := admin.post(a, "/customers", url.Values{"email": {"written.through@example.com"}, "first_name": {"Wren"},
			"last_name": {"Through"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("create on A: got %d", r.StatusCode)
		}
		if !listed(b, "Wren Through") {
			t.Error("a customer created on A is not listed on B")
		}
		// Created in Hive outside the console: the syncing replica copies it; both list it.
		api, err := hive.New(hive.Config{BaseURL: hiveSrv.URL, APIKey: creds.APIKey, APISecret: hive.Secret(creds.APISecret)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := api.CreateCustomer(ctx, hive.CustomerParams{Email: hive.String("outside@example.com"), FirstName: hive.String("Otto"),
			LastName: hive.String("Outside")}); err != nil {
			t.Fatal(err)
		}
		waitUntil(t, 10*time.Second, "both replicas list a customer made outside", func() bool {
			return listed(a, "Otto Outside") && listed(b, "Otto Outside")
		})
		first := holder()
		if first == "" {
			t.Fatal("nobody holds the sync lease")
		}
		// Stop the syncing replica (its lease names its address): the other takes over and copies
		// what Hive gains next.
		syncing, other := a, b
		if strings.Contains(first, strings.TrimPrefix(b.url, "http://")) {
			syncing, other = b, a
		}
		syncing.stop()
		waitUntil(t, 10*time.Second, "the other replica to take the lease", func() bool { h := holder(); return h != "" && h != first })
		if _, err := api.CreateCustomer(ctx, hive.CustomerParams{Email: hive.String("later@example.com"), FirstName: hive.String("Lena"),
			LastName: hive.String("Later")}); err != nil {
			t.Fatal(err)
		}
		waitUntil(t, 10*time.Second, "the remaining replica to copy a change made after the hand-over", func() bool {
			return listed(other, "Lena Later")
		})
	})

}

// replica is one console process (a run call) with its own address and data directory.
type replica struct {
	name, url, dataDir string
	stdout             *syncBuffer
	stop               func() // shuts the replica down (once), as a rolling deploy would
}

// startReplica runs the console with shared's settings plus its own address and data directory, and
// waits until it is ready; it stops (and must exit cleanly) when the test ends.
func startReplica(t *testing.T, name string, shared map[string]string) *replica {
	t.Helper()
	addr := freeAddr(t)
	r := &replica{name: name, url: "http://" + addr, dataDir: t.TempDir(), stdout: &syncBuffer{}}
	env := map[string]string{"HIVECONSOLE_ADDR": addr, "HIVECONSOLE_DATA_DIR": r.dataDir}
	for k, v := range shared {
		env[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, func(k string) string { return env[k] }, r.stdout, &stderr)
	}()
	var once sync.Once
	r.stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("replica %s: %v", name, err)
				}
			case <-time.After(20 * time.Second):
				t.Errorf("replica %s did not shut down", name)
			}
		})
	}
	t.Cleanup(r.stop)
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(r.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return r
			}
		}
		select {
		case err := <-done:
			t.Errorf("replica %s exited: %v; stderr %s", name, err, stderr.String())
			done <- err // for the cleanup
			return nil
		default:
		}
		if time.Now().After(deadline) {
			t.Errorf("replica %s not ready; stdout %q stderr %q", name, r.stdout.String(), stderr.String())
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// openReplicaStaff opens the replicas' database, its staff accounts and its audit trail from the
// test, as a third process would.
func openReplicaStaff(t *testing.T, dbURL, keys string) (*auth.Service, *audit.Trail) {
	t.Helper()
	db, err := database.OpenPostgres(t.Context(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	sessionKeys, err := auth.LoadSessionKeys(t.TempDir(), keys)
	if err != nil {
		t.Fatal(err)
	}
	staff, err := auth.NewService(t.Context(), db, auth.Config{SessionKeys: sessionKeys})
	if err != nil {
		t.Fatal(err)
	}
	return staff, audit.New(db, nil)
}

// completedCheck creates a customer with a completed session and a check on it, in the Hive both
// replicas use, and returns the check's id.
func completedCheck(t *testing.T, hiveURL string, creds sandbox.Credentials, sb *sandbox.Server) string {
	t.Helper()
	return scenarioCheck(t, hiveURL, creds, sb, "rita@example.com", sandbox.ScenarioClear)
}

// scenarioCheck is completedCheck for a customer of the given email, whose SDK session plays scenario.
func scenarioCheck(t *testing.T, hiveURL string, creds sandbox.Credentials, sb *sandbox.Server, email string, scenario sandbox.Scenario) string {
	t.Helper()
	ctx := t.Context()
	api, err := hive.New(hive.Config{BaseURL: hiveURL, APIKey: creds.APIKey, APISecret: hive.Secret(creds.APISecret),
		ApplicationKey: creds.ApplicationKey})
	if err != nil {
		t.Fatal(err)
	}
	cust, err := api.CreateCustomer(ctx, hive.CustomerParams{Email: hive.String(email), FirstName: hive.String("Rita"),
		LastName: hive.String("Replica"), Gender: hive.String("female"), DOB: hive.String("14-03-1988")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.CreateSession(ctx, hive.SessionParams{CustomerID: cust.ID}); err != nil {
		t.Fatal(err)
	}
	sessions, err := api.ListSessions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(sessions.Data, func(s hive.Session) bool { return s.CustomerID == cust.ID })
	if i < 0 {
		t.Fatalf("no session for customer %s", cust.ID)
	}
	if _, err := sb.CompleteSession(ctx, sessions.Data[i].ID, scenario); err != nil {
		t.Fatal(err)
	}
	check, err := api.CreateCheck(ctx, sessions.Data[i].ID)
	if err != nil {
		t.Fatal(err)
	}
	return check.ID
}

// user is one browser: a cookie jar (cookies are per host, so the same cookie goes to both replicas,
// as it would through a load balancer) and the CSRF token of its session.
type user struct {
	t      *testing.T
	client *http.Client
	csrf   string
}

func newUser(t *testing.T) *user {
	jar, _ := cookiejar.New(nil)
	return &user{t: t, client: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// page is a read response.
type page struct {
	*http.Response
	body string
}

func (u *user) do(req *http.Request) page {
	resp, err := u.client.Do(req)
	if err != nil {
		u.t.Error(err)
		return page{Response: &http.Response{StatusCode: 0, Header: http.Header{}}}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return page{resp, string(body)}
}

func (u *user) get(r *replica, path string) page {
	req, _ := http.NewRequest(http.MethodGet, r.url+path, nil)
	return u.do(req)
}

// post sends a form as a same-origin browser would, with the session's CSRF token.
func (u *user) post(r *replica, path string, form url.Values) page {
	if form == nil {
		form = url.Values{}
	}
	if form.Get("csrf_token") == "" {
		form.Set("csrf_token", u.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, r.url+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return u.do(req)
}

// signIn signs in through r's form and keeps the session's CSRF token.
func (u *user) signIn(r *replica, email, password string) {
	u.t.Helper()
	login := u.get(r, "/login")
	token := find(u.t, login, `input[name="csrf_token"]`).AttrOr("value", "")
	if resp := u.post(r, "/login", url.Values{"email": {email}, "password": {password}, "csrf_token": {token}}); resp.StatusCode != http.StatusSeeOther {
		u.t.Fatalf("sign in as %s on %s: got %d, want 303", email, r.name, resp.StatusCode)
	}
	u.csrf = find(u.t, u.get(r, "/"), `meta[name="csrf-token"]`).AttrOr("content", "")
	if u.csrf == "" {
		u.t.Fatalf("no CSRF token after signing in on %s", r.name)
	}
}

func find(t *testing.T, p page, selector string) *goquery.Selection {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(p.body))
	if err != nil {
		t.Fatal(err)
	}
	return doc.Find(selector)
}

// reviewState is the review panel's state on a check page.
func reviewState(t *testing.T, p page) string {
	t.Helper()
	if p.StatusCode != http.StatusOK {
		t.Fatalf("check page: got %d, want 200", p.StatusCode)
	}
	return find(t, p, `[data-testid="review-state"]`).AttrOr("data-state", "")
}

// waitUntil polls cond until it holds, failing the test after d.
func waitUntil(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
