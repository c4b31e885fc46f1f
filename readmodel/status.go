package readmodel

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/hiveconsole/hiveconsole/database"
)

// State is how the copy stands, for the sync-status badge every list page shows.
type State string

// The states: the first pass has not completed; the last pass completed; the last attempt failed
// (the data of the last complete pass is still served).
const (
	StateSyncing State = "syncing"
	StateReady   State = "ready"
	StateFailing State = "failing"
)

// KindStatus is one kind's sync.
type KindStatus struct {
	Kind        Kind
	Rows        int64     // rows in the last complete pass
	PassRows    int64     // rows read so far by the pass in progress (the last one when none is)
	CompletedAt time.Time // zero before the first complete pass
	Duration    time.Duration
	Error       string // the last failure, "" since a pass completed
	ErrorAt     time.Time
	Failures    int
}

// Status is the whole copy's.
type Status struct {
	State State
	// SyncedAt is when the oldest of the lists last completed a pass: the copy is at least that fresh.
	SyncedAt time.Time
	Error    string // the newest failure's words, when failing
	// Read and Expected give the first sync's progress: rows read so far and rows the last pass
	// read (0 before any), per list.
	Read, Expected int64
	Kinds          []KindStatus
}

// Status reads how the sync stands.
func (s *Store) Status(ctx context.Context) (Status, error) {
	rows, err := s.db.Query(ctx, `SELECT kind, rows, pass_rows, completed_at, duration_ms, error, error_at, failures
		FROM sync_state ORDER BY kind`)
	if err != nil {
		return Status{}, fmt.Errorf("readmodel: sync status: %w", err)
	}
	defer rows.Close()
	st := Status{State: StateReady}
	incomplete, failing := false, false
	for rows.Next() {
		var k KindStatus
		var kind string
		var completed, errAt, ms sql.NullInt64
		var msg sql.NullString
		if err := rows.Scan(&kind, &k.Rows, &k.PassRows, &completed, &ms, &msg, &errAt, &k.Failures); err != nil {
			return Status{}, err
		}
		k.Kind, k.Error = Kind(kind), msg.String
		k.CompletedAt, k.ErrorAt = database.FromNullUnix(completed), database.FromNullUnix(errAt)
		k.Duration = time.Duration(ms.Int64) * time.Millisecond
		st.Kinds = append(st.Kinds, k)
		if k.Kind == Reports {
			continue // summaries fill in behind the lists; they do not make the lists stale
		}
		if k.CompletedAt.IsZero() {
			incomplete = true
		} else if st.SyncedAt.IsZero() || k.CompletedAt.Before(st.SyncedAt) {
			st.SyncedAt = k.CompletedAt
		}
		if k.Error != "" { // a complete pass clears it
			failing, st.Error = true, k.Error
		}
		st.Read += k.PassRows
		st.Expected += k.Rows
	}
	if err := rows.Err(); err != nil {
		return Status{}, err
	}
	switch {
	case failing:
		st.State = StateFailing
	case incomplete:
		st.State, st.SyncedAt = StateSyncing, time.Time{}
	}
	return st, nil
}
