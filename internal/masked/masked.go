// Package masked hides personal values where they are shown to someone who may not read them in
// clear, keeping only what tells records apart at a glance and identifies nobody.
package masked

import (
	"strings"
	"unicode/utf8"
)

// Dots stand for what a masked value leaves out.
const Dots = "•••"

// Email keeps an email's first character and its domain: "z•••@example.com". Anything that is not
// an email is hidden whole.
func Email(v string) string {
	at := strings.LastIndexByte(v, '@')
	if at <= 0 {
		return Dots
	}
	r, _ := utf8.DecodeRuneInString(v)
	return string(r) + Dots + v[at:]
}
