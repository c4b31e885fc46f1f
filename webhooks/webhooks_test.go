package webhooks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/database"
	"github.com/hiveconsole/hiveconsole/database/dbtest"
	"github.com/hiveconsole/hiveconsole/internal/clocktest"
	"github.com/hiveconsole/hiveconsole/review"
)

// received is one request a receiver got.
type received struct {
	header http.Header
	body   []byte
}

// receiver is a webhook receiver on loopback answering with the statuses given, then 200.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	got      []received
	statuses []int
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	r := &receiver{statuses: statuses}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, received{header: req.Header.Clone(), body: body})
		status := http.StatusOK
		if len(r.statuses) > 0 {
			status, r.statuses = r.statuses[0], r.statuses[1:]
		}
		r.mu.Unlock()
		if status == http.StatusFound {
			http.Redirect(w, req, "http://10.0.0.1/elsewhere", status)
			return
		}
		w.WriteHeader(status)
		fmt.Fprintf(w, "answered %d", status)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

// setup is a store over a fresh database with a settable clock, a ledger that writes its events,
// and an admin and two reviewers.
type setup struct {
	db     *database.DB
	clock  *clocktest.Clock
	store  *Store
	ledger *review.Ledger
	allow  Allow
}

func newSetup(t *testing.T, db *database.DB) *setup {
	t.Helper()
	s := &setup{db: db, clock: clocktest.New()}
	var err error
	if s.store, err = New(db, []byte(strings.Repeat("k", 32)), s.clock.Now); err != nil {
		t.Fatal(err)
	}
	s.ledger = review.New(db, s.clock.Now, 0)
	s.ledger.OnRecord(s.store.Recorded)
	if s.allow, err = ParseAllow("127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"usr_ada", "usr_bob"} {
		if _, err := db.Exec(t.Context(), `INSERT INTO users (id, email, name, role, password_hash, created_at, password_changed_at)
			VALUES (?, ?, ?, 'reviewer', '$argon2id$x', 0, 0)`, u, u+"@example.com", u); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func (s *setup) dispatcher(holder string) *Dispatcher {
	return &Dispatcher{Store: s.store, Allow: s.allow, Holder: holder, Timeout: 2 * time.Second,
		Backoff: func(n int) time.Duration { return time.Duration(n) * time.Minute }}
}

// decide records a decision as a reviewer does.
func (s *setup) decide(t *testing.T, check string, d review.Decision, reviewer string, needsSecond bool) (review.Review, error) {
	t.Helper()
	r := review.Review{CheckID: check, CustomerID: "cus_" + check, Decision: d, Note: "Called Ada Lovelace at ada@example.org",
		ReviewerID: reviewer, ReviewerEmail: reviewer + "@example.com", NeedsSecond: needsSecond}
	switch d {
	case review.Reject:
		r.Reason = review.DefaultRejectReasons[0].Code
	case review.Resubmit:
		r.SessionID = "ses_again_" + check
	}
	return s.ledger.Record(t.Context(), r, review.DefaultRejectReasons)
}

func (s *setup) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := s.db.QueryRow(t.Context(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSignAndVerify(t *testing.T) {
	now := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	body := []byte(`{"id":"evt_1"}`)
	oldSecret, newSecret := []byte("whsec_old"), []byte("whsec_new")
	h := Sign(now, body, newSecret, oldSecret)
	if !strings.HasPrefix(h, "t=1796464800,v1=") || strings.Count(h, "v1=") != 2 {
		t.Errorf("header %q", h)
	}
	for _, secret := range [][]byte{newSecret, oldSecret} {
		if err := Verify(h, body, secret, now.Add(time.Minute)); err != nil {
			t.Errorf("verify with %s: %v", secret, err)
		}
	}
	cases := []struct {
		name   string
		header string
		body   []byte
		secret []byte
		at     time.Time
		want   error
	}{
		{"a changed body", h, []byte(`{"id":"evt_2"}`), newSecret, now, ErrMismatch},
		{"another secret", h, body, []byte("whsec_other"), now, ErrMismatch},
		{"a changed time", strings.Replace(h, "t=1796464800", "t=1796464801", 1), body, newSecret, now, ErrMismatch},
		{"replayed later", h, body, newSecret, now.Add(6 * time.Minute), ErrTooOld},
		{"no header", "", body, newSecret, now, ErrNoSignature},
		{"no signature", "t=1796464800", body, newSecret, now, ErrNoSignature},
	}
	for _, c := range cases {
		if err := Verify(c.header, c.body, c.secret, c.at); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}

func TestAllow(t *testing.T) {
	a, err := ParseAllow(" hooks.example.com, 10.20.0.0/16 ,127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	for url, ok := range map[string]bool{
		"https://hooks.example.com/hive":   true,
		"http://10.20.3.4:8080/x":          true,
		"http://127.0.0.1:9000/":           true,
		"https://hooks.example.com.evil/x": false,
		"https://10.21.0.1/":               false,
		"https://169.254.169.254/latest":   false,
		"ftp://hooks.example.com/":         false,
		"https://u:p@hooks.example.com/":   false,
		"hooks.example.com/hive":           false,
	} {
		if err := a.CheckURL(url); (err == nil) != ok {
			t.Errorf("CheckURL(%s) = %v, want allowed %v", url, err, ok)
		}
	}
	// At dial time: a listed network's addresses, and public ones (a listed name resolving to
	// them); never a private or metadata address a name resolves to.
	for addr, ok := range map[string]bool{"10.20.0.9:443": true, "127.0.0.1:80": true, "93.184.216.34:443": true,
		"169.254.169.254:80": false, "192.168.1.1:443": false, "127.0.0.2:80": false, "[::1]:80": false} {
		if err := a.control("tcp", addr, nil); (err == nil) != ok {
			t.Errorf("dial %s: %v, want allowed %v", addr, err, ok)
		}
	}
	for _, bad := range []string{"https://hooks.example.com", "10.0.0.0/33", "user@host"} {
		if _, err := ParseAllow(bad); err == nil {
			t.Errorf("ParseAllow(%q): no error", bad)
		}
	}
}

// TestDecisionsAreDelivered: each decision writes its event in its own transaction (a refused
// decision writes none); the dispatcher sends each once to the endpoints that want it, signed with
// the secret shown at creation, the event id in a header and the body; no event carries the
// customer's personal data, the note or the reviewer's email.
func TestDecisionsAreDelivered(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, open func(testing.TB) *database.DB) {
		s := newSetup(t, open(t))
		ctx := t.Context()
		all, only := newReceiver(t), newReceiver(t)
		_, secret, err := s.store.Create(ctx, all.URL+"/hooks", Types, "usr_ada")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.store.Create(ctx, only.URL, []string{Rejected}, "usr_ada"); err != nil {
			t.Fatal(err)
		}
		mustDecide := func(check string, d review.Decision, reviewer string, needsSecond bool) {
			t.Helper()
			if _, err := s.decide(t, check, d, reviewer, needsSecond); err != nil {
				t.Fatal(err)
			}
		}
		mustDecide("chk_1", review.Approve, "usr_ada", false)
		mustDecide("chk_2", review.Reject, "usr_ada", false)
		mustDecide("chk_3", review.Resubmit, "usr_bob", false)
		mustDecide("chk_4", review.Approve, "usr_ada", true) // four-eyes: a first approval…
		if _, err := s.decide(t, "chk_4", review.Approve, "usr_ada", true); !errors.Is(err, review.ErrSecondBySamePerson) {
			t.Fatalf("the same reviewer's second approval: %v", err)
		}
		mustDecide("chk_4", review.Approve, "usr_bob", true) // …and the second
		if n := s.count(t, `SELECT COUNT(*) FROM webhook_events`); n != 5 {
			t.Errorf("%d events for 5 decisions (one refused)", n)
		}

		if n, err := s.dispatcher("a").DeliverDue(ctx); err != nil || n != 6 {
			t.Fatalf("DeliverDue: %d %v; want 6 (5 + 1 rejection to the second endpoint)", n, err)
		}
		if n, _ := s.dispatcher("a").DeliverDue(ctx); n != 0 {
			t.Errorf("delivered again: %d", n)
		}
		got := all.requests()
		var types []string
		for _, r := range got {
			if err := Verify(r.header.Get(SignatureHeader), r.body, []byte(secret), s.clock.Now()); err != nil {
				t.Errorf("signature: %v", err)
			}
			tampered := []byte(strings.Replace(string(r.body), `"decision":"`, `"decision":"x`, 1))
			if err := Verify(r.header.Get(SignatureHeader), tampered, []byte(secret), s.clock.Now()); !errors.Is(err, ErrMismatch) {
				t.Errorf("a tampered body: %v", err)
			}
			var p struct {
				ID, Type string
				Data     Decision
			}
			if err := json.Unmarshal(r.body, &p); err != nil {
				t.Fatal(err)
			}
			if p.ID != r.header.Get(EventIDHeader) || p.Type != r.header.Get(EventTypeHeader) || !strings.HasPrefix(p.ID, "evt_") {
				t.Errorf("headers %v, body %s", r.header, r.body)
			}
			if !strings.HasPrefix(p.Data.Reviewer, "rvw_") {
				t.Errorf("reviewer %q", p.Data.Reviewer)
			}
			for _, personal := range []string{"Ada Lovelace", "ada@example.org", "@example.com", "usr_"} {
				if strings.Contains(string(r.body), personal) {
					t.Errorf("an event holds %q: %s", personal, r.body)
				}
			}
			types = append(types, fmt.Sprintf("%s:%s:%v:%s", p.Type, p.Data.CheckID, p.Data.FourEyes, p.Data.ReasonCode))
		}
		want := []string{"review.approved:chk_1:false:", "review.rejected:chk_2:false:" + review.DefaultRejectReasons[0].Code,
			"review.resubmission_requested:chk_3:false:", "review.first_approval:chk_4:true:", "review.approved:chk_4:true:"}
		if strings.Join(types, " ") != strings.Join(want, " ") {
			t.Errorf("events\n%v\nwant\n%v", types, want)
		}
		if r := only.requests(); len(r) != 1 || r[0].header.Get(EventTypeHeader) != Rejected {
			t.Errorf("the rejections-only endpoint got %d", len(r))
		}
	})
}

// TestRetriesAndGivingUp: a receiver that fails twice gets the third attempt, each attempt logged
// with its status and answer; a redirect is a failure and is not followed; a delivery still failing
// three days after its event is given up; send again makes it due at once; a disabled endpoint's
// deliveries wait.
func TestRetriesAndGivingUp(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, open func(testing.TB) *database.DB) {
		s := newSetup(t, open(t))
		ctx := t.Context()
		rcv := newReceiver(t, http.StatusInternalServerError, http.StatusFound)
		ep, _, err := s.store.Create(ctx, rcv.URL, Types, "usr_ada")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.decide(t, "chk_1", review.Approve, "usr_ada", false); err != nil {
			t.Fatal(err)
		}
		d := s.dispatcher("a")
		for i, wantState := range []string{"pending", "pending", "delivered"} {
			if n, err := d.DeliverDue(ctx); err != nil || n != 1 {
				t.Fatalf("attempt %d: %d %v", i+1, n, err)
			}
			if n, _ := d.DeliverDue(ctx); n != 0 {
				t.Fatalf("attempt %d: due again before its backoff", i+1)
			}
			dl, err := s.store.Deliveries(ctx, ep.ID, 10)
			if err != nil || len(dl) != 1 || dl[0].State != wantState || dl[0].Attempts != i+1 {
				t.Fatalf("after attempt %d: %+v %v", i+1, dl, err)
			}
			s.clock.Advance(time.Duration(i+1) * time.Minute)
		}
		dl, _ := s.store.Deliveries(ctx, ep.ID, 10)
		if l := dl[0].Last; l.Status != 200 || l.Response != "answered 200" {
			t.Errorf("last attempt %+v", l)
		}
		if n := s.count(t, `SELECT COUNT(*) FROM webhook_attempts WHERE status IN (500, 302)`); n != 2 {
			t.Errorf("%d failed attempts logged", n)
		}
		if len(rcv.requests()) != 3 {
			t.Errorf("the receiver got %d requests; the redirect was followed?", len(rcv.requests()))
		}

		// Send again: the same event, due at once.
		if err := s.store.Redeliver(ctx, ep.ID, dl[0].ID); err != nil {
			t.Fatal(err)
		}
		if n, _ := d.DeliverDue(ctx); n != 1 {
			t.Error("send again did not send")
		}
		got := rcv.requests()
		if got[3].header.Get(EventIDHeader) != got[0].header.Get(EventIDHeader) {
			t.Error("send again sent another event id")
		}

		// A receiver down for three days: given up.
		down := newReceiver(t, 503, 503, 503, 503, 503, 503, 503, 503, 503, 503)
		ep2, _, _ := s.store.Create(ctx, down.URL, []string{Rejected}, "usr_ada")
		if _, err := s.decide(t, "chk_2", review.Reject, "usr_ada", false); err != nil {
			t.Fatal(err)
		}
		for range 4 {
			d.DeliverDue(ctx)
			s.clock.Advance(24 * time.Hour)
		}
		if dl, _ := s.store.Deliveries(ctx, ep2.ID, 1); len(dl) != 1 || dl[0].State != "failed" || dl[0].Attempts != 4 {
			t.Errorf("after three days: %+v", dl)
		}

		// Disabled: waits; enabled again: sent.
		if err := s.store.SetEnabled(ctx, ep.ID, false); err != nil {
			t.Fatal(err)
		}
		if _, err := s.store.SendTest(ctx, ep.ID); err != nil {
			t.Fatal(err)
		}
		if n, _ := d.DeliverDue(ctx); n != 0 {
			t.Error("a disabled endpoint was sent to")
		}
		s.store.SetEnabled(ctx, ep.ID, true)
		// (The rejection went to the first endpoint too: it wants every type.)
		if n, err := d.DeliverDue(ctx); n != 1 || len(rcv.requests()) != 6 || rcv.requests()[5].header.Get(EventTypeHeader) != Test {
			t.Errorf("the test event did not go once enabled: %d %v, %d requests", n, err, len(rcv.requests()))
		}
	})
}

// TestRotation: after a rotation both secrets sign during the grace period, then only the new one.
func TestRotation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, open func(testing.TB) *database.DB) {
		s := newSetup(t, open(t))
		ctx := t.Context()
		rcv := newReceiver(t)
		ep, oldSecret, _ := s.store.Create(ctx, rcv.URL, Types, "usr_ada")
		newSecret, err := s.store.Rotate(ctx, ep.ID, time.Hour)
		if err != nil || newSecret == oldSecret {
			t.Fatalf("rotate: %v", err)
		}
		d := s.dispatcher("a")
		s.store.SendTest(ctx, ep.ID)
		d.DeliverDue(ctx)
		s.clock.Advance(2 * time.Hour)
		s.store.SendTest(ctx, ep.ID)
		d.DeliverDue(ctx)
		got := rcv.requests()
		if len(got) != 2 {
			t.Fatalf("%d requests", len(got))
		}
		at := func(i int) time.Time { return s.clock.Now().Add(time.Duration(i-1) * 2 * time.Hour) }
		for i, want := range []map[string]bool{{oldSecret: true, newSecret: true}, {oldSecret: false, newSecret: true}} {
			for secret, ok := range want {
				err := Verify(got[i].header.Get(SignatureHeader), got[i].body, []byte(secret), at(i))
				if (err == nil) != ok {
					t.Errorf("request %d with the %s secret: %v", i, map[bool]string{true: "new", false: "old"}[secret == newSecret], err)
				}
			}
		}
	})
}

// TestExactlyOnceAcrossReplicas: events written while no dispatcher runs (a console stopped between
// the decision and the delivery) are delivered after a restart, and two dispatchers sending at once
// deliver each event to each endpoint exactly once. A dispatcher that claimed a delivery and died
// leaves it to another once its lease lapses.
func TestExactlyOnceAcrossReplicas(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, open func(testing.TB) *database.DB) {
		db := open(t)
		s := newSetup(t, db)
		ctx := t.Context()
		rcv := newReceiver(t)
		if _, _, err := s.store.Create(ctx, rcv.URL, Types, "usr_ada"); err != nil {
			t.Fatal(err)
		}
		const events = 60
		for i := range events {
			if _, err := s.decide(t, fmt.Sprintf("chk_%02d", i), review.Approve, "usr_ada", false); err != nil {
				t.Fatal(err)
			}
		}
		// One delivery claimed by a replica that then died.
		if _, err := db.Exec(ctx, `UPDATE webhook_deliveries SET holder = 'dead', lease_until = ? WHERE id = (SELECT MIN(id) FROM webhook_deliveries)`,
			s.clock.Now().Add(time.Minute).UnixMilli()); err != nil {
			t.Fatal(err)
		}

		// After the restart: two replicas, each with its own store over the same database.
		replica := func(holder string) *Dispatcher {
			st, err := New(db, []byte(strings.Repeat("k", 32)), s.clock.Now)
			if err != nil {
				t.Fatal(err)
			}
			return &Dispatcher{Store: st, Allow: s.allow, Holder: holder, Timeout: 5 * time.Second}
		}
		var wg sync.WaitGroup
		for _, d := range []*Dispatcher{replica("replica-a"), replica("replica-b")} {
			wg.Go(func() {
				for {
					n, err := d.DeliverDue(context.Background())
					if err != nil {
						t.Error(err)
						return
					}
					if n == 0 {
						return
					}
				}
			})
		}
		wg.Wait()
		if got := len(rcv.requests()); got != events-1 {
			t.Errorf("%d requests before the lease lapsed, want %d", got, events-1)
		}
		s.clock.Advance(2 * time.Minute)
		if n, err := replica("replica-a").DeliverDue(ctx); n != 1 || err != nil {
			t.Errorf("the dead replica's delivery: %d %v", n, err)
		}
		seen := map[string]int{}
		for _, r := range rcv.requests() {
			seen[r.header.Get(EventIDHeader)]++
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("event %s delivered %d times", id, n)
			}
		}
		if len(seen) != events || s.count(t, `SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'delivered'`) != events {
			t.Errorf("%d events delivered, want %d", len(seen), events)
		}
	})
}

// TestPrune: events older than the keep whose deliveries all ended go, with their deliveries and
// attempts; a newer event, and an old one still being retried, stay.
func TestPrune(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, open func(testing.TB) *database.DB) {
		s := newSetup(t, open(t))
		ctx := t.Context()
		ok, down := newReceiver(t), newReceiver(t, 503, 503, 503, 503)
		s.store.Create(ctx, ok.URL, Types, "usr_ada")
		s.store.Create(ctx, down.URL, []string{Rejected}, "usr_ada")
		s.decide(t, "chk_1", review.Approve, "usr_ada", false) // delivered
		s.decide(t, "chk_2", review.Reject, "usr_ada", false)  // delivered to one, retried at the other
		d := s.dispatcher("a")
		d.GiveUp = 365 * 24 * time.Hour
		d.DeliverDue(ctx)
		s.clock.Advance(100 * 24 * time.Hour)
		s.decide(t, "chk_3", review.Approve, "usr_ada", false) // new
		n, err := s.store.Prune(ctx, Keep)
		if err != nil || n != 1 {
			t.Fatalf("Prune: %d %v", n, err)
		}
		if e := s.count(t, `SELECT COUNT(*) FROM webhook_events`); e != 2 {
			t.Errorf("%d events left, want 2 (the retried and the new)", e)
		}
		if a := s.count(t, `SELECT COUNT(*) FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id
			JOIN webhook_events v ON v.id = d.event_id`); a != s.count(t, `SELECT COUNT(*) FROM webhook_attempts`) {
			t.Error("attempts of pruned deliveries are left")
		}
	})
}

// TestLapsedClaim: a delivery whose claim lapsed and went to another dispatcher is not sent by the
// first when its turn comes; send again is refused while an attempt is under way.
func TestLapsedClaim(t *testing.T) {
	s := newSetup(t, dbtest.SQLite(t))
	ctx := t.Context()
	rcv := newReceiver(t)
	ep, _, _ := s.store.Create(ctx, rcv.URL, Types, "usr_ada")
	s.decide(t, "chk_1", review.Approve, "usr_ada", false)
	var id int64
	if err := s.db.QueryRow(ctx, `SELECT id FROM webhook_deliveries`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	// B holds it now, under a live claim.
	if _, err := s.db.Exec(ctx, `UPDATE webhook_deliveries SET holder = 'b', lease_until = ? WHERE id = ?`, s.clock.Now().Add(time.Minute).UnixMilli(), id); err != nil {
		t.Fatal(err)
	}
	if err := s.dispatcher("a").send(ctx, id); err != nil || len(rcv.requests()) != 0 {
		t.Errorf("A sent B's delivery: %v, %d requests", err, len(rcv.requests()))
	}
	if err := s.store.Redeliver(ctx, ep.ID, id); !errors.Is(err, ErrSending) {
		t.Errorf("send again during an attempt: %v", err)
	}
	s.clock.Advance(2 * time.Minute)
	if err := s.store.Redeliver(ctx, ep.ID, id); err != nil {
		t.Errorf("send again once the claim lapsed: %v", err)
	}
}

// TestWritebackEndpoint: write-back off makes no endpoint; on, one; off again disables it, and its
// waiting deliveries wait.
func TestWritebackEndpoint(t *testing.T) {
	s := newSetup(t, dbtest.SQLite(t))
	ctx := t.Context()
	if err := s.store.ConfigureWriteback(ctx, false); err != nil {
		t.Fatal(err)
	}
	if eps, _ := s.store.Endpoints(ctx); len(eps) != 0 {
		t.Errorf("write-back off made %d endpoints", len(eps))
	}
	for _, on := range []bool{true, false} {
		if err := s.store.ConfigureWriteback(ctx, on); err != nil {
			t.Fatal(err)
		}
		if e, err := s.store.Endpoint(ctx, WritebackEndpoint); err != nil || e.Enabled != on {
			t.Errorf("write-back %v: %+v %v", on, e, err)
		}
	}
}
