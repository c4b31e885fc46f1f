package sandbox

import (
	"strings"
	"time"
	"unicode"

	"github.com/hiveconsole/hiveconsole/mrz"
)

// MRZDate formats a date as the YYMMDD of a machine readable zone; the zero time gives "".
func MRZDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("060102")
}

// zoneTD3 builds the two 44-character lines of a passport's machine readable zone. Text in f may be
// in any case and carry accents: it is transliterated and padded. An empty date is written as
// fillers, as ICAO 9303 does for an unknown date.
func zoneTD3(f mrz.Fields) []string {
	code := mrzField(f.DocumentCode, 2)
	line1 := code + mrzState(f.IssuingState) + mrzName(f.Surname, f.GivenNames, 39)

	number := mrzField(f.DocumentNumber, 9)
	dob, expiry := mrzField(f.DateOfBirth, 6), mrzField(f.DateOfExpiry, 6)
	personal := mrzField(f.OptionalData, 14)
	upper := number + string(mrz.CheckDigit(number)) + mrzState(f.Nationality)
	middle := dob + string(mrz.CheckDigit(dob)) + mrzSex(f.Sex)
	lower := expiry + string(mrz.CheckDigit(expiry)) + personal + string(optionalCheckDigit(personal))
	composite := mrz.CheckDigit(upper[:10] + middle[:7] + lower)
	return []string{line1, upper + middle + lower + string(composite)}
}

// zoneTD1 builds the three 30-character lines of an identity card's machine readable zone, from f
// as zoneTD3 takes it. A document number longer than nine characters overflows into the optional
// data, as ICAO 9303 prescribes: the check digit position holds a filler and the rest of the
// number, then its check digit, lead the optional data.
func zoneTD1(f mrz.Fields) []string {
	number, optional := td1Number(f.DocumentNumber, f.OptionalData)
	line1 := mrzField(f.DocumentCode, 2) + mrzState(f.IssuingState) + number + mrzPad(optional, 15)

	dob, expiry := mrzField(f.DateOfBirth, 6), mrzField(f.DateOfExpiry, 6)
	line2 := dob + string(mrz.CheckDigit(dob)) + mrzSex(f.Sex) +
		expiry + string(mrz.CheckDigit(expiry)) + mrzState(f.Nationality) + mrzField(f.OptionalData2, 11)
	line2 += string(mrz.CheckDigit(line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29]))
	return []string{line1, line2, mrzName(f.Surname, f.GivenNames, 30)}
}

// td1Number returns the 10 characters of the number and its check digit, and the encoded optional
// data with any overflow of the number in front.
func td1Number(raw, optional string) (string, string) {
	number := mrzText(raw)
	if len(number) <= 9 {
		f := mrzPad(number, 9)
		return f + string(mrz.CheckDigit(f)), mrzText(optional)
	}
	overflow := number[9:] + string(mrz.CheckDigit(number))
	return number[:9] + string(mrz.Filler), overflow + string(mrz.Filler) + mrzText(optional)
}

// optionalCheckDigit is the TD3 personal number's check digit, which ICAO 9303 lets be a filler when
// the field is empty.
func optionalCheckDigit(field string) byte {
	if strings.Trim(field, string(mrz.Filler)) == "" {
		return mrz.Filler
	}
	return mrz.CheckDigit(field)
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
	return string(mrz.Filler)
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
	return t + strings.Repeat(string(mrz.Filler), width-len(t))
}

// mrzText transliterates s and writes spaces as fillers.
func mrzText(s string) string {
	return strings.ReplaceAll(Transliterate(s), " ", string(mrz.Filler))
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
			g = strings.TrimRight(g[:room], string(mrz.Filler))
		}
		name = s + "<<" + g
	case g != "":
		name = strings.TrimRight(s[:width-3], string(mrz.Filler)) + "<<" + g[:1]
	case len(s) > width:
		name = strings.TrimRight(s[:width], string(mrz.Filler))
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
