package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// UpdateThrottles reads, changes and writes the throttle rows for keys in one transaction.
func (db *DB) UpdateThrottles(ctx context.Context, keys []string, change func([]*Throttle) error) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		// A row lock cannot hold a row that does not exist yet: without the table lock, two first
		// failures on a key would both count from zero.
		if err := db.lockTable(ctx, tx, "login_throttles"); err != nil {
			return err
		}
		ts := make([]*Throttle, len(keys))
		for i, key := range keys {
			t, err := db.readThrottle(ctx, tx, key)
			if err != nil {
				return err
			}
			ts[i] = &t
		}
		if err := change(ts); err != nil {
			return err
		}
		for _, t := range ts {
			if err := db.writeThrottle(ctx, tx, *t); err != nil {
				return err
			}
		}
		return nil
	})
}

func (db *DB) readThrottle(ctx context.Context, tx *sql.Tx, key string) (Throttle, error) {
	t := Throttle{Key: key}
	var windowStart, lockedUntil, updated int64
	err := tx.QueryRowContext(ctx, db.q(`SELECT failures, window_start, locked_until, lockouts, updated_at
		FROM login_throttles WHERE throttle_key = ?`+db.dialect.forUpdate), key).
		Scan(&t.Failures, &windowStart, &lockedUntil, &t.Lockouts, &updated)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return t, nil
	case err != nil:
		return Throttle{}, fmt.Errorf("auth: read throttle: %w", err)
	}
	t.WindowStart, t.LockedUntil, t.UpdatedAt = fromUnix(windowStart), fromUnix(lockedUntil), fromUnix(updated)
	return t, nil
}

func (db *DB) writeThrottle(ctx context.Context, tx *sql.Tx, t Throttle) error {
	var err error
	if t.idle() {
		_, err = tx.ExecContext(ctx, db.q(`DELETE FROM login_throttles WHERE throttle_key = ?`), t.Key)
	} else {
		_, err = tx.ExecContext(ctx, db.q(`INSERT INTO login_throttles
			(throttle_key, failures, window_start, locked_until, lockouts, updated_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (throttle_key) DO UPDATE SET failures = excluded.failures, window_start = excluded.window_start,
			locked_until = excluded.locked_until, lockouts = excluded.lockouts, updated_at = excluded.updated_at`),
			t.Key, t.Failures, unix(t.WindowStart), unix(t.LockedUntil), t.Lockouts, unix(t.UpdatedAt))
	}
	if err != nil {
		return fmt.Errorf("auth: write throttle: %w", err)
	}
	return nil
}

// DeleteStaleThrottles removes rows untouched since before and not locked at now.
func (db *DB) DeleteStaleThrottles(ctx context.Context, before, now time.Time) (int64, error) {
	res, err := db.exec(ctx, `DELETE FROM login_throttles WHERE updated_at < ? AND locked_until <= ?`,
		unix(before), unix(now))
	if err != nil {
		return 0, fmt.Errorf("auth: delete stale throttles: %w", err)
	}
	return res.RowsAffected()
}
