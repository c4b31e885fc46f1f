package auth

import (
	"fmt"
	"slices"
	"strings"
)

// MFAPolicy says which roles must sign in with a second factor.
type MFAPolicy struct {
	roles roleSet
}

// ParseMFAPolicy reads HIVECONSOLE_MFA_REQUIRED: "all", "none", or roles separated by commas
// ("admin,reviewer").
func ParseMFAPolicy(v string) (MFAPolicy, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "all":
		return MFAPolicy{roles: everyone}, nil
	case "none":
		return MFAPolicy{}, nil
	}
	var p MFAPolicy
	for _, s := range strings.Split(v, ",") {
		s = strings.ToLower(strings.TrimSpace(s))
		if s == "" {
			continue
		}
		r, err := ParseRole(s)
		if err != nil {
			return MFAPolicy{}, fmt.Errorf("%q is not a role: want all, none, or some of admin, reviewer, support, auditor", s)
		}
		p.roles |= r.bit()
	}
	if p.roles == 0 {
		return MFAPolicy{}, fmt.Errorf("want all, none, or some of admin, reviewer, support, auditor")
	}
	return p, nil
}

// Requires reports whether a user of role r must have a second factor.
func (p MFAPolicy) Requires(r Role) bool { return r.bit() != 0 && p.roles&r.bit() != 0 }

// String is the policy as ParseMFAPolicy reads it.
func (p MFAPolicy) String() string {
	switch p.roles {
	case everyone:
		return "all"
	case 0:
		return "none"
	}
	var names []string
	for _, r := range AllRoles() {
		if p.Requires(r) {
			names = append(names, string(r))
		}
	}
	return strings.Join(slices.Clip(names), ",")
}
