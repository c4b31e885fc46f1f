package retention

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hiveconsole/hiveconsole/database"
)

// Policy is HIVECONSOLE_RETENTION: after how long the console deletes a customer. A zero rule is off.
type Policy struct {
	// Decided: customers every one of whose checks is settled (complete, and approved or rejected by
	// a reviewer, or approved or declined by Hive), the newest settled longer ago than this.
	Decided time.Duration
	// Incomplete: customers without a completed check, created longer ago than this.
	Incomplete time.Duration
}

// The rules' names, as the setting and the plan name them.
const (
	RuleDecided    = "decided"
	RuleIncomplete = "incomplete"
)

const day = 24 * time.Hour

// ParsePolicy reads the setting: rules separated by commas, each name=age, the age in days ("90d")
// or years of 365 days ("5y"); "" or "off" is no policy. For example "decided=5y,incomplete=90d".
func ParsePolicy(s string) (Policy, error) {
	var p Policy
	s = strings.TrimSpace(s)
	if s == "" || s == "off" {
		return p, nil
	}
	for _, part := range strings.Split(s, ",") {
		name, age, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return Policy{}, fmt.Errorf("%q: want rule=age, such as decided=5y or incomplete=90d", part)
		}
		d, err := parseAge(strings.TrimSpace(age))
		if err != nil {
			return Policy{}, fmt.Errorf("%s: %w", name, err)
		}
		switch strings.TrimSpace(name) {
		case RuleDecided:
			p.Decided = d
		case RuleIncomplete:
			p.Incomplete = d
		default:
			return Policy{}, fmt.Errorf("unknown rule %q: the rules are %s and %s", name, RuleDecided, RuleIncomplete)
		}
	}
	return p, nil
}

func parseAge(s string) (time.Duration, error) {
	unit := day
	switch {
	case strings.HasSuffix(s, "d"):
		s = strings.TrimSuffix(s, "d")
	case strings.HasSuffix(s, "y"):
		s, unit = strings.TrimSuffix(s, "y"), 365*day
	default:
		return 0, fmt.Errorf("%q: give days (90d) or years (5y)", s)
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 100*365 {
		return 0, fmt.Errorf("%q: a whole number of days or years, at least 1", s)
	}
	return time.Duration(n) * unit, nil
}

// Off reports whether the policy deletes nobody.
func (p Policy) Off() bool { return p.Decided == 0 && p.Incomplete == 0 }

// String writes the policy as the setting takes it, ages in days.
func (p Policy) String() string {
	var parts []string
	if p.Decided > 0 {
		parts = append(parts, fmt.Sprintf("%s=%dd", RuleDecided, p.Decided/day))
	}
	if p.Incomplete > 0 {
		parts = append(parts, fmt.Sprintf("%s=%dd", RuleIncomplete, p.Incomplete/day))
	}
	if len(parts) == 0 {
		return "off"
	}
	return strings.Join(parts, ",")
}

// Candidate is a customer the policy would delete now. Name and Email are as the console's copy
// holds them: whoever shows them masks them.
type Candidate struct {
	Rule        string
	CustomerID  string
	Name, Email string
	Created     time.Time
	Settled     time.Time // the newest check's settling, for RuleDecided; zero otherwise
}

// Plan is what the policy would delete at At, changing nothing.
type Plan struct {
	At     time.Time
	Policy Policy
	// Counts by rule, and the customers kept by a legal hold in force whatever the rules say.
	Decided, Incomplete, Held int
	// First are the first candidates of each rule, oldest first, at most the limit asked per rule.
	First []Candidate
}

// Total is how many customers the plan would delete.
func (p Plan) Total() int { return p.Decided + p.Incomplete }

// Planner works out retention plans on the console's copy of Hive.
type Planner struct{ db *database.DB }

// NewPlanner plans on db.
func NewPlanner(db *database.DB) *Planner { return &Planner{db: db} }

// notHeld is the condition that keeps held customers out of every rule.
const notHeld = `NOT EXISTS (SELECT 1 FROM legal_holds h WHERE h.customer_id = c.id AND h.released_at IS NULL)`

// decidedFrom is the customers of RuleDecided with their newest settling: every check not deleted
// is complete and settled (a final approve or reject by a reviewer, whose time counts, or Hive's
// approved or declined, whose check's last update counts), the newest before the cut-off (the
// argument, twice, around cond's). A customer created after the cut-off cannot qualify (their
// checks came after them), so the customers' creation index narrows the work to the old ones
// first. cond narrows it further ("" or " AND c.id = ?").
func decidedFrom(cond string) string {
	return ` FROM hive_customers c
	JOIN hive_checks k ON k.customer_id = c.id AND k.deleted_at IS NULL
	LEFT JOIN (SELECT check_id, MAX(created_at) AS at FROM reviews
		WHERE stage = 'final' AND decision IN ('approve', 'reject') GROUP BY check_id) r ON r.check_id = k.id
	WHERE c.deleted_at IS NULL AND c.created_at < ? AND ` + notHeld + cond + `
	GROUP BY c.id, c.full_name, c.email, c.created_at
	HAVING SUM(CASE WHEN k.status = 'complete' AND (r.at IS NOT NULL OR k.decision IN ('approved', 'declined')) THEN 0 ELSE 1 END) = 0
		AND MAX(COALESCE(r.at, k.updated_at)) < ?`
}

// incompleteWhere is the customers of RuleIncomplete: no completed check not deleted, created
// before the cut-off (the first argument); cond narrows it further ("" or " AND c.id = ?").
func incompleteWhere(cond string) string {
	return ` FROM hive_customers c
	WHERE c.deleted_at IS NULL AND c.created_at < ? AND ` + notHeld + cond + `
	AND NOT EXISTS (SELECT 1 FROM hive_checks k WHERE k.customer_id = c.id AND k.deleted_at IS NULL AND k.status = 'complete')`
}

// Plan counts what p would delete at now and lists the first limit candidates of each rule. Each
// rule is one query: the count rides along the listed rows (a window over the whole result), so
// the rule's work is done once; with a limit of 0, or no candidate, a count alone is asked.
func (pl *Planner) Plan(ctx context.Context, p Policy, now time.Time, limit int) (Plan, error) {
	plan := Plan{At: now, Policy: p}
	if err := pl.db.QueryRow(ctx, `SELECT COUNT(*) FROM legal_holds WHERE released_at IS NULL`).Scan(&plan.Held); err != nil {
		return Plan{}, fmt.Errorf("retention: count legal holds: %w", err)
	}
	if p.Decided > 0 {
		cut := database.Unix(now.Add(-p.Decided))
		first, n, err := pl.rule(ctx, RuleDecided, limit,
			`SELECT c.id, c.full_name, c.email, c.created_at, MAX(COALESCE(r.at, k.updated_at)) AS settled, COUNT(*) OVER () AS total`+
				decidedFrom("")+` ORDER BY settled, c.id LIMIT ?`,
			`SELECT COUNT(*) FROM (SELECT c.id`+decidedFrom("")+`) d`, cut, cut)
		if err != nil {
			return Plan{}, err
		}
		plan.Decided, plan.First = n, append(plan.First, first...)
	}
	if p.Incomplete > 0 {
		cut := database.Unix(now.Add(-p.Incomplete))
		first, n, err := pl.rule(ctx, RuleIncomplete, limit,
			`SELECT c.id, c.full_name, c.email, c.created_at, 0, COUNT(*) OVER () AS total`+incompleteWhere("")+` ORDER BY c.created_at, c.id LIMIT ?`,
			`SELECT COUNT(*)`+incompleteWhere(""), cut)
		if err != nil {
			return Plan{}, err
		}
		plan.Incomplete, plan.First = n, append(plan.First, first...)
	}
	return plan, nil
}

// rule runs one rule: list (its arguments, then the limit) for the first candidates and their
// count, or count alone when no row could carry it.
func (pl *Planner) rule(ctx context.Context, rule string, limit int, list, count string, args ...any) ([]Candidate, int, error) {
	if limit > 0 {
		rows, err := pl.db.Query(ctx, list, append(args, limit)...)
		if err != nil {
			return nil, 0, fmt.Errorf("retention: list %s customers: %w", rule, err)
		}
		defer rows.Close()
		var (
			out   []Candidate
			total int
		)
		for rows.Next() {
			var (
				c                Candidate
				created, settled int64
			)
			if err := rows.Scan(&c.CustomerID, &c.Name, &c.Email, &created, &settled, &total); err != nil {
				return nil, 0, fmt.Errorf("retention: read a %s customer: %w", rule, err)
			}
			c.Rule, c.Created = rule, database.FromUnix(created)
			if settled > 0 {
				c.Settled = database.FromUnix(settled)
			}
			out = append(out, c)
		}
		if err := rows.Err(); err != nil {
			return nil, 0, fmt.Errorf("retention: list %s customers: %w", rule, err)
		}
		if len(out) > 0 {
			return out, total, nil
		}
	}
	var n int
	if err := pl.db.QueryRow(ctx, count, args...).Scan(&n); err != nil {
		return nil, 0, fmt.Errorf("retention: count %s customers: %w", rule, err)
	}
	return nil, n, nil
}

// Initials shortens a name for a plan: each word's first letter and a full stop.
func Initials(name string) string {
	var out []string
	for _, w := range strings.Fields(name) {
		out = append(out, string([]rune(w)[:1])+".")
	}
	return strings.Join(out, " ")
}
