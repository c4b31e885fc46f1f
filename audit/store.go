package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/database"
)

const auditColumns = `seq, at_ns, actor_id, actor_email, role, action, target_type, target_id, client_ip,
	request_id, outcome, details, hash_version, prev_hash, hash`

func scanAudit(s database.Scanner) (StoredEntry, error) {
	var (
		r    StoredEntry
		at   int64
		role string
	)
	err := s.Scan(&r.Seq, &at, &r.ActorID, &r.ActorEmail, &role, &r.Action, &r.TargetType, &r.TargetID,
		&r.ClientIP, &r.RequestID, &r.Outcome, &r.DetailsJSON, &r.HashVersion, &r.PrevHash, &r.Hash)
	if err != nil {
		return StoredEntry{}, fmt.Errorf("audit: read audit event: %w", err)
	}
	r.Time, r.Role = time.Unix(0, at).UTC(), auth.Role(role)
	return r, nil
}

// append inserts the next row. The read of the head and the insert share one transaction, serialised
// by the write lock SQLite's IMMEDIATE transactions take (or PostgreSQL's table lock, LockAppends); the
// seq primary key and the schema's next-seq trigger refuse a fork even if that lock were missing.
func (t *Trail) append(ctx context.Context, seal func(lastSeq int64, lastHash string) (StoredEntry, error)) error {
	return t.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := t.db.LockAppends(ctx, tx, "audit_events"); err != nil {
			return err
		}
		var (
			lastSeq  int64
			lastHash string
		)
		err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1`).Scan(&lastSeq, &lastHash)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("audit: read the audit trail's head: %w", err)
		}
		r, err := seal(lastSeq, lastHash)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, t.db.Q(`INSERT INTO audit_events (`+auditColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			r.Seq, r.Time.UnixNano(), r.ActorID, r.ActorEmail, string(r.Role), r.Action, r.TargetType, r.TargetID,
			r.ClientIP, r.RequestID, r.Outcome, r.DetailsJSON, r.HashVersion, r.PrevHash, r.Hash)
		if err != nil {
			return fmt.Errorf("audit: append audit event: %w", err)
		}
		return nil
	})
}

// auditWhere turns q's filters into a WHERE clause (with a leading " WHERE", or "") and its arguments.
func auditWhere(q Query) (string, []any) {
	var (
		conds []string
		args  []any
	)
	add := func(cond string, a ...any) {
		conds = append(conds, cond)
		args = append(args, a...)
	}
	if q.Actor != "" {
		// lower() on both sides: PostgreSQL's LIKE is case-sensitive, SQLite's only for ASCII.
		add(`(lower(actor_email) LIKE ? ESCAPE '\' OR actor_id = ?)`, "%"+database.EscapeLike(strings.ToLower(q.Actor))+"%", q.Actor)
	}
	switch a := q.Action; {
	case strings.HasSuffix(a, "."):
		// A range rather than LIKE so the action index serves it: everything from "customer." up to
		// "customer/", '/' being the byte after '.'.
		add(`action >= ? AND action < ?`, a, a[:len(a)-1]+"/")
	case a != "":
		add(`action = ?`, a)
	}
	if q.TargetType != "" {
		add(`target_type = ?`, q.TargetType)
	}
	if q.TargetID != "" {
		add(`target_id = ?`, q.TargetID)
	}
	if q.Outcome != "" {
		add(`outcome = ?`, q.Outcome)
	}
	if !q.Since.IsZero() {
		add(`at_ns >= ?`, q.Since.UnixNano())
	}
	if !q.Until.IsZero() {
		add(`at_ns < ?`, q.Until.UnixNano())
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// count counts the rows matching q's filters.
func (t *Trail) count(ctx context.Context, q Query) (int, error) {
	where, args := auditWhere(q)
	var n int
	if err := t.db.QueryRow(ctx, `SELECT COUNT(*) FROM audit_events`+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("audit: count audit events: %w", err)
	}
	return n, nil
}

// list returns a page of the rows matching q's filters, newest first, below beforeSeq if it is set.
func (t *Trail) list(ctx context.Context, q Query, beforeSeq int64) ([]StoredEntry, error) {
	where, args := auditWhere(q)
	if beforeSeq > 0 {
		if where == "" {
			where = " WHERE seq < ?"
		} else {
			where += " AND seq < ?"
		}
		args = append(args, beforeSeq)
	}
	args = append(args, q.Limit, q.Offset)
	return t.query(ctx, `SELECT `+auditColumns+` FROM audit_events`+where+` ORDER BY seq DESC LIMIT ? OFFSET ?`, args...)
}

// chain returns up to limit rows after afterSeq, oldest first.
func (t *Trail) chain(ctx context.Context, afterSeq int64, limit int) ([]StoredEntry, error) {
	return t.query(ctx, `SELECT `+auditColumns+` FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?`, afterSeq, limit)
}

func (t *Trail) query(ctx context.Context, query string, args ...any) ([]StoredEntry, error) {
	rows, err := t.db.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("audit: list audit events: %w", err)
	}
	defer rows.Close()
	var out []StoredEntry
	for rows.Next() {
		r, err := scanAudit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit: list audit events: %w", err)
	}
	return out, nil
}
