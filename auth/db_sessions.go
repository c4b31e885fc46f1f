package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/hiveconsole/hiveconsole/database"
	"time"
)

// CreateWebSession inserts a web session row.
func (db *sqlStore) CreateWebSession(ctx context.Context, s WebSessionRecord) error {
	_, err := db.db.Exec(ctx, `INSERT INTO web_sessions (id_hash, user_id, csrf_token, data, created_at, last_seen_at, user_agent, client_ip)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		s.IDHash, database.NullString(s.UserID), s.CSRFToken, s.Data, database.Unix(s.CreatedAt), database.Unix(s.LastSeenAt),
		s.UserAgent, s.ClientIP)
	if err != nil {
		return fmt.Errorf("auth: create web session: %w", err)
	}
	return nil
}

// WebSession returns the row with that id hash.
func (db *sqlStore) WebSession(ctx context.Context, idHash string) (WebSessionRecord, error) {
	var (
		s                 WebSessionRecord
		userID            sql.NullString
		created, lastSeen int64
	)
	err := db.db.QueryRow(ctx, `SELECT id_hash, user_id, csrf_token, data, created_at, last_seen_at
		FROM web_sessions WHERE id_hash = ?`, idHash).
		Scan(&s.IDHash, &userID, &s.CSRFToken, &s.Data, &created, &lastSeen)
	if errors.Is(err, sql.ErrNoRows) {
		return WebSessionRecord{}, ErrSessionNotFound
	}
	if err != nil {
		return WebSessionRecord{}, fmt.Errorf("auth: read web session: %w", err)
	}
	s.UserID, s.CreatedAt, s.LastSeenAt = userID.String, database.FromUnix(created), database.FromUnix(lastSeen)
	return s, nil
}

// SaveWebSessionData replaces a session's data and last-seen time.
func (db *sqlStore) SaveWebSessionData(ctx context.Context, idHash string, data []byte, lastSeen time.Time) error {
	res, err := db.db.Exec(ctx, `UPDATE web_sessions SET data = ?, last_seen_at = ? WHERE id_hash = ?`,
		data, database.Unix(lastSeen), idHash)
	if err != nil {
		return fmt.Errorf("auth: save web session: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return ErrSessionNotFound
	}
	return nil
}

// TouchWebSession records activity on a session.
func (db *sqlStore) TouchWebSession(ctx context.Context, idHash string, lastSeen time.Time) error {
	_, err := db.db.Exec(ctx, `UPDATE web_sessions SET last_seen_at = ? WHERE id_hash = ?`, database.Unix(lastSeen), idHash)
	if err != nil {
		return fmt.Errorf("auth: touch web session: %w", err)
	}
	return nil
}

// DeleteWebSession removes one session.
func (db *sqlStore) DeleteWebSession(ctx context.Context, idHash string) error {
	if _, err := db.db.Exec(ctx, `DELETE FROM web_sessions WHERE id_hash = ?`, idHash); err != nil {
		return fmt.Errorf("auth: delete web session: %w", err)
	}
	return nil
}

// DeleteUserWebSessions removes every session of a user.
func (db *sqlStore) DeleteUserWebSessions(ctx context.Context, userID string) (int64, error) {
	res, err := db.db.Exec(ctx, `DELETE FROM web_sessions WHERE user_id = ?`, userID)
	if err != nil {
		return 0, fmt.Errorf("auth: revoke web sessions: %w", err)
	}
	return res.RowsAffected()
}

// DeleteExpiredWebSessions removes sessions past either timeout.
func (db *sqlStore) DeleteExpiredWebSessions(ctx context.Context, idleBefore, createdBefore time.Time) (int64, error) {
	res, err := db.db.Exec(ctx, `DELETE FROM web_sessions WHERE last_seen_at < ? OR created_at < ?`,
		database.Unix(idleBefore), database.Unix(createdBefore))
	if err != nil {
		return 0, fmt.Errorf("auth: delete expired web sessions: %w", err)
	}
	return res.RowsAffected()
}

// UserWebSessions lists a user's sessions, most recently used first.
func (db *sqlStore) UserWebSessions(ctx context.Context, userID string) ([]WebSessionRecord, error) {
	rows, err := db.db.Query(ctx, `SELECT id_hash, created_at, last_seen_at, user_agent, client_ip FROM web_sessions
		WHERE user_id = ? ORDER BY last_seen_at DESC, created_at DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("auth: list web sessions: %w", err)
	}
	defer rows.Close()
	var out []WebSessionRecord
	for rows.Next() {
		s := WebSessionRecord{UserID: userID}
		var created, lastSeen int64
		if err := rows.Scan(&s.IDHash, &created, &lastSeen, &s.UserAgent, &s.ClientIP); err != nil {
			return nil, fmt.Errorf("auth: list web sessions: %w", err)
		}
		s.CreatedAt, s.LastSeenAt = database.FromUnix(created), database.FromUnix(lastSeen)
		out = append(out, s)
	}
	return out, rows.Err()
}

// DeleteUserWebSession removes one session of a user.
func (db *sqlStore) DeleteUserWebSession(ctx context.Context, userID, idHash string) (bool, error) {
	res, err := db.db.Exec(ctx, `DELETE FROM web_sessions WHERE id_hash = ? AND user_id = ?`, idHash, userID)
	if err != nil {
		return false, fmt.Errorf("auth: end web session: %w", err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}
