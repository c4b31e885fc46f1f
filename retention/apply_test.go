package retention

import (
	"context"
	"errors"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/audit"
	"github.com/hiveconsole/hiveconsole/database"
	"github.com/hiveconsole/hiveconsole/database/dbtest"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/hive/sandbox"
	"github.com/hiveconsole/hiveconsole/notes"
	"github.com/hiveconsole/hiveconsole/readmodel"
	"github.com/hiveconsole/hiveconsole/review"
	"github.com/hiveconsole/hiveconsole/webhooks"
)

// failing is Hive that answers the first n deletions and then is unreachable, or refuses one
// customer's deletion as Hive refuses an invalid request.
type failing struct {
	Hive
	left    atomic.Int64
	refused string
}

func (f *failing) DeleteCustomer(ctx context.Context, id string) (*hive.Customer, error) {
	if id == f.refused {
		return nil, &hive.Error{Code: hive.CodeConflict, StatusCode: 409, Message: "the customer cannot be deleted now"}
	}
	if f.left.Add(-1) < 0 {
		return nil, &hive.Error{Code: hive.CodeUnavailable, StatusCode: 503}
	}
	return f.Hive.DeleteCustomer(ctx, id)
}

// world is a sandbox Hive, the console's copy of it, and everything retention erases.
type world struct {
	t      testing.TB
	db     *database.DB
	api    *hive.Client
	copy   *readmodel.Store
	notes  *notes.Book
	ledger *review.Ledger
	trail  *audit.Trail
	now    time.Time
}

func newWorld(t testing.TB, db *database.DB, customers int) *world {
	t.Helper()
	ctx := t.Context()
	sb, err := sandbox.New(ctx, sandbox.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sb.Seed(ctx, sandbox.SeedOptions{Seed: 5, Customers: customers}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb)
	t.Cleanup(func() { srv.Close(); sb.Close() })
	creds := sb.Credentials()
	api, err := hive.New(hive.Config{BaseURL: srv.URL, APIKey: creds.APIKey, APISecret: hive.Secret(creds.APISecret), ApplicationKey: creds.ApplicationKey})
	if err != nil {
		t.Fatal(err)
	}
	// The rules' ages count from a year and a month on, when every seeded customer is old enough.
	w := &world{t: t, db: db, api: api, now: time.Now().UTC().AddDate(1, 1, 0)}
	clock := func() time.Time { return w.now }
	w.copy, w.notes, w.ledger, w.trail = readmodel.New(db, clock), notes.New(db, clock), review.New(db, clock, 0), audit.New(db, clock)
	if err := readmodel.NewSyncer(w.copy, api, readmodel.SyncConfig{}).Pass(ctx); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) applier(h Hive, holder string) *Applier {
	return &Applier{DB: w.db, Hive: h, Copy: w.copy, Notes: w.notes, Reviews: w.ledger, Trail: w.trail, Holder: holder,
		Now: func() time.Time { return w.now }}
}

// planned is every customer the plan names, by rule.
func (w *world) planned(p Policy) []Candidate {
	w.t.Helper()
	plan, err := NewPlanner(w.db).Plan(w.t.Context(), p, w.now, 1000)
	if err != nil {
		w.t.Fatal(err)
	}
	if len(plan.First) != plan.Total() {
		w.t.Fatalf("the plan lists %d of %d", len(plan.First), plan.Total())
	}
	return plan.First
}

// states is the run's customers by state.
func (w *world) states(runID int64) map[string][]string {
	w.t.Helper()
	rows, err := w.db.Query(w.t.Context(), `SELECT customer_id, state FROM retention_items WHERE run_id = ? ORDER BY customer_id`, runID)
	if err != nil {
		w.t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var id, state string
		if err := rows.Scan(&id, &state); err != nil {
			w.t.Fatal(err)
		}
		out[state] = append(out[state], id)
	}
	return out
}

// rows counts the trail's rows of an action with an outcome.
func (w *world) rows(action, outcome string) int {
	w.t.Helper()
	var n int
	if err := w.db.QueryRow(w.t.Context(), `SELECT COUNT(*) FROM audit_events WHERE action = ? AND outcome = ?`, action, outcome).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}

// TestApply: apply deletes exactly what the plan named, in Hive and in the console (the copy's
// personal data, notes' and decisions' text, the trail's sealed personal data), with one audit row
// per customer's attempt and outcome and one summary; interrupted by Hive going away, it resumes
// where it stopped; a hold placed meanwhile keeps its customer, a customer no longer within the
// rules is kept, a customer Hive refuses is reported; the chain verifies afterwards.
func TestApply(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, open func(testing.TB) *database.DB) {
		db := open(t)
		w := newWorld(t, db, 24)
		ctx := t.Context()
		admin := staff(t, db, "ada@example.com")
		actor := Actor{ID: admin.ID, Email: admin.Email, Role: admin.Role}
		p, _ := ParsePolicy("decided=30d,incomplete=30d")

		plan := w.planned(p)
		if len(plan) < 8 {
			t.Fatalf("the plan names %d customers; the test wants at least 8", len(plan))
		}
		var ids []string
		byRule := map[string][]string{}
		for _, c := range plan {
			ids = append(ids, c.CustomerID)
			byRule[c.Rule] = append(byRule[c.Rule], c.CustomerID)
		}
		if len(byRule[RuleDecided]) == 0 || len(byRule[RuleIncomplete]) == 0 {
			t.Fatalf("the plan wants both rules: %v", byRule)
		}
		slices.Sort(ids)

		// What retention must erase of the first decided customer: a note on them and on their
		// check, a decision's note, and an edit's before and after sealed in the trail.
		victim := byRule[RuleDecided][0]
		var victimCheck, victimEmail string
		if err := db.QueryRow(ctx, `SELECT k.id, c.email FROM hive_checks k JOIN hive_customers c ON c.id = k.customer_id
			WHERE k.customer_id = ? ORDER BY k.id LIMIT 1`, victim).Scan(&victimCheck, &victimEmail); err != nil {
			t.Fatal(err)
		}
		for _, n := range []notes.Note{{TargetType: "customer", TargetID: victim}, {TargetType: "check", TargetID: victimCheck}} {
			n.Body, n.AuthorID, n.AuthorEmail, n.AuthorRole = "Called them about the address on Elm Street", admin.ID, admin.Email, admin.Role
			if _, err := w.notes.Add(ctx, n); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.trail.Record(ctx, audit.Event{ActorID: admin.ID, ActorEmail: admin.Email, Role: admin.Role, Action: "customer.update",
			TargetType: "customer", TargetID: victim, Outcome: audit.OutcomeSuccess, Subject: audit.CustomerSubject(victim),
			Personal: map[string]any{"email": map[string]any{"from": victimEmail, "to": "new@example.com"}}}); err != nil {
			t.Fatal(err)
		}

		// Hive answers three deletions, then goes away: the run stops and keeps its place.
		flaky := &failing{Hive: w.api}
		flaky.left.Store(3)
		run, err := w.applier(flaky, "replica-a").Apply(ctx, p, actor)
		if !errors.Is(err, ErrStopped) || run.ID == 0 || run.Planned != len(plan) {
			t.Fatalf("interrupted run: %+v %v", run, err)
		}
		st := w.states(run.ID)
		if len(st[stateDeleted]) != 3 || len(st[stateAttempted]) != 1 || len(st[statePlanned]) != len(plan)-4 {
			t.Fatalf("after the interruption: %v", st)
		}
		for _, id := range st[stateDeleted] {
			if _, err := w.api.GetCustomer(ctx, id); !errors.Is(err, hive.ErrNotFound) {
				t.Errorf("customer %s is still in Hive: %v", id, err)
			}
		}
		var items []string
		for _, s := range []string{stateDeleted, stateAttempted, statePlanned} {
			items = append(items, st[s]...)
		}
		slices.Sort(items)
		if !slices.Equal(items, ids) {
			t.Errorf("the run planned\n%v\nthe plan named\n%v", items, ids)
		}

		// Meanwhile: an admin holds one customer still to do; another gets a new check, so is no
		// longer within their rule; Hive will refuse a third. A hold on the customer whose deletion
		// had begun is refused.
		rest := slices.DeleteFunc(slices.Clone(st[statePlanned]), func(id string) bool { return id == victim })
		held, refused := rest[0], rest[1]
		var changed string
		for _, id := range rest[2:] {
			if slices.Contains(byRule[RuleDecided], id) {
				changed = id
				break
			}
		}
		if changed == "" {
			t.Fatal("no decided customer left to change")
		}
		if _, err := NewHolds(db, func() time.Time { return w.now }).Place(ctx, held, admin, "Subpoena 2026-114"); err != nil {
			t.Fatal(err)
		}
		if _, err := NewHolds(db, nil).Place(ctx, st[stateAttempted][0], admin, "Too late"); !errors.Is(err, ErrDeleting) {
			t.Errorf("a hold on a customer being deleted: %v", err)
		}
		if err := w.copy.PutSession(ctx, &hive.Session{ID: "ses_new", CustomerID: changed, FullName: "New", Email: "n@example.com",
			ApplicationID: "app", WorkspaceID: "ws", Status: "completed", CreatedAt: w.now, UpdatedAt: w.now, ExpiresAt: w.now}); err != nil {
			t.Fatal(err)
		}
		if err := w.copy.PutCheck(ctx, &hive.Check{ID: "chk_new", SessionID: "ses_new", Status: "processing", CreatedAt: w.now, UpdatedAt: w.now}); err != nil {
			t.Fatal(err)
		}

		// Another process cannot apply while this one holds the run.
		a := w.applier(w.api, "replica-a")
		if ok, err := a.renew(ctx, run.ID); !ok || err != nil {
			t.Fatalf("renew: %v %v", ok, err)
		}
		if _, err := w.applier(w.api, "replica-b").Apply(ctx, p, actor); !errors.Is(err, ErrRunning) {
			t.Errorf("a second process applying at once: %v", err)
		}
		a.letGo(run.ID)

		// Applying again resumes the run, whatever policy it is given, on another replica; but not
		// from a copy of Hive older than its MaxLag (an hour old here).
		w.now = w.now.Add(time.Hour)
		stale := w.applier(w.api, "replica-c")
		stale.MaxLag = time.Minute
		if _, err := stale.Apply(ctx, p, actor); !errors.Is(err, ErrStale) {
			t.Errorf("resuming from an old copy: %v", err)
		}
		flaky = &failing{Hive: w.api, refused: refused}
		flaky.left.Store(1000)
		other, _ := ParsePolicy("decided=3650d")
		b := w.applier(flaky, "replica-b")
		events, err := webhooks.New(db, []byte(strings.Repeat("k", 32)), func() time.Time { return w.now })
		if err != nil {
			t.Fatal(err)
		}
		b.Deleted = events.CustomerDeleted
		done, err := b.Apply(ctx, other, actor)
		if err != nil || !done.Resumed || done.ID != run.ID || done.Finished.IsZero() {
			t.Fatalf("resumed run: %+v %v", done, err)
		}
		if done.Deleted != len(plan)-3 || done.Held != 1 || done.Changed != 1 || done.Failed != 1 {
			t.Errorf("resumed run's counts: %+v, planned %d", done, len(plan))
		}
		st = w.states(run.ID)
		if !slices.Equal(st[stateHeld], []string{held}) || !slices.Equal(st[stateChanged], []string{changed}) ||
			!slices.Equal(st[stateFailed], []string{refused}) {
			t.Errorf("kept: %v", st)
		}
		for _, id := range ids {
			_, err := w.api.GetCustomer(ctx, id)
			gone := errors.Is(err, hive.ErrNotFound)
			if want := slices.Contains(st[stateDeleted], id); gone != want {
				t.Errorf("customer %s gone from Hive: %v, want %v (%v)", id, gone, want, err)
			}
			var email string
			var erased *int64
			if err := db.QueryRow(ctx, `SELECT email, erased_at FROM hive_customers WHERE id = ?`, id).Scan(&email, &erased); err != nil {
				t.Fatal(err)
			}
			if want := slices.Contains(st[stateDeleted], id); (email == "" && erased != nil) != want {
				t.Errorf("customer %s erased in the copy: email %q, erased %v; want erased %v", id, email, erased, want)
			}
		}

		// The victim's notes are hashes, the trail's edit reads erased, and the chain verifies.
		for _, target := range [][2]string{{"customer", victim}, {"check", victimCheck}} {
			ns, err := w.notes.On(ctx, target[0], target[1])
			if err != nil || len(ns) != 1 || ns[0].ErasedAt.IsZero() || ns[0].Body != notes.ErasedText("Called them about the address on Elm Street") {
				t.Errorf("the note on %s after retention: %+v %v", target[1], ns, err)
			}
		}
		edits, _, err := w.trail.Events(ctx, audit.Query{Action: "customer.update", TargetID: victim})
		if err != nil || len(edits) != 1 || edits[0].Details["personal_data"] != "erased" {
			t.Errorf("the edit after retention: %+v %v", edits, err)
		}
		if v, err := w.trail.Verify(ctx); err != nil || v.BrokenSeq != 0 {
			t.Errorf("audit verify after retention: %+v %v", v, err)
		}

		// Each deletion of the resumed run is an event for the business's systems.
		var deletions int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM webhook_events WHERE type = 'customer.deleted'`).Scan(&deletions); err != nil ||
			deletions != done.Deleted-3 {
			t.Errorf("%d customer.deleted events, want %d (the run's deletions after the three before it stopped)", deletions, done.Deleted-3)
		}

		// One attempt and one outcome per customer (the interrupted one's attempt once), one
		// summary for the run.
		if got := w.rows("retention.delete", audit.OutcomeAttempted); got != len(plan) {
			t.Errorf("%d attempts on the trail, want %d", got, len(plan))
		}
		if got := w.rows("retention.delete", audit.OutcomeSuccess); got != done.Deleted {
			t.Errorf("%d deletions on the trail, want %d", got, done.Deleted)
		}
		if got := w.rows("retention.delete", audit.OutcomeFailure); got != 3 {
			t.Errorf("%d refusals on the trail, want 3 (held, changed, refused)", got)
		}
		if a, s := w.rows("retention.apply", audit.OutcomeAttempted), w.rows("retention.apply", audit.OutcomeSuccess); a != 1 || s != 1 {
			t.Errorf("run rows: %d attempted, %d success", a, s)
		}

		// Planned again now, the policy names only whom this run kept: the refused, the changed
		// one once their new check is old enough, and nobody held.
		again := w.planned(p)
		for _, c := range again {
			if c.CustomerID == held || slices.Contains(st[stateDeleted], c.CustomerID) {
				t.Errorf("planned again: %s", c.CustomerID)
			}
		}
		// A new run starts once the last has finished.
		next, err := w.applier(w.api, "replica-a").Apply(ctx, p, actor)
		if err != nil || next.ID == run.ID || next.Resumed {
			t.Errorf("the next run: %+v %v", next, err)
		}
	})
}

// TestSchedule: a run is due when none has run, when the last started longer ago than the
// interval, and while one is unfinished; the schedule applies the policy as its own actor when due,
// and not again within the interval. A copy of Hive older than MaxLag plans nothing.
func TestSchedule(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, open func(testing.TB) *database.DB) {
		db := open(t)
		w := newWorld(t, db, 6)
		ctx := t.Context()
		p, _ := ParsePolicy("incomplete=30d")
		a := w.applier(w.api, "replica-a")

		stale := w.applier(w.api, "replica-a")
		stale.MaxLag = time.Minute
		w.now = w.now.Add(2 * time.Minute) // the copy was synced two minutes ago
		if _, err := stale.Apply(ctx, p, ScheduleActor); !errors.Is(err, ErrStale) {
			t.Errorf("apply from an old copy: %v", err)
		}
		if due, err := a.Due(ctx, 24*time.Hour); err != nil || !due {
			t.Fatalf("no run yet: due %v %v", due, err)
		}

		runCtx, cancel := context.WithCancel(ctx)
		stopped := make(chan struct{})
		go func() { a.Schedule(runCtx, p, 24*time.Hour, 5*time.Millisecond); close(stopped) }()
		deadline := time.Now().Add(10 * time.Second)
		for {
			runs, err := Runs(ctx, db, 5)
			if err != nil {
				t.Fatal(err)
			}
			if len(runs) > 0 && !runs[0].Finished.IsZero() {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the schedule ran nothing")
			}
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(50 * time.Millisecond) // ten more looks: none is due
		cancel()
		<-stopped
		runs, err := Runs(ctx, db, 5)
		if err != nil || len(runs) != 1 || runs[0].StartedBy != ScheduleActor.ID {
			t.Fatalf("runs: %+v %v", runs, err)
		}
		if runs[0].Deleted == 0 || runs[0].Deleted != runs[0].Planned {
			t.Errorf("the scheduled run: %+v", runs[0])
		}
		if due, _ := a.Due(ctx, 24*time.Hour); due {
			t.Error("due again at once")
		}
		w.now = w.now.Add(25 * time.Hour)
		if due, _ := a.Due(ctx, 24*time.Hour); !due {
			t.Error("not due a day later")
		}
	})
}
