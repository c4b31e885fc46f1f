package readmodel

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

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
