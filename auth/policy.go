package auth

import (
	_ "embed"
	"strings"
	"unicode/utf8"
)

// Password length limits, counted in characters (runes) so non-Latin passphrases are not penalised.
// The upper limit bounds the work an attacker can make one hash do.
const (
	minPasswordLen = 12
	maxPasswordLen = 128
)

// commonPasswordsFile is the blocklist: see its header for source and selection.
//
//go:embed common-passwords.txt
var commonPasswordsFile string

// passwordPolicy decides which new passwords are acceptable. Following NIST SP 800-63B and ASVS, it
// has no composition rules (they push people to "Password1!"); it refuses short passwords and the
// ones attackers try first.
type passwordPolicy struct {
	common map[string]struct{}
}

func newPasswordPolicy() *passwordPolicy {
	lines := strings.Split(commonPasswordsFile, "\n")
	common := make(map[string]struct{}, len(lines))
	for _, line := range lines {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		common[strings.ToLower(line)] = struct{}{}
	}
	return &passwordPolicy{common: common}
}

// check returns what is wrong with password for the account with the given (normalized) email, worded
// for the form, or "" when it is acceptable.
func (p *passwordPolicy) check(password, email string) string {
	if !utf8.ValidString(password) {
		return "contains characters that are not valid text"
	}
	n := utf8.RuneCountInString(password)
	switch {
	case n < minPasswordLen:
		return "must be at least 12 characters"
	case n > maxPasswordLen:
		return "must be at most 128 characters"
	}
	lower := strings.ToLower(password)
	if email != "" && lower == email {
		return "must not be your email address"
	}
	// A local part of one to three letters ("jo@…") would refuse half of all passphrases.
	if local, _, ok := strings.Cut(email, "@"); ok && utf8.RuneCountInString(local) >= 4 && strings.Contains(lower, local) {
		return "must not contain your email address"
	}
	if p.isCommon(lower) {
		return "is too common: attackers try it first; choose a less predictable one, such as a few unrelated words"
	}
	if distinctRunes(lower) < 4 {
		return "is too repetitive"
	}
	return ""
}

// affixChars are what people pad a common password with to pass a length rule: "password" becomes
// "password1234!" or "2024password".
const affixChars = "0123456789!@#$%^&*()-_=+.,?~ "

// isCommon reports whether lower is a listed password, or one padded with digits and symbols, written
// in leetspeak, with spaces, or repeated ("monkeymonkey").
func (p *passwordPolicy) isCommon(lower string) bool {
	stem := strings.TrimRight(lower, affixChars)
	core := strings.TrimLeft(stem, affixChars)
	candidates := []string{lower}
	for _, s := range []string{stem, core} {
		candidates = append(candidates, s, unleet(s, 'i'), unleet(s, 'l'))
	}
	for _, s := range candidates {
		if strings.Contains(s, " ") {
			candidates = append(candidates, strings.ReplaceAll(s, " ", ""))
		}
	}
	for _, s := range candidates {
		for _, v := range []string{s, repeatedUnit(s)} {
			if _, ok := p.common[v]; ok && v != "" {
				return true
			}
		}
	}
	return false
}

// unleet undoes the common character substitutions; one is ambiguous, so the caller picks its reading.
func unleet(s string, one rune) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '0':
			return 'o'
		case '1', '!', '|':
			return one
		case '3':
			return 'e'
		case '4', '@':
			return 'a'
		case '5', '$':
			return 's'
		case '7', '+':
			return 't'
		}
		return r
	}, s)
}

// repeatedUnit returns u when s is u repeated two or more times, else s.
func repeatedUnit(s string) string {
	for size := 1; size <= len(s)/2; size++ {
		if len(s)%size == 0 && strings.Repeat(s[:size], len(s)/size) == s {
			return s[:size]
		}
	}
	return s
}

func distinctRunes(s string) int {
	seen := make(map[rune]struct{}, len(s))
	for _, r := range s {
		seen[r] = struct{}{}
	}
	return len(seen)
}
