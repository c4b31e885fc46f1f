package views

import "time"

// SessionDetail is one SDK session with the actions the user may take on it.
type SessionDetail struct {
	ID, ApplicationID   string
	CustomerID          string
	CustomerName, Email string
	Status              SessionStatus
	CheckID             string
	Created, Updated    time.Time
	Expires             time.Time
	CanDelete           bool
	CanRunCheck         bool          // completed, no check yet, and the permission
	Simulate            *SimulateForm // nil unless sandbox mode, a created session and the permission
	Error               string        // a refusal to show on the page
	Now                 time.Time
}

// SimulateForm is "Simulate SDK submission": the sandbox's scenarios and the one chosen.
type SimulateForm struct {
	Scenarios []ScenarioOption
	Scenario  string
	Error     string
}

// ScenarioOption is an outcome the sandbox can play, with the report result it leads to.
type ScenarioOption struct {
	Name, Title, Description string
	Result                   Status
}

// SessionIssued is the page shown once after issuing an SDK session: the only place the token
// ever appears.
type SessionIssued struct {
	CustomerID, CustomerName, Email string
	SessionID                       string // from the token's claims; "" when they cannot be read
	Token                           string
	Expires                         time.Time
	Now                             time.Time
}
