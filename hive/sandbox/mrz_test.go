package sandbox

import (
	"slices"
	"strings"
	"testing"
	"time"
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

func TestMRZCheckDigit(t *testing.T) {
	tests := []struct {
		in   string
		want byte
	}{
		{"L898902C3", '6'},
		{"740812", '2'},
		{"120415", '9'},
		{"ZE184226B<<<<<", '1'},
		{"D23145890", '7'},
		{"AS1234567", '2'},
		{"520727", '3'},
		{"", '0'},
		{"<<<<<<", '0'},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := MRZCheckDigit(tt.in); got != tt.want {
				t.Errorf("MRZCheckDigit(%q): got %c, want %c", tt.in, got, tt.want)
			}
		})
	}
}

func TestMRZBuild(t *testing.T) {
	anna := MRZData{
		DocumentCode: "P", IssuingState: "UTO", DocumentNumber: "L898902C3", DateOfBirth: "740812",
		Sex: "F", DateOfExpiry: "120415", Nationality: "UTO", OptionalData: "ZE184226B",
		Surname: "Eriksson", GivenNames: "Anna María",
	}
	annaCard := anna
	annaCard.DocumentCode, annaCard.DocumentNumber, annaCard.OptionalData = "I", "D23145890", ""
	long := MRZData{
		DocumentCode: "I", IssuingState: "UTO", DocumentNumber: "D23145890734", DateOfBirth: "740812",
		Sex: "F", DateOfExpiry: "120415", Nationality: "UTO", OptionalData: "X",
		Surname: "Eriksson", GivenNames: "Anna",
	}
	german := MRZData{
		DocumentCode: "ID", IssuingState: "DEU", DocumentNumber: "T22000129", DateOfBirth: "640812",
		Sex: "", DateOfExpiry: "320731", Nationality: "DEU", Surname: "Müller-Lüdenscheidt",
		GivenNames: "Jürgen Hans-Peter",
	}
	tests := []struct {
		name string
		got  []string
		want []string
	}{
		{"TD3 specimen", anna.TD3(), specimenTD3},
		{"TD1 specimen", annaCard.TD1(), specimenTD1},
		{"TD1 long document number", long.TD1(), []string{
			"I<UTOD23145890<7349<X<<<<<<<<<",
			"7408122F1204159UTO<<<<<<<<<<<7",
			"ERIKSSON<<ANNA<<<<<<<<<<<<<<<<",
		}},
		{"Germany is D, names transliterated and cut", german.TD1(), []string{
			"IDD<<T220001293<<<<<<<<<<<<<<<",
			"6408125<3207316D<<<<<<<<<<<<<4",
			"MUELLER<LUEDENSCHEIDT<<JUERGEN",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !slices.Equal(tt.got, tt.want) {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(tt.got, "\n"), strings.Join(tt.want, "\n"))
			}
			if v := ValidateMRZ(tt.got); !v.Valid() {
				t.Errorf("built zone: got invalid (%v, %+v), want valid", v.Problems, v.Checks)
			}
		})
	}
}

func TestMRZName(t *testing.T) {
	tests := []struct {
		surname, given string
		width          int
		want           string
	}{
		{"Eriksson", "Anna Maria", 30, "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"},
		{"O'Brien", "Seán", 20, "OBRIEN<<SEAN<<<<<<<<"},
		{"Wolfeschlegelsteinhausen", "Hubert Blaine", 30, "WOLFESCHLEGELSTEINHAUSEN<<HUBE"},
		{"Wolfeschlegelsteinhausenbergerdorff", "Hubert", 30, "WOLFESCHLEGELSTEINHAUSENBER<<H"},
		{"Van der Berg", "", 12, "VAN<DER<BERG"},
		{"Smith", "Anna Maria", 15, "SMITH<<ANNA<MAR"},
		{"Smith", "Anna Maria", 12, "SMITH<<ANNA<"},
	}
	for _, tt := range tests {
		t.Run(tt.surname, func(t *testing.T) {
			if got := mrzName(tt.surname, tt.given, tt.width); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTransliterate(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Jõeorg", "JOEORG"},
		{"Müller", "MUELLER"},
		{"Åsa Öberg", "AASA OEBERG"},
		{"Łukasz Wójcik", "LUKASZ WOJCIK"},
		{"Çağrı Şahin", "CAGRI SAHIN"},
		{"Jean-Luc", "JEAN LUC"},
		{"O'Connor", "OCONNOR"},
		{"  Strauß  ", "STRAUSS"},
		{"Dvořák", "DVORAK"},
		{"Ольга", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Transliterate(tt.in); got != tt.want {
				t.Errorf("Transliterate(%q): got %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMRZDate(t *testing.T) {
	if got := MRZDate(time.Date(1974, 8, 12, 0, 0, 0, 0, time.UTC)); got != "740812" {
		t.Errorf("got %q, want %q", got, "740812")
	}
	if got := MRZDate(time.Time{}); got != "" {
		t.Errorf("zero time: got %q, want empty", got)
	}
}

// flip replaces the digit at line, pos with the next one, as a misprint would.
func flip(lines []string, line, pos int) []string {
	out := slices.Clone(lines)
	b := []byte(out[line])
	b[pos] = '0' + (b[pos]-'0'+1)%10
	out[line] = string(b)
	return out
}

func TestValidateMRZ(t *testing.T) {
	// The reference's example prints the document number's check digit as 1 (2 is right). Its
	// "corrected" zone fixes that digit but not the composite, which must then be 1, not 3.
	const refPrinted = "IDESTAS1234567138001085718<<<<^8001081M2001023EST<<<<<<<<<<<3^JOEORG<<JAAK<KRISTJAN<<<<<<<<<"
	const refCorrected = "IDESTAS1234567238001085718<<<<^8001081M2001023EST<<<<<<<<<<<3^JOEORG<<JAAK<KRISTJAN<<<<<<<<<"
	tests := []struct {
		name       string
		lines      []string
		format     MRZFormat
		wantFailed []string // fields whose check digit is wrong
	}{
		{"TD3 specimen", specimenTD3, TD3, nil},
		{"TD1 specimen", specimenTD1, TD1, nil},
		{"TD3 document number digit", flip(specimenTD3, 1, 9), TD3, []string{MRZFieldDocumentNumber, MRZFieldComposite}},
		{"TD3 birth date digit", flip(specimenTD3, 1, 19), TD3, []string{MRZFieldDateOfBirth, MRZFieldComposite}},
		{"TD3 expiry digit", flip(specimenTD3, 1, 27), TD3, []string{MRZFieldDateOfExpiry, MRZFieldComposite}},
		{"TD3 personal number digit", flip(specimenTD3, 1, 42), TD3, []string{MRZFieldPersonalNumber, MRZFieldComposite}},
		{"TD3 composite", flip(specimenTD3, 1, 43), TD3, []string{MRZFieldComposite}},
		{"TD3 data under a digit", flip(specimenTD3, 1, 15), TD3, []string{MRZFieldDateOfBirth, MRZFieldComposite}},
		{"TD1 document number digit", flip(specimenTD1, 0, 14), TD1, []string{MRZFieldDocumentNumber, MRZFieldComposite}},
		{"TD1 expiry digit", flip(specimenTD1, 1, 14), TD1, []string{MRZFieldDateOfExpiry, MRZFieldComposite}},
		{"TD1 composite", flip(specimenTD1, 1, 29), TD1, []string{MRZFieldComposite}},
		{"reference example as printed", SplitMRZ(refPrinted), TD1, []string{MRZFieldDocumentNumber, MRZFieldComposite}},
		{"reference example corrected", SplitMRZ(refCorrected), TD1, []string{MRZFieldComposite}},
		{"TD2", []string{
			"I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
			"D231458907UTO7408122F1204159<<<<<<<6",
		}, TD2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := ValidateMRZ(tt.lines)
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

func TestValidateMRZDecodes(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  MRZData
	}{
		{"TD3", specimenTD3, MRZData{
			DocumentCode: "P", IssuingState: "UTO", DocumentNumber: "L898902C3", DateOfBirth: "740812",
			Sex: "F", DateOfExpiry: "120415", Nationality: "UTO", OptionalData: "ZE184226B",
			Surname: "ERIKSSON", GivenNames: "ANNA MARIA",
		}},
		{"TD1 long number", []string{
			"I<UTOD23145890<7349<X<<<<<<<<<",
			"7408122F1204159UTO<<<<<<<<<<<7",
			"ERIKSSON<<ANNA<<<<<<<<<<<<<<<<",
		}, MRZData{
			DocumentCode: "I", IssuingState: "UTO", DocumentNumber: "D23145890734", DateOfBirth: "740812",
			Sex: "F", DateOfExpiry: "120415", Nationality: "UTO", OptionalData: "X",
			Surname: "ERIKSSON", GivenNames: "ANNA",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ValidateMRZ(tt.lines).Data; got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestValidateMRZProblems(t *testing.T) {
	tests := []struct {
		name     string
		lines    []string
		format   MRZFormat
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
			v := ValidateMRZ(tt.lines)
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

func TestSplitMRZ(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"A^B^C", []string{"A", "B", "C"}},
		{"A\r\nB\n\n", []string{"A", "B"}},
		{" A ^ B ", []string{"A", "B"}},
		{"", nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := SplitMRZ(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
