package views

import (
	"strconv"
	"strings"
	"time"
)

// UsersModel is the staff list.
type UsersModel struct {
	Users []UserRow
	Now   time.Time
}

// UserRow is a staff account in the users table.
type UserRow struct {
	ID, Email, Name, Role string
	Disabled              bool
	LastLogin, Created    time.Time
}

// RoleOption is a role a form offers, with what it may do.
type RoleOption struct {
	Value, Label, Description string
}

// UserForm is the new-user form, with what was typed and a message per invalid field.
type UserForm struct {
	Email, Name, Role string
	Roles             []RoleOption
	Errors            map[string]string
}

// UserModel is one staff account with the admin's actions.
type UserModel struct {
	User        UserRow
	Roles       []RoleOption
	Self        bool        // the admin is looking at their own account
	NewPassword string      // shown once, right after it was generated
	SignIn      SignInDelay // how failed sign-ins hold the account back now
	// SecondFactor says the user has an authenticator set up, Passkeys how many passkeys they have;
	// ResetError why resetting them was refused.
	SecondFactor bool
	Passkeys     int
	ResetError   string
	Error        string
	Now          time.Time
}

// PasswordForm is the change-your-own-password form.
type PasswordForm struct {
	Errors map[string]string
}

// secondFactorsText says which second factors a user has, for the admin's user page.
func secondFactorsText(m UserModel) string {
	var parts []string
	if m.SecondFactor {
		parts = append(parts, "an authenticator app")
	}
	switch {
	case m.Passkeys == 1:
		parts = append(parts, "1 passkey")
	case m.Passkeys > 1:
		parts = append(parts, strconv.Itoa(m.Passkeys)+" passkeys")
	}
	return m.User.Name + " signs in with " + strings.Join(parts, " and ") + "."
}
