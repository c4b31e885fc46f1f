package readmodel

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hiveconsole/hiveconsole/database"
)

// QueueRule says which completed checks nobody has decided on wait for a reviewer: those whose
// report's result is one of Results, and a share of those Hive cleared (SampleClear percent, chosen
// by the check's id, so the same checks are sampled on every replica and every day) for someone to
// re-read what Hive let through.
type QueueRule struct {
	Results     []string
	SampleClear int // 0–100
}

// DefaultQueueRule queues what Hive did not clear.
var DefaultQueueRule = QueueRule{Results: []string{"caution", "consider"}}

// queueResults are the results a rule may name: a report's, or "unknown" for a completed check whose
// report has not been read yet.
var queueResults = []string{"clear", "caution", "consider", "unknown"}

// ParseQueueResults reads a comma-separated list of results ("caution,consider").
func ParseQueueResults(v string) ([]string, error) {
	var out []string
	for _, r := range strings.Split(v, ",") {
		r = strings.ToLower(strings.TrimSpace(r))
		if r == "" {
			continue
		}
		if !slices.Contains(queueResults, r) {
			return nil, fmt.Errorf("%q is not a result: want some of %s", r, strings.Join(queueResults, ", "))
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("name at least one result: some of %s", strings.Join(queueResults, ", "))
	}
	return out, nil
}

// ParseSample reads a percentage from 0 to 100.
func ParseSample(v string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), "%"))
	if err != nil || n < 0 || n > 100 {
		return 0, fmt.Errorf("want a percentage from 0 to 100, got %q", v)
	}
	return n, nil
}

// SampleBucket is where a check falls in the sample of cleared checks, 0–99: read from the last two
// hex digits of its id, which are random in Hive's ids. A check is sampled when its bucket is below
// the percentage.
func SampleBucket(id string) int {
	if len(id) < 2 {
		return 99
	}
	h := func(c byte) int { return strings.IndexByte("0123456789abcdef", c|0x20) }
	hi, lo := h(id[len(id)-2]), h(id[len(id)-1])
	if hi < 0 || lo < 0 {
		return 99
	}
	return (hi*16 + lo) * 100 / 256
}

// queueRanks are the results as result_rank holds them for completed checks: the queue's index is
// in that order, so a condition on the rank is answered by the index alone.
var queueRanks = map[string]int{"clear": 0, "caution": 1, "unknown": 2, "consider": 3}

// queueCondition is the WHERE clause (after "c.deleted_at IS NULL") of the review queue under rule.
func (s *Store) queueCondition(rule QueueRule) (string, []any) {
	if len(rule.Results) == 0 {
		rule = DefaultQueueRule
	}
	var ranks []any
	for _, r := range rule.Results {
		ranks = append(ranks, queueRanks[r])
	}
	cond := "c.result_rank IN (" + database.Placeholders(len(ranks)) + ")"
	args := ranks
	if rule.SampleClear > 0 && !slices.Contains(rule.Results, "clear") {
		cond += " OR (c.result_rank = 0 AND " + s.sampleBucket() + " < ?)"
		args = append(args, rule.SampleClear)
	}
	return waiting + bothFlags + " AND (" + cond + ")", args
}

// bothFlags is always true: it names the queue index's second column, so that SQLite, which keeps
// no statistics of these tables, counts the queue from that index alone rather than reading every
// row of the results' index.
const bothFlags = " AND c.linked_rejected IN (FALSE, TRUE)"

// ServiceTimes are the targets for deciding a queued check, per report result ("consider" → 4h),
// measured from the check's completion. A result without one has no target.
type ServiceTimes map[string]time.Duration

// DefaultServiceTimes decide the most severe results first.
var DefaultServiceTimes = ServiceTimes{"consider": 4 * time.Hour, "caution": 24 * time.Hour, "unknown": 24 * time.Hour,
	"clear": 72 * time.Hour}

// ParseServiceTimes reads targets as result=duration pairs: "consider=4h,caution=24h". "none" sets no
// target.
func ParseServiceTimes(v string) (ServiceTimes, error) {
	out := ServiceTimes{}
	if strings.TrimSpace(strings.ToLower(v)) == "none" {
		return out, nil
	}
	for entry := range strings.SplitSeq(v, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		result, d, _ := strings.Cut(entry, "=")
		result = strings.ToLower(strings.TrimSpace(result))
		if !slices.Contains(queueResults, result) {
			return nil, fmt.Errorf("%q: %q is not a result: want some of %s", entry, result, strings.Join(queueResults, ", "))
		}
		dur, err := time.ParseDuration(strings.TrimSpace(d))
		if err != nil || dur < time.Minute {
			return nil, fmt.Errorf("%q: want result=duration of at least 1m, like consider=4h", entry)
		}
		out[result] = dur
	}
	if len(out) == 0 {
		return nil, errors.New(`give result=duration entries ("consider=4h,caution=24h"), or none`)
	}
	return out, nil
}

// String is the targets in the form ParseServiceTimes reads, most severe result first.
func (t ServiceTimes) String() string {
	var parts []string
	for _, r := range []string{"consider", "unknown", "caution", "clear"} {
		if d, ok := t[r]; ok {
			parts = append(parts, r+"="+strings.TrimSuffix(strings.TrimSuffix(d.String(), "0s"), "0m"))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ",")
}

// Due is when a check completed at completed with this result should be decided by; ok is false
// when the result has no target.
func (t ServiceTimes) Due(result string, completed time.Time) (time.Time, bool) {
	d, ok := t[result]
	return completed.Add(d), ok
}

// queuePart is the review queue's checks of one result: its rank (which leads the queue's index)
// and, for the sample of cleared checks, the condition that samples them.
type queuePart struct {
	result string
	rank   int
	cond   string
	args   []any
}

// queueParts splits the queue under rule by result, each part read in the index's order.
func (s *Store) queueParts(rule QueueRule) []queuePart {
	if len(rule.Results) == 0 {
		rule = DefaultQueueRule
	}
	var parts []queuePart
	for _, r := range rule.Results {
		parts = append(parts, queuePart{result: r, rank: queueRanks[r]})
	}
	if rule.SampleClear > 0 && !slices.Contains(rule.Results, "clear") {
		parts = append(parts, queuePart{result: "clear", rank: 0, cond: " AND " + s.sampleBucket() + " < ?", args: []any{rule.SampleClear}})
	}
	return parts
}

// sampleBucket is SampleBucket in SQL: the last two hex digits of the id.
func (s *Store) sampleBucket() string {
	find := "instr('0123456789abcdef', substr(lower(c.id), length(c.id) - %d, 1))"
	if s.db.Postgres() {
		find = "strpos('0123456789abcdef', substr(lower(c.id), length(c.id) - %d, 1))"
	}
	return "((" + fmt.Sprintf(find, 1) + " - 1) * 16 + " + fmt.Sprintf(find, 0) + " - 1) * 100 / 256"
}

// waiting is the condition every queued check meets, after "c.deleted_at IS NULL".
const waiting = " AND c.status = 'complete' AND NOT c.reviewed"

// queuePage reads one page of the review queue by service time: the overdue checks first, then those
// on time, then those whose result has no target; within each band the checks linked to a rejected
// customer first, and then the one due first. Within one result the due time follows completion,
// which the queue's index orders after the result and the flag, so each result's band and flag is
// one range of the index, read in order up to the page's end, and the ranges are merged: a page
// reads at most parts × 4 × (offset + limit) rows whatever the queue's size, and deep pages read
// from the end.
func (s *Store) queuePage(ctx context.Context, q CheckQuery, page CheckPage) (CheckPage, error) {
	rest := q
	rest.Queue = false
	filter, filterArgs := s.checkFilter(ctx, rest)
	order := func(of string) string {
		return strings.ReplaceAll("%band ASC, %flag DESC, %due ASC, %upd ASC, %o ASC", "%", of)
	}
	w := window(page.Total, q.Offset, q.Limit, order(""))
	outer := order("pg.")
	if w.reversed {
		outer = reverse(outer)
	}
	if w.limit <= 0 {
		return page, nil
	}
	dir := "ASC"
	if w.reversed {
		dir = "DESC"
	}
	now := q.Now
	if now.IsZero() {
		now = s.now()
	}
	var subs []string
	var args []any
	for _, p := range s.queueParts(q.Rule) {
		// A part's bands: overdue and on time when its result has a target, else one band last.
		type band struct {
			n    int
			cond string
			args []any
		}
		due := "CAST(NULL AS BIGINT)"
		bands := []band{{n: 2}}
		if d, ok := q.Targets[p.result]; ok {
			due = fmt.Sprintf("c.updated_at + %d", int64(d/time.Second))
			cut := database.Unix(now.Add(-d))
			bands = []band{{0, " AND c.updated_at < ?", []any{cut}}, {1, " AND c.updated_at >= ?", []any{cut}}}
		}
		for _, b := range bands {
			for _, flag := range []int{1, 0} {
				// Compared with a constant, so that the index's second column narrows the range.
				linked := " AND c.linked_rejected = TRUE"
				if flag == 0 {
					linked = " AND c.linked_rejected = FALSE"
				}
				subs = append(subs, fmt.Sprintf(`SELECT * FROM (SELECT c.id AS qid, %d AS band, %d AS flag, %s AS due, c.updated_at AS upd,
					c.ord AS o FROM hive_checks c WHERE c.deleted_at IS NULL%s AND c.result_rank = %d%s%s%s%s
					ORDER BY c.updated_at %s, c.ord %s LIMIT %d) q%d`,
					b.n, flag, due, waiting, p.rank, linked, b.cond, p.cond, filter, dir, dir, w.offset+w.limit, len(subs)))
				args = append(append(append(args, b.args...), p.args...), filterArgs...)
			}
		}
	}
	// The page is chosen on the checks' own columns; only its rows are joined with their customers.
	rows, err := s.db.Query(ctx, `SELECT `+checkSelect+`, pg.band, pg.flag, pg.due, pg.upd, pg.o FROM (
		SELECT * FROM (`+strings.Join(subs, " UNION ALL ")+`) u ORDER BY `+w.order+` LIMIT ? OFFSET ?) pg
		JOIN hive_checks c ON c.id = pg.qid LEFT JOIN hive_customers cu ON cu.id = c.customer_id
		ORDER BY `+outer, append(args, w.limit, w.offset)...)
	if err != nil {
		return CheckPage{}, fmt.Errorf("readmodel: review queue: %w", err)
	}
	defer rows.Close()
	page.Rows = []CheckEntry{}
	for rows.Next() {
		var due sql.NullInt64
		var band, flag, upd, ord int64
		e, err := scanCheck(withExtra{rows, []any{&band, &flag, &due, &upd, &ord}})
		if err != nil {
			return CheckPage{}, err
		}
		page.Rows = append(page.Rows, e)
	}
	if w.reversed {
		slices.Reverse(page.Rows)
	}
	return page, rows.Err()
}

// withExtra scans a row whose last columns are extra: into extra.
type withExtra struct {
	rows  *sql.Rows
	extra []any
}

func (w withExtra) Scan(dest ...any) error { return w.rows.Scan(append(dest, w.extra...)...) }

// QueueTimes is how the review queue stands against its service times: how many checks are past
// their target, and when the check waiting longest completed (zero when none waits).
type QueueTimes struct {
	Overdue int
	Oldest  time.Time
}

// QueueTimes counts the queue's late checks under rule and targets at now, part by part along the
// queue's index; the counts are reused for a few seconds like the others.
func (s *Store) QueueTimes(ctx context.Context, rule QueueRule, targets ServiceTimes, now time.Time) (QueueTimes, error) {
	var out QueueTimes
	for _, p := range s.queueParts(rule) {
		base := ` FROM hive_checks c WHERE c.deleted_at IS NULL` + waiting + fmt.Sprintf(" AND c.result_rank = %d", p.rank) + bothFlags + p.cond
		if d, ok := targets[p.result]; ok {
			// Whole minutes, so that the count is reused across a few requests.
			late := now.Add(-d).Truncate(time.Minute)
			n, err := s.count(ctx, `SELECT count(*)`+base+` AND c.updated_at < ?`, append(slices.Clone(p.args), database.Unix(late))...)
			if err != nil {
				return out, fmt.Errorf("readmodel: overdue checks: %w", err)
			}
			out.Overdue += n
		}
		// The oldest of each flag's range: the index orders each by completion.
		var oldest sql.NullInt64
		one := `SELECT o FROM (SELECT c.updated_at AS o` + strings.Replace(base, bothFlags, " AND c.linked_rejected = %s", 1) +
			` ORDER BY c.updated_at LIMIT 1) %s`
		err := s.db.QueryRow(ctx, `SELECT min(o) FROM (`+fmt.Sprintf(one, "FALSE", "f")+` UNION ALL `+fmt.Sprintf(one, "TRUE", "t")+`) oldest`,
			append(slices.Clone(p.args), p.args...)...).Scan(&oldest)
		if err != nil {
			return out, fmt.Errorf("readmodel: oldest waiting check: %w", err)
		}
		if t := database.FromUnix(oldest.Int64); oldest.Valid && (out.Oldest.IsZero() || t.Before(out.Oldest)) {
			out.Oldest = t
		}
	}
	return out, nil
}
