package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/hiveconsole/hiveconsole/database"
	"time"
)

// throttleColumns are login_throttles' columns in the order scanThrottle reads them.
const throttleColumns = `throttle_key, account_key, failures, window_start, locked_until, lockouts, known_until, updated_at`

// UpdateThrottles reads, changes and writes the throttle rows for keys in one transaction.
func (db *sqlStore) UpdateThrottles(ctx context.Context, keys []string, change func([]*Throttle) error) error {
	return db.db.Tx(ctx, func(tx *sql.Tx) error {
		// A row lock cannot hold a row that does not exist yet: without the table lock, two first
		// failures on a key would both count from zero.
		if err := db.db.LockTable(ctx, tx, "login_throttles"); err != nil {
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
		return db.changeThrottles(ctx, tx, ts, change)
	})
}

// AccountThrottles returns the rows that count for the account key account, in key order.
func (db *sqlStore) AccountThrottles(ctx context.Context, account string) ([]Throttle, error) {
	rows, err := db.db.Query(ctx, `SELECT `+throttleColumns+` FROM login_throttles
		WHERE account_key = ? ORDER BY throttle_key`, account)
	if err != nil {
		return nil, fmt.Errorf("auth: account throttles: %w", err)
	}
	return collectThrottles(rows)
}

// UpdateAccountThrottles reads, changes and writes the rows of one account in one transaction that
// holds back every other writer of throttles, so no attempt charged meanwhile is lost or undone.
func (db *sqlStore) UpdateAccountThrottles(ctx context.Context, account string, change func([]*Throttle) error) error {
	return db.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := db.db.LockTable(ctx, tx, "login_throttles"); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, db.db.Q(`SELECT `+throttleColumns+` FROM login_throttles
			WHERE account_key = ? ORDER BY throttle_key`+db.db.ForUpdate()), account)
		if err != nil {
			return fmt.Errorf("auth: account throttles: %w", err)
		}
		found, err := collectThrottles(rows)
		if err != nil {
			return err
		}
		ts := make([]*Throttle, len(found))
		for i := range found {
			ts[i] = &found[i]
		}
		return db.changeThrottles(ctx, tx, ts, change)
	})
}

// changeThrottles lets change edit ts and writes them back.
func (db *sqlStore) changeThrottles(ctx context.Context, tx *sql.Tx, ts []*Throttle, change func([]*Throttle) error) error {
	if err := change(ts); err != nil {
		return err
	}
	for _, t := range ts {
		if err := db.writeThrottle(ctx, tx, *t); err != nil {
			return err
		}
	}
	return nil
}

func (db *sqlStore) readThrottle(ctx context.Context, tx *sql.Tx, key string) (Throttle, error) {
	t, err := scanThrottle(tx.QueryRowContext(ctx, db.db.Q(`SELECT `+throttleColumns+`
		FROM login_throttles WHERE throttle_key = ?`+db.db.ForUpdate()), key))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return Throttle{Key: key}, nil
	case err != nil:
		return Throttle{}, fmt.Errorf("auth: read throttle: %w", err)
	}
	return t, nil
}

func scanThrottle(row interface{ Scan(...any) error }) (Throttle, error) {
	var t Throttle
	var windowStart, lockedUntil, knownUntil, updated int64
	err := row.Scan(&t.Key, &t.Account, &t.Failures, &windowStart, &lockedUntil, &t.Lockouts, &knownUntil, &updated)
	if err != nil {
		return Throttle{}, err
	}
	t.WindowStart, t.LockedUntil = database.FromUnix(windowStart), database.FromUnix(lockedUntil)
	t.KnownUntil, t.UpdatedAt = database.FromUnix(knownUntil), database.FromUnix(updated)
	return t, nil
}

func collectThrottles(rows *sql.Rows) ([]Throttle, error) {
	defer rows.Close()
	var out []Throttle
	for rows.Next() {
		t, err := scanThrottle(rows)
		if err != nil {
			return nil, fmt.Errorf("auth: read throttle: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("auth: read throttles: %w", err)
	}
	return out, nil
}

func (db *sqlStore) writeThrottle(ctx context.Context, tx *sql.Tx, t Throttle) error {
	var err error
	if t.idle() {
		_, err = tx.ExecContext(ctx, db.db.Q(`DELETE FROM login_throttles WHERE throttle_key = ?`), t.Key)
	} else {
		_, err = tx.ExecContext(ctx, db.db.Q(`INSERT INTO login_throttles (`+throttleColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (throttle_key) DO UPDATE SET account_key = excluded.account_key, failures = excluded.failures,
			window_start = excluded.window_start, locked_until = excluded.locked_until, lockouts = excluded.lockouts,
			known_until = excluded.known_until, updated_at = excluded.updated_at`),
			t.Key, t.Account, t.Failures, database.Unix(t.WindowStart), database.Unix(t.LockedUntil), t.Lockouts, database.Unix(t.KnownUntil), database.Unix(t.UpdatedAt))
	}
	if err != nil {
		return fmt.Errorf("auth: write throttle: %w", err)
	}
	return nil
}

// DeleteStaleThrottles removes rows untouched since before that neither delay an attempt nor mark
// a known address at now.
func (db *sqlStore) DeleteStaleThrottles(ctx context.Context, before, now time.Time) (int64, error) {
	res, err := db.db.Exec(ctx, `DELETE FROM login_throttles WHERE updated_at < ? AND locked_until <= ? AND known_until <= ?`,
		database.Unix(before), database.Unix(now), database.Unix(now))
	if err != nil {
		return 0, fmt.Errorf("auth: delete stale throttles: %w", err)
	}
	return res.RowsAffected()
}
