package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
)

// pgUniqueViolation is PostgreSQL's SQLSTATE for a UNIQUE or PRIMARY KEY conflict.
const pgUniqueViolation = "23505"

func postgresDialect() dialect {
	return dialect{
		goose:      goose.DialectPostgres,
		migrations: "postgres",
		numbered:   true,
		// Transactions run at READ COMMITTED: a read that the transaction writes back must lock its row,
		// or two replicas could both read the old value and the second write would undo the first.
		forUpdate: " FOR UPDATE",
		uniqueViolation: func(err error) bool {
			var pe *pgconn.PgError
			return errors.As(err, &pe) && pe.Code == pgUniqueViolation
		},
		busy: func(err error) bool {
			var pe *pgconn.PgError
			// lock_not_available, deadlock_detected, serialization_failure
			return errors.As(err, &pe) && (pe.Code == "55P03" || pe.Code == "40P01" || pe.Code == "40001")
		},
		// EXCLUSIVE mode lets readers go on but queues every other writer, on whichever replica, until
		// this transaction ends; so each reads the head the previous writer committed. A table lock
		// rather than an advisory one: it also holds back a writer that does not know the convention.
		lockAppends: `LOCK TABLE %s IN EXCLUSIVE MODE`,
		// SHARE ROW EXCLUSIVE conflicts with itself and with every INSERT, UPDATE and DELETE, not with
		// reads. READ COMMITTED takes a new snapshot per statement, so the statements after the lock
		// see what the previous holder committed.
		lockTable:     `LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE`,
		migrationLock: schemaMigrationLock{},
	}
}

// IsPostgresURL reports whether databaseURL names a PostgreSQL database (postgres:// or postgresql://),
// which is what HIVECONSOLE_DATABASE_URL must be when set.
func IsPostgresURL(databaseURL string) bool {
	return strings.HasPrefix(databaseURL, "postgres://") || strings.HasPrefix(databaseURL, "postgresql://")
}

// OpenPostgres connects to the PostgreSQL database at databaseURL (a postgres:// URL as pgx reads it;
// a search_path parameter selects the schema) and brings its schema up to date. Several replicas may
// open the same database at once: migrations run under a session advisory lock.
func OpenPostgres(ctx context.Context, databaseURL string) (*DB, error) {
	return OpenPostgresAt(ctx, databaseURL, Latest)
}

// OpenPostgresAt is OpenPostgres with the schema brought up to a given migration version, as OpenAt.
func OpenPostgresAt(ctx context.Context, databaseURL string, version int64) (*DB, error) {
	if !IsPostgresURL(databaseURL) {
		return nil, errors.New("database: a PostgreSQL database URL starts with postgres:// or postgresql://")
	}
	cfg, err := pgx.ParseConfig(databaseURL)
	if err != nil {
		// pgx's message can quote the URL, password included; say only what kind of mistake it is.
		return nil, errors.New("database: the PostgreSQL database URL cannot be parsed")
	}
	sqlDB := stdlib.OpenDB(*cfg)
	sqlDB.SetMaxOpenConns(16)
	sqlDB.SetMaxIdleConns(4)
	db := &DB{sql: sqlDB, dialect: postgresDialect()}
	if err := db.sql.PingContext(ctx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("database: connect to PostgreSQL at %s: %w", redactURL(cfg), err)
	}
	if err := db.MigrateTo(ctx, version); err != nil {
		sqlDB.Close()
		return nil, err
	}
	return db, nil
}

// redactURL names the server and database of cfg without its credentials, for error messages.
func redactURL(cfg *pgx.ConnConfig) string {
	return fmt.Sprintf("%s:%d/%s", cfg.Host, cfg.Port, cfg.Database)
}

// schemaMigrationLock serialises migrations per schema with a session advisory lock, blocking rather
// than polling (goose's own PostgreSQL locker retries every few seconds), so replicas starting
// together wait only as long as the migration takes, and separate schemas never wait for each other.
type schemaMigrationLock struct{}

func (schemaMigrationLock) SessionLock(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(hashtext('hiveconsole migrations ' || current_schema()))`); err != nil {
		return fmt.Errorf("database: lock migrations: %w", err)
	}
	return nil
}

func (schemaMigrationLock) SessionUnlock(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_unlock(hashtext('hiveconsole migrations ' || current_schema()))`); err != nil {
		return fmt.Errorf("database: unlock migrations: %w", err)
	}
	return nil
}
