package mrz

import (
	"slices"
	"strings"
	"testing"
)

// The ICAO 9303 specimens (Part 4 Appendix A for TD3, Part 5 Appendix A for TD1).
var (
	specimenTD3 = []string{
		"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
		"L898902C36UTO7408122F1204159ZE184226B<<<<<10",
	}
	specimenTD1 = []string{
		"I<UTOD231458907<<<<<<<<<<<<<<<",
		"7408122F1204159UTO<<<<<<<<<<<6",
		"ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
	}
)

// flip replaces the digit at line, pos with the next one, as a misprint would.
func flip(lines []string, line, pos int) []string {
	out := slices.Clone(lines)
	b := []byte(out[line])
	b[pos] = '0' + (b[pos]-'0'+1)%10
	out[line] = string(b)
	return out
}

func TestValidate(t *testing.T) {
	// The example report Hive publishes prints the document number's check digit as 1 (2 is
	// right). Its "corrected" zone fixes that digit but not the composite, which must then be 1,
	// not 3.
	const hivePrinted = "IDESTAS1234567138001085718<<<<^8001081M2001023EST<<<<<<<<<<<3^JOEORG<<JAAK<KRISTJAN<<<<<<<<<"
	const hiveCorrected = "IDESTAS1234567238001085718<<<<^8001081M2001023EST<<<<<<<<<<<3^JOEORG<<JAAK<KRISTJAN<<<<<<<<<"
	tests := []struct {
		name       string
		lines      []string
		format     Format
		wantFailed []string // fields whose check digit is wrong
	}{
		{"TD3 specimen", specimenTD3, TD3, nil},
		{"TD1 specimen", specimenTD1, TD1, nil},
		{"TD3 document number digit", flip(specimenTD3, 1, 9), TD3, []string{FieldDocumentNumber, FieldComposite}},
		{"TD3 birth date digit", flip(specimenTD3, 1, 19), TD3, []string{FieldDateOfBirth, FieldComposite}},
		{"TD3 expiry digit", flip(specimenTD3, 1, 27), TD3, []string{FieldDateOfExpiry, FieldComposite}},
		{"TD3 personal number digit", flip(specimenTD3, 1, 42), TD3, []string{FieldPersonalNumber, FieldComposite}},
		{"TD3 composite", flip(specimenTD3, 1, 43), TD3, []string{FieldComposite}},
		{"TD3 data under a digit", flip(specimenTD3, 1, 15), TD3, []string{FieldDateOfBirth, FieldComposite}},
		{"TD1 document number digit", flip(specimenTD1, 0, 14), TD1, []string{FieldDocumentNumber, FieldComposite}},
		{"TD1 expiry digit", flip(specimenTD1, 1, 14), TD1, []string{FieldDateOfExpiry, FieldComposite}},
		{"TD1 composite", flip(specimenTD1, 1, 29), TD1, []string{FieldComposite}},
		{"Hive's example as printed", Split(hivePrinted), TD1, []string{FieldDocumentNumber, FieldComposite}},
		{"Hive's example corrected", Split(hiveCorrected), TD1, []string{FieldComposite}},
		{"TD2", []string{
			"I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
			"D231458907UTO7408122F1204159<<<<<<<6",
		}, TD2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Validate(tt.lines)
			if v.Format != tt.format {
				t.Fatalf("format: got %q, want %q", v.Format, tt.format)
			}
			var failed []string
			for _, c := range v.Checks {
				if !c.OK() {
					failed = append(failed, c.Field)
				}
			}
			if !slices.Equal(failed, tt.wantFailed) {
				t.Errorf("failed checks: got %v, want %v", failed, tt.wantFailed)
			}
			if got, want := v.Valid(), len(tt.wantFailed) == 0; got != want {
				t.Errorf("Valid: got %v, want %v", got, want)
			}
		})
	}
}

func TestValidateDecodes(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  Fields
	}{
		{"TD3", specimenTD3, Fields{
			DocumentCode: "P", IssuingState: "UTO", DocumentNumber: "L898902C3", DateOfBirth: "740812",
			Sex: "F", DateOfExpiry: "120415", Nationality: "UTO", OptionalData: "ZE184226B",
			Surname: "ERIKSSON", GivenNames: "ANNA MARIA",
		}},
		{"TD1 long number", []string{
			"I<UTOD23145890<7349<X<<<<<<<<<",
			"7408122F1204159UTO<<<<<<<<<<<7",
			"ERIKSSON<<ANNA<<<<<<<<<<<<<<<<",
		}, Fields{
			DocumentCode: "I", IssuingState: "UTO", DocumentNumber: "D23145890734", DateOfBirth: "740812",
			Sex: "F", DateOfExpiry: "120415", Nationality: "UTO", OptionalData: "X",
			Surname: "ERIKSSON", GivenNames: "ANNA",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Validate(tt.lines).Fields; got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestValidateProblems(t *testing.T) {
	tests := []struct {
		name     string
		lines    []string
		format   Format
		problems int
	}{
		{"no lines", nil, "", 1},
		{"short line", []string{specimenTD3[0], specimenTD3[1][:43]}, "", 1},
		{"blanks are trimmed", []string{" " + specimenTD3[0] + " ", specimenTD3[1] + "\r"}, TD3, 0},
		{"lower case", []string{strings.ToLower(specimenTD3[0][:5]) + specimenTD3[0][5:], specimenTD3[1]}, TD3, 4},
		{"a space inside", []string{specimenTD1[0], specimenTD1[1], "ERIKSSON  ANNA<MARIA<<<<<<<<<<"}, TD1, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Validate(tt.lines)
			if v.Format != tt.format {
				t.Errorf("format: got %q, want %q", v.Format, tt.format)
			}
			if len(v.Problems) != tt.problems {
				t.Errorf("problems: got %q, want %d of them", v.Problems, tt.problems)
			}
			if tt.problems > 0 && v.Valid() {
				t.Errorf("Valid: got true, want false")
			}
		})
	}
}

func TestCheckLooksUpAField(t *testing.T) {
	v := Validate(specimenTD3)
	c, ok := v.Check(FieldDateOfBirth)
	if !ok || c.Data != "740812" || c.Printed != '2' || !c.OK() {
		t.Errorf("date of birth: got %+v, %v; want the digit 2 over 740812, correct", c, ok)
	}
	if _, ok := Validate(specimenTD1).Check(FieldPersonalNumber); ok {
		t.Error("TD1 personal number: got a check, want none (an ID card has no such digit)")
	}
}
