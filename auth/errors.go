package auth

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sentinel errors. Handlers map them to responses with errors.Is; none of them carries a secret.
var (
	// ErrInvalidCredentials is the one answer to a failed sign-in, whether the email is unknown, the
	// account disabled or the password wrong, so the response tells an attacker nothing.
	ErrInvalidCredentials = errors.New("auth: invalid email or password")
	// ErrThrottled matches every *ThrottledError.
	ErrThrottled = errors.New("auth: too many sign-in attempts")
	// ErrUserNotFound is returned for an id or email that matches no user.
	ErrUserNotFound = errors.New("auth: user not found")
	// ErrEmailTaken is wrapped in the email field's error when another user has that address.
	ErrEmailTaken = errors.New("auth: email already in use")
	// ErrLastAdmin refuses a change that would leave no enabled admin: nobody could manage staff then.
	ErrLastAdmin = errors.New("auth: the last enabled admin cannot be disabled or demoted")
	// ErrUnauthenticated means the request carries no live session of an enabled user.
	ErrUnauthenticated = errors.New("auth: not signed in")
	// ErrUserDisabled refuses a web session for a disabled user.
	ErrUserDisabled = errors.New("auth: user is disabled")
	// ErrSessionNotFound is returned by a Store for a web session id it does not hold.
	ErrSessionNotFound = errors.New("auth: web session not found")
)

// ThrottledError refuses a sign-in attempt that must wait: its address is being slowed for the
// account, the account is being slowed for new addresses, or the address is locked out.
// errors.Is(err, ErrThrottled) is true for it.
type ThrottledError struct {
	RetryAfter time.Duration // how long until an attempt is accepted again
}

// Error says how long to wait, rounded up to a whole second.
func (e *ThrottledError) Error() string {
	return fmt.Sprintf("%v; retry in %v", ErrThrottled, e.RetryAfter.Round(time.Second))
}

// Is makes errors.Is(err, ErrThrottled) true.
func (e *ThrottledError) Is(target error) bool { return target == ErrThrottled }

// FieldError is a problem with one form field, worded for the person filling in the form.
type FieldError struct {
	Field   string // the form field: "email", "name", "role", "password", "current_password"
	Message string // shown next to the field, e.g. "must be at least 12 characters"
	Err     error  // a sentinel for errors.Is, such as ErrEmailTaken; usually nil
}

// Error joins the field and the message.
func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Unwrap exposes Err for errors.Is.
func (e *FieldError) Unwrap() error { return e.Err }

// ValidationErrors is every field problem of one request, so a form can show them all at once.
// errors.As(err, &fe) with fe a *FieldError finds the first; range over the slice for all.
type ValidationErrors []*FieldError

// Error joins the field errors.
func (v ValidationErrors) Error() string {
	parts := make([]string, len(v))
	for i, fe := range v {
		parts[i] = fe.Error()
	}
	return "auth: invalid input: " + strings.Join(parts, "; ")
}

// Unwrap exposes each *FieldError to errors.Is and errors.As.
func (v ValidationErrors) Unwrap() []error {
	errs := make([]error, len(v))
	for i, fe := range v {
		errs[i] = fe
	}
	return errs
}

// Message returns the message for field, or "" when the field is fine; handy in view models.
func (v ValidationErrors) Message(field string) string {
	for _, fe := range v {
		if fe.Field == field {
			return fe.Message
		}
	}
	return ""
}

// OrNil is v as an error: nil when there is no problem, so a function can return it directly.
func (v ValidationErrors) OrNil() error {
	if len(v) == 0 {
		return nil
	}
	return v
}
