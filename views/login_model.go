package views

// LoginModel is the sign-in form.
type LoginModel struct {
	Email     string // what the user typed, kept on error
	Next      string // where to go after signing in: a local path
	Error     string // one message for the whole form: never says which part was wrong
	Sandbox   bool   // show where the sandbox's first admin password was printed
	CSRFToken string
	// SSOName and SSOURL are the single sign-on button's label and link; empty: no single sign-on.
	SSOName, SSOURL string
	// PasswordBreakGlass says password sign-in is kept for one break-glass account only.
	PasswordBreakGlass bool
	// Passkey offers signing in with a passkey: the console offers them at this address.
	Passkey bool
}
