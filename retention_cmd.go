package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/hiveconsole/hiveconsole/audit"
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/database"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/internal/masked"
	"github.com/hiveconsole/hiveconsole/notes"
	"github.com/hiveconsole/hiveconsole/readmodel"
	"github.com/hiveconsole/hiveconsole/retention"
	"github.com/hiveconsole/hiveconsole/review"
	"github.com/hiveconsole/hiveconsole/webhooks"
)

const retentionUsage = `usage: hiveconsole retention plan [--policy P] [--limit N] [--data-dir D]
       hiveconsole retention apply [--policy P] [--limit N] [--data-dir D] [--yes]

  plan   print what the retention policy would delete now: how many customers by rule, how many a
         legal hold keeps, and the first of each rule (masked). It changes nothing.
  apply  print the same, then, with --yes, delete those customers: in Hive, then in the console (its
         copy's personal data, the text of notes and decision notes, kept as hashes, and the key of
         their personal data in the audit trail). One audit row per customer and one for the run.
         An interrupted run (Ctrl-C, Hive unreachable) resumes where it stopped when applied again,
         with the policy and moment it was planned with; a customer held since is kept.

--policy is HIVECONSOLE_RETENTION by default, e.g. decided=5y,incomplete=90d: customers whose every
check was settled more than 5 years ago, and customers without a completed check created more than
90 days ago. The database is the console's (HIVECONSOLE_DATABASE_URL, or console.db in the data dir);
apply talks to Hive as serve does (HIVE_API_KEY and HIVE_API_SECRET, or the sandbox in the data dir).`

// errNoPolicy refuses a plan, or a new run, without a policy.
var errNoPolicy = usageError{"no retention policy: set HIVECONSOLE_RETENTION or --policy, e.g. decided=5y,incomplete=90d"}

// runRetention is hiveconsole retention plan|apply.
func runRetention(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{retentionUsage}
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		_, err := fmt.Fprintln(stdout, retentionUsage)
		return err
	case "plan", "apply":
	default:
		return usageError{fmt.Sprintf("unknown retention command %q\n\n%s", args[0], retentionUsage)}
	}
	apply := args[0] == "apply"
	dataDir := defaultDataDir(getenv)
	fs := flag.NewFlagSet("hiveconsole retention "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&dataDir, "data-dir", dataDir, "data directory holding console.db (env HIVECONSOLE_DATA_DIR)")
	policyText := fs.String("policy", getenv("HIVECONSOLE_RETENTION"), "the retention policy (env HIVECONSOLE_RETENTION)")
	limit := fs.Int("limit", 10, "how many customers of each rule to list")
	var yes *bool
	if apply {
		yes = fs.Bool("yes", false, "delete, rather than only show what would be deleted")
	}
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
	if policy.Off() && !apply { // apply may resume a run, which keeps its own policy
		return errNoPolicy
	}
	if *limit < 0 || *limit > 1000 {
		return usageError{"--limit: from 0 to 1000"}
	}
	dataDir = filepath.Clean(dataDir)
	db, err := openDatabase(ctx, dataDir, getenv("HIVECONSOLE_DATABASE_URL"), true)
	if err != nil {
		return err
	}
	defer db.Close()
	if apply {
		return applyRetention(ctx, db, dataDir, policy, *limit, *yes, getenv, stdout, stderr)
	}
	plan, err := retention.NewPlanner(db).Plan(ctx, policy, time.Now().UTC(), *limit)
	if err != nil {
		return err
	}
	return printPlan(stdout, plan)
}

// applyLag is how fresh the console's copy of Hive must be for apply to plan a run from it; an
// older copy is synced first.
const applyLag = 15 * time.Minute

// applyRetention is hiveconsole retention apply: the plan (or the unfinished run it resumes), then,
// with yes, the run.
func applyRetention(ctx context.Context, db *database.DB, dataDir string, policy retention.Policy, limit int, yes bool,
	getenv func(string) string, stdout, stderr io.Writer) error {
	runs, err := retention.Runs(ctx, db, 1)
	if err != nil {
		return err
	}
	resuming := len(runs) == 1 && runs[0].Finished.IsZero()
	if !resuming && policy.Off() {
		return errNoPolicy
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	cfg, client, closeHive, err := hiveForCommand(ctx, dataDir, getenv, stderr, log)
	if err != nil {
		return err
	}
	defer closeHive()
	copyOfHive := readmodel.New(db, nil)
	// The plan, or a resumed run's last look at each customer, is only as good as the copy it
	// reads: an old copy is synced first.
	if st, err := copyOfHive.Status(ctx); err != nil {
		return err
	} else if time.Since(st.SyncedAt) > applyLag {
		fmt.Fprintln(stderr, "The console's copy of Hive is more than 15 minutes old: syncing it first.")
		if err := readmodel.NewSyncer(copyOfHive, client, readmodel.SyncConfig{}).Pass(ctx); err != nil {
			return fmt.Errorf("sync the console's copy of Hive: %w", err)
		}
	}
	if resuming {
		r := runs[0]
		fmt.Fprintf(stdout, "Run %d (policy %s, planned %s by %s) stopped before its end: %d customers, %d worked through.\n",
			r.ID, r.Policy, r.Started.Format("2006-01-02 15:04 MST"), r.StartedBy, r.Planned, r.Deleted+r.Held+r.Changed+r.Failed)
		if !yes {
			fmt.Fprintln(stdout, "Nothing was deleted. Run again with --yes to resume it.")
			return nil
		}
	} else {
		plan, err := retention.NewPlanner(db).Plan(ctx, policy, time.Now().UTC(), limit)
		if err != nil {
			return err
		}
		if err := printPlan(stdout, plan); err != nil {
			return err
		}
		if plan.Total() == 0 {
			return nil
		}
		if !yes {
			fmt.Fprintf(stdout, "\nRun again with --yes to delete these %d customers in Hive and in the console.\n", plan.Total())
			return nil
		}
	}
	mfaKey, err := auth.LoadMFAKey(dataDir, cfg.MFAKey)
	if err != nil {
		return err
	}
	hooks, err := webhooks.New(db, mfaKey, nil) // each deletion's event, for serve to send
	if err != nil {
		return err
	}
	host, _ := os.Hostname()
	a := &retention.Applier{Deleted: hooks.CustomerDeleted, DB: db, Hive: client, Copy: copyOfHive, Notes: notes.New(db, nil), Reviews: review.New(db, nil, 0),
		Trail: audit.New(db, nil), Holder: "cli " + host + " " + rand.Text()[:8], MaxLag: applyLag, Log: log,
		Progress: func(done, planned int) {
			if done%100 == 0 || done == planned {
				fmt.Fprintf(stderr, "%d of %d customers\n", done, planned)
			}
		}}
	run, err := a.Apply(ctx, policy, retention.Actor{ID: shellActor(osUsername, os.Hostname)})
	if err != nil {
		if errors.Is(err, retention.ErrStopped) {
			return fmt.Errorf("%w\nRun `hiveconsole retention apply --yes` again to resume run %d", err, run.ID)
		}
		return err
	}
	fmt.Fprintf(stdout, "\nRun %d (policy %s) deleted %d of %d customers in Hive and in the console.\n", run.ID, run.Policy, run.Deleted, run.Planned)
	if n := run.Held + run.Changed + run.Failed; n > 0 {
		fmt.Fprintf(stdout, "Kept %d: %d under a legal hold placed since the plan, %d no longer within the rules, %d refused by Hive (see the audit trail).\n",
			n, run.Held, run.Changed, run.Failed)
	}
	return nil
}

// hiveForCommand is the configuration a command reads from the environment, as serve does, and the
// Hive it talks to: the configured API, or in sandbox mode (no HIVE_API_KEY) the sandbox whose state
// is in the data directory, started on loopback for the command's length. Close it when done.
func hiveForCommand(ctx context.Context, dataDir string, getenv func(string) string, stderr io.Writer, log *slog.Logger) (config, *hive.Client, func(), error) {
	cfg, err := parseConfig("hiveconsole", nil, func(k string) string {
		if k == "HIVECONSOLE_DATA_DIR" {
			return dataDir
		}
		return getenv(k)
	}, stderr)
	if err != nil {
		return config{}, nil, nil, err
	}
	hc := hive.Config{BaseURL: cfg.HiveAPIURL, APIKey: cfg.HiveAPIKey, APISecret: hive.Secret(cfg.HiveAPISecret),
		ApplicationKey: cfg.HiveAppKey, FilesHosts: cfg.FilesHosts, Logger: log}
	closer := func() {}
	if cfg.sandboxMode() {
		sb, err := startEmbeddedSandbox(ctx, dataDir, log)
		if err != nil {
			return config{}, nil, nil, err
		}
		closer = func() {
			closeCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = sb.Close(closeCtx)
		}
		hc.BaseURL, hc.APIKey, hc.APISecret, hc.ApplicationKey = sb.URL, sb.Creds.APIKey, hive.Secret(sb.Creds.APISecret), sb.Creds.ApplicationKey
	}
	client, err := hive.New(hc)
	if err != nil {
		closer()
		return config{}, nil, nil, err
	}
	return cfg, client, closer, nil
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
