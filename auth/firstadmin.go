package auth

import (
	"context"
	"crypto/rand"
	"strings"
)

// DefaultAdminEmail is the first admin's email when none is configured.
const DefaultAdminEmail = "admin@localhost"

// EnsureFirstAdmin creates an admin account only while there are no users at all, so a fresh install
// can be signed in to and an existing one is never given a known account. With no password, it
// generates a strong random one and returns it to be shown once; there is never a default password.
// A configured password must pass the password policy. When users exist, it does nothing.
func (s *Service) EnsureFirstAdmin(ctx context.Context, email, password string) (created bool, generatedPassword string, err error) {
	users, err := s.store.ListUsers(ctx)
	if err != nil || len(users) > 0 {
		return false, "", err
	}
	email = NormalizeEmail(email)
	if email == "" {
		email = DefaultAdminEmail
	}
	if msg := validateEmail(email); msg != "" {
		return false, "", ValidationErrors{{Field: "email", Message: msg}}
	}
	if password == "" {
		for generatedPassword == "" || s.policy.check(generatedPassword, email) != "" {
			generatedPassword = GeneratePassword()
		}
		password = generatedPassword
	} else if msg := s.policy.check(password, email); msg != "" {
		return false, "", ValidationErrors{{Field: "password", Message: msg}}
	}
	su, err := s.newStoredUser(ctx, email, "Administrator", RoleAdmin, password)
	if err != nil {
		return false, "", err
	}
	// The store re-checks emptiness in the insert itself: another replica may have won meanwhile.
	if created, err = s.store.CreateFirstUser(ctx, su); err != nil || !created {
		return false, "", err
	}
	return true, generatedPassword, nil
}

// GeneratePassword returns 24 random characters in four dash-separated groups (about 119 bits), from
// an alphabet without look-alikes, since a person types it once from a terminal.
func GeneratePassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789" // 31 symbols; no i, l, o, 0, 1
	const limit = 256 / len(alphabet) * len(alphabet)  // bytes at or above it are rejected: no modulo bias
	chars := make([]byte, 0, 24)
	buf := make([]byte, 1)
	for len(chars) < cap(chars) {
		_, _ = rand.Read(buf) // crypto/rand.Read never fails on supported platforms
		if int(buf[0]) < limit {
			chars = append(chars, alphabet[int(buf[0])%len(alphabet)])
		}
	}
	groups := []string{string(chars[0:6]), string(chars[6:12]), string(chars[12:18]), string(chars[18:24])}
	return strings.Join(groups, "-")
}
