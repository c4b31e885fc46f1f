package sandbox

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/hive"
)

// A load that fails leaves the store as it was, and its connection goes back to the pool with the
// usual page cache.
func TestBulkIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	st, err := openStore(ctx, t.TempDir()+"/sandbox.db")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	st.db.SetMaxOpenConns(1) // the connection the load used is the one read back below
	var before int64
	if err := st.db.QueryRow(`PRAGMA cache_size`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err = st.bulk(ctx, func(q querier) error {
		for i, id := range []string{"8462e8ce-4245-4eca-835c-4a160b93b030", "8462e8ce-4245-4eca-835c-4a160b93b031"} {
			c := hive.Customer{ID: id, Email: "john@hive.id", CreatedAt: time.Unix(1602241760, 0)}
			if err := insertCustomer(ctx, q, c, int64(i+1)); err != nil {
				return err
			}
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("bulk: got %v, want %v", err, boom)
	}
	if n, err := st.count(ctx, "customers"); err != nil || n != 0 {
		t.Errorf("after a failed load: got %d customers (%v), want 0", n, err)
	}
	var after int64
	if err := st.db.QueryRow(`PRAGMA cache_size`).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Errorf("cache_size after the load: got %d, want %d", after, before)
	}
}

// Seeded customers are numbered in order of creation, however they were made up: lists of
// customers created in the same second keep that order.
func TestSeedNumbersCustomersOldestFirst(t *testing.T) {
	srv, err := New(context.Background(), Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if _, err := srv.Seed(context.Background(), SeedOptions{Seed: 9, Customers: 500}); err != nil {
		t.Fatal(err)
	}
	var customers, first, last, outOfOrder int
	err = srv.store.db.QueryRow(`SELECT COUNT(*), MIN(seq), MAX(seq),
		(SELECT COUNT(*) FROM customers a JOIN customers b ON b.seq = a.seq + 1 WHERE b.created_at < a.created_at)
		FROM customers`).Scan(&customers, &first, &last, &outOfOrder)
	if err != nil {
		t.Fatal(err)
	}
	if customers != 500 || first != 1 || last != 500 || outOfOrder != 0 {
		t.Errorf("got %d customers numbered %d to %d, %d older than the one before, want 500 numbered 1 to 500, 0",
			customers, first, last, outOfOrder)
	}
}
