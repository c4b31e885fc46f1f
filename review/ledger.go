// Package review keeps reviewers' decisions on checks, which Hive has no place for: each decision
// (approve, reject with a reason code, or request resubmission) with its note, reviewer and time, in
// the console database. Decisions are never changed; a later one supersedes, and the history stays.
// The console records and reads them through one [Ledger], which [New] builds.
package review

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/database"
)

// Decision is what a reviewer decided about a completed check.
type Decision string

// The decisions a reviewer can record.
const (
	Approve  Decision = "approve"
	Reject   Decision = "reject"
	Resubmit Decision = "resubmit" // request resubmission: the console issues a new SDK session
)

// Valid reports whether d is one of the known decisions.
func (d Decision) Valid() bool {
	return d == Approve || d == Reject || d == Resubmit
}

// Ledger is the review decisions kept in the console database. Build it with New.
type Ledger struct {
	db       *database.DB
	now      func() time.Time
	claimTTL time.Duration
	recorded Recorded
}

// Recorded hears each decision inside the transaction that records it, with the check's decision
// before it (zero when none): what it writes is committed with the decision or not at all. An error
// refuses the decision.
type Recorded func(ctx context.Context, tx *sql.Tx, r, prev Review) error

// OnRecord makes f hear every decision recorded from now on (the webhooks' outbox); set it before
// the ledger is used.
func (l *Ledger) OnRecord(f Recorded) { l.recorded = f }

// New returns the ledger kept in db; now is the clock (time.Now when nil), claimTTL how long a claim
// holds without activity (DefaultClaimTTL when zero).
func New(db *database.DB, now func() time.Time, claimTTL time.Duration) *Ledger {
	if now == nil {
		now = time.Now
	}
	if claimTTL <= 0 {
		claimTTL = DefaultClaimTTL
	}
	return &Ledger{db: db, now: now, claimTTL: claimTTL}
}

// Stage says what a decision did to its check under four-eyes: most decisions are final; an approval
// that needs a second approver is a first step; a rejection that contradicts a first approval is a
// dispute, which sends the check back to the queue.
type Stage string

// The stages of a decision.
const (
	Final    Stage = "final"
	First    Stage = "first"    // an approval waiting for a second approver
	Disputed Stage = "disputed" // a rejection of a check another reviewer approved first
)

// The states a check's newest decision puts it in, for pages and filters.
const (
	StateApproved      = "approved"
	StateRejected      = "rejected"
	StateResubmission  = "resubmission"
	StatePendingSecond = "pending_second"
	StateDisagree      = "disagree"
)

// State is the state this decision, when it is a check's newest, puts the check in.
func (r Review) State() string {
	switch {
	case r.Stage == First:
		return StatePendingSecond
	case r.Stage == Disputed:
		return StateDisagree
	case r.Decision == Approve:
		return StateApproved
	case r.Decision == Reject:
		return StateRejected
	}
	return StateResubmission
}

// ErrSecondBySamePerson refuses the second approval of a check from whoever gave the first.
var ErrSecondBySamePerson = errors.New("review: the second approval must come from someone other than the first approver")

// Review is one recorded decision. Decisions are immutable; a later one supersedes, the history stays.
type Review struct {
	ID            int64 // assigned by the database; orders reviews recorded in the same second
	CheckID       string
	CustomerID    string // "" when not known
	Decision      Decision
	Reason        string // reason code, required for reject (one of the configured codes), else ""
	Note          string // always required, 1..2000 characters after trimming
	SessionID     string // the new SDK session of a resubmit request, else ""
	ReviewerID    string
	ReviewerEmail string // at the time
	CreatedAt     time.Time
	Stage         Stage // set by Record from the check's history and NeedsSecond
	// ErasedAt is when retention erased the note with the customer: Note is then "sha256:" and the
	// hex SHA-256 of the text it had. Zero for a decision as recorded.
	ErasedAt time.Time
	// NeedsSecond, given to Record, says the configured four-eyes rules apply to approving this
	// check; it is not stored.
	NeedsSecond bool
	// Seen, when given to Record, is the id of the check's newest decision the reviewer saw when they
	// decided (0: none). A decision recorded since is refused as a *ChangedError: the later decision
	// must not silently win. It is not stored.
	Seen *int64
}

// ChangedError refuses a decision taken on a page that no longer shows the check's newest decision.
type ChangedError struct{ Newest Review }

func (e *ChangedError) Error() string {
	return "review: " + e.Newest.ReviewerEmail + " recorded a decision on the check since"
}

// RejectReason is a reason code a reviewer picks when rejecting, with the label the form shows.
type RejectReason struct{ Code, Label string }

// DefaultRejectReasons are the reason codes offered when none are configured.
var DefaultRejectReasons = []RejectReason{
	{Code: "document_fraud", Label: "Document looks forged or tampered"},
	{Code: "face_mismatch", Label: "Selfie does not match the document"},
	{Code: "data_mismatch", Label: "Details do not match the customer record"},
	{Code: "expired_document", Label: "Document expired"},
	{Code: "poor_quality", Label: "Images unreadable"},
	{Code: "suspicious_device", Label: "Suspicious device or network"},
	{Code: "other", Label: "Other (see note)"},
}

// Limits shared by validation and the schema's CHECK constraints (00003_reviews.sql).
const (
	maxReviewNoteLen   = 2000 // runes
	maxReasonCodeLen   = 40
	maxReasonLabelLen  = 100 // runes
	maxReviewRefLen    = 100 // check, customer and session ids
	reviewDecisionText = "must be approve, reject or resubmit"
)

// Validate checks a decision before anything is done about it (before a resubmit issues a
// session): the decision is known; the note, once trimmed, is 1..2000 characters without control
// characters other than line breaks and tabs; a rejection names one of reasons and other decisions
// name none. Empty reasons means DefaultRejectReasons. Problems come back as auth.ValidationErrors with the
// form fields "decision", "reason" and "note".
func Validate(r Review, reasons []RejectReason) error {
	r = normalizeReview(r)
	if len(reasons) == 0 {
		reasons = DefaultRejectReasons
	}
	var verrs auth.ValidationErrors
	if !r.Decision.Valid() {
		verrs = append(verrs, &auth.FieldError{Field: "decision", Message: reviewDecisionText})
	}
	if msg := validateReason(r.Decision, r.Reason, reasons); msg != "" {
		verrs = append(verrs, &auth.FieldError{Field: "reason", Message: msg})
	}
	if msg := validateNote(r.Note); msg != "" {
		verrs = append(verrs, &auth.FieldError{Field: "note", Message: msg})
	}
	return verrs.OrNil()
}

func normalizeReview(r Review) Review {
	r.CheckID = strings.TrimSpace(r.CheckID)
	r.CustomerID = strings.TrimSpace(r.CustomerID)
	r.Decision = Decision(strings.TrimSpace(string(r.Decision)))
	r.Reason = strings.TrimSpace(r.Reason)
	r.Note = strings.TrimSpace(r.Note)
	r.SessionID = strings.TrimSpace(r.SessionID)
	return r
}

func validateReason(d Decision, code string, reasons []RejectReason) string {
	switch {
	case !d.Valid():
		return "" // whether a reason belongs depends on the decision; that error says enough
	case d != Reject && code != "":
		return "is only given when rejecting"
	case d != Reject:
		return ""
	case code == "":
		return "is required when rejecting"
	}
	for _, r := range reasons {
		if r.Code == code {
			return ""
		}
	}
	return "is not one of the offered reasons"
}

// validateNote checks a trimmed note. Line breaks and tabs are what a textarea legitimately sends;
// other control characters only hide text from whoever reads the history later.
func validateNote(note string) string {
	switch {
	case note == "":
		return "is required"
	case !utf8.ValidString(note):
		return "must be valid text"
	case utf8.RuneCountInString(note) > maxReviewNoteLen:
		return fmt.Sprintf("must be at most %d characters", maxReviewNoteLen)
	case strings.ContainsFunc(note, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }):
		return "must not contain control characters"
	}
	return ""
}

// checkReviewRecord checks what the console, not the form, fills in: a record missing these is a bug
// in the caller, so the error is a plain one.
func checkReviewRecord(r Review) error {
	switch {
	case !validReviewRef(r.CheckID, true):
		return errors.New("review: record review: a check id of 1..100 characters is required")
	case !validReviewRef(r.CustomerID, false):
		return errors.New("review: record review: the customer id is too long or not printable")
	case r.Decision == Resubmit && r.SessionID == "":
		return errors.New("review: record review: a resubmission needs the id of the session issued for it")
	case r.Decision != Resubmit && r.SessionID != "":
		return errors.New("review: record review: only a resubmission carries a session id")
	case !validReviewRef(r.SessionID, false):
		return errors.New("review: record review: the session id is too long or not printable")
	case r.ReviewerID == "" || r.ReviewerEmail == "":
		return errors.New("review: record review: the reviewer's id and email are required")
	}
	return nil
}

func validReviewRef(id string, required bool) bool {
	if id == "" {
		return !required
	}
	return len(id) <= maxReviewRefLen && utf8.ValidString(id) && !strings.ContainsFunc(id, unicode.IsControl)
}

// Record validates r (see Validate; empty reasons means DefaultRejectReasons), stamps it with the
// ledger's clock in UTC, whole seconds as stored, and inserts it. It returns the review as stored, ID
// included. Field problems come back as auth.ValidationErrors. A decision ends the claim on the
// check; when someone other than the reviewer holds it, nothing is stored and a *HeldError names
// them.
func (l *Ledger) Record(ctx context.Context, r Review, reasons []RejectReason) (Review, error) {
	if err := Validate(r, reasons); err != nil {
		return Review{}, err
	}
	r = normalizeReview(r)
	if err := checkReviewRecord(r); err != nil {
		return Review{}, err
	}
	r.ID = 0
	r.CreatedAt = l.now().UTC().Truncate(time.Second)
	err := l.db.Tx(ctx, func(tx *sql.Tx) error {
		// Decisions are recorded one at a time, so their ids grow in the order they commit: a reader
		// that has seen id n (the read API's feed) never finds a smaller id committed later.
		if err := l.db.LockAppends(ctx, tx, "reviews"); err != nil {
			return err
		}
		// Taking the claim first locks it: nobody takes the check between this look and the insert,
		// and two decisions on one check are recorded one after the other, each seeing the last.
		if _, err := l.claimIn(ctx, tx, r.CheckID, auth.User{ID: r.ReviewerID, Email: r.ReviewerEmail}); err != nil {
			return err
		}
		last, err := scanReview(tx.QueryRowContext(ctx, l.db.Q(`SELECT `+reviewColumns+` FROM reviews WHERE check_id = ?`+newestFirst+` LIMIT 1`), r.CheckID))
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if r.Seen != nil && *r.Seen != last.ID {
			return &ChangedError{Newest: last}
		}
		if r.Stage, err = stageOf(r, last); err != nil {
			return err
		}
		if r.ID, err = l.insert(ctx, tx, r); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, l.db.Q(`DELETE FROM check_claims WHERE check_id = ?`), r.CheckID); err != nil {
			return fmt.Errorf("review: end the claim: %w", err)
		}
		if l.recorded != nil {
			return l.recorded(ctx, tx, r, last)
		}
		return nil
	})
	if err != nil {
		return Review{}, err
	}
	r.NeedsSecond, r.Seen = false, nil
	return r, nil
}

// stageOf decides what a decision does, given the check's newest decision before it (zero when none).
// After a first approval: the first approver's own change of mind is final, as is another
// reviewer's approval (the second); another reviewer's rejection disputes it and a resubmission
// request from them is final. Otherwise an approval the rules cover is a first step.
func stageOf(r, last Review) (Stage, error) {
	if last.Stage == First {
		switch {
		case r.ReviewerID == last.ReviewerID && r.Decision == Approve:
			return "", ErrSecondBySamePerson
		case r.ReviewerID == last.ReviewerID, r.Decision == Approve, r.Decision == Resubmit:
			return Final, nil
		}
		return Disputed, nil
	}
	if r.Decision == Approve && r.NeedsSecond {
		return First, nil
	}
	return Final, nil
}

// ForCheck returns a check's review history, newest first; an empty slice when it has none.
func (l *Ledger) ForCheck(ctx context.Context, checkID string) ([]Review, error) {
	return l.query(ctx, "list reviews", `SELECT `+reviewColumns+` FROM reviews WHERE check_id = ?`+newestFirst, checkID)
}

// Latest maps each reviewed check's id to its newest review, for check lists and the review queue.
// Checks never reviewed are absent.
func (l *Ledger) Latest(ctx context.Context) (map[string]Review, error) { return l.latest(ctx) }

// LatestOf maps each of the given checks that has been reviewed to its newest review: a page of a
// list asks for its own rows only, whatever the number of reviews.
func (l *Ledger) LatestOf(ctx context.Context, checkIDs []string) (map[string]Review, error) {
	m := make(map[string]Review, len(checkIDs))
	for from := 0; from < len(checkIDs); from += 500 {
		ids := checkIDs[from:min(len(checkIDs), from+500)]
		args := database.Anys(ids)
		list, err := l.query(ctx, "latest reviews", `SELECT `+reviewColumns+` FROM (
			SELECT `+reviewColumns+`, ROW_NUMBER() OVER (PARTITION BY check_id`+newestFirst+`) AS n FROM reviews
			WHERE check_id IN (`+database.Placeholders(len(ids))+`)
		) latest WHERE n = 1`, args...)
		if err != nil {
			return nil, err
		}
		for _, r := range list {
			m[r.CheckID] = r
		}
	}
	return m, nil
}

// ForCustomer returns every review recorded against a customer, newest first; an empty slice when
// there are none.
func (l *Ledger) ForCustomer(ctx context.Context, customerID string) ([]Review, error) {
	if customerID == "" {
		return []Review{}, nil // "" means "not known" on a review, not a customer
	}
	return l.query(ctx, "list customer reviews", `SELECT `+reviewColumns+` FROM reviews WHERE customer_id = ?`+newestFirst, customerID)
}

// RejectReasonLabel returns the label of code in reasons, or the code itself when the list no longer
// has it: reasons are configuration and may change after a review was recorded.
func RejectReasonLabel(reasons []RejectReason, code string) string {
	for _, r := range reasons {
		if r.Code == code {
			return r.Label
		}
	}
	return code
}

// ParseRejectReasons parses the configured reject reasons: entries separated by ";", each a code,
// "=" and the label the form shows, for example
//
//	document_fraud=Document looks forged;face_mismatch=Selfie does not match;other=Other (see note)
//
// Space around entries, codes and labels is ignored, and so is an empty entry (a trailing ";").
// Codes are 1..40 of a-z, 0-9 and _, since they are stored with each rejection; labels are 1..100
// characters and may contain "=" but not ";". Codes and labels must not repeat. A blank s gives a
// copy of DefaultRejectReasons, so the configuration can pass an unset variable straight through.
func ParseRejectReasons(s string) ([]RejectReason, error) {
	if strings.TrimSpace(s) == "" {
		return append([]RejectReason(nil), DefaultRejectReasons...), nil
	}
	var out []RejectReason
	codes, labels := map[string]bool{}, map[string]bool{}
	for entry := range strings.SplitSeq(s, ";") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		code, label, ok := strings.Cut(entry, "=")
		code, label = strings.TrimSpace(code), strings.TrimSpace(label)
		switch {
		case !ok:
			return nil, fmt.Errorf("reject reason %q: want code=Label", entry)
		case !validReasonCode(code):
			return nil, fmt.Errorf("reject reason %q: the code must be 1..%d of a-z, 0-9 and _", entry, maxReasonCodeLen)
		case label == "" || utf8.RuneCountInString(label) > maxReasonLabelLen || !utf8.ValidString(label):
			return nil, fmt.Errorf("reject reason %q: the label must be 1..%d characters", entry, maxReasonLabelLen)
		case strings.ContainsFunc(label, unicode.IsControl):
			return nil, fmt.Errorf("reject reason %q: the label must not contain control characters", entry)
		case codes[code]:
			return nil, fmt.Errorf("reject reason %q: the code %s is listed twice", entry, code)
		case labels[label]:
			return nil, fmt.Errorf("reject reason %q: the label is listed twice", entry)
		}
		codes[code], labels[label] = true, true
		out = append(out, RejectReason{Code: code, Label: label})
	}
	if len(out) == 0 {
		return nil, errors.New("reject reasons: none given; want code=Label;code2=Label two")
	}
	return out, nil
}

func validReasonCode(code string) bool {
	if code == "" || len(code) > maxReasonCodeLen {
		return false
	}
	for _, c := range code {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// FormatRejectReasons is the inverse of ParseRejectReasons, for showing a list (the default, say) in
// the form the configuration takes.
func FormatRejectReasons(reasons []RejectReason) string {
	parts := make([]string, len(reasons))
	for i, r := range reasons {
		parts[i] = r.Code + "=" + r.Label
	}
	return strings.Join(parts, ";")
}
