package sandbox

import (
	"strings"
	"time"
	"unicode"
)

// MRZFormat is the layout of a machine readable zone, as ICAO 9303 names them.
type MRZFormat string

// The layouts: TD1 is the ID card (3 lines of 30), TD2 the older card (2 of 36, validated only) and
// TD3 the passport data page (2 of 44).
const (
	TD1 MRZFormat = "TD1"
	TD2 MRZFormat = "TD2"
	TD3 MRZFormat = "TD3"
)

// mrzFiller pads every field of a machine readable zone.
const mrzFiller = '<'

// MRZData is what a machine readable zone encodes. Text may be in any case and carry accents: the
// builders transliterate and pad it. Dates are YYMMDD (see MRZDate); an empty one is written as
// fillers, as ICAO 9303 does for an unknown date.
type MRZData struct {
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

// MRZDate formats a date as the YYMMDD of a machine readable zone; the zero time gives "".
func MRZDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("060102")
}

// MRZCheckDigit computes the ICAO 9303 check digit of s: digits count as themselves, A–Z as 10–35
// and everything else (the filler '<') as 0, weighted 7, 3, 1 in turn, summed modulo 10.
func MRZCheckDigit(s string) byte {
	weights := [3]int{7, 3, 1}
	sum := 0
	for i := 0; i < len(s); i++ {
		sum += mrzValue(s[i]) * weights[i%3]
	}
	return byte('0' + sum%10)
}

func mrzValue(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	}
	return 0
}

// TD3 builds the two 44-character lines of a passport's machine readable zone.
func (d MRZData) TD3() []string {
	code := mrzField(d.DocumentCode, 2)
	line1 := code + mrzState(d.IssuingState) + mrzName(d.Surname, d.GivenNames, 39)

	number := mrzField(d.DocumentNumber, 9)
	dob, expiry := mrzField(d.DateOfBirth, 6), mrzField(d.DateOfExpiry, 6)
	personal := mrzField(d.OptionalData, 14)
	upper := number + string(MRZCheckDigit(number)) + mrzState(d.Nationality)
	middle := dob + string(MRZCheckDigit(dob)) + mrzSex(d.Sex)
	lower := expiry + string(MRZCheckDigit(expiry)) + personal + string(optionalCheckDigit(personal))
	composite := MRZCheckDigit(upper[:10] + middle[:7] + lower)
	return []string{line1, upper + middle + lower + string(composite)}
}

// TD1 builds the three 30-character lines of an identity card's machine readable zone. A document
// number longer than nine characters overflows into the optional data, as ICAO 9303 prescribes:
// the check digit position holds a filler and the rest of the number, then its check digit, lead
// the optional data.
func (d MRZData) TD1() []string {
	number, optional := td1Number(d.DocumentNumber, d.OptionalData)
	line1 := mrzField(d.DocumentCode, 2) + mrzState(d.IssuingState) + number + mrzPad(optional, 15)

	dob, expiry := mrzField(d.DateOfBirth, 6), mrzField(d.DateOfExpiry, 6)
	line2 := dob + string(MRZCheckDigit(dob)) + mrzSex(d.Sex) +
		expiry + string(MRZCheckDigit(expiry)) + mrzState(d.Nationality) + mrzField(d.OptionalData2, 11)
	line2 += string(MRZCheckDigit(line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29]))
	return []string{line1, line2, mrzName(d.Surname, d.GivenNames, 30)}
}

// td1Number returns the 10 characters of the number and its check digit, and the encoded optional
// data with any overflow of the number in front.
func td1Number(raw, optional string) (string, string) {
	number := mrzText(raw)
	if len(number) <= 9 {
		f := mrzPad(number, 9)
		return f + string(MRZCheckDigit(f)), mrzText(optional)
	}
	overflow := number[9:] + string(MRZCheckDigit(number))
	return number[:9] + string(mrzFiller), overflow + string(mrzFiller) + mrzText(optional)
}

// optionalCheckDigit is the TD3 personal number's check digit, which ICAO 9303 lets be a filler when
// the field is empty.
func optionalCheckDigit(field string) byte {
	if strings.Trim(field, string(mrzFiller)) == "" {
		return mrzFiller
	}
	return MRZCheckDigit(field)
}

// mrzState writes an ICAO state code in three characters. Germany is the one state whose code is
// not its alpha-3: its documents say "D".
func mrzState(code string) string {
	if strings.EqualFold(code, "DEU") {
		code = "D"
	}
	return mrzField(code, 3)
}

func mrzSex(s string) string {
	switch strings.ToUpper(s) {
	case "M", "MALE":
		return "M"
	case "F", "FEMALE":
		return "F"
	}
	return string(mrzFiller)
}

// mrzField transliterates s, drops what the MRZ alphabet lacks and pads or cuts it to width.
func mrzField(s string, width int) string {
	return mrzPad(mrzText(s), width)
}

// mrzPad pads or cuts text that is already in the MRZ alphabet to width.
func mrzPad(t string, width int) string {
	if len(t) > width {
		return t[:width]
	}
	return t + strings.Repeat(string(mrzFiller), width-len(t))
}

// mrzText transliterates s and writes spaces as fillers.
func mrzText(s string) string {
	return strings.ReplaceAll(Transliterate(s), " ", string(mrzFiller))
}

// mrzName writes "SURNAME<<GIVEN<NAMES" in width characters. When it does not fit, ICAO 9303
// truncates the given names first, keeping at least their initial, and only then the surname; a
// truncated field never ends with a filler, so a reader can tell it was cut.
func mrzName(surname, given string, width int) string {
	s, g := mrzText(surname), mrzText(given)
	name := s
	switch {
	case g != "" && len(s)+3 <= width:
		room := width - len(s) - 2
		if len(g) > room {
			g = strings.TrimRight(g[:room], string(mrzFiller))
		}
		name = s + "<<" + g
	case g != "":
		name = strings.TrimRight(s[:width-3], string(mrzFiller)) + "<<" + g[:1]
	case len(s) > width:
		name = strings.TrimRight(s[:width], string(mrzFiller))
	}
	return mrzPad(name, width)
}

// Transliterate writes text in the Latin capitals A–Z (and digits 0–9) that documents' data pages
// and machine readable zones use, following the ICAO 9303 table: Ä→AE, Ö→OE, Ü→UE, Å→AA, ß→SS, Þ→TH
// and most other accented letters lose their accent. Hyphens and spaces become single spaces;
// apostrophes and letters the table lacks are dropped.
func Transliterate(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		r = unicode.ToUpper(r)
		var out string
		switch {
		case r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			out = string(r)
		case r == ' ' || r == '-' || r == '<' || r == '\t':
			space = b.Len() > 0
			continue
		default:
			out = transliteration[r]
		}
		if out == "" {
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteString(out)
	}
	return b.String()
}

// transliteration is the ICAO 9303 Part 3 table for the Latin letters our names use, upper case.
var transliteration = map[rune]string{
	'Ä': "AE", 'Å': "AA", 'Æ': "AE", 'Ö': "OE", 'Ø': "OE", 'Ü': "UE", 'ẞ': "SS", 'ß': "SS",
	'Þ': "TH", 'Œ': "OE", 'Ĳ': "IJ", 'Ð': "D", 'Đ': "D", 'Ł': "L", 'Ħ': "H", 'ı': "I", 'İ': "I",
	'À': "A", 'Á': "A", 'Â': "A", 'Ã': "A", 'Ā': "A", 'Ă': "A", 'Ą': "A",
	'Ç': "C", 'Ć': "C", 'Ĉ': "C", 'Ċ': "C", 'Č': "C", 'Ď': "D",
	'È': "E", 'É': "E", 'Ê': "E", 'Ë': "E", 'Ē': "E", 'Ĕ': "E", 'Ė': "E", 'Ę': "E", 'Ě': "E",
	'Ĝ': "G", 'Ğ': "G", 'Ġ': "G", 'Ģ': "G", 'Ĥ': "H",
	'Ì': "I", 'Í': "I", 'Î': "I", 'Ï': "I", 'Ĩ': "I", 'Ī': "I", 'Ĭ': "I", 'Į': "I",
	'Ĵ': "J", 'Ķ': "K", 'Ĺ': "L", 'Ļ': "L", 'Ľ': "L", 'Ŀ': "L",
	'Ñ': "N", 'Ń': "N", 'Ņ': "N", 'Ň': "N",
	'Ò': "O", 'Ó': "O", 'Ô': "O", 'Õ': "O", 'Ō': "O", 'Ŏ': "O", 'Ő': "O",
	'Ŕ': "R", 'Ŗ': "R", 'Ř': "R", 'Ś': "S", 'Ŝ': "S", 'Ş': "S", 'Š': "S", 'Ș': "S",
	'Ţ': "T", 'Ť': "T", 'Ŧ': "T", 'Ț': "T",
	'Ù': "U", 'Ú': "U", 'Û': "U", 'Ũ': "U", 'Ū': "U", 'Ŭ': "U", 'Ů': "U", 'Ű': "U", 'Ų': "U",
	'Ŵ': "W", 'Ý': "Y", 'Ÿ': "Y", 'Ŷ': "Y", 'Ź': "Z", 'Ż': "Z", 'Ž': "Z",
}
