package readmodel

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
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
	cond := "c.result_rank IN (" + placeholders(len(ranks)) + ")"
	args := ranks
	if rule.SampleClear > 0 && !slices.Contains(rule.Results, "clear") {
		// The bucket of SampleBucket, in SQL: the last two hex digits of the id.
		find := "instr('0123456789abcdef', substr(lower(c.id), length(c.id) - %d, 1))"
		if s.db.Postgres() {
			find = "strpos('0123456789abcdef', substr(lower(c.id), length(c.id) - %d, 1))"
		}
		bucket := "((" + fmt.Sprintf(find, 1) + " - 1) * 16 + " + fmt.Sprintf(find, 0) + " - 1) * 100 / 256"
		cond += " OR (c.result_rank = 0 AND " + bucket + " < ?)"
		args = append(args, rule.SampleClear)
	}
	return " AND c.status = 'complete' AND NOT c.reviewed AND (" + cond + ")", args
}
