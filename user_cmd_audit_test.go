package main

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hiveconsole/hiveconsole/audit"
	"github.com/hiveconsole/hiveconsole/auth"
)

// trailRows returns every audit row, oldest first.
func (e *userTestEnv) trailRows(t *testing.T) []audit.Entry {
	t.Helper()
	rows, _, err := e.trail(t).Events(t.Context(), audit.Query{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(rows)-1; i < j; i, j = i+1, j-1 {
		rows[i], rows[j] = rows[j], rows[i]
	}
	return rows
}

// wantRow is what a test expects of one audit row; target "new" is the account the step created.
type wantRow struct {
	action, outcome, target string
	details                 map[string]any
}

// changeRows are the rows of a change made: its attempt and its success, alike but for the outcome.
func changeRows(action, target string, details map[string]any) []wantRow {
	return []wantRow{{action, "attempted", target, details}, {action, "success", target, details}}
}

// TestUserCommandsAreAudited runs each command that changes an account, and some that fail, and finds
// for each exactly the rows the web pages would write for the same change, in the shell's name: the
// attempt, written before the change, and its outcome.
func TestUserCommandsAreAudited(t *testing.T) {
	env := newUserTestEnv(t)
	env.add(t, "admin@example.com", auth.RoleAdmin)
	env.add(t, "rita@example.com", auth.RoleReviewer)
	svc := env.service(t)
	admin, _ := svc.UserByEmail(t.Context(), "admin@example.com")
	rita, _ := svc.UserByEmail(t.Context(), "rita@example.com")
	steps := []struct {
		stdin   string
		args    []string
		wantErr bool
		want    []wantRow
	}{
		{userTestPassword + "\n", []string{"add", "--email", "New@Example.com", "--name", "New", "--role", "support", "--password-stdin"}, false,
			changeRows("user.create", "new", map[string]any{"email": "new@example.com", "role": "support"})},
		{"", []string{"add", "--email", "new2@example.com", "--name", "New Two", "--role", "auditor"}, false, // a generated password
			changeRows("user.create", "new", map[string]any{"email": "new2@example.com", "role": "auditor"})},
		{userTestPassword2 + "\n", []string{"passwd", "rita@example.com", "--password-stdin"}, false,
			changeRows("user.reset_password", rita.ID, map[string]any{"email": "rita@example.com"})},
		{"", []string{"disable", "rita@example.com"}, false,
			changeRows("user.disable", rita.ID, map[string]any{"email": "rita@example.com", "role": "reviewer"})},
		{"", []string{"enable", "rita@example.com"}, false,
			changeRows("user.enable", rita.ID, map[string]any{"email": "rita@example.com", "role": "reviewer"})},
		{"", []string{"role", "rita@example.com", "auditor"}, false,
			changeRows("user.role", rita.ID, map[string]any{"email": "rita@example.com", "role": "reviewer", "new_role": "auditor"})},
		{"", []string{"revoke", "rita@example.com"}, false,
			changeRows("user.revoke_sessions", rita.ID, map[string]any{"email": "rita@example.com", "role": "auditor"})},

		// Changes that fail: the attempt, then its failure.
		{"", []string{"disable", "admin@example.com"}, true, []wantRow{
			{"user.disable", "attempted", admin.ID, map[string]any{"email": "admin@example.com", "role": "admin"}},
			{"user.disable", "failure", admin.ID, map[string]any{"email": "admin@example.com", "role": "admin", "error": "last admin"}}}},
		{userTestPassword + "\n", []string{"add", "--email", "rita@example.com", "--name", "Again", "--role", "support", "--password-stdin"}, true, []wantRow{
			{"user.create", "attempted", "new", map[string]any{"email": "rita@example.com", "role": "support"}},
			{"user.create", "failure", "new", map[string]any{"email": "rita@example.com", "role": "support", "error": "email taken"}}}},
		{"hunter2\n", []string{"passwd", "rita@example.com", "--password-stdin"}, true, []wantRow{
			{"user.reset_password", "attempted", rita.ID, map[string]any{"email": "rita@example.com"}},
			{"user.reset_password", "failure", rita.ID, map[string]any{"email": "rita@example.com", "error": "invalid password"}}}},
		// An email that names no account: the failure alone, nothing having been attempted.
		{"", []string{"role", "Nobody@example.com", "admin"}, true,
			[]wantRow{{"user.role", "failure", "", map[string]any{"email": "nobody@example.com", "error": "not found"}}}},

		// Nothing changes, nothing is recorded: reads, no-ops and refused input.
		{"", []string{"list"}, false, nil},
		{"", []string{"enable", "rita@example.com"}, false, nil},
		{"", []string{"role", "rita@example.com", "auditor"}, false, nil},
		{"", []string{"role", "rita@example.com", "boss"}, true, nil},
		{"x\n", []string{"add", "--email", "bad", "--name", "Bad", "--role", "support", "--password-stdin"}, true, nil},
		{"", []string{"passwd", "rita@example.com", "--password-stdin"}, true, nil}, // no password on stdin
	}
	for _, st := range steps {
		name := strings.Join(st.args, " ")
		before := len(env.trailRows(t))
		_, err := env.cliStdin(t, st.stdin, st.args...)
		if (err != nil) != st.wantErr {
			t.Errorf("%s: got error %v, want error %v", name, err, st.wantErr)
		}
		rows := env.trailRows(t)[before:]
		if len(rows) != len(st.want) {
			t.Errorf("%s: got %d rows %v, want %d", name, len(rows), rows, len(st.want))
			continue
		}
		for i, w := range st.want {
			r := rows[i]
			if w.target == "new" {
				w.target = rows[0].TargetID
				if !strings.HasPrefix(w.target, "usr_") {
					t.Errorf("%s: target %q, want the new account's id", name, w.target)
				}
			}
			if r.ActorID != testActor || r.ActorEmail != "" || r.Role != "" || r.Action != w.action || r.Outcome != w.outcome ||
				r.TargetType != "user" || r.TargetID != w.target || !reflect.DeepEqual(r.Details, w.details) {
				t.Errorf("%s: row %d = %s %s %s/%s by %q %q %q %v;\nwant %s %s user/%s by %q %v", name, i, r.Action, r.Outcome, r.TargetType,
					r.TargetID, r.ActorID, r.ActorEmail, r.Role, r.Details, w.action, w.outcome, w.target, testActor, w.details)
			}
		}
	}
	if created, err := svc.UserByEmail(t.Context(), "new@example.com"); err != nil || created.Role != auth.RoleSupport {
		t.Errorf("the created account: %+v, %v", created, err)
	}
	if v, err := env.trail(t).Verify(t.Context()); err != nil || v.BrokenSeq != 0 {
		t.Errorf("VerifyAudit = %+v, %v; want intact", v, err)
	}

	// The shell's rows read plainly in `hiveconsole audit list`.
	out, err := env.auditCLI(t, "list", "--actor", testActor, "--action", "user.role")
	if err != nil || !strings.Contains(out, testActor) || !strings.Contains(out, "user "+rita.ID) {
		t.Errorf("audit list = %q, %v; want the role change by %s", out, err, testActor)
	}
}

// refuseAuditWrites makes every insert into the trail fail, as a full disk or a lost database would.
func refuseAuditWrites(t *testing.T, dir string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "console.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(t.Context(), `CREATE TRIGGER audit_refuse BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'disk on fire'); END`); err != nil {
		t.Fatal(err)
	}
}

// TestUserCommandsFailClosed: with the trail unwritable, every command that would change an account
// fails, says why, and leaves the account as it was.
func TestUserCommandsFailClosed(t *testing.T) {
	env := newUserTestEnv(t)
	env.add(t, "admin@example.com", auth.RoleAdmin)
	env.add(t, "rita@example.com", auth.RoleReviewer)
	env.add(t, "dora@example.com", auth.RoleSupport)
	env.mustCLI(t, "", "disable", "dora@example.com")
	svc := env.service(t)
	cookie := signIn(t, svc, "rita@example.com", userTestPassword)
	before := len(env.trailRows(t))
	refuseAuditWrites(t, env.dir)

	unchanged := func(t *testing.T) {
		t.Helper()
		if _, err := svc.UserByEmail(t.Context(), "new@example.com"); !errors.Is(err, auth.ErrUserNotFound) {
			t.Errorf("new@example.com exists (%v), want no account", err)
		}
		rita, err := svc.UserByEmail(t.Context(), "rita@example.com")
		if err != nil || rita.Role != auth.RoleReviewer || rita.Disabled {
			t.Errorf("rita = %+v, %v; want an enabled reviewer", rita, err)
		}
		if dora, _ := svc.UserByEmail(t.Context(), "dora@example.com"); !dora.Disabled {
			t.Error("dora was enabled")
		}
		if _, err := svc.Authenticate(t.Context(), "rita@example.com", userTestPassword, testClient); err != nil {
			t.Errorf("rita's password changed: %v", err)
		}
		if !signedIn(t, svc, cookie) {
			t.Error("rita's session was revoked")
		}
	}
	for _, c := range []struct {
		stdin string
		args  []string
	}{
		{userTestPassword + "\n", []string{"add", "--email", "new@example.com", "--name", "New", "--role", "admin", "--password-stdin"}},
		{"", []string{"add", "--email", "new@example.com", "--name", "New", "--role", "admin"}},
		{userTestPassword2 + "\n", []string{"passwd", "rita@example.com", "--password-stdin"}},
		{"", []string{"passwd", "rita@example.com"}},
		{"", []string{"disable", "rita@example.com"}},
		{"", []string{"enable", "dora@example.com"}},
		{"", []string{"role", "rita@example.com", "admin"}},
		{"", []string{"revoke", "rita@example.com"}},
	} {
		t.Run(strings.Join(c.args[:2], " "), func(t *testing.T) {
			out, err := env.cliStdin(t, c.stdin, c.args...)
			if !errors.Is(err, errTrailUnwritable) || !strings.Contains(err.Error(), "the audit trail could not be written, so nothing was changed") {
				t.Errorf("got error %v, want it to say the trail could not be written", err)
			}
			var u usageError
			if errors.As(err, &u) {
				t.Error("a trail that cannot be written is a usage error, want exit status 1")
			}
			if out != "" {
				t.Errorf("got output %q, want none (no password shown, nothing reported done)", out)
			}
			unchanged(t)
		})
	}
	if n := len(env.trailRows(t)); n != before {
		t.Errorf("%d rows were written while the trail refused writes", n-before)
	}
}

func TestShellActor(t *testing.T) {
	ok := func(s string) func() (string, error) { return func() (string, error) { return s, nil } }
	fail := func() (string, error) { return "", errors.New("no passwd entry") }
	tests := []struct {
		name           string
		username, host func() (string, error)
		want           string
	}{
		{"user and host", ok("alice"), ok("ops-1.example.net"), "cli:alice@ops-1.example.net"},
		{"case kept", ok("Alice"), ok("OPS"), "cli:Alice@OPS"},
		{"no user", fail, ok("ops"), "cli:unknown@ops"},
		{"empty host", ok("alice"), ok(""), "cli:alice@unknown"},
	}
	for _, tt := range tests {
		if got := shellActor(tt.username, tt.host); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}

	// Run as main runs it, the command names the operating-system user and host.
	env := newUserTestEnv(t)
	if _, err := env.cli(t, "add", "--email", "a@example.com", "--name", "A", "--role", "admin"); err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	name, _ := osUsername()
	rows := env.trailRows(t)
	want := fmt.Sprintf("cli:%s@%s", name, host)
	if len(rows) != 2 || name == "" {
		t.Fatalf("rows %v, want the attempt and its outcome by %q", rows, want)
	}
	for _, r := range rows {
		if r.ActorID != want {
			t.Errorf("row by %q, want %q", r.ActorID, want)
		}
	}
}
