package review

import (
	"database/sql"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/database"
	"github.com/hiveconsole/hiveconsole/database/dbtest"
)

func TestValidateReview(t *testing.T) {
	custom := []RejectReason{{Code: "blurry", Label: "Blurry"}}
	long := strings.Repeat("é", maxReviewNoteLen) // runes, not bytes, are counted
	tests := []struct {
		name    string
		r       Review
		reasons []RejectReason
		want    []string // fields with a problem, in order
	}{
		{"approve", Review{Decision: Approve, Note: "all clear"}, nil, nil},
		{"reject with a default reason", Review{Decision: Reject, Reason: "face_mismatch", Note: "n"}, nil, nil},
		{"reject with a configured reason", Review{Decision: Reject, Reason: "blurry", Note: "n"}, custom, nil},
		{"resubmit", Review{Decision: Resubmit, Note: "retake the selfie"}, nil, nil},
		{"space around values is trimmed", Review{Decision: " reject ", Reason: " other ", Note: "  n  "}, nil, nil},
		{"note of 2000 characters", Review{Decision: Approve, Note: long}, nil, nil},
		{"note of 2000 characters once trimmed", Review{Decision: Approve, Note: "\n " + long + " \t"}, nil, nil},
		{"line breaks and tabs in the note", Review{Decision: Approve, Note: "a\r\nb\n\tc"}, nil, nil},

		{"no decision", Review{Note: "n"}, nil, []string{"decision"}},
		{"unknown decision", Review{Decision: "escalate", Note: "n"}, nil, []string{"decision"}},
		{"decision in capitals", Review{Decision: "Approve", Note: "n"}, nil, []string{"decision"}},
		{"reject without a reason", Review{Decision: Reject, Note: "n"}, nil, []string{"reason"}},
		{"reject with an unknown reason", Review{Decision: Reject, Reason: "bored", Note: "n"}, nil, []string{"reason"}},
		{"reject with a default reason not configured", Review{Decision: Reject, Reason: "other", Note: "n"}, custom, []string{"reason"}},
		{"approve with a reason", Review{Decision: Approve, Reason: "other", Note: "n"}, nil, []string{"reason"}},
		{"resubmit with a reason", Review{Decision: Resubmit, Reason: "poor_quality", Note: "n"}, nil, []string{"reason"}},
		{"no note", Review{Decision: Approve}, nil, []string{"note"}},
		{"blank note", Review{Decision: Approve, Note: " \n\t "}, nil, []string{"note"}},
		{"note too long", Review{Decision: Approve, Note: long + "x"}, nil, []string{"note"}},
		{"control character in the note", Review{Decision: Approve, Note: "a\x00b"}, nil, []string{"note"}},
		{"escape sequence in the note", Review{Decision: Approve, Note: "a\x1b[2Jb"}, nil, []string{"note"}},
		{"invalid UTF-8 in the note", Review{Decision: Approve, Note: "a\xffb"}, nil, []string{"note"}},
		{"every field at once", Review{Decision: Reject, Reason: "bored"}, nil, []string{"reason", "note"}},
		{"unknown decision and no note", Review{Decision: "maybe", Reason: "other"}, nil, []string{"decision", "note"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.r, tt.reasons)
			var got []string
			var verrs auth.ValidationErrors
			if errors.As(err, &verrs) {
				for _, fe := range verrs {
					got = append(got, fe.Field)
					if fe.Message == "" {
						t.Errorf("field %s has no message", fe.Field)
					}
				}
			} else if err != nil {
				t.Fatalf("got %T %v, want auth.ValidationErrors", err, err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("fields with errors = %v, want %v (%v)", got, tt.want, err)
			}
			var fe *auth.FieldError
			if len(tt.want) > 0 && (!errors.As(err, &fe) || fe.Field != tt.want[0]) {
				t.Errorf("errors.As(*auth.FieldError) = %v, want the %s field", fe, tt.want[0])
			}
		})
	}
}

func mustRecord(t *testing.T, svc *Ledger, r Review) Review {
	t.Helper()
	got, err := svc.Record(t.Context(), r, nil)
	if err != nil {
		t.Fatalf("Record(%+v): %v", r, err)
	}
	return got
}

// review is a valid approval of checkID by u; change edits it.
func review(u auth.User, checkID string, change func(*Review)) Review {
	r := Review{CheckID: checkID, CustomerID: "cus-1", Decision: Approve, Note: "looks fine",
		ReviewerID: u.ID, ReviewerEmail: u.Email}
	if change != nil {
		change(&r)
	}
	return r
}

func ids(reviews []Review) []int64 {
	out := make([]int64, len(reviews))
	for i, r := range reviews {
		out[i] = r.ID
	}
	return out
}

func TestRecordReview(t *testing.T) { forEachDatabase(t, testRecordReview) }

func testRecordReview(t *testing.T, open func(testing.TB) *database.DB) {
	svc, db, clock, u := reviewEnv(t, open)
	clock.Advance(1500 * time.Millisecond)

	in := review(u, " chk-1 ", func(r *Review) {
		r.Decision, r.Reason, r.Note, r.CustomerID = Reject, "face_mismatch", "  selfie is someone else\n", ""
	})
	got := mustRecord(t, svc, in)
	want := in
	want.CheckID, want.Note = "chk-1", "selfie is someone else"
	want.ID, want.CreatedAt, want.Stage = got.ID, time.Date(2025, 3, 1, 9, 0, 1, 0, time.UTC), Final
	if got.ID <= 0 || got != want {
		t.Errorf("Record = %+v, want %+v with a positive id", got, want)
	}
	history, err := svc.ForCheck(t.Context(), "chk-1")
	if err != nil || len(history) != 1 || history[0] != got {
		t.Errorf("Reviews = %+v, %v; want [%+v]", history, err, got)
	}

	resubmit := mustRecord(t, svc, review(u, "chk-1", func(r *Review) { r.Decision, r.SessionID = Resubmit, "ses-9" }))
	if history, _ := svc.ForCheck(t.Context(), "chk-1"); len(history) != 2 || history[0] != resubmit {
		t.Errorf("after a resubmission Reviews = %+v, want it first", history)
	}

	t.Run("refused", func(t *testing.T) {
		tests := []struct {
			name  string
			r     Review
			field string // "" for a plain error: the caller, not the form, got it wrong
		}{
			{"invalid form", review(u, "chk-2", func(r *Review) { r.Note = "" }), "note"},
			{"no check id", review(u, " ", nil), ""},
			{"check id too long", review(u, strings.Repeat("c", 101), nil), ""},
			{"customer id too long", review(u, "chk-2", func(r *Review) { r.CustomerID = strings.Repeat("c", 101) }), ""},
			{"resubmit without a session", review(u, "chk-2", func(r *Review) { r.Decision = Resubmit }), ""},
			{"session id on an approval", review(u, "chk-2", func(r *Review) { r.SessionID = "ses-1" }), ""},
			{"no reviewer id", review(u, "chk-2", func(r *Review) { r.ReviewerID = "" }), ""},
			{"no reviewer email", review(u, "chk-2", func(r *Review) { r.ReviewerEmail = "" }), ""},
			{"unknown reviewer", review(u, "chk-2", func(r *Review) { r.ReviewerID = "usr_nobody" }), ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := svc.Record(t.Context(), tt.r, nil)
				var fe *auth.FieldError
				switch {
				case err == nil:
					t.Fatal("Record succeeded, want an error")
				case tt.field != "" && (!errors.As(err, &fe) || fe.Field != tt.field):
					t.Errorf("got %v, want a %s field error", err, tt.field)
				case tt.field == "" && errors.As(err, &fe):
					t.Errorf("got field error %v, want a plain error", err)
				}
			})
		}
		if n := dbtest.CountRows(t, db, "reviews"); n != 2 {
			t.Errorf("reviews after refusals = %d, want 2", n)
		}
	})
}

func TestReviewHistoryOrder(t *testing.T) { forEachDatabase(t, testReviewHistoryOrder) }

func testReviewHistoryOrder(t *testing.T, open func(testing.TB) *database.DB) {
	svc, _, clock, u := reviewEnv(t, open)
	first := mustRecord(t, svc, review(u, "chk-1", nil))
	// Two more in the same second: the id decides.
	second := mustRecord(t, svc, review(u, "chk-1", func(r *Review) { r.Decision, r.Reason = Reject, "other" }))
	third := mustRecord(t, svc, review(u, "chk-1", nil))
	clock.Advance(time.Minute)
	latest := mustRecord(t, svc, review(u, "chk-1", func(r *Review) { r.Decision, r.SessionID = Resubmit, "ses-2" }))
	// A clock that went back (another replica's, say): time wins over insertion order.
	clock.Advance(-time.Hour)
	older := mustRecord(t, svc, review(u, "chk-1", nil))
	mustRecord(t, svc, review(u, "chk-other", nil))

	got, err := svc.ForCheck(t.Context(), "chk-1")
	want := []int64{latest.ID, third.ID, second.ID, first.ID, older.ID}
	if err != nil || !slices.Equal(ids(got), want) {
		t.Errorf("Reviews = ids %v, %v; want %v", ids(got), err, want)
	}

	none, err := svc.ForCheck(t.Context(), "chk-unknown")
	if err != nil || none == nil || len(none) != 0 {
		t.Errorf("Reviews of an unreviewed check = %#v, %v; want an empty slice", none, err)
	}
}

func TestLatestReviews(t *testing.T) { forEachDatabase(t, testLatestReviews) }

func testLatestReviews(t *testing.T, open func(testing.TB) *database.DB) {
	svc, _, clock, u := reviewEnv(t, open)
	if got, err := svc.Latest(t.Context()); err != nil || len(got) != 0 {
		t.Errorf("Latest of none = %v, %v; want empty", got, err)
	}
	mustRecord(t, svc, review(u, "chk-a", nil))
	wantA := mustRecord(t, svc, review(u, "chk-a", func(r *Review) { r.Decision, r.Reason = Reject, "document_fraud" })) // same second, later id
	wantB := mustRecord(t, svc, review(u, "chk-b", nil))
	clock.Advance(time.Hour)
	wantC := mustRecord(t, svc, review(u, "chk-c", nil))
	clock.Advance(-2 * time.Hour)
	mustRecord(t, svc, review(u, "chk-c", func(r *Review) { r.Decision, r.SessionID = Resubmit, "ses-1" })) // later id, older time

	got, err := svc.Latest(t.Context())
	want := map[string]Review{"chk-a": wantA, "chk-b": wantB, "chk-c": wantC}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Latest = %+v, %v; want %+v", got, err, want)
	}
	// LatestOf answers for the checks asked about only.
	got, err = svc.LatestOf(t.Context(), []string{"chk-a", "chk-c", "chk-none"})
	want = map[string]Review{"chk-a": wantA, "chk-c": wantC}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("LatestOf = %+v, %v; want %+v", got, err, want)
	}
}

func TestCustomerReviews(t *testing.T) { forEachDatabase(t, testCustomerReviews) }

func testCustomerReviews(t *testing.T, open func(testing.TB) *database.DB) {
	svc, _, clock, u := reviewEnv(t, open)
	a := mustRecord(t, svc, review(u, "chk-1", func(r *Review) { r.CustomerID = "cus-x" }))
	mustRecord(t, svc, review(u, "chk-2", func(r *Review) { r.CustomerID = "cus-y" }))
	mustRecord(t, svc, review(u, "chk-3", func(r *Review) { r.CustomerID = "" }))
	clock.Advance(time.Second)
	b := mustRecord(t, svc, review(u, "chk-4", func(r *Review) { r.CustomerID = "cus-x" }))

	got, err := svc.ForCustomer(t.Context(), "cus-x")
	if want := []int64{b.ID, a.ID}; err != nil || !slices.Equal(ids(got), want) {
		t.Errorf("ForCustomer(cus-x) = ids %v, %v; want %v", ids(got), err, want)
	}
	for _, id := range []string{"", "cus-unknown"} {
		got, err := svc.ForCustomer(t.Context(), id)
		if err != nil || got == nil || len(got) != 0 {
			t.Errorf("ForCustomer(%q) = %#v, %v; want an empty slice", id, got, err)
		}
	}
}

func TestReviewsImmutable(t *testing.T) { forEachDatabase(t, testReviewsImmutable) }

func testReviewsImmutable(t *testing.T, open func(testing.TB) *database.DB) {
	svc, db, _, u := reviewEnv(t, open)
	r := mustRecord(t, svc, review(u, "chk-1", nil))
	stmts := []string{
		`UPDATE reviews SET decision = 'reject', reason = 'other' WHERE id = ?`,
		`UPDATE reviews SET note = 'rewritten history'`,
		`DELETE FROM reviews WHERE id = ?`,
		`DELETE FROM reviews`,
	}
	if db.Postgres() {
		stmts = append(stmts, `TRUNCATE reviews`) // fires no row trigger
	}
	for _, stmt := range stmts {
		var args []any
		if strings.Contains(stmt, "?") {
			args = append(args, r.ID)
		}
		_, err := db.SQL().ExecContext(t.Context(), db.Q(stmt), args...)
		if err == nil || !strings.Contains(err.Error(), "review decisions are immutable") {
			t.Errorf("%s: got %v, want the trigger's refusal", stmt, err)
		}
	}
	if got, err := svc.ForCheck(t.Context(), "chk-1"); err != nil || len(got) != 1 || got[0] != r {
		t.Errorf("after the refused changes Reviews = %+v, %v; want [%+v]", got, err, r)
	}
}

// TestReviewSchemaChecks shows the table refusing what validation would have stopped, for writers that
// bypass the Service.
func TestReviewSchemaChecks(t *testing.T) { forEachDatabase(t, testReviewSchemaChecks) }

func testReviewSchemaChecks(t *testing.T, open func(testing.TB) *database.DB) {
	_, db, _, u := reviewEnv(t, open)
	at := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		change func(*Review)
	}{
		{"unknown decision", func(r *Review) { r.Decision = "escalate" }},
		{"reject without a reason", func(r *Review) { r.Decision = Reject }},
		{"approve with a reason", func(r *Review) { r.Reason = "other" }},
		{"reason code too long", func(r *Review) { r.Decision, r.Reason = Reject, strings.Repeat("r", 41) }},
		{"resubmit without a session", func(r *Review) { r.Decision = Resubmit }},
		{"approve with a session", func(r *Review) { r.SessionID = "ses-1" }},
		{"empty note", func(r *Review) { r.Note = "" }},
		{"untrimmed note", func(r *Review) { r.Note = " n" }},
		{"note too long", func(r *Review) { r.Note = strings.Repeat("é", 2001) }},
		{"empty check id", func(r *Review) { r.CheckID = "" }},
		{"unknown reviewer", func(r *Review) { r.ReviewerID = "usr_nobody" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := review(u, "chk-1", tt.change)
			r.CreatedAt = at
			if err := insertDirectly(t, db, r); err == nil {
				t.Errorf("CreateReview(%+v) succeeded, want a constraint error", r)
			}
		})
	}
	r := review(u, "chk-1", func(r *Review) { r.Note = strings.Repeat("é", 2000) })
	r.CreatedAt = at
	if err := insertDirectly(t, db, r); err != nil {
		t.Errorf("a note of 2000 two-byte characters: %v, want it stored", err)
	}
}

// insertDirectly inserts r as the ledger does, without its validation.
func insertDirectly(t *testing.T, db *database.DB, r Review) error {
	return db.Tx(t.Context(), func(tx *sql.Tx) error {
		_, err := New(db, nil, 0).insert(t.Context(), tx, r)
		return err
	})
}

// TestReviewsMigrationDown rolls the reviews migration back and forth.
func TestReviewsMigrationDown(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, open func(testing.TB) *database.DB) { testReviewsMigrationDown(t, open(t)) })
}

func testReviewsMigrationDown(t *testing.T, db *database.DB) {
	if err := db.MigrateDownTo(t.Context(), 2); err != nil {
		t.Fatalf("DownTo(2): %v", err)
	}
	if n := dbtest.SchemaObjects(t, db, "reviews"); n != 0 {
		t.Errorf("reviews objects after Down = %d, want 0", n)
	}
	if err := db.MigrateTo(t.Context(), database.Latest); err != nil {
		t.Fatalf("Up again: %v", err)
	}
	if got := dbtest.CountRows(t, db, "reviews"); got != 0 {
		t.Errorf("reviews after Up again = %d, want 0", got)
	}
}

func TestParseRejectReasons(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []RejectReason
		wantErr string // a word the error must contain; "" for success
	}{
		{"blank means the defaults", "  ", DefaultRejectReasons, ""},
		{"one", "blurry=Images blurry", []RejectReason{{"blurry", "Images blurry"}}, ""},
		{"two, spaced, trailing separator", " blurry = Images blurry ; id_2=Wrong ID ; ", []RejectReason{{"blurry", "Images blurry"}, {"id_2", "Wrong ID"}}, ""},
		{"label with =", "eq=a = b", []RejectReason{{"eq", "a = b"}}, ""},
		{"code of 40", strings.Repeat("a", 40) + "=L", []RejectReason{{strings.Repeat("a", 40), "L"}}, ""},
		{"label of 100 characters", "c=" + strings.Repeat("é", 100), []RejectReason{{"c", strings.Repeat("é", 100)}}, ""},

		{"only separators", ";;", nil, "none"},
		{"no =", "blurry", nil, "code=Label"},
		{"empty code", "=Label", nil, "code"},
		{"code in capitals", "Blurry=Blurry", nil, "code"},
		{"code with a dash", "too-blurry=Blurry", nil, "code"},
		{"code of 41", strings.Repeat("a", 41) + "=L", nil, "code"},
		{"empty label", "blurry=", nil, "label"},
		{"label of 101 characters", "c=" + strings.Repeat("é", 101), nil, "label"},
		{"control character in label", "c=a\x07b", nil, "control"},
		{"duplicate code", "a=One;b=Two;a=Three", nil, "twice"},
		{"duplicate label", "a=Same;b=Same", nil, "twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRejectReasons(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("got %v, %v; want an error about %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}

	t.Run("defaults are a copy", func(t *testing.T) {
		got, _ := ParseRejectReasons("")
		got[0].Code = "changed"
		if DefaultRejectReasons[0].Code == "changed" {
			t.Error("changing the parsed defaults changed DefaultRejectReasons")
		}
	})
	t.Run("format round-trips", func(t *testing.T) {
		got, err := ParseRejectReasons(FormatRejectReasons(DefaultRejectReasons))
		if err != nil || !slices.Equal(got, DefaultRejectReasons) {
			t.Errorf("Parse(Format(defaults)) = %v, %v; want the defaults", got, err)
		}
	})
}

func TestRejectReasonLabel(t *testing.T) {
	if got := RejectReasonLabel(DefaultRejectReasons, "expired_document"); got != "Document expired" {
		t.Errorf("label of expired_document = %q, want Document expired", got)
	}
	if got := RejectReasonLabel(DefaultRejectReasons, "retired_code"); got != "retired_code" {
		t.Errorf("label of a code no longer configured = %q, want the code", got)
	}
}
