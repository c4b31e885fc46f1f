package readmodel

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/database"
	"github.com/hiveconsole/hiveconsole/database/dbtest"
	"github.com/hiveconsole/hiveconsole/hive"
)

// linkFixture stores customers, each with one completed check whose summary the test gives.
type linkFixture struct {
	t   *testing.T
	s   *Store
	ctx context.Context
	n   int
}

// customer stores a customer with one completed check summarised as sum, and returns both ids.
func (f *linkFixture) customer(name string, sum Summary) (customerID, checkID string) {
	f.t.Helper()
	f.n++
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC).Add(time.Duration(f.n) * time.Minute)
	customerID = fmt.Sprintf("c0570000-1111-4222-8333-%012d", f.n)
	sessionID := fmt.Sprintf("5e550000-1111-4222-8333-%012d", f.n)
	checkID = fmt.Sprintf("c4ec0000-1111-4222-8333-%012d", f.n)
	f.check(customerID, name, sessionID, checkID, at, sum)
	return customerID, checkID
}

// check stores another check of the customer (created if new), summarised as sum.
func (f *linkFixture) check(customerID, name, sessionID, checkID string, at time.Time, sum Summary) {
	f.t.Helper()
	first, last, _ := strings.Cut(name, " ")
	cust := hive.Customer{ID: customerID, Email: strings.ToLower(first) + "@example.com", FirstName: &first, LastName: &last,
		CreatedAt: at, UpdatedAt: at}
	sess := hive.Session{ID: sessionID, CustomerID: customerID, FullName: name, Status: hive.SessionCompleted,
		CreatedAt: at, UpdatedAt: at, ExpiresAt: at}
	ch := hive.Check{ID: checkID, SessionID: sessionID, Status: hive.CheckComplete, CreatedAt: at, UpdatedAt: at}
	sum.CheckID, sum.ReportID, sum.Result = checkID, "r-"+checkID, "consider"
	sum.Sections, sum.Breakdowns, sum.Concerns = map[string]string{}, []Node{}, []Node{}
	for _, err := range []error{f.s.PutCustomer(f.ctx, &cust), f.s.PutSession(f.ctx, &sess), f.s.PutCheck(f.ctx, &ch),
		f.s.putSummary(f.ctx, sum, true)} {
		if err != nil {
			f.t.Fatal(err)
		}
	}
}

// passport is a summary of a check on a passport, seen from one device and address.
func passport(number, personal, surname, given, dob, mrz, device, ip string) Summary {
	return Summary{DocType: "P", DocCountry: "GBR", DocNumber: number, PersonalNumber: personal, Surname: surname,
		GivenNames: given, DateOfBirth: dob, MRZHash: mrz, DeviceHashes: []string{device}, IPAddresses: []string{ip}}
}

// TestLinkedIdentities: each kind of identifier links two customers when, and only when, they share
// it (document: type, country and number; personal number with its country; name with date of birth;
// MRZ; device; address); a customer's own other checks are not links; a deleted check links nobody;
// an identifier shared by more customers than the threshold is a count, not a list; a customer a
// reviewer rejected is flagged and listed first.
func TestLinkedIdentities(t *testing.T) {
	each(t, func(t *testing.T, open func(testing.TB) *database.DB) {
		ctx := context.Background()
		f := &linkFixture{t: t, s: New(open(t), nil), ctx: ctx}
		subject, check := f.customer("Ana Subject", passport("AB123456", "PN-77", "SUBJECT", "ANA", "1990-01-02", "mrz-ana", "dev-ana", "198.51.100.1"))
		// The subject's own second check, on the same passport: not a link.
		f.check(subject, "Ana Subject", "5e550000-1111-4222-8333-999999999999", "c4ec0000-1111-4222-8333-999999999999",
			time.Date(2026, 5, 2, 0, 0, 0, 0, time.UTC), passport("AB123456", "", "", "", "", "", "", ""))
		doc, _ := f.customer("Dora Document", passport("ab123456", "", "OTHER", "DORA", "1980-01-01", "mrz-dora", "dev-dora", "198.51.100.2"))
		f.customer("Nina Notdoc", Summary{DocType: "ID", DocCountry: "GBR", DocNumber: "AB123456"}) // another type of document
		pn, _ := f.customer("Pere Personal", Summary{DocType: "ID", DocCountry: "GBR", DocNumber: "X1", PersonalNumber: "pn-77"})
		f.customer("Pia Abroad", Summary{DocType: "ID", DocCountry: "FRA", DocNumber: "X2", PersonalNumber: "PN-77"}) // another country's number
		name, _ := f.customer("Ana Twin", Summary{DocType: "P", DocCountry: "ESP", DocNumber: "X3", Surname: "Subject", GivenNames: "Ana", DateOfBirth: "1990-01-02"})
		f.customer("Ana Older", Summary{DocType: "P", DocCountry: "ESP", DocNumber: "X4", Surname: "SUBJECT", GivenNames: "ANA", DateOfBirth: "1950-01-02"})
		mrz, _ := f.customer("Max Mrz", Summary{MRZHash: "mrz-ana"})
		dev, _ := f.customer("Dev Device", Summary{DeviceHashes: []string{"dev-ana"}})
		ip, _ := f.customer("Ivy Address", Summary{IPAddresses: []string{"198.51.100.1"}})
		_, gone := f.customer("Gus Gone", Summary{DeviceHashes: []string{"dev-ana"}})
		if err := f.s.DeleteCheck(ctx, gone); err != nil {
			t.Fatal(err)
		}
		f.customer("Nobody Shared", passport("ZZ999", "", "NOBODY", "X", "2000-01-01", "mrz-x", "dev-x", "198.51.100.9"))

		linked, err := f.s.Linked(ctx, []string{check}, subject, 5)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][]string{}
		for _, c := range linked.Customers {
			got[c.CustomerID] = c.Shares
			if len(c.Checks) != 1 || c.Name == "" {
				t.Errorf("%s: checks %v, name %q", c.CustomerID, c.Checks, c.Name)
			}
		}
		want := map[string][]string{doc: {LinkDocument}, pn: {LinkPersonalNumber}, name: {LinkNameDOB}, mrz: {LinkMRZ},
			dev: {LinkDevice}, ip: {LinkIP}}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("links:\n got %v\nwant %v", got, want)
		}
		if len(linked.Crowds) != 0 {
			t.Errorf("crowds: %v", linked.Crowds)
		}

		// A subject whose customer is not known: its own check is still no link to itself.
		anon, err := f.s.Linked(ctx, []string{check}, "", 5)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range anon.Customers {
			for _, ch := range c.Checks {
				if ch.ID == check {
					t.Errorf("the check is linked to itself through %s", c.CustomerID)
				}
			}
		}

		// The subject's customer page: both of their checks; a rejected customer first.
		if _, err := f.s.db.Exec(ctx, `UPDATE hive_checks SET review_state = 'rejected' WHERE customer_id = ?`, ip); err != nil {
			t.Fatal(err)
		}
		all, err := f.s.Linked(ctx, []string{check, "c4ec0000-1111-4222-8333-999999999999"}, subject, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(all.Customers) != 6 || all.Customers[0].CustomerID != ip || !all.Customers[0].Rejected || all.Customers[1].Rejected {
			t.Errorf("the rejected customer is not first and flagged: %+v", all.Customers)
		}

		// An address shared by more customers than the threshold is counted.
		for i := range 5 {
			f.customer(fmt.Sprintf("Crowd Member%d", i), Summary{IPAddresses: []string{"198.51.100.1"}})
		}
		crowded, err := f.s.Linked(ctx, []string{check}, subject, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(crowded.Crowds) != 1 || crowded.Crowds[0] != (Crowd{Kind: LinkIP, Customers: 6}) {
			t.Errorf("crowds: %+v", crowded.Crowds)
		}
		for _, c := range crowded.Customers {
			if slices.Contains(c.Shares, LinkIP) {
				t.Errorf("%s is listed for a crowded address", c.CustomerID)
			}
		}
		if at, err := f.s.Linked(ctx, []string{check}, subject, 6); err != nil || len(at.Crowds) != 0 {
			t.Errorf("at the threshold the address's customers are listed: %+v, %v", at.Crowds, err)
		}
	})
}

// TestLinkedIdentitiesMigration: migration 15 finds the identifiers of the reports stored before it
// exactly as a report stored after it writes them.
func TestLinkedIdentitiesMigration(t *testing.T) {
	dbtest.EachAt(t, func(t *testing.T, openAt dbtest.Opener) {
		ctx := context.Background()
		sum := passport("ab12 345", "pn-1", "Müller", "Zoë Ann", "1990-01-02", "mrz-1", "dev-1", "2001:db8::1")
		old := openAt(t, 14)
		if _, err := old.Exec(ctx, `INSERT INTO hive_reports (check_id, report_id, result, breakdowns, concerns, doc_type, doc_country,
			doc_number, personal_number, surname, given_names, date_of_birth, mrz_hash, device_hashes, ip_addresses, fetched_at)
			VALUES ('c1', 'r', 'clear', '[]', '[]', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`, sum.DocType, sum.DocCountry, sum.DocNumber,
			sum.PersonalNumber, sum.Surname, sum.GivenNames, sum.DateOfBirth, sum.MRZHash, `["dev-1"]`, `["2001:db8::1"]`); err != nil {
			t.Fatal(err)
		}
		if err := old.MigrateTo(ctx, database.Latest); err != nil {
			t.Fatal(err)
		}
		fresh := openAt(t, database.Latest)
		sum.CheckID, sum.ReportID, sum.Result, sum.Sections = "c1", "r", "clear", map[string]string{}
		if err := New(fresh, nil).putSummary(ctx, sum, true); err != nil {
			t.Fatal(err)
		}
		read := func(db *database.DB) []string {
			w := &world{t: t, db: db}
			return w.strings(`SELECT kind || '=' || value FROM hive_identifiers WHERE check_id = 'c1'`)
		}
		migrated, written := read(old), read(fresh)
		if len(written) != 6 || !slices.Equal(migrated, written) {
			t.Errorf("identifiers:\nmigrated %q\n written %q", migrated, written)
		}
	})
}

// TestQueueLinks: each waiting check carries how many other customers it is linked to and whether
// one was rejected, worked out again when a new report shares something with it and when a
// customer it is linked to is decided on; crowds change nobody's links; the queue shows such checks
// first within their band (overdue, on time), then by due time.
func TestQueueLinks(t *testing.T) {
	each(t, func(t *testing.T, open func(testing.TB) *database.DB) {
		ctx := context.Background()
		s := New(open(t), nil)
		s.SetLinkCrowd(2)
		f := &linkFixture{t: t, s: s, ctx: ctx}
		// Checks complete a minute apart (the fixture's clock): a is oldest.
		_, a := f.customer("Ann Alone", Summary{DocType: "P", DocCountry: "GBR", DocNumber: "A1"})
		_, b := f.customer("Ben Ring", Summary{DocType: "P", DocCountry: "GBR", DocNumber: "R1"})
		cust, c := f.customer("Cat Ring", Summary{DocType: "P", DocCountry: "GBR", DocNumber: "R1"})
		_, d := f.customer("Dan Proxy", Summary{IPAddresses: []string{"198.18.0.1"}})
		if _, err := s.RelinkStale(ctx, 100); err != nil {
			t.Fatal(err)
		}
		links := func(id string) (int, bool) {
			t.Helper()
			e, ok, err := s.Check(ctx, id)
			if err != nil || !ok || e.Links == nil {
				t.Fatalf("%s: %v %v %+v", id, ok, err, e.Links)
			}
			return *e.Links, e.LinkedRejected
		}
		for id, want := range map[string]int{a: 0, b: 1, c: 1, d: 0} {
			if n, _ := links(id); n != want {
				t.Errorf("%s: %d links, want %d", id, n, want)
			}
		}
		// A third ring member: the others' links go stale and count them.
		_, e := f.customer("Eve Ring", Summary{DocType: "P", DocCountry: "GBR", DocNumber: "R1"})
		if n, err := s.RelinkStale(ctx, 100); err != nil || n != 3 {
			t.Errorf("relinked %d checks (%v), want the ring's three", n, err)
		}
		for _, id := range []string{b, c, e} {
			if n, _ := links(id); n != 2 {
				t.Errorf("%s: %d links, want 2", id, n)
			}
		}
		// Three more on Dan's address make it a crowd (threshold 2): nobody's links change with it.
		for i := range 3 {
			f.customer(fmt.Sprintf("Pat Proxy%d", i), Summary{IPAddresses: []string{"198.18.0.1"}})
		}
		if _, err := s.RelinkStale(ctx, 100); err != nil {
			t.Fatal(err)
		}
		if n, _ := links(d); n != 0 {
			t.Errorf("a crowd's address links Dan to %d customers", n)
		}
		// A reviewer rejects Cat: Ben and Eve are linked to a rejected customer at once.
		if _, err := s.db.Exec(ctx, `UPDATE hive_checks SET review_state = 'rejected', reviewed = TRUE WHERE id = ?`, c); err != nil {
			t.Fatal(err)
		}
		if err := s.RelinkCustomer(ctx, cust); err != nil {
			t.Fatal(err)
		}
		for id, want := range map[string]bool{a: false, b: true, e: true, d: false} {
			if _, flagged := links(id); flagged != want {
				t.Errorf("%s: linked to a rejected customer %v, want %v", id, flagged, want)
			}
		}
		// The queue: in one band the flagged first, then by due time; an overdue check before both.
		order := func(now time.Time) []string {
			t.Helper()
			page, err := s.Checks(ctx, CheckQuery{Queue: true, Rule: QueueRule{Results: []string{"consider"}},
				Targets: ServiceTimes{"consider": 4 * time.Minute}, Now: now, Limit: 20})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range page.Rows {
				if slices.Contains([]string{a, b, d, e}, r.Check.ID) {
					ids = append(ids, r.Check.ID)
				}
			}
			return ids
		}
		start := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
		// Due four minutes after completion: a at +5m, b +6m, d +8m, e +9m. At +6m only a is overdue.
		if got, want := order(start.Add(6*time.Minute)), []string{a, b, e, d}; !slices.Equal(got, want) {
			t.Errorf("queue at +6m:\n got %v\nwant %v", got, want)
		}
		// At +7m b is overdue too: the overdue band leads with it, flagged.
		if got, want := order(start.Add(7*time.Minute)), []string{b, a, e, d}; !slices.Equal(got, want) {
			t.Errorf("queue at +7m:\n got %v\nwant %v", got, want)
		}
	})
}
