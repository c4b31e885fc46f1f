package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/audit"
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/database"
	"github.com/pquerna/otp/totp"
)

// testActor is who runs the commands in tests, as the audit trail names them.
const testActor = "cli:tester@testhost"

// Passwords that pass the policy for every test email.
const (
	userTestPassword  = "plinth-otter-marsh-43"
	userTestPassword2 = "lantern-brook-quiet-88"
)

var (
	testClient        = netip.MustParseAddr("203.0.113.7")
	generatedPassword = regexp.MustCompile(`Password \(shown only this once\): ([a-z2-9]{6}(?:-[a-z2-9]{6}){3})\n`)
)

// userTestEnv is one data directory, driven through the CLI and inspected through its own auth.Service.
type userTestEnv struct {
	dir    string
	getenv func(string) string
}

func newUserTestEnv(t *testing.T) *userTestEnv {
	t.Helper()
	dir := t.TempDir()
	return &userTestEnv{dir: dir, getenv: func(k string) string {
		if k == "HIVECONSOLE_DATA_DIR" {
			return dir
		}
		return ""
	}}
}

// cli runs `hiveconsole user args…` through run, as main does.
func (e *userTestEnv) cli(t *testing.T, args ...string) (stdout string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(t.Context(), append([]string{"user"}, args...), e.getenv, &out, &errOut)
	return out.String(), err
}

// cliStdin runs `hiveconsole user args…` with stdin as standard input.
func (e *userTestEnv) cliStdin(t *testing.T, stdin string, args ...string) (stdout string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = runUserIn(t.Context(), args, e.getenv, userShell{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut, actor: testActor})
	return out.String(), err
}

// mustCLI is cli for steps that must succeed.
func (e *userTestEnv) mustCLI(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	out, err := e.cliStdin(t, stdin, args...)
	if err != nil {
		t.Fatalf("hiveconsole user %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// add creates an account with userTestPassword.
func (e *userTestEnv) add(t *testing.T, email string, role auth.Role) {
	t.Helper()
	e.mustCLI(t, userTestPassword+"\n", "add", "--email", email, "--name", "Test "+string(role), "--role", string(role), "--password-stdin")
}

// service opens the data directory as serve would, to check what the CLI did.
func (e *userTestEnv) service(t *testing.T) *auth.Service {
	t.Helper()
	db, err := database.Open(t.Context(), e.dir)
	if err != nil {
		t.Fatalf("database.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	keys, err := auth.LoadSessionKeys(e.dir, "")
	if err != nil {
		t.Fatalf("LoadSessionKeys: %v", err)
	}
	svc, err := auth.NewService(t.Context(), db, auth.Config{SessionKeys: keys})
	if err != nil {
		t.Fatalf("NewService: %v", err)
	}
	return svc
}

// trail opens the data directory's audit trail, to check what the CLI recorded.
func (e *userTestEnv) trail(t *testing.T) *audit.Trail {
	t.Helper()
	db, err := database.Open(t.Context(), e.dir)
	if err != nil {
		t.Fatalf("database.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return audit.New(db, nil)
}

// signIn authenticates and starts a web session, returning its cookie.
func signIn(t *testing.T, svc *auth.Service, email, password string) *http.Cookie {
	t.Helper()
	u, err := svc.Authenticate(t.Context(), email, password, testClient)
	if err != nil {
		t.Fatalf("Authenticate(%s): %v", email, err)
	}
	w := httptest.NewRecorder()
	if _, err := svc.Sessions().Login(w, httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8080/", nil), u); err != nil {
		t.Fatalf("Login: %v", err)
	}
	for _, c := range w.Result().Cookies() {
		if c.Name == svc.Sessions().CookieName() {
			return c
		}
	}
	t.Fatal("Login set no session cookie")
	return nil
}

// signedIn reports whether a request with cookie is signed in.
func signedIn(t *testing.T, svc *auth.Service, cookie *http.Cookie) bool {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8080/", nil)
	r.AddCookie(cookie)
	_, _, err := svc.SignedInUser(r)
	if err != nil && !errors.Is(err, auth.ErrUnauthenticated) {
		t.Fatalf("SignedInUser: %v", err)
	}
	return err == nil
}

func wantUsageError(t *testing.T, err error, wantLines ...string) {
	t.Helper()
	var u usageError
	if !errors.As(err, &u) {
		t.Fatalf("got error %v, want a usage error (exit status 2)", err)
	}
	for _, line := range wantLines {
		if !strings.Contains("\n"+u.msg+"\n", "\n"+line+"\n") {
			t.Errorf("usage error %q lacks the line %q", u.msg, line)
		}
	}
}

func TestUserAdd(t *testing.T) {
	tests := []struct {
		name      string
		stdin     string
		args      []string
		wantLines []string // the usage error's lines; none: success
	}{
		{"with password from stdin", userTestPassword + "\n", []string{"--email", "Alice@Example.com", "--name", "Alice", "--role", "reviewer", "--password-stdin"}, nil},
		{"CRLF line ending trimmed", userTestPassword + "\r\n", []string{"--email", "alice@example.com", "--name", "Alice", "--role", "support", "--password-stdin"}, nil},
		{"no final newline", userTestPassword, []string{"--email", "alice@example.com", "--name", "Alice", "--role", "auditor", "--password-stdin"}, nil},
		{"email taken in another case", userTestPassword + "\n", []string{"--email", "ADMIN@example.COM", "--name", "Again", "--role", "admin", "--password-stdin"},
			[]string{"email: is already used by another account"}},
		{"weak password", "hunter2\n", []string{"--email", "alice@example.com", "--name", "Alice", "--role", "reviewer", "--password-stdin"},
			[]string{"password: must be at least 12 characters"}},
		{"common password", "password1234!\n", []string{"--email", "alice@example.com", "--name", "Alice", "--role", "reviewer", "--password-stdin"},
			[]string{"password: is too common: attackers try it first; choose a less predictable one, such as a few unrelated words"}},
		{"every field wrong", "x\n", []string{"--email", "not-an-email", "--role", "boss", "--password-stdin"},
			[]string{"email: is not a valid email address", "name: is required", "role: must be admin, reviewer, support or auditor", "password: must be at least 12 characters"}},
		{"empty stdin", "", []string{"--email", "alice@example.com", "--name", "Alice", "--role", "reviewer", "--password-stdin"},
			[]string{"--password-stdin: standard input held no password"}},
		{"password as a flag", "", []string{"--email", "alice@example.com", "--name", "Alice", "--role", "reviewer", "--password", userTestPassword},
			[]string{"flag provided but not defined: -password"}},
		{"password as an argument", "", []string{"--email", "alice@example.com", "--name", "Alice", "--role", "reviewer", userTestPassword},
			[]string{`unexpected argument "` + userTestPassword + `"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newUserTestEnv(t)
			env.add(t, "admin@example.com", auth.RoleAdmin)
			out, err := env.cliStdin(t, tt.stdin, append([]string{"add"}, tt.args...)...)
			if tt.wantLines != nil {
				wantUsageError(t, err, tt.wantLines...)
				if pw := strings.TrimSpace(tt.stdin); len(pw) >= 6 && strings.Contains(err.Error(), pw) {
					t.Errorf("error %q repeats the password", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("add: %v", err)
			}
			if strings.Contains(out, "shown only this once") {
				t.Errorf("output %q shows a password although it came from stdin", out)
			}
			if _, err := env.service(t).Authenticate(t.Context(), "alice@example.com", userTestPassword, testClient); err != nil {
				t.Errorf("Authenticate with the stdin password: %v", err)
			}
		})
	}
}

func TestUserAddGeneratesPassword(t *testing.T) {
	env := newUserTestEnv(t)
	out, err := env.cli(t, "add", "--email", "bob@example.com", "--name", "Bob", "--role", "admin")
	if err != nil {
		t.Fatalf("add: %v", err)
	}
	m := generatedPassword.FindAllStringSubmatch(out, -1)
	if len(m) != 1 {
		t.Fatalf("got %d printed passwords in %q, want 1", len(m), out)
	}
	if n := strings.Count(out, m[0][1]); n != 1 {
		t.Errorf("password printed %d times, want once", n)
	}
	if _, err := env.service(t).Authenticate(t.Context(), "bob@example.com", m[0][1], testClient); err != nil {
		t.Errorf("Authenticate with the generated password: %v", err)
	}
}

func TestUserList(t *testing.T) {
	env := newUserTestEnv(t)
	env.add(t, "admin@example.com", auth.RoleAdmin)
	env.add(t, "rita@example.com", auth.RoleReviewer)
	env.mustCLI(t, "", "disable", "rita@example.com")
	if _, err := env.service(t).Authenticate(t.Context(), "admin@example.com", userTestPassword, testClient); err != nil {
		t.Fatal(err)
	}

	t.Run("table", func(t *testing.T) {
		out := env.mustCLI(t, "", "list")
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 3 {
			t.Fatalf("got %d lines, want a header and 2 users:\n%s", len(lines), out)
		}
		wants := []*regexp.Regexp{
			regexp.MustCompile(`^EMAIL\s+NAME\s+ROLE\s+STATUS\s+LAST SIGN-IN\s+CREATED$`),
			regexp.MustCompile(`^admin@example\.com\s+Test admin\s+admin\s+enabled\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`),
			regexp.MustCompile(`^rita@example\.com\s+Test reviewer\s+reviewer\s+disabled\s+never\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`),
		}
		for i, want := range wants {
			if !want.MatchString(lines[i]) {
				t.Errorf("line %d: got %q, want it to match %s", i, lines[i], want)
			}
		}
		if strings.Contains(out, "argon2") {
			t.Errorf("list shows a password hash:\n%s", out)
		}
	})
	t.Run("json", func(t *testing.T) {
		out := env.mustCLI(t, "", "list", "--json")
		if strings.Contains(out, "argon2") || strings.Contains(strings.ToLower(out), "hash") {
			t.Errorf("JSON shows a password hash:\n%s", out)
		}
		var got []map[string]any
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("not a JSON array: %v\n%s", err, out)
		}
		if len(got) != 2 {
			t.Fatalf("got %d users, want 2", len(got))
		}
		if got[0]["email"] != "admin@example.com" || got[0]["last_sign_in_at"] == nil || got[0]["disabled"] != false {
			t.Errorf("got first user %v, want the signed-in, enabled admin", got[0])
		}
		if got[1]["email"] != "rita@example.com" || got[1]["last_sign_in_at"] != nil || got[1]["disabled"] != true || got[1]["role"] != "reviewer" {
			t.Errorf("got second user %v, want the disabled reviewer who never signed in", got[1])
		}
	})
	t.Run("json with no users", func(t *testing.T) {
		empty := newUserTestEnv(t)
		empty.service(t) // creates the database
		if out := empty.mustCLI(t, "", "list", "--json"); strings.TrimSpace(out) != "[]" {
			t.Errorf("got %q, want []", out)
		}
	})
}

func TestUserPasswd(t *testing.T) {
	tests := []struct {
		name  string
		stdin string
		args  []string
	}{
		{"from stdin", userTestPassword2 + "\n", []string{"passwd", "Rita@Example.com", "--password-stdin"}},
		{"flag before the email", userTestPassword2 + "\n", []string{"passwd", "--password-stdin", "rita@example.com"}},
		{"generated", "", []string{"passwd", "rita@example.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newUserTestEnv(t)
			env.add(t, "admin@example.com", auth.RoleAdmin)
			env.add(t, "rita@example.com", auth.RoleReviewer)
			svc := env.service(t)
			cookie := signIn(t, svc, "rita@example.com", userTestPassword)
			if !signedIn(t, svc, cookie) {
				t.Fatal("not signed in before passwd")
			}
			out := env.mustCLI(t, tt.stdin, tt.args...)
			if signedIn(t, svc, cookie) {
				t.Error("session survived passwd, want it revoked")
			}
			password := strings.TrimSpace(tt.stdin)
			if m := generatedPassword.FindStringSubmatch(out); password == "" && m != nil {
				password = m[1]
			}
			if password == "" {
				t.Fatalf("no password printed in %q", out)
			}
			if _, err := svc.Authenticate(t.Context(), "rita@example.com", password, testClient); err != nil {
				t.Errorf("Authenticate with the new password: %v", err)
			}
			if _, err := svc.Authenticate(t.Context(), "rita@example.com", userTestPassword, testClient); !errors.Is(err, auth.ErrInvalidCredentials) {
				t.Errorf("Authenticate with the old password: got %v, want ErrInvalidCredentials", err)
			}
		})
	}
}

func TestUserPasswdRefusesWeakPassword(t *testing.T) {
	env := newUserTestEnv(t)
	env.add(t, "rita@example.com", auth.RoleAdmin)
	_, err := env.cliStdin(t, "rita@example.com\n", "passwd", "rita@example.com", "--password-stdin")
	wantUsageError(t, err, "password: must not be your email address")
}

func TestUserDisableEnable(t *testing.T) {
	env := newUserTestEnv(t)
	env.add(t, "admin@example.com", auth.RoleAdmin)
	env.add(t, "rita@example.com", auth.RoleReviewer)
	svc := env.service(t)
	cookie := signIn(t, svc, "rita@example.com", userTestPassword)

	steps := []struct {
		cmd        string
		wantOut    string
		wantSignIn bool
	}{
		{"disable", "Disabled rita@example.com and signed them out everywhere.\n", false},
		{"disable", "rita@example.com is already disabled.\n", false},
		{"enable", "Enabled rita@example.com.\n", true},
		{"enable", "rita@example.com is already enabled.\n", true},
	}
	for _, st := range steps {
		if out := env.mustCLI(t, "", st.cmd, "RITA@example.com"); out != st.wantOut {
			t.Errorf("%s: got %q, want %q", st.cmd, out, st.wantOut)
		}
		_, err := svc.Authenticate(t.Context(), "rita@example.com", userTestPassword, testClient)
		if got := err == nil; got != st.wantSignIn {
			t.Errorf("after %s: sign-in succeeded %v (err %v), want %v", st.cmd, got, err, st.wantSignIn)
		}
	}
	if signedIn(t, svc, cookie) {
		t.Error("session survived disable, want it revoked")
	}
}

func TestUserRole(t *testing.T) {
	env := newUserTestEnv(t)
	env.add(t, "admin@example.com", auth.RoleAdmin)
	env.add(t, "rita@example.com", auth.RoleReviewer)
	svc := env.service(t)
	cookie := signIn(t, svc, "rita@example.com", userTestPassword)

	if out := env.mustCLI(t, "", "role", "rita@example.com", "auditor"); !strings.Contains(out, "is now auditor (was reviewer)") {
		t.Errorf("got %q, want it to say the role changed", out)
	}
	u, err := svc.UserByEmail(t.Context(), "rita@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if u.Role != auth.RoleAuditor {
		t.Errorf("got role %s, want auditor", u.Role)
	}
	if signedIn(t, svc, cookie) {
		t.Error("session survived a role change, want it revoked")
	}
	if out := env.mustCLI(t, "", "role", "rita@example.com", "auditor"); out != "rita@example.com is already auditor.\n" {
		t.Errorf("got %q for an unchanged role", out)
	}
	_, err = env.cli(t, "role", "rita@example.com", "superuser")
	wantUsageError(t, err, `role: "superuser" is not a role; want admin, reviewer, support or auditor`)
}

func TestUserRevoke(t *testing.T) {
	env := newUserTestEnv(t)
	env.add(t, "admin@example.com", auth.RoleAdmin)
	env.add(t, "rita@example.com", auth.RoleReviewer)
	svc := env.service(t)
	rita := signIn(t, svc, "rita@example.com", userTestPassword)
	admin := signIn(t, svc, "admin@example.com", userTestPassword)
	env.mustCLI(t, "", "revoke", "rita@example.com")
	if signedIn(t, svc, rita) {
		t.Error("rita's session survived revoke")
	}
	if !signedIn(t, svc, admin) {
		t.Error("revoke signed out another user too")
	}
}

func TestUserLastAdminIsProtected(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"disable", []string{"disable", "admin@example.com"}},
		{"demote", []string{"role", "admin@example.com", "support"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newUserTestEnv(t)
			env.add(t, "admin@example.com", auth.RoleAdmin)
			env.add(t, "rita@example.com", auth.RoleReviewer)
			_, err := env.cli(t, tt.args...)
			if !errors.Is(err, auth.ErrLastAdmin) {
				t.Fatalf("got %v, want ErrLastAdmin", err)
			}
			if want := "admin@example.com is the last enabled admin"; !strings.Contains(err.Error(), want) {
				t.Errorf("got message %q, want it to contain %q", err, want)
			}
			env.mustCLI(t, "", "role", "rita@example.com", "admin")
			if _, err := env.cli(t, tt.args...); err != nil {
				t.Errorf("with a second admin: %v", err)
			}
		})
	}
}

func TestUserUnknownEmail(t *testing.T) {
	env := newUserTestEnv(t)
	env.add(t, "admin@example.com", auth.RoleAdmin)
	for _, args := range [][]string{
		{"passwd", "nobody@example.com"},
		{"disable", "nobody@example.com"},
		{"enable", "nobody@example.com"},
		{"role", "nobody@example.com", "admin"},
		{"revoke", "nobody@example.com"},
	} {
		t.Run(args[0], func(t *testing.T) {
			out, err := env.cli(t, args...)
			if !errors.Is(err, auth.ErrUserNotFound) {
				t.Fatalf("got %v, want ErrUserNotFound", err)
			}
			var u usageError
			if errors.As(err, &u) {
				t.Error("unknown email is a usage error, want exit status 1")
			}
			if want := `no staff account has the email "nobody@example.com"`; !strings.Contains(err.Error(), want) {
				t.Errorf("got message %q, want it to contain %q", err, want)
			}
			if out != "" {
				t.Errorf("got output %q, want none", out)
			}
		})
	}
}

func TestUserUsageErrors(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantLine string
	}{
		{"no subcommand", nil, "usage: hiveconsole user <command> [flags]"},
		{"unknown subcommand", []string{"delete", "a@example.com"}, `unknown user command "delete"`},
		{"passwd without email", []string{"passwd"}, "usage: hiveconsole user passwd EMAIL [--password-stdin]"},
		{"role without role", []string{"role", "a@example.com"}, "usage: hiveconsole user role EMAIL ROLE"},
		{"disable two emails", []string{"disable", "a@example.com", "b@example.com"}, `unexpected argument "b@example.com"`},
		{"list with an argument", []string{"list", "all"}, `unexpected argument "all"`},
		{"unknown flag", []string{"list", "--yaml"}, "flag provided but not defined: -yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newUserTestEnv(t)
			_, err := env.cli(t, tt.args...)
			wantUsageError(t, err, tt.wantLine)
		})
	}
}

func TestUserHelpAndMissingDatabase(t *testing.T) {
	env := newUserTestEnv(t)
	out, err := env.cli(t, "help")
	if err != nil || !strings.Contains(out, "passwd EMAIL [--password-stdin]") {
		t.Errorf("help: got %q, %v; want the usage and no error", out, err)
	}
	if _, err := env.cli(t, "list", "-h"); err != nil {
		t.Errorf("list -h: got %v, want nil", err)
	}
	_, err = env.cli(t, "list")
	if err == nil || !strings.Contains(err.Error(), "no console database in") {
		t.Errorf("list without a database: got %v, want it to name the missing database", err)
	}
}

// TestUserMFAReset: the CLI removes an account's second factor and its sessions, with the reason in
// the trail; without a reason it changes nothing.
func TestUserMFAReset(t *testing.T) {
	env := newUserTestEnv(t)
	env.add(t, "rita@example.com", auth.RoleReviewer)
	db, err := database.Open(t.Context(), env.dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	keys, err := auth.LoadSessionKeys(env.dir, "")
	if err != nil {
		t.Fatal(err)
	}
	svc, err := auth.NewService(t.Context(), db, auth.Config{SessionKeys: keys, MFAKey: []byte(strings.Repeat("m", 32))})
	if err != nil {
		t.Fatal(err)
	}
	rita, err := svc.UserByEmail(t.Context(), "rita@example.com")
	if err != nil {
		t.Fatal(err)
	}
	e, err := svc.BeginTOTP(t.Context(), rita)
	if err != nil {
		t.Fatal(err)
	}
	code, err := totp.GenerateCode(e.Secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ConfirmTOTP(t.Context(), rita, code); err != nil {
		t.Fatal(err)
	}
	session := signIn(t, svc, "rita@example.com", userTestPassword)
	if _, err := env.cli(t, "mfa-reset", "rita@example.com"); err == nil {
		t.Fatal("mfa-reset without --reason: want a usage error")
	}
	if has, _ := svc.HasTOTP(t.Context(), rita.ID); !has {
		t.Fatal("mfa-reset without a reason removed the second factor")
	}
	env.mustCLI(t, "", "mfa-reset", "--reason", "lost phone", "rita@example.com")
	if has, _ := svc.HasTOTP(t.Context(), rita.ID); has {
		t.Error("the second factor survived mfa-reset")
	}
	if signedIn(t, svc, session) {
		t.Error("rita's session survived mfa-reset")
	}
	events, _, err := env.trail(t).Events(t.Context(), audit.Query{Action: "user.second_factor_reset", Outcome: "success"})
	if err != nil || len(events) != 1 || events[0].Details["reason"] != "lost phone" || events[0].TargetID != rita.ID {
		t.Errorf("trail: %v %+v", err, events)
	}
}
