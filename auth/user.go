package auth

import (
	"crypto/rand"
	"encoding/base32"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// User is a staff member as the rest of the console sees them. It deliberately has no password hash:
// a User can go into a view model or a log line without leaking one.
type User struct {
	ID                string    // "usr_" and 16 random base32 characters; safe in URLs, not guessable
	Email             string    // normalized: trimmed and lower-case; unique
	Name              string    // display name
	Role              Role      // what the user may do, through Role.Can
	Disabled          bool      // a disabled user cannot sign in and has no live sessions
	CreatedAt         time.Time // when the account was created
	LastLoginAt       time.Time // zero until the first successful sign-in
	PasswordChangedAt time.Time // when the password was last set by a person (a rehash does not count)
}

// Can reports whether the user may do p: an enabled user with a role that grants it.
func (u User) Can(p Permission) bool { return !u.Disabled && u.Role.Can(p) }

// StoredUser is a user together with their password hash, as a Store holds them.
type StoredUser struct {
	User
	PasswordHash string // argon2id in PHC form: $argon2id$v=19$m=…,t=…,p=…$salt$key
}

// NewUser is the input for creating a staff account.
type NewUser struct {
	Email    string
	Name     string
	Role     Role
	Password string
}

// Field limits, shared by validation and the schema's CHECK constraints.
const (
	maxEmailLen = 254 // RFC 5321's path limit
	maxNameLen  = 100 // runes
)

// NormalizeEmail is the form every email is stored and looked up in: trimmed and lower-case, so
// "Alice@Example.com" and "alice@example.com" are one account.
func NormalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// validateEmail checks an already normalized address; it returns a message or "".
func validateEmail(email string) string {
	switch {
	case email == "":
		return "is required"
	case len(email) > maxEmailLen:
		return "is too long"
	}
	// mail.ParseAddress also accepts "Name <a@b>"; requiring the bare address back rejects that.
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || strings.Count(email, "@") != 1 {
		return "is not a valid email address"
	}
	return ""
}

// normalizeName trims a display name; validateName returns a message or "".
func normalizeName(name string) string { return strings.TrimSpace(name) }

func validateName(name string) string {
	switch {
	case name == "":
		return "is required"
	case utf8.RuneCountInString(name) > maxNameLen:
		return "must be at most 100 characters"
	case strings.ContainsFunc(name, unicode.IsControl):
		return "must not contain control characters"
	}
	return ""
}

// newUserID returns a random user id. Random rather than sequential ids keep staff URLs unguessable
// and let replicas create users without coordinating.
func newUserID() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return "usr_" + strings.ToLower(base32.StdEncoding.EncodeToString(b))
}
