package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxDetails is the most bytes of JSON one event's Details may take once cleaned; Record refuses
// more. Callers that build large details budget them to fit (DetailsSize measures them).
const MaxDetails = 8192

// unsafeAuditRune reports whether r may not be stored in the trail: every C0 and C1 control character
// and DEL, which a terminal would act on, and the invisible characters that reorder or break the text
// around them (bidi marks, embeddings, overrides and isolates; line and paragraph separators), which
// would make a row read differently from what it holds.
func unsafeAuditRune(r rune) bool {
	switch {
	case unicode.IsControl(r): // C0, DEL and C1, tab and newline included
		return true
	case r == '\u061C', r == '\u200E', r == '\u200F': // Arabic letter mark, left-to-right and right-to-left marks
		return true
	case r >= '\u202A' && r <= '\u202E': // embeddings and overrides
		return true
	case r >= '\u2066' && r <= '\u2069': // isolates
		return true
	case r == '\u2028', r == '\u2029': // line and paragraph separators
		return true
	}
	return false
}

// cleanAuditText is the one cleaning every free-text value gets before it enters the trail (and
// before it is hashed): the top-level text fields and every string inside Details, keys included.
// A value in the trail is one line, so line breaks and tabs (\t \n \v \f \r, U+0085, U+2028, U+2029)
// become a space and a multi-line note still reads; every other unsafe character (unsafeAuditRune)
// and each byte of invalid UTF-8, which PostgreSQL would refuse, becomes U+FFFD, so that it is seen
// that something was there.
func cleanAuditText(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case !unsafeAuditRune(r):
			return r // an invalid byte arrives as utf8.RuneError, which is written as U+FFFD
		case unicode.IsSpace(r):
			return ' '
		}
		return utf8.RuneError
	}, s)
}

// auditText cleans s and cuts it to maxAuditText runes, for the top-level text fields.
func auditText(s string) string {
	s = cleanAuditText(s)
	if utf8.RuneCountInString(s) <= maxAuditText {
		return s
	}
	runes := []rune(s)
	return string(runes[:maxAuditText-1]) + "…"
}

// auditDetailsJSON is d as the trail stores it: compact JSON with sorted keys, every string cleaned by
// cleanAuditText, and <, > and & left as they are (JSON in the trail is never embedded in HTML
// unescaped, and escaping them would multiply their size by six). d is encoded once and decoded, so
// that strings inside any type (a map[string]string, a struct) are cleaned alike; numbers keep their
// exact text.
func auditDetailsJSON(d map[string]any) ([]byte, error) {
	raw, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(cleanAuditValue(v)); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(out.Bytes(), []byte("\n")), nil
}

// cleanAuditValue cleans every string in a decoded JSON value. Two keys that clean to the same text
// would collide, losing one value, so the later one (in byte order of the raw keys) gets "~2", "~3"….
func cleanAuditValue(v any) any {
	switch v := v.(type) {
	case string:
		return cleanAuditText(v)
	case []any:
		for i := range v {
			v[i] = cleanAuditValue(v[i])
		}
		return v
	case map[string]any:
		out := make(map[string]any, len(v))
		for _, k := range slices.Sorted(maps.Keys(v)) {
			key := cleanAuditText(k)
			for n := 2; ; n++ {
				if _, taken := out[key]; !taken {
					break
				}
				key = cleanAuditText(k) + "~" + strconv.Itoa(n)
			}
			out[key] = cleanAuditValue(v[k])
		}
		return out
	}
	return v // json.Number, bool or nil
}

// DetailsSize returns how many bytes of JSON d takes in the trail, once cleaned as Record cleans
// it; Record refuses more than MaxDetails. An error means d cannot be encoded at all.
func DetailsSize(d map[string]any) (int, error) {
	if len(d) == 0 {
		return 0, nil
	}
	b, err := auditDetailsJSON(d)
	if err != nil {
		return 0, fmt.Errorf("%w: details: %v", ErrInvalidEvent, err)
	}
	return len(b), nil
}

// EscapeText returns s ready to print where a control character would act rather than show: a
// terminal, a CSV cell, a page. Rows written before the trail cleaned its text, or put in the
// database by other means, can still hold them. Each character the trail no longer stores is written
// as a visible escape (\n, \x1b, \u009b, \u202e) and each byte of invalid UTF-8 as \xff; clean text
// comes back unchanged. A backslash already in the text is left alone, so the escapes are for reading,
// not for decoding back.
func EscapeText(s string) string {
	if utf8.ValidString(s) && !strings.ContainsFunc(s, unsafeAuditRune) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, width := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && width == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unsafeAuditRune(r):
			q := strconv.QuoteRuneToASCII(r) // '\x1b', '\n', '\u202e'
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+width])
		}
		i += width
	}
	return b.String()
}
