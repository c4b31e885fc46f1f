package auth

import "fmt"

// Role is what a staff member is hired to do. What each role may do is decided by the table in
// this file and nowhere else: code asks Can with a Permission, never compares role names.
type Role string

// The roles.
const (
	RoleAdmin    Role = "admin"    // manages staff, reads the audit trail, may do everything
	RoleReviewer Role = "reviewer" // works the review queue: reads everything, creates checks, decides, reveals PII
	RoleSupport  Role = "support"  // edits customers and issues SDK sessions; reads checks and reports masked
	RoleAuditor  Role = "auditor"  // reads everything including the audit trail; changes nothing, reveals nothing
)

// Permission is one thing a staff member may do in the console.
type Permission string

// The permissions. Each is a domain action; routes name the one they need.
const (
	ViewOverview     Permission = "overview.view"     // the overview page
	ViewCustomers    Permission = "customers.view"    // customer list and detail (contact data masked without SeeRecordPII)
	EditCustomers    Permission = "customers.edit"    // create and update customers
	DeleteCustomers  Permission = "customers.delete"  // delete a customer (and, at Hive, its data)
	ViewSessions     Permission = "sessions.view"     // SDK session list and detail
	IssueSessions    Permission = "sessions.issue"    // create an SDK session for a customer
	DeleteSessions   Permission = "sessions.delete"   // delete an SDK session
	ViewChecks       Permission = "checks.view"       // check list and detail
	CreateChecks     Permission = "checks.create"     // run a check on a completed session
	DeleteChecks     Permission = "checks.delete"     // delete a check
	ViewReports      Permission = "reports.view"      // the report viewer (identity data masked without SeeReportPII)
	ViewFiles        Permission = "files.view"        // file metadata: names, kinds, sizes
	DownloadFiles    Permission = "files.download"    // file bytes: document and selfie images, PII in its rawest form
	SeeRecordPII     Permission = "pii.record"        // customer records' email, phone and date of birth shown in clear
	SeeReportPII     Permission = "pii.report"        // reports' document and personal numbers, MRZ, birth date, IP, coordinates, device hash, raw JSON in clear
	RevealPII        Permission = "pii.reveal"        // reveal one masked field, with a reason, audited
	DecideReviews    Permission = "reviews.decide"    // record a review decision on a check; claim and release checks
	AssignReviews    Permission = "reviews.assign"    // give checks to reviewers, take them back, release anyone's claim
	WriteNotes       Permission = "notes.write"       // add notes to checks and customers (reading them comes with the page)
	ExportCSV        Permission = "exports.csv"       // download lists as CSV (masked without SeeRecordPII)
	ManageUsers      Permission = "users.manage"      // create staff, change roles, disable, reset passwords, revoke sessions
	ViewAudit        Permission = "audit.view"        // read the audit trail
	ViewInsights     Permission = "insights.view"     // the insights page: the workload's figures, and one's own decisions'
	TeamInsights     Permission = "insights.team"     // insights into every reviewer's decisions, not only one's own
	DownloadEvidence Permission = "evidence.download" // a check's signed evidence pack: its report, images, customer record, decisions, notes and audit rows in clear
	HoldCustomers    Permission = "customers.hold"    // place and release legal holds, which stop every deletion of a customer's data
	ViewRetention    Permission = "retention.view"    // the retention page: what the policy would delete now
	ManageWebhooks   Permission = "webhooks.manage"   // add, disable and rotate webhook endpoints, read their delivery logs, send again
	ManageAPITokens  Permission = "api_tokens.manage" // create and revoke the tokens other systems read decisions with
)

// roleSet is a set of roles as bits, so the table below reads as a matrix and cannot be mutated.
type roleSet uint8

const (
	admin roleSet = 1 << iota
	reviewer
	support
	auditor

	everyone = admin | reviewer | support | auditor
)

// grantees is THE permission table. A permission missing here is granted to nobody.
//
// Why the less obvious cells are what they are: support answers "why was I rejected" from masked
// pages, so it reads checks, reports and file metadata but downloads no images and exports nothing in
// bulk; it edits customer records, so it sees their contact data. Reviewers read everything a
// decision needs, identity data in reports in clear, but customers' contact data masked (a reveal,
// with a reason, is audited); they edit or delete no records. Auditors read everything, including
// the trail, always masked, and reveal nothing.
func grantees(p Permission) roleSet {
	switch p {
	case ViewOverview, ViewCustomers, ViewSessions, ViewChecks, ViewReports, ViewFiles:
		return everyone
	case EditCustomers, IssueSessions, DeleteSessions: // support may withdraw a session it issued
		return admin | support
	case WriteNotes: // everyone who works cases; auditors only read
		return admin | reviewer | support
	case DeleteCustomers, DeleteChecks, ManageUsers, AssignReviews, HoldCustomers, ViewRetention, ManageWebhooks, ManageAPITokens:
		return admin
	case CreateChecks, DecideReviews, RevealPII, DownloadFiles, SeeReportPII, DownloadEvidence: // a pack holds images and data in clear
		return admin | reviewer
	case SeeRecordPII:
		return admin | support
	case ExportCSV:
		return admin | reviewer | auditor
	case ViewAudit, TeamInsights:
		return admin | auditor
	case ViewInsights: // a reviewer sees their own decisions' figures; support works no cases
		return admin | reviewer | auditor
	}
	return 0
}

// Can reports whether the role grants p. An unknown role can do nothing.
func (r Role) Can(p Permission) bool {
	bit := r.bit()
	return bit != 0 && grantees(p)&bit != 0
}

// Permissions lists what the role grants, in AllPermissions order; for navigation and docs.
func (r Role) Permissions() []Permission {
	var out []Permission
	for _, p := range AllPermissions() {
		if r.Can(p) {
			out = append(out, p)
		}
	}
	return out
}

// Valid reports whether r is one of the four roles.
func (r Role) Valid() bool { return r.bit() != 0 }

func (r Role) bit() roleSet {
	switch r {
	case RoleAdmin:
		return admin
	case RoleReviewer:
		return reviewer
	case RoleSupport:
		return support
	case RoleAuditor:
		return auditor
	}
	return 0
}

// ParseRole turns a form or command-line value into a Role.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if !r.Valid() {
		return "", fmt.Errorf("auth: unknown role %q (want admin, reviewer, support or auditor)", s)
	}
	return r, nil
}

// AllRoles lists the roles, most powerful first. It returns a new slice each call.
func AllRoles() []Role {
	return []Role{RoleAdmin, RoleReviewer, RoleSupport, RoleAuditor}
}

// AllPermissions lists every permission, for tests that walk routes × roles and for docs.
// It returns a new slice each call.
func AllPermissions() []Permission {
	return []Permission{
		ViewOverview,
		ViewCustomers, EditCustomers, DeleteCustomers,
		ViewSessions, IssueSessions, DeleteSessions,
		ViewChecks, CreateChecks, DeleteChecks,
		ViewReports,
		ViewFiles, DownloadFiles,
		SeeRecordPII, SeeReportPII, RevealPII, DecideReviews, AssignReviews, WriteNotes, ExportCSV,
		ManageUsers, ViewAudit, ViewInsights, TeamInsights, DownloadEvidence, HoldCustomers, ViewRetention, ManageWebhooks, ManageAPITokens,
	}
}
