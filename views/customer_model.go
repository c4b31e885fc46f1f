package views

import "time"

// CustomerDetail is one customer with their sessions and checks.
type CustomerDetail struct {
	Notes                               NotesModel // the thread of notes on the customer
	ID, Name, Email, Phone, Gender, DOB string
	Metadata                            []KeyValue
	Created, Updated                    time.Time
	Sessions                            []SessionRow
	Checks                              []CheckRow
	Now                                 time.Time
	CanEdit, CanDelete, CanIssue        bool
	CanRunChecks                        bool
	Masked                              bool          // email, phone and date of birth are masked for this user
	CanReveal                           bool          // and the user may reveal them, one at a time, with a reason
	Contact                             []RevealField // email, phone, date of birth, as this user sees them
	History                             []AuditRow    // the customer's own trail; nil without the permission
	CSRFToken                           string        // for the reveal forms, which SSE patches re-render too
	Images                              []Thumbnail   // the customer's images, newest first
	CanSeeImages                        bool
	Timeline                            []TimelineEntry // newest first, at most maxTimeline
	TimelineMore                        int             // older entries left out
	Linked                              LinkedModel     // other customers sharing an identifier with this one's checks
	Hold                                HoldModel       // the legal hold in force, and the admin's form
}

// HoldModel is a customer's legal hold on their page.
type HoldModel struct {
	Available, CanManage bool // the console keeps holds; this user may place and release them
	Held                 bool
	Reason, By           string
	Since                time.Time
	// The form as typed when it was refused: whether it placed or released a hold, the reason, and
	// why it will not do.
	Placing               bool
	FormReason, FormError string
}

// KeyValue is one metadata entry.
type KeyValue struct{ Key, Value string }

// SessionRow is an SDK session in a table.
type SessionRow struct {
	ID, Status, CheckID string
	Created, Expires    time.Time
}

// TimelineEntry is one event in a customer's history: the customer page's timeline puts sessions,
// checks, decisions, notes and edits in one list, newest first.
type TimelineEntry struct {
	At          time.Time
	Kind        string // customer, session, check, review, note or edit: its icon and data-kind
	Title       string
	Href        string // the page of what it is about, or ""
	Actor       string // the staff member who did it, or ""
	Detail      string // plain text: a note's or a decision's words, the fields an edit changed
	Result      Status // a completed check's result, shown as its badge
	ReviewState string // a decision's state, shown as its tag
}
