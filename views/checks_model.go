package views

import "time"

// ChecksModel is the checks list.
type ChecksModel struct {
	Q, Status, Result, Decision, Since string
	Size                               int
	Sizes                              []int
	URL                                string // this view's address, for the address bar
	Signals                            string // the query as Datastar signals (JSON)
	Rows                               []CheckListRow
	Columns                            []SortColumn // customer, result, created
	Pager                              Pager
	Total                              int // every check, before filtering
	Now                                time.Time
	LiveKey                            string       // names the processing checks shown; "" when none
	Queue                              bool         // the review queue: completed checks nobody decided on
	QueueHolds                         string       // what the queue holds, in words: "Checks whose report says caution or consider, nobody has decided on"
	Reasons                            []ReasonChip // the queue's filters by reason, with their counts
	Reason                             string       // the reason filtered by (a sub-check's path), "" for none
	Assignee                           string       // the holder filtered by: "", me, none or an email
	Review                             string       // the review state filtered by, "" for any
	Assignees                          [][2]string  // the holder filter's choices: value, label
	AssignTo                           []Option     // for those who assign: who checks can be given to; nil otherwise
	SearchHint                         string       // what the search looks in, for this viewer
	Sync                               SyncStatus
}

// CheckRow is a check in a table.
type CheckRow struct {
	ID, SessionID string
	Status        string // processing, complete
	Decision      string // approved, review, declined, or "" while processing
	Result        Status
	ReviewState   string // the console's own review: one of the Review… states ("" while processing)
	CreatedAt     time.Time
}

// CheckListRow is a check in the list, with the customer it is about.
type CheckListRow struct {
	CheckRow
	CustomerID, CustomerName, CustomerEmail string
	// Reasons say why the report is not clear, a phrase per sub-check ("Face similarity 8 %").
	Reasons []string
	// Holder is who works on the check ("" when nobody does); HolderMine when it is the viewer;
	// Assigned when an admin gave it to them.
	Holder               string
	HolderMine, Assigned bool
	// Due is when the check should be decided by, under its result's service time; zero when it has
	// none or waits for nobody.
	Due time.Time
	// Links is how many other customers the check is linked to (0 also while not worked out);
	// LinkedRejected says a reviewer rejected one of them.
	Links          int
	LinkedRejected bool
}

// ReasonChip filters the review queue by one thing reports did not clear ("Face similarity", 12).
type ReasonChip struct {
	Label   string
	Path    string // "" for the chip that clears the filter
	Count   int
	Href    string
	Current bool
}
