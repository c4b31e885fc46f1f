package views

import "time"

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
	// SecondFactor says the user has an authenticator set up; ResetError why resetting it was refused.
	SecondFactor bool
	ResetError   string
	Error        string
	Now          time.Time
}

// PasswordForm is the change-your-own-password form.
type PasswordForm struct {
	Errors map[string]string
}
