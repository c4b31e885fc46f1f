package readmodel

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/hiveconsole/hiveconsole/database"
)

// Period is a span of whole UTC days, both ends included: From and To are midnights.
type Period struct{ From, To time.Time }

// Days lists the period's days, oldest first.
func (p Period) Days() []time.Time {
	var out []time.Time
	for d := p.From; !d.After(p.To); d = d.AddDate(0, 0, 1) {
		out = append(out, d)
	}
	return out
}

// end is the first instant after the period.
func (p Period) end() time.Time { return p.To.AddDate(0, 0, 1) }

func dayNumber(t time.Time) int64 { return database.Unix(t) / 86400 }

// CheckDays are the checks of a period by day: started (created, whatever became of them) and
// completed, by the result the lists show. Each slice has one value per day of the period.
type CheckDays struct {
	Days      []time.Time
	Started   []int
	Completed map[string][]int // clear, caution, consider, unknown
}

// CompletedResults are the results a completed check can show, most severe last.
var CompletedResults = []string{"clear", "caution", "unknown", "consider"}

// CheckDays reads the period's started checks from the daily tallies of the lists and its
// completed ones from insight_days: a few rows a day, whatever the number of checks.
func (s *Store) CheckDays(ctx context.Context, p Period) (CheckDays, error) {
	out := CheckDays{Days: p.Days(), Completed: map[string][]int{}}
	out.Started = make([]int, len(out.Days))
	for _, r := range CompletedResults {
		out.Completed[r] = make([]int, len(out.Days))
	}
	first, last := dayNumber(p.From), dayNumber(p.To)
	rows, err := s.db.Query(ctx, `SELECT day, 'started', live FROM hive_tallies WHERE kind = 'checks' AND day BETWEEN ? AND ?
		UNION ALL SELECT day, value, n FROM insight_days WHERE kind = 'result' AND day BETWEEN ? AND ?`, first, last, first, last)
	if err != nil {
		return out, fmt.Errorf("readmodel: checks by day: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var day int64
		var what string
		var n int
		if err := rows.Scan(&day, &what, &n); err != nil {
			return out, fmt.Errorf("readmodel: checks by day: %w", err)
		}
		i := int(day - first)
		switch {
		case what == "started":
			out.Started[i] += n
		case out.Completed[what] != nil:
			out.Completed[what][i] += n
		default: // a result the lists do not show completed (processing): not a completion
		}
	}
	return out, rows.Err()
}

// PathCount is how many completed checks of a period did not clear one sub-check.
type PathCount struct {
	Path string
	N    int
}

// TopConcerns lists the sub-checks the period's completed checks most often did not clear, most
// frequent first (then by path), at most limit.
func (s *Store) TopConcerns(ctx context.Context, p Period, limit int) ([]PathCount, error) {
	rows, err := s.db.Query(ctx, `SELECT value, CAST(sum(n) AS BIGINT) FROM insight_days
		WHERE kind = 'concern' AND day BETWEEN ? AND ? GROUP BY value HAVING sum(n) > 0
		ORDER BY sum(n) DESC, value LIMIT ?`, dayNumber(p.From), dayNumber(p.To), limit)
	if err != nil {
		return nil, fmt.Errorf("readmodel: frequent sub-checks: %w", err)
	}
	defer rows.Close()
	out := []PathCount{}
	for rows.Next() {
		var c PathCount
		if err := rows.Scan(&c.Path, &c.N); err != nil {
			return nil, fmt.Errorf("readmodel: frequent sub-checks: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Decisions are reviewers' decisions recorded in a period.
type Decisions struct {
	// Versus counts final decisions by Hive's decision on the check ("approved", "review",
	// "declined", or "" when Hive gave none) and the reviewer's ("approve", "reject", "resubmit").
	Versus map[string]map[string]int
	// Overruled counts the final decisions that went against Hive's: a rejection of a check Hive
	// approved, an approval of one it declined; Overrulable those on checks Hive approved or declined.
	Overruled, Overrulable int
	// Waits are the times from each check's completion to its first final decision, for the checks
	// first decided in the period, shortest first. Versus and Waits take the check as the copy held
	// it when the decision was recorded.
	Waits []time.Duration
	// Reviewers lists who decided what, every decision counted (a first approval and a dispute too),
	// most decisions first.
	Reviewers []ReviewerDecisions
}

// ReviewerDecisions is one reviewer's decisions in a period.
type ReviewerDecisions struct {
	ID, Email                 string
	Approve, Reject, Resubmit int
	FourEyes                  int // of them, first approvals and disputes
}

// Total is the reviewer's decisions of every kind.
func (r ReviewerDecisions) Total() int { return r.Approve + r.Reject + r.Resubmit }

// Overrules says which reviewer's decision goes against Hive's decision: rejecting what it approved,
// approving what it declined; ok is false for a Hive decision no reviewer's overrules.
func Overrules(hiveDecision string) (against string, ok bool) {
	switch hiveDecision {
	case "approved":
		return "reject", true
	case "declined":
		return "approve", true
	}
	return "", false
}

// Decisions reads the decisions of the period, only reviewer's when reviewer is not empty, from the
// tallies a trigger keeps as each decision is recorded: a few rows a day and reviewer, and one
// duration a decided check. A reviewer is named by their email now (users are never deleted).
func (s *Store) Decisions(ctx context.Context, p Period, reviewer string) (Decisions, error) {
	out := Decisions{Versus: map[string]map[string]int{}}
	args := []any{dayNumber(p.From), dayNumber(p.To)}
	mine := ""
	if reviewer != "" {
		mine = " AND reviewer_id = ?"
		args = append(args, reviewer)
	}
	rows, err := s.db.Query(ctx, `SELECT d.reviewer_id, COALESCE(u.email, ''), d.hive_decision, d.decision, d.stage, d.n
		FROM (SELECT reviewer_id, hive_decision, decision, stage, CAST(sum(n) AS BIGINT) AS n FROM insight_decisions
			WHERE day BETWEEN ? AND ?`+mine+` GROUP BY reviewer_id, hive_decision, decision, stage) d
		LEFT JOIN users u ON u.id = d.reviewer_id`, args...)
	if err != nil {
		return out, fmt.Errorf("readmodel: decisions: %w", err)
	}
	defer rows.Close()
	by := map[string]*ReviewerDecisions{}
	for rows.Next() {
		var id, email, hd, decision, stage string
		var n int
		if err := rows.Scan(&id, &email, &hd, &decision, &stage, &n); err != nil {
			return out, fmt.Errorf("readmodel: decisions: %w", err)
		}
		r := by[id]
		if r == nil {
			r = &ReviewerDecisions{ID: id, Email: email}
			by[id] = r
		}
		switch decision {
		case "approve":
			r.Approve += n
		case "reject":
			r.Reject += n
		default:
			r.Resubmit += n
		}
		if stage != "final" {
			r.FourEyes += n
			continue
		}
		if out.Versus[hd] == nil {
			out.Versus[hd] = map[string]int{}
		}
		out.Versus[hd][decision] += n
		if against, ok := Overrules(hd); ok {
			out.Overrulable += n
			if decision == against {
				out.Overruled += n
			}
		}
	}
	if err := rows.Err(); err != nil {
		return out, err
	}
	for _, r := range by {
		out.Reviewers = append(out.Reviewers, *r)
	}
	slices.SortFunc(out.Reviewers, func(a, b ReviewerDecisions) int {
		if a.Total() != b.Total() {
			return b.Total() - a.Total()
		}
		return strings.Compare(a.Email, b.Email)
	})
	waits, err := s.db.Query(ctx, `SELECT seconds FROM insight_waits WHERE day BETWEEN ? AND ?`+mine+` ORDER BY seconds`, args...)
	if err != nil {
		return out, fmt.Errorf("readmodel: decision times: %w", err)
	}
	defer waits.Close()
	for waits.Next() {
		var sec int64
		if err := waits.Scan(&sec); err != nil {
			return out, fmt.Errorf("readmodel: decision times: %w", err)
		}
		out.Waits = append(out.Waits, time.Duration(sec)*time.Second)
	}
	return out, waits.Err()
}

// Percentile is the nearest-rank percentile of sorted values: the smallest value at least q of
// them do not exceed. It is 0 for no values.
func Percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// QueuePoint is the review queue as it stood at one hour.
type QueuePoint struct {
	At               time.Time
	Waiting, Overdue int
}

// SnapshotQueue records the review queue's size and overdue count under rule and targets for the
// hour of now, unless a replica did already.
func (s *Store) SnapshotQueue(ctx context.Context, rule QueueRule, targets ServiceTimes, now time.Time) error {
	hour := database.Unix(now.Truncate(time.Hour))
	var taken int
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM insight_queue WHERE hour = ?`, hour).Scan(&taken); err != nil {
		return fmt.Errorf("readmodel: queue snapshot: %w", err)
	}
	if taken > 0 {
		return nil
	}
	cond, args := s.queueCondition(rule)
	waiting, err := s.count(ctx, `SELECT count(*) FROM hive_checks c WHERE c.deleted_at IS NULL`+cond, args...)
	if err != nil {
		return fmt.Errorf("readmodel: queue snapshot: %w", err)
	}
	times, err := s.QueueTimes(ctx, rule, targets, now)
	if err != nil {
		return fmt.Errorf("readmodel: queue snapshot: %w", err)
	}
	_, err = s.db.Exec(ctx, `INSERT INTO insight_queue (hour, taken_at, waiting, overdue) VALUES (?, ?, ?, ?)
		ON CONFLICT (hour) DO NOTHING`, hour, database.Unix(now), waiting, times.Overdue)
	if err != nil {
		return fmt.Errorf("readmodel: queue snapshot: %w", err)
	}
	return nil
}

// QueueHistory lists the queue's hourly snapshots taken in the period, oldest first.
func (s *Store) QueueHistory(ctx context.Context, p Period) ([]QueuePoint, error) {
	rows, err := s.db.Query(ctx, `SELECT hour, waiting, overdue FROM insight_queue WHERE hour >= ? AND hour < ? ORDER BY hour`,
		database.Unix(p.From), database.Unix(p.end()))
	if err != nil {
		return nil, fmt.Errorf("readmodel: queue history: %w", err)
	}
	defer rows.Close()
	out := []QueuePoint{}
	for rows.Next() {
		var q QueuePoint
		var at int64
		if err := rows.Scan(&at, &q.Waiting, &q.Overdue); err != nil {
			return nil, fmt.Errorf("readmodel: queue history: %w", err)
		}
		q.At = database.FromUnix(at)
		out = append(out, q)
	}
	return out, rows.Err()
}
