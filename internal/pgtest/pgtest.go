// Package pgtest gives tests a PostgreSQL schema of their own in the database that
// HIVECONSOLE_TEST_DATABASE_URL names (.ci/run starts a throwaway cluster and sets it).
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"net/url"
	"os"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// Env names the database the tests may create schemas in.
const Env = "HIVECONSOLE_TEST_DATABASE_URL"

// Schema creates a fresh schema named prefix_<random>, drops it when the test ends, and returns the
// database URL with search_path set to it.
//
// Without a database the PostgreSQL variant cannot run: under CI=true that fails the test (a skip
// there would read as a pass); elsewhere (a developer machine without PostgreSQL) the test is
// skipped with that reason, and the same test still runs on SQLite.
func Schema(t testing.TB, prefix string) string {
	t.Helper()
	base := os.Getenv(Env)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set; CI runs the PostgreSQL variants too (.ci/run starts a database and sets it)", Env)
		}
		t.Skipf("PostgreSQL variant not run: %s names no database on this machine (.ci/run starts one and sets it; under CI=true this fails instead)", Env)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", Env, err)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	schema := prefix + "_" + strings.ToLower(rand.Text())
	if _, err := admin.ExecContext(t.Context(), `CREATE SCHEMA "`+schema+`"`); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), `DROP SCHEMA "`+schema+`" CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
