package readmodel

import (
	"context"
	"database/sql"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/database"
	"github.com/hiveconsole/hiveconsole/database/dbtest"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/hive/sandbox"
)

// BenchmarkFirstPass is the first sync of a fresh console database from a sandbox over loopback:
// the four lists, streamed, decoded and written (report summaries left out). It reports rows/s over
// all four lists; the sandbox serves from the same process, as it shares the machine in the scale run.
//
//	go test -run '^$' -bench FirstPass -benchtime 1x -count 3 ./readmodel/
func BenchmarkFirstPass(b *testing.B) {
	ctx := context.Background()
	sb, err := sandbox.New(ctx, sandbox.Options{DataDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := sb.Seed(ctx, sandbox.SeedOptions{Seed: 5, Customers: 100_000}); err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(sb)
	b.Cleanup(func() { srv.Close(); sb.Close() })
	creds := sb.Credentials()
	api, err := hive.New(hive.Config{BaseURL: srv.URL, APIKey: creds.APIKey, APISecret: hive.Secret(creds.APISecret),
		ApplicationKey: creds.ApplicationKey, Timeout: time.Minute, Retry: hive.RetryPolicy{MaxAttempts: 1}})
	if err != nil {
		b.Fatal(err)
	}
	var rows int64
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		db := dbtest.SQLite(b)
		s := NewSyncer(New(db, nil), api, SyncConfig{})
		b.StartTimer()
		for _, kind := range Lists {
			if err := s.passOf(ctx, kind); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		for _, kind := range Lists {
			rows += int64(dbtest.CountRows(b, db, kind.table()))
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkDecisions reads a 90-day period of a busy team's decisions: 60,000 final decisions by
// ten reviewers on as many checks, and 6,000 four-eyes steps, for the insights page.
//
//	go test -run '^$' -bench Decisions -benchtime 20x ./readmodel/
func BenchmarkDecisions(b *testing.B) {
	ctx := context.Background()
	db := dbtest.SQLite(b)
	s := New(db, nil)
	staff, err := auth.NewService(ctx, db, auth.Config{BaseURL: "http://localhost", SessionKeys: [][]byte{[]byte(strings.Repeat("k", 32))},
		HashParams: auth.DefaultHashParams()})
	if err != nil {
		b.Fatal(err)
	}
	var users []auth.User
	for i := range 10 {
		u, err := staff.CreateUser(ctx, auth.NewUser{Email: fmt.Sprintf("r%d@example.com", i), Name: "R", Role: auth.RoleReviewer,
			Password: "a long enough password 1"})
		if err != nil {
			b.Fatal(err)
		}
		users = append(users, u)
	}
	end := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	start := end.AddDate(0, 0, -90)
	const n = 60_000
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		for i := range n {
			id := fmt.Sprintf("c%07d", i)
			completed := start.Add(time.Duration(i) * 90 * 24 * time.Hour / n)
			if _, err := tx.ExecContext(ctx, db.Q(`INSERT INTO hive_checks (id, session_id, status, decision, result, created_at, updated_at,
				pass, changed, ord, digest) VALUES (?, 's', 'complete', ?, 'consider', ?, ?, 1, 1, ?, '')`),
				id, []string{"approved", "review", "declined"}[i%3], database.Unix(completed), database.Unix(completed), i); err != nil {
				return err
			}
			u := users[i%len(users)]
			decided := completed.Add(time.Duration(i%50) * time.Hour)
			stages := []string{"final"}
			if i%10 == 0 {
				stages = []string{"first", "final"}
			}
			for _, stage := range stages {
				if _, err := tx.ExecContext(ctx, db.Q(`INSERT INTO reviews (check_id, decision, note, reviewer_id, reviewer_email, created_at, stage)
					VALUES (?, 'approve', 'seen', ?, ?, ?, ?)`), id, u.ID, u.Email, database.Unix(decided), stage); err != nil {
					return err
				}
				decided = decided.Add(time.Hour)
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	p := Period{From: start, To: end}
	b.ResetTimer()
	for range b.N {
		d, err := s.Decisions(ctx, p, "")
		if err != nil || len(d.Waits) < n/2 {
			b.Fatalf("%v: %d waits", err, len(d.Waits))
		}
	}
}
