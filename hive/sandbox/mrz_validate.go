package sandbox

import (
	"fmt"
	"strings"
)

// The fields a machine readable zone protects with a check digit, named as the report's properties
// name them. MRZFieldComposite is the final digit, over all the others.
const (
	MRZFieldDocumentNumber = "document_number"
	MRZFieldDateOfBirth    = "date_of_birth"
	MRZFieldDateOfExpiry   = "date_of_expiry"
	MRZFieldPersonalNumber = "personal_number"
	MRZFieldComposite      = "composite"
)

// MRZValidation is what ValidateMRZ read from a machine readable zone.
type MRZValidation struct {
	// Format is the layout recognised from the line count and lengths; "" when none matched.
	Format MRZFormat
	// Problems are reasons the lines are malformed: wrong sizes, characters outside 0–9, A–Z and '<'.
	Problems []string
	// Data is the zone decoded: fillers trimmed, names split at "<<", dates left as YYMMDD.
	Data MRZData
	// Checks are the zone's check digits in the order they are printed, the composite last.
	Checks []MRZCheck
}

// MRZCheck is one check digit: what it protects, the digit printed and the one computed.
type MRZCheck struct {
	Field    string // one of the MRZField constants
	Data     string // the characters the digit covers, as printed
	Printed  byte
	Computed byte
}

// OK reports whether the printed digit is the computed one. An empty optional field's digit may be
// printed as a filler, which counts as 0.
func (c MRZCheck) OK() bool {
	if c.Printed == mrzFiller {
		return c.Computed == '0'
	}
	return c.Printed == c.Computed
}

// Valid reports whether the zone is well formed and every check digit is correct.
func (v MRZValidation) Valid() bool {
	if v.Format == "" || len(v.Problems) > 0 {
		return false
	}
	for _, c := range v.Checks {
		if !c.OK() {
			return false
		}
	}
	return true
}

// Check returns the check of field, if the zone has one.
func (v MRZValidation) Check(field string) (MRZCheck, bool) {
	for _, c := range v.Checks {
		if c.Field == field {
			return c, true
		}
	}
	return MRZCheck{}, false
}

// SplitMRZ splits a zone written on one line, as the report's mrz_strings property writes it
// ("line^line"), or across lines of text. Surrounding blanks and empty lines are dropped.
func SplitMRZ(s string) []string {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == '^' || r == '\n' || r == '\r' })
	out := fields[:0]
	for _, f := range fields {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// JoinMRZ writes lines as the report's mrz_strings property does: separated by '^'.
func JoinMRZ(lines []string) string { return strings.Join(lines, "^") }

// ValidateMRZ reads a TD1, TD2 or TD3 machine readable zone and recomputes every check digit.
// Blanks around each line are ignored; anything else out of place is reported in Problems.
func ValidateMRZ(lines []string) MRZValidation {
	trimmed := make([]string, len(lines))
	for i, l := range lines {
		trimmed[i] = strings.TrimSpace(l)
	}
	v := MRZValidation{Format: mrzFormatOf(trimmed)}
	if v.Format == "" {
		v.Problems = []string{fmt.Sprintf("want 3 lines of 30 characters (TD1), 2 of 36 (TD2) "+
			"or 2 of 44 (TD3), got %d line(s) of %v characters", len(trimmed), lineLengths(trimmed))}
		return v
	}
	v.Problems = mrzCharacterProblems(trimmed)
	switch v.Format {
	case TD1:
		v.Data, v.Checks = readTD1(trimmed)
	case TD2:
		v.Data, v.Checks = readTD2or3(trimmed, 31, 7)
	case TD3:
		v.Data, v.Checks = readTD2or3(trimmed, 39, 14)
	}
	return v
}

func mrzFormatOf(lines []string) MRZFormat {
	sizes := lineLengths(lines)
	switch {
	case len(sizes) == 3 && sizes[0] == 30 && sizes[1] == 30 && sizes[2] == 30:
		return TD1
	case len(sizes) == 2 && sizes[0] == 36 && sizes[1] == 36:
		return TD2
	case len(sizes) == 2 && sizes[0] == 44 && sizes[1] == 44:
		return TD3
	}
	return ""
}

func lineLengths(lines []string) []int {
	n := make([]int, len(lines))
	for i, l := range lines {
		n[i] = len(l)
	}
	return n
}

func mrzCharacterProblems(lines []string) []string {
	var problems []string
	for i, l := range lines {
		for j := 0; j < len(l); j++ {
			if c := l[j]; !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c == mrzFiller) {
				problems = append(problems, fmt.Sprintf("line %d, position %d: %q is not an MRZ character",
					i+1, j+1, c))
			}
		}
	}
	return problems
}

// readTD1 decodes an identity card's zone. A number too long for its nine places continues in the
// optional data, its check digit position then holding a filler.
func readTD1(l []string) (MRZData, []MRZCheck) {
	d := MRZData{
		DocumentCode:   unfill(l[0][0:2]),
		IssuingState:   unfill(l[0][2:5]),
		DocumentNumber: unfill(l[0][5:14]),
		OptionalData:   unfill(l[0][15:30]),
		DateOfBirth:    unfill(l[1][0:6]),
		Sex:            unfill(l[1][7:8]),
		DateOfExpiry:   unfill(l[1][8:14]),
		Nationality:    unfill(l[1][15:18]),
		OptionalData2:  unfill(l[1][18:29]),
	}
	d.Surname, d.GivenNames = splitMRZName(l[2])
	number := digitCheck(MRZFieldDocumentNumber, l[0][5:14], l[0][14])
	if l[0][14] == mrzFiller {
		rest, optional, _ := strings.Cut(l[0][15:30], string(mrzFiller))
		if len(rest) > 0 {
			d.DocumentNumber += rest[:len(rest)-1]
			d.OptionalData = unfill(optional)
			number = digitCheck(MRZFieldDocumentNumber, d.DocumentNumber, rest[len(rest)-1])
		}
	}
	return d, []MRZCheck{
		number,
		digitCheck(MRZFieldDateOfBirth, l[1][0:6], l[1][6]),
		digitCheck(MRZFieldDateOfExpiry, l[1][8:14], l[1][14]),
		digitCheck(MRZFieldComposite, l[0][5:30]+l[1][0:7]+l[1][8:15]+l[1][18:29], l[1][29]),
	}
}

// readTD2or3 decodes the two-line layouts, which differ only in the width of the name and of the
// optional data; TD3's optional data is the personal number and has its own check digit.
func readTD2or3(l []string, nameWidth, optionalWidth int) (MRZData, []MRZCheck) {
	top, bottom := l[0], l[1]
	optEnd := 28 + optionalWidth
	d := MRZData{
		DocumentCode:   unfill(top[0:2]),
		IssuingState:   unfill(top[2:5]),
		DocumentNumber: unfill(bottom[0:9]),
		Nationality:    unfill(bottom[10:13]),
		DateOfBirth:    unfill(bottom[13:19]),
		Sex:            unfill(bottom[20:21]),
		DateOfExpiry:   unfill(bottom[21:27]),
		OptionalData:   unfill(bottom[28:optEnd]),
	}
	d.Surname, d.GivenNames = splitMRZName(top[5 : 5+nameWidth])
	checks := []MRZCheck{
		digitCheck(MRZFieldDocumentNumber, bottom[0:9], bottom[9]),
		digitCheck(MRZFieldDateOfBirth, bottom[13:19], bottom[19]),
		digitCheck(MRZFieldDateOfExpiry, bottom[21:27], bottom[27]),
	}
	compositeEnd := optEnd
	if optionalWidth == 14 {
		checks = append(checks, digitCheck(MRZFieldPersonalNumber, bottom[28:optEnd], bottom[optEnd]))
		compositeEnd++
	}
	composite := bottom[0:10] + bottom[13:20] + bottom[21:compositeEnd]
	return d, append(checks, digitCheck(MRZFieldComposite, composite, bottom[compositeEnd]))
}

func digitCheck(field, data string, printed byte) MRZCheck {
	return MRZCheck{Field: field, Data: data, Printed: printed, Computed: MRZCheckDigit(data)}
}

// splitMRZName splits "SURNAME<<GIVEN<NAMES<<<" into "SURNAME" and "GIVEN NAMES".
func splitMRZName(field string) (surname, given string) {
	s, g, _ := strings.Cut(strings.TrimRight(field, string(mrzFiller)), "<<")
	return unfill(s), unfill(g)
}

// unfill trims a field's padding and reads the fillers inside it as spaces.
func unfill(s string) string {
	return strings.ReplaceAll(strings.Trim(s, string(mrzFiller)), string(mrzFiller), " ")
}
