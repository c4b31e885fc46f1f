package views

import "time"

// CustomersModel is the customer list: the query, the rows of this page, and how to move around.
type CustomersModel struct {
	Q, Checks, Result string
	Size              int
	Sizes             []int
	URL               string // this view's address, for the address bar
	Signals           string // the query as Datastar signals (JSON)
	Rows              []CustomerRow
	Columns           []SortColumn
	Pager             Pager
	Total             int // every customer, before filtering
	Now               time.Time
	ExportURL         string // the same view as CSV; empty without the permission
	CanCreate         bool
	SearchHint        string // what the search looks in, for this viewer
	Sync              SyncStatus
}

// CustomerRow is a customer in the list.
type CustomerRow struct {
	ID, Name, Email, Phone string
	Checks                 int
	Result                 Status // the latest check's
	Created                time.Time
}
