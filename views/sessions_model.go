package views

import "time"

// SessionsModel is the SDK session list: the query, the rows of this page, and how to move around.
type SessionsModel struct {
	Status, Customer string
	Size             int
	Sizes            []int
	URL              string // this view's address, for the address bar
	Signals          string // the query as Datastar signals (JSON)
	Rows             []SessionListRow
	Columns          []SortColumn // status, created, expires
	Pager            Pager
	Total, Open      int // every session, and those still waiting for the customer
	Now              time.Time
	SearchHint       string // what the customer search looks in, for this viewer
	Sync             SyncStatus
}

// SessionListRow is an SDK session in the list, with its customer.
type SessionListRow struct {
	ID                  string
	CustomerID          string
	CustomerName, Email string
	Status              SessionStatus
	CheckID             string // "" when no check ran
	Created, Expires    time.Time
}

// SessionStatus is an SDK session's state as the console shows it: created (waiting for the
// customer), completed or expired.
type SessionStatus string

// The SDK session states.
const (
	SessionCreated   SessionStatus = "created"
	SessionCompleted SessionStatus = "completed"
	SessionExpired   SessionStatus = "expired"
)
