package auth

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// OIDCRole maps one value of the provider's role claim (a group, an app role) to a console role.
type OIDCRole struct {
	Value string
	Role  Role
}

// OIDCRoles is HIVECONSOLE_OIDC_ROLES: claim values and the roles they grant, as listed.
type OIDCRoles []OIDCRole

// ParseOIDCRoles reads "value=role" entries separated by commas, such as
// "console-admins=admin,kyc-reviewers=reviewer". A value may itself hold "=": the role is after the
// last one. Empty gives no mapping.
func ParseOIDCRoles(s string) (OIDCRoles, error) {
	var out OIDCRoles
	seen := map[string]bool{}
	for _, entry := range strings.Split(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		i := strings.LastIndex(entry, "=")
		if i <= 0 {
			return nil, fmt.Errorf("want value=role entries, got %q", entry)
		}
		value, role := strings.TrimSpace(entry[:i]), Role(strings.TrimSpace(entry[i+1:]))
		if value == "" || !role.Valid() {
			return nil, fmt.Errorf("want value=role with a role of admin, reviewer, support or auditor, got %q", entry)
		}
		if seen[value] {
			return nil, fmt.Errorf("%q is mapped twice", value)
		}
		seen[value] = true
		out = append(out, OIDCRole{Value: value, Role: role})
	}
	return out, nil
}

// String is the mapping as ParseOIDCRoles reads it.
func (m OIDCRoles) String() string {
	parts := make([]string, len(m))
	for i, r := range m {
		parts[i] = r.Value + "=" + string(r.Role)
	}
	return strings.Join(parts, ",")
}

// RoleFor is the role values grant: someone in several mapped groups gets the most powerful of
// their roles (admin, reviewer, support, auditor), whatever order the mapping or the claim lists
// them in. ok is false when no value is mapped.
func (m OIDCRoles) RoleFor(values []string) (role Role, ok bool) {
	rank := len(AllRoles())
	for _, r := range m {
		if !slices.Contains(values, r.Value) {
			continue
		}
		if i := slices.Index(AllRoles(), r.Role); i < rank {
			rank, role, ok = i, r.Role, true
		}
	}
	return role, ok
}

// PasswordSignIn is HIVECONSOLE_PASSWORD_SIGNIN: who may sign in with a password. The zero value lets
// everyone; with single sign-on in place, BreakGlass names the one admin who still may, for the
// day the provider is down.
type PasswordSignIn struct {
	BreakGlass string // a normalized email; empty: everyone signs in with a password
}

// ParsePasswordSignIn reads "on" (or empty) and "break-glass:EMAIL".
func ParsePasswordSignIn(s string) (PasswordSignIn, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "on" {
		return PasswordSignIn{}, nil
	}
	email, ok := strings.CutPrefix(s, "break-glass:")
	email = NormalizeEmail(email)
	if !ok || validateEmail(email) != "" {
		return PasswordSignIn{}, errors.New(`want "on" or "break-glass:EMAIL" with the email of the one admin who may still sign in with a password`)
	}
	return PasswordSignIn{BreakGlass: email}, nil
}

// Allows reports whether email may sign in with a password.
func (p PasswordSignIn) Allows(email string) bool {
	return p.BreakGlass == "" || subtle.ConstantTimeCompare([]byte(NormalizeEmail(email)), []byte(p.BreakGlass)) == 1
}

// String is the setting as ParsePasswordSignIn reads it.
func (p PasswordSignIn) String() string {
	if p.BreakGlass == "" {
		return "on"
	}
	return "break-glass:" + p.BreakGlass
}

func equalStrings(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
