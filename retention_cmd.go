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

	"github.com/hiveconsole/hiveconsole/internal/masked"
	"github.com/hiveconsole/hiveconsole/retention"
)

const retentionUsage = `usage: hiveconsole retention plan [--policy P] [--limit N] [--data-dir D]

  plan   print what the retention policy would delete now: how many customers by rule, how many a
         legal hold keeps, and the first of each rule (masked). It changes nothing.

--policy is HIVECONSOLE_RETENTION by default, e.g. decided=5y,incomplete=90d: customers whose every
check was settled more than 5 years ago, and customers without a completed check created more than
90 days ago. The database is the console's (HIVECONSOLE_DATABASE_URL, or console.db in the data dir).`

// runRetention is hiveconsole retention plan.
func runRetention(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{retentionUsage}
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		_, err := fmt.Fprintln(stdout, retentionUsage)
		return err
	case "plan":
	default:
		return usageError{fmt.Sprintf("unknown retention command %q\n\n%s", args[0], retentionUsage)}
	}
	dataDir := defaultDataDir(getenv)
	fs := flag.NewFlagSet("hiveconsole retention plan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&dataDir, "data-dir", dataDir, "data directory holding console.db (env HIVECONSOLE_DATA_DIR)")
	policyText := fs.String("policy", getenv("HIVECONSOLE_RETENTION"), "the retention policy (env HIVECONSOLE_RETENTION)")
	limit := fs.Int("limit", 10, "how many customers of each rule to list")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q\n\n%s", fs.Arg(0), retentionUsage)}
	}
	policy, err := retention.ParsePolicy(*policyText)
	if err != nil {
		return usageError{"--policy: " + err.Error()}
	}
	if policy.Off() {
		return usageError{"no retention policy: set HIVECONSOLE_RETENTION or --policy, e.g. decided=5y,incomplete=90d"}
	}
	if *limit < 0 || *limit > 1000 {
		return usageError{"--limit: from 0 to 1000"}
	}
	db, err := openDatabase(ctx, filepath.Clean(dataDir), getenv("HIVECONSOLE_DATABASE_URL"), true)
	if err != nil {
		return err
	}
	defer db.Close()
	plan, err := retention.NewPlanner(db).Plan(ctx, policy, time.Now().UTC(), *limit)
	if err != nil {
		return err
	}
	return printPlan(stdout, plan)
}

// printPlan writes a plan for a terminal: the counts, then a table of the first candidates with
// initials and masked emails.
func printPlan(w io.Writer, p retention.Plan) error {
	fmt.Fprintf(w, "Retention policy %s, at %s. Nothing was changed.\n", p.Policy, p.At.Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(w, "Would delete %d customers:\n", p.Total())
	if p.Policy.Decided > 0 {
		fmt.Fprintf(w, "  %d whose every check was settled more than %d days ago (decided)\n", p.Decided, int(p.Policy.Decided.Hours()/24))
	}
	if p.Policy.Incomplete > 0 {
		fmt.Fprintf(w, "  %d without a completed check, created more than %d days ago (incomplete)\n", p.Incomplete, int(p.Policy.Incomplete.Hours()/24))
	}
	fmt.Fprintf(w, "Kept whatever the rules say: %d under a legal hold.\n", p.Held)
	if len(p.First) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tCUSTOMER\tNAME\tEMAIL\tCREATED\tLAST SETTLED")
	for _, c := range p.First {
		settled := "-"
		if !c.Settled.IsZero() {
			settled = c.Settled.Format(time.DateOnly)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", c.Rule, esc(c.CustomerID), orDash(esc(retention.Initials(c.Name))),
			esc(masked.Email(c.Email)), c.Created.Format(time.DateOnly), settled)
	}
	return tw.Flush()
}
