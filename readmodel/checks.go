package readmodel

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hiveconsole/hiveconsole/database"
	"github.com/hiveconsole/hiveconsole/hive"
)

// CheckQuery is what the checks list, the review queue and the pages that show a few checks can
// ask for.
type CheckQuery struct {
	Search   string // the start of a check's id, or what finds its customer (see CustomerQuery)
	Contact  bool   // the viewer sees contact data in clear: the search reaches emails and phones
	Status   string // "", processing or complete
	Result   string // "", or the report's result: clear, caution or consider
	Decision string // "", or Hive's decision: approved, review or declined
	Since    time.Time
	Customer string // "", or only this customer's checks
	// Queue asks for the review queue: the completed checks without a final decision that Rule
	// queues, the one due first (under Targets) first.
	Queue   bool
	Rule    QueueRule    // DefaultQueueRule when empty
	Targets ServiceTimes // the queue's order: the check due first comes first
	Now     time.Time    // when the queue's bands (overdue, on time) are taken; the store's clock when zero
	Reason  string       // "", or only checks whose report did not clear this sub-check (its path)
	// ReviewState narrows to completed checks in one review state: "unreviewed" (nobody decided),
	// or a state a decision puts a check in (approved, rejected, resubmission, pending_second,
	// disagree).
	ReviewState string
	// Holder narrows to who works on a check: NoHolder for checks nobody holds, or a holder's
	// email. The console's claims decide (check_claims, kept by the review package); a claim
	// touched last at or before HeldSince has lapsed and holds nothing.
	Holder    string
	HeldSince time.Time
	Sort      string // created, customer or result
	Desc      bool
	Offset    int
	Limit     int
}

// NoHolder asks for the checks nobody holds.
const NoHolder = "none"

// CheckEntry is a check as the lists show it, with its customer.
type CheckEntry struct {
	Check hive.Check
	// Result is what the lists show: processing, the report's result once its summary is stored,
	// and unknown for a completed check whose report has not been read yet.
	Result        string
	CustomerID    string
	CustomerName  string
	CustomerEmail string
	Deleted       bool
	// Links is how many other customers the check is linked to (crowds left out), nil while not
	// worked out; LinkedRejected says one of them was rejected. Kept for waiting checks.
	Links          *int
	LinkedRejected bool
}

// CheckPage is one page of a query and how many checks match it in all.
type CheckPage struct {
	Rows  []CheckEntry
	Total int
}

// Checks runs a checks query in SQL.
func (s *Store) Checks(ctx context.Context, q CheckQuery) (CheckPage, error) {
	where, args := s.checkFilter(ctx, q)
	var page CheckPage
	var err error
	if where == "" {
		page.Total, err = s.Count(ctx, Checks)
	} else {
		page.Total, err = s.count(ctx, `SELECT count(*) FROM hive_checks c WHERE c.deleted_at IS NULL`+where, args...)
	}
	if err != nil {
		return CheckPage{}, fmt.Errorf("readmodel: count checks: %w", err)
	}
	if q.Queue {
		return s.queuePage(ctx, q, page)
	}
	w := window(page.Total, q.Offset, q.Limit, checkOrder(q))
	if w.limit <= 0 {
		return page, nil
	}
	if where == "" {
		if where, args, w.offset, err = s.seek(ctx, Checks, w.order, "c.created_at", w.offset); err != nil {
			return CheckPage{}, err
		}
	}
	rows, err := s.db.Query(ctx, `SELECT `+checkSelect+` FROM hive_checks c
		LEFT JOIN hive_customers cu ON cu.id = c.customer_id
		WHERE c.deleted_at IS NULL`+where+` ORDER BY `+w.order+` LIMIT ? OFFSET ?`, append(args, w.limit, w.offset)...)
	if err != nil {
		return CheckPage{}, fmt.Errorf("readmodel: checks: %w", err)
	}
	defer rows.Close()
	page.Rows = []CheckEntry{}
	for rows.Next() {
		e, err := scanCheck(rows)
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

// Check returns one check as the copy holds it, deleted or not; ok is false when the copy has never
// seen it.
func (s *Store) Check(ctx context.Context, id string) (CheckEntry, bool, error) {
	e, err := scanCheck(s.db.QueryRow(ctx, `SELECT `+checkSelect+` FROM hive_checks c
		LEFT JOIN hive_customers cu ON cu.id = c.customer_id WHERE c.id = ?`, id))
	if err == sql.ErrNoRows {
		return CheckEntry{}, false, nil
	}
	return e, err == nil, err
}

const checkSelect = `c.id, c.session_id, c.status, c.decision, c.report_id, c.created_at, c.updated_at,
	CASE WHEN c.status = 'processing' THEN 'processing' ELSE COALESCE(c.report_result, 'unknown') END,
	c.customer_id, cu.full_name, cu.email, c.deleted_at, c.links, c.linked_rejected`

func scanCheck(r database.Scanner) (CheckEntry, error) {
	var e CheckEntry
	ch := &e.Check
	var status string
	var created, updated int64
	var customer, name, email sql.NullString
	var deleted, links sql.NullInt64
	if err := r.Scan(&ch.ID, &ch.SessionID, &status, &ch.Decision, &ch.ReportID, &created, &updated, &e.Result,
		&customer, &name, &email, &deleted, &links, &e.LinkedRejected); err != nil {
		if err == sql.ErrNoRows {
			return e, err
		}
		return e, fmt.Errorf("readmodel: read check: %w", err)
	}
	ch.Status = hive.CheckStatus(status)
	ch.CreatedAt, ch.UpdatedAt = database.FromUnix(created), database.FromUnix(updated)
	e.CustomerID, e.CustomerName, e.CustomerEmail, e.Deleted = customer.String, name.String, email.String, deleted.Valid
	if links.Valid {
		n := int(links.Int64)
		e.Links = &n
	}
	return e, nil
}

// checkOrder is the ORDER BY of a query. Ties keep the newest first, whatever the direction.
func checkOrder(q CheckQuery) string {
	dir := " ASC"
	if q.Desc {
		dir = " DESC"
	}
	switch {
	case q.Sort == "customer":
		return "cu.name_key" + dir + ", c.created_at DESC, c.ord DESC"
	case q.Sort == "result":
		return "c.result_rank" + dir + ", c.created_at DESC, c.ord DESC"
	}
	return "c.created_at" + dir + ", c.ord" + dir
}

// maxHeldIDs is how many checks one holder's filter lists by id; past it the filter is a subquery.
const maxHeldIDs = 2000

// heldBy lists the checks email holds (claims touched after heldSince, and assignments); ok is false
// when they are too many to list, or could not be read (the caller's subquery then says it in SQL).
func (s *Store) heldBy(ctx context.Context, email string, heldSince time.Time) ([]string, bool) {
	rows, err := s.db.Query(ctx, `SELECT check_id FROM check_claims k WHERE k.user_email = ?
		AND (k.assigned_by IS NOT NULL OR k.active_at > ?) LIMIT ?`, email, database.Unix(heldSince), maxHeldIDs+1)
	if err != nil {
		return nil, false
	}
	defer rows.Close()
	ids := []string{}
	for rows.Next() {
		var id string
		if rows.Scan(&id) != nil {
			return nil, false
		}
		ids = append(ids, id)
	}
	return ids, rows.Err() == nil && len(ids) <= maxHeldIDs
}

// checkFilter is the WHERE clause (after "c.deleted_at IS NULL") of a query's filters and search.
func (s *Store) checkFilter(ctx context.Context, q CheckQuery) (string, []any) {
	var b strings.Builder
	var args []any
	add := func(cond string, arg ...any) {
		b.WriteString(" AND " + cond)
		args = append(args, arg...)
	}
	switch q.Status {
	case "":
	case string(hive.CheckProcessing):
		// A check shows "processing" exactly while it is: the result's index finds the few.
		add("c.result = 'processing'")
	default:
		add("c.status = ?", q.Status)
	}
	if q.Decision != "" {
		add("c.decision = ?", q.Decision)
	}
	if q.Result != "" {
		// Only a completed check has a report.
		add("c.report_result = ?", q.Result)
	}
	if !q.Since.IsZero() {
		add("c.created_at >= ?", database.Unix(q.Since))
	}
	if q.Customer != "" {
		add("c.customer_id = ?", q.Customer)
	}
	if q.Reason != "" {
		add("c.id IN (SELECT check_id FROM hive_concerns WHERE path = ?)", q.Reason)
	}
	switch q.ReviewState {
	case "":
	case "unreviewed":
		add("c.status = 'complete' AND c.review_state IS NULL")
	default:
		add("c.status = 'complete' AND c.review_state = ?", q.ReviewState)
	}
	switch held := "(k.assigned_by IS NOT NULL OR k.active_at > ?)"; q.Holder {
	case "":
	case NoHolder:
		add("NOT EXISTS (SELECT 1 FROM check_claims k WHERE k.check_id = c.id AND "+held+")", database.Unix(q.HeldSince))
	default:
		// One person holds few checks: their ids, looked up first, make the filter a lookup by id
		// rather than a test of every row the rest of the query reads.
		if ids, ok := s.heldBy(ctx, q.Holder, q.HeldSince); ok {
			if len(ids) == 0 {
				add("1 = 0")
			} else {
				add("c.id IN ("+database.Placeholders(len(ids))+")", database.Anys(ids)...)
			}
		} else {
			add("c.id IN (SELECT k.check_id FROM check_claims k WHERE k.user_email = ? AND "+held+")", q.Holder, database.Unix(q.HeldSince))
		}
	}
	if q.Queue {
		// The review decisions are the console's own: a check in the queue has none yet.
		cond, more := s.queueCondition(q.Rule)
		b.WriteString(cond)
		args = append(args, more...)
	}
	if search := strings.TrimSpace(q.Search); search != "" && !strings.ContainsRune(search, 0) {
		cond, more := s.idPrefix("c.id", strings.ToLower(search))
		if where, found := s.customerSearch(ctx, search, q.Contact); where != "" {
			cond += " OR c.customer_id IN (SELECT id FROM hive_customers WHERE deleted_at IS NULL AND checks > 0" + where + ")"
			more = append(more, found...)
		}
		add("("+cond+")", more...)
	}
	return b.String(), args
}
