package readmodel

import (
	"context"
	"database/sql"
	"net/http/httptest"
	"sort"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/database"
	"github.com/hiveconsole/hiveconsole/database/dbtest"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/hive/sandbox"
)

// world is a sandbox Hive over loopback, a client of it and a console database with its store.
type world struct {
	t     *testing.T
	sb    *sandbox.Server
	url   string
	api   *hive.Client
	db    *database.DB
	store *Store

	created string // set by tests that create a customer mid-pass
}

func newWorld(t *testing.T, open func(testing.TB) *database.DB, customers int) *world {
	t.Helper()
	ctx := context.Background()
	sb, err := sandbox.New(ctx, sandbox.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sb.Seed(ctx, sandbox.SeedOptions{Seed: 5, Customers: customers}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb)
	t.Cleanup(func() { srv.Close(); sb.Close() })
	w := &world{t: t, sb: sb, url: srv.URL, db: open(t)}
	w.api = w.client(srv.URL)
	w.store = New(w.db, nil)
	w.store.maxParams = 2000 // many statements a batch, most of them full
	return w
}

func (w *world) client(base string) *hive.Client {
	creds := w.sb.Credentials()
	c, err := hive.New(hive.Config{BaseURL: base, APIKey: creds.APIKey, APISecret: hive.Secret(creds.APISecret),
		ApplicationKey: creds.ApplicationKey, Timeout: 5 * time.Second,
		Retry: hive.RetryPolicy{MaxAttempts: 1}})
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

func (w *world) syncer(h Hive, holder string) *Syncer {
	return NewSyncer(w.store, h, SyncConfig{Interval: time.Hour, Processing: 50 * time.Millisecond,
		Lease: 600 * time.Millisecond, Holder: holder, Batch: 500})
}

// pass runs one full pass and fails the test on an error.
func (w *world) pass() {
	w.t.Helper()
	if err := w.syncer(w.api, "test").Pass(context.Background()); err != nil {
		w.t.Fatalf("pass: %v", err)
	}
}

// ids returns the ids of a table's rows, live (not deleted) or deleted.
func (w *world) ids(kind Kind, deleted bool) []string {
	w.t.Helper()
	cond := "deleted_at IS NULL"
	if deleted {
		cond = "deleted_at IS NOT NULL"
	}
	return w.strings(`SELECT id FROM ` + kind.table() + ` WHERE ` + cond)
}

func (w *world) strings(query string, args ...any) []string {
	w.t.Helper()
	rows, err := w.db.Query(context.Background(), query, args...)
	if err != nil {
		w.t.Fatal(err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var s sql.NullString
		if err := rows.Scan(&s); err != nil {
			w.t.Fatal(err)
		}
		out = append(out, s.String)
	}
	sort.Strings(out)
	return out
}

// hiveIDs returns the ids Hive lists for a kind.
func (w *world) hiveIDs(kind Kind) []string {
	w.t.Helper()
	ctx := context.Background()
	var ids []string
	var err error
	switch kind {
	case Customers:
		err = w.api.EachCustomer(ctx, func(c *hive.Customer) error { ids = append(ids, c.ID); return nil })
	case Sessions:
		err = w.api.EachSession(ctx, func(c *hive.Session) error { ids = append(ids, c.ID); return nil })
	case Checks:
		err = w.api.EachCheck(ctx, func(c *hive.Check) error { ids = append(ids, c.ID); return nil })
	case Files:
		err = w.api.EachFile(ctx, func(c *hive.File) error { ids = append(ids, c.ID); return nil })
	}
	if err != nil {
		w.t.Fatal(err)
	}
	sort.Strings(ids)
	return ids
}

func each(t *testing.T, fn func(t *testing.T, open func(testing.TB) *database.DB)) {
	dbtest.Each(t, fn)
}

// tallied checks that the live count of every kind, which triggers keep, equals its rows.
func (w *world) tallied() {
	w.t.Helper()
	for _, kind := range Lists {
		n, err := w.store.Count(context.Background(), kind)
		if err != nil {
			w.t.Fatal(err)
		}
		if want := len(w.ids(kind, false)); n != want {
			w.t.Errorf("%s: the tally says %d live rows, the table holds %d", kind, n, want)
		}
	}
}
