// Package dbtest gives tests a console database of their own: a fresh SQLite file, or a fresh schema in
// the PostgreSQL database that HIVECONSOLE_TEST_DATABASE_URL names (.ci/run starts a throwaway cluster
// and sets it), and runs a test on both.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/hiveconsole/hiveconsole/database"
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
		// A developer without PostgreSQL still runs every test on SQLite; CI, where .ci/run always
		// starts a cluster, fails above instead, so the PostgreSQL variants can never pass unseen.
		t.Skipf("PostgreSQL variant skipped: set %s to a database URL to run it (.ci/run starts a throwaway cluster "+
			"and sets it); the SQLite variant of this test ran, and under CI=true this is a failure, not a skip", Env)
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

// SQLite opens a fresh SQLite console database, migrated to the latest version, closed when the test
// ends.
func SQLite(t testing.TB) *database.DB { return SQLiteAt(t, database.Latest) }

// SQLiteAt is SQLite migrated up to version, for tests of a migration.
func SQLiteAt(t testing.TB, version int64) *database.DB {
	t.Helper()
	db, err := database.OpenAt(t.Context(), t.TempDir(), version)
	if err != nil {
		t.Fatalf("open SQLite: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Postgres opens a fresh schema (see Schema) as a console database, migrated to the latest version.
func Postgres(t testing.TB) *database.DB { return PostgresAt(t, database.Latest) }

// PostgresAt is Postgres migrated up to version, for tests of a migration.
func PostgresAt(t testing.TB, version int64) *database.DB {
	t.Helper()
	db, err := database.OpenPostgresAt(t.Context(), Schema(t, "test"), version)
	if err != nil {
		t.Fatalf("open PostgreSQL: %v", err)
	}
	t.Cleanup(func() { db.Close() }) // registered after the schema's drop, so it runs first
	return db
}

// Opener opens a fresh console database of one kind at a migration version.
type Opener func(t testing.TB, version int64) *database.DB

// Each runs fn once per kind of console database, as subtests "sqlite" and "postgres"; open gives a
// fresh one of that kind, migrated to the latest version.
func Each(t *testing.T, fn func(t *testing.T, open func(testing.TB) *database.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres) })
}

// EachAt is Each for tests of a migration: openAt stops at the version it is given.
func EachAt(t *testing.T, fn func(t *testing.T, openAt Opener)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLiteAt) })
	t.Run("postgres", func(t *testing.T) { fn(t, PostgresAt) })
}

// CountRows counts a table's rows.
func CountRows(t testing.TB, db *database.DB, table string) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRowContext(t.Context(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// SchemaObjects counts the tables, indexes, triggers and functions whose names start with prefix in
// db's schema, for tests that a migration's Down removes what its Up made.
func SchemaObjects(t testing.TB, db *database.DB, prefix string) int {
	t.Helper()
	query := `SELECT COUNT(*) FROM sqlite_master WHERE name LIKE ?`
	if db.Postgres() {
		query = `SELECT (SELECT COUNT(*) FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relname LIKE $1)
			+ (SELECT COUNT(*) FROM pg_proc WHERE pronamespace = current_schema()::regnamespace AND proname LIKE $1)`
	}
	var n int
	if err := db.SQL().QueryRowContext(t.Context(), query, prefix+"%").Scan(&n); err != nil {
		t.Fatalf("count schema objects: %v", err)
	}
	return n
}
