package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/hiveconsole/hiveconsole/audit"
	"github.com/hiveconsole/hiveconsole/auth"
)

// userCommand is one `hiveconsole user` subcommand.
type userCommand struct {
	name    string
	args    string // positional arguments and flags for the synopsis, e.g. "EMAIL ROLE"
	nargs   int    // how many positional arguments it takes
	summary string
	// createsDB is true only for add: the others on a data directory without a console database
	// would report "no such account" for what is really a mistyped --data-dir.
	createsDB bool
	flags     func(*flag.FlagSet, *userOptions) // its own flags; --data-dir is everyone's
	run       func(ctx context.Context, inv *userInvocation, args []string) error
}

// userOptions are the flags of every subcommand; each reads only its own.
type userOptions struct {
	dataDir       string
	email, name   string
	role          string
	passwordStdin bool
	json          bool
	reason        string
}

// userShell is what a subcommand meets besides the database: the streams, and who is at the shell.
type userShell struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	actor          string // who changes accounts, as the audit trail names them (see shellActor)
}

// userInvocation is what a subcommand works with: the staff service, its options and the shell.
type userInvocation struct {
	userShell
	staff    *auth.Service
	trail    *audit.Trail
	opts     userOptions
	password string // read from standard input by readPassword under --password-stdin
}

// userCommands is the table of subcommands, in the order the usage lists them. It is a function, not
// a package variable, so nothing can mutate it.
func userCommands() []userCommand {
	passwordStdin := func(fs *flag.FlagSet, o *userOptions) {
		fs.BoolVar(&o.passwordStdin, "password-stdin", false, "read the password from one line of standard input (default: generate one and print it once)")
	}
	return []userCommand{
		{name: "add", args: "--email E --name N --role R [--password-stdin]", summary: "create a staff account", createsDB: true,
			flags: func(fs *flag.FlagSet, o *userOptions) {
				fs.StringVar(&o.email, "email", "", "email address, used to sign in")
				fs.StringVar(&o.name, "name", "", "display name")
				fs.StringVar(&o.role, "role", "", "admin, reviewer, support or auditor")
				passwordStdin(fs, o)
			}, run: userAdd},
		{name: "list", args: "[--json]", summary: "list staff accounts",
			flags: func(fs *flag.FlagSet, o *userOptions) { fs.BoolVar(&o.json, "json", false, "print a JSON array") },
			run:   userList},
		{name: "passwd", args: "EMAIL [--password-stdin]", nargs: 1, summary: "set a new password and sign the user out everywhere",
			flags: passwordStdin, run: userPasswd},
		{name: "disable", args: "EMAIL", nargs: 1, summary: "stop an account signing in and end its sessions", run: userSetDisabled(true)},
		{name: "enable", args: "EMAIL", nargs: 1, summary: "let a disabled account sign in again", run: userSetDisabled(false)},
		{name: "role", args: "EMAIL ROLE", nargs: 2, summary: "change an account's role (admin, reviewer, support, auditor)", run: userRole},
		{name: "revoke", args: "EMAIL", nargs: 1, summary: "sign an account out everywhere", run: userRevoke},
		{name: "mfa-reset", args: "EMAIL --reason R", nargs: 1, summary: "remove an account's second factor (a lost phone) and sign it out everywhere",
			flags: func(fs *flag.FlagSet, o *userOptions) {
				fs.StringVar(&o.reason, "reason", "", "why, for the audit trail (required)")
			}, run: userMFAReset},
	}
}

// userUsage is the help of `hiveconsole user`, built from the command table so the two cannot drift.
func userUsage() string {
	var b strings.Builder
	b.WriteString("usage: hiveconsole user <command> [flags]\n\ncommands:\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 3, ' ', 0)
	for _, c := range userCommands() {
		fmt.Fprintf(tw, "  %s %s\t%s\n", c.name, c.args, c.summary)
	}
	tw.Flush()
	b.WriteString("\nEvery command takes --data-dir (default $HIVECONSOLE_DATA_DIR, else ./data).\n" +
		"Passwords are never flags or arguments, which would land in shell history and ps.\n" +
		"Every change is written to the audit trail first, by cli:<os user>@<host>; if it cannot be, nothing changes.")
	return b.String()
}

// runUser manages staff accounts from the shell: hiveconsole user add|list|passwd|disable|enable|role|revoke|mfa-reset.
// Every change is in the audit trail, as the same change made on the web pages is.
func runUser(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return runUserIn(ctx, args, getenv, userShell{stdin: os.Stdin, stdout: stdout, stderr: stderr,
		actor: shellActor(osUsername, os.Hostname)})
}

// runUserIn is runUser with the shell passed in, so tests can feed --password-stdin and name the actor.
func runUserIn(ctx context.Context, args []string, getenv func(string) string, sh userShell) error {
	stdout, stderr := sh.stdout, sh.stderr
	if len(args) == 0 {
		return usageError{userUsage()}
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		_, err := fmt.Fprintln(stdout, userUsage())
		return err
	}
	cmd, ok := findUserCommand(args[0])
	if !ok {
		return usageError{fmt.Sprintf("unknown user command %q\n\n%s", args[0], userUsage())}
	}
	opts, rest, err := parseUserFlags(cmd, args[1:], getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	staff, trail, closeDB, err := openStaff(ctx, cmd, opts.dataDir, getenv, stderr)
	if err != nil {
		return err
	}
	defer closeDB()
	return cmd.run(ctx, &userInvocation{userShell: sh, staff: staff, trail: trail, opts: opts}, rest)
}

func findUserCommand(name string) (userCommand, bool) {
	for _, c := range userCommands() {
		if c.name == name {
			return c, true
		}
	}
	return userCommand{}, false
}

// parseUserFlags parses a subcommand's flags and checks its number of positional arguments.
func parseUserFlags(cmd userCommand, args []string, getenv func(string) string, stderr io.Writer) (userOptions, []string, error) {
	opts := userOptions{dataDir: defaultDataDir(getenv)}
	synopsis := fmt.Sprintf("usage: hiveconsole user %s %s", cmd.name, cmd.args)
	fs := flag.NewFlagSet("hiveconsole user "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "%s\n\n%s.\n\nflags:\n", synopsis, cmd.summary)
		fs.PrintDefaults()
	}
	fs.StringVar(&opts.dataDir, "data-dir", opts.dataDir, "data directory holding console.db (env HIVECONSOLE_DATA_DIR)")
	if cmd.flags != nil {
		cmd.flags(fs, &opts)
	}
	rest, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return opts, nil, err
		}
		return opts, nil, usageError{err.Error()}
	}
	if len(rest) > cmd.nargs {
		return opts, nil, usageError{fmt.Sprintf("unexpected argument %q\n%s", rest[cmd.nargs], synopsis)}
	}
	if len(rest) < cmd.nargs {
		return opts, nil, usageError{synopsis}
	}
	opts.dataDir = filepath.Clean(opts.dataDir)
	return opts, rest, nil
}

// parseInterleaved parses flags wherever they appear, so `user passwd EMAIL --password-stdin` works as
// people type it: the flag package alone stops at the first positional argument. After "--" the rest
// are arguments.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(positional, rest...), nil
		}
		positional, args = append(positional, rest[0]), rest[1:]
	}
}

// openStaff opens the console database, the staff service and the audit trail the way serve does,
// so both see the same accounts, session keys and trail.
func openStaff(ctx context.Context, cmd userCommand, dataDir string, getenv func(string) string, stderr io.Writer) (*auth.Service, *audit.Trail, func(), error) {
	db, err := openDatabase(ctx, dataDir, getenv("HIVECONSOLE_DATABASE_URL"), !cmd.createsDB)
	if err != nil {
		return nil, nil, nil, err
	}
	// NewService needs signing keys even though the CLI signs no cookie; loading them (not making up
	// throwaway ones) keeps the data directory exactly as serve would leave it.
	keys, err := auth.LoadSessionKeys(dataDir, getenv("HIVECONSOLE_SESSION_KEYS"))
	if err != nil {
		db.Close()
		return nil, nil, nil, err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	staff, err := auth.NewService(ctx, db, auth.Config{BaseURL: getenv("HIVECONSOLE_BASE_URL"), SessionKeys: keys, Logger: log})
	if err != nil {
		db.Close()
		return nil, nil, nil, err
	}
	return staff, audit.New(db, nil), func() { db.Close() }, nil
}

// userAdd creates an account; without --password-stdin it prints the generated password once. Its
// audit row is written once the account is valid and has its id, before it is stored.
func userAdd(ctx context.Context, inv *userInvocation, _ []string) error {
	o := inv.opts
	if err := inv.readPassword(); err != nil {
		return err
	}
	nu := auth.NewUser{Email: o.email, Name: o.name, Role: auth.Role(o.role)}
	var (
		u        auth.User
		recorded *shellEntry // the attempt's row, once written, for its outcome row
	)
	generated, err := inv.setPassword(func(password string) (err error) {
		nu.Password = password
		u, err = inv.staff.CreateUserRecorded(ctx, nu, func(created auth.User) error {
			e := shellEntry{action: "user.create", targetID: created.ID,
				details: map[string]any{"email": created.Email, "role": string(created.Role)}}
			if err := inv.record(ctx, e, audit.OutcomeAttempted); err != nil {
				return err
			}
			recorded = &e
			return nil
		})
		return err
	})
	if recorded != nil {
		inv.recordOutcome(ctx, *recorded, err)
	}
	if err != nil {
		return explainUserError(err, o.email)
	}
	fmt.Fprintf(inv.stdout, "Created %s %s (%s).\n", u.Role, u.Email, u.Name)
	return printGenerated(inv.stdout, generated)
}

func userList(ctx context.Context, inv *userInvocation, _ []string) error {
	users, err := inv.staff.ListUsers(ctx)
	if err != nil {
		return err
	}
	if inv.opts.json {
		return writeUsersJSON(inv.stdout, users)
	}
	return writeUsersTable(inv.stdout, users)
}

// userPasswd resets a password without asking for the old one; the service revokes every session.
func userPasswd(ctx context.Context, inv *userInvocation, args []string) error {
	const action = "user.reset_password"
	u, err := inv.lookup(ctx, action, args[0])
	if err != nil {
		return err
	}
	if err := inv.readPassword(); err != nil {
		return err
	}
	var generated string
	err = inv.mutate(ctx, shellEntry{action: action, targetID: u.ID, details: map[string]any{"email": u.Email}}, func() (err error) {
		generated, err = inv.setPassword(func(password string) error {
			return inv.staff.SetPassword(ctx, u.ID, password)
		})
		return err
	})
	if err != nil {
		return explainUserError(err, u.Email)
	}
	fmt.Fprintf(inv.stdout, "Changed the password of %s and signed them out everywhere.\n", u.Email)
	return printGenerated(inv.stdout, generated)
}

// userSetDisabled is disable (true) or enable (false). An account already so is left alone, and
// unrecorded: nothing changes.
func userSetDisabled(disabled bool) func(context.Context, *userInvocation, []string) error {
	action := "user.enable"
	if disabled {
		action = "user.disable"
	}
	return func(ctx context.Context, inv *userInvocation, args []string) error {
		u, err := inv.lookup(ctx, action, args[0])
		if err != nil {
			return err
		}
		if u.Disabled == disabled {
			_, err = fmt.Fprintf(inv.stdout, "%s is already %s.\n", u.Email, status(u))
			return err
		}
		if err := inv.mutate(ctx, accountEntry(action, u), func() error {
			_, err := inv.staff.SetDisabled(ctx, u.ID, disabled)
			return err
		}); err != nil {
			return explainUserError(err, u.Email)
		}
		msg := "Enabled %s.\n"
		if disabled {
			msg = "Disabled %s and signed them out everywhere.\n"
		}
		_, err = fmt.Fprintf(inv.stdout, msg, u.Email)
		return err
	}
}

// userRole checks the role before touching the database, so a typo costs no lookup (and no row).
func userRole(ctx context.Context, inv *userInvocation, args []string) error {
	role, err := auth.ParseRole(args[1])
	if err != nil {
		return usageError{fmt.Sprintf("role: %q is not a role; want admin, reviewer, support or auditor", args[1])}
	}
	u, err := inv.lookup(ctx, "user.role", args[0])
	if err != nil {
		return err
	}
	if u.Role == role {
		_, err = fmt.Fprintf(inv.stdout, "%s is already %s.\n", u.Email, role)
		return err
	}
	e := accountEntry("user.role", u)
	e.details["new_role"] = string(role)
	if err := inv.mutate(ctx, e, func() error {
		_, err := inv.staff.SetRole(ctx, u.ID, role)
		return err
	}); err != nil {
		return explainUserError(err, u.Email)
	}
	_, err = fmt.Fprintf(inv.stdout, "%s is now %s (was %s); they were signed out so it applies at once.\n", u.Email, role, u.Role)
	return err
}

// userRevoke signs a user out everywhere, e.g. after a lost laptop, without changing the account.
func userRevoke(ctx context.Context, inv *userInvocation, args []string) error {
	const action = "user.revoke_sessions"
	u, err := inv.lookup(ctx, action, args[0])
	if err != nil {
		return err
	}
	if err := inv.mutate(ctx, accountEntry(action, u), func() error { return inv.staff.RevokeSessions(ctx, u.ID) }); err != nil {
		return err
	}
	_, err = fmt.Fprintf(inv.stdout, "Signed %s out everywhere.\n", u.Email)
	return err
}

// userMFAReset removes an account's authenticator, recovery codes and passkeys and signs it out everywhere,
// with the reason in the trail; where its role requires a second factor, it sets one up again at its
// next sign-in.
func userMFAReset(ctx context.Context, inv *userInvocation, args []string) error {
	const action = "user.second_factor_reset"
	reason := strings.TrimSpace(inv.opts.reason)
	if reason == "" {
		return usageError{"--reason: say why, for the audit trail"}
	}
	u, err := inv.lookup(ctx, action, args[0])
	if err != nil {
		return err
	}
	e := accountEntry(action, u)
	e.details["reason"] = reason
	if err := inv.mutate(ctx, e, func() error {
		if err := inv.staff.ResetSecondFactor(ctx, u.ID); err != nil {
			return err
		}
		return inv.staff.RevokeSessions(ctx, u.ID)
	}); err != nil {
		return err
	}
	_, err = fmt.Fprintf(inv.stdout, "Removed %s's second factors (authenticator app, recovery codes, passkeys) and signed them out everywhere.\n", u.Email)
	return err
}

// lookup finds an account by email in any letter case. An email that names none is the failure of
// the change action would have made, and is recorded as such.
func (inv *userInvocation) lookup(ctx context.Context, action, email string) (auth.User, error) {
	u, err := inv.staff.UserByEmail(ctx, email)
	if errors.Is(err, auth.ErrUserNotFound) {
		inv.recordOutcome(ctx, shellEntry{action: action, details: map[string]any{"email": auth.NormalizeEmail(email)}}, err)
	}
	if err != nil {
		return u, explainUserError(err, email)
	}
	return u, nil
}

// readPassword reads the password from standard input under --password-stdin. Commands call it
// before writing their audit row, so that input holding no password stops them with nothing recorded.
func (inv *userInvocation) readPassword() error {
	if !inv.opts.passwordStdin {
		return nil
	}
	password, err := readPasswordLine(inv.stdin)
	inv.password = password
	return err
}

// setPassword calls set with the password readPassword read or, without --password-stdin, with a
// generated one, which it returns to be printed once. A generated password is drawn again when the
// policy refuses it: by rare chance it can contain the email's local part.
func (inv *userInvocation) setPassword(set func(password string) error) (generated string, err error) {
	if inv.opts.passwordStdin {
		return "", set(inv.password)
	}
	for attempt := 1; ; attempt++ {
		generated = auth.GeneratePassword()
		err = set(generated)
		if attempt < 5 && onlyPasswordRefused(err) {
			continue
		}
		if err != nil {
			return "", err
		}
		return generated, nil
	}
}

// onlyPasswordRefused reports whether err is the password policy alone refusing, so redrawing helps.
func onlyPasswordRefused(err error) bool {
	var verrs auth.ValidationErrors
	return errors.As(err, &verrs) && len(verrs) == 1 && verrs[0].Field == "password"
}

// maxPasswordInput bounds what is read from standard input. The policy allows 128 characters (at most
// 512 bytes), so a line cut at this length is still refused as too long rather than accepted truncated.
const maxPasswordInput = 4096

// readPasswordLine reads one line, without its line ending. Other whitespace is kept: it may be part
// of a passphrase.
func readPasswordLine(stdin io.Reader) (string, error) {
	if stdin == nil {
		return "", usageError{"--password-stdin: no standard input"}
	}
	line, err := bufio.NewReader(io.LimitReader(stdin, maxPasswordInput)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from standard input: %w", err)
	}
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if line == "" {
		return "", usageError{"--password-stdin: standard input held no password"}
	}
	return line, nil
}
