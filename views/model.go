// Package views holds the console's templ components and pages, and the view models they take.
// Components only render what they are given: no I/O, no API calls, no clocks.
package views

import (
	"strconv"
	"time"
)

// Page is what the layout needs on every page.
type Page struct {
	Title       string
	Nonce       string // the CSP nonce of this response
	CSRFToken   string // sent by forms (csrf_token) and by Datastar (meta tag → X-CSRF-Token)
	Assets      Assets
	User        *User // nil when signed out
	Nav         []NavItem
	Environment Environment
	Flashes     []Flash
	RequestID   string
}

// Assets are the content-hashed URLs of the static files.
type Assets struct {
	CSS, JS, Icons, Favicon string
}

// Icon is the URL of one icon of the sprite.
func (a Assets) Icon(name string) string { return a.Icons + "#i-" + name }

// User is the signed-in staff member.
type User struct {
	Name, Email, Role string
}

// Initials are the avatar's letters.
func (u User) Initials() string {
	var out []rune
	prev := ' '
	for _, r := range u.Name {
		if prev == ' ' && r != ' ' && len(out) < 2 {
			out = append(out, r)
		}
		prev = r
	}
	if len(out) == 0 && u.Email != "" {
		out = []rune(u.Email)[:1]
	}
	return string(out)
}

// NavItem is one entry of the main navigation; the handlers include only what the user may see.
type NavItem struct {
	Label, Href, Icon string
	Current           bool
}

// Environment tells staff whether they are looking at real customers.
type Environment struct {
	Sandbox bool
	Label   string // "SANDBOX", or the Hive host for the live API
}

// Flash is a one-time message shown at the top of the next page.
type Flash struct {
	Kind    string // info, success, warning, error
	Title   string
	Message string
}

// ErrorModel is an error page.
type ErrorModel struct {
	Status    int
	Title     string
	Message   string
	RetryHint string
	RequestID string
}

// LoginModel is the sign-in form.
type LoginModel struct {
	Email     string // what the user typed, kept on error
	Next      string // where to go after signing in: a local path
	Error     string // one message for the whole form: never says which part was wrong
	Sandbox   bool   // show where the sandbox's first admin password was printed
	CSRFToken string
}

// OverviewModel is the home page.
type OverviewModel struct {
	Customers, Sessions, Checks, Processing int
	Recent                                  []CheckRow
	Now                                     time.Time
	ShowQueue                               bool           // the user decides reviews
	Queue                                   []CheckListRow // the top of the review queue
	QueueTotal                              int
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

// Status is a report grade as the badge shows it: clear, caution, consider, processing or unknown.
type Status string

// The badge statuses.
const (
	StatusClear      Status = "clear"
	StatusCaution    Status = "caution"
	StatusConsider   Status = "consider"
	StatusProcessing Status = "processing"
	StatusUnknown    Status = "unknown"
)

// UserRow is a staff account in the users table.
type UserRow struct {
	ID, Email, Name, Role string
	Disabled              bool
	LastLogin, Created    time.Time
}

// UsersModel is the staff list.
type UsersModel struct {
	Users []UserRow
	Now   time.Time
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
	Error       string
	Now         time.Time
}

// PasswordForm is the change-your-own-password form.
type PasswordForm struct {
	Errors map[string]string
}

// SortState is how a table column is sorted now.
type SortState string

// The sort states, as aria-sort spells them.
const (
	SortNone       SortState = "none"
	SortAscending  SortState = "ascending"
	SortDescending SortState = "descending"
)

// SortColumn is a sortable column header: its label, its state, and the URL that sorts by it
// (toggling the direction when it is the current column).
type SortColumn struct {
	Label string // with no Href, the column is a plain header: this viewer may not sort by it
	Key   string // the sort key, one of a fixed set (safe inside a Datastar expression)
	Dir   string // "asc" or "desc": the direction a click asks for
	State SortState
	Href  string
	Num   bool // right-aligned numbers
}

// Pager is a table's pagination: what is shown, and links to the neighbours.
type Pager struct {
	From, To, Total int
	Prev, Next      string // empty at the ends
	Pages           []PageLink
}

// PageLink is one numbered page; an empty Href is a gap ("…").
type PageLink struct {
	Label   string
	Href    string
	Current bool
}

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
}

// CustomerRow is a customer in the list.
type CustomerRow struct {
	ID, Name, Email, Phone string
	Checks                 int
	Result                 Status // the latest check's
	Created                time.Time
}

// CustomerDetail is one customer with their sessions and checks.
type CustomerDetail struct {
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
}

// Thumbnail is a small preview of an image Hive holds, through the file proxy.
type Thumbnail struct {
	ID, Label string
}

// KeyValue is one metadata entry.
type KeyValue struct{ Key, Value string }

// SessionRow is an SDK session in a table.
type SessionRow struct {
	ID, Status, CheckID string
	Created, Expires    time.Time
}

// CustomerForm is the create and edit form, with what was typed and a message per bad field.
type CustomerForm struct {
	ID                                                         string // empty when creating
	Email, Phone, FirstName, MiddleName, LastName, Gender, DOB string
	Metadata                                                   []KeyValue // existing rows, then blank ones
	Version                                                    string     // the stored version the form edits
	Errors                                                     map[string]string
	Conflict                                                   *Conflict // the customer changed since the form was opened
}

// Conflict shows the user's version and the stored one side by side.
type Conflict struct {
	Rows []ConflictRow
}

// ConflictRow is one field that differs.
type ConflictRow struct {
	Field, Mine, Theirs string
}

// DeleteImpact is what deleting a customer also deletes.
type DeleteImpact struct {
	Sessions, Checks, Reports int
}

// DeleteCustomerModel is the delete confirmation.
type DeleteCustomerModel struct {
	ID, Name, Email string
	Impact          DeleteImpact
	Typed, Error    string
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

// ReportModel is the report viewer: a check, its report once complete, and the customer it is about.
type ReportModel struct {
	CheckID, SessionID              string
	CustomerID, CustomerName        string // empty when the session's customer is not known
	Status                          string // processing, complete
	Decision                        string // approved, review, declined; "" while processing
	Result                          Status
	Created                         time.Time
	Submitted, Processed, Generated time.Time
	Version                         int
	OnlyIssues                      bool // clear sub-checks are hidden
	Sections                        []ReportSection
	Properties                      []PropertyRow
	Comparison                      []ComparisonRow
	MRZ                             *MRZView // nil when the document has no machine readable zone
	Face                            FaceView
	Devices                         []DeviceView
	RawJSON                         string        // the report as the API sent it, indented
	RawMasked                       bool          // the raw JSON is withheld: this user sees reports masked
	Images                          []ReportImage // through the file proxy; empty without the permission
	CanDownload                     bool
	CanDelete                       bool
	Review                          ReviewPanelModel
	History                         []AuditRow // the check's own trail; nil without the permission
	Now                             time.Time
}

// ReportImage is one uploaded image of the check, served through the console's file proxy.
type ReportImage struct {
	Label, URL, Kind string
}

// Complete reports whether the check has a report to show.
func (m ReportModel) Complete() bool { return m.Status == "complete" }

// ReportSection is one of the report's three parts with its tree of breakdowns.
type ReportSection struct {
	Key, Title string // key: document, face, device
	Status     Status
	Nodes      []ReportNode // the API's order; filtered when only issues are shown
}

// ReportNode is a breakdown or sub-check: a branch when it has children, a leaf otherwise.
type ReportNode struct {
	Name, Label string // Name as the API spells it, Label for people
	Status      Status
	Children    []ReportNode
}

// PropertyRow is one value read from the document, ready to show.
type PropertyRow struct {
	Label, Value string
	Mono         bool
}

// ComparisonRow compares one field of the document with the customer record.
type ComparisonRow struct {
	Field, Document, Record string
	OnRecord                bool // the customer record has a value to compare
	Match                   bool
	// Hidden says the viewer sees the value masked on one side or both, so whether the two agree
	// is not theirs to learn either: Match is false and the page says the comparison is hidden.
	Hidden bool
}

// MatchState is the row's data-match attribute: "true", "false", or "hidden".
func (r ComparisonRow) MatchState() string {
	if r.Hidden {
		return "hidden"
	}
	return strconv.FormatBool(r.Match)
}

// MRZView is the machine readable zone as printed, with the console's own check digit validation.
type MRZView struct {
	Format   string
	Lines    []MRZLine
	Digits   []MRZDigit
	Problems []string
	Differs  bool // some character differs from the corrected zone
	Masked   bool // the lines are withheld from this user; the check digits are still shown
}

// MRZLine is one printed line as runs of characters that match, or differ from, the corrected zone.
type MRZLine struct {
	Runs []MRZRun
}

// MRZRun is a stretch of an MRZ line.
type MRZRun struct {
	Text    string
	Differs bool
}

// MRZDigit is one check digit: what it protects, printed and computed.
type MRZDigit struct {
	Field, Printed, Computed string
	OK                       bool
}

// FaceView is the selfie's measurements.
type FaceView struct {
	Scores []Score
	Facts  []PropertyRow
}

// Score is a 0–1 measurement shown as a meter against the console's display threshold.
type Score struct {
	Label     string
	Value     float64
	Threshold float64
}

// DeviceView is one device the customer used during the session.
type DeviceView struct {
	Title string
	Rows  []PropertyRow
}

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
	LiveKey                            string // names the processing checks shown; "" when none
	Queue                              bool   // the review queue: completed checks nobody decided on
	SearchHint                         string // what the search looks in, for this viewer
}

// CheckListRow is a check in the list, with the customer it is about.
type CheckListRow struct {
	CheckRow
	CustomerID, CustomerName, CustomerEmail string
}

// FileRow is an image Hive holds, in a table.
type FileRow struct {
	ID, Type, Label, CheckID string
	Created                  time.Time
}

// FilesModel is the files list.
type FilesModel struct {
	Rows               []FileRow
	Pager              Pager
	Type, Check, Since string // the filters, or ""
	Total              int
	Now                time.Time
}

// FileModel is one file's page.
type FileModel struct {
	FileRow
	Metadata    []KeyValue
	CanDownload bool
	Now         time.Time
}

// RevealField is one classified value on a page: masked or clear, and how to ask for it.
type RevealField struct {
	Target, TargetID, Field string // what it belongs to: "customer", its id, "email"; fixed sets or UUIDs
	Label                   string // "Email", for the page without JavaScript
	Value                   string // masked or clear, as this user may see it
	Masked, CanReveal, Mono bool
	Revealed                bool   // the value is shown because the user revealed it
	Reason, Error           string // what was typed, and why it was refused
}

// ElementID is the element's id, which a reveal patches.
func (f RevealField) ElementID() string { return "pii-" + f.Target + "-" + f.TargetID + "-" + f.Field }

// The review states a completed check can be in, beside Hive's own decision.
const (
	ReviewUnreviewed   = "unreviewed"
	ReviewApproved     = "approved"
	ReviewRejected     = "rejected"
	ReviewResubmission = "resubmission"
)

// ReviewStateOf is the review state a decision puts a check in.
func ReviewStateOf(decision string) string { return reviewStateOf(decision) }

// ReviewPanelModel is the review of one check on its page.
type ReviewPanelModel struct {
	State     string // one of the Review… states
	History   []ReviewView
	CanDecide bool
	Form      ReviewForm
	NextURL   string // the next check in the review queue, or "" when there is none
}

// ReviewView is one recorded decision, for the history.
type ReviewView struct {
	Decision  string // approve, reject, resubmit
	Reason    string // the reject reason's label
	Note      string
	Reviewer  string
	SessionID string // a resubmission's new SDK session
	At        time.Time
}

// ReviewForm is the decision form with what was typed and a message per field.
type ReviewForm struct {
	Decision, Reason, Note string
	Errors                 map[string]string
	Reasons                []Option
}

// Option is one choice of a select.
type Option struct{ Value, Label string }

// AuditModel is the audit trail page.
type AuditModel struct {
	Actor, Action, Target, Outcome, Since, Until string
	Errors                                       map[string]string
	Rows                                         []AuditRow
	Pager                                        Pager
	Total                                        int
	ExportURL                                    string
	Now                                          time.Time
}

// AuditRow is one audit event as pages show it.
type AuditRow struct {
	Seq                             int64
	Time                            time.Time
	Actor, Role, Action             string
	TargetType, TargetID, TargetURL string
	ClientIP, RequestID, Outcome    string
	DetailsText                     string
}
