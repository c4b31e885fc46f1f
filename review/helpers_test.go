package review

import (
	"bytes"
	"testing"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/database"
	"github.com/hiveconsole/hiveconsole/database/dbtest"
	"github.com/hiveconsole/hiveconsole/internal/clocktest"
)

// fakeClock is the injected clock: tests move time instead of sleeping.
type fakeClock = clocktest.Clock

func newFakeClock() *fakeClock { return clocktest.New() }

// forEachDatabase runs fn on a fresh SQLite and a fresh PostgreSQL console database.
func forEachDatabase(t *testing.T, fn func(t *testing.T, open func(testing.TB) *database.DB)) {
	t.Helper()
	dbtest.Each(t, fn)
}

// reviewEnv is a ledger on the database open gives, with a reviewer (a staff account: reviews refer
// to one) who may record decisions.
func reviewEnv(t *testing.T, open func(testing.TB) *database.DB) (*Ledger, *database.DB, *fakeClock, auth.User) {
	t.Helper()
	db := open(t)
	clock := newFakeClock()
	staff, err := auth.NewService(t.Context(), db, auth.Config{BaseURL: "http://127.0.0.1:8080",
		SessionKeys: [][]byte{bytes.Repeat([]byte{'a'}, 32)}, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	u, err := staff.CreateUser(t.Context(), auth.NewUser{Email: "reviewer@example.com", Name: "Test reviewer",
		Role: auth.RoleReviewer, Password: "plinth-otter-marsh-43"})
	if err != nil {
		t.Fatal(err)
	}
	return New(db, clock.Now, 0), db, clock, u
}
