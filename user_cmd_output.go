package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hiveconsole/hiveconsole/auth"
)

func printGenerated(w io.Writer, password string) error {
	if password == "" {
		return nil
	}
	_, err := fmt.Fprintf(w, "Password (shown only this once): %s\n", password)
	return err
}

// explainedError is an auth error reworded for the person at the shell; errors.Is still sees the cause.
type explainedError struct {
	msg   string
	cause error
}

// Error is the reworded message, without the auth package's prefix.
func (e explainedError) Error() string { return e.msg }

// Unwrap exposes the auth sentinel to errors.Is.
func (e explainedError) Unwrap() error { return e.cause }

// explainUserError turns the auth errors a person can fix into messages: field problems one per line
// with exit status 2, an unknown email, the last admin. The password itself is never in a message.
func explainUserError(err error, email string) error {
	var verrs auth.ValidationErrors
	var fe *auth.FieldError
	switch {
	case errors.As(err, &verrs):
		lines := make([]string, len(verrs))
		for i, v := range verrs {
			lines[i] = v.Field + ": " + v.Message
		}
		return usageError{strings.Join(lines, "\n")}
	case errors.As(err, &fe):
		return usageError{fe.Field + ": " + fe.Message}
	case errors.Is(err, auth.ErrUserNotFound):
		return explainedError{fmt.Sprintf("no staff account has the email %q (hiveconsole user list shows them)", email), err}
	case errors.Is(err, auth.ErrLastAdmin):
		return explainedError{fmt.Sprintf("%s is the last enabled admin: make another account admin first, or nobody could manage staff", email), err}
	}
	return err
}

// userJSON is one account in `user list --json`. It is built field by field so that nothing added to
// auth.User later (let alone a password hash) reaches the output unreviewed.
type userJSON struct {
	ID                string     `json:"id"`
	Email             string     `json:"email"`
	Name              string     `json:"name"`
	Role              auth.Role  `json:"role"`
	Disabled          bool       `json:"disabled"`
	CreatedAt         time.Time  `json:"created_at"`
	LastSignInAt      *time.Time `json:"last_sign_in_at"` // null: never signed in
	PasswordChangedAt time.Time  `json:"password_changed_at"`
}

func writeUsersJSON(w io.Writer, users []auth.User) error {
	out := make([]userJSON, 0, len(users)) // [] rather than null when there are none
	for _, u := range users {
		j := userJSON{ID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role, Disabled: u.Disabled,
			CreatedAt: u.CreatedAt.UTC(), PasswordChangedAt: u.PasswordChangedAt.UTC()}
		if !u.LastLoginAt.IsZero() {
			t := u.LastLoginAt.UTC()
			j.LastSignInAt = &t
		}
		out = append(out, j)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func writeUsersTable(w io.Writer, users []auth.User) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tNAME\tROLE\tSTATUS\tLAST SIGN-IN\tCREATED")
	for _, u := range users {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", u.Email, u.Name, u.Role, status(u), formatTime(u.LastLoginAt), formatTime(u.CreatedAt))
	}
	return tw.Flush()
}

func status(u auth.User) string {
	if u.Disabled {
		return "disabled"
	}
	return "enabled"
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format(time.RFC3339)
}
