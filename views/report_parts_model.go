package views

import "strconv"

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

// ReportImage is one uploaded image of the check, served through the console's file proxy.
type ReportImage struct {
	Label, URL, Kind string
}
