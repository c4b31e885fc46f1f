package views

import (
	"fmt"
	"time"
)

// Ago says how long before now t was, in the largest unit that fits: "just now", "5 min ago",
// "3 h ago", "12 days ago", "3 months ago", "2 years ago". It is the one way ages are written;
// pages show it in a <time> whose title is the exact time (RelTime), and a time to come as its date.
func Ago(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < 0:
		return t.UTC().Format("2 Jan 2006")
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	case d < 24*time.Hour:
		return fmt.Sprintf("%d h ago", int(d.Hours()))
	case d < 48*time.Hour:
		return "1 day ago"
	case d < 60*24*time.Hour:
		return fmt.Sprintf("%d days ago", int(d.Hours()/24))
	case d < 365*24*time.Hour:
		return fmt.Sprintf("%d months ago", int(d.Hours()/24/30))
	case d < 2*365*24*time.Hour:
		return "1 year ago"
	}
	return fmt.Sprintf("%d years ago", int(d.Hours()/24/365))
}

// ShortID is the start of an id, enough to tell rows apart at a glance: its first eight
// characters, or all of it when shorter. It counts characters, not bytes, so it is safe on any
// string, whatever Hive or a URL sent.
func ShortID(id string) string {
	n := 0
	for i := range id {
		if n == 8 {
			return id[:i]
		}
		n++
	}
	return id
}

// Span says a length of time in the largest units that matter: "45 min", "3 h 20 min", "2 days 4 h",
// "80 days".
func Span(d time.Duration) string {
	d = d.Round(time.Minute)
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	plural := func(n int, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	switch {
	case days >= 7:
		return plural(days, "day")
	case days > 0 && hours > 0:
		return plural(days, "day") + fmt.Sprintf(" %d h", hours)
	case days > 0:
		return plural(days, "day")
	case hours > 0 && mins > 0:
		return fmt.Sprintf("%d h %d min", hours, mins)
	case hours > 0:
		return fmt.Sprintf("%d h", hours)
	}
	return fmt.Sprintf("%d min", max(mins, 1))
}

// TimeLeft says how a check stands against its service time at now: "3 h 20 min left", or "2 days late".
func TimeLeft(now, due time.Time) (text string, overdue bool) {
	if due.After(now) {
		return Span(due.Sub(now)) + " left", false
	}
	return Span(now.Sub(due)) + " late", true
}
