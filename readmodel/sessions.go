package readmodel

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/hiveconsole/hiveconsole/database"
	"github.com/hiveconsole/hiveconsole/hive"
)

// SessionQuery is what the SDK session list and the pages that show a customer's sessions can ask
// for. A session's status is read as of Now: one still "created" past its expiry is expired, as Hive
// itself would say.
type SessionQuery struct {
	Status string // "", created, completed or expired
	// Customer is a customer id (exactly), or text in the session's name, or in its email for a
	// viewer who sees emails in clear (Contact), or the start of its customer's id.
	Customer string
	Contact  bool
	Sort     string // created, expires or status
	Desc     bool
	Now      time.Time
	Offset   int
	Limit    int
}

// SessionPage is one page of sessions and how many match in all.
type SessionPage struct {
	Rows  []hive.Session
	Total int
}

// statusNow is a session's status as of the query's time (the first argument).
const statusNow = `CASE WHEN status = 'created' AND expires_at <= ? THEN 'expired' ELSE status END`

// Sessions runs a session query in SQL.
func (s *Store) Sessions(ctx context.Context, q SessionQuery) (SessionPage, error) {
	now := database.Unix(q.Now)
	var where strings.Builder
	var args []any
	if q.Status != "" {
		where.WriteString(" AND " + statusNow + " = ?")
		args = append(args, now, q.Status)
	}
	if needle := strings.ToLower(strings.TrimSpace(q.Customer)); needle != "" {
		if hive.ValidID(needle) {
			where.WriteString(" AND lower(customer_id) = ?")
			args = append(args, needle)
		} else {
			esc := ""
			if !s.db.Postgres() {
				esc = ` ESCAPE '\'`
			}
			like := "%" + database.EscapeLike(needle) + "%"
			cond := "lower(full_name) LIKE ?" + esc + " OR lower(customer_id) LIKE ?" + esc
			args = append(args, like, database.EscapeLike(needle)+"%")
			if q.Contact {
				cond += " OR lower(email) LIKE ?" + esc
				args = append(args, like)
			}
			where.WriteString(" AND (" + cond + ")")
		}
	}
	var page SessionPage
	var err error
	if where.Len() == 0 {
		page.Total, err = s.Count(ctx, Sessions)
	} else {
		page.Total, err = s.count(ctx, `SELECT count(*) FROM hive_sessions WHERE deleted_at IS NULL`+where.String(), args...)
	}
	if err != nil {
		return SessionPage{}, fmt.Errorf("readmodel: count sessions: %w", err)
	}
	dir := " ASC"
	if q.Desc {
		dir = " DESC"
	}
	order := "created_at" + dir + ", ord" + dir
	orderArgs := []any{}
	switch q.Sort {
	case "expires":
		order = "expires_at" + dir + ", created_at DESC, ord DESC"
	case "status":
		order = "CASE " + statusNow + " WHEN 'created' THEN 0 WHEN 'completed' THEN 1 WHEN 'expired' THEN 2 ELSE 3 END" + dir +
			", created_at DESC, ord DESC"
		orderArgs = append(orderArgs, now)
	}
	offset := max(q.Offset, 0)
	if where.Len() == 0 {
		cond, more, skip, err := s.seek(ctx, Sessions, order, "created_at", offset)
		if err != nil {
			return SessionPage{}, err
		}
		where.WriteString(cond)
		args, offset = append(args, more...), skip
	}
	all := append(append(args, orderArgs...), max(q.Limit, 1), offset)
	rows, err := s.db.Query(ctx, `SELECT `+sessionSelect+` FROM hive_sessions WHERE deleted_at IS NULL`+where.String()+
		` ORDER BY `+order+` LIMIT ? OFFSET ?`, all...)
	if err != nil {
		return SessionPage{}, fmt.Errorf("readmodel: sessions: %w", err)
	}
	defer rows.Close()
	page.Rows = []hive.Session{}
	for rows.Next() {
		x, err := scanSession(rows)
		if err != nil {
			return SessionPage{}, err
		}
		page.Rows = append(page.Rows, x)
	}
	return page, rows.Err()
}

// CountOpenSessions is how many sessions still wait for their customer as of now.
func (s *Store) CountOpenSessions(ctx context.Context, now time.Time) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT count(*) FROM hive_sessions WHERE deleted_at IS NULL AND status = 'created'
		AND expires_at > ?`, database.Unix(now)).Scan(&n)
	return n, err
}

// SessionsOf returns a customer's live sessions, newest first.
func (s *Store) SessionsOf(ctx context.Context, customerID string) ([]hive.Session, error) {
	rows, err := s.db.Query(ctx, `SELECT `+sessionSelect+` FROM hive_sessions WHERE customer_id = ? AND deleted_at IS NULL
		ORDER BY created_at DESC, ord DESC`, customerID)
	if err != nil {
		return nil, fmt.Errorf("readmodel: customer's sessions: %w", err)
	}
	defer rows.Close()
	out := []hive.Session{}
	for rows.Next() {
		x, err := scanSession(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// Session returns one session as the copy holds it (deleted or not); ok is false when unknown.
func (s *Store) Session(ctx context.Context, id string) (hive.Session, bool, error) {
	x, err := scanSession(s.db.QueryRow(ctx, `SELECT `+sessionSelect+` FROM hive_sessions WHERE id = ?`, id))
	if err == sql.ErrNoRows {
		return hive.Session{}, false, nil
	}
	return x, err == nil, err
}

const sessionSelect = `id, customer_id, full_name, email, application_id, workspace_id, status, expires_at, created_at,
	updated_at, check_id`

func scanSession(r database.Scanner) (hive.Session, error) {
	var x hive.Session
	var status string
	var expires, created, updated int64
	if err := r.Scan(&x.ID, &x.CustomerID, &x.FullName, &x.Email, &x.ApplicationID, &x.WorkspaceID, &status, &expires,
		&created, &updated, &x.CheckID); err != nil {
		if err == sql.ErrNoRows {
			return x, err
		}
		return x, fmt.Errorf("readmodel: read session: %w", err)
	}
	x.Status = hive.SessionStatus(status)
	x.ExpiresAt, x.CreatedAt, x.UpdatedAt = database.FromUnix(expires), database.FromUnix(created), database.FromUnix(updated)
	return x, nil
}

// FileQuery is what the files list can ask for.
type FileQuery struct {
	Type     string    // "", or a file type
	Check    string    // "", with or without
	Since    time.Time // zero: any
	CheckID  string    // "", or only this check's files
	Customer string    // "", or only the files of this customer's checks
	// Search is the start of a file's or its check's id, or what finds its check's customer (see
	// CustomerQuery); Contact lets it reach emails and phones, for a viewer who sees them in clear.
	Search  string
	Contact bool
	Offset  int
	Limit   int
}

// FileEntry is a file as the lists show it, with the customer of its check when it has one.
type FileEntry struct {
	hive.File
	CustomerID, CustomerName string
}

// FilePage is one page of files and how many match in all.
type FilePage struct {
	Rows  []FileEntry
	Total int
}

// Files runs a files query in SQL, newest first.
func (s *Store) Files(ctx context.Context, q FileQuery) (FilePage, error) {
	var where strings.Builder
	var args []any
	add := func(cond string, more ...any) {
		where.WriteString(" AND " + cond)
		args = append(args, more...)
	}
	if q.Type != "" {
		add("f.type = ?", q.Type)
	}
	switch q.Check {
	case "with":
		add("f.check_id IS NOT NULL")
	case "without":
		add("f.check_id IS NULL")
	}
	if !q.Since.IsZero() {
		add("f.created_at >= ?", database.Unix(q.Since))
	}
	if q.CheckID != "" {
		add("f.check_id = ?", q.CheckID)
	}
	if q.Customer != "" {
		add("f.check_id IN (SELECT id FROM hive_checks WHERE customer_id = ? AND deleted_at IS NULL)", q.Customer)
	}
	if search := strings.TrimSpace(q.Search); search != "" && !strings.ContainsRune(search, 0) {
		prefix := strings.ToLower(search)
		cond, more := s.idPrefix("f.id", prefix)
		byCheck, checkArgs := s.idPrefix("f.check_id", prefix)
		cond += " OR " + byCheck
		more = append(more, checkArgs...)
		if found, foundArgs := s.customerSearch(ctx, search, q.Contact); found != "" {
			cond += " OR f.check_id IN (SELECT id FROM hive_checks WHERE deleted_at IS NULL AND customer_id IN" +
				" (SELECT id FROM hive_customers WHERE deleted_at IS NULL AND checks > 0" + found + "))"
			more = append(more, foundArgs...)
		}
		add("("+cond+")", more...)
	}
	var page FilePage
	var err error
	if where.Len() == 0 {
		page.Total, err = s.Count(ctx, Files)
	} else {
		page.Total, err = s.count(ctx, `SELECT count(*) FROM hive_files f WHERE f.deleted_at IS NULL`+where.String(), args...)
	}
	if err != nil {
		return FilePage{}, fmt.Errorf("readmodel: count files: %w", err)
	}
	offset := max(q.Offset, 0)
	if where.Len() == 0 {
		cond, more, skip, err := s.seek(ctx, Files, "f.created_at DESC", "f.created_at", offset)
		if err != nil {
			return FilePage{}, err
		}
		where.WriteString(cond)
		args, offset = append(args, more...), skip
	}
	rows, err := s.db.Query(ctx, `SELECT f.id, f.type, f.metadata, f.url, f.check_id, f.created_at, c.customer_id, cu.full_name
		FROM hive_files f LEFT JOIN hive_checks c ON c.id = f.check_id LEFT JOIN hive_customers cu ON cu.id = c.customer_id
		WHERE f.deleted_at IS NULL`+where.String()+` ORDER BY f.created_at DESC, f.ord DESC LIMIT ? OFFSET ?`,
		append(args, max(q.Limit, 1), offset)...)
	if err != nil {
		return FilePage{}, fmt.Errorf("readmodel: files: %w", err)
	}
	defer rows.Close()
	page.Rows = []FileEntry{}
	for rows.Next() {
		var e FileEntry
		var typ string
		var metadata, customer, name sql.NullString
		var created int64
		if err := rows.Scan(&e.ID, &typ, &metadata, &e.URL, &e.CheckID, &created, &customer, &name); err != nil {
			return FilePage{}, fmt.Errorf("readmodel: read file: %w", err)
		}
		e.Type, e.CreatedAt = hive.FileType(typ), database.FromUnix(created)
		e.CustomerID, e.CustomerName = customer.String, name.String
		if metadata.Valid {
			if err := jsonUnmarshal(metadata.String, &e.Metadata); err != nil {
				return FilePage{}, err
			}
		}
		page.Rows = append(page.Rows, e)
	}
	return page, rows.Err()
}

func jsonUnmarshal(s string, v any) error {
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return fmt.Errorf("readmodel: read metadata: %w", err)
	}
	return nil
}
