package mrz

import (
	"fmt"
	"strings"
)

// The fields a machine readable zone protects with a check digit, named as a report's properties
// name them. FieldComposite is the final digit, over all the others.
const (
	FieldDocumentNumber = "document_number"
	FieldDateOfBirth    = "date_of_birth"
	FieldDateOfExpiry   = "date_of_expiry"
	FieldPersonalNumber = "personal_number"
	FieldComposite      = "composite"
)

// Validation is what Validate read from a machine readable zone.
type Validation struct {
	// Format is the layout recognised from the line count and lengths; "" when none matched.
	Format Format
	// Problems are reasons the lines are malformed: wrong sizes, characters outside 0–9, A–Z and '<'.
	Problems []string
	// Fields are the zone decoded: fillers trimmed, names split at "<<", dates left as YYMMDD.
	Fields Fields
	// Checks are the zone's check digits in the order they are printed, the composite last.
	Checks []Check
}

// Check is one check digit: what it protects, the digit printed and the one computed.
type Check struct {
	Field    string // one of the Field constants
	Data     string // the characters the digit covers, as printed
	Printed  byte
	Computed byte
}

// OK reports whether the printed digit is the computed one. An empty optional field's digit may be
// printed as a filler, which counts as 0.
func (c Check) OK() bool {
	if c.Printed == Filler {
		return c.Computed == '0'
	}
	return c.Printed == c.Computed
}

// Valid reports whether the zone is well formed and every check digit is correct.
func (v Validation) Valid() bool {
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
func (v Validation) Check(field string) (Check, bool) {
	for _, c := range v.Checks {
		if c.Field == field {
			return c, true
		}
	}
	return Check{}, false
}

// Validate reads a TD1, TD2 or TD3 machine readable zone and recomputes every check digit.
// Blanks around each line are ignored; anything else out of place is reported in Problems.
func Validate(lines []string) Validation {
	trimmed := make([]string, len(lines))
	for i, l := range lines {
		trimmed[i] = strings.TrimSpace(l)
	}
	v := Validation{Format: formatOf(trimmed)}
	if v.Format == "" {
		v.Problems = []string{fmt.Sprintf("want 3 lines of 30 characters (TD1), 2 of 36 (TD2) "+
			"or 2 of 44 (TD3), got %d line(s) of %v characters", len(trimmed), lineLengths(trimmed))}
		return v
	}
	v.Problems = characterProblems(trimmed)
	switch v.Format {
	case TD1:
		v.Fields, v.Checks = readTD1(trimmed)
	case TD2:
		v.Fields, v.Checks = readTD2or3(trimmed, 31, 7)
	case TD3:
		v.Fields, v.Checks = readTD2or3(trimmed, 39, 14)
	}
	return v
}

func formatOf(lines []string) Format {
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

func characterProblems(lines []string) []string {
	var problems []string
	for i, l := range lines {
		for j := 0; j < len(l); j++ {
			if c := l[j]; !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c == Filler) {
				problems = append(problems, fmt.Sprintf("line %d, position %d: %q is not an MRZ character",
					i+1, j+1, c))
			}
		}
	}
	return problems
}

// readTD1 decodes an identity card's zone. A number too long for its nine places continues in the
// optional data, its check digit position then holding a filler.
func readTD1(l []string) (Fields, []Check) {
	f := Fields{
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
	f.Surname, f.GivenNames = splitName(l[2])
	number := digitCheck(FieldDocumentNumber, l[0][5:14], l[0][14])
	if l[0][14] == Filler {
		rest, optional, _ := strings.Cut(l[0][15:30], string(Filler))
		if len(rest) > 0 {
			f.DocumentNumber += rest[:len(rest)-1]
			f.OptionalData = unfill(optional)
			number = digitCheck(FieldDocumentNumber, f.DocumentNumber, rest[len(rest)-1])
		}
	}
	return f, []Check{
		number,
		digitCheck(FieldDateOfBirth, l[1][0:6], l[1][6]),
		digitCheck(FieldDateOfExpiry, l[1][8:14], l[1][14]),
		digitCheck(FieldComposite, l[0][5:30]+l[1][0:7]+l[1][8:15]+l[1][18:29], l[1][29]),
	}
}

// readTD2or3 decodes the two-line layouts, which differ only in the width of the name and of the
// optional data; TD3's optional data is the personal number and has its own check digit.
func readTD2or3(l []string, nameWidth, optionalWidth int) (Fields, []Check) {
	top, bottom := l[0], l[1]
	optEnd := 28 + optionalWidth
	f := Fields{
		DocumentCode:   unfill(top[0:2]),
		IssuingState:   unfill(top[2:5]),
		DocumentNumber: unfill(bottom[0:9]),
		Nationality:    unfill(bottom[10:13]),
		DateOfBirth:    unfill(bottom[13:19]),
		Sex:            unfill(bottom[20:21]),
		DateOfExpiry:   unfill(bottom[21:27]),
		OptionalData:   unfill(bottom[28:optEnd]),
	}
	f.Surname, f.GivenNames = splitName(top[5 : 5+nameWidth])
	checks := []Check{
		digitCheck(FieldDocumentNumber, bottom[0:9], bottom[9]),
		digitCheck(FieldDateOfBirth, bottom[13:19], bottom[19]),
		digitCheck(FieldDateOfExpiry, bottom[21:27], bottom[27]),
	}
	compositeEnd := optEnd
	if optionalWidth == 14 {
		checks = append(checks, digitCheck(FieldPersonalNumber, bottom[28:optEnd], bottom[optEnd]))
		compositeEnd++
	}
	composite := bottom[0:10] + bottom[13:20] + bottom[21:compositeEnd]
	return f, append(checks, digitCheck(FieldComposite, composite, bottom[compositeEnd]))
}

func digitCheck(field, data string, printed byte) Check {
	return Check{Field: field, Data: data, Printed: printed, Computed: CheckDigit(data)}
}

// splitName splits "SURNAME<<GIVEN<NAMES<<<" into "SURNAME" and "GIVEN NAMES".
func splitName(field string) (surname, given string) {
	s, g, _ := strings.Cut(strings.TrimRight(field, string(Filler)), "<<")
	return unfill(s), unfill(g)
}

// unfill trims a field's padding and reads the fillers inside it as spaces.
func unfill(s string) string {
	return strings.ReplaceAll(strings.Trim(s, string(Filler)), string(Filler), " ")
}
