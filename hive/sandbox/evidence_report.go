package sandbox

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/mrz"
)

type breakdownLayout struct {
	name      string
	subChecks []string
}

type sectionLayout struct {
	name       string
	breakdowns []breakdownLayout
}

// reportLayout is the tree of the reference's report, in its order: sections, their breakdowns and
// their sub-checks. Scenario flags address its leaves as "section.breakdown.sub_check".
var reportLayout = []sectionLayout{
	{"document_report", []breakdownLayout{
		{hive.BreakdownDataConsistency, []string{"document_number", "date_of_expiry", "date_of_birth",
			"personal_number", "surname", "given_names", "gender", "surname_and_given_names"}},
		{hive.BreakdownDataValidation, []string{"document_number", "date_of_expiry", "date_of_issue",
			"date_of_birth", "gender", "mrz"}},
		{hive.BreakdownDocumentVisualAuthenticity, []string{"template", "fonts", "face_detection",
			"security_features"}},
	}},
	{"facial_report", []breakdownLayout{
		{hive.BreakdownImageIntegrity, []string{"brightness", "sharpness"}},
		{hive.BreakdownFaceComparison, []string{"similarity", "age_range", "gender"}},
		{hive.BreakdownVisualAuthenticity, []string{"liveness", "emotion"}},
	}},
	{"customer_report", []breakdownLayout{
		{hive.BreakdownIP, []string{"tor", "vpn", "web_proxy", "public_proxy", "spam_blacklist"}},
		{hive.BreakdownDeviceFingerprint, []string{"fingerprint_authenticity", "fingerprint_attempted_fraud"}},
	}},
}

// grade fills the report's tree: a sub-check is clear unless flagged, a breakdown is the worst of
// its sub-checks, a section the worst of its breakdowns and the result the worst of the sections.
func grade(r *hive.Report, flags []flag) {
	sections := []*hive.Section{&r.Document.Section, &r.Facial.Section, &r.Customer.Section}
	r.Result = hive.StatusClear
	for i, layout := range reportLayout {
		*sections[i] = gradeSection(layout, flags)
		r.Result = r.Result.Worse(sections[i].Status)
	}
}

func gradeSection(layout sectionLayout, flags []flag) hive.Section {
	sec := hive.Section{Status: hive.StatusClear}
	for _, b := range layout.breakdowns {
		bd := hive.Breakdown{Name: b.name, Status: hive.StatusClear}
		for _, name := range b.subChecks {
			st := flagged(flags, layout.name+"."+b.name+"."+name)
			bd.SubChecks = append(bd.SubChecks, hive.Breakdown{Name: name, Status: st})
			bd.Status = bd.Status.Worse(st)
		}
		sec.Breakdowns = append(sec.Breakdowns, bd)
		sec.Status = sec.Status.Worse(bd.Status)
	}
	return sec
}

func flagged(flags []flag, path string) hive.Status {
	st := hive.StatusClear
	for _, f := range flags {
		if f.path == path {
			st = st.Worse(f.status)
		}
	}
	return st
}

// documentProperties are what Hive reads off the document: names transliterated, dates dd.mm.yyyy
// as printed, check digits as printed in the zone (wrong ones included).
func documentProperties(doc Document, today time.Time) hive.DocumentProperties {
	zone := mrz.Validate(doc.MRZ)
	printed := func(field string) string {
		if c, ok := zone.Check(field); ok {
			return string(c.Printed)
		}
		return ""
	}
	title, class, mrzType := "identity card", "ID", "ID-1"
	if doc.Kind == Passport {
		title, class, mrzType = "passport", "P", "ID-3"
	}
	surname, given := Transliterate(doc.Surname), Transliterate(doc.GivenNames)
	return hive.DocumentProperties{
		DocumentTitle:                  title,
		Year:                           strconv.Itoa(doc.DateOfIssue.Year()),
		ICAOCode:                       doc.IssuingState,
		CountryName:                    doc.CountryName,
		DocumentClassCode:              class,
		IssuingStateCode:               doc.IssuingState,
		DocumentNumber:                 doc.Number,
		DateOfExpiry:                   dotted(doc.DateOfExpiry),
		DateOfIssue:                    dotted(doc.DateOfIssue),
		DateOfBirth:                    dotted(doc.DateOfBirth),
		PlaceOfBirth:                   Transliterate(doc.PlaceOfBirth),
		PersonalNumber:                 doc.PersonalNumber,
		Surname:                        surname,
		GivenNames:                     given,
		Nationality:                    doc.Nationality,
		Gender:                         doc.Sex,
		SurnameAndGivenNames:           strings.TrimSpace(surname + " " + given),
		NationalityCode:                doc.Nationality,
		MRZType:                        mrzType,
		MRZName:                        strings.TrimSpace(zone.Fields.Surname + " " + zone.Fields.GivenNames),
		IssuingStateName:               doc.CountryName,
		MRZStrings:                     mrz.Join(doc.MRZ),
		DocumentNumberCheckDigit:       printed(mrz.FieldDocumentNumber),
		DateOfBirthCheckDigit:          printed(mrz.FieldDateOfBirth),
		DateOfExpiryCheckDigit:         printed(mrz.FieldDateOfExpiry),
		FinalCheckDigit:                printed(mrz.FieldComposite),
		CardAccessNumber:               doc.CardAccessNumber,
		MRZStringsWithCorrectChecksums: mrz.Join(doc.CorrectMRZ()),
		Age:                            strconv.Itoa(yearsBetween(doc.DateOfBirth, today)),
		MonthsToExpire:                 strconv.Itoa(monthsBetween(today, doc.DateOfExpiry)),
	}
}

func dotted(t time.Time) string { return t.Format("02.01.2006") }

// facialProperties measure the selfie. Scores sit well inside the band of the status the scenario
// gives, so a viewer's thresholds never disagree with the grade: similarity ≥ 0.90 matches and
// < 0.35 does not; liveness ≥ 0.97 is live and < 0.35 is not; brightness and sharpness under 30
// are poor.
func facialProperties(rng *rand.Rand, s Selfie, holderAge int, sc Scenario) hive.FacialProperties {
	p := hive.FacialProperties{
		Gender:     map[string]string{"M": "Male", "F": "Female"}[s.Sex],
		Emotions:   []string{"CALM"},
		AgeRange:   ageRange(rng, s.Age, holderAge),
		Beard:      s.Beard,
		Mustache:   s.Mustache,
		Eyeglasses: s.Eyeglasses,
		Live:       true,
		Liveness:   round(between(rng, 0.97, 0.99999), 8),
		FacesMatch: true,
		Similarity: round(between(rng, 0.90, 0.995), 4),
		Brightness: round(between(rng, 52, 84), 2),
		Sharpness:  round(between(rng, 72, 98), 2),
	}
	if s.Smiling {
		p.Emotions = []string{"HAPPY"}
	}
	switch sc {
	case ScenarioFaceMismatch:
		p.FacesMatch, p.Similarity = false, round(between(rng, 0.02, 0.32), 4)
	case ScenarioLivenessFailure:
		p.Live, p.Liveness = false, round(between(rng, 0.01, 0.3), 8)
	case ScenarioPoorImageQuality:
		p.Brightness, p.Sharpness = round(between(rng, 12, 27), 2), round(between(rng, 6, 24), 2)
		p.Similarity = round(between(rng, 0.90, 0.93), 4)
	}
	return p
}

// ageRange is the span a face analyser would guess for a face of age, widened to include the
// document holder's age, which the age_range sub-check (always clear here) compares it with.
func ageRange(rng *rand.Rand, age, holderAge int) string {
	low := min(age-2-rng.IntN(6), holderAge-1)
	high := max(age+3+rng.IntN(7), holderAge+1)
	return fmt.Sprintf("%d - %d", max(low, 14), high)
}

func between(rng *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*rng.Float64() }

func round(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}
