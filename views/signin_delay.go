package views

import (
	"fmt"
	"time"
)

// SignInDelay is how failed sign-ins hold a staff account back, across every address they came
// from, as an admin sees it on the account's page.
type SignInDelay struct {
	Until      time.Time // when the last address held back may try again; zero when none is
	Everywhere bool      // addresses the account has not signed in from lately are held back too
	Failures   int       // failed attempts that still count
	Addresses  int       // client addresses they came from
}

// Delayed reports whether some address must wait before its next attempt.
func (d SignInDelay) Delayed() bool { return !d.Until.IsZero() }

// Clearable reports whether there is anything for an admin to clear.
func (d SignInDelay) Clearable() bool { return d.Delayed() || d.Failures > 0 }

// Summary says how many failed attempts count and from how many addresses; wrong current passwords
// on the change-password form count as attempts from no address.
func (d SignInDelay) Summary() string {
	if d.Addresses == 0 {
		return plural(d.Failures, "failed attempt")
	}
	return plural(d.Failures, "failed attempt") + " from " + plural(d.Addresses, "address")
}

// plural counts n things, naming them in the singular or the plural as n needs.
func plural(n int, singular string) string {
	if n == 1 {
		return "1 " + singular
	}
	if singular[len(singular)-1] == 's' {
		return fmt.Sprintf("%d %ses", n, singular)
	}
	return fmt.Sprintf("%d %ss", n, singular)
}
