package review

import (
	"errors"
	"testing"

	"github.com/hiveconsole/hiveconsole/database"
)

func TestParseFourEyes(t *testing.T) {
	for in, want := range map[string]string{
		"none": "none", "all": "all", "result=consider,decision=declined": "result=consider,decision=declined",
		" Result=caution , result=caution,": "result=caution", "decision=review": "decision=review",
	} {
		f, err := ParseFourEyes(in)
		if err != nil || f.String() != want {
			t.Errorf("ParseFourEyes(%q) = %q, %v; want %q", in, f, err, want)
		}
	}
	for _, bad := range []string{"", "result=declined", "decision=consider", "sometimes", "result"} {
		if _, err := ParseFourEyes(bad); err == nil {
			t.Errorf("ParseFourEyes(%q) succeeded", bad)
		}
	}
	if !DefaultFourEyes.Needs("consider", "review") || !DefaultFourEyes.Needs("caution", "declined") || DefaultFourEyes.Needs("caution", "review") {
		t.Error("the default rules: approving a consider, or overruling a declined, needs a second approver; nothing else")
	}
}

// TestFourEyes: an approval the rules cover waits for a second approver, who must be someone else; a
// colleague's rejection disputes it and sends the check back; only a final decision takes the check
// out of the queue.
func TestFourEyes(t *testing.T) { forEachDatabase(t, testFourEyes) }

func testFourEyes(t *testing.T, open func(testing.TB) *database.DB) {
	l, db, _, ana := reviewEnv(t, open)
	ben := colleague(t, db, "ben@example.com")
	cai := colleague(t, db, "cai@example.com")
	ctx := t.Context()
	state := func(id string) string {
		t.Helper()
		h, err := l.ForCheck(ctx, id)
		if err != nil || len(h) == 0 {
			t.Fatalf("history of %s: %v, %v", id, h, err)
		}
		return h[0].State()
	}
	needs := func(r *Review) { r.NeedsSecond = true }

	// First approval, then the same person again (refused, nothing stored), then a colleague.
	if r := mustRecord(t, l, review(ana, "chk-1", needs)); r.Stage != First || state("chk-1") != StatePendingSecond {
		t.Fatalf("first approval: stage %s, state %s", r.Stage, state("chk-1"))
	}
	if _, err := l.Record(ctx, review(ana, "chk-1", needs), nil); !errors.Is(err, ErrSecondBySamePerson) {
		t.Fatalf("second approval by the first approver: %v", err)
	}
	if h, _ := l.ForCheck(ctx, "chk-1"); len(h) != 1 {
		t.Fatalf("the refused approval stored something: %d reviews", len(h))
	}
	if r := mustRecord(t, l, review(ben, "chk-1", needs)); r.Stage != Final || state("chk-1") != StateApproved {
		t.Fatalf("second approval: stage %s, state %s", r.Stage, state("chk-1"))
	}

	// A colleague disagrees: disputed; the next approval needs two again.
	mustRecord(t, l, review(ana, "chk-2", needs))
	if r := mustRecord(t, l, review(ben, "chk-2", func(r *Review) { r.Decision, r.Reason = Reject, "other" })); r.Stage != Disputed || state("chk-2") != StateDisagree {
		t.Fatalf("a colleague's rejection: stage %s, state %s", r.Stage, state("chk-2"))
	}
	mustRecord(t, l, review(cai, "chk-2", needs))
	if state("chk-2") != StatePendingSecond {
		t.Fatalf("approval after a dispute: state %s", state("chk-2"))
	}
	mustRecord(t, l, review(ana, "chk-2", needs))
	if state("chk-2") != StateApproved {
		t.Fatalf("second approval after a dispute: state %s", state("chk-2"))
	}

	// The first approver changing their mind is final; an approval the rules do not cover is too.
	mustRecord(t, l, review(ana, "chk-3", needs))
	mustRecord(t, l, review(ana, "chk-3", func(r *Review) { r.Decision, r.Reason = Reject, "other" }))
	if state("chk-3") != StateRejected {
		t.Fatalf("the first approver rejecting: state %s", state("chk-3"))
	}
	if r := mustRecord(t, l, review(ana, "chk-4", nil)); r.Stage != Final {
		t.Fatalf("an approval without four-eyes: stage %s", r.Stage)
	}

	// The schema refuses a first step that is not an approval and a dispute that is not a rejection.
	for _, stmt := range []string{
		`INSERT INTO reviews (check_id, decision, reason, note, reviewer_id, reviewer_email, created_at, stage) VALUES ('x', 'reject', 'other', 'n', ?, 'a@b.c', 1, 'first')`,
		`INSERT INTO reviews (check_id, decision, note, reviewer_id, reviewer_email, created_at, stage) VALUES ('x', 'approve', 'n', ?, 'a@b.c', 1, 'disputed')`,
		`INSERT INTO reviews (check_id, decision, note, reviewer_id, reviewer_email, created_at, stage) VALUES ('x', 'approve', 'n', ?, 'a@b.c', 1, 'maybe')`,
	} {
		if _, err := db.SQL().ExecContext(ctx, db.Q(stmt), ana.ID); err == nil {
			t.Errorf("the schema took %s", stmt)
		}
	}
}

// TestDecidedMeanwhile: a decision taken on a page that did not show the newest decision is refused,
// naming who decided since; one taken on the current page is recorded.
func TestDecidedMeanwhile(t *testing.T) { forEachDatabase(t, testDecidedMeanwhile) }

func testDecidedMeanwhile(t *testing.T, open func(testing.TB) *database.DB) {
	l, db, _, ana := reviewEnv(t, open)
	ben := colleague(t, db, "ben@example.com")
	none := int64(0)
	first := mustRecord(t, l, review(ana, "chk-1", func(r *Review) { r.Seen = &none }))
	_, err := l.Record(t.Context(), review(ben, "chk-1", func(r *Review) { r.Seen = &none }), nil)
	var changed *ChangedError
	if !errors.As(err, &changed) || changed.Newest.ID != first.ID || changed.Newest.ReviewerEmail != ana.Email {
		t.Fatalf("a decision on a stale page: %v", err)
	}
	if h, _ := l.ForCheck(t.Context(), "chk-1"); len(h) != 1 {
		t.Fatalf("the refused decision stored something: %d reviews", len(h))
	}
	if r := mustRecord(t, l, review(ben, "chk-1", func(r *Review) { r.Seen = &first.ID })); r.Seen != nil {
		t.Error("Record returns the review with Seen, which is not stored")
	}
}
