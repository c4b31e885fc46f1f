package readmodel

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/database"
	"github.com/hiveconsole/hiveconsole/hive"
)

// TestPassCopiesHive: one pass copies every list, links checks to their customers, counts each
// customer's checks and their latest result as the lists show them, and summarises every
// completed check's report with the report's own result.
func TestPassCopiesHive(t *testing.T) {
	each(t, func(t *testing.T, open func(testing.TB) *database.DB) {
		w := newWorld(t, open, 30)
		w.pass()
		ctx := context.Background()
		for _, kind := range Lists {
			if got, want := w.ids(kind, false), w.hiveIDs(kind); !slices.Equal(got, want) {
				t.Errorf("%s: copied %d, Hive lists %d", kind, len(got), len(want))
			}
		}

		// Each customer's columns, worked out from Hive's lists directly.
		sessions := map[string]string{}
		_ = w.api.EachSession(ctx, func(s *hive.Session) error { sessions[s.ID] = s.CustomerID; return nil })
		type latest struct {
			n      int
			at     time.Time
			id     string
			result string
		}
		want := map[string]latest{}
		var complete []hive.Check
		_ = w.api.EachCheck(ctx, func(c *hive.Check) error {
			if c.Status == hive.CheckComplete {
				complete = append(complete, *c)
			}
			cust := sessions[c.SessionID]
			l := want[cust]
			l.n++
			if c.CreatedAt.After(l.at) || (c.CreatedAt.Equal(l.at) && c.ID > l.id) {
				l.at, l.id, l.result = c.CreatedAt, c.ID, CheckResult(c)
			}
			want[cust] = l
			return nil
		})
		if len(complete) == 0 {
			t.Fatal("the sandbox has no completed checks to summarise")
		}
		rows, err := w.db.Query(ctx, `SELECT id, checks, latest_result FROM hive_customers`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var n int
			var result *string
			if err := rows.Scan(&id, &n, &result); err != nil {
				t.Fatal(err)
			}
			l := want[id]
			got := ""
			if result != nil {
				got = *result
			}
			if n != l.n || got != l.result {
				t.Errorf("customer %s: %d checks, latest %q; want %d, %q", id, n, got, l.n, l.result)
			}
		}

		var ids []string
		for _, c := range complete {
			ids = append(ids, c.ID)
		}
		results, err := w.store.ReportResults(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range complete {
			r, err := w.api.GetReport(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if results[c.ID] != string(r.Result) {
				t.Errorf("check %s: summary says %q, the report %q", c.ID, results[c.ID], r.Result)
			}
			sum := Summarise(&c, r)
			var docNumber, mrz *string
			if err := w.db.QueryRow(ctx, `SELECT doc_number, mrz_hash FROM hive_reports WHERE check_id = ?`, c.ID).
				Scan(&docNumber, &mrz); err != nil {
				t.Fatal(err)
			}
			if r.Document != nil && (docNumber == nil || *docNumber != sum.DocNumber || mrz == nil || *mrz != sum.MRZHash) {
				t.Errorf("check %s: identity data not stored", c.ID)
			}
		}

		st, err := w.store.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.State != StateReady || st.SyncedAt.IsZero() {
			t.Errorf("status %+v, want ready with a time", st)
		}
	})
}

// TestOutsideChangesArrive: creates, updates and deletes made in Hive outside the console arrive
// with the next pass; a deleted row is kept as a tombstone, and one that comes back is live again.
func TestOutsideChangesArrive(t *testing.T) {
	each(t, func(t *testing.T, open func(testing.TB) *database.DB) {
		w := newWorld(t, open, 8)
		w.pass()
		ctx := context.Background()
		created, err := w.api.CreateCustomer(ctx, hive.CustomerParams{Email: hive.String("outside@example.com"),
			FirstName: hive.String("Zoë"), LastName: hive.String("Outsider")})
		if err != nil {
			t.Fatal(err)
		}
		victim := w.ids(Customers, false)[0]
		if _, err := w.api.DeleteCustomer(ctx, victim); err != nil {
			t.Fatal(err)
		}
		edited := w.ids(Customers, false)[1]
		if _, err := w.api.UpdateCustomer(ctx, edited, hive.CustomerParams{LastName: hive.String("Renamed")}); err != nil {
			t.Fatal(err)
		}
		w.pass()
		if !slices.Contains(w.ids(Customers, false), created.ID) {
			t.Error("a customer created outside did not arrive")
		}
		if !slices.Contains(w.ids(Customers, true), victim) || slices.Contains(w.ids(Customers, false), victim) {
			t.Error("a customer deleted outside is not a tombstone")
		}
		if got := w.strings(`SELECT last_name FROM hive_customers WHERE id = ?`, edited); len(got) != 1 || got[0] != "Renamed" {
			t.Errorf("an edit outside: last name %v", got)
		}
		if got := w.strings(`SELECT search_names FROM hive_customers WHERE id = ?`, created.ID); len(got) != 1 ||
			!strings.HasPrefix(got[0], "zoe outsider") {
			t.Errorf("search text %q, want folded name first", got)
		}
		// Every check the tombstoned customer had is gone from Hive too, and so from the copy.
		for _, kind := range Lists {
			if got, want := w.ids(kind, false), w.hiveIDs(kind); !slices.Equal(got, want) {
				t.Errorf("%s after the changes: %d live, Hive lists %d", kind, len(got), len(want))
			}
		}
		w.tallied()
	})
}

// cutHive is a proxy in front of the sandbox that can cut a list short after some bytes, or send
// an item the client cannot use.
type cutHive struct {
	cutAfter atomic.Int64 // bytes of /customers sent before the connection drops; 0: never
	corrupt  atomic.Bool  // replace one customer's id with an invalid one
}

func (w *world) proxy(c *cutHive) *hive.Client {
	target, _ := url.Parse(w.url)
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ModifyResponse = func(resp *http.Response) error {
		if resp.Request.URL.Path != "/customers" || resp.Request.Method != http.MethodGet {
			return nil
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if c.corrupt.Load() {
			body = []byte(strings.Replace(string(body), `"id":"`, `"id":"not an id `, 1))
		}
		if n := c.cutAfter.Load(); n > 0 && int(n) < len(body) {
			body = body[:n]
			resp.Header.Del("Content-Length")
			resp.ContentLength = -1
			resp.Body = io.NopCloser(io.MultiReader(strings.NewReader(string(body)), errReader{}))
			return nil
		}
		resp.Header.Del("Content-Length")
		resp.ContentLength = int64(len(body))
		resp.Body = io.NopCloser(strings.NewReader(string(body)))
		return nil
	}
	srv := httptest.NewServer(rp)
	w.t.Cleanup(srv.Close)
	return w.client(srv.URL)
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection dropped") }

// TestListCutShortKeepsTheLastData: a Hive that dies mid-list fails the pass, says so in the
// status, tombstones nothing and keeps the last data; the next good pass finds everything again.
// An item the console cannot use is skipped without failing the pass or removing the others.
func TestListCutShortKeepsTheLastData(t *testing.T) {
	each(t, func(t *testing.T, open func(testing.TB) *database.DB) {
		w := newWorld(t, open, 40)
		w.pass()
		before := w.ids(Customers, false)
		ctx := context.Background()
		cut := &cutHive{}
		h := w.proxy(cut)
		cut.cutAfter.Store(3000)
		if err := w.syncer(h, "test").Pass(ctx); err == nil {
			t.Fatal("a pass over a list cut short succeeded")
		}
		if got := w.ids(Customers, false); !slices.Equal(got, before) {
			t.Errorf("after a list cut short: %d live customers, want the %d of before", len(got), len(before))
		}
		if n := len(w.ids(Customers, true)); n != 0 {
			t.Errorf("%d tombstones after a list cut short", n)
		}
		st, err := w.store.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.State != StateFailing || st.Error == "" || st.SyncedAt.IsZero() {
			t.Errorf("status %+v, want failing, with the error and the last complete pass's time", st)
		}

		cut.cutAfter.Store(0)
		cut.corrupt.Store(true)
		if err := w.syncer(h, "test").Pass(ctx); err != nil {
			t.Fatalf("a pass with one unusable item: %v", err)
		}
		if live := w.ids(Customers, false); len(live) != len(before)-1 {
			t.Errorf("after a pass with one unusable item: %d live, want %d (the skipped one is not in Hive's usable list)",
				len(live), len(before)-1)
		}
		w.tallied()
		cut.corrupt.Store(false)
		if err := w.syncer(h, "test").Pass(ctx); err != nil {
			t.Fatal(err)
		}
		if got := w.ids(Customers, false); !slices.Equal(got, before) {
			t.Errorf("after a good pass: %d live, want %d", len(got), len(before))
		}
		if st, _ := w.store.Status(ctx); st.State != StateReady {
			t.Errorf("status %s after a good pass", st.State)
		}
		w.tallied() // the restored customer counts again
	})
}

// stopAfter is a Hive whose customers list ends the pass's context after n items, once written
// (batches are written while the next is read), as a process killed mid-pass would stop.
type stopAfter struct {
	Hive
	n       int
	written func() bool
	cancel  context.CancelFunc
}

func (s *stopAfter) EachCustomer(ctx context.Context, fn func(*hive.Customer) error) error {
	i := 0
	return s.Hive.EachCustomer(ctx, func(c *hive.Customer) error {
		i++
		if i == s.n {
			for deadline := time.Now().Add(10 * time.Second); !s.written() && time.Now().Before(deadline); {
				time.Sleep(5 * time.Millisecond)
			}
			s.cancel()
			return ctx.Err()
		}
		return fn(c)
	})
}

// TestInterruptedPassResumes: a pass stopped part-way (the process killed) leaves nothing
// half-done: a fresh syncer's pass copies everything once, with no row lost, doubled or wrongly
// tombstoned.
func TestInterruptedPassResumes(t *testing.T) {
	each(t, func(t *testing.T, open func(testing.TB) *database.DB) {
		w := newWorld(t, open, 2500)
		ctx, cancel := context.WithCancel(context.Background())
		h := &stopAfter{Hive: w.api, n: 1500, cancel: cancel, written: func() bool { return len(w.ids(Customers, false)) > 0 }}
		if err := w.syncer(h, "a").Pass(ctx); err == nil {
			t.Fatal("an interrupted pass reported success")
		}
		if n := len(w.ids(Customers, false)); n == 0 || n >= 2500 {
			t.Errorf("%d customers after the interrupted pass, want the batches written before it stopped", n)
		}
		// The first load into empty tables builds their indexes when it ends; killed, it has not,
		// and a search reads the rows meanwhile.
		found := func(when string) {
			t.Helper()
			name := w.strings(`SELECT search_names FROM hive_customers WHERE deleted_at IS NULL`)[0]
			page, err := w.store.Customers(context.Background(), CustomerQuery{Search: name, Limit: 5})
			if err != nil || len(page.Rows) == 0 {
				t.Errorf("%s: a search for %q found %d customers (%v)", when, name, len(page.Rows), err)
			}
		}
		if len(w.strings(`SELECT statement FROM sync_deferred`)) == 0 {
			t.Error("the interrupted first load left no indexes to build")
		}
		found("while the indexes wait")
		w.pass()
		if left := w.strings(`SELECT statement FROM sync_deferred`); len(left) != 0 {
			t.Errorf("after a complete pass, indexes still to build: %q", left)
		}
		found("once the indexes are built")
		for _, kind := range Lists {
			if got, want := w.ids(kind, false), w.hiveIDs(kind); !slices.Equal(got, want) {
				t.Errorf("%s: %d live, Hive lists %d", kind, len(got), len(want))
			}
			if n := len(w.ids(kind, true)); n != 0 {
				t.Errorf("%s: %d tombstones", kind, n)
			}
		}
		w.tallied()
	})
}

// TestWriteThroughSurvivesARunningPass: a customer the console creates while a pass is reading
// the list (which no longer holds it) is not tombstoned by that pass, and a deletion the console
// writes while the pass runs is not undone by the older copy the pass read.
func TestWriteThroughSurvivesARunningPass(t *testing.T) {
	each(t, func(t *testing.T, open func(testing.TB) *database.DB) {
		w := newWorld(t, open, 10)
		w.pass()
		ctx := context.Background()
		victim := w.ids(Customers, false)[0]
		h := &duringList{Hive: w.api, during: func() {
			c, err := w.api.CreateCustomer(ctx, hive.CustomerParams{Email: hive.String("mid@example.com"), FirstName: hive.String("Mid")})
			if err != nil {
				t.Fatal(err)
			}
			if err := w.store.PutCustomer(ctx, c); err != nil {
				t.Fatal(err)
			}
			w.created = c.ID
			if _, err := w.api.DeleteCustomer(ctx, victim); err != nil {
				t.Fatal(err)
			}
			if err := w.store.DeleteCustomer(ctx, victim); err != nil {
				t.Fatal(err)
			}
		}}
		if err := w.syncer(h, "test").Pass(ctx); err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(w.ids(Customers, false), w.created) {
			t.Error("the pass tombstoned a customer the console created while it ran")
		}
		if slices.Contains(w.ids(Customers, false), victim) {
			t.Error("the pass brought back a customer the console deleted while it ran")
		}
		w.tallied()
	})
}

// duringList runs during once the customers list has been read, before the pass ends.
type duringList struct {
	Hive
	during func()
}

func (d *duringList) EachCustomer(ctx context.Context, fn func(*hive.Customer) error) error {
	err := d.Hive.EachCustomer(ctx, fn)
	d.during()
	return err
}

// TestOneReplicaSyncsAndAnotherTakesOver: two syncers on one database: one holds the lease and
// syncs; when it dies without letting go, the other takes over once the lease runs out.
func TestOneReplicaSyncsAndAnotherTakesOver(t *testing.T) {
	each(t, func(t *testing.T, open func(testing.TB) *database.DB) {
		w := newWorld(t, open, 5)
		a, b := w.syncer(w.api, "replica-a"), w.syncer(w.api, "replica-b")
		ctxA, killA := context.WithCancel(context.Background())
		ctxB, stopB := context.WithCancel(context.Background())
		doneA, doneB := make(chan struct{}), make(chan struct{})
		go func() { _ = a.Run(ctxA); close(doneA) }()
		time.Sleep(100 * time.Millisecond) // a claims first
		go func() { _ = b.Run(ctxB); close(doneB) }()
		defer func() { killA(); stopB(); <-doneA; <-doneB }()

		waitFor(t, "replica a to lead and complete a pass", func() bool {
			st, _ := w.store.Status(context.Background())
			return a.Leading() && st.State == StateReady
		})
		for range 5 {
			if b.Leading() {
				t.Fatal("both replicas lead")
			}
			time.Sleep(100 * time.Millisecond)
		}
		killA()
		<-doneA
		waitFor(t, "replica b to take over", b.Leading)
		holder, _, err := w.store.LeaseHolder(context.Background())
		if err != nil || holder != "replica-b" {
			t.Errorf("lease holder %q (%v), want replica-b", holder, err)
		}
	})
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
