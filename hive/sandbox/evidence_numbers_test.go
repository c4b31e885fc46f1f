package sandbox

import (
	"regexp"
	"strconv"
	"testing"
	"time"
)

// The validators below are written from each scheme's public definition, independently of the
// generators, and are themselves checked against published valid numbers.

func validEstonian(s string) bool {
	if len(s) != 11 {
		return false
	}
	for _, w := range []string{"1234567891", "3456789123"} {
		if c := weightedMod(s[:10], w, 11); c < 10 {
			return strconv.Itoa(c) == s[10:]
		}
	}
	return s[10] == '0'
}

func validPESEL(s string) bool {
	sum := 0
	for i, w := range []int{1, 3, 7, 9, 1, 3, 7, 9, 1, 3, 1} {
		sum += int(s[i]-'0') * w
	}
	return len(s) == 11 && sum%10 == 0
}

func validLuhn(s string) bool {
	sum := 0
	for i := range s {
		d := int(s[len(s)-1-i] - '0')
		if i%2 == 1 {
			d *= 2
		}
		sum += d/10 + d%10
	}
	return sum%10 == 0
}

func validFinnish(s string) bool {
	if len(s) != 11 {
		return false
	}
	n, err := strconv.Atoi(s[:6] + s[7:10])
	return err == nil && "0123456789ABCDEFHJKLMNPRSTUVWXY"[n%31] == s[10]
}

func validSpanish(s string) bool {
	n, err := strconv.Atoi(s[:8])
	return err == nil && len(s) == 9 && "TRWAGMYFPDXBNJZSQVHLCKE"[n%23] == s[8]
}

func validBSN(s string) bool {
	sum := 0
	for i := range 8 {
		sum += int(s[i]-'0') * (9 - i)
	}
	return len(s) == 9 && (sum-int(s[8]-'0'))%11 == 0
}

func validCzech(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && len(s) == 10 && n%11 == 0
}

func validCPF(s string) bool {
	for k := 9; k <= 10; k++ {
		sum := 0
		for i := range k {
			sum += int(s[i]-'0') * (k + 1 - i)
		}
		c := (sum * 10) % 11 % 10
		if int(s[k]-'0') != c {
			return false
		}
	}
	return true
}

func validTurkish(s string) bool {
	d := make([]int, 11)
	for i := range d {
		d[i] = int(s[i] - '0')
	}
	tenth := ((d[0]+d[2]+d[4]+d[6]+d[8])*7 - (d[1] + d[3] + d[5] + d[7])) % 10
	sum := 0
	for _, v := range d[:10] {
		sum += v
	}
	return d[0] != 0 && (tenth+10)%10 == d[9] && sum%10 == d[10]
}

// flipDigit replaces the digit at pos with the next one, as a misprint would.
func flipDigit(s string, pos int) string {
	b := []byte(s)
	b[pos] = '0' + (b[pos]-'0'+1)%10
	return string(b)
}

func TestPersonalNumbers(t *testing.T) {
	tests := []struct {
		name     string
		kind     personalNumberKind
		valid    func(string) bool
		examples []string // published valid numbers: the validator must accept them
		format   *regexp.Regexp
	}{
		{"Estonia", personalEstonia, validEstonian, []string{"38001085718", "37605030299"}, regexp.MustCompile(`^[3-6]\d{10}$`)},
		{"Poland", personalPoland, validPESEL, []string{"44051401359", "02070803628"}, regexp.MustCompile(`^\d{11}$`)},
		{"Sweden", personalSweden, validLuhn, []string{"8112189876"}, regexp.MustCompile(`^\d{10}$`)},
		{"Finland", personalFinland, validFinnish, []string{"131052-308T"}, regexp.MustCompile(`^\d{6}[-A]\d{3}[0-9A-Y]$`)},
		{"Spain", personalSpain, validSpanish, []string{"12345678Z"}, regexp.MustCompile(`^\d{8}[A-Z]$`)},
		{"Netherlands", personalNetherlands, validBSN, []string{"111222333", "123456782"}, regexp.MustCompile(`^\d{9}$`)},
		{"Czechia", personalCzechia, validCzech, []string{"7103192745"}, regexp.MustCompile(`^\d{10}$`)},
		{"Brazil", personalBrazil, validCPF, []string{"52998224725", "11144477735"}, regexp.MustCompile(`^\d{11}$`)},
		{"Turkey", personalTurkey, validTurkish, []string{"10000000146"}, regexp.MustCompile(`^[1-9]\d{10}$`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, ex := range tt.examples {
				if !tt.valid(ex) {
					t.Fatalf("validator rejects the published example %s", ex)
				}
				if bad := flipDigit(ex, 2); tt.valid(bad) {
					t.Fatalf("validator accepts %s, %s with a digit changed", bad, ex)
				}
			}
			rng := newRand(1, streamDocument)
			for i := range 500 {
				dob := time.Date(1950+i%60, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC)
				sex := []string{"M", "F"}[i%2]
				got := personalNumber(rng, tt.kind, dob, sex)
				if !tt.format.MatchString(got) || !tt.valid(got) {
					t.Fatalf("born %s, %s: got %q, want a valid number", dob.Format("2006-01-02"), sex, got)
				}
			}
		})
	}
}

func TestPersonalNumbersEncodeBirthAndSex(t *testing.T) {
	dob := time.Date(1980, 1, 8, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		kind       personalNumberKind
		sex        string
		wantPrefix string
	}{
		{personalEstonia, "M", "3800108"},
		{personalEstonia, "F", "4800108"},
		{personalPoland, "M", "800108"},
		{personalCzechia, "F", "805108"},
		{personalSweden, "M", "800108"},
		{personalFinland, "M", "080180-"},
		{personalUkraine, "F", "19800108-"},
	}
	for _, tt := range tests {
		t.Run(tt.wantPrefix, func(t *testing.T) {
			got := personalNumber(newRand(2, streamDocument), tt.kind, dob, tt.sex)
			if len(got) < len(tt.wantPrefix) || got[:len(tt.wantPrefix)] != tt.wantPrefix {
				t.Errorf("got %q, want it to start %q", got, tt.wantPrefix)
			}
		})
	}
}

func TestFromPattern(t *testing.T) {
	tests := []struct {
		pattern string
		want    *regexp.Regexp
	}{
		{"@@#######", regexp.MustCompile(`^[A-Z]{2}\d{7}$`)},
		{"P@#######", regexp.MustCompile(`^P[A-Z]\d{7}$`)},
		{"L********", regexp.MustCompile(`^L[CFGHJKLMNPRTVWXYZ0-9]{8}$`)},
		{"7700900###", regexp.MustCompile(`^7700900\d{3}$`)},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			rng := newRand(3, streamDocument)
			for range 100 {
				if got := fromPattern(rng, tt.pattern); !tt.want.MatchString(got) {
					t.Fatalf("got %q, want %s", got, tt.want)
				}
			}
		})
	}
}
