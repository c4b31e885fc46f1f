package handlers

import (
	"strings"
	"unicode/utf8"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/internal/masked"
	"github.com/labstack/echo/v4"
)

// piiKind is a class of personal data. This list is the console's one classification of what it
// masks; every page that shows one of these goes through piiPolicy, and the tests walk it.
type piiKind string

// The classified fields.
const (
	piiEmail          piiKind = "email"
	piiPhone          piiKind = "phone"
	piiDOB            piiKind = "dob"
	piiDocumentNumber piiKind = "document_number"
	piiPersonalNumber piiKind = "personal_number"
	piiMRZ            piiKind = "mrz"
	piiIP             piiKind = "ip"
	piiCoordinates    piiKind = "coordinates"
	piiDeviceHash     piiKind = "device_hash"
)

// piiSource says where a field comes from, which decides who sees it in clear: customer records
// (contact data support works with) or reports (identity evidence reviewers decide on).
type piiSource int

const (
	fromRecord piiSource = iota
	fromReport
)

// piiPolicy is what one staff member sees of personal data, from the permission table.
type piiPolicy struct {
	clearRecord, clearReport, reveal bool
}

// pii is the signed-in user's policy.
func pii(c echo.Context) piiPolicy {
	u, _ := userOf(c)
	return piiPolicyFor(u)
}

func piiPolicyFor(u auth.User) piiPolicy {
	return piiPolicy{clearRecord: u.Can(auth.SeeRecordPII), clearReport: u.Can(auth.SeeReportPII), reveal: u.Can(auth.RevealPII)}
}

// clear reports whether data from src is shown as it is.
func (p piiPolicy) clear(src piiSource) bool {
	if src == fromRecord {
		return p.clearRecord
	}
	return p.clearReport
}

// show returns the value as this user may see it: as it is, or masked.
func (p piiPolicy) show(src piiSource, kind piiKind, v string) string {
	if p.clear(src) {
		return v
	}
	return mask(kind, v)
}

// mask hides a value, keeping only what helps tell records apart at a glance and cannot identify
// anyone: an email's first character and domain, a phone's last two digits, a number's last three
// characters, the first octet of an IPv4 address. Dates, the MRZ and coordinates are hidden whole.
// An empty value stays empty, so a missing field still reads as missing.
func mask(kind piiKind, v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return ""
	}
	const dots = masked.Dots
	switch kind {
	case piiEmail:
		return masked.Email(v)
	case piiPhone:
		return dots + " " + lastN(digits(v), 2)
	case piiDocumentNumber, piiPersonalNumber, piiDeviceHash:
		if utf8.RuneCountInString(v) <= 4 {
			return dots
		}
		return dots + lastN(v, 3)
	case piiIP:
		if i := strings.IndexByte(v, '.'); i > 0 && strings.Count(v, ".") == 3 {
			return v[:i] + ".•.•.•"
		}
		return dots
	case piiDOB:
		return "••-••-••••"
	}
	return dots // MRZ, coordinates, anything new
}

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

func lastN(s string, n int) string {
	r := []rune(s)
	return string(r[max(0, len(r)-n):])
}
