package review

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"

	"github.com/hiveconsole/hiveconsole/database"
)

const reviewColumns = `id, check_id, customer_id, decision, reason, note, session_id, reviewer_id, reviewer_email, created_at, stage, erased_at`

// newestFirst is the one definition of "newest": by time, then by id for reviews in the same second.
const newestFirst = ` ORDER BY created_at DESC, id DESC`

func scanReview(s database.Scanner) (Review, error) {
	var (
		r                           Review
		decision, stage             string
		customer, reason, sessionID sql.NullString
		created                     int64
		erased                      sql.NullInt64
	)
	err := s.Scan(&r.ID, &r.CheckID, &customer, &decision, &reason, &r.Note, &sessionID, &r.ReviewerID, &r.ReviewerEmail, &created, &stage, &erased)
	if err == sql.ErrNoRows {
		return Review{}, err
	}
	if err != nil {
		return Review{}, fmt.Errorf("review: read review: %w", err)
	}
	r.Stage = Stage(stage)
	r.Decision = Decision(decision)
	r.CustomerID, r.Reason, r.SessionID = customer.String, reason.String, sessionID.String
	r.CreatedAt, r.ErasedAt = database.FromUnix(created), database.FromNullUnix(erased)
	return r, nil
}

// insert inserts r and returns its id. RETURNING works in SQLite and PostgreSQL alike, where
// LastInsertId does not.
func (l *Ledger) insert(ctx context.Context, tx *sql.Tx, r Review) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, l.db.Q(`INSERT INTO reviews (check_id, customer_id, decision, reason, note,
		session_id, reviewer_id, reviewer_email, created_at, stage) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		r.CheckID, database.NullString(r.CustomerID), string(r.Decision), database.NullString(r.Reason), r.Note,
		database.NullString(r.SessionID), r.ReviewerID, r.ReviewerEmail, database.Unix(r.CreatedAt), string(cmp.Or(r.Stage, Final))).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("review: create review: %w", err)
	}
	return id, nil
}

// latest returns each check's newest review. A window function (SQLite 3.25+, PostgreSQL)
// picks it in one pass over the check index.
func (l *Ledger) latest(ctx context.Context) (map[string]Review, error) {
	list, err := l.query(ctx, "latest reviews", `SELECT `+reviewColumns+` FROM (
		SELECT `+reviewColumns+`, ROW_NUMBER() OVER (PARTITION BY check_id`+newestFirst+`) AS n FROM reviews
	) latest WHERE n = 1`)
	if err != nil {
		return nil, err
	}
	m := make(map[string]Review, len(list))
	for _, r := range list {
		m[r.CheckID] = r
	}
	return m, nil
}

// query runs a query for review rows; never nil, so "none" is an empty slice.
func (l *Ledger) query(ctx context.Context, op, query string, args ...any) ([]Review, error) {
	rows, err := l.db.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("review: %s: %w", op, err)
	}
	defer rows.Close()
	reviews := []Review{}
	for rows.Next() {
		r, err := scanReview(rows)
		if err != nil {
			return nil, err
		}
		reviews = append(reviews, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("review: %s: %w", op, err)
	}
	return reviews, nil
}

// EraseNotes replaces the note of every decision on the customer's checks with its SHA-256
// ("sha256:" and 64 hex digits, as notes.ErasedText writes it), once, and returns how many it
// erased. The decisions themselves, who made them and when, stay as they were.
func (l *Ledger) EraseNotes(ctx context.Context, customerID string, checkIDs []string) (int, error) {
	where, args := `customer_id = ?`, []any{customerID}
	if len(checkIDs) > 0 {
		where += ` OR check_id IN (` + database.Placeholders(len(checkIDs)) + `)`
		args = append(args, database.Anys(checkIDs)...)
	}
	now := database.Unix(l.now())
	erased := 0
	err := l.db.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, l.db.Q(`SELECT id, note FROM reviews WHERE erased_at IS NULL AND (`+where+`)`), args...)
		if err != nil {
			return fmt.Errorf("review: find notes to erase: %w", err)
		}
		notes := map[int64]string{}
		for rows.Next() {
			var (
				id   int64
				note string
			)
			if err := rows.Scan(&id, &note); err != nil {
				rows.Close()
				return fmt.Errorf("review: find notes to erase: %w", err)
			}
			notes[id] = note
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("review: find notes to erase: %w", err)
		}
		for id, note := range notes {
			sum := sha256.Sum256([]byte(note))
			if _, err := tx.ExecContext(ctx, l.db.Q(`UPDATE reviews SET note = ?, erased_at = ? WHERE id = ? AND erased_at IS NULL`),
				"sha256:"+hex.EncodeToString(sum[:]), now, id); err != nil {
				return fmt.Errorf("review: erase a note: %w", err)
			}
		}
		erased = len(notes)
		return nil
	})
	return erased, err
}
