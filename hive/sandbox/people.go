package sandbox

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// DemoCustomer is a made-up customer for seeding a sandbox: who they are, the metadata a product
// would attach, and a seed to make up their checks' evidence with.
type DemoCustomer struct {
	Person
	Metadata map[string]string
	Seed     uint64
}

// People makes up demo customers: names that fit one of the nationalities it knows (original
// spelling, accents and all), a gender, a date of birth, a unique email at an example domain, a
// mobile number in E.164 and some metadata. The same seed and reference date give the same people
// in the same order. A People is not safe for concurrent use.
type People struct {
	rng    *rand.Rand
	asOf   time.Time
	n      int
	taken  map[string]bool // emails handed out
	suffix map[string]int  // the next number to try after an email's local part
}

// NewPeople starts a generator whose people are 18 to 80 years old on asOf.
func NewPeople(seed uint64, asOf time.Time) *People {
	return &People{
		rng:    newRand(seed, streamPeople),
		asOf:   civil(asOf),
		taken:  make(map[string]bool),
		suffix: make(map[string]int),
	}
}

// Next makes up the next customer. Like real records, some lack a phone, a gender or a date of
// birth (a few per cent each); every one has a name, a nationality and an email.
func (g *People) Next() DemoCustomer {
	g.n++
	c := countries[g.rng.IntN(len(countries))]
	sex := pick(g.rng, []string{"M", "F"})
	p := Person{
		FirstName:   randomFirstName(g.rng, c, sex),
		LastName:    randomSurname(g.rng, c, sex),
		Gender:      map[string]string{"M": "male", "F": "female"}[sex],
		DOB:         randomBirthDate(g.rng, g.asOf).Format("02-01-2006"),
		Nationality: c.Code,
	}
	if g.rng.Float64() < c.MiddleNames {
		p.MiddleName = randomMiddleName(g.rng, c, sex, p.FirstName)
	}
	p.Email = g.email(p)
	p.Phone = phoneNumber(g.rng, c)
	g.leaveGaps(&p)
	return DemoCustomer{Person: p, Metadata: g.metadata(c), Seed: g.rng.Uint64()}
}

// leaveGaps blanks the optional fields real sign-up forms often leave empty.
func (g *People) leaveGaps(p *Person) {
	if g.rng.IntN(100) < 8 {
		p.Phone = ""
	}
	if g.rng.IntN(100) < 4 {
		p.Gender = ""
	}
	if g.rng.IntN(100) < 4 {
		p.DOB = ""
	}
}

// email derives an address from the names, as people pick them, numbered when already taken.
func (g *People) email(p Person) string {
	first, last := emailPart(p.FirstName), emailPart(p.LastName)
	local := pick(g.rng, []string{
		first + "." + last, first + last, first[:1] + "." + last, first + "_" + last,
		last + "." + first, first + "." + last[:1], first + strconv.Itoa(10+g.rng.IntN(90)),
	})
	domain := pick(g.rng, []string{"example.com", "example.org", "example.net"})
	address := local + "@" + domain
	for g.taken[address] {
		g.suffix[local+"@"+domain]++
		address = local + strconv.Itoa(1+g.suffix[local+"@"+domain]) + "@" + domain
	}
	g.taken[address] = true
	return address
}

// emailPart is a name as it goes into an email address: ASCII, lower case, no spaces.
func emailPart(name string) string {
	s := strings.ToLower(strings.ReplaceAll(Transliterate(name), " ", ""))
	if s == "" {
		return "user"
	}
	return s
}

func (g *People) metadata(c country) map[string]string {
	return map[string]string{
		"plan":           pick(g.rng, []string{"free", "free", "starter", "starter", "pro", "business"}),
		"signup_channel": pick(g.rng, []string{"web", "web", "ios", "android", "referral", "partner"}),
		"external_id":    fmt.Sprintf("crm_%06d", g.n),
		"locale":         c.Locale,
	}
}

// phoneNumber is a mobile number in E.164, always one libphonenumber holds valid for the country:
// the console checks numbers with it, and a demo record must not look doubtful. North America's
// 555-01xx, set aside for fiction, passes; the UK's drama range 07700 900xxx does not, so British
// numbers come from ordinary mobile ranges.
func phoneNumber(rng *rand.Rand, c country) string {
	return c.DialCode + fromPattern(rng, pick(rng, c.Mobiles))
}

func randomFirstName(rng *rand.Rand, c country, sex string) string {
	if sex == "F" {
		return pick(rng, c.Female)
	}
	return pick(rng, c.Male)
}

// randomMiddleName is a second given name, never the same as the first.
func randomMiddleName(rng *rand.Rand, c country, sex, first string) string {
	for range 4 {
		if m := randomFirstName(rng, c, sex); m != first {
			return m
		}
	}
	return ""
}

// randomSurname picks a surname in the form for sex; Iberian and Brazilian people get two.
func randomSurname(rng *rand.Rand, c country, sex string) string {
	s := surnameFor(pick(rng, c.Surnames), sex)
	if c.TwoSurnames {
		if second := surnameFor(pick(rng, c.Surnames), sex); second != s {
			s += " " + second
		}
	}
	return s
}

// ageBands spread ages as a consumer product's customers are: mostly 25 to 45.
var ageBands = []struct{ from, to, weight int }{
	{18, 24, 15}, {25, 34, 30}, {35, 44, 25}, {45, 54, 15}, {55, 64, 10}, {65, 80, 5},
}

// randomBirthDate is a date of birth of someone aged 18 to 80 on asOf.
func randomBirthDate(rng *rand.Rand, asOf time.Time) time.Time {
	n := rng.IntN(100)
	band := ageBands[len(ageBands)-1]
	for _, b := range ageBands {
		if n < b.weight {
			band = b
			break
		}
		n -= b.weight
	}
	age := band.from + rng.IntN(band.to-band.from+1)
	// A birthday between one and 364 days before asOf, age years back: exactly age on asOf.
	last := civil(asOf).AddDate(-age, 0, 0)
	return last.AddDate(0, 0, -(1 + rng.IntN(364)))
}
