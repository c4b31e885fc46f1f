// Package mrz reads the machine readable zone of an identity document, as ICAO 9303 lays it out:
// it splits a zone into its lines, decodes the fields, and recomputes every check digit, so a
// misprinted or altered zone can be told from a genuine one. It writes nothing; making up zones
// for demo documents is the sandbox's business.
package mrz

import "strings"

// Format is the layout of a machine readable zone, as ICAO 9303 names them.
type Format string

// The layouts: TD1 is the ID card (3 lines of 30), TD2 the older card (2 of 36) and TD3 the
// passport data page (2 of 44).
const (
	TD1 Format = "TD1"
	TD2 Format = "TD2"
	TD3 Format = "TD3"
)

// Filler pads every field of a machine readable zone and stands for a space inside one.
const Filler = '<'

// Fields are what a machine readable zone encodes. Dates are YYMMDD, as the zone prints them.
type Fields struct {
	DocumentCode   string // "P" for a passport, "ID" or "I" for an identity card
	IssuingState   string // ICAO alpha-3, e.g. "EST"; Germany's "DEU" is written "D"
	DocumentNumber string
	DateOfBirth    string // YYMMDD
	Sex            string // "M", "F" or "" (unspecified)
	DateOfExpiry   string // YYMMDD
	Nationality    string // ICAO alpha-3
	OptionalData   string // TD3: the personal number; TD1: line 1's optional data
	OptionalData2  string // TD1 only: line 2's optional data
	Surname        string
	GivenNames     string
}

// CheckDigit computes the ICAO 9303 check digit of s: digits count as themselves, A–Z as 10–35
// and everything else (the filler '<') as 0, weighted 7, 3, 1 in turn, summed modulo 10.
func CheckDigit(s string) byte {
	weights := [3]int{7, 3, 1}
	sum := 0
	for i := 0; i < len(s); i++ {
		sum += value(s[i]) * weights[i%3]
	}
	return byte('0' + sum%10)
}

func value(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	}
	return 0
}

// Split splits a zone written on one line, as a report's mrz_strings property writes it
// ("line^line"), or across lines of text. Surrounding blanks and empty lines are dropped.
func Split(s string) []string {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == '^' || r == '\n' || r == '\r' })
	out := fields[:0]
	for _, f := range fields {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// Join writes lines as a report's mrz_strings property does: separated by '^'.
func Join(lines []string) string { return strings.Join(lines, "^") }
