package sandbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/hive/sandbox"
)

func seeded(t *testing.T, opts sandbox.SeedOptions) (*env, sandbox.SeedStats) {
	t.Helper()
	e := startSandbox(t)
	opts.Now = e.clock.Now()
	stats, err := e.srv.Seed(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return e, stats
}

func TestSeedIsRealisticDemoData(t *testing.T) {
	e, stats := seeded(t, sandbox.SeedOptions{Seed: 7})
	ctx := context.Background()
	if stats.Customers != sandbox.DefaultDemoCustomers || stats.Skipped {
		t.Fatalf("stats: %+v", stats)
	}
	customers, err := e.client.ListCustomers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	now := e.clock.Now()
	nationalities := map[string]bool{}
	for i, c := range customers.Data {
		if age := now.Sub(c.CreatedAt); age < 0 || age > 90*24*time.Hour {
			t.Errorf("customer %s created %v ago, want within 90 days", c.ID, age)
		}
		if i > 0 && c.CreatedAt.After(customers.Data[i-1].CreatedAt) {
			t.Fatal("customers are not newest first")
		}
		nationalities[c.Metadata["nationality"]] = true
	}
	if len(nationalities) < 8 {
		t.Errorf("got %d nationalities, want variety", len(nationalities))
	}
	sessions, _ := e.client.ListSessions(ctx)
	states := map[hive.SessionStatus]int{}
	for _, s := range sessions.Data {
		states[s.Status]++
	}
	for _, st := range []hive.SessionStatus{hive.SessionCreated, hive.SessionCompleted, hive.SessionExpired} {
		if states[st] == 0 {
			t.Errorf("no %s sessions: %v", st, states)
		}
	}
	checks, _ := e.client.ListChecks(ctx)
	results := map[hive.Status]int{}
	processing := 0
	for _, c := range checks.Data {
		if c.Status == hive.CheckProcessing {
			processing++
			continue
		}
		r, err := e.client.GetReport(ctx, c.ID)
		if err != nil {
			t.Fatalf("report of %s: %v", c.ID, err)
		}
		results[r.Result]++
		if *c.Decision != sandbox.DecisionFor(r.Result) {
			t.Errorf("check %s: decision %q for result %q", c.ID, *c.Decision, r.Result)
		}
	}
	if processing == 0 || processing > 5 {
		t.Errorf("got %d checks still processing, want a few", processing)
	}
	if results[hive.StatusClear] <= results[hive.StatusConsider] || results[hive.StatusConsider] == 0 {
		t.Errorf("results %v: want mostly clear, some consider", results)
	}
	// The live checks complete on their own a little later.
	e.clock.Advance(3 * time.Minute)
	checks, _ = e.client.ListChecks(ctx)
	for _, c := range checks.Data {
		if c.Status == hive.CheckProcessing {
			t.Errorf("check %s still processing three minutes later", c.ID)
		}
	}
}

func TestSeedIsDeterministicAndOnlyOnce(t *testing.T) {
	a, _ := seeded(t, sandbox.SeedOptions{Seed: 42, Customers: 40})
	b, _ := seeded(t, sandbox.SeedOptions{Seed: 42, Customers: 40})
	c, _ := seeded(t, sandbox.SeedOptions{Seed: 43, Customers: 40})
	// Each sandbox has its own application and workspace ids and its own address (file urls).
	comparable := func(e *env, path string) string {
		var list struct{ Data []map[string]any }
		if err := json.Unmarshal(e.raw("GET", path, "", "", 200), &list); err != nil {
			t.Fatal(err)
		}
		for _, o := range list.Data {
			delete(o, "application_id")
			delete(o, "workspace_id")
			delete(o, "url")
		}
		b, _ := json.Marshal(list)
		return string(b)
	}
	for _, path := range []string{"/customers", "/sessions", "/checks", "/files"} {
		if comparable(a, path) != comparable(b, path) {
			t.Errorf("%s differs between two seedings with the same seed", path)
		}
	}
	if string(a.raw("GET", "/customers", "", "", 200)) == string(c.raw("GET", "/customers", "", "", 200)) {
		t.Error("different seeds gave the same customers")
	}
	again, err := a.srv.Seed(context.Background(), sandbox.SeedOptions{Seed: 1})
	if err != nil || !again.Skipped {
		t.Fatalf("seeding a sandbox with data: got %+v, %v, want skipped", again, err)
	}
}

// The newest three customers each have one session whose check is still processing, and the
// three before them one session still open, the customer in the SDK.
func TestSeedLeavesTheNewestCustomersInFlight(t *testing.T) {
	for _, n := range []int{4, 40, 1500} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			e, _ := seeded(t, sandbox.SeedOptions{Seed: 11, Customers: n})
			ctx := context.Background()
			customers, err := e.client.ListCustomers(ctx)
			if err != nil {
				t.Fatal(err)
			}
			sessions, err := e.client.ListSessions(ctx)
			if err != nil {
				t.Fatal(err)
			}
			checks, err := e.client.ListChecks(ctx)
			if err != nil {
				t.Fatal(err)
			}
			processing := map[string]bool{} // by session: a check's session learns of it when it completes
			for _, c := range checks.Data {
				processing[c.SessionID] = c.Status == hive.CheckProcessing
			}
			of := map[string][]hive.Session{}
			for _, s := range sessions.Data {
				of[s.CustomerID] = append(of[s.CustomerID], s)
			}
			for i, c := range customers.Data[:min(6, n)] {
				ss := of[c.ID]
				if len(ss) != 1 {
					t.Errorf("newest customer %d has %d sessions, want 1", i+1, len(ss))
					continue
				}
				s := ss[0]
				if i < 3 && (s.Status != hive.SessionCompleted || !processing[s.ID]) {
					t.Errorf("newest customer %d: session %s, want completed with a check processing", i+1, s.Status)
				}
				if _, checked := processing[s.ID]; i >= 3 && (s.Status != hive.SessionCreated || checked) {
					t.Errorf("newest customer %d: session %s, checked %v, want an open session without a check", i+1, s.Status, checked)
				}
			}
		})
	}
}

// linked groups the customers whose finished checks share a document number or a device hash:
// what the console's linked identities look for. Only groups of two customers or more are kept.
type linked struct {
	byDocument, byDevice map[string][]string // customer ids, in the order their checks are listed
	reports              map[string][]*hive.Report
}

func findLinks(t *testing.T, e *env) linked {
	t.Helper()
	ctx := context.Background()
	sessions, err := e.client.ListSessions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	customerOf := map[string]string{}
	for _, s := range sessions.Data {
		customerOf[s.ID] = s.CustomerID
	}
	checks, err := e.client.ListChecks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	l := linked{byDocument: map[string][]string{}, byDevice: map[string][]string{}, reports: map[string][]*hive.Report{}}
	add := func(groups map[string][]string, key, customer string) {
		if !slices.Contains(groups[key], customer) {
			groups[key] = append(groups[key], customer)
		}
	}
	for _, c := range checks.Data {
		if c.Status != hive.CheckComplete {
			continue
		}
		r, err := e.client.GetReport(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		cust := customerOf[c.SessionID]
		add(l.byDocument, r.Document.Properties.DocumentNumber, cust)
		add(l.byDevice, r.Customer.Properties.Mobile.DeviceHash, cust)
		l.reports[r.Document.Properties.DocumentNumber] = append(l.reports[r.Document.Properties.DocumentNumber], r)
		l.reports[r.Customer.Properties.Mobile.DeviceHash] = append(l.reports[r.Customer.Properties.Mobile.DeviceHash], r)
	}
	for _, groups := range []map[string][]string{l.byDocument, l.byDevice} {
		maps.DeleteFunc(groups, func(_ string, customers []string) bool { return len(customers) < 2 })
	}
	return l
}

// From 40 customers on, demo data has a document shown by three customers and a device farm of
// five, the same for the same seed; smaller seeds have none.
func TestSeedHasRings(t *testing.T) {
	tests := []struct {
		customers        int
		document, farm   int // members of the ring, 0 for none
		checkDeterminism bool
	}{
		{12, 0, 0, false},
		{40, 3, 5, false},
		{sandbox.DefaultDemoCustomers, 3, 5, true},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.customers), func(t *testing.T) {
			e, _ := seeded(t, sandbox.SeedOptions{Seed: 7, Customers: tc.customers})
			l := findLinks(t, e)
			if tc.document == 0 {
				if len(l.byDocument)+len(l.byDevice) > 0 {
					t.Fatalf("got shared documents %v and devices %v, want none", l.byDocument, l.byDevice)
				}
				return
			}
			customers, err := e.client.ListCustomers(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			byID := map[string]*hive.Customer{}
			for i, c := range customers.Data {
				byID[c.ID] = &customers.Data[i]
			}
			checkRing := func(kind string, groups map[string][]string, size int, same func(*hive.Report) []string) {
				t.Helper()
				if len(groups) != 1 {
					t.Fatalf("%s: got %d rings %v, want 1", kind, len(groups), groups)
				}
				for key, members := range groups {
					if len(members) != size {
						t.Errorf("%s %s: got %d customers, want %d", kind, key, len(members), size)
					}
					emails, names := map[string]bool{}, map[string]bool{}
					for _, m := range members {
						emails[byID[m].Email], names[byID[m].FullName()] = true, true
					}
					if len(emails) != size || len(names) != size {
						t.Errorf("%s %s: got %d emails and %d names, want %d different customers", kind, key, len(emails), len(names), size)
					}
					reports := l.reports[key]
					for _, r := range reports[1:] {
						if got, want := same(r), same(reports[0]); !slices.Equal(got, want) {
							t.Errorf("%s %s: got %v, want %v", kind, key, got, want)
						}
					}
				}
			}
			checkRing("document", l.byDocument, tc.document, documentIdentity)
			checkRing("device", l.byDevice, tc.farm, deviceIdentity)
			for key := range l.byDocument { // the pictures too, rendered from what the sessions stored
				reports := l.reports[key]
				first := e.download(reports[0].CheckID, hive.FileDocumentFront)
				for _, r := range reports[1:] {
					if !bytes.Equal(e.download(r.CheckID, hive.FileDocumentFront), first) {
						t.Errorf("document %s: check %s shows another picture of it", key, r.CheckID)
					}
				}
			}
			if !tc.checkDeterminism {
				return
			}
			other, _ := seeded(t, sandbox.SeedOptions{Seed: 7, Customers: tc.customers})
			again := findLinks(t, other)
			if !maps.EqualFunc(l.byDocument, again.byDocument, slices.Equal) || !maps.EqualFunc(l.byDevice, again.byDevice, slices.Equal) {
				t.Errorf("a second seeding: got %v %v, want %v %v", again.byDocument, again.byDevice, l.byDocument, l.byDevice)
			}
		})
	}
}
