package sandbox

import (
	"hash/fnv"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/mrz"
)

// Person is who the documents are about, as the customer record has it (fields may be empty).
type Person struct {
	FirstName   string `json:"first_name,omitempty"`
	MiddleName  string `json:"middle_name,omitempty"`
	LastName    string `json:"last_name,omitempty"`
	Gender      string `json:"gender,omitempty"` // "male", "female" or ""
	DOB         string `json:"dob,omitempty"`    // dd-mm-yyyy or ""
	Email       string `json:"email,omitempty"`
	Phone       string `json:"phone,omitempty"`
	Nationality string `json:"nationality,omitempty"` // ICAO alpha-3 or ""
}

// DocumentKind is the kind of identity document a customer showed.
type DocumentKind string

// The document kinds: an ID-1 card with a three-line zone on its back, or a passport whose data
// page carries a two-line zone.
const (
	IDCard   DocumentKind = "id_card"
	Passport DocumentKind = "passport"
)

// Document is an identity document as issued. Names keep their original spelling (the visual zone
// prints it); the report and the machine readable zone transliterate them.
type Document struct {
	Kind             DocumentKind
	IssuingState     string // ICAO alpha-3
	CountryName      string // in English
	Number           string
	PersonalNumber   string // "" where the state prints none
	Surname          string
	GivenNames       string
	Nationality      string // ICAO alpha-3
	Sex              string // "M" or "F"
	DateOfBirth      time.Time
	PlaceOfBirth     string
	DateOfIssue      time.Time
	DateOfExpiry     time.Time
	CardAccessNumber string // ID cards only
	// MRZ is the machine readable zone as printed: valid, except in the mrz_checksum scenario.
	MRZ []string
	// Tampered says the surname was pasted over the original print (tampered_document).
	Tampered bool
}

// Format is the layout of the document's machine readable zone.
func (d Document) Format() mrz.Format {
	if d.Kind == Passport {
		return mrz.TD3
	}
	return mrz.TD1
}

// MRZFields are what the document's machine readable zone encodes.
func (d Document) MRZFields() mrz.Fields {
	data := mrz.Fields{
		DocumentCode: "ID", IssuingState: d.IssuingState, DocumentNumber: d.Number,
		DateOfBirth: MRZDate(d.DateOfBirth), Sex: d.Sex, DateOfExpiry: MRZDate(d.DateOfExpiry),
		Nationality: d.Nationality, OptionalData: mrzOptional(d.PersonalNumber),
		Surname: d.Surname, GivenNames: d.GivenNames,
	}
	if d.Kind == Passport {
		data.DocumentCode = "P"
	}
	return data
}

// CorrectMRZ is the machine readable zone the document should carry, every check digit right.
func (d Document) CorrectMRZ() []string {
	if d.Kind == Passport {
		return zoneTD3(d.MRZFields())
	}
	return zoneTD1(d.MRZFields())
}

// Face is a generated face: the same Face always renders the same picture, and the facial report
// describes what it shows.
type Face struct {
	Seed       uint64
	Sex        string // "M" or "F"
	Age        int
	Beard      bool
	Mustache   bool
	Eyeglasses bool
}

// Selfie is the picture the customer's camera took: a face and how it was captured.
type Selfie struct {
	Face
	Smiling  bool
	Dark     bool // poor_image_quality: underexposed
	Blurred  bool // poor_image_quality: out of focus
	Replayed bool // liveness_failure: a photo of a screen held up to the camera
}

// Evidence is everything a sandbox check produces: the document the customer showed, the report
// Hive would have written, and what the images show.
type Evidence struct {
	Document Document    // the document as issued: kind, country, number, names, dates, MRZ
	Report   hive.Report // ID, CheckID and Generated are left for the caller
	Holder   Face        // the face on the document
	Selfie   Selfie      // the face the camera saw: someone else's in face_mismatch
	Scenario Scenario
}

// The random streams of one piece of evidence. Each part draws from its own stream, so adding a
// draw to one part does not change the others.
const (
	streamDocument uint64 = iota + 1
	streamFacial
	streamCustomer
	streamFace
	streamSelfie
	streamScenario
	streamPeople
	streamImage
	streamTiming
)

func newRand(seed, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15^stream))
}

// NewEvidence makes up the evidence of a check on p that plays scenario sc, submitted at submitted.
// The same arguments always give the same evidence. What p lacks (names, date of birth, gender,
// nationality) is drawn from seed; an unknown scenario plays clear.
func NewEvidence(seed uint64, p Person, sc Scenario, submitted time.Time) Evidence {
	return newEvidence(seed, p, sc, submitted, reuse{})
}

// newEvidence is NewEvidence with the parts r holds taken from another check instead of made up
// (see reuse). Every random stream is drawn as NewEvidence draws it, so what r does not replace is
// what NewEvidence would have made.
func newEvidence(seed uint64, p Person, sc Scenario, submitted time.Time, r reuse) Evidence {
	if _, ok := specOf(sc); !ok {
		sc = ScenarioClear
	}
	today := civil(submitted)
	rng := newRand(seed, streamDocument)
	who := resolveSubject(rng, p, today)
	doc, mismatch := issueDocument(rng, who, p, sc, today)
	holder := newFace(faceSeed(seed, p), who.sex, yearsBetween(who.dob, today))
	if r.Document != nil {
		// The document as the other check saw it; the record still decides what data_mismatch
		// compares, as misstate would have.
		doc, holder, mismatch = r.Document.Document, r.Document.Holder, mismatchField(p)
	}
	selfie := takeSelfie(seed, holder, sc)
	if r.Document != nil {
		selfie.Smiling = r.Document.Smiling
	}
	flags := append(specFlags(sc), r.flags()...)
	if sc == ScenarioDataMismatch {
		flags = append(flags, mismatchFlags(mismatch)...)
	}
	customer := customerProperties(newRand(seed, streamCustomer), who.country, sc)
	if r.Devices != nil {
		customer = cloneDevices(r.Devices.Properties)
	}
	report := hive.Report{
		Version:   1,
		Submitted: submitted,
		Processed: submitted.Add(time.Duration(4+newRand(seed, streamTiming).IntN(40)) * time.Second),
		Document:  &hive.DocumentReport{Properties: documentProperties(doc, today)},
		Facial:    &hive.FacialReport{Properties: facialProperties(newRand(seed, streamFacial), selfie, holder.Age, sc)},
		Customer:  &hive.CustomerReport{Properties: customer},
	}
	grade(&report, flags)
	return Evidence{Document: doc, Report: report, Holder: holder, Selfie: selfie, Scenario: sc}
}

// subject is the person the document is about, every gap in the record filled.
type subject struct {
	country        country
	surname, given string
	sex            string // "M" or "F"
	dob            time.Time
}

func resolveSubject(rng *rand.Rand, p Person, today time.Time) subject {
	s := subject{country: pickCountry(rng, p.Nationality)}
	switch strings.ToLower(strings.TrimSpace(p.Gender)) {
	case "male", "m":
		s.sex = "M"
	case "female", "f":
		s.sex = "F"
	default:
		s.sex = pick(rng, []string{"M", "F"})
	}
	if dob, err := time.Parse("02-01-2006", strings.TrimSpace(p.DOB)); err == nil {
		s.dob = dob
	} else {
		s.dob = randomBirthDate(rng, today)
	}
	s.surname = strings.TrimSpace(p.LastName)
	if s.surname == "" {
		s.surname = randomSurname(rng, s.country, s.sex)
	}
	s.given = strings.TrimSpace(strings.TrimSpace(p.FirstName) + " " + strings.TrimSpace(p.MiddleName))
	if s.given == "" {
		s.given = randomFirstName(rng, s.country, s.sex)
	}
	return s
}

// pickCountry is the person's nationality, or a random one from the table.
func pickCountry(rng *rand.Rand, code string) country {
	code = strings.ToUpper(strings.TrimSpace(code))
	if c, ok := countryByCode(code); ok {
		return c
	}
	if len(code) == 3 && strings.Trim(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == "" {
		return fallbackCountry(code)
	}
	return countries[rng.IntN(len(countries))]
}

// faceSeed keeps a person's face the same from one check to the next: it hashes who they are, and
// only a record with no name at all falls back to the check's seed.
func faceSeed(seed uint64, p Person) uint64 {
	if strings.TrimSpace(p.FirstName+p.LastName) == "" {
		return seed
	}
	key := strings.Join([]string{p.FirstName, p.MiddleName, p.LastName, p.DOB, p.Gender}, "\x00")
	h := fnv.New64a()
	h.Write([]byte(key))
	return h.Sum64()
}

func newFace(seed uint64, sex string, age int) Face {
	rng := newRand(seed, streamFace)
	f := Face{Seed: seed, Sex: sex, Age: age, Eyeglasses: rng.IntN(100) < 18}
	if sex == "M" {
		f.Beard = rng.IntN(100) < 22
		f.Mustache = f.Beard && rng.IntN(100) < 70 || rng.IntN(100) < 8
	}
	return f
}

// takeSelfie is the camera's picture of the holder, or in face_mismatch of another person of the
// same sex and about the same age.
func takeSelfie(seed uint64, holder Face, sc Scenario) Selfie {
	rng := newRand(seed, streamSelfie)
	s := Selfie{Face: holder, Smiling: rng.IntN(100) < 30}
	switch sc {
	case ScenarioFaceMismatch:
		s.Face = newFace(rng.Uint64(), holder.Sex, max(18, holder.Age-4+rng.IntN(9)))
	case ScenarioPoorImageQuality:
		s.Dark, s.Blurred = true, true
	case ScenarioLivenessFailure:
		s.Replayed = true
	}
	return s
}

func specFlags(sc Scenario) []flag {
	spec, _ := specOf(sc)
	return append([]flag(nil), spec.flags...)
}

// civil is the calendar date of t in UTC, at midnight.
func civil(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// yearsBetween counts whole years from a to b: an age.
func yearsBetween(a, b time.Time) int {
	years := b.Year() - a.Year()
	if b.Month() < a.Month() || b.Month() == a.Month() && b.Day() < a.Day() {
		years--
	}
	return years
}

// monthsBetween counts whole months from a to b, 0 when b is not after a.
func monthsBetween(a, b time.Time) int {
	months := (b.Year()-a.Year())*12 + int(b.Month()-a.Month())
	if b.Day() < a.Day() {
		months--
	}
	return max(months, 0)
}

func pick[T any](rng *rand.Rand, from []T) T { return from[rng.IntN(len(from))] }
