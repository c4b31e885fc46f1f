package views

import "time"

// RetentionModel is what the retention policy would delete now.
type RetentionModel struct {
	Policy                      string // as the setting reads, "off" for none
	Off                         bool
	At                          time.Time
	Decided, Incomplete, Held   int
	DecidedDays, IncompleteDays int // the rules' ages; 0 when a rule is off
	Rows                        []RetentionRow
	Every                       time.Duration // how often serve applies the policy; 0 when only the command does
	Runs                        []RetentionRun
}

// RetentionRun is one application of the policy, newest first on the page.
type RetentionRun struct {
	ID                             int64
	Policy, StartedBy              string
	Started, Finished              time.Time // Finished zero while unfinished
	Planned                        int
	Deleted, Held, Changed, Failed int
}

// Kept is how many of the run's customers it did not delete.
func (r RetentionRun) Kept() int { return r.Held + r.Changed + r.Failed }

// Total is how many customers the plan would delete.
func (m RetentionModel) Total() int { return m.Decided + m.Incomplete }

// RetentionRow is one customer the policy would delete, masked.
type RetentionRow struct {
	Rule, CustomerID, Name, Email string
	Created, Settled              time.Time // Settled zero for the incomplete rule
}
