package sandbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/hiveconsole/hiveconsole/hive"
)

const checkColumns = `id, session_id, status, decision, report_id, created_at, updated_at`

func scanCheck(r scanner) (hive.Check, error) {
	var c hive.Check
	var status string
	var decision, report sql.NullString
	var created, updated int64
	err := r.Scan(&c.ID, &c.SessionID, &status, &decision, &report, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return c, errNotFound
	}
	if err != nil {
		return c, err
	}
	c.Status, c.Decision, c.ReportID = hive.CheckStatus(status), stringPtr(decision), stringPtr(report)
	c.CreatedAt, c.UpdatedAt = time.Unix(created, 0).UTC(), time.Unix(updated, 0).UTC()
	return c, nil
}

// Why a check cannot be created; the server maps these to 404, 409 and 422.
var (
	errSessionNotFound     = errors.New("session not found")
	errSessionNotCompleted = errors.New("session not completed")
	errSessionHasCheck     = errors.New("session already has a check")
)

// insertCheck starts a check on a completed session and ties the session's files to it.
func insertCheck(ctx context.Context, q querier, id, sessionID string, created, completeAt time.Time, seq int64) error {
	var status string
	var existing sql.NullString
	err := q.QueryRowContext(ctx, `SELECT s.status, c.id FROM sessions s LEFT JOIN checks c ON c.session_id = s.id WHERE s.id = ?`,
		sessionID).Scan(&status, &existing)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return errSessionNotFound
	case err != nil:
		return err
	case status != string(hive.SessionCompleted):
		return errSessionNotCompleted
	case existing.Valid:
		return errSessionHasCheck
	}
	if seq == 0 {
		if seq, err = nextSeq(ctx, q, "checks"); err != nil {
			return err
		}
	}
	if _, err := q.ExecContext(ctx, `INSERT INTO checks (id, seq, session_id, status, complete_at, created_at, updated_at)
		VALUES (?, ?, ?, 'processing', ?, ?, ?)`, id, seq, sessionID, completeAt.Unix(), created.Unix(), created.Unix()); err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `UPDATE files SET check_id = ? WHERE session_id = ?`, id, sessionID)
	return err
}

// finishCheck records a check's report and decision and links the session to the check.
func finishCheck(ctx context.Context, q querier, checkID, sessionID string, report hive.Report, decision string, at time.Time) error {
	body, err := json.Marshal(report)
	if err != nil {
		return err
	}
	if _, err := q.ExecContext(ctx, `INSERT INTO reports (id, check_id, body) VALUES (?, ?, ?)`, report.ID, checkID, string(body)); err != nil {
		return err
	}
	if _, err := q.ExecContext(ctx, `UPDATE checks SET status = 'complete', decision = ?, report_id = ?, updated_at = ?
		WHERE id = ?`, decision, report.ID, at.Unix(), checkID); err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `UPDATE sessions SET check_id = ? WHERE id = ?`, checkID, sessionID)
	return err
}

// dueCheck is a processing check whose time has come.
type dueCheck struct {
	id, sessionID string
	completeAt    time.Time
}

// dueChecks lists processing checks that should have completed by now (an indexed lookup, cheap
// when there are none).
func dueChecks(ctx context.Context, q querier, now time.Time) ([]dueCheck, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, session_id, complete_at FROM checks WHERE status = 'processing' AND complete_at <= ?`, now.Unix())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var due []dueCheck
	for rows.Next() {
		var d dueCheck
		var at int64
		if err := rows.Scan(&d.id, &d.sessionID, &at); err != nil {
			return nil, err
		}
		d.completeAt = time.Unix(at, 0).UTC()
		due = append(due, d)
	}
	return due, rows.Err()
}

func (s *store) check(ctx context.Context, id string) (hive.Check, error) {
	return scanCheck(s.db.QueryRowContext(ctx, `SELECT `+checkColumns+` FROM checks WHERE id = ?`, id))
}

func (s *store) eachCheck(ctx context.Context, fn func(hive.Check) error) error {
	return eachRow(ctx, s.db, `SELECT `+checkColumns+` FROM checks ORDER BY created_at DESC, seq DESC`, scanCheck, fn)
}

// deleteCheck removes a check; its report goes with it and the session and files forget it.
func (s *store) deleteCheck(ctx context.Context, id string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM checks WHERE id = ?`, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errNotFound
	}
	return nil
}

// reportJSON returns a check's stored report as served. A check without one (still processing) is
// errNotFound.
func (s *store) reportJSON(ctx context.Context, checkID string) ([]byte, error) {
	var body string
	err := s.db.QueryRowContext(ctx, `SELECT body FROM reports WHERE check_id = ?`, checkID).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	return []byte(body), err
}
