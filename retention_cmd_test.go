package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/database"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/readmodel"
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
