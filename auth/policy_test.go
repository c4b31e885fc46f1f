package auth

import (
	"errors"
	"strings"
	"testing"
)

func TestPasswordPolicy(t *testing.T) {
	p := newPasswordPolicy()
	if n := len(p.common); n < 1000 {
		t.Fatalf("common password list has %d entries, want at least 1000", n)
	}
	const email = "alice.smith@example.com"
	tests := []struct {
		name, password string
		ok             bool
	}{
		{"eleven characters", "plinth-otte", false},
		{"twelve characters", "plinth-otter", true},
		{"twelve runes, more bytes", "ŝŝŝŝ-ĥĥĥĥ-ĵĵĵ", true},
		{"eleven runes of many bytes", "日本語のパスワードです", false},
		{"129 characters", strings.Repeat("q", 120) + "plinthxyz", false},
		{"no composition needed", "glassy hermit bicycle", true},
		{"listed, twelve or more", "qwertyuiop123", false},
		{"listed, other case", "QwertyUiop123", false},
		{"listed long entry", "1qaz2wsx3edc", false},
		{"common stem with digits", "password1234", false},
		{"common stem with digits and symbols", "Password123!", false},
		{"common stem with a prefix", "2024sunshine!!", false},
		{"leetspeak", "P@ssw0rd2024!", false},
		{"repeated common word", "monkeymonkey", false},
		{"with spaces", "i love you 12345", false},
		{"equal to the email", email, false},
		{"email in other case", "Alice.Smith@Example.com", false},
		{"contains the local part", "xx-alice.smith-99", false},
		{"one repeated character", strings.Repeat("z", 16), false},
		{"too few distinct characters", "abababababab", false},
		{"unrelated words", "vault otter plinth", true},
		{"invalid UTF-8", "plinth-otter\xff\xfe", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := p.check(tt.password, email)
			if got := msg == ""; got != tt.ok {
				t.Errorf("check(%q) = %q; acceptable %v, want %v", tt.password, msg, got, tt.ok)
			}
		})
	}
	// The 128-character limit on its own, with a password that passes everything else.
	long := strings.Repeat("vault otter plinth ", 7)[:128]
	if msg := p.check(long, email); msg != "" {
		t.Errorf("128-character passphrase: got %q, want acceptable", msg)
	}
	if msg := p.check(long+"x", email); !strings.Contains(msg, "128") {
		t.Errorf("129-character passphrase: got %q, want the 128-character limit", msg)
	}
	// A short local part is not searched for: "jo@" would refuse every password with "jo" in it.
	if msg := p.check("major jogging stairs", "jo@example.com"); msg != "" {
		t.Errorf("password containing a 2-letter local part: got %q, want acceptable", msg)
	}
}

func TestCreateUserValidation(t *testing.T) {
	svc, _, _ := newTestEnv(t, nil)
	_, err := svc.CreateUser(t.Context(), NewUser{Email: "not an email", Name: "", Role: "root", Password: "short"})
	var verrs ValidationErrors
	if !errors.As(err, &verrs) {
		t.Fatalf("CreateUser with bad input: got %v, want ValidationErrors", err)
	}
	for _, field := range []string{"email", "name", "role", "password"} {
		if verrs.Message(field) == "" {
			t.Errorf("no message for field %q in %v", field, verrs)
		}
	}
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "email" {
		t.Errorf("errors.As(*FieldError) = %v, want the email field first", fe)
	}
	for _, bad := range []string{"Alice <alice@example.com>", "a@b@c", "@example.com", strings.Repeat("a", 250) + "@x.io"} {
		if msg := validateEmail(NormalizeEmail(bad)); msg == "" {
			t.Errorf("validateEmail(%q) accepted it, want a message", bad)
		}
	}
}
