// Package database is the console's own database: opening it (a SQLite file in the data directory, or
// PostgreSQL for several replicas), the one place SQL dialects differ, and the migrations of every
// table, embedded. It holds no table's queries: the packages that own the tables (auth for staff and
// web sessions, audit for the trail, review for decisions) write their own against [DB], which gives
// them transactions, prepared statements, placeholders in either dialect and table locks.
package database

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations
var migrations embed.FS

// DB is the console database over database/sql. Open gives the SQLite one, OpenPostgres the
// PostgreSQL one; the dialect holds everything that differs between them, so both share every query.
// Queries are written with ? placeholders; DB rewrites them for PostgreSQL.
type DB struct {
	sql     *sql.DB
	dialect dialect
	stmts   stmtCache // prepared statements of the queries run outside transactions
}

// dialect is the one place SQL differences live.
type dialect struct {
	goose           goose.Dialect
	migrations      string           // folder under migrations/
	numbered        bool             // placeholders are $1, $2 … instead of ?
	forUpdate       string           // suffix locking rows a transaction will write back
	uniqueViolation func(error) bool // reports a UNIQUE or PRIMARY KEY conflict
	busy            func(error) bool // reports a write that waited for a lock longer than allowed
	// lockAppends, when set, is a statement format (with %s for the table) that makes a transaction
	// the only writer of an append-only table until it ends, so that it reads the newest row and
	// appends the next. SQLite needs none: its transactions begin IMMEDIATE, holding the database's
	// write lock.
	lockAppends string
	// lockTable, when set, is a statement format (with %s for the table) that a transaction runs
	// first when its decision depends on rows it does not lock by reading them: that no user exists
	// yet, that another admin remains, that a throttle row is still absent. It queues the other
	// writers of that table, on any replica, until the transaction ends. SQLite needs none: its
	// IMMEDIATE transactions hold the database's write lock.
	lockTable string
	// migrationLock, when set, keeps two processes opening the database at once from running the
	// same migration twice. SQLite needs none: goose's transaction holds the write lock.
	migrationLock lock.SessionLocker
}

func sqliteDialect() dialect {
	return dialect{
		goose:      goose.DialectSQLite3,
		migrations: "sqlite",
		// Transactions begin IMMEDIATE (see Open), which already takes the write lock.
		forUpdate: "",
		uniqueViolation: func(err error) bool {
			var se *sqlite.Error
			return errors.As(err, &se) &&
				(se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
		},
		busy: func(err error) bool {
			var se *sqlite.Error
			return errors.As(err, &se) && (se.Code()&0xff == sqlite3.SQLITE_BUSY || se.Code()&0xff == sqlite3.SQLITE_LOCKED)
		},
	}
}

// Latest asks Open and OpenPostgres for every migration.
const Latest = int64(-1)

// Open opens (creating if needed) <dataDir>/console.db and brings its schema up to date.
func Open(ctx context.Context, dataDir string) (*DB, error) { return OpenAt(ctx, dataDir, Latest) }

// OpenAt is Open with the schema brought up to a given migration version (Latest for all of them),
// for tests of a migration: they open the database as it was before it, write rows as an older
// console did, then call MigrateTo(Latest).
func OpenAt(ctx context.Context, dataDir string, version int64) (*DB, error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("database: create data directory: %w", err)
	}
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "cache_size(-16384)")
	q.Set("_txlock", "immediate") // writers queue at BEGIN instead of failing to upgrade a read lock later
	path := filepath.Join(dataDir, "console.db")
	sqlDB, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("database: open console database: %w", err)
	}
	sqlDB.SetMaxOpenConns(4)
	db := &DB{sql: sqlDB, dialect: sqliteDialect()}
	if err := db.MigrateTo(ctx, version); err != nil {
		sqlDB.Close()
		return nil, err
	}
	return db, nil
}

// MigrateTo applies the migrations up to version (Latest: all of them) that the database lacks.
func (db *DB) MigrateTo(ctx context.Context, version int64) error {
	p, err := db.migrations()
	if err != nil {
		return err
	}
	if version == Latest {
		_, err = p.Up(ctx)
	} else {
		_, err = p.UpTo(ctx, version)
	}
	if err != nil {
		return fmt.Errorf("database: console migrations: %w", err)
	}
	return nil
}

// MigrateDownTo rolls back the migrations above version, for tests that a migration's Down undoes it.
func (db *DB) MigrateDownTo(ctx context.Context, version int64) error {
	p, err := db.migrations()
	if err != nil {
		return err
	}
	if _, err := p.DownTo(ctx, version); err != nil {
		return fmt.Errorf("database: console migrations down: %w", err)
	}
	return nil
}

func (db *DB) migrations() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations/"+db.dialect.migrations)
	if err != nil {
		return nil, err
	}
	var opts []goose.ProviderOption
	if db.dialect.migrationLock != nil {
		opts = append(opts, goose.WithSessionLocker(db.dialect.migrationLock))
	}
	p, err := goose.NewProvider(db.dialect.goose, db.sql, sub, opts...)
	if err != nil {
		return nil, fmt.Errorf("database: console migrations: %w", err)
	}
	return p, nil
}

// Close closes the database.
func (db *DB) Close() error {
	db.stmts.close()
	return db.sql.Close()
}

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.sql.PingContext(ctx) }

// SQL is the underlying pool, for tests that write rows behind the console's back.
func (db *DB) SQL() *sql.DB { return db.sql }

// Postgres reports whether db is a PostgreSQL database, for the rare statement only it needs.
func (db *DB) Postgres() bool { return db.dialect.numbered }

// ForUpdate is the suffix that locks the rows a SELECT reads for the transaction that will write them
// back ("" where transactions already hold the write lock).
func (db *DB) ForUpdate() string { return db.dialect.forUpdate }

// UniqueViolation reports whether err is a UNIQUE or PRIMARY KEY conflict.
func (db *DB) UniqueViolation(err error) bool { return db.dialect.uniqueViolation(err) }

// Busy reports whether err is a write that gave up waiting for another writer (SQLite's busy
// timeout, or a lock timeout, deadlock or serialization failure on PostgreSQL): trying again later
// may succeed.
func (db *DB) Busy(err error) bool { return err != nil && db.dialect.busy(err) }

// Q rewrites ? placeholders for dialects that number them, for queries run inside a transaction.
// Queries never put a ? inside a literal, which is what makes the plain replacement safe.
func (db *DB) Q(query string) string {
	if !db.dialect.numbered {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Tx runs fn in a transaction, committing when it returns nil.
func (db *DB) Tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("database: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("database: commit: %w", err)
	}
	return nil
}

// LockTable queues every other writer of table, on any replica, until tx ends; run it first in a
// transaction whose decision rests on rows it cannot lock by reading them (that no row exists yet,
// that another row remains). SQLite needs nothing: its transactions hold the write lock.
func (db *DB) LockTable(ctx context.Context, tx *sql.Tx, table string) error {
	return db.lock(ctx, tx, db.dialect.lockTable, table)
}

// LockAppends makes tx the only writer of an append-only table until it ends, so that it reads the
// newest row and appends the next without another writer reading the same head.
func (db *DB) LockAppends(ctx context.Context, tx *sql.Tx, table string) error {
	return db.lock(ctx, tx, db.dialect.lockAppends, table)
}

func (db *DB) lock(ctx context.Context, tx *sql.Tx, format, table string) error {
	if format == "" {
		return nil
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(format, table)); err != nil {
		return fmt.Errorf("database: lock %s: %w", table, err)
	}
	return nil
}

// Scanner is what *sql.Row and *sql.Rows share, for one scan function per table's row.
type Scanner interface{ Scan(dest ...any) error }

// Placeholders is n parameter markers for an IN list: "?, ?, ?".
func Placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// Anys is ss as query arguments.
func Anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// EscapeLike escapes LIKE's wildcards (with \ as the escape character) so a search for "a_b"
// matches only that.
func EscapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Times are stored as Unix seconds in BIGINT columns: portable, sortable, and precise enough for
// timeouts measured in minutes. The zero time is stored as 0 so "never" reads back as zero.

// Unix is t as stored: Unix seconds, 0 for the zero time.
func Unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// FromUnix reads a stored time back, in UTC.
func FromUnix(s int64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(s, 0).UTC()
}

// NullUnix stores the zero time as NULL ("never").
func NullUnix(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.Unix(), Valid: true}
}

// FromNullUnix reads a time stored by NullUnix.
func FromNullUnix(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return FromUnix(n.Int64)
}

// NullString stores "" as NULL, for optional foreign keys.
func NullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// stmtCache keeps one prepared statement per query text. Parsing SQL took about a tenth of the
// console's CPU under load; a *sql.Stmt is prepared once per pooled connection and reused. Queries
// built from filters come in few shapes; past maxCachedStmts, new texts run unprepared.
type stmtCache struct {
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

const maxCachedStmts = 256

func (c *stmtCache) get(ctx context.Context, db *sql.DB, query string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.stmts[query]; ok {
		return st, nil
	}
	if len(c.stmts) >= maxCachedStmts {
		return nil, nil
	}
	st, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if c.stmts == nil {
		c.stmts = map[string]*sql.Stmt{}
	}
	c.stmts[query] = st
	return st, nil
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.stmts {
		_ = st.Close()
	}
	c.stmts = nil
}

// QueryRow, Query and Exec run a statement outside a transaction, prepared once. query is written
// with ? placeholders.
func (db *DB) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	q := db.Q(query)
	if st, err := db.stmts.get(ctx, db.sql, q); err == nil && st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return db.sql.QueryRowContext(ctx, q, args...)
}

// Query runs a statement that returns rows; see QueryRow.
func (db *DB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	q := db.Q(query)
	if st, err := db.stmts.get(ctx, db.sql, q); err == nil && st != nil {
		return st.QueryContext(ctx, args...)
	}
	return db.sql.QueryContext(ctx, q, args...)
}

// Exec runs a statement that returns no rows; see QueryRow.
func (db *DB) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	q := db.Q(query)
	if st, err := db.stmts.get(ctx, db.sql, q); err == nil && st != nil {
		return st.ExecContext(ctx, args...)
	}
	return db.sql.ExecContext(ctx, q, args...)
}
