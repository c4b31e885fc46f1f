package views

import (
	"fmt"
	"time"
)

// Ago says how long before now t was, in the largest unit that fits: "just now", "5 min ago",
// "3 h ago", "12 days ago", then the date.
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
	}
	return t.UTC().Format("2 Jan 2006")
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
