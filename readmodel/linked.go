package readmodel

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/hiveconsole/hiveconsole/database"
)

// The kinds of identifier two checks can share (see migration 15).
const (
	LinkDocument       = "document"
	LinkPersonalNumber = "personal_number"
	LinkNameDOB        = "name_dob"
	LinkMRZ            = "mrz"
	LinkDevice         = "device"
	LinkIP             = "ip"
)

// DefaultLinkCrowd is how many other customers may share an identifier before it is a crowd.
const DefaultLinkCrowd = 20

// LinkKinds are the kinds in the order a panel lists them: the document's own first.
var LinkKinds = []string{LinkDocument, LinkMRZ, LinkPersonalNumber, LinkNameDOB, LinkDevice, LinkIP}

// Linked is what links the subject (a check, or a customer's checks) to other customers.
type Linked struct {
	// Customers are the other customers sharing at least one identifier with the subject, those
	// linked to a rejected check first, then the most recently linked.
	Customers []LinkedCustomer
	// Crowds are identifiers shared by more customers than the threshold: a company's proxy, a shop's
	// tablet. They are counted, not listed, and link nobody by themselves.
	Crowds []Crowd
}

// LinkedCustomer is another customer and what they share with the subject.
type LinkedCustomer struct {
	CustomerID, Name, Email string
	Shares                  []string // kinds, in LinkKinds order
	Checks                  []LinkedCheck
	Rejected                bool // a reviewer rejected one of their checks, linked or not
}

// LinkedCheck is one of a linked customer's checks that shares an identifier.
type LinkedCheck struct {
	ID, Result, ReviewState string // ReviewState "" when nobody decided
	Created                 time.Time
}

// Crowd is an identifier shared by more than the threshold of other customers.
type Crowd struct {
	Kind      string
	Customers int // other customers sharing it: more than the threshold, counted up to 10 times it
}

// Linked finds the other customers whose checks share an identifier with the given checks (all of
// customer's, or one check of theirs; customer may be "" when not known). An identifier shared by
// more than crowd other customers is only counted. Every step reads an index: the subject's
// identifiers by check, then each identifier's checks by kind and value.
func (s *Store) Linked(ctx context.Context, checkIDs []string, customer string, crowd int) (Linked, error) {
	return s.linked(ctx, checkIDs, customer, crowd, nil)
}

// linked is Linked remembering in crowds (when not nil) the identifiers it found shared by more
// than ten times the threshold: they stay crowds whoever asks, so a batch counts each once.
func (s *Store) linked(ctx context.Context, checkIDs []string, customer string, crowd int, known map[[2]string]bool) (Linked, error) {
	var out Linked
	if len(checkIDs) == 0 {
		return out, nil
	}
	crowd = max(crowd, 1)
	rows, err := s.db.Query(ctx, `SELECT DISTINCT kind, value FROM hive_identifiers WHERE check_id IN (`+
		database.Placeholders(len(checkIDs))+`)`, database.Anys(checkIDs)...)
	if err != nil {
		return out, fmt.Errorf("readmodel: identifiers: %w", err)
	}
	type key struct{ kind, value string }
	var keys []key
	for rows.Next() {
		var k key
		if err := rows.Scan(&k.kind, &k.value); err != nil {
			rows.Close()
			return out, fmt.Errorf("readmodel: identifiers: %w", err)
		}
		keys = append(keys, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return out, err
	}
	byCustomer := map[string]*LinkedCustomer{}
	seen := map[string]bool{} // checks already listed, and the subject's own: never a link
	for _, id := range checkIDs {
		seen[id] = true
	}
	crowds := map[string]int{}
	for _, k := range keys {
		n := 10*crowd + 1
		if !known[[2]string{k.kind, k.value}] {
			if err := s.db.QueryRow(ctx, `SELECT count(*) FROM (SELECT DISTINCT c.customer_id FROM hive_identifiers i
				JOIN hive_checks c ON c.id = i.check_id
				WHERE i.kind = ? AND i.value = ? AND c.deleted_at IS NULL AND c.customer_id IS NOT NULL AND c.customer_id <> ?
				LIMIT ?) others`, k.kind, k.value, customer, 10*crowd+1).Scan(&n); err != nil {
				return out, fmt.Errorf("readmodel: linked count: %w", err)
			}
			if known != nil && n > 10*crowd {
				known[[2]string{k.kind, k.value}] = true
			}
		}
		if n > crowd {
			crowds[k.kind] = max(crowds[k.kind], n)
			continue
		}
		if n == 0 {
			continue
		}
		if err := s.linkedChecks(ctx, k.kind, k.value, customer, byCustomer, seen); err != nil {
			return out, err
		}
	}
	for _, kind := range LinkKinds {
		if n, ok := crowds[kind]; ok {
			out.Crowds = append(out.Crowds, Crowd{Kind: kind, Customers: n})
		}
	}
	if err := s.markRejected(ctx, byCustomer); err != nil {
		return out, err
	}
	for _, lc := range byCustomer {
		slices.SortFunc(lc.Shares, func(a, b string) int { return slices.Index(LinkKinds, a) - slices.Index(LinkKinds, b) })
		slices.SortFunc(lc.Checks, func(a, b LinkedCheck) int { return b.Created.Compare(a.Created) })
		out.Customers = append(out.Customers, *lc)
	}
	slices.SortFunc(out.Customers, func(a, b LinkedCustomer) int {
		if a.Rejected != b.Rejected {
			if a.Rejected {
				return -1
			}
			return 1
		}
		return cmp.Or(b.Checks[0].Created.Compare(a.Checks[0].Created), cmp.Compare(a.CustomerID, b.CustomerID))
	})
	return out, nil
}

// linkedChecks adds the other customers' checks that share one identifier.
func (s *Store) linkedChecks(ctx context.Context, kind, value, customer string, by map[string]*LinkedCustomer, seen map[string]bool) error {
	rows, err := s.db.Query(ctx, `SELECT c.id, c.customer_id, cu.full_name, cu.email,
		CASE WHEN c.status = 'processing' THEN 'processing' ELSE COALESCE(c.report_result, 'unknown') END, c.review_state, c.created_at
		FROM hive_identifiers i JOIN hive_checks c ON c.id = i.check_id LEFT JOIN hive_customers cu ON cu.id = c.customer_id
		WHERE i.kind = ? AND i.value = ? AND c.deleted_at IS NULL AND c.customer_id IS NOT NULL AND c.customer_id <> ?`,
		kind, value, customer)
	if err != nil {
		return fmt.Errorf("readmodel: linked checks: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var ch LinkedCheck
		var cust string
		var name, email, state sql.NullString
		var created int64
		if err := rows.Scan(&ch.ID, &cust, &name, &email, &ch.Result, &state, &created); err != nil {
			return fmt.Errorf("readmodel: linked checks: %w", err)
		}
		ch.ReviewState, ch.Created = state.String, database.FromUnix(created)
		lc := by[cust]
		if lc == nil && seen[ch.ID] {
			continue // the subject's own check, when its customer is not known
		}
		if lc == nil {
			lc = &LinkedCustomer{CustomerID: cust, Name: name.String, Email: email.String}
			by[cust] = lc
		}
		if !slices.Contains(lc.Shares, kind) {
			lc.Shares = append(lc.Shares, kind)
		}
		if !seen[ch.ID] {
			seen[ch.ID] = true
			lc.Checks = append(lc.Checks, ch)
		}
	}
	return rows.Err()
}

// markRejected flags the linked customers a reviewer rejected a check of.
func (s *Store) markRejected(ctx context.Context, by map[string]*LinkedCustomer) error {
	if len(by) == 0 {
		return nil
	}
	ids := make([]string, 0, len(by))
	for id := range by {
		ids = append(ids, id)
	}
	rows, err := s.db.Query(ctx, `SELECT DISTINCT customer_id FROM hive_checks WHERE customer_id IN (`+database.Placeholders(len(ids))+
		`) AND review_state = 'rejected' AND deleted_at IS NULL`, database.Anys(ids)...)
	if err != nil {
		return fmt.Errorf("readmodel: linked rejections: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return fmt.Errorf("readmodel: linked rejections: %w", err)
		}
		by[id].Rejected = true
	}
	return rows.Err()
}

// The queue's links. Each waiting check carries how many other customers it is linked to (crowds
// left out) and whether one of them was rejected, so the queue can show the count and sort by the
// flag from its index. A new report, or a decision on a customer, sets the links of the checks it
// may change to NULL (stale); RelinkStale works them out again, and the sync runs it after each
// pass. Marking is bounded: an identifier shared by more than ten times the crowd threshold of
// checks links nobody, so a new check on a busy proxy address marks nothing.

// markStale sets the links of the checks sharing any of these checks' identifiers to be worked out
// again (the checks themselves included), inside tx, and returns the checks it marked.
func (s *Store) markStale(ctx context.Context, tx *sql.Tx, checkIDs []string) ([]string, error) {
	if len(checkIDs) == 0 {
		return nil, nil
	}
	rows, err := tx.QueryContext(ctx, s.db.Q(`SELECT DISTINCT kind, value FROM hive_identifiers WHERE check_id IN (`+
		database.Placeholders(len(checkIDs))+`)`), database.Anys(checkIDs)...)
	if err != nil {
		return nil, fmt.Errorf("readmodel: stale links: %w", err)
	}
	var keys [][2]string
	for rows.Next() {
		var k [2]string
		if err := rows.Scan(&k[0], &k[1]); err != nil {
			rows.Close()
			return nil, fmt.Errorf("readmodel: stale links: %w", err)
		}
		keys = append(keys, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	marked := slices.Clone(checkIDs)
	limit := 10*s.linkCrowd + 1
	for _, k := range keys {
		ids, err := txStrings(ctx, tx, s.db.Q(`SELECT check_id FROM hive_identifiers WHERE kind = ? AND value = ? LIMIT ?`), k[0], k[1], limit)
		if err != nil {
			return nil, fmt.Errorf("readmodel: stale links: %w", err)
		}
		if len(ids) < limit { // else a crowd: it links nobody, so nobody's links change with it
			marked = append(marked, ids...)
		}
	}
	slices.Sort(marked)
	marked = slices.Compact(marked)
	for from := 0; from < len(marked); from += 500 {
		chunk := marked[from:min(len(marked), from+500)]
		if _, err := tx.ExecContext(ctx, s.db.Q(`UPDATE hive_checks SET links = NULL WHERE links IS NOT NULL AND id IN (`+
			database.Placeholders(len(chunk))+`)`), database.Anys(chunk)...); err != nil {
			return nil, fmt.Errorf("readmodel: stale links: %w", err)
		}
	}
	return marked, nil
}

// txStrings reads one column of strings inside tx.
func txStrings(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// anyLinks says whether any check's links have been worked out: until then (the first load of the
// copy) there are none to mark stale.
func (s *Store) anyLinks(ctx context.Context) (bool, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM hive_checks WHERE links IS NOT NULL LIMIT 1) one`).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("readmodel: links: %w", err)
	}
	return n > 0, nil
}

// RelinkCustomer works out again, now, the links of the waiting checks a decision on this customer
// may change: those sharing an identifier with any of the customer's checks. A rejection puts them
// first in their band at once rather than after the next pass.
func (s *Store) RelinkCustomer(ctx context.Context, customerID string) error {
	if customerID == "" {
		return nil
	}
	var marked []string
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		ids, err := txStrings(ctx, tx, s.db.Q(`SELECT id FROM hive_checks WHERE customer_id = ? AND deleted_at IS NULL`), customerID)
		if err != nil {
			return fmt.Errorf("readmodel: relink customer: %w", err)
		}
		marked, err = s.markStale(ctx, tx, ids)
		return err
	})
	if err != nil {
		return err
	}
	for from := 0; from < len(marked); from += 200 {
		if _, err := s.relink(ctx, `id IN (`+database.Placeholders(len(marked[from:min(len(marked), from+200)]))+`)`,
			database.Anys(marked[from:min(len(marked), from+200)])...); err != nil {
			return err
		}
	}
	return nil
}

// RelinkStale works out the links of up to limit waiting checks whose links are stale, oldest
// completion first, and says how many it did.
func (s *Store) RelinkStale(ctx context.Context, limit int) (int, error) {
	done := 0
	for done < limit {
		n, err := s.relink(ctx, `1 = 1 ORDER BY updated_at LIMIT ?`, min(limit-done, 200))
		done += n
		if err != nil || n == 0 {
			return done, err
		}
	}
	return done, nil
}

// relink works out the links of the waiting checks with stale links that cond (after WHERE, with
// its ORDER BY and LIMIT if any) picks, and says how many it did.
func (s *Store) relink(ctx context.Context, cond string, args ...any) (int, error) {
	rows, err := s.db.Query(ctx, `SELECT id, COALESCE(customer_id, '') FROM (SELECT id, customer_id, updated_at FROM hive_checks
		WHERE links IS NULL AND deleted_at IS NULL AND status = 'complete' AND NOT reviewed) stale WHERE `+cond, args...)
	if err != nil {
		return 0, fmt.Errorf("readmodel: stale links: %w", err)
	}
	var todo [][2]string
	for rows.Next() {
		var c [2]string
		if err := rows.Scan(&c[0], &c[1]); err != nil {
			rows.Close()
			return 0, fmt.Errorf("readmodel: stale links: %w", err)
		}
		todo = append(todo, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	crowds := map[[2]string]bool{}
	for i, c := range todo {
		linked, err := s.linked(ctx, []string{c[0]}, c[1], s.linkCrowd, crowds)
		if err != nil {
			return i, err
		}
		rejected := slices.ContainsFunc(linked.Customers, func(l LinkedCustomer) bool { return l.Rejected })
		if _, err := s.db.Exec(ctx, `UPDATE hive_checks SET links = ?, linked_rejected = ? WHERE id = ?`,
			len(linked.Customers), rejected, c[0]); err != nil {
			return i, fmt.Errorf("readmodel: links: %w", err)
		}
	}
	return len(todo), ctx.Err()
}
