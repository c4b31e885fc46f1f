package retention

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hiveconsole/hiveconsole/audit"
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/database"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/notes"
	"github.com/hiveconsole/hiveconsole/readmodel"
	"github.com/hiveconsole/hiveconsole/review"
)

// Hive is the one call retention makes to Hive: deleting a customer, with their sessions, checks,
// reports and files.
type Hive interface {
	DeleteCustomer(ctx context.Context, id string) (*hive.Customer, error)
}

// Actor is who applies the policy, for the trail: a signed-in admin, the shell ("cli:<os
// user>@<host>" as ID) or serve's schedule (ScheduleActor).
type Actor struct {
	ID, Email string
	Role      auth.Role
}

// ScheduleActor is serve's schedule, as the trail names it.
var ScheduleActor = Actor{ID: "schedule:retention"}

// Applier deletes what a policy says, in Hive and then in the console: the copy's personal data,
// the text of notes and decisions' notes (kept as hashes), and the key that seals the customer's
// personal data in the trail. A run is planned once, into retention_items, and worked through
// customer by customer, so an interrupted run resumes where it stopped; one process works a run at
// a time. Build it with its fields set; Now and Log are optional.
type Applier struct {
	DB      *database.DB
	Hive    Hive
	Copy    *readmodel.Store
	Notes   *notes.Book
	Reviews *review.Ledger
	Trail   *audit.Trail
	Holder  string // names this process in the run's lease, for people reading retention_runs
	// MaxLag refuses to plan a new run from a copy of Hive synced longer ago than this: a customer's
	// new check, not yet copied, would otherwise not save them. 0 plans from any copy.
	MaxLag time.Duration
	// Progress, when set, hears how far a run has got after each customer.
	Progress func(done, planned int)
	// Deleted, when set, hears each customer deleted, inside the transaction that marks them so (the
	// webhooks' outbox): the event exists exactly when the deletion is recorded.
	Deleted func(ctx context.Context, tx *sql.Tx, customerID, rule string, run int64) error
	Now     func() time.Time
	Log     *slog.Logger
}

// Run is one application of a policy: what it planned and what became of each customer.
type Run struct {
	ID        int64
	Policy    string
	StartedBy string
	Started   time.Time // also when the rules' ages count back from
	Finished  time.Time // zero while the run is unfinished
	Resumed   bool      // this call took over a run started earlier
	Planned   int
	// Deleted in Hive and erased; Held, kept by a legal hold placed after the plan; Changed, no
	// longer within the rules when their turn came (a new check, say); Failed, refused by Hive.
	Deleted, Held, Changed, Failed int
}

// Item states, as retention_items keeps them.
const (
	statePlanned   = "planned"
	stateAttempted = "attempted"
	stateDeleted   = "deleted"
	stateHeld      = "held"
	stateChanged   = "changed"
	stateFailed    = "failed"
)

// Errors of Apply, for errors.Is.
var (
	// ErrRunning: another process is working a run (it holds the run's lease).
	ErrRunning = errors.New("retention: another process is applying the policy now")
	// ErrStopped: the run stopped before its end (Hive unreachable, the process interrupted); it
	// resumes on the next Apply.
	ErrStopped = errors.New("retention: the run stopped before its end; applying again resumes it")
	// ErrStale: the console's copy of Hive is older than MaxLag, so no new run is planned from it.
	ErrStale = errors.New("retention: the console's copy of Hive is not fresh enough to plan deletions from")
)

// leaseTTL is how long a run's lease lasts without renewal; the worker renews it every customer.
const leaseTTL = 2 * time.Minute

// batch is how many of a run's customers are read at a time.
const batch = 100

func (a *Applier) now() time.Time {
	if a.Now != nil {
		return a.Now().UTC()
	}
	return time.Now().UTC()
}

func (a *Applier) log() *slog.Logger {
	if a.Log != nil {
		return a.Log
	}
	return slog.New(slog.DiscardHandler)
}

// Apply applies p as actor: it resumes the unfinished run if there is one (whatever p says: a run
// keeps the policy and the moment it was planned with), or plans a new one, then deletes its
// customers one by one. It returns the run with what became of its customers. ErrRunning when
// another process is working a run; ErrStopped (with the cause) when the run stopped before its
// end and will resume next time.
func (a *Applier) Apply(ctx context.Context, p Policy, actor Actor) (Run, error) {
	run, err := a.take(ctx)
	if err != nil {
		return Run{}, err
	}
	// Whether planning or resuming, the copy must be fresh: a customer's new check, not yet
	// copied, must still save them.
	if err := a.fresh(ctx); err != nil {
		if run.ID != 0 {
			a.letGo(run.ID)
		}
		return Run{}, err
	}
	if run.ID == 0 {
		if p.Off() {
			return Run{}, errors.New("retention: no policy to apply")
		}
		if run, err = a.start(ctx, p, actor); err != nil {
			return Run{}, err
		}
	}
	policy, err := ParsePolicy(run.Policy)
	if err != nil {
		return run, fmt.Errorf("retention: run %d's policy: %w", run.ID, err)
	}
	if err := a.work(ctx, &run, policy, actor); err != nil {
		a.letGo(run.ID)
		return run, fmt.Errorf("%w: %w", ErrStopped, err)
	}
	return a.finish(ctx, run, actor)
}

// fresh refuses a copy of Hive synced longer ago than MaxLag.
func (a *Applier) fresh(ctx context.Context) error {
	if a.MaxLag == 0 {
		return nil
	}
	st, err := a.Copy.Status(ctx)
	if err != nil {
		return err
	}
	if st.SyncedAt.IsZero() {
		return fmt.Errorf("%w: it has never been synced", ErrStale)
	}
	if lag := a.now().Sub(st.SyncedAt); lag > a.MaxLag {
		return fmt.Errorf("%w: it was last synced %s ago (%s), more than %s", ErrStale, lag.Round(time.Second),
			st.SyncedAt.UTC().Format(time.RFC3339), a.MaxLag)
	}
	return nil
}

// take claims the unfinished run, if any, for this process: the zero Run when there is none,
// ErrRunning when another process holds it. One statement decides, so of two processes taking
// an expired run at once only one wins.
func (a *Applier) take(ctx context.Context) (Run, error) {
	var run Run
	var started int64
	var holder string
	var expires int64
	err := a.DB.QueryRow(ctx, `SELECT id, policy, started_by, started_at, planned, holder, expires_at
		FROM retention_runs WHERE open = 1`).Scan(&run.ID, &run.Policy, &run.StartedBy, &started, &run.Planned, &holder, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return Run{}, nil
	}
	if err != nil {
		return Run{}, fmt.Errorf("retention: find an unfinished run: %w", err)
	}
	run.Started, run.Resumed = database.FromUnix(started), true
	if ok, err := a.renew(ctx, run.ID); err != nil {
		return Run{}, err
	} else if !ok {
		return Run{}, fmt.Errorf("%w (%s, run %d)", ErrRunning, holder, run.ID)
	}
	return run, nil
}

// renew extends this process's lease on the run, or takes it when it has expired; false when
// another process holds it.
func (a *Applier) renew(ctx context.Context, runID int64) (bool, error) {
	now := a.now()
	res, err := a.DB.Exec(ctx, `UPDATE retention_runs SET holder = ?, expires_at = ?
		WHERE id = ? AND open = 1 AND (holder = ? OR expires_at < ?)`,
		a.Holder, now.Add(leaseTTL).UnixMilli(), runID, a.Holder, now.UnixMilli())
	if err != nil {
		return false, fmt.Errorf("retention: hold the run's lease: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// letGo ends this process's lease on a run it stops working, so the next Apply, here or on
// another replica, resumes it at once.
func (a *Applier) letGo(runID int64) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(context.Background()), 5*time.Second)
	defer cancel()
	if _, err := a.DB.Exec(ctx, `UPDATE retention_runs SET expires_at = 0 WHERE id = ? AND holder = ?`, runID, a.Holder); err != nil {
		a.log().Warn("retention: could not give up the run's lease; another process waits for it to expire",
			slog.Int64("run", runID), slog.Any("err", err))
	}
}

// start plans a new run: its audit row first (a trail that cannot take it stops the run before
// anything is planned), then the run and its customers in one transaction, chosen by the same
// queries as Plan, at the same moment.
func (a *Applier) start(ctx context.Context, p Policy, actor Actor) (Run, error) {
	now := a.now().Truncate(time.Second)
	run := Run{Policy: p.String(), StartedBy: actorName(actor), Started: now}
	if err := a.record(ctx, actor, audit.OutcomeAttempted, "retention.apply", "", map[string]any{"policy": run.Policy}); err != nil {
		return Run{}, err
	}
	err := a.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, a.DB.Q(`INSERT INTO retention_runs (policy, started_by, started_at, planned, open, holder, expires_at)
			VALUES (?, ?, ?, 0, 1, ?, ?) RETURNING id`), run.Policy, run.StartedBy, database.Unix(now), a.Holder,
			now.Add(leaseTTL).UnixMilli()).Scan(&run.ID); err != nil {
			return err
		}
		for _, rule := range []struct {
			name  string
			age   time.Duration
			query string
			cuts  int
		}{
			{RuleDecided, p.Decided, `SELECT ?, c.id, 'decided', 'planned'` + decidedFrom(""), 2},
			{RuleIncomplete, p.Incomplete, `SELECT ?, c.id, 'incomplete', 'planned'` + incompleteWhere(""), 1},
		} {
			if rule.age == 0 {
				continue
			}
			args := []any{run.ID}
			for range rule.cuts {
				args = append(args, database.Unix(now.Add(-rule.age)))
			}
			res, err := tx.ExecContext(ctx, a.DB.Q(`INSERT INTO retention_items (run_id, customer_id, rule, state) `+rule.query), args...)
			if err != nil {
				return fmt.Errorf("plan the %s customers: %w", rule.name, err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			run.Planned += int(n)
		}
		_, err := tx.ExecContext(ctx, a.DB.Q(`UPDATE retention_runs SET planned = ? WHERE id = ?`), run.Planned, run.ID)
		return err
	})
	if a.DB.UniqueViolation(err) {
		err = ErrRunning
	}
	if err != nil {
		a.record(ctx, actor, audit.OutcomeFailure, "retention.apply", "", map[string]any{"policy": run.Policy, "error": errorKind(err)})
		if errors.Is(err, ErrRunning) {
			return Run{}, err
		}
		return Run{}, fmt.Errorf("retention: plan a run: %w", err)
	}
	return run, nil
}

// item is one customer of a run still to work.
type item struct {
	customerID, rule, state string
}

// work deletes the run's customers not yet done, a batch at a time, renewing the lease before each.
func (a *Applier) work(ctx context.Context, run *Run, p Policy, actor Actor) error {
	after, done := "", 0
	if a.Progress != nil {
		done = a.done(ctx, run.ID) // those an interrupted run got through
	}
	for {
		items, err := a.next(ctx, run.ID, after)
		if err != nil {
			return err
		}
		if len(items) == 0 {
			return nil
		}
		for _, it := range items {
			if err := ctx.Err(); err != nil {
				return err
			}
			var ok bool
			if err := a.patiently(ctx, func() (err error) { ok, err = a.renew(ctx, run.ID); return err }); err != nil {
				return err
			} else if !ok {
				return errors.New("another process took the run over")
			}
			err := a.patiently(ctx, func() error {
				// Where a try that found the database busy left the customer.
				if err := a.DB.QueryRow(ctx, `SELECT state FROM retention_items WHERE run_id = ? AND customer_id = ?`,
					run.ID, it.customerID).Scan(&it.state); err != nil {
					return err
				}
				if it.state != statePlanned && it.state != stateAttempted {
					return nil
				}
				return a.one(ctx, run, p, actor, it)
			})
			if err != nil {
				return err
			}
			after = it.customerID
			if done++; a.Progress != nil {
				a.Progress(done, run.Planned)
			}
		}
	}
}

// done counts the run's customers worked through; 0 when it cannot be read.
func (a *Applier) done(ctx context.Context, runID int64) int {
	var n int
	if err := a.DB.QueryRow(ctx, `SELECT COUNT(*) FROM retention_items WHERE run_id = ? AND state NOT IN ('planned', 'attempted')`,
		runID).Scan(&n); err != nil {
		return 0
	}
	return n
}

// busyTries and busyWait bound how long a run waits out a database busy with other writers (on
// SQLite, a sync pass of a large copy holds the write lock for seconds at a time) before it stops.
const (
	busyTries = 6
	busyWait  = 3 * time.Second
)

// patiently runs fn, and again after a pause while it finds the database busy.
func (a *Applier) patiently(ctx context.Context, fn func() error) error {
	for try := 1; ; try++ {
		err := fn()
		if !a.DB.Busy(err) || try == busyTries {
			return err
		}
		a.log().Info("retention: the database is busy; trying again", slog.Int("try", try))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(busyWait):
		}
	}
}

// next reads the run's next customers still to work, after the given id.
func (a *Applier) next(ctx context.Context, runID int64, after string) ([]item, error) {
	rows, err := a.DB.Query(ctx, `SELECT customer_id, rule, state FROM retention_items
		WHERE run_id = ? AND state IN ('planned', 'attempted') AND customer_id > ? ORDER BY customer_id LIMIT ?`, runID, after, batch)
	if err != nil {
		return nil, fmt.Errorf("retention: read the run's customers: %w", err)
	}
	defer rows.Close()
	var out []item
	for rows.Next() {
		var it item
		if err := rows.Scan(&it.customerID, &it.rule, &it.state); err != nil {
			return nil, fmt.Errorf("retention: read the run's customers: %w", err)
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// one deletes one customer of the run. Before anything, in one transaction that queues hold
// placements (Holds.Place takes the same lock and refuses while a deletion is under way), it checks
// that no legal hold came first and that the customer is still within the rule, and marks the
// deletion attempted; its audit row goes first, so a trail that cannot take it stops the run. Then
// Hive deletes the customer (already gone counts as done), and the console erases what it holds.
// An error returned stops the run; a customer Hive refuses is marked failed and the run goes on.
func (a *Applier) one(ctx context.Context, run *Run, p Policy, actor Actor, it item) error {
	details := map[string]any{"rule": it.rule, "run": run.ID}
	if it.state == statePlanned {
		if err := a.record(ctx, actor, audit.OutcomeAttempted, "retention.delete", it.customerID, details); err != nil {
			return err
		}
		state, err := a.begin(ctx, run, p, it)
		if err != nil {
			return err
		}
		if state != stateAttempted {
			// Nothing was deleted: the attempt's outcome says why.
			a.record(ctx, actor, audit.OutcomeFailure, "retention.delete", it.customerID, with(details, "kept", state))
			return nil
		}
	}
	if _, err := a.Hive.DeleteCustomer(ctx, it.customerID); err != nil && !errors.Is(err, hive.ErrNotFound) {
		if refusedFor(err) {
			a.record(ctx, actor, audit.OutcomeFailure, "retention.delete", it.customerID, with(details, "error", errorKind(err)))
			return a.mark(ctx, run.ID, it.customerID, stateFailed, err.Error())
		}
		return fmt.Errorf("delete customer %s in Hive: %w", it.customerID, err)
	}
	// Hive may have taken a while: the run must still be ours before the console's part.
	if ok, err := a.renew(ctx, run.ID); err != nil {
		return err
	} else if !ok {
		return errors.New("another process took the run over")
	}
	checks, err := a.Copy.EraseCustomer(ctx, it.customerID)
	if err != nil {
		return err
	}
	notesErased, err := a.Notes.Erase(ctx, it.customerID, checks)
	if err != nil {
		return err
	}
	decisionsErased, err := a.Reviews.EraseNotes(ctx, it.customerID, checks)
	if err != nil {
		return err
	}
	if err := a.Trail.Shred(ctx, audit.CustomerSubject(it.customerID)); err != nil {
		return err
	}
	a.record(ctx, actor, audit.OutcomeSuccess, "retention.delete", it.customerID,
		with(with(with(details, "checks", len(checks)), "notes_erased", notesErased), "decision_notes_erased", decisionsErased))
	err = a.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, a.DB.Q(`UPDATE retention_items SET state = ?, error = NULL, done_at = ?
			WHERE run_id = ? AND customer_id = ? AND state = 'attempted'`), stateDeleted, database.Unix(a.now()), run.ID, it.customerID)
		if err != nil {
			return err
		}
		// One event per deletion, even were the customer's deletion finished twice.
		if n, err := res.RowsAffected(); err == nil && n == 1 && a.Deleted != nil {
			return a.Deleted(ctx, tx, it.customerID, it.rule, run.ID)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("retention: mark customer %s deleted: %w", it.customerID, err)
	}
	return nil
}

// begin decides, under the legal holds' lock, whether the customer's deletion goes ahead: held
// when a hold came first, changed when they are no longer within the rule at the run's moment,
// else attempted. It marks the item so.
func (a *Applier) begin(ctx context.Context, run *Run, p Policy, it item) (string, error) {
	state := stateAttempted
	err := a.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := a.DB.LockTable(ctx, tx, "legal_holds"); err != nil {
			return err
		}
		var held int
		if err := tx.QueryRowContext(ctx, a.DB.Q(`SELECT COUNT(*) FROM legal_holds WHERE customer_id = ? AND released_at IS NULL`),
			it.customerID).Scan(&held); err != nil {
			return err
		}
		if held > 0 {
			state = stateHeld
		} else {
			within, err := a.within(ctx, tx, run.Started, p, it)
			if err != nil {
				return err
			}
			if !within {
				state = stateChanged
			}
		}
		var done any
		if state != stateAttempted {
			done = database.Unix(a.now())
		}
		_, err := tx.ExecContext(ctx, a.DB.Q(`UPDATE retention_items SET state = ?, done_at = ? WHERE run_id = ? AND customer_id = ?`),
			state, done, run.ID, it.customerID)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("retention: begin deleting customer %s: %w", it.customerID, err)
	}
	return state, nil
}

// within reports whether the customer still falls under their rule at the run's moment.
func (a *Applier) within(ctx context.Context, tx *sql.Tx, at time.Time, p Policy, it item) (bool, error) {
	var query string
	var args []any
	switch it.rule {
	case RuleDecided:
		if p.Decided == 0 {
			return false, nil
		}
		cut := database.Unix(at.Add(-p.Decided))
		query, args = `SELECT c.id`+decidedFrom(` AND c.id = ?`), []any{cut, it.customerID, cut}
	case RuleIncomplete:
		if p.Incomplete == 0 {
			return false, nil
		}
		query, args = `SELECT c.id`+incompleteWhere(` AND c.id = ?`), []any{database.Unix(at.Add(-p.Incomplete)), it.customerID}
	default:
		return false, nil
	}
	var id string
	err := tx.QueryRowContext(ctx, a.DB.Q(query), args...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// mark records what became of a customer of the run.
func (a *Applier) mark(ctx context.Context, runID int64, customerID, state, why string) error {
	var errText any
	if why != "" {
		errText = why
	}
	if _, err := a.DB.Exec(ctx, `UPDATE retention_items SET state = ?, error = ?, done_at = ? WHERE run_id = ? AND customer_id = ?`,
		state, errText, database.Unix(a.now()), runID, customerID); err != nil {
		return fmt.Errorf("retention: mark customer %s %s: %w", customerID, state, err)
	}
	return nil
}

// finish closes the run with its counts and writes its summary row.
func (a *Applier) finish(ctx context.Context, run Run, actor Actor) (Run, error) {
	counts, err := a.counts(ctx, run.ID)
	if err != nil {
		return run, err
	}
	run.Deleted, run.Held, run.Changed, run.Failed = counts[stateDeleted], counts[stateHeld], counts[stateChanged], counts[stateFailed]
	run.Finished = a.now().Truncate(time.Second)
	if _, err := a.DB.Exec(ctx, `UPDATE retention_runs SET finished_at = ?, open = NULL WHERE id = ? AND open = 1`,
		database.Unix(run.Finished), run.ID); err != nil {
		return run, fmt.Errorf("retention: close run %d: %w", run.ID, err)
	}
	a.record(ctx, actor, audit.OutcomeSuccess, "retention.apply", "", map[string]any{"policy": run.Policy, "run": run.ID,
		"started": run.Started.Format(time.RFC3339), "planned": run.Planned, "deleted": run.Deleted, "held": run.Held,
		"changed": run.Changed, "failed": run.Failed})
	return run, nil
}

// counts tallies a run's customers by state.
func (a *Applier) counts(ctx context.Context, runID int64) (map[string]int, error) {
	rows, err := a.DB.Query(ctx, `SELECT state, COUNT(*) FROM retention_items WHERE run_id = ? GROUP BY state`, runID)
	if err != nil {
		return nil, fmt.Errorf("retention: count the run's customers: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return nil, err
		}
		out[state] = n
	}
	return out, rows.Err()
}

// record writes a row of the run on the trail. Rows of outcomes are best effort, as the web's are:
// the change is made or refused either way, and a row that cannot be written is only logged.
func (a *Applier) record(ctx context.Context, actor Actor, outcome, action, customerID string, details map[string]any) error {
	e := audit.Event{ActorID: actor.ID, ActorEmail: actor.Email, Role: actor.Role, Action: action, Outcome: outcome, Details: details}
	if customerID != "" {
		e.TargetType, e.TargetID = "customer", customerID
	}
	err := a.Trail.Record(context.WithoutCancel(ctx), e)
	if err != nil && outcome != audit.OutcomeAttempted {
		a.log().Warn("retention: the audit trail could not take an outcome", slog.String("action", action), slog.Any("err", err))
		return nil
	}
	if err != nil {
		return fmt.Errorf("retention: the audit trail could not be written, so nothing was deleted: %w", err)
	}
	return nil
}

// refusedFor reports whether Hive refused this one customer's deletion (the run goes on without
// them) rather than being unreachable or refusing everything (the run stops, to resume later).
func refusedFor(err error) bool {
	for _, e := range []error{hive.ErrInvalid, hive.ErrForbidden, hive.ErrConflict, hive.ErrRefused} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// errorKind names an error for the trail without its text: Hive's code, or "error".
func errorKind(err error) string {
	var he *hive.Error
	if errors.As(err, &he) {
		return string(he.Code)
	}
	if errors.Is(err, ErrRunning) {
		return "running"
	}
	return "error"
}

// actorName is how retention_runs names who started a run.
func actorName(a Actor) string {
	if a.Email != "" {
		return a.Email
	}
	return a.ID
}

// with returns a copy of m with k set to v.
func with(m map[string]any, k string, v any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for key, val := range m {
		out[key] = val
	}
	out[k] = v
	return out
}
