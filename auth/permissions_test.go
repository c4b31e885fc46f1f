package auth

import (
	"slices"
	"testing"
)

// TestPermissionMatrix writes the matrix out independently of permissions.go: any change to the table
// must be made in both places, on purpose.
func TestPermissionMatrix(t *testing.T) {
	const y, n = true, false
	matrix := []struct {
		perm                              Permission
		admin, reviewer, support, auditor bool
	}{
		{ViewOverview, y, y, y, y},
		{ViewCustomers, y, y, y, y},
		{EditCustomers, y, n, y, n},
		{DeleteCustomers, y, n, n, n},
		{ViewSessions, y, y, y, y},
		{IssueSessions, y, n, y, n},
		{DeleteSessions, y, n, y, n},
		{ViewChecks, y, y, y, y},
		{CreateChecks, y, y, n, n},
		{DeleteChecks, y, n, n, n},
		{ViewReports, y, y, y, y},
		{ViewFiles, y, y, y, y},
		{DownloadFiles, y, y, n, n},
		{SeeRecordPII, y, n, y, n},
		{SeeReportPII, y, y, n, n},
		{RevealPII, y, y, n, n},
		{DecideReviews, y, y, n, n},
		{AssignReviews, y, n, n, n},
		{WriteNotes, y, y, y, n},
		{ExportCSV, y, y, n, y},
		{ManageUsers, y, n, n, n},
		{ViewAudit, y, n, n, y},
		{ViewInsights, y, y, n, y},
		{TeamInsights, y, n, n, y},
		{DownloadEvidence, y, y, n, n},
		{HoldCustomers, y, n, n, n},
		{ViewRetention, y, n, n, n},
		{ManageWebhooks, y, n, n, n},
		{ManageAPITokens, y, n, n, n},
	}
	var listed []Permission
	for _, row := range matrix {
		listed = append(listed, row.perm)
		want := map[Role]bool{RoleAdmin: row.admin, RoleReviewer: row.reviewer, RoleSupport: row.support, RoleAuditor: row.auditor}
		for _, role := range AllRoles() {
			t.Run(string(role)+"/"+string(row.perm), func(t *testing.T) {
				if got := role.Can(row.perm); got != want[role] {
					t.Errorf("%s.Can(%s) = %v, want %v", role, row.perm, got, want[role])
				}
			})
		}
	}
	if all := AllPermissions(); !slices.Equal(listed, all) {
		t.Errorf("AllPermissions() = %v, want the matrix's %v", all, listed)
	}
}

func TestRoleRules(t *testing.T) {
	for _, p := range AllPermissions() {
		if !RoleAdmin.Can(p) {
			t.Errorf("admin cannot %s; admin must be able to do everything", p)
		}
		if RoleAuditor.Can(p) && p != ExportCSV && !isRead(p) {
			t.Errorf("auditor can %s; auditors change nothing", p)
		}
	}
	if RoleSupport.Can(RevealPII) || RoleAuditor.Can(RevealPII) {
		t.Errorf("support or auditor can reveal PII")
	}
	if RoleAuditor.Can(SeeRecordPII) || RoleAuditor.Can(SeeReportPII) {
		t.Errorf("auditors see PII in clear; they must see it masked always")
	}
	for _, r := range []Role{"", "root", "Admin"} {
		if r.Valid() || r.Can(ViewOverview) {
			t.Errorf("Role(%q): Valid() or Can(ViewOverview) true, want false", r)
		}
		if _, err := ParseRole(string(r)); err == nil {
			t.Errorf("ParseRole(%q): got nil error, want one", r)
		}
	}
	seen := map[Permission]bool{}
	for _, p := range AllPermissions() {
		if seen[p] {
			t.Errorf("AllPermissions lists %s twice", p)
		}
		seen[p] = true
	}
	if got := (User{Role: RoleAdmin, Disabled: true}).Can(ViewOverview); got {
		t.Errorf("disabled admin Can(ViewOverview) = true, want false")
	}
	if got, want := RoleAuditor.Permissions(), []Permission{ViewOverview, ViewCustomers, ViewSessions, ViewChecks, ViewReports, ViewFiles, ExportCSV, ViewAudit,
		ViewInsights, TeamInsights}; !slices.Equal(got, want) {
		t.Errorf("auditor Permissions() = %v, want %v", got, want)
	}
}

// isRead reports whether p only reads.
func isRead(p Permission) bool {
	switch p {
	case ViewOverview, ViewCustomers, ViewSessions, ViewChecks, ViewReports, ViewFiles, ViewAudit, ViewInsights, TeamInsights, DownloadEvidence, ViewRetention:
		return true
	}
	return false
}
