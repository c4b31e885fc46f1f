package views

import (
	"strings"
	"testing"
	"time"
)

// TestSyncBadge: the badge names its state for machines and people — how long ago the copy was
// complete, the first sync's progress with a bar, or the kind of failure and how old the shown data
// is — and escapes the error text.
func TestSyncBadge(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		s     SyncStatus
		words []string
		bar   string // the progress bar's value; "" when none is wanted
	}{
		{SyncStatus{State: "ready", SyncedAt: now.Add(-40 * time.Second), Now: now}, []string{"synced 40 s ago"}, ""},
		{SyncStatus{State: "ready", SyncedAt: now.Add(-5 * time.Minute), Now: now}, []string{"synced 5 min ago"}, ""},
		{SyncStatus{State: "syncing", Read: 250, Expected: 1000, Now: now}, []string{"250 rows so far"}, "25"},
		{SyncStatus{State: "failing", SyncedAt: now.Add(-2 * time.Minute), Error: "Hive stopped sending the list <b>", Now: now},
			[]string{"Sync failing (Hive stopped sending the list <b>)", "synced 2 min ago", "Retrying"}, ""},
	}
	for _, tt := range tests {
		doc := renderDoc(t, SyncBadge(tt.s))
		badge := doc.Find(`[data-testid="sync-status"]`)
		if badge.Length() != 1 || badge.AttrOr("data-state", "") != tt.s.State {
			t.Fatalf("%s: badge %d, state %q", tt.s.State, badge.Length(), badge.AttrOr("data-state", ""))
		}
		text := strings.Join(strings.Fields(badge.Text()), " ")
		for _, w := range tt.words {
			if !strings.Contains(text, w) {
				t.Errorf("%s: %q lacks %q", tt.s.State, text, w)
			}
		}
		if got := badge.Find("progress").AttrOr("value", ""); got != tt.bar {
			t.Errorf("%s: progress %q, want %q", tt.s.State, got, tt.bar)
		}
		if badge.Find("b").Length() != 0 {
			t.Errorf("%s: the error text became markup", tt.s.State)
		}
		if !tt.s.SyncedAt.IsZero() && badge.AttrOr("data-synced-at", "") != tt.s.SyncedAt.Format("2006-01-02T15:04:05Z") {
			t.Errorf("%s: data-synced-at %q", tt.s.State, badge.AttrOr("data-synced-at", ""))
		}
	}
}
