package sandbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/hiveconsole/hiveconsole/hive"
)

const fileColumns = `id, type, metadata, check_id, created_at, session_id`

// storedFile is a file and the session whose evidence renders it.
type storedFile struct {
	hive.File
	sessionID string
}

func scanFile(r scanner) (storedFile, error) {
	var f storedFile
	var kind, meta string
	var checkID sql.NullString
	var created int64
	err := r.Scan(&f.ID, &kind, &meta, &checkID, &created, &f.sessionID)
	if errors.Is(err, sql.ErrNoRows) {
		return f, errNotFound
	}
	if err != nil {
		return f, err
	}
	f.Type, f.CheckID, f.CreatedAt = hive.FileType(kind), stringPtr(checkID), time.Unix(created, 0).UTC()
	f.Metadata = hive.Metadata{}
	return f, json.Unmarshal([]byte(meta), &f.Metadata)
}

func (s *store) file(ctx context.Context, id string) (storedFile, error) {
	return scanFile(s.db.QueryRowContext(ctx, `SELECT `+fileColumns+` FROM files WHERE id = ?`, id))
}

func (s *store) eachFile(ctx context.Context, fn func(storedFile) error) error {
	return eachRow(ctx, s.db, `SELECT `+fileColumns+` FROM files ORDER BY created_at DESC, seq DESC`, scanFile, fn)
}

// saveToken records an access token by its hash.
func (s *store) saveToken(ctx context.Context, hash []byte, expires time.Time, now time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		// Forget expired tokens as new ones are issued, so the table stays small.
		if _, err := tx.ExecContext(ctx, `DELETE FROM access_tokens WHERE expires_at <= ?`, now.Unix()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO access_tokens (hash, expires_at) VALUES (?, ?)`, hash, expires.Unix())
		return err
	})
}

// tokenValid reports whether a token with this hash exists and has not expired.
func (s *store) tokenValid(ctx context.Context, hash []byte, now time.Time) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM access_tokens WHERE hash = ? AND expires_at > ?`, hash, now.Unix()).Scan(&n)
	return n > 0, err
}
