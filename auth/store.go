package auth

import (
	"context"
	"github.com/hiveconsole/hiveconsole/database"
	"time"
)

// Store is the console database as this package needs it: the users, web_sessions and
// login_throttles tables. sqlStore keeps them in the console database (SQLite or PostgreSQL, both
// held to the same contract tests in store_test.go).
//
// Methods that change related rows take a callback that runs inside one transaction, so the decisions
// made in Go (throttle budgets, the last-admin rule) stay atomic across replicas.
type Store interface {
	// CreateUser inserts u; an email already in use gives an error matching ErrEmailTaken.
	CreateUser(ctx context.Context, u StoredUser) error
	// CreateFirstUser inserts u only while the users table is empty; created says whether it did.
	CreateFirstUser(ctx context.Context, u StoredUser) (created bool, err error)
	// UserByID and UserByEmail return ErrUserNotFound when nothing matches; email is normalized.
	UserByID(ctx context.Context, id string) (StoredUser, error)
	UserByEmail(ctx context.Context, email string) (StoredUser, error)
	// ListUsers returns every user ordered by email.
	ListUsers(ctx context.Context) ([]User, error)
	// UpdateUser reads the user, lets change edit it, and writes it back in one transaction; a change
	// that leaves users but no enabled admin is rolled back with ErrLastAdmin. An error from change
	// rolls back and is returned as is.
	UpdateUser(ctx context.Context, id string, change func(*StoredUser) error) (StoredUser, error)

	// CreateWebSession inserts a web session row.
	CreateWebSession(ctx context.Context, s WebSessionRecord) error
	// WebSession returns the row with that id hash, or ErrSessionNotFound.
	WebSession(ctx context.Context, idHash string) (WebSessionRecord, error)
	// SaveWebSessionData replaces a session's data and last-seen time; ErrSessionNotFound if it is gone.
	SaveWebSessionData(ctx context.Context, idHash string, data []byte, lastSeen time.Time) error
	// TouchWebSession records activity; a missing row is not an error (it was revoked meanwhile).
	TouchWebSession(ctx context.Context, idHash string, lastSeen time.Time) error
	// DeleteWebSession removes one session; a missing row is not an error.
	DeleteWebSession(ctx context.Context, idHash string) error
	// UserWebSessions lists a user's sessions, most recently used first.
	UserWebSessions(ctx context.Context, userID string) ([]WebSessionRecord, error)
	// DeleteUserWebSession removes one session of a user; false when the user has no such session.
	DeleteUserWebSession(ctx context.Context, userID, idHash string) (bool, error)
	// DeleteUserWebSessions removes every session of a user and says how many there were.
	DeleteUserWebSessions(ctx context.Context, userID string) (int64, error)
	// DeleteExpiredWebSessions removes sessions idle since idleBefore or created before createdBefore.
	DeleteExpiredWebSessions(ctx context.Context, idleBefore, createdBefore time.Time) (int64, error)

	// UpdateThrottles reads the throttle rows for keys (zero values with Key set when absent), lets
	// change edit them, and writes them back in one transaction; idle rows are deleted.
	UpdateThrottles(ctx context.Context, keys []string, change func([]*Throttle) error) error
	// AccountThrottles returns the throttle rows whose Account is account, in key order.
	AccountThrottles(ctx context.Context, account string) ([]Throttle, error)
	// UpdateAccountThrottles reads the rows whose Account is account, lets change edit them, and
	// writes them back in one transaction that no other throttle write interleaves with; idle rows
	// are deleted.
	UpdateAccountThrottles(ctx context.Context, account string, change func([]*Throttle) error) error
	// DeleteStaleThrottles removes rows not updated since before that are neither locked nor
	// KnownUntil a time after now.
	DeleteStaleThrottles(ctx context.Context, before, now time.Time) (int64, error)

	// Ping reports whether the database answers; for readiness checks.
	Ping(ctx context.Context) error

	// The second factor's tables, user_totp and user_recovery_codes. The writes that decide whether
	// a code is accepted are single conditional statements, so two uses of one code at once, on any
	// replica, cannot both pass.
	// PutPendingTOTP stores a new pending secret for the user, replacing a pending one (and its
	// last step); ErrTOTPEnrolled when the user has a confirmed one.
	PutPendingTOTP(ctx context.Context, userID string, sealed []byte, at time.Time) error
	// TOTP returns the user's secret row, pending or confirmed; ErrNoTOTP when there is none.
	TOTP(ctx context.Context, userID string) (totpRecord, error)
	// ConfirmTOTP confirms the pending secret sealed (and only that one), records step as used and
	// replaces the user's recovery codes with codeHashes, in one transaction; ErrNoPendingTOTP when
	// that secret is no longer pending.
	ConfirmTOTP(ctx context.Context, userID string, sealed []byte, step int64, at time.Time, codeHashes []string) error
	// UseTOTPStep records step as the newest one used if it is newer than the one recorded and the
	// secret is confirmed; used says whether it was.
	UseTOTPStep(ctx context.Context, userID string, step int64) (used bool, err error)
	// UseRecoveryCode marks the user's unused recovery code with that hash used; used says whether
	// there was one.
	UseRecoveryCode(ctx context.Context, userID, codeHash string, at time.Time) (used bool, err error)
	// RecoveryCodesLeft counts the user's unused recovery codes.
	RecoveryCodesLeft(ctx context.Context, userID string) (int, error)
	// DeleteTOTP removes the user's secret and recovery codes; none is not an error.
	DeleteTOTP(ctx context.Context, userID string) error

	// AddPasskey stores a new passkey; ErrPasskeyExists when its credential id is stored already.
	AddPasskey(ctx context.Context, p passkeyRecord) error
	// PasskeysOf lists the user's passkeys, oldest first.
	PasskeysOf(ctx context.Context, userID string) ([]passkeyRecord, error)
	// HasPasskey reports whether the user has one.
	HasPasskey(ctx context.Context, userID string) (bool, error)
	// PasskeyUsed stores the credential a sign-in left (counter, flags) and the time of use.
	PasskeyUsed(ctx context.Context, id string, credential []byte, at time.Time) error
	// DeletePasskey removes one of the user's passkeys; ErrNoPasskey when there is no such one.
	DeletePasskey(ctx context.Context, userID, id string) error
	// DeleteSecondFactors removes the user's TOTP secret, recovery codes and passkeys at once.
	DeleteSecondFactors(ctx context.Context, userID string) error
	// SpendChallenge records a passkey challenge answered, false when it already was; it prunes
	// rows used before prune.
	SpendChallenge(ctx context.Context, challenge string, at, prune time.Time) (bool, error)
}

// WebSessionRecord is a web session row. The cookie's id is never stored, only its SHA-256, so a copy
// of the database does not hand out live sessions.
type WebSessionRecord struct {
	IDHash     string    // hex SHA-256 of the random id the cookie carries
	UserID     string    // "" for an anonymous session (a visitor with a flash message, say)
	CSRFToken  string    // per-session token for forms and Datastar request headers
	Data       []byte    // the gob-encoded gorilla session Values
	CreatedAt  time.Time // for the absolute timeout
	LastSeenAt time.Time // for the idle timeout; updated at most once per touch interval
	UserAgent  string    // the browser's User-Agent at sign-in, cut to 300 characters
	ClientIP   string    // the address it signed in from; "" when unknown
}

// sqlStore is the Store in the console database; its queries are in the db_*.go files.
type sqlStore struct{ db *database.DB }

var _ Store = (*sqlStore)(nil)

// Ping reports whether the console database answers; for readiness checks.
func (db *sqlStore) Ping(ctx context.Context) error { return db.db.Ping(ctx) }
