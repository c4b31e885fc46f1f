package auth

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/hiveconsole/hiveconsole/database"
)

// passkeyRecord is a user_passkeys row.
type passkeyRecord struct {
	ID         string // the credential's id, base64url
	UserID     string
	Name       string
	Credential []byte // the verified credential as JSON
	CreatedAt  time.Time
	LastUsedAt time.Time // zero before its first sign-in
}

// AddPasskey stores a new passkey; ErrPasskeyExists when its credential id is stored already, for
// this user or another.
func (db *sqlStore) AddPasskey(ctx context.Context, p passkeyRecord) error {
	_, err := db.db.Exec(ctx, `INSERT INTO user_passkeys (id, user_id, name, credential, created_at) VALUES (?, ?, ?, ?, ?)`,
		p.ID, p.UserID, p.Name, string(p.Credential), database.Unix(p.CreatedAt))
	if db.db.UniqueViolation(err) {
		return ErrPasskeyExists
	}
	if err != nil {
		return fmt.Errorf("auth: store passkey: %w", err)
	}
	return nil
}

const passkeyColumns = `id, user_id, name, credential, created_at, last_used_at`

func scanPasskey(row interface{ Scan(...any) error }) (passkeyRecord, error) {
	var (
		p          passkeyRecord
		credential string
		created    int64
		used       sql.NullInt64
	)
	if err := row.Scan(&p.ID, &p.UserID, &p.Name, &credential, &created, &used); err != nil {
		return passkeyRecord{}, err
	}
	p.Credential, p.CreatedAt, p.LastUsedAt = []byte(credential), database.FromUnix(created), database.FromNullUnix(used)
	return p, nil
}

// PasskeysOf lists the user's passkeys, oldest first.
func (db *sqlStore) PasskeysOf(ctx context.Context, userID string) ([]passkeyRecord, error) {
	rows, err := db.db.Query(ctx, `SELECT `+passkeyColumns+` FROM user_passkeys WHERE user_id = ? ORDER BY created_at, id`, userID)
	if err != nil {
		return nil, fmt.Errorf("auth: list passkeys: %w", err)
	}
	defer rows.Close()
	var out []passkeyRecord
	for rows.Next() {
		p, err := scanPasskey(rows)
		if err != nil {
			return nil, fmt.Errorf("auth: read passkey: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("auth: list passkeys: %w", err)
	}
	return out, nil
}

// HasPasskey reports whether the user has a passkey, reading none of them.
func (db *sqlStore) HasPasskey(ctx context.Context, userID string) (bool, error) {
	var has bool
	if err := db.db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM user_passkeys WHERE user_id = ?)`, userID).Scan(&has); err != nil {
		return false, fmt.Errorf("auth: look for a passkey: %w", err)
	}
	return has, nil
}

// PasskeyUsed records a sign-in with the passkey: its credential as the sign-in left it (signature
// counter, flags) and the time.
func (db *sqlStore) PasskeyUsed(ctx context.Context, id string, credential []byte, at time.Time) error {
	_, err := db.db.Exec(ctx, `UPDATE user_passkeys SET credential = ?, last_used_at = ? WHERE id = ?`,
		string(credential), database.Unix(at), id)
	if err != nil {
		return fmt.Errorf("auth: record passkey use: %w", err)
	}
	return nil
}

// DeletePasskey removes one of the user's passkeys; ErrNoPasskey when the user has none with that id.
func (db *sqlStore) DeletePasskey(ctx context.Context, userID, id string) error {
	res, err := db.db.Exec(ctx, `DELETE FROM user_passkeys WHERE user_id = ? AND id = ?`, userID, id)
	if err != nil {
		return fmt.Errorf("auth: remove passkey: %w", err)
	}
	return oneRow(res, "remove passkey", ErrNoPasskey)
}

// DeleteSecondFactors removes every second factor of the user in one transaction: the TOTP secret,
// its recovery codes and the passkeys.
func (db *sqlStore) DeleteSecondFactors(ctx context.Context, userID string) error {
	return db.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, table := range []string{"user_recovery_codes", "user_totp", "user_passkeys"} {
			if _, err := tx.ExecContext(ctx, db.db.Q(`DELETE FROM `+table+` WHERE user_id = ?`), userID); err != nil {
				return fmt.Errorf("auth: delete second factors: %w", err)
			}
		}
		return nil
	})
}

// SpendChallenge records a passkey challenge as answered; false when it was already. Rows older than
// prune go first: their ceremonies have expired, so their challenges cannot come back.
func (db *sqlStore) SpendChallenge(ctx context.Context, challenge string, at, prune time.Time) (bool, error) {
	if _, err := db.db.Exec(ctx, `DELETE FROM passkey_challenges WHERE used_at < ?`, database.Unix(prune)); err != nil {
		return false, fmt.Errorf("auth: prune passkey challenges: %w", err)
	}
	res, err := db.db.Exec(ctx, `INSERT INTO passkey_challenges (challenge, used_at) VALUES (?, ?) ON CONFLICT (challenge) DO NOTHING`,
		challenge, database.Unix(at))
	if err != nil {
		return false, fmt.Errorf("auth: spend passkey challenge: %w", err)
	}
	return changedOne(res, "spend passkey challenge")
}
