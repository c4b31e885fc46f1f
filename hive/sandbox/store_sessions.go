package sandbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/hiveconsole/hiveconsole/hive"
)

// sessionSelect reads a session with its customer's current name and email.
const sessionSelect = `SELECT s.id, s.customer_id, json_extract(c.body, '$.email'), json_extract(c.body, '$.first_name'),
	json_extract(c.body, '$.middle_name'), json_extract(c.body, '$.last_name'), s.status,
	s.expires_at, s.created_at, s.updated_at, s.check_id FROM sessions s JOIN customers c ON c.id = s.customer_id`

// sessionIDs are the fixed parts every session carries.
type sessionIDs struct {
	applicationID, workspaceID string
}

// scanSession reads a session; a created session past its expiry reads as expired.
func scanSession(r scanner, ids sessionIDs, now time.Time) (hive.Session, error) {
	var s hive.Session
	var first, middle, last, checkID sql.NullString
	var status string
	var expires, created, updated int64
	err := r.Scan(&s.ID, &s.CustomerID, &s.Email, &first, &middle, &last, &status, &expires, &created, &updated, &checkID)
	if errors.Is(err, sql.ErrNoRows) {
		return s, errNotFound
	}
	if err != nil {
		return s, err
	}
	s.FullName = (&hive.Customer{FirstName: stringPtr(first), MiddleName: stringPtr(middle), LastName: stringPtr(last)}).FullName()
	s.ApplicationID, s.WorkspaceID = ids.applicationID, ids.workspaceID
	s.Status = hive.SessionStatus(status)
	s.ExpiresAt, s.CreatedAt, s.UpdatedAt = time.Unix(expires, 0).UTC(), time.Unix(created, 0).UTC(), time.Unix(updated, 0).UTC()
	if s.Status == hive.SessionCreated && !now.Before(s.ExpiresAt) {
		s.Status = hive.SessionExpired
	}
	s.CheckID = stringPtr(checkID)
	return s, nil
}

// newSession is a session to insert.
type newSession struct {
	id, customerID   string
	created, expires time.Time
	seq              int64 // 0: next
	completed        *completion
}

// completion is what the SDK leaves when it finishes: the scenario it played, the person it saw and
// what it took from another customer's check.
type completion struct {
	scenario  Scenario
	person    Person
	submitted time.Time
	reuse     reuse
	files     []newFile // only when recording one
}

// evidence is the evidence the completed session sessionID yields.
func (c completion) evidence(sessionID string) Evidence {
	return newEvidence(evidenceSeed(sessionID), c.person, c.scenario, c.submitted, c.reuse)
}

// newFile is a file the SDK uploaded.
type newFile struct {
	id   string
	kind hive.FileType
	seq  int64 // 0: next
}

func insertSession(ctx context.Context, q querier, s newSession) error {
	seq := s.seq
	if seq == 0 {
		var err error
		if seq, err = nextSeq(ctx, q, "sessions"); err != nil {
			return err
		}
	}
	_, err := q.ExecContext(ctx, `INSERT INTO sessions (id, seq, customer_id, status, expires_at, created_at, updated_at)
		VALUES (?, ?, ?, 'created', ?, ?, ?)`, s.id, seq, s.customerID, s.expires.Unix(), s.created.Unix(), s.created.Unix())
	if err != nil || s.completed == nil {
		return err
	}
	return completeSession(ctx, q, s.id, *s.completed)
}

// completeSession records the SDK's uploads on a session.
func completeSession(ctx context.Context, q querier, id string, c completion) error {
	person, err := json.Marshal(c.person)
	if err != nil {
		return err
	}
	var reused sql.NullString
	if c.reuse != (reuse{}) {
		b, err := json.Marshal(c.reuse)
		if err != nil {
			return err
		}
		reused = sql.NullString{String: string(b), Valid: true}
	}
	_, err = q.ExecContext(ctx, `UPDATE sessions SET status = 'completed', scenario = ?, person = ?, reuse = ?, submitted_at = ?,
		updated_at = ? WHERE id = ?`, string(c.scenario), string(person), reused, c.submitted.Unix(), c.submitted.Unix(), id)
	if err != nil {
		return err
	}
	for _, f := range c.files {
		seq := f.seq
		if seq == 0 {
			if seq, err = nextSeq(ctx, q, "files"); err != nil {
				return err
			}
		}
		if _, err := q.ExecContext(ctx, `INSERT INTO files (id, seq, session_id, type, created_at) VALUES (?, ?, ?, ?, ?)`,
			f.id, seq, id, string(f.kind), c.submitted.Unix()); err != nil {
			return err
		}
	}
	return nil
}

func (s *store) session(ctx context.Context, id string, ids sessionIDs, now time.Time) (hive.Session, error) {
	return scanSession(s.db.QueryRowContext(ctx, sessionSelect+` WHERE s.id = ?`, id), ids, now)
}

func (s *store) eachSession(ctx context.Context, ids sessionIDs, now time.Time, fn func(hive.Session) error) error {
	scan := func(r scanner) (hive.Session, error) { return scanSession(r, ids, now) }
	return eachRow(ctx, s.db, sessionSelect+` ORDER BY s.created_at DESC, s.seq DESC`, scan, fn)
}

// sessionEvidence returns what a completed session's evidence is generated from (files aside).
func sessionEvidence(ctx context.Context, q querier, id string) (completion, error) {
	var scenario, person, reused sql.NullString
	var submitted sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT scenario, person, reuse, submitted_at FROM sessions WHERE id = ?`, id).
		Scan(&scenario, &person, &reused, &submitted)
	if errors.Is(err, sql.ErrNoRows) {
		return completion{}, errNotFound
	}
	if err != nil {
		return completion{}, err
	}
	c := completion{scenario: Scenario(scenario.String), submitted: time.Unix(submitted.Int64, 0).UTC()}
	if person.Valid {
		if err := json.Unmarshal([]byte(person.String), &c.person); err != nil {
			return completion{}, err
		}
	}
	if reused.Valid {
		if err := json.Unmarshal([]byte(reused.String), &c.reuse); err != nil {
			return completion{}, err
		}
	}
	return c, nil
}

// latestCompletedSession is the id of the customer's most recently completed session, errNotFound
// when they have none.
func latestCompletedSession(ctx context.Context, q querier, customerID string) (string, error) {
	var id string
	err := q.QueryRowContext(ctx, `SELECT id FROM sessions WHERE customer_id = ? AND status = 'completed'
		ORDER BY submitted_at DESC, seq DESC LIMIT 1`, customerID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errNotFound
	}
	return id, err
}

func (s *store) deleteSession(ctx context.Context, id string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errNotFound
	}
	return nil
}
