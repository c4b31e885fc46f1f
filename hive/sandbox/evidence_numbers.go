package sandbox

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// fromPattern fills a pattern: '@' is a letter, '#' a digit, '*' either (from the characters ID
// documents use, without the easily confused I, O and Q); anything else is kept.
func fromPattern(rng *rand.Rand, pattern string) string {
	const letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
	const either = "CFGHJKLMNPRTVWXYZ0123456789"
	b := []byte(pattern)
	for i, c := range b {
		switch c {
		case '@':
			b[i] = letters[rng.IntN(len(letters))]
		case '#':
			b[i] = byte('0' + rng.IntN(10))
		case '*':
			b[i] = either[rng.IntN(len(either))]
		}
	}
	return string(b)
}

// personalNumberKind names a state's personal identification number scheme.
type personalNumberKind int

// The schemes the sandbox can make up. Each is the real format with its real check digit, so a
// reviewer who knows it sees nothing odd; the numbers themselves are random.
const (
	personalNone personalNumberKind = iota
	personalEstonia
	personalSpain
	personalDigits8
	personalNetherlands
	personalPoland
	personalCzechia
	personalSweden
	personalFinland
	personalBrazil
	personalTurkey
	personalUkraine
)

// personalNumber makes up a personal number for someone born on dob of sex "M" or "F".
func personalNumber(rng *rand.Rand, kind personalNumberKind, dob time.Time, sex string) string {
	male := sex != "F"
	switch kind {
	case personalEstonia:
		return estonianCode(rng, dob, male)
	case personalSpain:
		n := rng.IntN(100_000_000)
		return fmt.Sprintf("%08d%c", n, "TRWAGMYFPDXBNJZSQVHLCKE"[n%23])
	case personalDigits8:
		return fromPattern(rng, "########")
	case personalNetherlands:
		return dutchBSN(rng)
	case personalPoland:
		return pesel(rng, dob, male)
	case personalCzechia:
		return czechBirthNumber(rng, dob, male)
	case personalSweden:
		return swedishNumber(rng, dob, male)
	case personalFinland:
		return finnishCode(rng, dob, male)
	case personalBrazil:
		return brazilianCPF(rng)
	case personalTurkey:
		return turkishNumber(rng)
	case personalUkraine:
		return dob.Format("20060102") + "-" + fromPattern(rng, "#####")
	}
	return ""
}

// estonianCode is an isikukood: sex and century, YYMMDD, a serial, and a check digit with two
// weight rounds.
func estonianCode(rng *rand.Rand, dob time.Time, male bool) string {
	first := 3 + 2*((dob.Year()-1900)/100)
	if !male {
		first++
	}
	base := fmt.Sprintf("%d%s%03d", first, dob.Format("060102"), rng.IntN(1000))
	for _, weights := range []string{"1234567891", "3456789123"} {
		if c := weightedMod(base, weights, 11); c < 10 {
			return base + strconv.Itoa(c)
		}
	}
	return base + "0"
}

func weightedMod(digits, weights string, m int) int {
	sum := 0
	for i := range digits {
		sum += int(digits[i]-'0') * int(weights[i]-'0')
	}
	return sum % m
}

// dutchBSN is a burgerservicenummer, which passes the "eleven test".
func dutchBSN(rng *rand.Rand) string {
	for {
		d := fromPattern(rng, "1#######")
		sum := 0
		for i := range d {
			sum += int(d[i]-'0') * (9 - i)
		}
		if last := sum % 11; last < 10 {
			return d + strconv.Itoa(last)
		}
	}
}

// pesel is Poland's number: YYMMDD with the century in the month, a serial whose last digit is odd
// for men, and a check digit.
func pesel(rng *rand.Rand, dob time.Time, male bool) string {
	month := int(dob.Month())
	if dob.Year() >= 2000 {
		month += 20
	}
	sexDigit := 2 * rng.IntN(5)
	if male {
		sexDigit++
	}
	base := fmt.Sprintf("%02d%02d%02d%03d%d", dob.Year()%100, month, dob.Day(), rng.IntN(1000), sexDigit)
	sum := 0
	for i, w := range []int{1, 3, 7, 9, 1, 3, 7, 9, 1, 3} {
		sum += int(base[i]-'0') * w
	}
	return base + strconv.Itoa((10-sum%10)%10)
}

// czechBirthNumber is a rodné číslo: YYMMDD, women's month plus 50, and a number divisible by 11.
// A serial whose check would be 10 is skipped, as the registry has done since 1985.
func czechBirthNumber(rng *rand.Rand, dob time.Time, male bool) string {
	month := int(dob.Month())
	if !male {
		month += 50
	}
	for {
		base := fmt.Sprintf("%02d%02d%02d%03d", dob.Year()%100, month, dob.Day(), rng.IntN(1000))
		n, _ := strconv.Atoi(base)
		if c := (11 - n*10%11) % 11; c < 10 {
			return base + strconv.Itoa(c)
		}
	}
}

// swedishNumber is a personnummer without its hyphen: YYMMDD, a serial odd for men, a Luhn digit.
func swedishNumber(rng *rand.Rand, dob time.Time, male bool) string {
	serial := 2 * rng.IntN(500)
	if male {
		serial++
	}
	base := dob.Format("060102") + fmt.Sprintf("%03d", serial)
	sum := 0
	for i := range base {
		d := int(base[i]-'0') * (2 - i%2)
		sum += d/10 + d%10
	}
	return base + strconv.Itoa((10-sum%10)%10)
}

// finnishCode is a henkilötunnus: DDMMYY, the century sign, a serial odd for men, a check letter.
func finnishCode(rng *rand.Rand, dob time.Time, male bool) string {
	serial := 2 + 2*rng.IntN(448)
	if male {
		serial++
	}
	sign := "-"
	if dob.Year() >= 2000 {
		sign = "A"
	}
	n, _ := strconv.Atoi(dob.Format("020106") + fmt.Sprintf("%03d", serial))
	return fmt.Sprintf("%s%s%03d%c", dob.Format("020106"), sign, serial, "0123456789ABCDEFHJKLMNPRSTUVWXY"[n%31])
}

// brazilianCPF is a CPF with its two mod-11 check digits.
func brazilianCPF(rng *rand.Rand) string {
	d := fromPattern(rng, "#########")
	for len(d) < 11 {
		sum := 0
		for i := range d {
			sum += int(d[i]-'0') * (len(d) + 1 - i)
		}
		c := 11 - sum%11
		if c >= 10 {
			c = 0
		}
		d += strconv.Itoa(c)
	}
	return d
}

// turkishNumber is a T.C. kimlik numarası with its two check digits.
func turkishNumber(rng *rand.Rand) string {
	d := strconv.Itoa(1+rng.IntN(9)) + fromPattern(rng, "########")
	odd, even := 0, 0
	for i := range d {
		if i%2 == 0 {
			odd += int(d[i] - '0')
		} else {
			even += int(d[i] - '0')
		}
	}
	tenth := ((odd*7-even)%10 + 10) % 10
	d += strconv.Itoa(tenth)
	sum := 0
	for i := range d {
		sum += int(d[i] - '0')
	}
	return d + strconv.Itoa(sum%10)
}

// cardAccessNumber is the six digits printed on an eID card to unlock its chip.
func cardAccessNumber(rng *rand.Rand) string { return fromPattern(rng, "######") }

// mrzOptional keeps what of a personal number fits a zone's optional data.
func mrzOptional(s string) string { return strings.ReplaceAll(s, "-", "") }
