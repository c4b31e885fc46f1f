// Package audit is the console's audit trail: who did what, and who saw what. Rows are appended, never
// changed, each sealed by a SHA-256 over the previous row's hash and its own canonical content, so
// [Trail.Verify] finds any row edited, removed or inserted behind the console's back. Free text is
// cleaned before it is sealed, and [EscapeText] shows what older rows may still hold.
//
// The console records through one [Trail], which [New] builds on the console database; it fails
// closed: a caller whose row could not be written must not act or serve.
package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/database"
)

// Trail is the audit trail in the console database. Build it with New.
type Trail struct {
	db  *database.DB
	now func() time.Time
}

// New returns the trail kept in db; now is the clock (time.Now when nil).
func New(db *database.DB, now func() time.Time) *Trail {
	if now == nil {
		now = time.Now
	}
	return &Trail{db: db, now: now}
}

// Event is one thing that happened, as the console records it.
type Event struct {
	Time       time.Time // UTC; Record sets it from the service clock when zero
	ActorID    string    // user id; "cli:<os user>@<host>" for the shell; "" when nobody is signed in (a failed sign-in)
	ActorEmail string    // the actor's email at the time (for a failed sign-in: the email typed, normalised)
	Role       auth.Role // the actor's role at the time; "" when anonymous
	Action     string    // dotted verb, e.g. "auth.sign_in", "customer.update", "report.view", "pii.reveal", "access.denied"
	TargetType string    // "customer", "check", "session", "file", "user", "audit", or ""
	TargetID   string
	ClientIP   string
	RequestID  string
	Outcome    string         // "success", "failure", "denied" or "attempted"
	Details    map[string]any // JSON-encodable; never a secret, a revealed value or file bytes
	// Personal is personal data of Subject (CustomerSubject) the row must hold, such as an update's
	// before and after values: Record seals it under the subject's key, so that Shred can make it
	// unreadable without touching the chain, and reads merge it back into Details while the key
	// exists (see sealed.go). JSON-encodable, at most MaxDetails bytes of it.
	Subject  string
	Personal map[string]any
}

// Outcomes of an audited action.
const (
	OutcomeSuccess = "success"
	OutcomeFailure = "failure"
	OutcomeDenied  = "denied"
	// OutcomeAttempted is the first of a change's two rows, written before the change is made: a
	// trail that cannot take it stops the change. Its outcome row (success or failure) follows.
	OutcomeAttempted = "attempted"
)

// Entry is a stored event: its place in the chain and the hashes that seal it. Details read back
// are the decoded JSON, numbers as json.Number so none loses precision.
type Entry struct {
	Seq int64 // 1, 2, 3 … in the order written
	Event
	PrevHash string // hex SHA-256 of the previous row ("" → 64 zeros for the first)
	Hash     string // hex SHA-256 over PrevHash and this row's canonical content
}

// StoredEntry is an audit row as a Store holds it: Details stay the exact JSON text the hash
// covers, never decoded and re-encoded, so verification hashes what was written.
type StoredEntry struct {
	Entry              // Details is not stored: DetailsJSON is
	DetailsJSON string // "" when the event had no details
	HashVersion int    // the canonical encoding Hash covers; auditHashVersion for new rows
}

// Query filters the trail; zero fields do not filter. Newest first.
type Query struct {
	Actor                         string // matches ActorEmail (substring, case-insensitive) or ActorID exactly
	Action                        string // exact, or a prefix ending in "." (e.g. "customer.")
	TargetType, TargetID, Outcome string
	Since, Until                  time.Time // Since inclusive, Until exclusive
	Limit, Offset                 int       // Limit 0 → 50, capped at 1000
}

// Verification is what Verify found.
type Verification struct {
	Rows      int64  // rows checked, the failing one included
	BrokenSeq int64  // 0 when the chain is intact; else the first row that does not verify (for a gap: the first missing seq)
	Reason    string // why that row fails: "gap in sequence", "broken link", "hash mismatch" or "unknown hash version"
	// LastHash is the newest row's hash when the chain is intact ("" for an empty trail). The chain
	// cannot show that its newest rows were removed, or that everything after a change was re-hashed;
	// noting LastHash somewhere else now and then, and checking it is still in the chain, can.
	LastHash string
}

// ErrInvalidEvent is wrapped by Record's error for an event it refuses to store.
var ErrInvalidEvent = errors.New("audit: invalid audit event")

// Limits on what one event may hold. Longer free-text fields are cut (see normalizeAuditEvent); oversize
// Details (over MaxDetails) are refused, since cutting JSON would leave it invalid.
const (
	maxAuditText        = 500 // runes, for ids, email, client IP, request id
	maxAuditAction      = 100 // bytes
	maxAuditTargetType  = 50  // bytes
	defaultAuditLimit   = 50
	maxAuditLimit       = 1000
	auditBatch          = 500 // rows per query when streaming (Each, Verify)
	auditHashVersion    = 1
	auditGenesisHash    = "0000000000000000000000000000000000000000000000000000000000000000"
	auditCanonicalTagV1 = "hiveconsole-audit-v1\n"
)

// Record appends e to the audit trail. It returns an error when the event is invalid (wrapping
// ErrInvalidEvent) or the write fails; the caller must then refuse the audited action, so that
// nothing happens unrecorded.
//
// Fields are normalised before they are stored and hashed: Time to UTC (the service clock when zero),
// ActorEmail with NormalizeEmail, and every free-text value, the strings inside Details (keys too)
// included, cleaned of control and bidi characters and invalid UTF-8 (see cleanAuditText), so that
// nothing in the trail acts on the terminal, spreadsheet or page that shows it. ActorID, ActorEmail,
// TargetID, ClientIP and RequestID
// longer than 500 characters are cut to 499 and "…" rather than refused: a client controls some of
// them (a typed email, a request id header), and refusing would let it stop the audited action.
func (t *Trail) Record(ctx context.Context, e Event) error {
	if e.Time.IsZero() {
		e.Time = t.now()
	}
	rec, err := normalizeAuditEvent(e)
	if err != nil {
		return err
	}
	if len(e.Personal) > 0 {
		sealed, err := t.seal(ctx, e.Subject, e.Personal)
		if err != nil {
			return err
		}
		if rec.DetailsJSON, err = withSealed(rec.DetailsJSON, sealed); err != nil {
			return err
		}
	}
	return t.append(ctx, func(lastSeq int64, lastHash string) (StoredEntry, error) {
		rec.Seq = lastSeq + 1
		rec.PrevHash = lastHash
		if lastSeq == 0 {
			rec.PrevHash = auditGenesisHash
		}
		rec.Hash = auditHash(rec)
		return rec, nil
	})
}

// normalizeAuditEvent validates e and turns it into a row without its place in the chain.
func normalizeAuditEvent(e Event) (StoredEntry, error) {
	invalid := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidEvent, fmt.Sprintf(format, args...))
	}
	switch {
	case !validAuditName(e.Action, maxAuditAction, true):
		return StoredEntry{}, invalid("action %q is not a dotted lower-case verb", e.Action)
	case e.Outcome != OutcomeSuccess && e.Outcome != OutcomeFailure && e.Outcome != OutcomeDenied && e.Outcome != OutcomeAttempted:
		return StoredEntry{}, invalid("outcome %q is not success, failure, denied or attempted", e.Outcome)
	case e.Role != "" && !e.Role.Valid():
		return StoredEntry{}, invalid("role %q is not a role", e.Role)
	case e.TargetType != "" && !validAuditName(e.TargetType, maxAuditTargetType, false):
		return StoredEntry{}, invalid("target type %q is not a lower-case word", e.TargetType)
	case e.Time.Year() < 1970 || e.Time.Year() > 2200: // Unix nanoseconds fit an int64 until 2262
		return StoredEntry{}, invalid("time %v is out of range", e.Time)
	}
	if _, ok := e.Details[sealedKey]; ok {
		return StoredEntry{}, invalid("details may not carry %q: only Personal is sealed", sealedKey)
	}
	if len(e.Personal) > 0 && e.Subject == "" {
		return StoredEntry{}, invalid("personal data needs its subject")
	}
	details := ""
	if len(e.Details) > 0 {
		b, err := auditDetailsJSON(e.Details)
		if err != nil {
			return StoredEntry{}, invalid("details: %v", err)
		}
		if len(b) > MaxDetails {
			return StoredEntry{}, invalid("details are %d bytes of JSON; at most %d", len(b), MaxDetails)
		}
		details = string(b)
	}
	e.Time = time.Unix(0, e.Time.UnixNano()).UTC() // drops the monotonic reading and the location
	e.ActorID = auditText(e.ActorID)
	e.ActorEmail = auditText(auth.NormalizeEmail(e.ActorEmail))
	e.TargetID = auditText(e.TargetID)
	e.ClientIP = auditText(e.ClientIP)
	e.RequestID = auditText(e.RequestID)
	e.Details, e.Subject, e.Personal = nil, "", nil
	return StoredEntry{Entry: Entry{Event: e}, DetailsJSON: details, HashVersion: auditHashVersion}, nil
}

// validAuditName reports whether s is lower-case words of [a-z0-9_], each starting with a letter,
// joined by dots when dotted allows them.
func validAuditName(s string, maxLen int, dotted bool) bool {
	if s == "" || len(s) > maxLen {
		return false
	}
	start := true
	for _, c := range []byte(s) {
		switch {
		case c >= 'a' && c <= 'z':
		case (c >= '0' && c <= '9' || c == '_') && !start:
		case c == '.' && dotted && !start:
			start = true
			continue
		default:
			return false
		}
		start = false
	}
	return !start
}

// auditHash seals a row: hex(SHA-256(PrevHash || canonical)), PrevHash as its 64 hex characters.
//
// The canonical encoding, version 1, is the tag "hiveconsole-audit-v1\n" followed by every stored field
// in this order, each written as its length in bytes (decimal), ":", the bytes, and "\n":
//
//	seq (decimal), time (Unix nanoseconds, decimal), actor id, actor email, role, action,
//	target type, target id, client ip, request id, outcome, details (the stored JSON text, "" for none)
//
// Length prefixes make it unambiguous for any bytes, so no two different rows encode alike. A new
// encoding gets a new version number, stored per row in hash_version, and old rows keep verifying.
// It returns "" for a version it does not know.
func auditHash(r StoredEntry) string {
	if r.HashVersion != auditHashVersion {
		return ""
	}
	var b bytes.Buffer
	b.WriteString(r.PrevHash)
	b.WriteString(auditCanonicalTagV1)
	for _, f := range []string{
		strconv.FormatInt(r.Seq, 10), strconv.FormatInt(r.Time.UnixNano(), 10),
		r.ActorID, r.ActorEmail, string(r.Role), r.Action, r.TargetType, r.TargetID,
		r.ClientIP, r.RequestID, r.Outcome, r.DetailsJSON,
	} {
		b.WriteString(strconv.Itoa(len(f)))
		b.WriteByte(':')
		b.WriteString(f)
		b.WriteByte('\n')
	}
	sum := sha256.Sum256(b.Bytes())
	return hex.EncodeToString(sum[:])
}

// Events returns one page of the events matching q, newest first, and how many match in all.
func (t *Trail) Events(ctx context.Context, q Query) ([]Entry, int, error) {
	q = normalizeAuditQuery(q)
	switch {
	case q.Limit <= 0:
		q.Limit = defaultAuditLimit
	case q.Limit > maxAuditLimit:
		q.Limit = maxAuditLimit
	}
	total, err := t.count(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	stored, err := t.list(ctx, q, 0)
	if err != nil {
		return nil, 0, err
	}
	rows := make([]Entry, len(stored))
	for i, r := range stored {
		rows[i] = r.record()
	}
	if err := t.open(ctx, rows); err != nil {
		return nil, 0, err
	}
	return rows, total, nil
}

// Each calls fn with every event matching q, newest first, for exports. Limit is not capped:
// 0 means every match. It reads in batches, holding no database connection while fn runs, and stops
// at fn's first error, which it returns.
func (t *Trail) Each(ctx context.Context, q Query, fn func(Entry) error) error {
	q = normalizeAuditQuery(q)
	remaining := q.Limit // ≤ 0: no limit
	var before int64     // seq of the oldest row passed so far; 0 before the first batch
	for {
		q.Limit = auditBatch
		if remaining > 0 {
			q.Limit = min(auditBatch, remaining)
		}
		batch, err := t.list(ctx, q, before)
		if err != nil {
			return err
		}
		rows := make([]Entry, len(batch))
		for i, r := range batch {
			rows[i] = r.record()
		}
		if err := t.open(ctx, rows); err != nil {
			return err
		}
		for _, r := range rows {
			if err := fn(r); err != nil {
				return err
			}
		}
		if remaining > 0 {
			if remaining -= len(batch); remaining == 0 {
				return nil
			}
		}
		if len(batch) < q.Limit {
			return nil
		}
		// Rows below the cursor never change (the trail is append-only), so paging by seq rather than
		// by offset neither skips nor repeats a row while new events arrive.
		before, q.Offset = batch[len(batch)-1].Seq, 0
	}
}

// normalizeAuditQuery trims the text filters and clamps the offset; the callers set the limit.
func normalizeAuditQuery(q Query) Query {
	q.Actor = strings.TrimSpace(q.Actor)
	q.Action = strings.TrimSpace(q.Action)
	q.TargetType = strings.TrimSpace(q.TargetType)
	q.TargetID = strings.TrimSpace(q.TargetID)
	q.Outcome = strings.TrimSpace(q.Outcome)
	q.Offset = max(q.Offset, 0)
	return q
}

// record decodes the stored Details. Text that is not a JSON object (only tampering makes that, and
// Verify reports it) comes back under the key "_raw", so the trail stays readable.
func (r StoredEntry) record() Entry {
	rec := r.Entry
	rec.Details = nil
	if r.DetailsJSON == "" {
		return rec
	}
	dec := json.NewDecoder(strings.NewReader(r.DetailsJSON))
	dec.UseNumber()
	if err := dec.Decode(&rec.Details); err != nil || dec.More() {
		rec.Details = map[string]any{"_raw": r.DetailsJSON}
	}
	return rec
}

// Verify walks the whole trail in seq order, in batches, and checks that seq runs 1, 2, 3 …
// without a gap, that each row's PrevHash is the previous row's Hash (64 zeros for the first), and
// that each Hash matches the row's content. It reports the first row that fails; an error means the
// trail could not be read, not that it is broken.
func (t *Trail) Verify(ctx context.Context) (Verification, error) {
	var v Verification
	prevSeq, prevHash := int64(0), auditGenesisHash
	for {
		batch, err := t.chain(ctx, prevSeq, auditBatch)
		if err != nil {
			return Verification{}, err
		}
		for _, r := range batch {
			v.Rows++
			if reason := verifyAuditRow(r, prevSeq, prevHash); reason != "" {
				v.BrokenSeq, v.Reason = r.Seq, reason
				if r.Seq != prevSeq+1 {
					v.BrokenSeq = prevSeq + 1
				}
				return v, nil
			}
			prevSeq, prevHash = r.Seq, r.Hash
		}
		if len(batch) < auditBatch {
			if v.Rows > 0 {
				v.LastHash = prevHash
			}
			return v, nil
		}
	}
}

// verifyAuditRow returns why r cannot follow the row (prevSeq, prevHash), or "".
func verifyAuditRow(r StoredEntry, prevSeq int64, prevHash string) string {
	if r.Seq != prevSeq+1 {
		return "gap in sequence"
	}
	if r.PrevHash != prevHash {
		return "broken link"
	}
	switch want := auditHash(r); {
	case want == "":
		return "unknown hash version"
	case r.Hash != want:
		return "hash mismatch"
	}
	return ""
}
