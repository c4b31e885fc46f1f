package auth

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

// DB is the console database: a Store over database/sql. Open gives the SQLite one, OpenPostgres the
// PostgreSQL one; the dialect holds everything that differs between them, so both share every query.
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
	// lockAuditHead, when not empty, runs first in AppendAudit's transaction so that one writer at a
	// time reads the chain head and extends it. SQLite needs none: its transactions begin IMMEDIATE,
	// holding the database's write lock. PostgreSQL takes a transaction-scoped advisory lock (see
	// db_postgres.go); without one, two writers would read the same head and the second insert would
	// fail on the seq primary key.
	lockAuditHead string
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
	}
}

// Open opens (creating if needed) <dataDir>/console.db and brings its schema up to date.
func Open(ctx context.Context, dataDir string) (*DB, error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("auth: create data directory: %w", err)
	}
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate") // writers queue at BEGIN instead of failing to upgrade a read lock later
	path := filepath.Join(dataDir, "console.db")
	sqlDB, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("auth: open console database: %w", err)
	}
	sqlDB.SetMaxOpenConns(4)
	db := &DB{sql: sqlDB, dialect: sqliteDialect()}
	if err := db.migrate(ctx); err != nil {
		sqlDB.Close()
		return nil, err
	}
	return db, nil
}

func (db *DB) migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrations, "migrations/"+db.dialect.migrations)
	if err != nil {
		return err
	}
	var opts []goose.ProviderOption
	if db.dialect.migrationLock != nil {
		opts = append(opts, goose.WithSessionLocker(db.dialect.migrationLock))
	}
	p, err := goose.NewProvider(db.dialect.goose, db.sql, sub, opts...)
	if err != nil {
		return fmt.Errorf("auth: console migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("auth: console migrations: %w", err)
	}
	return nil
}

// Close closes the database.
func (db *DB) Close() error {
	db.stmts.close()
	return db.sql.Close()
}

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.sql.PingContext(ctx) }

// q rewrites ? placeholders for dialects that number them. The queries in this package never put a
// ? inside a literal, which is what makes the plain replacement safe.
func (db *DB) q(query string) string {
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

// tx runs fn in a transaction, committing when it returns nil.
func (db *DB) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("auth: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("auth: commit: %w", err)
	}
	return nil
}

// lockTable runs the dialect's table lock, if it has one, at the start of tx.
func (db *DB) lockTable(ctx context.Context, tx *sql.Tx, table string) error {
	if db.dialect.lockTable == "" {
		return nil
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(db.dialect.lockTable, table)); err != nil {
		return fmt.Errorf("auth: lock %s: %w", table, err)
	}
	return nil
}

// Times are stored as Unix seconds in BIGINT columns: portable, sortable, and precise enough for
// timeouts measured in minutes. The zero time is stored as 0 so "never" reads back as zero.
func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func fromUnix(s int64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(s, 0).UTC()
}

// nullUnix maps the zero time to NULL ("never").
func nullUnix(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.Unix(), Valid: true}
}

func fromNullUnix(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return fromUnix(n.Int64)
}

// nullString maps "" to NULL, for optional foreign keys.
func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

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

// queryRow, query and exec run a statement outside a transaction, prepared once. query is written
// with ? placeholders, as everywhere in this package.
func (db *DB) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	q := db.q(query)
	if st, err := db.stmts.get(ctx, db.sql, q); err == nil && st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return db.sql.QueryRowContext(ctx, q, args...)
}

func (db *DB) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	q := db.q(query)
	if st, err := db.stmts.get(ctx, db.sql, q); err == nil && st != nil {
		return st.QueryContext(ctx, args...)
	}
	return db.sql.QueryContext(ctx, q, args...)
}

func (db *DB) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	q := db.q(query)
	if st, err := db.stmts.get(ctx, db.sql, q); err == nil && st != nil {
		return st.ExecContext(ctx, args...)
	}
	return db.sql.ExecContext(ctx, q, args...)
}
