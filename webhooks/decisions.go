package webhooks

import (
	"context"
	"database/sql"
	"time"

	"github.com/hiveconsole/hiveconsole/review"
)

// Decision is a review event's data: ids, the decision, its reason code, whether four-eyes took
// part, and the reviewer by pseudonym. No personal data of the customer, and not the note.
type Decision struct {
	CheckID    string    `json:"check_id"`
	CustomerID string    `json:"customer_id,omitempty"`
	Decision   string    `json:"decision"` // approve, reject or resubmit
	ReasonCode string    `json:"reason_code,omitempty"`
	Stage      string    `json:"stage"`     // final, first (an approval waiting for a second) or disputed
	FourEyes   bool      `json:"four_eyes"` // a second approver took part, or is awaited
	Reviewer   string    `json:"reviewer"`  // the reviewer's pseudonym, the same for all their decisions
	SessionID  string    `json:"session_id,omitempty"`
	DecidedAt  time.Time `json:"decided_at"`
}

// decisionType is the event a decision makes.
func decisionType(r review.Review) string {
	return recordType(Decision{Stage: string(r.Stage), Decision: string(r.Decision)})
}

// Recorded is the ledger's hook (review.Ledger.OnRecord): each decision's event goes to the outbox
// in the decision's own transaction.
func (s *Store) Recorded(ctx context.Context, tx *sql.Tx, r, prev review.Review) error {
	who, err := s.Pseudonym(ctx, tx, r.ReviewerID)
	if err != nil {
		return err
	}
	d := Decision{CheckID: r.CheckID, CustomerID: r.CustomerID, Decision: string(r.Decision), ReasonCode: r.Reason,
		Stage: string(r.Stage), FourEyes: r.Stage != review.Final || (prev.Stage == review.First && r.Decision == review.Approve),
		Reviewer: who, SessionID: r.SessionID, DecidedAt: r.CreatedAt}
	_, err = s.Enqueue(ctx, tx, decisionType(r), d, "")
	return err
}

// CustomerDeletion is a customer.deleted event's data.
type CustomerDeletion struct {
	CustomerID string    `json:"customer_id"`
	Rule       string    `json:"rule"` // the retention rule that deleted them
	Run        int64     `json:"run"`
	DeletedAt  time.Time `json:"deleted_at"`
}

// TestData is a test event's data.
type TestData struct {
	Message string `json:"message"`
}

// CustomerDeleted is retention's hook (retention.Applier.Deleted): the deletion's event goes to the
// outbox in the transaction that records it.
func (s *Store) CustomerDeleted(ctx context.Context, tx *sql.Tx, customerID, rule string, run int64) error {
	_, err := s.Enqueue(ctx, tx, Deleted, CustomerDeletion{CustomerID: customerID, Rule: rule, Run: run, DeletedAt: s.now().UTC().Truncate(time.Second)}, "")
	return err
}
