package views

import "time"

// AuditModel is the audit trail page.
type AuditModel struct {
	Actor, Action, Target, Outcome, Since, Until string
	Errors                                       map[string]string
	Rows                                         []AuditRow
	Pager                                        Pager
	Total                                        int
	ExportURL                                    string
	RetentionURL                                 string // the retention plan, for admins; "" for others
	WebhooksURL                                  string // the webhooks page, for admins; "" for others
	// EvidenceKey is the public key that signs evidence packs and its fingerprint, for whoever
	// verifies a pack; "" when packs are off.
	EvidenceKey, EvidenceFingerprint string
	Now                              time.Time
}

// AuditRow is one audit event as pages show it.
type AuditRow struct {
	Seq                             int64
	Time                            time.Time
	Actor, Role, Action             string
	TargetType, TargetID, TargetURL string
	ClientIP, RequestID, Outcome    string
	DetailsText                     string
}
