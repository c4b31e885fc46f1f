package readmodel

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// The first pass into an empty table is a bulk load: keeping the secondary indexes (and SQLite's
// search index) in step row by row would write each of their pages again with every batch, about
// three times the cost of building them once at the end from sorted rows. So a pass that finds its
// table empty drops them, keeping their definitions in sync_deferred, and the pass builds them
// again when it ends, complete or not. The table's own key (the id) stays, so upserts and
// write-throughs work throughout; lists answer meanwhile without those indexes, and a search reads
// the rows themselves (see searchDeferred). A process that dies mid-load leaves the definitions in
// sync_deferred; the next pass of that kind goes on loading in bulk and builds them when it ends.

// deferIndexes drops the secondary indexes of the kind's table (and, for customers, the triggers
// that keep the search index) when the table is empty, keeping what rebuilds them. It reports
// whether the pass loads in bulk: the table was empty, or a load that died left indexes to build.
func (s *Store) deferIndexes(ctx context.Context, kind Kind) (bool, error) {
	bulk := false
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var pending int
		if err := tx.QueryRowContext(ctx, s.db.Q(`SELECT count(*) FROM sync_deferred WHERE kind = ?`), string(kind)).Scan(&pending); err != nil {
			return err
		}
		if pending > 0 {
			bulk = true
			return nil
		}
		var empty bool
		if err := tx.QueryRowContext(ctx, `SELECT NOT EXISTS (SELECT 1 FROM `+kind.table()+`)`).Scan(&empty); err != nil {
			return err
		}
		if !empty {
			return nil
		}
		drops, restores, err := s.secondary(ctx, tx, kind)
		if err != nil {
			return err
		}
		for i, drop := range drops {
			if _, err := tx.ExecContext(ctx, drop); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, s.db.Q(`INSERT INTO sync_deferred (kind, step, statement) VALUES (?, ?, ?)`),
				string(kind), i, restores[i]); err != nil {
				return err
			}
		}
		bulk = len(drops) > 0
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("readmodel: defer %s indexes: %w", kind, err)
	}
	return bulk, nil
}

// secondary returns the statements that drop the table's indexes other than its keys, and those
// that build them again, in the order to run them.
func (s *Store) secondary(ctx context.Context, tx *sql.Tx, kind Kind) (drops, restores []string, err error) {
	table := kind.table()
	query := `SELECT m.name, m.sql FROM sqlite_master m JOIN pragma_index_list(?) l ON l.name = m.name
		WHERE m.type = 'index' AND l."unique" = 0 AND m.sql IS NOT NULL ORDER BY m.name`
	if s.db.Postgres() {
		query = `SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
			WHERE x.indrelid = ?::regclass AND NOT x.indisunique ORDER BY i.relname`
	}
	rows, err := tx.QueryContext(ctx, s.db.Q(query), table)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var name, ddl string
		if err := rows.Scan(&name, &ddl); err != nil {
			return nil, nil, err
		}
		drops, restores = append(drops, `DROP INDEX `+name), append(restores, ddl)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	if kind == Customers && !s.db.Postgres() {
		// The search index is rebuilt from the rows once they are all there, then its triggers
		// come back.
		trig, err := tx.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'trigger'
			AND name LIKE 'hive\_customers\_search\_%' ESCAPE '\' ORDER BY name`)
		if err != nil {
			return nil, nil, err
		}
		defer trig.Close()
		restores = append(restores, `INSERT INTO hive_customers_search (hive_customers_search) VALUES ('rebuild')`)
		drops = append(drops, `INSERT INTO hive_customers_search (hive_customers_search) VALUES ('delete-all')`)
		for trig.Next() {
			var name, ddl string
			if err := trig.Scan(&name, &ddl); err != nil {
				return nil, nil, err
			}
			drops, restores = append(drops, `DROP TRIGGER `+name), append(restores, ddl)
		}
		if err := trig.Err(); err != nil {
			return nil, nil, err
		}
	}
	return drops, restores, nil
}

// restoreIndexes builds again what deferIndexes dropped for the kind: each index in a transaction
// of its own, so other writers (a sign-in, an audit row) wait for one index at a time, then the
// search index and its triggers together.
func (s *Store) restoreIndexes(ctx context.Context, kind Kind) error {
	type step struct {
		n         int
		statement string
	}
	var steps []step
	rows, err := s.db.Query(ctx, `SELECT step, statement FROM sync_deferred WHERE kind = ? ORDER BY step`, string(kind))
	if err != nil {
		return fmt.Errorf("readmodel: build %s indexes: %w", kind, err)
	}
	for rows.Next() {
		var st step
		if err := rows.Scan(&st.n, &st.statement); err != nil {
			rows.Close()
			return fmt.Errorf("readmodel: build %s indexes: %w", kind, err)
		}
		steps = append(steps, st)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("readmodel: build %s indexes: %w", kind, err)
	}
	run := func(group []step) error {
		return s.db.Tx(ctx, func(tx *sql.Tx) error {
			for _, st := range group {
				if _, err := tx.ExecContext(ctx, st.statement); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, s.db.Q(`DELETE FROM sync_deferred WHERE kind = ? AND step = ?`), string(kind), st.n); err != nil {
					return err
				}
			}
			return nil
		})
	}
	var rest []step
	for _, st := range steps {
		if !strings.HasPrefix(st.statement, "CREATE INDEX") {
			rest = append(rest, st)
			continue
		}
		if err := run([]step{st}); err != nil {
			return fmt.Errorf("readmodel: build %s indexes: %w", kind, err)
		}
	}
	if len(rest) > 0 {
		if err := run(rest); err != nil {
			return fmt.Errorf("readmodel: build %s search index: %w", kind, err)
		}
	}
	if len(steps) > 0 && s.db.Postgres() {
		// The planner's statistics were gathered on a table still filling (or empty): a plan
		// made from them would scan a million rows once per row of a join.
		if _, err := s.db.Exec(ctx, `ANALYZE `+kind.table()); err != nil {
			return fmt.Errorf("readmodel: analyse %s: %w", kind, err)
		}
	}
	return nil
}

// searchDeferred reports whether the customers' search index waits for a bulk load to end, so a
// search reads the rows instead.
func (s *Store) searchDeferred(ctx context.Context) bool {
	var n int
	err := s.db.QueryRow(ctx, `SELECT count(*) FROM sync_deferred WHERE kind = ?`, string(Customers)).Scan(&n)
	return err != nil || n > 0
}
