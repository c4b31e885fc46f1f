package dbtest

import (
	"strings"
	"testing"
)

// stopped is how a recorder ends the code under test where testing.TB would end the goroutine.
type stopped struct{}

// recorder is a testing.TB that records how the code under test ended it.
type recorder struct {
	testing.TB
	fatal, skip string
}

func (r *recorder) Helper() {}

func (r *recorder) Fatalf(format string, args ...any) {
	r.fatal = format
	panic(stopped{})
}

func (r *recorder) Skipf(format string, args ...any) {
	r.skip = format
	panic(stopped{})
}

func (r *recorder) end(fn func()) {
	defer func() {
		if v := recover(); v != nil && v != (stopped{}) {
			panic(v)
		}
	}()
	fn()
}

// TestWithoutADatabaseCIFailsAndOthersSkip: the PostgreSQL variants need a database. Under CI=true
// a missing one fails the test, so a variant can never pass unseen there; on a developer's machine
// without one it is skipped, saying how to run it.
func TestWithoutADatabaseCIFailsAndOthersSkip(t *testing.T) {
	t.Setenv(Env, "")
	t.Setenv("CI", "true")
	r := &recorder{TB: t}
	r.end(func() { Schema(r, "x") })
	if r.fatal == "" || r.skip != "" {
		t.Errorf("under CI=true without a database: fatal %q, skip %q; want a failure", r.fatal, r.skip)
	}
	t.Setenv("CI", "")
	r = &recorder{TB: t}
	r.end(func() { Schema(r, "x") })
	if r.skip == "" || r.fatal != "" || !strings.Contains(r.skip, "set %s to a database URL") {
		t.Errorf("without CI and a database: fatal %q, skip %q; want a skip that says how to run it", r.fatal, r.skip)
	}
}
