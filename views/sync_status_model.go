package views

import (
	"fmt"
	"time"
)

// SyncStatus is how fresh the console's copy of Hive is, shown on every list page and the overview.
type SyncStatus struct {
	State    string    // syncing, ready or failing
	SyncedAt time.Time // the last complete pass; zero before the first
	Error    string    // what kind of failure, when failing
	Read     int64     // rows read so far by the first sync
	Expected int64     // rows to read, when known (0 before any complete pass)
	Now      time.Time
}

// SyncedAgo says when the copy was last complete: "synced 40 s ago", "synced 5 min ago".
func (s SyncStatus) SyncedAgo() string {
	if s.SyncedAt.IsZero() {
		return "not synced yet"
	}
	if d := s.Now.Sub(s.SyncedAt); d >= 0 && d < time.Minute {
		return fmt.Sprintf("synced %d s ago", int(d.Seconds()))
	}
	return "synced " + Ago(s.Now, s.SyncedAt)
}

// Percent is the first sync's progress, 0–100, or -1 when the total is not known yet.
func (s SyncStatus) Percent() int {
	if s.Expected <= 0 {
		return -1
	}
	return int(min(100, s.Read*100/s.Expected))
}
