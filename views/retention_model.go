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
}

// Total is how many customers the plan would delete.
func (m RetentionModel) Total() int { return m.Decided + m.Incomplete }

// RetentionRow is one customer the policy would delete, masked.
type RetentionRow struct {
	Rule, CustomerID, Name, Email string
	Created, Settled              time.Time // Settled zero for the incomplete rule
}
