package audit

import (
	"testing"

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
