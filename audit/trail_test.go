package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/database"
	"github.com/hiveconsole/hiveconsole/database/dbtest"
)

// TestAudit runs the audit contract against SQLite and PostgreSQL.
func TestAudit(t *testing.T) {
	forEachDatabase(t, testAuditContract)
}

func testAuditContract(t *testing.T, open func(testing.TB) *database.DB) {
	t.Run("record round-trips", func(t *testing.T) { testAuditRoundTrip(t, open(t), open) })
	t.Run("filters", func(t *testing.T) { testAuditFilters(t, open(t)) })
	t.Run("paging and streaming", func(t *testing.T) { testAuditPaging(t, open(t)) })
	t.Run("concurrent writers keep one chain", func(t *testing.T) { testAuditConcurrent(t, open(t)) })
	t.Run("invalid events are refused", func(t *testing.T) { testAuditValidation(t, open(t)) })
}

// auditSeqs lists the records' seqs, in order.
func auditSeqs(rs []Entry) []int64 {
	seqs := make([]int64, len(rs))
	for i, r := range rs {
		seqs[i] = r.Seq
	}
	return seqs
}

// mustRecordAudit records e or fails the test.
func mustRecordAudit(t testing.TB, svc *Trail, e Event) {
	t.Helper()
	if err := svc.Record(context.Background(), e); err != nil {
		t.Fatalf("Record(%+v): %v", e, err)
	}
}

// allAudit returns every record, newest first.
func allAudit(t *testing.T, svc *Trail) []Entry {
	t.Helper()
	var rs []Entry
	if err := svc.Each(t.Context(), Query{}, func(r Entry) error { rs = append(rs, r); return nil }); err != nil {
		t.Fatalf("Each: %v", err)
	}
	return rs
}

func wantIntact(t *testing.T, svc *Trail, rows int64) Verification {
	t.Helper()
	v, err := svc.Verify(t.Context())
	if err != nil || v.BrokenSeq != 0 || v.Reason != "" || v.Rows != rows {
		t.Fatalf("Verify = %+v, %v; want %d rows intact", v, err, rows)
	}
	return v
}

func testAuditRoundTrip(t *testing.T, db *database.DB, open func(testing.TB) *database.DB) {
	clock := newFakeClock()
	svc := New(db, clock.Now)
	at := time.Date(2025, 2, 3, 4, 5, 6, 789012345, time.FixedZone("CET", 3600))
	e := Event{
		Time: at, ActorID: "usr_alice", ActorEmail: " Alice@Example.COM ", Role: auth.RoleReviewer,
		Action: "pii.reveal", TargetType: "customer", TargetID: "cus_123", ClientIP: "203.0.113.7",
		RequestID: "req-42", Outcome: OutcomeSuccess,
		Details: map[string]any{"field": "date_of_birth", "count": 3, "big": int64(1) << 60,
			"nested": map[string]any{"z": true, "a": []any{"x", 1.5}}},
	}
	mustRecordAudit(t, svc, e)
	if n := dbtest.CountRows(t, db, "audit_events"); n != 1 {
		t.Fatalf("rows after one Record = %d, want 1", n)
	}
	rows, total, err := svc.Events(t.Context(), Query{})
	if err != nil || total != 1 || len(rows) != 1 {
		t.Fatalf("Events = %d rows, total %d, %v; want 1 and 1", len(rows), total, err)
	}
	got := rows[0]
	want := e
	want.Time, want.ActorEmail, want.Details = at.UTC(), "alice@example.com", nil
	gotEvent := got.Event
	gotEvent.Details = nil
	if !reflect.DeepEqual(gotEvent, want) || got.Time.Location() != time.UTC {
		t.Errorf("read back %+v, want %+v", gotEvent, want)
	}
	gotJSON, _ := json.Marshal(got.Details)
	wantJSON, _ := json.Marshal(e.Details)
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("details read back as %s, want %s", gotJSON, wantJSON)
	}
	if got.Details["big"] != json.Number("1152921504606846976") {
		t.Errorf("details big = %#v, want the exact json.Number", got.Details["big"])
	}
	if got.Seq != 1 || got.PrevHash != strings.Repeat("0", 64) || len(got.Hash) != 64 {
		t.Errorf("seq %d, prev %q, hash %q; want 1, 64 zeros and a SHA-256", got.Seq, got.PrevHash, got.Hash)
	}
	var stored string
	db.SQL().QueryRowContext(t.Context(), `SELECT details FROM audit_events WHERE seq = 1`).Scan(&stored)
	if !strings.HasPrefix(stored, `{"big":1152921504606846976,"count":3,"field":"date_of_birth","nested":{"a":["x",1.5],"z":true}}`) {
		t.Errorf("stored details %s, want compact JSON with sorted keys at every level", stored)
	}

	// A zero time comes from the clock; the next row links to the first.
	clock.Advance(time.Minute)
	mustRecordAudit(t, svc, Event{Action: "auth.sign_in", ActorEmail: "Mallory@Example.com", Outcome: OutcomeFailure})
	rows, _, _ = svc.Events(t.Context(), Query{})
	second := rows[0]
	if second.Seq != 2 || !second.Time.Equal(clock.Now()) || second.PrevHash != got.Hash || second.Details != nil ||
		second.ActorID != "" || second.Role != "" || second.ActorEmail != "mallory@example.com" {
		t.Errorf("second record = %+v; want seq 2 at the clock's time, linked to the first, anonymous", second)
	}
	v := wantIntact(t, svc, 2)
	if v.LastHash != second.Hash {
		t.Errorf("LastHash = %q, want the newest row's %q", v.LastHash, second.Hash)
	}

	// Long free text is cut, invalid UTF-8 and control characters replaced: a client must not be able to
	// stop the audited action, nor put terminal escapes in the trail.
	long := strings.Repeat("é", 600)
	mustRecordAudit(t, svc, Event{Action: "auth.sign_in", ActorEmail: long, TargetID: long,
		RequestID: "bad\xffid\x1b[2J", ClientIP: long, Outcome: OutcomeFailure})
	rows, _, _ = svc.Events(t.Context(), Query{Limit: 1})
	for name, s := range map[string]string{"email": rows[0].ActorEmail, "target id": rows[0].TargetID, "client ip": rows[0].ClientIP} {
		if utf8.RuneCountInString(s) != 500 || !strings.HasSuffix(s, "é…") {
			t.Errorf("%s of 600 runes stored as %d runes ending %q; want 500 ending in …", name, utf8.RuneCountInString(s), s[len(s)-5:])
		}
	}
	if rows[0].RequestID != "bad\uFFFDid\uFFFD[2J" {
		t.Errorf("request id = %q, want the invalid byte and the escape replaced", rows[0].RequestID)
	}
	wantIntact(t, svc, 3)

	// An empty trail verifies, with no last hash.
	empty := New(open(t), clock.Now)
	if v, err := empty.Verify(t.Context()); err != nil || v != (Verification{}) {
		t.Errorf("empty trail: Verify = %+v, %v; want all zero", v, err)
	}
}

func testAuditFilters(t *testing.T, db *database.DB) {
	clock := newFakeClock()
	t0 := clock.Now()
	svc := New(db, clock.Now)
	alice := Event{ActorID: "usr_alice", ActorEmail: "alice@example.com", Role: auth.RoleReviewer}
	bob := Event{ActorID: "usr_bob", ActorEmail: "bob@example.com", Role: auth.RoleSupport}
	axb := Event{ActorID: "usr_axb", ActorEmail: "axb@example.com", Role: auth.RoleAdmin}
	event := func(actor Event, action, targetType, targetID, outcome string) Event {
		actor.Action, actor.TargetType, actor.TargetID, actor.Outcome = action, targetType, targetID, outcome
		return actor
	}
	for _, e := range []Event{
		event(alice, "auth.sign_in", "", "", OutcomeSuccess),                                 // 1 at t0
		{ActorEmail: "mallory@example.com", Action: "auth.sign_in", Outcome: OutcomeFailure}, // 2 at t0+1m
		event(alice, "customer.update", "customer", "cus_1", OutcomeSuccess),                 // 3
		event(bob, "customer.delete", "customer", "cus_2", OutcomeDenied),                    // 4
		event(bob, "report.view", "check", "chk_1", OutcomeSuccess),                          // 5
		event(alice, "pii.reveal", "check", "chk_1", OutcomeSuccess),                         // 6
		event(axb, "user.update", "user", "usr_alice", OutcomeSuccess),                       // 7
		event(bob, "customers.export", "", "", OutcomeSuccess),                               // 8 at t0+7m
	} {
		mustRecordAudit(t, svc, e)
		clock.Advance(time.Minute)
	}
	minute := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Minute) }
	tests := []struct {
		name string
		q    Query
		want []int64
	}{
		{"no filter, newest first", Query{}, []int64{8, 7, 6, 5, 4, 3, 2, 1}},
		{"actor email substring, any case", Query{Actor: " ALICE "}, []int64{6, 3, 1}},
		{"actor email domain", Query{Actor: "@example.com"}, []int64{8, 7, 6, 5, 4, 3, 2, 1}},
		{"anonymous actor by typed email", Query{Actor: "mallory"}, []int64{2}},
		{"actor id exactly", Query{Actor: "usr_bob"}, []int64{8, 5, 4}},
		{"actor id prefix does not match", Query{Actor: "usr_"}, nil},
		{"LIKE wildcards are literal", Query{Actor: "a_b"}, nil},
		{"LIKE percent is literal", Query{Actor: "a%b"}, nil},
		{"action exact", Query{Action: "customer.update"}, []int64{3}},
		{"action without a dot is exact", Query{Action: "customer"}, nil},
		{"action prefix", Query{Action: "customer."}, []int64{4, 3}},
		{"action prefix auth.", Query{Action: "auth."}, []int64{2, 1}},
		{"target type", Query{TargetType: "check"}, []int64{6, 5}},
		{"target type and id", Query{TargetType: "customer", TargetID: "cus_2"}, []int64{4}},
		{"target id alone", Query{TargetID: "usr_alice"}, []int64{7}},
		{"outcome denied", Query{Outcome: OutcomeDenied}, []int64{4}},
		{"outcome failure", Query{Outcome: OutcomeFailure}, []int64{2}},
		{"since inclusive, until exclusive", Query{Since: minute(2), Until: minute(5)}, []int64{5, 4, 3}},
		{"since only", Query{Since: minute(6)}, []int64{8, 7}},
		{"until only", Query{Until: minute(1)}, []int64{1}},
		{"combined", Query{Actor: "bob", Action: "customer.", Outcome: OutcomeDenied, Since: minute(3)}, []int64{4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, total, err := svc.Events(t.Context(), tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := auditSeqs(rows); !slices.Equal(got, tt.want) && len(got)+len(tt.want) > 0 || total != len(tt.want) {
				t.Errorf("AuditEvents(%+v) = %v, total %d; want %v, total %d", tt.q, got, total, tt.want, len(tt.want))
			}
			var streamed []int64
			svc.Each(t.Context(), tt.q, func(r Entry) error { streamed = append(streamed, r.Seq); return nil })
			if !slices.Equal(streamed, tt.want) {
				t.Errorf("AuditEach(%+v) = %v, want %v", tt.q, streamed, tt.want)
			}
		})
	}
	t.Run("pages", func(t *testing.T) {
		for _, p := range []struct {
			limit, offset int
			want          []int64
		}{
			{2, 0, []int64{8, 7}}, {2, 2, []int64{6, 5}}, {3, 6, []int64{2, 1}}, {2, 8, nil}, {2, -1, []int64{8, 7}},
		} {
			rows, total, err := svc.Events(t.Context(), Query{Limit: p.limit, Offset: p.offset})
			if got := auditSeqs(rows); err != nil || total != 8 || !slices.Equal(got, p.want) && len(got)+len(p.want) > 0 {
				t.Errorf("limit %d offset %d: got %v, total %d, %v; want %v, total 8", p.limit, p.offset, got, total, err, p.want)
			}
		}
		rows, total, _ := svc.Events(t.Context(), Query{Action: "customer.", Limit: 1, Offset: 1})
		if got := auditSeqs(rows); !slices.Equal(got, []int64{3}) || total != 2 {
			t.Errorf("filtered page = %v, total %d; want [3], total 2 (total counts every match)", got, total)
		}
	})
}

// testAuditPaging uses more rows than one streaming batch and one page can hold.
func testAuditPaging(t *testing.T, db *database.DB) {
	svc := New(db, newFakeClock().Now)
	const n = 2*auditBatch + 203
	for i := range n {
		outcome := OutcomeSuccess
		if i%2 == 1 {
			outcome = OutcomeFailure // even seqs
		}
		mustRecordAudit(t, svc, Event{Action: "report.view", Outcome: outcome, TargetID: fmt.Sprint(i + 1)})
	}
	wantIntact(t, svc, n)
	for _, c := range []struct{ limit, want int }{{0, defaultAuditLimit}, {-3, defaultAuditLimit}, {5000, maxAuditLimit}, {maxAuditLimit, maxAuditLimit}} {
		rows, total, err := svc.Events(t.Context(), Query{Limit: c.limit})
		if err != nil || len(rows) != c.want || total != n || rows[0].Seq != n {
			t.Errorf("Limit %d: %d rows from %d, total %d, %v; want %d rows from %d, total %d", c.limit, len(rows), rows[0].Seq, total, err, c.want, n, n)
		}
	}
	all := allAudit(t, svc)
	if len(all) != n {
		t.Fatalf("AuditEach streamed %d rows, want %d", len(all), n)
	}
	for i, r := range all {
		if r.Seq != int64(n-i) {
			t.Fatalf("AuditEach row %d has seq %d, want %d: newest first, none skipped or repeated", i, r.Seq, n-i)
		}
	}
	var seqs []int64
	svc.Each(t.Context(), Query{Limit: 700, Offset: 10}, func(r Entry) error { seqs = append(seqs, r.Seq); return nil })
	if len(seqs) != 700 || seqs[0] != n-10 || seqs[699] != n-709 {
		t.Errorf("AuditEach limit 700 offset 10: %d rows, %v … %v; want 700 from %d to %d", len(seqs), seqs[:1], seqs[len(seqs)-1:], n-10, n-709)
	}
	seqs = nil
	svc.Each(t.Context(), Query{Outcome: OutcomeFailure, Offset: 1}, func(r Entry) error { seqs = append(seqs, r.Seq); return nil })
	if len(seqs) != n/2-1 || seqs[0] != n-3 || seqs[len(seqs)-1] != 2 {
		t.Errorf("AuditEach failures after the first: %d rows, first %d, last %d; want %d from %d to 2", len(seqs), seqs[0], seqs[len(seqs)-1], n/2-1, n-3)
	}
	stop := errors.New("stop")
	calls := 0
	err := svc.Each(t.Context(), Query{}, func(Entry) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("AuditEach with a failing callback: %v after %d calls; want its error after 1", err, calls)
	}
}

func testAuditConcurrent(t *testing.T, db *database.DB) {
	svc := New(db, newFakeClock().Now)
	const writers, each = 8, 50
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				err := svc.Record(t.Context(), Event{Action: "report.view", Outcome: OutcomeSuccess,
					ActorID: fmt.Sprintf("usr_%d", w), TargetID: fmt.Sprint(i)})
				if err != nil {
					t.Errorf("writer %d, event %d: %v", w, i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	wantIntact(t, svc, writers*each)
	all := allAudit(t, svc)
	perWriter := map[string]int{}
	for i, r := range all {
		if r.Seq != int64(len(all)-i) {
			t.Fatalf("row %d has seq %d, want %d: seq 1..%d without gaps", i, r.Seq, len(all)-i, writers*each)
		}
		perWriter[r.ActorID]++
	}
	for w := range writers {
		if got := perWriter[fmt.Sprintf("usr_%d", w)]; got != each {
			t.Errorf("writer %d has %d rows, want %d", w, got, each)
		}
	}
}

func testAuditValidation(t *testing.T, db *database.DB) {
	svc := New(db, newFakeClock().Now)
	valid := Event{Action: "customer.update", Outcome: OutcomeSuccess}
	tests := []struct {
		name   string
		change func(*Event)
	}{
		{"no action", func(e *Event) { e.Action = "" }},
		{"upper-case action", func(e *Event) { e.Action = "Customer.Update" }},
		{"empty action segment", func(e *Event) { e.Action = "customer..update" }},
		{"action ending in a dot", func(e *Event) { e.Action = "customer." }},
		{"action starting with a digit", func(e *Event) { e.Action = "customer.2fa" }},
		{"action with a space", func(e *Event) { e.Action = "customer update" }},
		{"action too long", func(e *Event) { e.Action = "a." + strings.Repeat("b", 99) }},
		{"no outcome", func(e *Event) { e.Outcome = "" }},
		{"unknown outcome", func(e *Event) { e.Outcome = "ok" }},
		{"unknown role", func(e *Event) { e.Role = "root" }},
		{"dotted target type", func(e *Event) { e.TargetType = "customer.file" }},
		{"upper-case target type", func(e *Event) { e.TargetType = "Customer" }},
		{"details that cannot marshal: channel", func(e *Event) { e.Details = map[string]any{"c": make(chan int)} }},
		{"details that cannot marshal: func", func(e *Event) { e.Details = map[string]any{"f": func() {}} }},
		{"details that cannot marshal: NaN", func(e *Event) { e.Details = map[string]any{"x": math.NaN()} }},
		{"oversize details", func(e *Event) { e.Details = map[string]any{"x": strings.Repeat("y", MaxDetails)} }},
		{"time before 1970", func(e *Event) { e.Time = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := valid
			tt.change(&e)
			if err := svc.Record(t.Context(), e); !errors.Is(err, ErrInvalidEvent) {
				t.Errorf("Record(%+v): got %v, want ErrInvalidEvent", e, err)
			}
		})
	}
	if n := dbtest.CountRows(t, db, "audit_events"); n != 0 {
		t.Errorf("refused events left %d rows, want 0", n)
	}
	// The limits themselves are allowed.
	atLimit := valid
	atLimit.Action, atLimit.TargetType = "a."+strings.Repeat("b", 98), "check_file"
	atLimit.Details = map[string]any{"x": strings.Repeat("y", MaxDetails-len(`{"x":""}`))}
	mustRecordAudit(t, svc, atLimit)
}

// tamperableTrail records ten events and drops the append-only triggers, as someone with write access
// to the database could.
func tamperableTrail(t *testing.T, open func(testing.TB) *database.DB) (*Trail, *database.DB) {
	t.Helper()
	db := open(t)
	clock := newFakeClock()
	svc := New(db, clock.Now)
	for i := range 10 {
		mustRecordAudit(t, svc, Event{ActorID: "usr_alice", ActorEmail: "alice@example.com", Role: auth.RoleSupport,
			Action: "customer.update", TargetType: "customer", TargetID: fmt.Sprintf("cus_%d", i+1), Outcome: OutcomeSuccess,
			Details: map[string]any{"fields": []string{"name"}}})
		clock.Advance(time.Second)
	}
	for _, trigger := range []string{"audit_events_no_update", "audit_events_no_delete", "audit_events_next_seq"} {
		dropTrigger(t, db, "audit_events", trigger)
	}
	return svc, db
}

// dropTrigger drops a trigger the migrations created, in the dialect's syntax.
func dropTrigger(t *testing.T, db *database.DB, table, trigger string) {
	t.Helper()
	if db.Postgres() {
		exec(t, db, "DROP TRIGGER "+trigger+" ON "+table)
		return
	}
	exec(t, db, "DROP TRIGGER "+trigger)
}

// exec runs query, its ? placeholders numbered for the dialect, or fails the test.
func exec(t *testing.T, db *database.DB, query string, args ...any) {
	t.Helper()
	if _, err := db.SQL().ExecContext(t.Context(), db.Q(query), args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func TestAuditTrailIsAppendOnly(t *testing.T) {
	forEachDatabase(t, testAuditTrailIsAppendOnly)
}

func testAuditTrailIsAppendOnly(t *testing.T, open func(testing.TB) *database.DB) {
	db := open(t)
	svc := New(db, newFakeClock().Now)
	for range 3 {
		mustRecordAudit(t, svc, Event{Action: "report.view", Outcome: OutcomeSuccess})
	}
	before := allAudit(t, svc)
	// Ways around row triggers: SQLite's REPLACE deletes without firing delete triggers, PostgreSQL's
	// upsert updates without an UPDATE statement and TRUNCATE fires no row trigger.
	dialectSpecific := []string{`INSERT OR REPLACE INTO audit_events SELECT * FROM audit_events WHERE seq = 2`}
	if db.Postgres() {
		dialectSpecific = []string{
			`INSERT INTO audit_events SELECT * FROM audit_events WHERE seq = 2 ON CONFLICT (seq) DO UPDATE SET outcome = 'denied'`,
			`TRUNCATE audit_events`,
		}
	}
	for _, stmt := range append(dialectSpecific,
		`UPDATE audit_events SET outcome = 'failure' WHERE seq = 2`,
		`UPDATE audit_events SET details = '{}'`,
		`DELETE FROM audit_events WHERE seq = 3`,
		`DELETE FROM audit_events`,
		`INSERT INTO audit_events (seq, at_ns, actor_id, actor_email, role, action, target_type, target_id, client_ip,
			request_id, outcome, details, hash_version, prev_hash, hash)
			SELECT seq + 2, at_ns, actor_id, actor_email, role, action, target_type, target_id, client_ip,
			request_id, outcome, details, hash_version, prev_hash, hash FROM audit_events WHERE seq = 3`,
	) {
		if _, err := db.SQL().ExecContext(t.Context(), stmt); err == nil || !strings.Contains(err.Error(), "the audit trail is append-only") {
			t.Errorf("%s: got %v, want the trigger's refusal", stmt, err)
		}
	}
	if after := allAudit(t, svc); !slices.EqualFunc(before, after, func(a, b Entry) bool { return a.Hash == b.Hash }) {
		t.Errorf("after the refused changes the trail is %v, want %v", auditSeqs(after), auditSeqs(before))
	}
	wantIntact(t, svc, 3)
}

func TestVerifyAuditFindsTampering(t *testing.T) {
	forEachDatabase(t, testVerifyAuditFindsTampering)
}

func testVerifyAuditFindsTampering(t *testing.T, open func(testing.TB) *database.DB) {
	tests := []struct {
		name       string
		tamper     func(t *testing.T, db *database.DB)
		wantSeq    int64
		wantReason string
	}{
		{"details changed", func(t *testing.T, db *database.DB) {
			exec(t, db, `UPDATE audit_events SET details = '{"fields":["name","email"]}' WHERE seq = 4`)
		}, 4, "hash mismatch"},
		{"details no longer JSON", func(t *testing.T, db *database.DB) {
			exec(t, db, `UPDATE audit_events SET details = 'not json' WHERE seq = 4`)
		}, 4, "hash mismatch"},
		{"actor changed", func(t *testing.T, db *database.DB) {
			exec(t, db, `UPDATE audit_events SET actor_email = 'bob@example.com' WHERE seq = 7`)
		}, 7, "hash mismatch"},
		{"time changed by a nanosecond", func(t *testing.T, db *database.DB) {
			exec(t, db, `UPDATE audit_events SET at_ns = at_ns + 1 WHERE seq = 2`)
		}, 2, "hash mismatch"},
		{"outcome changed", func(t *testing.T, db *database.DB) {
			exec(t, db, `UPDATE audit_events SET outcome = 'denied' WHERE seq = 10`)
		}, 10, "hash mismatch"},
		{"hash version changed", func(t *testing.T, db *database.DB) {
			exec(t, db, `UPDATE audit_events SET hash_version = 2 WHERE seq = 5`)
		}, 5, "unknown hash version"},
		{"middle row deleted", func(t *testing.T, db *database.DB) {
			exec(t, db, `DELETE FROM audit_events WHERE seq = 6`)
		}, 6, "gap in sequence"},
		{"first row deleted", func(t *testing.T, db *database.DB) {
			exec(t, db, `DELETE FROM audit_events WHERE seq = 1`)
		}, 1, "gap in sequence"},
		{"first row's link changed", func(t *testing.T, db *database.DB) {
			exec(t, db, `UPDATE audit_events SET prev_hash = ? WHERE seq = 1`, strings.Repeat("1", 64))
		}, 1, "broken link"},
		{"row changed and its own hash recomputed", func(t *testing.T, db *database.DB) {
			rehash(t, db, 5, `UPDATE audit_events SET target_id = 'cus_999' WHERE seq = 5`)
		}, 6, "broken link"},
		{"row deleted and the next relinked and rehashed", func(t *testing.T, db *database.DB) {
			exec(t, db, `DELETE FROM audit_events WHERE seq = 3`)
			exec(t, db, `UPDATE audit_events SET seq = 3, prev_hash = (SELECT hash FROM audit_events WHERE seq = 2) WHERE seq = 4`)
			rehash(t, db, 3, "")
		}, 4, "gap in sequence"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, db := tamperableTrail(t, open)
			wantIntact(t, svc, 10)
			tt.tamper(t, db)
			v, err := svc.Verify(t.Context())
			if err != nil || v.BrokenSeq != tt.wantSeq || v.Reason != tt.wantReason || v.LastHash != "" {
				t.Errorf("Verify = %+v, %v; want broken at %d: %s", v, err, tt.wantSeq, tt.wantReason)
			}
			// The trail stays readable, however it was tampered with.
			if _, _, err := svc.Events(t.Context(), Query{}); err != nil {
				t.Errorf("AuditEvents after tampering: %v", err)
			}
		})
	}
	t.Run("unreadable details are shown raw", func(t *testing.T) {
		svc, db := tamperableTrail(t, open)
		exec(t, db, `UPDATE audit_events SET details = 'not json' WHERE seq = 10`)
		rows, _, err := svc.Events(t.Context(), Query{Limit: 1})
		if err != nil || rows[0].Details["_raw"] != "not json" {
			t.Errorf("AuditEvents = %+v, %v; want details {_raw: not json}", rows, err)
		}
	})
}

// rehash runs change (if any) and then recomputes row seq's hash from its content, as a careful forger
// would.
func rehash(t *testing.T, db *database.DB, seq int64, change string) {
	t.Helper()
	if change != "" {
		exec(t, db, change)
	}
	rows, err := New(db, nil).chain(t.Context(), seq-1, 1)
	if err != nil || len(rows) != 1 {
		t.Fatalf("AuditChain: %v, %v", rows, err)
	}
	exec(t, db, `UPDATE audit_events SET hash = ? WHERE seq = ?`, auditHash(rows[0]), seq)
}

// TestVerifyAuditAcrossBatches puts the break in a later batch than the first.
func TestVerifyAuditAcrossBatches(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, open func(testing.TB) *database.DB) { testVerifyAuditAcrossBatches(t, open(t)) })
}

func testVerifyAuditAcrossBatches(t *testing.T, db *database.DB) {
	svc := New(db, newFakeClock().Now)
	for range auditBatch + 20 {
		mustRecordAudit(t, svc, Event{Action: "report.view", Outcome: OutcomeSuccess})
	}
	dropTrigger(t, db, "audit_events", "audit_events_no_delete")
	exec(t, db, `DELETE FROM audit_events WHERE seq = ?`, auditBatch+1)
	v, err := svc.Verify(t.Context())
	if err != nil || v.BrokenSeq != auditBatch+1 || v.Reason != "gap in sequence" {
		t.Errorf("Verify = %+v, %v; want broken at %d: gap in sequence", v, err, auditBatch+1)
	}
}

func TestRecordFailsClosed(t *testing.T) {
	t.Run("insert refused", func(t *testing.T) {
		db := dbtest.SQLite(t)
		svc := New(db, newFakeClock().Now)
		mustRecordAudit(t, svc, Event{Action: "report.view", Outcome: OutcomeSuccess})
		exec(t, db, `CREATE TRIGGER audit_refuse BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'disk on fire'); END`)
		err := svc.Record(t.Context(), Event{Action: "report.view", Outcome: OutcomeSuccess})
		if err == nil || !strings.Contains(err.Error(), "disk on fire") {
			t.Errorf("Record = %v, want the database's error", err)
		}
		if n := dbtest.CountRows(t, db, "audit_events"); n != 1 {
			t.Errorf("rows = %d, want 1", n)
		}
	})
	t.Run("database closed", func(t *testing.T) {
		db := dbtest.SQLite(t)
		svc := New(db, newFakeClock().Now)
		db.Close()
		if err := svc.Record(t.Context(), Event{Action: "report.view", Outcome: OutcomeSuccess}); err == nil {
			t.Error("Record on a closed database succeeded, want an error")
		}
		if _, err := svc.Verify(t.Context()); err == nil {
			t.Error("VerifyAudit on a closed database succeeded, want an error")
		}
	})
	t.Run("context cancelled", func(t *testing.T) {
		svc := New(dbtest.SQLite(t), newFakeClock().Now)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if err := svc.Record(ctx, Event{Action: "report.view", Outcome: OutcomeSuccess}); err == nil {
			t.Error("Record with a cancelled context succeeded, want an error")
		}
	})
}

// TestAuditMigrationDown rolls the audit migration back and forth.
func TestAuditMigrationDown(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, open func(testing.TB) *database.DB) { testAuditMigrationDown(t, open(t)) })
}

func testAuditMigrationDown(t *testing.T, db *database.DB) {
	if err := db.MigrateDownTo(t.Context(), 1); err != nil {
		t.Fatalf("DownTo(1): %v", err)
	}
	if n := dbtest.SchemaObjects(t, db, "audit_events"); n != 0 {
		t.Errorf("audit objects after Down = %d, want 0", n)
	}
	if err := db.MigrateTo(t.Context(), database.Latest); err != nil {
		t.Fatalf("Up again: %v", err)
	}
	svc := New(db, newFakeClock().Now)
	mustRecordAudit(t, svc, Event{Action: "report.view", Outcome: OutcomeSuccess})
	wantIntact(t, svc, 1)
}

// BenchmarkRecord measures appending to the chain: one writer, and eight at once queueing for the
// chain head (the database's write lock).
func BenchmarkRecord(b *testing.B) {
	e := Event{ActorID: "usr_alice", ActorEmail: "alice@example.com", Role: auth.RoleReviewer, Action: "report.view",
		TargetType: "check", TargetID: "chk_0123456789", ClientIP: "203.0.113.7", RequestID: "req-0123456789",
		Outcome: OutcomeSuccess, Details: map[string]any{"fields": []string{"document", "face"}}}
	newSvc := func(b *testing.B) *Trail {
		return New(dbtest.SQLite(b), nil)
	}
	b.Run("serial", func(b *testing.B) {
		svc := newSvc(b)
		b.ReportAllocs()
		for b.Loop() {
			mustRecordAudit(b, svc, e)
		}
	})
	b.Run("parallel-8", func(b *testing.B) {
		svc := newSvc(b)
		b.ReportAllocs()
		b.ResetTimer()
		var next atomic.Int64
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for next.Add(1) <= int64(b.N) {
					if err := svc.Record(context.Background(), e); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
	})
}

// TestAttemptedMigration: the migration that lets a row be "attempted" keeps every row written before
// it, so the chain still verifies, and the trail then takes attempts.
func TestAttemptedMigration(t *testing.T) {
	dbtest.EachAt(t, func(t *testing.T, openAt dbtest.Opener) {
		db := openAt(t, 4)
		trail := New(db, newFakeClock().Now)
		for range 3 {
			mustRecordAudit(t, trail, Event{Action: "customer.update", Outcome: OutcomeSuccess, Details: map[string]any{"n": 1}})
		}
		if err := trail.Record(t.Context(), Event{Action: "customer.update", Outcome: OutcomeAttempted}); err == nil {
			t.Fatal("an attempted row before the migration was stored, want the outcome check to refuse it")
		}
		if err := db.MigrateTo(t.Context(), database.Latest); err != nil {
			t.Fatal(err)
		}
		mustRecordAudit(t, trail, Event{Action: "customer.update", Outcome: OutcomeAttempted})
		wantIntact(t, trail, 4)
		if _, err := db.SQL().ExecContext(t.Context(), `UPDATE audit_events SET outcome = 'failure' WHERE seq = 4`); err == nil {
			t.Error("an update after the migration was allowed, want the append-only trigger to refuse it")
		}
	})
}
