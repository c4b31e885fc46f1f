package readmodel

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/hiveconsole/hiveconsole/database"
	"github.com/hiveconsole/hiveconsole/hive"
)

// The write-through: every change the console makes applies Hive's answer here in the same request,
// so the lists show it at once, on every replica. A row written through carries the current pass
// number, so a pass running meanwhile does not tombstone it.

// passOrd is the order key of a row written through (its arguments: the kind, then writeOrd): above
// every row the running pass has seen, and above the rows written through before it in this process.
const passOrd = `((SELECT pass FROM sync_state WHERE kind = ?) * 4294967296 + ?)`

// writeOrd is the low part of a written-through row's order key: it grows with every write of this
// process, and stays above the positions a pass gives.
func (s *Store) writeOrd() int64 { return 1<<31 + s.writes.Add(1)&(1<<31-1) }

// PutCustomer stores a customer as Hive returned it (created, updated or read live).
func (s *Store) PutCustomer(ctx context.Context, c *hive.Customer) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		args := append(customerArgs(c, nil, nil)[:15:15], string(Customers), string(Customers), s.writeOrd(), digest(c))
		_, err := tx.ExecContext(ctx, s.db.Q(`INSERT INTO hive_customers (`+customerColumns+`) VALUES (
			?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, `+currentPass+`, `+passOrd+`, ?)`+s.customerUpsert(false)), args...)
		if err != nil {
			return fmt.Errorf("readmodel: put customer: %w", err)
		}
		s.counts.forget()
		return s.recountCustomer(ctx, tx, c.ID)
	})
}

// DeleteCustomer marks a customer deleted in Hive, with their sessions, checks and files, which
// Hive deletes with them.
func (s *Store) DeleteCustomer(ctx context.Context, id string) error {
	defer s.counts.forget()
	now := database.Unix(s.now())
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, q := range []struct {
			kind  Kind
			where string
		}{
			{Files, `check_id IN (SELECT id FROM hive_checks WHERE customer_id = ?)`},
			{Checks, `customer_id = ?`},
			{Sessions, `customer_id = ?`},
			{Customers, `id = ?`},
		} {
			if _, err := tx.ExecContext(ctx, s.db.Q(`UPDATE `+q.kind.table()+` SET deleted_at = ?, pass = `+currentPass+`
				WHERE `+q.where+` AND deleted_at IS NULL`), now, string(q.kind), id); err != nil {
				return fmt.Errorf("readmodel: delete customer's %s: %w", q.kind, err)
			}
		}
		return nil
	})
}

// PutSession stores a session as Hive returned it.
func (s *Store) PutSession(ctx context.Context, x *hive.Session) error {
	args := append(sessionArgs(x, nil, nil)[:11:11], string(Sessions), string(Sessions), s.writeOrd(), digest(x))
	_, err := s.db.Exec(ctx, `INSERT INTO hive_sessions (`+sessionColumns+`) VALUES (
		?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, `+currentPass+`, `+passOrd+`, ?)`+sessionUpsert(false), args...)
	if err != nil {
		return fmt.Errorf("readmodel: put session: %w", err)
	}
	s.counts.forget()
	return nil
}

// DeleteSession marks a session deleted in Hive.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	return s.tombstone(ctx, Sessions, id)
}

// PutCheck stores a check as Hive returned it and recomputes its customer's list columns.
func (s *Store) PutCheck(ctx context.Context, x *hive.Check) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		args := append(checkArgs(x, nil, nil)[:8:8], string(Checks), string(Checks), string(Checks), s.writeOrd(), digest(x))
		_, err := tx.ExecContext(ctx, s.db.Q(`INSERT INTO hive_checks (`+checkColumns+`) VALUES (
			?, ?, ?, ?, ?, ?, ?, ?, `+currentPass+`, `+currentPass+`, `+passOrd+`, ?)`+s.checkUpsert(false)), args...)
		if err != nil {
			return fmt.Errorf("readmodel: put check: %w", err)
		}
		s.counts.forget()
		return s.relinkCheck(ctx, tx, x.ID)
	})
}

// DeleteCheck marks a check deleted in Hive and recomputes its customer's list columns.
func (s *Store) DeleteCheck(ctx context.Context, id string) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.db.Q(`UPDATE hive_checks SET deleted_at = ?, pass = `+currentPass+`
			WHERE id = ? AND deleted_at IS NULL`), database.Unix(s.now()), string(Checks), id); err != nil {
			return fmt.Errorf("readmodel: delete check: %w", err)
		}
		s.counts.forget()
		return s.relinkCheck(ctx, tx, id)
	})
}

// PutFile stores a file as Hive returned it.
func (s *Store) PutFile(ctx context.Context, f *hive.File) error {
	args := append(fileArgs(f, nil, nil)[:6:6], string(Files), string(Files), s.writeOrd(), digest(f))
	_, err := s.db.Exec(ctx, `INSERT INTO hive_files (`+fileColumns+`) VALUES (?, ?, ?, ?, ?, ?, `+currentPass+`, `+passOrd+`, ?)`+
		fileUpsert(false), args...)
	if err != nil {
		return fmt.Errorf("readmodel: put file: %w", err)
	}
	s.counts.forget()
	return nil
}

// PutReport stores the summary of a completed check's report read live (the report page), so
// the sync need not fetch it again.
func (s *Store) PutReport(ctx context.Context, ch *hive.Check, r *hive.Report) error {
	if ch.Status != hive.CheckComplete {
		return nil
	}
	return s.putSummary(ctx, Summarise(ch, r), true)
}

func (s *Store) tombstone(ctx context.Context, kind Kind, id string) error {
	defer s.counts.forget()
	_, err := s.db.Exec(ctx, `UPDATE `+kind.table()+` SET deleted_at = ?, pass = `+currentPass+`
		WHERE id = ? AND deleted_at IS NULL`, database.Unix(s.now()), string(kind), id)
	if err != nil {
		return fmt.Errorf("readmodel: delete from %s: %w", kind, err)
	}
	return nil
}

// relinkCheck gives the check its session's customer and recomputes that customer's columns.
func (s *Store) relinkCheck(ctx context.Context, tx *sql.Tx, id string) error {
	if _, err := tx.ExecContext(ctx, s.db.Q(`UPDATE hive_checks SET
		customer_id = (SELECT customer_id FROM hive_sessions WHERE hive_sessions.id = hive_checks.session_id)
		WHERE id = ? AND customer_id IS NULL`), id); err != nil {
		return fmt.Errorf("readmodel: link check: %w", err)
	}
	var customer sql.NullString
	if err := tx.QueryRowContext(ctx, s.db.Q(`SELECT customer_id FROM hive_checks WHERE id = ?`), id).Scan(&customer); err != nil {
		return fmt.Errorf("readmodel: link check: %w", err)
	}
	if !customer.Valid {
		return nil
	}
	return s.recountCustomer(ctx, tx, customer.String)
}

// recountCustomer recomputes one customer's list columns from their checks.
func (s *Store) recountCustomer(ctx context.Context, tx *sql.Tx, id string) error {
	_, err := tx.ExecContext(ctx, s.db.Q(`UPDATE hive_customers SET
		checks = (SELECT count(*) FROM hive_checks c WHERE c.customer_id = hive_customers.id AND c.deleted_at IS NULL),
		latest_result = (SELECT c.result FROM hive_checks c WHERE c.customer_id = hive_customers.id AND c.deleted_at IS NULL
			ORDER BY c.created_at DESC, c.ord DESC LIMIT 1)
		WHERE id = ?`), id)
	if err != nil {
		return fmt.Errorf("readmodel: recount customer: %w", err)
	}
	return nil
}

// unsummarised returns completed checks without a report summary, newest first, leaving out skip.
func (s *Store) unsummarised(ctx context.Context, limit int, skip map[string]bool) ([]hive.Check, error) {
	rows, err := s.db.Query(ctx, `SELECT id, session_id, status, decision, report_id FROM hive_checks
		WHERE status = 'complete' AND report_result IS NULL AND deleted_at IS NULL
		ORDER BY created_at DESC LIMIT ?`, limit+len(skip))
	if err != nil {
		return nil, fmt.Errorf("readmodel: checks to summarise: %w", err)
	}
	defer rows.Close()
	var out []hive.Check
	for rows.Next() {
		var c hive.Check
		var status string
		if err := rows.Scan(&c.ID, &c.SessionID, &status, &c.Decision, &c.ReportID); err != nil {
			return nil, err
		}
		c.Status = hive.CheckStatus(status)
		if !skip[c.ID] {
			out = append(out, c)
		}
	}
	return out, rows.Err()
}

// processing returns the ids of checks Hive is still working on.
func (s *Store) processing(ctx context.Context, limit int) ([]string, error) {
	rows, err := s.db.Query(ctx, `SELECT id FROM hive_checks WHERE result = 'processing' AND deleted_at IS NULL
		ORDER BY created_at DESC, ord DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("readmodel: processing checks: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
