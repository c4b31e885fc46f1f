package hive

// Status is the colour grade Hive gives a report, a section, a breakdown and each sub-check.
type Status string

// The statuses of the reference, from best to worst. StatusUnknown stands for anything else the API
// may send (a new grade, an empty string) so callers never have to guess.
const (
	StatusClear    Status = "clear"
	StatusCaution  Status = "caution"
	StatusConsider Status = "consider"
	StatusUnknown  Status = "unknown"
)

// Known reports whether s is one of clear, caution or consider.
func (s Status) Known() bool {
	switch s {
	case StatusClear, StatusCaution, StatusConsider:
		return true
	}
	return false
}

// Severity orders statuses for sorting and for picking the worst of several: clear 0, caution 1,
// consider 2. Unknown statuses rank between caution and consider: a grade the console cannot read
// deserves a reviewer's eye, but is not evidence of fraud.
func (s Status) Severity() int {
	switch s {
	case StatusClear:
		return 0
	case StatusCaution:
		return 1
	case StatusConsider:
		return 3
	}
	return 2
}

// Worse returns whichever of s and t is more severe.
func (s Status) Worse(t Status) Status {
	if t.Severity() > s.Severity() {
		return t
	}
	return s
}

// Normalized returns s when it is known and StatusUnknown otherwise.
func (s Status) Normalized() Status {
	if s.Known() {
		return s
	}
	return StatusUnknown
}
