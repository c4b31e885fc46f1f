package sandbox

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
)

// bulkCacheKiB is the page cache of a bulk load's connection. Every customer and session has a
// random UUID for a key, so each insert lands on a random page of its id index; once that index
// outgrows the cache (SQLite's default is 2 MB, about 40,000 customers' worth) each insert reads a
// page back from disk and the load slows down as it grows. A million customers' id index is about
// 50 MB, so 64 MiB holds it. A much larger cache buys nothing and costs much: the driver maps each
// cached page on its own, and 256 MiB of cache more than doubled a million-customer seed's memory.
const bulkCacheKiB = 64 << 10

// bulk runs fn in one transaction on one connection set up for loading many rows: a large page
// cache, and each statement prepared once however many times fn runs it (parsing a small INSERT
// costs SQLite more than running it). The load is all or nothing: a failed or interrupted one
// leaves the store as it was.
func (s *store) bulk(ctx context.Context, fn func(querier) error) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// The connection is closed when the load ends, not returned to the pool, where it would keep
	// the large cache and the temporary tables' pages for as long as the sandbox serves.
	defer func() {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	}()
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = %d`, -bulkCacheKiB)); err != nil {
		return err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(&preparedTx{tx: tx, stmts: map[string]*sql.Stmt{}}); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit() // also closes the prepared statements
}

// preparedTx is a transaction whose statements are prepared on first use and reused after, keyed
// by their text. It is a querier, so the functions the API's handlers use write a bulk load too.
type preparedTx struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

func (p *preparedTx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := p.stmts[query]; ok {
		return st, nil
	}
	st, err := p.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	p.stmts[query] = st
	return st, nil
}

// ExecContext runs query as a prepared statement.
func (p *preparedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := p.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// QueryContext runs query as a prepared statement.
func (p *preparedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := p.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext runs query as a prepared statement. A statement that fails to prepare runs
// unprepared, so its *sql.Row carries the error as usual.
func (p *preparedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := p.stmt(ctx, query)
	if err != nil {
		return p.tx.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}
