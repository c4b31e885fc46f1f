package retention

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hiveconsole/hiveconsole/database"
)

// Due reports whether a scheduled run is due: an unfinished run is waiting to be resumed, or no run
// started within every.
func (a *Applier) Due(ctx context.Context, every time.Duration) (bool, error) {
	var open int
	var last sql.NullInt64
	if err := a.DB.QueryRow(ctx, `SELECT COUNT(open), MAX(started_at) FROM retention_runs`).Scan(&open, &last); err != nil {
		return false, fmt.Errorf("retention: read the runs: %w", err)
	}
	if open > 0 || !last.Valid {
		return true, nil
	}
	return a.now().Sub(database.FromUnix(last.Int64)) >= every, nil
}

// Schedule is serve's schedule: every check it asks whether a run is due (see Due) and applies p
// when one is, as ScheduleActor, until ctx ends. Replicas may all run it: one process works a run
// at a time, and the others find it running or recently done.
func (a *Applier) Schedule(ctx context.Context, p Policy, every, check time.Duration) {
	t := time.NewTicker(check)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		due, err := a.Due(ctx, every)
		if err != nil {
			a.log().Warn("retention schedule", slog.Any("err", err))
			continue
		}
		if !due {
			continue
		}
		run, err := a.Apply(ctx, p, ScheduleActor)
		switch {
		case errors.Is(err, ErrRunning):
		case err != nil:
			a.log().Warn("retention schedule: the run did not finish", slog.Int64("run", run.ID), slog.Any("err", err))
		default:
			a.log().Info("retention schedule: run finished", slog.Int64("run", run.ID), slog.String("policy", run.Policy),
				slog.Int("deleted", run.Deleted), slog.Int("held", run.Held), slog.Int("changed", run.Changed), slog.Int("failed", run.Failed))
		}
	}
}

// Runs lists the newest retention runs first, at most limit, with what became of their customers.
func (pl *Planner) Runs(ctx context.Context, limit int) ([]Run, error) {
	return Runs(ctx, pl.db, limit)
}

// Runs lists db's newest retention runs first, at most limit, with what became of their customers.
func Runs(ctx context.Context, db *database.DB, limit int) ([]Run, error) {
	rows, err := db.Query(ctx, `SELECT r.id, r.policy, r.started_by, r.started_at, r.finished_at, r.planned,
		COALESCE(SUM(CASE WHEN i.state = 'deleted' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN i.state = 'held' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN i.state = 'changed' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN i.state = 'failed' THEN 1 ELSE 0 END), 0)
		FROM retention_runs r LEFT JOIN retention_items i ON i.run_id = r.id
		WHERE r.id IN (SELECT id FROM retention_runs ORDER BY id DESC LIMIT ?)
		GROUP BY r.id, r.policy, r.started_by, r.started_at, r.finished_at, r.planned ORDER BY r.id DESC`, limit)
	if err != nil {
		return nil, fmt.Errorf("retention: list runs: %w", err)
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		var r Run
		var started int64
		var finished sql.NullInt64
		if err := rows.Scan(&r.ID, &r.Policy, &r.StartedBy, &started, &finished, &r.Planned, &r.Deleted, &r.Held, &r.Changed, &r.Failed); err != nil {
			return nil, fmt.Errorf("retention: list runs: %w", err)
		}
		r.Started = database.FromUnix(started)
		if finished.Valid {
			r.Finished = database.FromUnix(finished.Int64)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
