package sandbox

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/mrz"
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

func TestZoneBuild(t *testing.T) {
	anna := mrz.Fields{
		DocumentCode: "P", IssuingState: "UTO", DocumentNumber: "L898902C3", DateOfBirth: "740812",
		Sex: "F", DateOfExpiry: "120415", Nationality: "UTO", OptionalData: "ZE184226B",
		Surname: "Eriksson", GivenNames: "Anna María",
	}
	annaCard := anna
	annaCard.DocumentCode, annaCard.DocumentNumber, annaCard.OptionalData = "I", "D23145890", ""
	long := mrz.Fields{
		DocumentCode: "I", IssuingState: "UTO", DocumentNumber: "D23145890734", DateOfBirth: "740812",
		Sex: "F", DateOfExpiry: "120415", Nationality: "UTO", OptionalData: "X",
		Surname: "Eriksson", GivenNames: "Anna",
	}
	german := mrz.Fields{
		DocumentCode: "ID", IssuingState: "DEU", DocumentNumber: "T22000129", DateOfBirth: "640812",
		Sex: "", DateOfExpiry: "320731", Nationality: "DEU", Surname: "Müller-Lüdenscheidt",
		GivenNames: "Jürgen Hans-Peter",
	}
	tests := []struct {
		name string
		got  []string
		want []string
	}{
		{"TD3 specimen", zoneTD3(anna), specimenTD3},
		{"TD1 specimen", zoneTD1(annaCard), specimenTD1},
		{"TD1 long document number", zoneTD1(long), []string{
			"I<UTOD23145890<7349<X<<<<<<<<<",
			"7408122F1204159UTO<<<<<<<<<<<7",
			"ERIKSSON<<ANNA<<<<<<<<<<<<<<<<",
		}},
		{"Germany is D, names transliterated and cut", zoneTD1(german), []string{
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
			if v := mrz.Validate(tt.got); !v.Valid() {
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
