package views

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

// Normalized maps anything unknown to StatusUnknown, so a new grade renders grey, never broken.
func (s Status) Normalized() Status {
	switch s {
	case StatusClear, StatusCaution, StatusConsider, StatusProcessing:
		return s
	}
	return StatusUnknown
}

// Label is the badge's text.
func (s Status) Label() string {
	switch s.Normalized() {
	case StatusClear:
		return "Clear"
	case StatusCaution:
		return "Caution"
	case StatusConsider:
		return "Consider"
	case StatusProcessing:
		return "Processing"
	}
	return "Unknown"
}

func (s Status) icon() string {
	switch s.Normalized() {
	case StatusClear:
		return "check"
	case StatusCaution:
		return "alert-triangle"
	case StatusConsider:
		return "x-octagon"
	case StatusProcessing:
		return "loader"
	}
	return "help-circle"
}
