package auth

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/gorilla/sessions"
	"github.com/hiveconsole/hiveconsole/database"
	"github.com/hiveconsole/hiveconsole/database/dbtest"
	"github.com/hiveconsole/hiveconsole/internal/clocktest"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver, for creating test schemas
)

// cheapParams are argon2id parameters far below the floor, for tests that do not look at a hash's
// cost: the race detector makes a production hash take about a second.
var cheapParams = HashParams{MemoryKiB: 64, Iterations: 1, Parallelism: 1}

// productionHashing is for the tests that look at a hash's parameters: the floor, as in production.
func productionHashing(c *Config) { c.HashParams, c.cheapHashing = DefaultHashParams(), false }

// testPassword passes the policy for every test email.
const testPassword = "plinth-otter-marsh-43"

// fakeClock is the injected clock: tests move time instead of sleeping.
type fakeClock = clocktest.Clock

func newFakeClock() *fakeClock { return clocktest.New() }

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

// openTestDB is a fresh SQLite console database as this package's store.
func openTestDB(t testing.TB) *sqlStore { return &sqlStore{db: dbtest.SQLite(t)} }

// forEachDatabase runs fn once per console database, as subtests "sqlite" and "postgres"; open gives
// a fresh, migrated database of that kind as this package's store.
func forEachDatabase(t *testing.T, fn func(t *testing.T, open func(testing.TB) *sqlStore)) {
	t.Helper()
	dbtest.Each(t, func(t *testing.T, open func(testing.TB) *database.DB) {
		fn(t, func(t testing.TB) *sqlStore { return &sqlStore{db: open(t)} })
	})
}

// testService returns a Service over db with an injected clock; edit adjusts the config.
func testService(t *testing.T, db Store, clock *fakeClock, edit func(*Config)) *Service {
	t.Helper()
	cfg := Config{
		BaseURL:     "http://127.0.0.1:8080",
		SessionKeys: [][]byte{testKey('a')},
		Now:         clock.Now,
		// A hash's cost is not what most tests here look at; those that do set HashParams (and
		// cheapHashing false) themselves.
		HashParams:   cheapParams,
		cheapHashing: true,
	}
	if edit != nil {
		edit(&cfg)
	}
	svc, err := newService(t.Context(), db, cfg)
	if err != nil {
		t.Fatalf("NewService: %v", err)
	}
	return svc
}

// newTestEnv is the common case: a fresh SQLite database, a clock and a Service.
func newTestEnv(t *testing.T, edit func(*Config)) (*Service, *sqlStore, *fakeClock) {
	t.Helper()
	return newTestEnvOn(t, openTestDB, edit)
}

// newTestEnvOn is newTestEnv on the database open gives.
func newTestEnvOn(t *testing.T, open func(testing.TB) *sqlStore, edit func(*Config)) (*Service, *sqlStore, *fakeClock) {
	t.Helper()
	db := open(t)
	clock := newFakeClock()
	return testService(t, db, clock, edit), db, clock
}

func mustCreateUser(t *testing.T, svc *Service, email string, role Role) User {
	t.Helper()
	u, err := svc.CreateUser(context.Background(), NewUser{Email: email, Name: "Test " + string(role), Role: role, Password: testPassword})
	if err != nil {
		t.Fatalf("CreateUser(%s): %v", email, err)
	}
	return u
}

// request builds a request carrying cookie (if any).
func request(cookie *http.Cookie) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8080/", nil)
	if cookie != nil {
		r.AddCookie(cookie)
	}
	return r
}

// responseCookie returns the cookie named name that the response set, or nil.
func responseCookie(w *httptest.ResponseRecorder, name string) *http.Cookie {
	for _, c := range w.Result().Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// login signs u in on a request carrying prior (may be nil) and returns the new session cookie.
func login(t *testing.T, store *SessionStore, u User, prior *http.Cookie) *http.Cookie {
	t.Helper()
	w := httptest.NewRecorder()
	if _, err := store.Login(w, request(prior), u); err != nil {
		t.Fatalf("Login: %v", err)
	}
	c := responseCookie(w, store.CookieName())
	if c == nil {
		t.Fatal("Login set no session cookie")
	}
	return c
}

// load returns the session a request with cookie sees.
func load(t *testing.T, store *SessionStore, cookie *http.Cookie) *WebSession {
	t.Helper()
	ws, err := store.Load(request(cookie))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return ws
}

// testAddr is a client address from the documentation range.
var testAddr = netip.MustParseAddr("203.0.113.7")

func mustGet(t *testing.T, store *SessionStore, r *http.Request) *sessions.Session {
	t.Helper()
	sess, err := store.Get(r, store.CookieName())
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	return sess
}
