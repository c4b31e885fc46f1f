package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/audit"
	"github.com/hiveconsole/hiveconsole/database"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/readmodel"
	"github.com/hiveconsole/hiveconsole/retention"
)

// TestRetentionPlanCommand: plan prints the counts and the first customers masked (initials, the
// email's first letter and domain), and changes nothing; no policy or a bad one is a usage error.
func TestRetentionPlanCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := database.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	first, last := "Grace", "Hopper"
	created := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := readmodel.New(db, nil).PutCustomer(ctx, &hive.Customer{ID: "cus_old", Email: "grace@example.com", FirstName: &first,
		LastName: &last, CreatedAt: created, UpdatedAt: created}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	env := map[string]string{"HIVECONSOLE_DATA_DIR": dir, "HIVECONSOLE_RETENTION": "decided=5y,incomplete=90d"}
	cli := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(ctx, append([]string{"retention"}, args...), func(k string) string { return env[k] }, &out, &errOut)
		return out.String(), err
	}
	for range 2 { // twice: the first changed nothing
		out, err := cli("plan")
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Would delete 1 customers", "0 whose every check was settled more than 1825 days ago",
			"1 without a completed check, created more than 90 days ago", "cus_old", "G. H.", "g•••@example.com", "2020-01-01", "Nothing was changed"} {
			if !strings.Contains(out, want) {
				t.Errorf("plan lacks %q:\n%s", want, out)
			}
		}
		if strings.Contains(out, "grace@") || strings.Contains(out, "Hopper") {
			t.Errorf("plan shows personal data in clear:\n%s", out)
		}
	}
	if out, _ := cli("plan", "--policy", "decided=5y"); !strings.Contains(out, "Would delete 0 customers") {
		t.Errorf("--policy decided=5y:\n%s", out)
	}
	var u usageError
	for _, args := range [][]string{{"plan", "--policy", "off"}, {"plan", "--policy", "forever=1y"}, {"purge"}} {
		if _, err := cli(args...); !errors.As(err, &u) {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
}

// TestRetentionApplyCommand: in sandbox mode, apply first syncs the stale copy, shows the plan and
// deletes nothing without --yes; with --yes it deletes exactly the planned customers in the
// sandbox's Hive and in the console, as the shell's actor on the trail, and the chain verifies; a
// second apply finds nothing left.
func TestRetentionApplyCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	sb, err := startEmbeddedSandbox(ctx, dir, slog.New(slog.DiscardHandler)) // seeds the demo data, as serve's first start
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.Close(ctx); err != nil {
		t.Fatal(err)
	}
	db, err := database.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	env := map[string]string{"HIVECONSOLE_DATA_DIR": dir, "HIVECONSOLE_RETENTION": "incomplete=1d"}
	cli := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(ctx, append([]string{"retention"}, args...), func(k string) string { return env[k] }, &out, &errOut)
		return out.String() + errOut.String(), err
	}
	out, err := cli("apply")
	if err != nil {
		t.Fatal(err)
	}
	var planned int
	if _, err := fmt.Sscanf(out[strings.Index(out, "Would delete "):], "Would delete %d customers", &planned); err != nil || planned == 0 {
		t.Fatalf("apply without --yes: %d planned (%v)\n%s", planned, err, out)
	}
	if !strings.Contains(out, fmt.Sprintf("Run again with --yes to delete these %d customers", planned)) {
		t.Errorf("apply without --yes does not say how to go on:\n%s", out)
	}

	// Nothing was deleted, but the copy was synced: the plan names the same customers.
	db, err = database.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, _ := retention.ParsePolicy("incomplete=1d")
	plan, err := retention.NewPlanner(db).Plan(ctx, p, time.Now(), 1000)
	if err != nil || plan.Total() != planned {
		t.Fatalf("plan after apply without --yes: %d, %v; want %d", plan.Total(), err, planned)
	}

	out, err = cli("apply", "--yes")
	if err != nil {
		t.Fatalf("apply --yes: %v\n%s", err, out)
	}
	if want := fmt.Sprintf("deleted %d of %d customers in Hive and in the console", planned, planned); !strings.Contains(out, want) {
		t.Errorf("apply --yes lacks %q:\n%s", want, out)
	}
	sb, err = startEmbeddedSandbox(ctx, dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close(ctx)
	api, err := hive.New(hive.Config{BaseURL: sb.URL, APIKey: sb.Creds.APIKey, APISecret: hive.Secret(sb.Creds.APISecret)})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range plan.First {
		if _, err := api.GetCustomer(ctx, c.CustomerID); !errors.Is(err, hive.ErrNotFound) {
			t.Errorf("customer %s is still in the sandbox: %v", c.CustomerID, err)
		}
		var email string
		if err := db.QueryRow(ctx, `SELECT email FROM hive_customers WHERE id = ?`, c.CustomerID).Scan(&email); err != nil || email != "" {
			t.Errorf("customer %s in the copy: %q %v", c.CustomerID, email, err)
		}
	}
	trail := audit.New(db, nil)
	rows, _, err := trail.Events(ctx, audit.Query{Action: "retention.apply", Outcome: audit.OutcomeSuccess})
	if err != nil || len(rows) != 1 || !strings.HasPrefix(rows[0].ActorID, "cli:") || fmt.Sprint(rows[0].Details["deleted"]) != fmt.Sprint(planned) {
		t.Errorf("the run's row: %+v %v", rows, err)
	}
	if v, err := trail.Verify(ctx); err != nil || v.BrokenSeq != 0 {
		t.Errorf("audit verify: %+v %v", v, err)
	}
	if out, err := cli("apply", "--yes"); err != nil || !strings.Contains(out, "Would delete 0 customers") {
		t.Errorf("apply again: %v\n%s", err, out)
	}

	// An unfinished run resumes without a policy set: it keeps its own. Without one and with no run
	// to resume, apply is a usage error.
	delete(env, "HIVECONSOLE_RETENTION")
	var u usageError
	if _, err := cli("apply", "--yes"); !errors.As(err, &u) {
		t.Errorf("apply without a policy or a run: %v", err)
	}
	if _, err := db.Exec(ctx, `INSERT INTO retention_runs (policy, started_by, started_at, planned, open, holder, expires_at)
		VALUES ('incomplete=1d', 'cli:someone@elsewhere', ?, 0, 1, 'gone', 0)`, database.Unix(time.Now())); err != nil {
		t.Fatal(err)
	}
	if out, err := cli("apply"); err != nil || !strings.Contains(out, "stopped before its end") || !strings.Contains(out, "Run again with --yes to resume it") {
		t.Errorf("apply with an unfinished run: %v\n%s", err, out)
	}
	if out, err := cli("apply", "--yes"); err != nil || !strings.Contains(out, "deleted 0 of 0") {
		t.Errorf("resuming without a policy: %v\n%s", err, out)
	}
}
