package views

// ErrorModel is an error page.
type ErrorModel struct {
	Status    int
	Title     string
	Message   string
	RetryHint string
	RequestID string
}
