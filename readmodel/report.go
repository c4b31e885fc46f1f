package readmodel

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/hiveconsole/hiveconsole/database"
	"github.com/hiveconsole/hiveconsole/hive"
)

// Summary is what the console keeps of a completed check's report: enough to filter, sort, queue
// and link checks without fetching the report again. A completed report never changes.
type Summary struct {
	CheckID        string
	ReportID       string
	Result         string // the report's overall result: clear, caution or consider
	Decision       string // Hive's decision on the check, "" when none
	Sections       map[string]string
	Breakdowns     []Node // every breakdown and sub-check, depth first, in the report's order
	Concerns       []Node // the sub-checks that are not clear, with the values they compared
	DocType        string
	DocCountry     string
	DocNumber      string
	DocExpiry      string
	PersonalNumber string
	Surname        string
	GivenNames     string
	DateOfBirth    string
	Nationality    string
	MRZHash        string // SHA-256 of the MRZ lines, hex; "" without an MRZ
	FaceSimilarity *float64
	FaceLive       *bool
	Liveness       *float64
	DeviceHashes   []string
	IPAddresses    []string
}

// Node is one breakdown or sub-check: its path from the section ("document/data_validation/expiry")
// and status. A concern also carries the values involved, when the report has them.
type Node struct {
	Path   string            `json:"path"`
	Status string            `json:"status"`
	Values map[string]string `json:"values,omitempty"`
}

// Summarise reads what the console keeps from a report.
func Summarise(ch *hive.Check, r *hive.Report) Summary {
	s := Summary{CheckID: ch.ID, ReportID: r.ID, Result: string(r.Result), Sections: map[string]string{},
		Breakdowns: []Node{}, Concerns: []Node{}, DeviceHashes: []string{}, IPAddresses: []string{}}
	if ch.Decision != nil {
		s.Decision = *ch.Decision
	}
	walk := func(section string, sec *hive.Section, values map[string]string) {
		if sec == nil {
			return
		}
		s.Sections[section] = string(sec.Status)
		var visit func(prefix string, b []hive.Breakdown)
		visit = func(prefix string, b []hive.Breakdown) {
			for _, n := range b {
				path := prefix + "/" + n.Name
				s.Breakdowns = append(s.Breakdowns, Node{Path: path, Status: string(n.Status)})
				if len(n.SubChecks) == 0 && n.Status != hive.StatusClear {
					s.Concerns = append(s.Concerns, Node{Path: path, Status: string(n.Status), Values: values})
				}
				visit(path, n.SubChecks)
			}
		}
		visit(section, sec.Breakdowns)
	}
	if d := r.Document; d != nil {
		p := d.Properties
		s.DocType, s.DocCountry, s.DocNumber, s.DocExpiry = p.DocumentClassCode, p.IssuingStateCode, p.DocumentNumber, p.DateOfExpiry
		s.PersonalNumber, s.Surname, s.GivenNames, s.DateOfBirth = p.PersonalNumber, p.Surname, p.GivenNames, p.DateOfBirth
		s.Nationality = p.NationalityCode
		if p.MRZStrings != "" {
			sum := sha256.Sum256([]byte(strings.ToUpper(p.MRZStrings)))
			s.MRZHash = hex.EncodeToString(sum[:])
		}
		walk("document", &d.Section, map[string]string{"document_number": p.DocumentNumber, "date_of_expiry": p.DateOfExpiry,
			"date_of_birth": p.DateOfBirth, "issuing_state": p.IssuingStateCode})
	}
	if f := r.Facial; f != nil {
		p := f.Properties
		s.FaceSimilarity, s.FaceLive, s.Liveness = &p.Similarity, &p.Live, &p.Liveness
		walk("facial", &f.Section, map[string]string{"similarity": fmt.Sprint(p.Similarity), "liveness": fmt.Sprint(p.Liveness)})
	}
	if c := r.Customer; c != nil {
		values := map[string]string{}
		for _, d := range []*hive.Device{c.Properties.Mobile, c.Properties.Desktop} {
			if d == nil {
				continue
			}
			if d.DeviceHash != "" {
				s.DeviceHashes = append(s.DeviceHashes, d.DeviceHash)
			}
			if d.IP != "" {
				s.IPAddresses = append(s.IPAddresses, d.IP)
				values["ip"] = d.IP
			}
			if d.Country != "" {
				values["country"] = d.Country
			}
		}
		walk("customer", &c.Section, values)
	}
	return s
}

// putSummary stores a report's summary and the check's report result, and recomputes its
// customer's list columns, in one transaction; markLinks marks the links of the checks it shares an
// identifier with to be worked out again.
func (s *Store) putSummary(ctx context.Context, sum Summary, markLinks bool) error {
	defer s.counts.forget()
	js := func(v any) string { b, _ := json.Marshal(v); return string(b) } // plain values always encode
	now := database.Unix(s.now())
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		// A check erased by retention keeps no report: one fetched just before its deletion in Hive
		// would otherwise bring back the document data and identifiers just erased.
		// The check's row is locked until this commits, so an erasure comes wholly before or after.
		var erased sql.NullInt64
		err := tx.QueryRowContext(ctx, s.db.Q(`SELECT erased_at FROM hive_checks WHERE id = ?`+s.db.ForUpdate()), sum.CheckID).Scan(&erased)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("readmodel: store report summary: %w", err)
		}
		if erased.Valid {
			return nil
		}
		_, err = tx.ExecContext(ctx, s.db.Q(`INSERT INTO hive_reports (check_id, report_id, result, decision,
			document_status, facial_status, customer_status, breakdowns, concerns, doc_type, doc_country, doc_number,
			doc_expiry, personal_number, surname, given_names, date_of_birth, nationality, mrz_hash, face_similarity,
			face_live, liveness, device_hashes, ip_addresses, fetched_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (check_id) DO NOTHING`),
			sum.CheckID, sum.ReportID, sum.Result, empty(sum.Decision), empty(sum.Sections["document"]),
			empty(sum.Sections["facial"]), empty(sum.Sections["customer"]), js(sum.Breakdowns), js(sum.Concerns),
			empty(sum.DocType), empty(sum.DocCountry), empty(sum.DocNumber), empty(sum.DocExpiry), empty(sum.PersonalNumber),
			empty(sum.Surname), empty(sum.GivenNames), empty(sum.DateOfBirth), empty(sum.Nationality), empty(sum.MRZHash),
			sum.FaceSimilarity, sum.FaceLive, sum.Liveness, js(sum.DeviceHashes), js(sum.IPAddresses), now)
		if err != nil {
			return fmt.Errorf("readmodel: store report summary: %w", err)
		}
		for _, n := range sum.Concerns {
			if _, err := tx.ExecContext(ctx, s.db.Q(`INSERT INTO hive_concerns (check_id, path) VALUES (?, ?)
				ON CONFLICT (check_id, path) DO NOTHING`), sum.CheckID, n.Path); err != nil {
				return fmt.Errorf("readmodel: store report concerns: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, s.db.Q(identifiersOfReport), sum.CheckID, sum.CheckID, sum.CheckID, sum.CheckID); err != nil {
			return fmt.Errorf("readmodel: store report identifiers: %w", err)
		}
		for kind, values := range map[string][]string{LinkDevice: sum.DeviceHashes, LinkIP: sum.IPAddresses} {
			for _, v := range values {
				if v == "" {
					continue
				}
				if _, err := tx.ExecContext(ctx, s.db.Q(`INSERT INTO hive_identifiers (kind, value, check_id) VALUES (?, ?, ?)
					ON CONFLICT DO NOTHING`), kind, v, sum.CheckID); err != nil {
					return fmt.Errorf("readmodel: store report identifiers: %w", err)
				}
			}
		}
		// The checks this one now shares an identifier with may have one link more. While the copy
		// reads its first reports nobody's links are worked out yet: there is nothing to mark.
		if markLinks {
			if _, err := s.markStale(ctx, tx, []string{sum.CheckID}); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, s.db.Q(`UPDATE hive_checks SET report_result = ? WHERE id = ?`), sum.Result, sum.CheckID)
		return err
	})
}

// identifiersOfReport writes a stored report's document identifiers (its check id is each
// subquery's argument). The values are built in SQL, exactly as migration 15 built those of the
// reports stored before it, so each database compares values it made the same way.
const identifiersOfReport = `INSERT INTO hive_identifiers (kind, value, check_id)
SELECT kind, value, check_id FROM (
	SELECT 'document' AS kind, upper(COALESCE(doc_type, '')) || '|' || upper(COALESCE(doc_country, '')) || '|' || upper(doc_number) AS value, check_id
	FROM hive_reports WHERE doc_number IS NOT NULL AND check_id = ?
	UNION ALL
	SELECT 'personal_number', upper(COALESCE(doc_country, '')) || '|' || upper(personal_number), check_id
	FROM hive_reports WHERE personal_number IS NOT NULL AND check_id = ?
	UNION ALL
	SELECT 'name_dob', upper(surname) || '|' || upper(COALESCE(given_names, '')) || '|' || date_of_birth, check_id
	FROM hive_reports WHERE surname IS NOT NULL AND date_of_birth IS NOT NULL AND check_id = ?
	UNION ALL
	SELECT 'mrz', mrz_hash, check_id FROM hive_reports WHERE mrz_hash IS NOT NULL AND check_id = ?
) found WHERE true
ON CONFLICT DO NOTHING`

// QueueReasons counts the review queue's checks under rule by what their reports did not clear: a
// check counts once under each of its sub-checks' paths. Reused for a moment, like the counts.
func (s *Store) QueueReasons(ctx context.Context, rule QueueRule) (map[string]int, error) {
	cond, args := s.queueCondition(rule)
	// From the queue's index to each check's concerns (SQLite takes CROSS JOIN as that order).
	query := `SELECT k.path, count(*) FROM hive_checks c CROSS JOIN hive_concerns k
		WHERE k.check_id = c.id AND c.deleted_at IS NULL` + cond + ` GROUP BY k.path`
	key := query + "\x00" + fmt.Sprint(args...)
	if m, ok := s.counts.group(key, s.now()); ok {
		return m, nil
	}
	rows, err := s.db.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("readmodel: queue reasons: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var path string
		var n int
		if err := rows.Scan(&path, &n); err != nil {
			return nil, fmt.Errorf("readmodel: queue reasons: %w", err)
		}
		out[path] = n
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	s.counts.keepGroup(key, out, s.now())
	return out, nil
}

// ReportResults returns the stored report result of each of the given checks that has one.
func (s *Store) ReportResults(ctx context.Context, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.db.SQL().QueryContext(ctx, s.db.Q(`SELECT check_id, result FROM hive_reports WHERE check_id IN (`+
		database.Placeholders(len(ids))+`)`), database.Anys(ids)...)
	if err != nil {
		return nil, fmt.Errorf("readmodel: report results: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, result string
		if err := rows.Scan(&id, &result); err != nil {
			return nil, err
		}
		out[id] = result
	}
	return out, rows.Err()
}

// Concerns returns, for each of the given checks whose report summary is stored, the sub-checks
// its report did not clear.
func (s *Store) Concerns(ctx context.Context, ids []string) (map[string][]Node, error) {
	out := make(map[string][]Node, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.db.SQL().QueryContext(ctx, s.db.Q(`SELECT check_id, concerns FROM hive_reports WHERE check_id IN (`+
		database.Placeholders(len(ids))+`)`), database.Anys(ids)...)
	if err != nil {
		return nil, fmt.Errorf("readmodel: concerns: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, js string
		if err := rows.Scan(&id, &js); err != nil {
			return nil, fmt.Errorf("readmodel: concerns: %w", err)
		}
		var nodes []Node
		if err := json.Unmarshal([]byte(js), &nodes); err != nil {
			return nil, fmt.Errorf("readmodel: concerns of %s: %w", id, err)
		}
		out[id] = nodes
	}
	return out, rows.Err()
}

func empty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
