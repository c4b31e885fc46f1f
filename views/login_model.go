package views

// LoginModel is the sign-in form.
type LoginModel struct {
	Email     string // what the user typed, kept on error
	Next      string // where to go after signing in: a local path
	Error     string // one message for the whole form: never says which part was wrong
	Sandbox   bool   // show where the sandbox's first admin password was printed
	CSRFToken string
}
