package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

const auditColumns = `seq, at_ns, actor_id, actor_email, role, action, target_type, target_id, client_ip,
	request_id, outcome, details, hash_version, prev_hash, hash`

func scanAudit(s scanner) (StoredAuditRecord, error) {
	var (
		r    StoredAuditRecord
		at   int64
		role string
	)
	err := s.Scan(&r.Seq, &at, &r.ActorID, &r.ActorEmail, &role, &r.Action, &r.TargetType, &r.TargetID,
		&r.ClientIP, &r.RequestID, &r.Outcome, &r.DetailsJSON, &r.HashVersion, &r.PrevHash, &r.Hash)
	if err != nil {
		return StoredAuditRecord{}, fmt.Errorf("auth: read audit event: %w", err)
	}
	r.Time, r.Role = time.Unix(0, at).UTC(), Role(role)
	return r, nil
}

// AppendAudit inserts the next audit row. The read of the head and the insert share one transaction,
// serialised by the write lock SQLite's IMMEDIATE transactions take (or dialect.lockAuditHead); the
// seq primary key and the schema's next-seq trigger refuse a fork even if that lock were missing.
func (db *DB) AppendAudit(ctx context.Context, seal func(lastSeq int64, lastHash string) (StoredAuditRecord, error)) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		if db.dialect.lockAuditHead != "" {
			if _, err := tx.ExecContext(ctx, db.dialect.lockAuditHead); err != nil {
				return fmt.Errorf("auth: lock the audit trail: %w", err)
			}
		}
		var (
			lastSeq  int64
			lastHash string
		)
		err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1`).Scan(&lastSeq, &lastHash)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("auth: read the audit trail's head: %w", err)
		}
		r, err := seal(lastSeq, lastHash)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, db.q(`INSERT INTO audit_events (`+auditColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			r.Seq, r.Time.UnixNano(), r.ActorID, r.ActorEmail, string(r.Role), r.Action, r.TargetType, r.TargetID,
			r.ClientIP, r.RequestID, r.Outcome, r.DetailsJSON, r.HashVersion, r.PrevHash, r.Hash)
		if err != nil {
			return fmt.Errorf("auth: append audit event: %w", err)
		}
		return nil
	})
}

// auditWhere turns q's filters into a WHERE clause (with a leading " WHERE", or "") and its arguments.
func auditWhere(q AuditQuery) (string, []any) {
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
		add(`(lower(actor_email) LIKE ? ESCAPE '\' OR actor_id = ?)`, "%"+escapeLike(strings.ToLower(q.Actor))+"%", q.Actor)
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

// escapeLike escapes LIKE's wildcards so a search for "a_b" matches only that.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// CountAudit counts the rows matching q's filters.
func (db *DB) CountAudit(ctx context.Context, q AuditQuery) (int, error) {
	where, args := auditWhere(q)
	var n int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM audit_events`+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("auth: count audit events: %w", err)
	}
	return n, nil
}

// ListAudit returns a page of the rows matching q's filters, newest first, below beforeSeq if it is set.
func (db *DB) ListAudit(ctx context.Context, q AuditQuery, beforeSeq int64) ([]StoredAuditRecord, error) {
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
	return db.queryAudit(ctx, `SELECT `+auditColumns+` FROM audit_events`+where+` ORDER BY seq DESC LIMIT ? OFFSET ?`, args...)
}

// AuditChain returns up to limit rows after afterSeq, oldest first.
func (db *DB) AuditChain(ctx context.Context, afterSeq int64, limit int) ([]StoredAuditRecord, error) {
	return db.queryAudit(ctx, `SELECT `+auditColumns+` FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?`, afterSeq, limit)
}

func (db *DB) queryAudit(ctx context.Context, query string, args ...any) ([]StoredAuditRecord, error) {
	rows, err := db.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("auth: list audit events: %w", err)
	}
	defer rows.Close()
	var out []StoredAuditRecord
	for rows.Next() {
		r, err := scanAudit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("auth: list audit events: %w", err)
	}
	return out, nil
}
