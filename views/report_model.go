package views

import "time"

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
	CanEvidence                     bool // the user may download the check's signed evidence pack
	Review                          ReviewPanelModel
	Notes                           NotesModel
	Why                             []WhyItem   // what the report did not clear, for the decision panel
	Linked                          LinkedModel // other customers sharing this check's identifiers
	CaseVersion                     string      // what others may change (decisions, claim, notes) as of the page, for its live stream
	History                         []AuditRow  // the check's own trail; nil without the permission
	Now                             time.Time
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

// WhyItem is one thing a report did not clear, in words, with the values involved when the viewer
// may see them, and the section that shows it.
type WhyItem struct {
	Text, Detail, Href string
	Status             Status
}
