// Package readmodel is the console's own copy of Hive: customers, SDK sessions, checks, files and a
// summary of every completed check's report, in the console database. Hive's list endpoints take
// no paging, filter or change feed, so the console's lists, searches and queues read these tables;
// a background sync (Syncer) keeps them in step with Hive, and every change the console makes is
// written through at once (Store.PutCustomer and friends), so its author and every replica see it.
package readmodel

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hiveconsole/hiveconsole/database"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/internal/fold"
)

// Kind names one of the copied lists, and the report summaries.
type Kind string

// The kinds the sync keeps, in the order a pass reads them: sessions before checks, so a check
// finds its customer through its session.
const (
	Customers Kind = "customers"
	Sessions  Kind = "sessions"
	Checks    Kind = "checks"
	Files     Kind = "files"
	Reports   Kind = "reports"
)

// Lists are the kinds read from Hive's list endpoints.
var Lists = []Kind{Customers, Sessions, Checks, Files}

// table is the kind's table.
func (k Kind) table() string { return "hive_" + string(k) }

// Store reads and writes the copy.
type Store struct {
	db     *database.DB
	now    func() time.Time
	counts counts
	writes atomic.Int64 // rows written through by this process, for their order keys
	stmts  sync.Map     // query text → *sql.Stmt, for the statements a pass runs again and again
	// maxParams bounds the parameters of one statement: both databases take at least 32,766.
	maxParams int
	seekFrom  int // see seek
	// linkCrowd is how many other customers may share an identifier before it links nobody (see
	// Linked); the queue's links are worked out with it.
	linkCrowd int
}

// New returns the store of db, whose schema must be migrated.
func New(db *database.DB, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{db: db, now: now, maxParams: 30000, seekFrom: seekFrom, linkCrowd: DefaultLinkCrowd}
}

// SetLinkCrowd sets how many other customers may share an identifier before it links nobody: the
// threshold the queue's links are worked out with, as the Linked panel's.
func (s *Store) SetLinkCrowd(n int) {
	if n > 0 {
		s.linkCrowd = n
	}
}

// pass is one full read of a list: its number, which every row it writes is stamped with, when it
// began, which a tombstone written after that must survive, and the ids it has seen.
type pass struct {
	kind    Kind
	n       int64
	started int64
	seen    *seen
}

// seen is the set of ids a pass has read, as 64-bit hashes: eight bytes a row, so a pass over a
// million customers remembers them in 8 MiB and writes nothing to the rows it read unchanged. Two
// ids sharing a hash (about one chance in ten million at a million rows) would keep a row Hive
// deleted until a later pass, which hashes with another seed.
type seen struct {
	seed   maphash.Seed
	hashes []uint64
	sorted bool
}

func newSeen() *seen { return &seen{seed: maphash.MakeSeed()} }

func (s *seen) add(id string) {
	s.hashes, s.sorted = append(s.hashes, maphash.String(s.seed, id)), false
}

func (s *seen) has(id string) bool {
	if !s.sorted {
		slices.Sort(s.hashes)
		s.sorted = true
	}
	_, ok := slices.BinarySearch(s.hashes, maphash.String(s.seed, id))
	return ok
}

// ord is the order key of the row at position i (0: the newest) of the pass's list. Rows keep the
// key they got when first seen: Hive lists newest first but gives no order within a second of
// created_at, so the key keeps Hive's order among rows created in the same second. A later pass
// gives its new rows larger keys than every earlier pass's, and a row written through gets one
// larger than the running pass's (see writeOrd).
func (p pass) ord(i int64) int64 { return p.n<<32 - i }

// beginPass starts the kind's next pass. A pass that never ends (the process died) leaves nothing
// to clean up: the next one has a higher number and tombstones only after it completes.
func (s *Store) beginPass(ctx context.Context, kind Kind) (pass, error) {
	p := pass{kind: kind, started: database.Unix(s.now()), seen: newSeen()}
	err := s.db.QueryRow(ctx, `UPDATE sync_state SET pass = pass + 1, pass_started_at = ?, pass_rows = 0
		WHERE kind = ? RETURNING pass`, p.started, string(kind)).Scan(&p.n)
	if err != nil {
		return pass{}, fmt.Errorf("readmodel: begin %s pass: %w", kind, err)
	}
	return p, nil
}

// progress records how many rows the pass has read so far, for the first sync's progress bar.
func (s *Store) progress(ctx context.Context, p pass, rows int64) error {
	_, err := s.db.Exec(ctx, `UPDATE sync_state SET pass_rows = ? WHERE kind = ? AND pass = ?`, rows, string(p.kind), p.n)
	return err
}

// endPass marks what the complete pass did not see as deleted in Hive and records the pass. A row
// written through while the pass ran carries its number and stays: the pass may have read the
// list before the row was created.
func (s *Store) endPass(ctx context.Context, p pass, rows int64) error {
	defer s.counts.forget()
	var gone []string
	if p.kind != Reports {
		var err error
		if gone, err = s.unseen(ctx, p); err != nil {
			return err
		}
	}
	now := s.now()
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		for from := 0; from < len(gone); from += 30000 {
			part := gone[from:min(len(gone), from+30000)]
			set, args := "deleted_at = ?", []any{database.Unix(now)}
			if p.kind == Checks {
				set, args = set+", changed = ?", append(args, p.n)
			}
			args = append(append(args, database.Anys(part)...), p.n)
			if _, err := tx.ExecContext(ctx, s.db.Q(`UPDATE `+p.kind.table()+` SET `+set+` WHERE id IN (`+
				database.Placeholders(len(part))+`) AND deleted_at IS NULL AND pass < ?`), args...); err != nil {
				return fmt.Errorf("readmodel: tombstone %s: %w", p.kind, err)
			}
		}
		ms := now.Sub(database.FromUnix(p.started)).Milliseconds()
		_, err := tx.ExecContext(ctx, s.db.Q(`UPDATE sync_state SET complete_pass = ?, completed_at = ?, duration_ms = ?,
			rows = ?, pass_rows = ?, error = NULL, error_at = NULL, failures = 0 WHERE kind = ?`),
			p.n, database.Unix(now), ms, rows, rows, string(p.kind))
		return err
	})
}

// unseen returns the ids of the kind's rows that the pass did not read, live or already deleted,
// read from the index of ids alone.
func (s *Store) unseen(ctx context.Context, p pass) ([]string, error) {
	rows, err := s.db.Query(ctx, `SELECT id FROM `+p.kind.table())
	if err != nil {
		return nil, fmt.Errorf("readmodel: %s not seen: %w", p.kind, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("readmodel: %s not seen: %w", p.kind, err)
		}
		if !p.seen.has(id) {
			out = append(out, id)
		}
	}
	return out, rows.Err()
}

// failPass records why the kind's sync failed; the data of the last complete pass stays.
func (s *Store) failPass(ctx context.Context, kind Kind, reason string) error {
	_, err := s.db.Exec(ctx, `UPDATE sync_state SET error = ?, error_at = ?, failures = failures + 1 WHERE kind = ?`,
		reason, database.Unix(s.now()), string(kind))
	return err
}

// currentPass is the kind's pass number now: a row written through carries it, so a pass running
// while the console changes something does not take the new row for one Hive no longer has.
const currentPass = `(SELECT pass FROM sync_state WHERE kind = ?)`

// upsert writes a batch a pass read with one multi-row statement per chunk, inside one
// transaction, so a pass costs a statement per thousand rows or so: each statement costs a
// savepoint, at which SQLite's search index flushes what it gathered, so fewer, larger statements
// write much faster. A row whose digest did not change is not written at all; the pass remembers
// every id it read (see seen).
func (s *Store) upsert(ctx context.Context, p pass, head, row, tail string, ids []string, args func(i int) []any) error {
	// Rows go in the order of their ids, so the id index, whose order is random with respect to
	// Hive's list, is walked from one end to the other once per batch rather than at random.
	order := make([]int, len(ids))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(ids[a], ids[b]) })
	if err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		n := len(ids)
		chunk := max(1, s.maxParams/max(1, strings.Count(row, "?")))
		for from := 0; from < n; from += chunk {
			to := min(n, from+chunk)
			var b strings.Builder
			b.WriteString(head)
			var all []any
			for i := from; i < to; i++ {
				if i > from {
					b.WriteString(", ")
				}
				b.WriteString(row)
				all = append(all, args(order[i])...)
			}
			b.WriteString(tail)
			exec := tx.ExecContext
			if to-from == chunk {
				// Every full chunk of a kind is the same statement: parsing it once saves a
				// sixth of a pass.
				stmt, err := s.prepared(ctx, b.String())
				if err != nil {
					return fmt.Errorf("readmodel: write %s: %w", p.kind, err)
				}
				exec = func(ctx context.Context, _ string, args ...any) (sql.Result, error) {
					return tx.StmtContext(ctx, stmt).ExecContext(ctx, args...)
				}
			}
			if _, err := exec(ctx, s.db.Q(b.String()), all...); err != nil {
				return fmt.Errorf("readmodel: write %s: %w", p.kind, err)
			}
		}
		return nil
	}); err != nil {
		return err
	}
	for _, id := range ids {
		p.seen.add(id)
	}
	return nil
}

// prepared returns query prepared once for the store's life.
func (s *Store) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := s.stmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := s.db.SQL().PrepareContext(ctx, s.db.Q(query))
	if err != nil {
		return nil, err
	}
	if prev, loaded := s.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// digest is what a pass compares to tell whether a row changed: a hash of every field of the object
// Hive sent (walked by reflection, so a field added to the type is hashed too). An unchanged row
// costs a pass no write, so a pass over an account that barely changed rewrites no row, no index
// and no search text.
func digest(v any) string {
	bp := digestBufs.Get().(*[]byte)
	b := appendFields((*bp)[:0], reflect.ValueOf(v).Elem())
	sum := sha256.Sum256(b)
	*bp = b
	digestBufs.Put(bp)
	return hex.EncodeToString(sum[:12])
}

var digestBufs = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

var timeType = reflect.TypeFor[time.Time]()

// appendFields writes v unambiguously: strings with their length, a marker for nil pointers and
// maps, map entries in key order, times as nanoseconds.
func appendFields(b []byte, v reflect.Value) []byte {
	switch v.Kind() {
	case reflect.String:
		b = binary.AppendUvarint(b, uint64(v.Len()))
		return append(b, v.String()...)
	case reflect.Pointer:
		if v.IsNil() {
			return append(b, 0)
		}
		return appendFields(append(b, 1), v.Elem())
	case reflect.Map:
		if v.IsNil() {
			return append(b, 0)
		}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(x, y reflect.Value) int { return strings.Compare(x.String(), y.String()) })
		b = binary.AppendUvarint(append(b, 1), uint64(len(keys)))
		for _, k := range keys {
			b = appendFields(appendFields(b, k), v.MapIndex(k))
		}
		return b
	case reflect.Struct:
		if v.Type() == timeType {
			return binary.AppendVarint(b, v.Addr().Interface().(*time.Time).UnixNano())
		}
		for i := range v.NumField() {
			b = appendFields(b, v.Field(i))
		}
		return b
	case reflect.Bool, reflect.Int, reflect.Int64, reflect.Float64:
		return fmt.Append(b, v.Interface(), ";")
	}
	panic("readmodel: digest of a " + v.Type().String())
}

// keepDeleted is the condition under which an upsert keeps a row deleted: for a pass, when the
// console deleted it while this pass ran (a deletion written through carries the running pass's
// number, a tombstone an older one), since the pass may have read it before the deletion. What
// Hive answers to the console's own request is current, so a write-through never keeps it deleted.
func keepDeleted(table string, sync bool) string {
	if !sync {
		return "1 = 0"
	}
	return table + ".deleted_at IS NOT NULL AND " + table + ".pass >= excluded.pass"
}

// distinct is the dialect's null-safe "differs".
func (s *Store) distinct() string {
	if s.db.Postgres() {
		return " IS DISTINCT FROM "
	}
	return " IS NOT "
}

// customerArgs are a customer's column values in the order of customerColumns.
const customerColumns = `id, email, phone, first_name, middle_name, last_name, gender, dob, metadata, created_at,
	updated_at, full_name, name_key, search_names, search_contact, pass, ord, digest`

const customerRow = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

func customerArgs(c *hive.Customer, pass, ord any) []any {
	name := c.FullName()
	return []any{c.ID, c.Email, nullable(c.Phone), nullable(c.FirstName), nullable(c.MiddleName), nullable(c.LastName),
		nullable(c.Gender), nullable(c.DOB), metadataJSON(c.Metadata), database.Unix(c.CreatedAt), database.Unix(c.UpdatedAt),
		name, fold.String(name), SearchNames(c), SearchContact(c), pass, ord, digest(c)}
}

// customerUpsert keeps the newer of two versions of a customer (the one the console wrote through
// may be newer than the one a pass read a moment before), and keeps a deletion the console wrote
// after the pass began. A row erased by retention is never written again (nor are its customer's
// sessions, checks and files): a pass that read it from Hive before the deletion would otherwise
// put back the personal data just erased.
func (s *Store) customerUpsert(sync bool) string {
	return ` ON CONFLICT (id) DO UPDATE SET email = excluded.email, phone = excluded.phone,
		first_name = excluded.first_name, middle_name = excluded.middle_name, last_name = excluded.last_name,
		gender = excluded.gender, dob = excluded.dob, metadata = excluded.metadata, created_at = excluded.created_at,
		updated_at = excluded.updated_at, full_name = excluded.full_name, name_key = excluded.name_key,
		search_names = excluded.search_names, search_contact = excluded.search_contact, pass = excluded.pass,
		deleted_at = CASE WHEN ` + keepDeleted("hive_customers", sync) + ` THEN hive_customers.deleted_at ELSE NULL END,
		digest = excluded.digest
		WHERE excluded.updated_at >= hive_customers.updated_at AND (excluded.digest <> hive_customers.digest OR hive_customers.deleted_at IS NOT NULL)
		AND hive_customers.erased_at IS NULL`
}

func (s *Store) putCustomers(ctx context.Context, p pass, first int64, list []hive.Customer) error {
	ids := make([]string, len(list))
	for i := range list {
		ids[i] = list[i].ID
	}
	return s.upsert(ctx, p, `INSERT INTO hive_customers (`+customerColumns+`) VALUES `, customerRow, s.customerUpsert(true), ids,
		func(i int) []any { return customerArgs(&list[i], p.n, p.ord(first+int64(i))) })
}

const sessionColumns = `id, customer_id, full_name, email, application_id, workspace_id, status, expires_at, created_at,
	updated_at, check_id, pass, ord, digest`

const sessionRow = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

func sessionArgs(x *hive.Session, pass, ord any) []any {
	return []any{x.ID, x.CustomerID, x.FullName, x.Email, x.ApplicationID, x.WorkspaceID, string(x.Status),
		database.Unix(x.ExpiresAt), database.Unix(x.CreatedAt), database.Unix(x.UpdatedAt), nullable(x.CheckID), pass, ord, digest(x)}
}

func sessionUpsert(sync bool) string {
	return ` ON CONFLICT (id) DO UPDATE SET customer_id = excluded.customer_id, full_name = excluded.full_name,
		email = excluded.email, application_id = excluded.application_id, workspace_id = excluded.workspace_id,
		status = excluded.status, expires_at = excluded.expires_at, created_at = excluded.created_at,
		updated_at = excluded.updated_at, check_id = excluded.check_id, pass = excluded.pass,
		deleted_at = CASE WHEN ` + keepDeleted("hive_sessions", sync) + ` THEN hive_sessions.deleted_at ELSE NULL END,
		digest = excluded.digest
		WHERE excluded.updated_at >= hive_sessions.updated_at AND (excluded.digest <> hive_sessions.digest OR hive_sessions.deleted_at IS NOT NULL)
		AND hive_sessions.erased_at IS NULL`
}

func (s *Store) putSessions(ctx context.Context, p pass, first int64, list []hive.Session) error {
	ids := make([]string, len(list))
	for i := range list {
		ids[i] = list[i].ID
	}
	return s.upsert(ctx, p, `INSERT INTO hive_sessions (`+sessionColumns+`) VALUES `, sessionRow, sessionUpsert(true), ids,
		func(i int) []any { return sessionArgs(&list[i], p.n, p.ord(first+int64(i))) })
}

const checkColumns = `id, session_id, status, decision, report_id, result, created_at, updated_at, pass, changed, ord, digest`

const checkRow = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

func checkArgs(x *hive.Check, pass, ord any) []any {
	return []any{x.ID, x.SessionID, string(x.Status), nullable(x.Decision), nullable(x.ReportID), CheckResult(x),
		database.Unix(x.CreatedAt), database.Unix(x.UpdatedAt), pass, pass, ord, digest(x)}
}

// checkUpsert stamps "changed" only when what the lists show of the check changed, so the customers
// whose checks changed are the only ones recomputed.
func (s *Store) checkUpsert(sync bool) string {
	d := s.distinct()
	return ` ON CONFLICT (id) DO UPDATE SET session_id = excluded.session_id, status = excluded.status,
		decision = excluded.decision, report_id = excluded.report_id, result = excluded.result,
		created_at = excluded.created_at, updated_at = excluded.updated_at, pass = excluded.pass,
		changed = CASE WHEN hive_checks.result` + d + `excluded.result OR hive_checks.deleted_at IS NOT NULL
			OR hive_checks.session_id` + d + `excluded.session_id THEN excluded.changed ELSE hive_checks.changed END,
		customer_id = CASE WHEN hive_checks.session_id` + d + `excluded.session_id THEN NULL ELSE hive_checks.customer_id END,
		deleted_at = CASE WHEN ` + keepDeleted("hive_checks", sync) + ` THEN hive_checks.deleted_at ELSE NULL END,
		digest = excluded.digest
		WHERE excluded.updated_at >= hive_checks.updated_at AND (excluded.digest <> hive_checks.digest OR hive_checks.deleted_at IS NOT NULL)
		AND hive_checks.erased_at IS NULL`
}

func (s *Store) putChecks(ctx context.Context, p pass, first int64, list []hive.Check) error {
	ids := make([]string, len(list))
	for i := range list {
		ids[i] = list[i].ID
	}
	return s.upsert(ctx, p, `INSERT INTO hive_checks (`+checkColumns+`) VALUES `, checkRow, s.checkUpsert(true), ids,
		func(i int) []any { return checkArgs(&list[i], p.n, p.ord(first+int64(i))) })
}

const fileColumns = `id, type, metadata, url, check_id, created_at, pass, ord, digest`

const fileRow = `(?, ?, ?, ?, ?, ?, ?, ?, ?)`

func fileArgs(f *hive.File, pass, ord any) []any {
	return []any{f.ID, string(f.Type), metadataJSON(f.Metadata), f.URL, nullable(f.CheckID), database.Unix(f.CreatedAt), pass, ord, digest(f)}
}

func fileUpsert(sync bool) string {
	return ` ON CONFLICT (id) DO UPDATE SET type = excluded.type, metadata = excluded.metadata, url = excluded.url,
		check_id = excluded.check_id, created_at = excluded.created_at, pass = excluded.pass,
		deleted_at = CASE WHEN ` + keepDeleted("hive_files", sync) + ` THEN hive_files.deleted_at ELSE NULL END,
		digest = excluded.digest WHERE (excluded.digest <> hive_files.digest OR hive_files.deleted_at IS NOT NULL)
		AND hive_files.erased_at IS NULL`
}

func (s *Store) putFiles(ctx context.Context, p pass, first int64, list []hive.File) error {
	ids := make([]string, len(list))
	for i := range list {
		ids[i] = list[i].ID
	}
	return s.upsert(ctx, p, `INSERT INTO hive_files (`+fileColumns+`) VALUES `, fileRow, fileUpsert(true), ids,
		func(i int) []any { return fileArgs(&list[i], p.n, p.ord(first+int64(i))) })
}

// linkChecks gives checks whose customer is not known yet the customer of their session, and
// recomputes the list columns (checks, latest result) of every customer whose checks changed at or
// after stamp.
func (s *Store) linkChecks(ctx context.Context, tx *sql.Tx, stamp int64) error {
	if _, err := tx.ExecContext(ctx, s.db.Q(`UPDATE hive_checks SET changed = ?,
		customer_id = (SELECT customer_id FROM hive_sessions WHERE hive_sessions.id = hive_checks.session_id)
		WHERE customer_id IS NULL AND EXISTS (SELECT 1 FROM hive_sessions WHERE hive_sessions.id = hive_checks.session_id)`),
		stamp); err != nil {
		return fmt.Errorf("readmodel: link checks: %w", err)
	}
	_, err := tx.ExecContext(ctx, s.db.Q(`UPDATE hive_customers SET
		checks = (SELECT count(*) FROM hive_checks c WHERE c.customer_id = hive_customers.id AND c.deleted_at IS NULL),
		latest_result = (SELECT c.result FROM hive_checks c WHERE c.customer_id = hive_customers.id AND c.deleted_at IS NULL
			ORDER BY c.created_at DESC, c.ord DESC LIMIT 1)
		WHERE id IN (SELECT customer_id FROM hive_checks WHERE changed >= ? AND customer_id IS NOT NULL)`), stamp)
	if err != nil {
		return fmt.Errorf("readmodel: customers' checks: %w", err)
	}
	return nil
}

// CheckResult is what the lists show as a check's result: processing while Hive works, then the
// result Hive's decision stands for (approved: clear, review: caution, declined: consider), and
// unknown for a completed check without a decision.
func CheckResult(c *hive.Check) string {
	if c.Status == hive.CheckProcessing {
		return "processing"
	}
	if c.Decision != nil {
		switch *c.Decision {
		case hive.DecisionApproved:
			return "clear"
		case hive.DecisionReview:
			return "caution"
		case hive.DecisionDeclined:
			return "consider"
		}
	}
	return "unknown"
}

// SearchNames is what every role's search looks in: the name, folded.
func SearchNames(c *hive.Customer) string { return fold.String(c.FullName()) }

// SearchContact is what a search looks in for roles that see contact data in clear: the email,
// folded, and the phone's digits alone, so "7700 900" finds "+447700900123".
func SearchContact(c *hive.Customer) string {
	var b strings.Builder
	b.WriteString(fold.String(c.Email))
	b.WriteByte('\n')
	if c.Phone != nil {
		for _, r := range *c.Phone {
			if r >= '0' && r <= '9' {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

func nullable(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

func metadataJSON(m hive.Metadata) any {
	if m == nil {
		return nil
	}
	b, _ := json.Marshal(map[string]string(m)) // a map of strings always encodes
	return string(b)
}
