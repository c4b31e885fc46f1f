package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/hiveconsole/hiveconsole/audit"
)

const auditUsage = `usage: hiveconsole audit <command> [flags]

commands:
  verify                                     check the audit trail's hash chain; fails at the first broken row
  list [--limit N] [--actor A] [--action A]  print the newest events (action: exact, or a prefix ending in ".")

Every command takes --data-dir (default $HIVECONSOLE_DATA_DIR, else ./data).`

// auditOptions are the flags of `hiveconsole audit`; list reads the filters, verify only --data-dir.
type auditOptions struct {
	dataDir       string
	limit         int
	actor, action string
}

// runAudit reads the audit trail from the shell: hiveconsole audit verify|list. verify is what an
// operator (or a cron job) runs to learn whether the trail was changed behind the console's back.
func runAudit(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{auditUsage}
	}
	var run func(context.Context, *audit.Trail, auditOptions, io.Writer) error
	switch args[0] {
	case "-h", "-help", "--help", "help":
		_, err := fmt.Fprintln(stdout, auditUsage)
		return err
	case "verify":
		run = auditVerify
	case "list":
		run = auditList
	default:
		return usageError{fmt.Sprintf("unknown audit command %q\n\n%s", args[0], auditUsage)}
	}
	opts, err := parseAuditFlags(args[0], args[1:], getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	// Opened exactly as `hiveconsole user` opens it (a zero userCommand: the database must exist), so a
	// mistyped --data-dir is reported rather than answered with an empty, intact trail.
	_, trail, closeDB, err := openStaff(ctx, userCommand{}, opts.dataDir, getenv, stderr)
	if err != nil {
		return err
	}
	defer closeDB()
	return run(ctx, trail, opts, stdout)
}

func parseAuditFlags(cmd string, args []string, getenv func(string) string, stderr io.Writer) (auditOptions, error) {
	opts := auditOptions{dataDir: defaultDataDir(getenv)}
	fs := flag.NewFlagSet("hiveconsole audit "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&opts.dataDir, "data-dir", opts.dataDir, "data directory holding console.db (env HIVECONSOLE_DATA_DIR)")
	if cmd == "list" {
		fs.IntVar(&opts.limit, "limit", 20, "how many events, newest first (0: 50; at most 1000)")
		fs.StringVar(&opts.actor, "actor", "", "only events whose actor email contains this, or whose actor id is this")
		fs.StringVar(&opts.action, "action", "", `only this action, or actions starting with it when it ends in "."`)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return opts, err
		}
		return opts, usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return opts, usageError{fmt.Sprintf("unexpected argument %q\n\n%s", fs.Arg(0), auditUsage)}
	}
	if opts.limit < 0 {
		return opts, usageError{"--limit: want a positive number"}
	}
	opts.dataDir = filepath.Clean(opts.dataDir)
	return opts, nil
}

// auditVerify prints the row count and the newest hash when the chain is intact; the hash is worth
// noting elsewhere, since the chain alone cannot show that its newest rows were removed. A broken
// chain is an error, so the exit status says it.
func auditVerify(ctx context.Context, trail *audit.Trail, _ auditOptions, stdout io.Writer) error {
	v, err := trail.Verify(ctx)
	if err != nil {
		return err
	}
	if v.BrokenSeq != 0 {
		return fmt.Errorf("audit trail broken at row %d: %s", v.BrokenSeq, v.Reason)
	}
	rows := "rows"
	if v.Rows == 1 {
		rows = "row"
	}
	if _, err := fmt.Fprintf(stdout, "audit trail intact: %d %s\n", v.Rows, rows); err != nil {
		return err
	}
	if v.LastHash == "" {
		return nil
	}
	_, err = fmt.Fprintf(stdout, "last row hash: %s\n", v.LastHash)
	return err
}

// auditList prints a table of the newest events matching the filters. Every text is printed through
// audit.EscapeText: a row written before the trail cleaned its text, or put in the database by
// other means, may hold control characters, which the terminal would run rather than show.
func auditList(ctx context.Context, trail *audit.Trail, o auditOptions, stdout io.Writer) error {
	rows, total, err := trail.Events(ctx, audit.Query{Actor: o.actor, Action: o.action, Limit: o.limit})
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SEQ\tTIME (UTC)\tACTOR\tROLE\tACTION\tTARGET\tOUTCOME")
	for _, r := range rows {
		actor, target := r.ActorEmail, r.TargetType
		if actor == "" {
			actor = r.ActorID
		}
		if r.TargetID != "" {
			target += " " + r.TargetID
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Seq, r.Time.Format(time.DateTime), orDash(esc(actor)), orDash(esc(string(r.Role))),
			esc(r.Action), orDash(esc(target)), esc(r.Outcome))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%d of %d events\n", len(rows), total)
	return err
}

// esc shows control and bidi characters as visible escapes (\x1b, \u202e).
func esc(s string) string { return audit.EscapeText(s) }

// orDash returns s, or "-" when it is empty, so that no column of the table is blank.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
