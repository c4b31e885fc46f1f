// Package fold puts text in the form two spellings of it are compared and searched in, so that
// "Jõgi" matches "JOGI" and "Straße" matches "STRASSE".
package fold

import (
	"sync"
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
	if ascii(s) {
		// Plain ASCII, as most names and emails are: folding is lower-casing and reading the
		// separators as spaces, and costs a tenth of the full chain (the sync folds every customer).
		b := []byte(s)
		for i, c := range b {
			switch {
			case 'A' <= c && c <= 'Z':
				b[i] = c + 'a' - 'A'
			case c == '\'' || c == '-' || c == '<':
				b[i] = ' '
			}
		}
		return string(b)
	}
	// A chain holds buffers, so one is never shared by two callers at once: each takes one from the
	// pool (building it costs more than folding a name) and resets it.
	t := chains.Get().(transform.Transformer)
	defer chains.Put(t)
	t.Reset()
	// None of these transformers fails, whatever the input: invalid UTF-8 comes out as U+FFFD.
	out, _, _ := transform.String(t, s)
	return out
}

// chains are folding transformers ready for reuse.
var chains = sync.Pool{New: func() any {
	return transform.Chain(cases.Fold(), norm.NFD, runes.Remove(runes.In(unicode.Mn)), runes.Map(plainRune), norm.NFC)
}}

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

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
