package readmodel

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/hiveconsole/hiveconsole/database"
)

// EraseCustomer forgets a customer deleted for good (by retention): it marks them deleted with
// their sessions, checks and files, as DeleteCustomer does, then clears every personal value the
// copy holds of them: the record's names, contact data, date of birth and metadata and the search
// text built from them; their sessions' names and emails; their reports' document data, names,
// dates, devices, addresses and the values behind uncleared sub-checks; their files' metadata and
// addresses; and the identifiers their checks were linked by. Ids, times, statuses and results stay,
// so counts, insights and the audit trail still add up. The rows are marked erased, so that no sync
// pass writes them again. It returns the customer's check ids (for the
// notes and decisions on them), and does the same again harmlessly.
func (s *Store) EraseCustomer(ctx context.Context, id string) (checkIDs []string, err error) {
	if err := s.DeleteCustomer(ctx, id); err != nil {
		return nil, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, s.db.Q(`SELECT id FROM hive_checks WHERE customer_id = ?`), id)
		if err != nil {
			return fmt.Errorf("readmodel: erase customer: %w", err)
		}
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				rows.Close()
				return fmt.Errorf("readmodel: erase customer: %w", err)
			}
			checkIDs = append(checkIDs, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("readmodel: erase customer: %w", err)
		}
		now := database.Unix(s.now())
		steps := []struct {
			what, query string
			args        []any
		}{
			{"record", `UPDATE hive_customers SET email = '', phone = NULL, first_name = NULL, middle_name = NULL, last_name = NULL,
				gender = NULL, dob = NULL, metadata = NULL, full_name = '', name_key = '', search_names = '', search_contact = '',
				erased_at = COALESCE(erased_at, ?) WHERE id = ?`, []any{now, id}},
			{"sessions", `UPDATE hive_sessions SET full_name = '', email = '', erased_at = COALESCE(erased_at, ?) WHERE customer_id = ?`, []any{now, id}},
			{"checks", `UPDATE hive_checks SET erased_at = COALESCE(erased_at, ?) WHERE customer_id = ?`, []any{now, id}},
			{"reports", `UPDATE hive_reports SET doc_number = NULL, doc_expiry = NULL, personal_number = NULL, surname = NULL,
				given_names = NULL, date_of_birth = NULL, nationality = NULL, mrz_hash = NULL, concerns = '[]',
				device_hashes = '[]', ip_addresses = '[]'
				WHERE check_id IN (SELECT id FROM hive_checks WHERE customer_id = ?)`, []any{id}},
			{"files", `UPDATE hive_files SET metadata = NULL, url = '', erased_at = COALESCE(erased_at, ?)
				WHERE check_id IN (SELECT id FROM hive_checks WHERE customer_id = ?)`, []any{now, id}},
			{"identifiers", `DELETE FROM hive_identifiers WHERE check_id IN (SELECT id FROM hive_checks WHERE customer_id = ?)`, []any{id}},
		}
		for _, st := range steps {
			if _, err := tx.ExecContext(ctx, s.db.Q(st.query), st.args...); err != nil {
				return fmt.Errorf("readmodel: erase customer's %s: %w", st.what, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.counts.forget()
	return checkIDs, nil
}

// EraseStragglers erases again every customer retention erased since a moment of whom the copy
// holds something not erased: a session, check or file a sync pass first saw after the erasure (it
// read them from Hive just before the deletion), or a report stored for one of their checks
// meanwhile. A pass calls it at its end with the moment it began: only a customer erased while it
// ran can have been read by it before their deletion. It returns how many customers it erased again.
func (s *Store) EraseStragglers(ctx context.Context, since time.Time) (int, error) {
	rows, err := s.db.Query(ctx, `SELECT c.id FROM hive_customers c WHERE c.erased_at >= ? AND (
		EXISTS (SELECT 1 FROM hive_sessions x WHERE x.customer_id = c.id AND x.erased_at IS NULL)
		OR EXISTS (SELECT 1 FROM hive_checks k WHERE k.customer_id = c.id AND k.erased_at IS NULL)
		OR EXISTS (SELECT 1 FROM hive_checks k JOIN hive_files f ON f.check_id = k.id WHERE k.customer_id = c.id AND f.erased_at IS NULL)
		OR EXISTS (SELECT 1 FROM hive_checks k JOIN hive_reports r ON r.check_id = k.id WHERE k.customer_id = c.id
			AND (r.doc_number IS NOT NULL OR r.personal_number IS NOT NULL OR r.surname IS NOT NULL OR r.mrz_hash IS NOT NULL
				OR r.device_hashes <> '[]' OR r.ip_addresses <> '[]')))`, database.Unix(since))
	if err != nil {
		return 0, fmt.Errorf("readmodel: find erased customers' stragglers: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, id := range ids {
		if _, err := s.EraseCustomer(ctx, id); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}
