package handlers

import (
	"strings"
	"unicode"

	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/views"
	"golang.org/x/text/cases"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// compareWithRecord compares the document with the customer record: names ignoring case and
// accents, the date of birth as a date, gender as its initial. Without a record there is nothing
// to compare.
func compareWithRecord(p hive.DocumentProperties, c *hive.Customer) []views.ComparisonRow {
	if c == nil {
		return nil
	}
	given := strings.TrimSpace(deref(c.FirstName) + " " + deref(c.MiddleName))
	rows := []views.ComparisonRow{
		compareRow("Surname", p.Surname, deref(c.LastName), sameName),
		compareRow("Given names", p.GivenNames, given, sameName),
		compareRow("Date of birth", documentDate(p.DateOfBirth), documentDate(deref(c.DOB)), sameText),
		compareRow("Gender", p.Gender, deref(c.Gender), sameGender),
	}
	return rows
}

func compareRow(field, doc, record string, same func(a, b string) bool) views.ComparisonRow {
	r := views.ComparisonRow{Field: field, Document: doc, Record: record, OnRecord: strings.TrimSpace(record) != ""}
	r.Match = !r.OnRecord || same(doc, record)
	return r
}

func sameText(a, b string) bool { return strings.TrimSpace(a) == strings.TrimSpace(b) }

func sameName(a, b string) bool {
	return strings.Join(strings.Fields(fold(a)), " ") == strings.Join(strings.Fields(fold(b)), " ")
}

func sameGender(doc, record string) bool {
	d, r := fold(doc), fold(record)
	return d != "" && r != "" && d[0] == r[0]
}

// fold puts a name in the form two spellings of it are compared in, so "Jõgi" and "JOGI", or
// "Straße" and "STRASSE", compare equal: case folded, accents dropped, letters with a stroke or
// bar read as their base letter, and dashes, apostrophes and '<' read as spaces, as a machine
// readable zone writes them.
//
// Case folding, not lower-casing, because it is Unicode's mapping for caseless comparison: it
// turns 'ß' and 'ẞ' into "ss" and the Greek final sigma into σ, which strings.ToLower leaves
// alone. Accents are the combining marks that canonical decomposition splits off.
func fold(s string) string {
	// A chain holds buffers, so it is built per call: one shared by concurrent requests would race.
	t := transform.Chain(cases.Fold(), norm.NFD, runes.Remove(runes.In(unicode.Mn)), runes.Map(plainRune), norm.NFC)
	// None of these transformers fails, whatever the input: invalid UTF-8 comes out as U+FFFD.
	out, _, _ := transform.String(t, s)
	return out
}

// plainRune reads separators in a name as spaces and a letter in strokeLetters as its base letter.
func plainRune(r rune) rune {
	switch {
	case r == '\'' || r == '’' || r == 'ʼ' || r == '<' || unicode.Is(unicode.Pd, r):
		return ' '
	case strokeLetters[r] != 0:
		return strokeLetters[r]
	}
	return r
}

// strokeLetters are the case-folded letters whose stroke, bar or missing dot is part of the letter
// itself, so canonical decomposition leaves them whole; a document written in plain Latin letters
// prints them as the base letter. Only the ones European names use are listed.
var strokeLetters = map[rune]rune{
	'đ': 'd', 'ð': 'd', 'ħ': 'h', 'ı': 'i', 'ł': 'l', 'ŀ': 'l', 'ø': 'o', 'ŧ': 't',
}
