// Package fold puts text in the form two spellings of it are compared and searched in, so that
// "Jõgi" matches "JOGI" and "Straße" matches "STRASSE".
package fold

import (
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// String puts a name in the form two spellings of it are compared in, so "Jõgi" and "JOGI", or
// "Straße" and "STRASSE", compare equal: case folded, accents dropped, letters with a stroke or
// bar read as their base letter, and dashes, apostrophes and '<' read as spaces, as a machine
// readable zone writes them.
//
// Case folding, not lower-casing, because it is Unicode's mapping for caseless comparison: it
// turns 'ß' and 'ẞ' into "ss" and the Greek final sigma into σ, which strings.ToLower leaves
// alone. Accents are the combining marks that canonical decomposition splits off.
func String(s string) string {
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
