package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hiveconsole/hiveconsole/database"
)

// totpRecord is a user_totp row.
type totpRecord struct {
	Sealed      []byte    // the secret, sealed by sealSecret for the row's user
	ConfirmedAt time.Time // zero while the enrolment is pending
	LastStep    int64     // the newest 30-second step whose code was accepted; 0 before any
	CreatedAt   time.Time // when the secret was made
}

// confirmed reports whether the secret is a second factor the user must give, not an enrolment.
func (r totpRecord) confirmed() bool { return !r.ConfirmedAt.IsZero() }

// PutPendingTOTP upserts the pending secret; the upsert's condition refuses to replace a confirmed
// one, in the same statement that would.
func (db *sqlStore) PutPendingTOTP(ctx context.Context, userID string, sealed []byte, at time.Time) error {
	res, err := db.db.Exec(ctx, `INSERT INTO user_totp (user_id, secret, confirmed_at, last_step, created_at)
		VALUES (?, ?, NULL, 0, ?)
		ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, last_step = 0, created_at = excluded.created_at
		WHERE user_totp.confirmed_at IS NULL`, userID, sealed, database.Unix(at))
	if err != nil {
		return fmt.Errorf("auth: store TOTP secret: %w", err)
	}
	return oneRow(res, "store TOTP secret", ErrTOTPEnrolled)
}

// TOTP reads the user's secret row.
func (db *sqlStore) TOTP(ctx context.Context, userID string) (totpRecord, error) {
	var (
		r         totpRecord
		confirmed sql.NullInt64
		created   int64
	)
	err := db.db.QueryRow(ctx, `SELECT secret, confirmed_at, last_step, created_at FROM user_totp WHERE user_id = ?`, userID).
		Scan(&r.Sealed, &confirmed, &r.LastStep, &created)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return totpRecord{}, ErrNoTOTP
	case err != nil:
		return totpRecord{}, fmt.Errorf("auth: read TOTP secret: %w", err)
	}
	r.ConfirmedAt, r.CreatedAt = database.FromNullUnix(confirmed), database.FromUnix(created)
	return r, nil
}

// ConfirmTOTP confirms the secret the code was checked against: a BeginTOTP in between replaced it,
// and then nothing is confirmed.
func (db *sqlStore) ConfirmTOTP(ctx context.Context, userID string, sealed []byte, step int64, at time.Time, codeHashes []string) error {
	return db.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.db.Q(`UPDATE user_totp SET confirmed_at = ?, last_step = ?
			WHERE user_id = ? AND confirmed_at IS NULL AND secret = ?`), database.Unix(at), step, userID, sealed)
		if err != nil {
			return fmt.Errorf("auth: confirm TOTP secret: %w", err)
		}
		if err := oneRow(res, "confirm TOTP secret", ErrNoPendingTOTP); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.db.Q(`DELETE FROM user_recovery_codes WHERE user_id = ?`), userID); err != nil {
			return fmt.Errorf("auth: replace recovery codes: %w", err)
		}
		for _, h := range codeHashes {
			_, err := tx.ExecContext(ctx, db.db.Q(`INSERT INTO user_recovery_codes (user_id, code_hash) VALUES (?, ?)`), userID, h)
			if err != nil {
				return fmt.Errorf("auth: store recovery code: %w", err)
			}
		}
		return nil
	})
}

// UseTOTPStep is one conditional UPDATE: of two uses of one step at once, the second re-checks
// last_step after the first's write (SQLite's write lock; PostgreSQL's row lock and re-evaluation
// at READ COMMITTED) and changes nothing.
func (db *sqlStore) UseTOTPStep(ctx context.Context, userID string, step int64) (bool, error) {
	res, err := db.db.Exec(ctx, `UPDATE user_totp SET last_step = ?
		WHERE user_id = ? AND confirmed_at IS NOT NULL AND last_step < ?`, step, userID, step)
	if err != nil {
		return false, fmt.Errorf("auth: use TOTP step: %w", err)
	}
	return changedOne(res, "use TOTP step")
}

// UseRecoveryCode is one conditional UPDATE, for the same reason as UseTOTPStep.
func (db *sqlStore) UseRecoveryCode(ctx context.Context, userID, codeHash string, at time.Time) (bool, error) {
	res, err := db.db.Exec(ctx, `UPDATE user_recovery_codes SET used_at = ?
		WHERE user_id = ? AND code_hash = ? AND used_at IS NULL`, database.Unix(at), userID, codeHash)
	if err != nil {
		return false, fmt.Errorf("auth: use recovery code: %w", err)
	}
	return changedOne(res, "use recovery code")
}

// RecoveryCodesLeft counts the user's unused recovery codes.
func (db *sqlStore) RecoveryCodesLeft(ctx context.Context, userID string) (int, error) {
	var n int
	err := db.db.QueryRow(ctx, `SELECT COUNT(*) FROM user_recovery_codes WHERE user_id = ? AND used_at IS NULL`, userID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("auth: count recovery codes: %w", err)
	}
	return n, nil
}

// DeleteTOTP removes the user's second factor whole: no recovery code outlives its secret.
func (db *sqlStore) DeleteTOTP(ctx context.Context, userID string) error {
	return db.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, table := range []string{"user_recovery_codes", "user_totp"} {
			if _, err := tx.ExecContext(ctx, db.db.Q(`DELETE FROM `+table+` WHERE user_id = ?`), userID); err != nil {
				return fmt.Errorf("auth: delete second factor: %w", err)
			}
		}
		return nil
	})
}

// changedOne reports whether a conditional statement changed its row.
func changedOne(res sql.Result, op string) (bool, error) {
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("auth: %s: %w", op, err)
	}
	return n == 1, nil
}

// oneRow is changedOne that answers refused when the statement's condition held nothing.
func oneRow(res sql.Result, op string, refused error) error {
	ok, err := changedOne(res, op)
	if err != nil {
		return err
	}
	if !ok {
		return refused
	}
	return nil
}
