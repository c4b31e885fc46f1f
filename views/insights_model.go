package views

import "time"

// InsightsModel is the insights page: a period and the charts of its figures.
type InsightsModel struct {
	Period   string // "7d", "30d", "90d" or "custom"
	From, To string // a custom period's dates as typed
	Errors   map[string]string
	Periods  []InsightPeriod
	Span     string // the period shown, in words
	Own      bool   // the decisions' figures are the viewer's own
	Charts   []Chart
}

// InsightPeriod is one of the offered periods, as a link.
type InsightPeriod struct {
	Label, Href string
	Current     bool
}

// DaySpan writes a span of whole days: "5 Nov – 4 Dec 2026 (30 days)", "4 Dec 2026 (1 day)".
func DaySpan(from, to time.Time) string {
	days := int(to.Sub(from).Hours()/24) + 1
	n := "1 day"
	if days != 1 {
		n = Span(time.Duration(days) * 24 * time.Hour)
	}
	switch {
	case from.Equal(to):
		return to.Format("2 Jan 2006") + " (" + n + ")"
	case from.Year() == to.Year():
		return from.Format("2 Jan") + " – " + to.Format("2 Jan 2006") + " (" + n + ")"
	}
	return from.Format("2 Jan 2006") + " – " + to.Format("2 Jan 2006") + " (" + n + ")"
}
