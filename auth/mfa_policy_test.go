package auth

import "testing"

func TestMFAPolicy(t *testing.T) {
	for _, c := range []struct {
		in, str                           string
		admin, reviewer, support, auditor bool
	}{
		{"all", "all", true, true, true, true},
		{"none", "none", false, false, false, false},
		{" Admin, reviewer ", "admin,reviewer", true, true, false, false},
		{"auditor", "auditor", false, false, false, true},
		{"admin,reviewer,support,auditor", "all", true, true, true, true},
	} {
		p, err := ParseMFAPolicy(c.in)
		if err != nil {
			t.Fatalf("%q: %v", c.in, err)
		}
		if p.String() != c.str || p.Requires(RoleAdmin) != c.admin || p.Requires(RoleReviewer) != c.reviewer ||
			p.Requires(RoleSupport) != c.support || p.Requires(RoleAuditor) != c.auditor {
			t.Errorf("%q: %s, admin %v reviewer %v support %v auditor %v", c.in, p, p.Requires(RoleAdmin), p.Requires(RoleReviewer),
				p.Requires(RoleSupport), p.Requires(RoleAuditor))
		}
		if p.Requires("root") {
			t.Errorf("%q requires an unknown role", c.in)
		}
	}
	for _, bad := range []string{"", "root", "admin,boss", ","} {
		if _, err := ParseMFAPolicy(bad); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
}
