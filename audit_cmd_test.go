package main

import (
	"bytes"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/audit"
	"github.com/hiveconsole/hiveconsole/audit/audittest"
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/database"
)

// auditCLI runs `hiveconsole audit args…` through run, as main does.
func (e *userTestEnv) auditCLI(t *testing.T, args ...string) (stdout string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(t.Context(), append([]string{"audit"}, args...), e.getenv, &out, &errOut)
	return out.String(), err
}

// newAuditTestEnv is a data directory whose trail holds n events.
func newAuditTestEnv(t *testing.T, n int) (*userTestEnv, *audit.Trail) {
	t.Helper()
	e := newUserTestEnv(t)
	svc := e.trail(t)
	for i := range n {
		err := svc.Record(t.Context(), audit.Event{ActorID: "usr_alice", ActorEmail: "alice@example.com", Role: auth.RoleSupport,
			Action: "customer.update", TargetType: "customer", TargetID: "cus_" + string(rune('a'+i)), Outcome: audit.OutcomeSuccess})
		if err != nil {
			t.Fatal(err)
		}
	}
	return e, svc
}

func TestAuditVerifyIntact(t *testing.T) {
	for _, c := range []struct {
		events int
		want   string
	}{{0, "audit trail intact: 0 rows\n"}, {1, "audit trail intact: 1 row\n"}, {5, "audit trail intact: 5 rows\n"}} {
		e, svc := newAuditTestEnv(t, c.events)
		out, err := e.auditCLI(t, "verify")
		if err != nil || !strings.HasPrefix(out, c.want) {
			t.Errorf("%d events: audit verify = %q, %v; want %q and success", c.events, out, err, c.want)
		}
		if c.events == 0 {
			continue
		}
		rows, _, _ := svc.Events(t.Context(), audit.Query{Limit: 1})
		if !strings.Contains(out, "last row hash: "+rows[0].Hash+"\n") {
			t.Errorf("audit verify = %q; want the newest row's hash %s", out, rows[0].Hash)
		}
	}
}

func TestAuditVerifyBroken(t *testing.T) {
	e, _ := newAuditTestEnv(t, 5)
	db, err := sql.Open("sqlite", "file:"+filepath.Join(e.dir, "console.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, stmt := range []string{
		`DROP TRIGGER audit_events_no_update`,
		`UPDATE audit_events SET target_id = 'cus_other' WHERE seq = 3`,
	} {
		if _, err := db.ExecContext(t.Context(), stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	out, err := e.auditCLI(t, "verify", "--data-dir", e.dir)
	var u usageError
	if err == nil || errors.As(err, &u) || err.Error() != "audit trail broken at row 3: hash mismatch" || out != "" {
		t.Errorf("audit verify after tampering = %q, %v; want the error \"audit trail broken at row 3: hash mismatch\" (exit 1)", out, err)
	}
}

func TestAuditList(t *testing.T) {
	e, svc := newAuditTestEnv(t, 3)
	svc.Record(t.Context(), audit.Event{ActorEmail: "mallory@example.com", Action: "auth.sign_in", Outcome: audit.OutcomeFailure})
	out, err := e.auditCLI(t, "list", "--limit", "2")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "SEQ") || lines[3] != "2 of 4 events" {
		t.Fatalf("audit list --limit 2 =\n%s\nwant a header, two rows and \"2 of 4 events\"", out)
	}
	for i, want := range [][]string{
		{"4 ", "mallory@example.com", " - ", "auth.sign_in", "failure"},
		{"3 ", "alice@example.com", "support", "customer.update", "customer cus_c", "success"},
	} {
		for _, w := range want {
			if !strings.Contains(lines[i+1], w) {
				t.Errorf("row %d %q lacks %q", i+1, lines[i+1], w)
			}
		}
	}
	out, err = e.auditCLI(t, "list", "--action", "auth.", "--actor", "MALLORY")
	if err != nil || !strings.HasSuffix(out, "1 of 1 events\n") {
		t.Errorf("audit list filtered = %q, %v; want one event", out, err)
	}
}

func TestAuditCommandErrors(t *testing.T) {
	e := newUserTestEnv(t)
	if _, err := e.auditCLI(t, "verify"); err == nil || !strings.Contains(err.Error(), "no console database in "+e.dir) {
		t.Errorf("verify without a database: got %v, want \"no console database\"", err)
	}
	for _, args := range [][]string{{}, {"forge"}, {"verify", "extra"}, {"verify", "--limit", "3"}, {"list", "--limit", "-1"}} {
		_, err := e.auditCLI(t, args...)
		var u usageError
		if !errors.As(err, &u) {
			t.Errorf("audit %v: got %v, want a usage error", args, err)
		}
	}
	out, err := e.auditCLI(t, "help")
	if err != nil || !strings.Contains(out, "verify") {
		t.Errorf("audit help = %q, %v", out, err)
	}
	var stdout bytes.Buffer
	if err := run(t.Context(), []string{"help"}, e.getenv, &stdout, &bytes.Buffer{}); err != nil || !strings.Contains(stdout.String(), "\n  audit ") {
		t.Errorf("hiveconsole help lacks the audit command: %q, %v", stdout.String(), err)
	}
}

// TestAuditListShowsOldRowsSafely lists a row written before the trail cleaned its text, with raw
// terminal escapes and bidi controls, and finds them printed as visible escapes: nothing in the
// output acts on the terminal.
func TestAuditListShowsOldRowsSafely(t *testing.T) {
	e, _ := newAuditTestEnv(t, 1)
	db, err := database.Open(t.Context(), e.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	raw := audit.Event{Time: time.Now().UTC(), ActorEmail: "mallory\x1b]0;owned\x07@example.com\u202e", Action: "auth.sign_in",
		TargetType: "user", TargetID: "usr_\x1b[2J\x00\u009b\t\n1", Outcome: audit.OutcomeFailure}
	if err := audittest.AppendRaw(t.Context(), db, raw, ""); err != nil {
		t.Fatal(err)
	}
	if out, err := e.auditCLI(t, "verify"); err != nil {
		t.Fatalf("audit verify = %q, %v; want the raw row sealed like any other", out, err)
	}
	out, err := e.auditCLI(t, "list")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range out {
		if r != '\n' && (r < 0x20 || r >= 0x7f && r <= 0x9f || r >= 0x202a && r <= 0x202e) {
			t.Fatalf("audit list printed %U raw:\n%q", r, out)
		}
	}
	for _, want := range []string{`mallory\x1b]0;owned\a@example.com\u202e`, `user usr_\x1b[2J\x00\u009b\t\n1`} {
		if !strings.Contains(out, want) {
			t.Errorf("audit list =\n%s\nwant it to show %q", out, want)
		}
	}
}
