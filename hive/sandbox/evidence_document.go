package sandbox

import (
	"math/rand/v2"
	"strings"
	"time"

	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/mrz"
)

// issueDocument makes up the document the subject showed, bent to the scenario's story. It also
// names the field that disagrees with the customer record in data_mismatch.
func issueDocument(rng *rand.Rand, who subject, p Person, sc Scenario, today time.Time) (Document, string) {
	c := who.country
	kind, years, pattern := IDCard, c.IDYears, c.IDNumber
	if sc == ScenarioPassportClear || c.IDTitle == "" {
		kind, years, pattern = Passport, 10, c.PassportNumber
	}
	issue, expiry := validity(rng, today, years, sc == ScenarioExpiredDocument)
	doc := Document{
		Kind:         kind,
		IssuingState: c.Code,
		CountryName:  c.Name,
		Number:       fromPattern(rng, pattern),
		Surname:      who.surname,
		GivenNames:   who.given,
		Nationality:  c.Code,
		Sex:          who.sex,
		DateOfBirth:  who.dob,
		PlaceOfBirth: pick(rng, c.Births),
		DateOfIssue:  issue,
		DateOfExpiry: expiry,
		Tampered:     sc == ScenarioTamperedDocument,
	}
	if kind == IDCard {
		doc.CardAccessNumber = cardAccessNumber(rng)
	}
	var mismatch string
	if sc == ScenarioDataMismatch {
		mismatch = misstate(rng, &doc, who, p)
	}
	// After misstate: the personal number encodes the date of birth the document states.
	doc.PersonalNumber = personalNumber(rng, c.Personal, doc.DateOfBirth, doc.Sex)
	doc.MRZ = doc.CorrectMRZ()
	if sc == ScenarioMRZChecksum {
		doc.MRZ = misprintCheckDigit(rng, doc.MRZ, kind)
	}
	return doc, mismatch
}

// validity returns when a document valid for years was issued and expires: in force for at least
// six more months, or in expired_document lapsed between two weeks and two years ago.
func validity(rng *rand.Rand, today time.Time, years int, expired bool) (issue, expiry time.Time) {
	if expired {
		expiry = today.AddDate(0, 0, -(15 + rng.IntN(700)))
		return expiry.AddDate(-years, 0, 1), expiry
	}
	span := years*365 - 210
	issue = today.AddDate(0, 0, -(30 + rng.IntN(span)))
	return issue, issue.AddDate(years, 0, -1)
}

// misstate makes the document disagree with the customer record. A record with a date of birth
// gets a document with another one, the kind of slip a typo makes; a record without one but with
// a surname gets a document in another surname (a maiden name, say).
func misstate(rng *rand.Rand, doc *Document, who subject, p Person) string {
	if mismatchField(p) == mrz.FieldDateOfBirth {
		doc.DateOfBirth = slipDate(rng, doc.DateOfBirth)
		return mrz.FieldDateOfBirth
	}
	for range 8 {
		if s := randomSurname(rng, who.country, who.sex); s != doc.Surname {
			doc.Surname = s
			break
		}
	}
	return "surname"
}

// mismatchField is the field data_mismatch makes disagree with the record p: the date of birth,
// or the surname when the record has a surname but no date of birth.
func mismatchField(p Person) string {
	if strings.TrimSpace(p.DOB) != "" || strings.TrimSpace(p.LastName) == "" {
		return mrz.FieldDateOfBirth
	}
	return "surname"
}

// slipDate returns another date a clerk could have typed instead of d: day and month swapped, or
// the year off by one to three.
func slipDate(rng *rand.Rand, d time.Time) time.Time {
	if d.Day() <= 12 && d.Day() != int(d.Month()) && rng.IntN(2) == 0 {
		return time.Date(d.Year(), time.Month(d.Day()), int(d.Month()), 0, 0, 0, 0, time.UTC)
	}
	years := 1 + rng.IntN(3)
	if rng.IntN(2) == 0 {
		years = -years
	}
	return d.AddDate(years, 0, 0)
}

// misprintCheckDigit replaces the document number's check digit with another digit.
func misprintCheckDigit(rng *rand.Rand, lines []string, kind DocumentKind) []string {
	line, pos := 0, 14
	if kind == Passport {
		line, pos = 1, 9
	}
	out := append([]string(nil), lines...)
	b := []byte(out[line])
	if b[pos] >= '0' && b[pos] <= '9' {
		b[pos] = byte('0' + (int(b[pos]-'0')+1+rng.IntN(9))%10)
	}
	out[line] = string(b)
	return out
}

// mismatchFlags grades data_consistency for the field misstate changed. A record and a document
// that disagree call for a reviewer, not a decline: typos and maiden names are common.
func mismatchFlags(field string) []flag {
	const dc = "document_report.data_consistency."
	if field == "surname" {
		return []flag{{dc + "surname", hive.StatusCaution}, {dc + "surname_and_given_names", hive.StatusCaution}}
	}
	return []flag{{dc + "date_of_birth", hive.StatusCaution}}
}
