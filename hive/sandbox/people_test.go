package sandbox

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nyaruka/phonenumbers"
)

var peopleAsOf = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

func TestPeopleAreDeterministic(t *testing.T) {
	a, b, c := NewPeople(7, peopleAsOf), NewPeople(7, peopleAsOf), NewPeople(8, peopleAsOf)
	differ := false
	for i := range 300 {
		x, y, z := a.Next(), b.Next(), c.Next()
		if !reflect.DeepEqual(x, y) {
			t.Fatalf("person %d: got %+v and %+v from the same seed, want the same", i, x, y)
		}
		differ = differ || x.Person != z.Person
	}
	if !differ {
		t.Errorf("seeds 7 and 8: got the same 300 people, want different ones")
	}
}

func TestPeopleLookReal(t *testing.T) {
	var (
		e164    = regexp.MustCompile(`^\+[1-9]\d{7,14}$`)
		email   = regexp.MustCompile(`^[a-z0-9._]+@example\.(com|org|net)$`)
		dobForm = regexp.MustCompile(`^\d{2}-\d{2}-\d{4}$`)
	)
	g := NewPeople(1, peopleAsOf)
	emails := map[string]bool{}
	for i := range 5000 {
		c := g.Next()
		p := c.Person
		country, ok := countryByCode(p.Nationality)
		if !ok {
			t.Fatalf("person %d: nationality %q: want one from the table", i, p.Nationality)
		}
		if p.FirstName == "" || p.LastName == "" || Transliterate(p.FirstName) == "" || Transliterate(p.LastName) == "" {
			t.Errorf("person %d: names %q %q: want both, transliterable", i, p.FirstName, p.LastName)
		}
		if !email.MatchString(p.Email) || emails[p.Email] {
			t.Errorf("person %d: email %q: want a new address at an example domain", i, p.Email)
		}
		emails[p.Email] = true
		if p.Phone != "" && (!e164.MatchString(p.Phone) || !strings.HasPrefix(p.Phone, country.DialCode)) {
			t.Errorf("person %d (%s): phone %q: want E.164 starting %s", i, p.Nationality, p.Phone, country.DialCode)
		}
		if p.Gender != "" && p.Gender != "male" && p.Gender != "female" {
			t.Errorf("person %d: gender %q: want male, female or empty", i, p.Gender)
		}
		if p.DOB != "" {
			dob, err := time.Parse("02-01-2006", p.DOB)
			if age := yearsBetween(dob, civil(peopleAsOf)); err != nil || !dobForm.MatchString(p.DOB) || age < 18 || age > 80 {
				t.Errorf("person %d: dob %q (age %d, %v): want dd-mm-yyyy, 18 to 80 years ago", i, p.DOB, age, err)
			}
		}
		for _, k := range []string{"plan", "signup_channel", "external_id", "locale"} {
			if c.Metadata[k] == "" {
				t.Errorf("person %d: metadata %q: got nothing, want a value", i, k)
			}
		}
	}
}

// TestPeoplePhonesAreValid: every phone the sandbox seeds is one libphonenumber, which the console
// checks new numbers with, accepts as a valid mobile number of the customer's own country, so demo
// records carry no number the console would flag.
func TestPeoplePhonesAreValid(t *testing.T) {
	g := NewPeople(4, peopleAsOf)
	phones := 0
	for i := range 10_000 {
		p := g.Next().Person
		if p.Phone == "" {
			continue
		}
		phones++
		country, _ := countryByCode(p.Nationality)
		n, err := phonenumbers.Parse(p.Phone, "")
		if err != nil {
			t.Errorf("person %d (%s): phone %q: %v, want a number libphonenumber parses", i, p.Nationality, p.Phone, err)
			continue
		}
		kind, region := phonenumbers.GetNumberType(n), phonenumbers.GetRegionCodeForNumber(n)
		mobile := kind == phonenumbers.MOBILE || kind == phonenumbers.FIXED_LINE_OR_MOBILE
		if !phonenumbers.IsValidNumber(n) || !mobile || region != country.Alpha2 {
			t.Errorf("person %d (%s): phone %q: valid %v, type %v, region %q: want a valid mobile number of %s",
				i, p.Nationality, p.Phone, phonenumbers.IsValidNumber(n), kind, region, country.Alpha2)
		}
	}
	if phones < 9000 {
		t.Errorf("got %d phones in 10000 people, want most to have one", phones)
	}
}

// TestPeopleVary checks the spread a demo needs: every nationality, both sexes, middle names,
// accents, and a few records with gaps.
func TestPeopleVary(t *testing.T) {
	g := NewPeople(2, peopleAsOf)
	counts := map[string]int{}
	for range 3000 {
		p := g.Next().Person
		counts["nationality "+p.Nationality]++
		counts["gender "+p.Gender]++
		if p.MiddleName != "" {
			counts["middle name"]++
		}
		if p.FirstName+p.LastName != strings.Map(func(r rune) rune { return min(r, 0x7f) }, p.FirstName+p.LastName) {
			counts["accents"]++
		}
		if p.Phone == "" {
			counts["no phone"]++
		}
		if p.DOB == "" {
			counts["no dob"]++
		}
	}
	want := []string{"gender male", "gender female", "gender ", "middle name", "accents", "no phone", "no dob"}
	for _, c := range countries {
		want = append(want, "nationality "+c.Code)
	}
	for _, k := range want {
		if counts[k] < 20 {
			t.Errorf("%s: got %d in 3000, want at least 20", k, counts[k])
		}
	}
	if counts["no dob"] > 300 || counts["no phone"] > 500 {
		t.Errorf("gaps: got %d without dob, %d without phone: want a few per cent", counts["no dob"], counts["no phone"])
	}
}

func TestPeopleScale(t *testing.T) {
	n := 100_000
	if testing.Short() {
		n = 20_000
	}
	g := NewPeople(3, peopleAsOf)
	seen := make(map[string]bool, n)
	start := time.Now()
	for i := range n {
		e := g.Next().Email
		if seen[e] {
			t.Fatalf("person %d: email %q: got a repeat, want unique addresses", i, e)
		}
		seen[e] = true
	}
	t.Logf("%d people in %v", n, time.Since(start))
}

func TestSurnameForms(t *testing.T) {
	tests := []struct{ entry, sex, want string }{
		{"Kowalski|Kowalska", "F", "Kowalska"},
		{"Kowalski|Kowalska", "M", "Kowalski"},
		{"Novák|Nováková", "F", "Nováková"},
		{"Nowak", "F", "Nowak"},
	}
	for _, tt := range tests {
		t.Run(tt.entry+"/"+tt.sex, func(t *testing.T) {
			if got := surnameFor(tt.entry, tt.sex); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCountryTable(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range countries {
		t.Run(c.Code, func(t *testing.T) {
			if seen[c.Code] || len(c.Code) != 3 || len(c.Alpha2) != 2 {
				t.Errorf("codes %q %q: want a new alpha-3 and an alpha-2", c.Code, c.Alpha2)
			}
			seen[c.Code] = true
			if len(c.Male) < 10 || len(c.Female) < 10 || len(c.Surnames) < 10 || len(c.Mobiles) == 0 || len(c.Births) == 0 {
				t.Errorf("got %d male, %d female names, %d surnames, %d mobile patterns, %d places: want enough of each",
					len(c.Male), len(c.Female), len(c.Surnames), len(c.Mobiles), len(c.Births))
			}
			if c.PassportNumber == "" || c.PassportTitle == "" || (c.IDTitle != "") != (c.IDNumber != "" && c.IDYears > 0) {
				t.Errorf("documents: passport %q %q, ID card %q %q %d: want a passport and a complete ID card or none",
					c.PassportTitle, c.PassportNumber, c.IDTitle, c.IDNumber, c.IDYears)
			}
		})
	}
	if len(countries) < 15 {
		t.Errorf("got %d nationalities, want at least 15", len(countries))
	}
}

func BenchmarkPeopleNext(b *testing.B) {
	g := NewPeople(1, peopleAsOf)
	for b.Loop() {
		g.Next()
	}
}
