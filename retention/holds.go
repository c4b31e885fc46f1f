// Package retention decides which customers the console may forget, and keeps what must stop it: a
// legal hold on a customer keeps everything of theirs, whatever the policy says, until an admin
// releases it. Holds are placed and released with a reason, and their history is kept.
package retention

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/database"
)

// Hold errors, for errors.Is.
var (
	// ErrHeld refuses a hold on a customer who has one in force.
	ErrHeld = errors.New("retention: the customer is under a legal hold already")
	// ErrNotHeld refuses a release for a customer with no hold in force.
	ErrNotHeld = errors.New("retention: the customer is not under a legal hold")
	// ErrReason is a reason that is missing, too short or too long (see ReasonProblem).
	ErrReason = errors.New("retention: a hold needs a reason")
	// ErrDeleting refuses a hold on a customer whose deletion by retention is under way.
	ErrDeleting = errors.New("retention: the customer's deletion under the retention policy is under way")
)

// Hold is one legal hold on a customer, in force while Released is zero.
type Hold struct {
	ID               int64
	CustomerID       string
	Reason           string
	HeldByID, HeldBy string // the admin's id and email
	HeldAt           time.Time
	ReleaseReason    string
	ReleasedByID     string
	ReleasedBy       string
	Released         time.Time // zero while in force
}

// InForce reports whether the hold still stops retention.
func (h Hold) InForce() bool { return h.Released.IsZero() }

// Holds is the legal holds kept in the console database. Build it with NewHolds.
type Holds struct {
	db  *database.DB
	now func() time.Time
}

// NewHolds returns the holds kept in db; now is the clock (time.Now when nil).
func NewHolds(db *database.DB, now func() time.Time) *Holds {
	if now == nil {
		now = time.Now
	}
	return &Holds{db: db, now: now}
}

// ReasonProblem says what is wrong with a hold's or a release's reason, or "" when it will do:
// 3 to 500 characters once spaces are collapsed.
func ReasonProblem(reason string) string {
	switch n := utf8.RuneCountInString(CleanReason(reason)); {
	case n == 0:
		return "Give the reason: it goes into the audit trail and onto the customer's page."
	case n < 3:
		return "Give a reason of at least 3 characters."
	case n > 500:
		return "Keep the reason under 500 characters."
	}
	return ""
}

// CleanReason is a reason as stored: runs of white space, line breaks included, made one space.
func CleanReason(reason string) string { return strings.Join(strings.Fields(reason), " ") }

// Place puts the customer under a legal hold by admin, for reason; ErrHeld when one is in force
// (also when two admins place one at once: the second is refused by the database).
func (h *Holds) Place(ctx context.Context, customerID string, admin auth.User, reason string) (Hold, error) {
	reason = CleanReason(reason)
	if ReasonProblem(reason) != "" {
		return Hold{}, ErrReason
	}
	now := h.now().UTC().Truncate(time.Second)
	var id int64
	// Under the holds' lock, which retention takes too before it begins deleting a customer: a hold
	// either comes first and stops the deletion, or finds it under way and is refused.
	err := h.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := h.db.LockTable(ctx, tx, "legal_holds"); err != nil {
			return err
		}
		var deleting int
		if err := tx.QueryRowContext(ctx, h.db.Q(`SELECT COUNT(*) FROM retention_items WHERE customer_id = ? AND state = 'attempted'`),
			customerID).Scan(&deleting); err != nil {
			return err
		}
		if deleting > 0 {
			return ErrDeleting
		}
		return tx.QueryRowContext(ctx, h.db.Q(`INSERT INTO legal_holds (customer_id, reason, held_by_id, held_by_email, held_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`), customerID, reason, admin.ID, admin.Email, database.Unix(now)).Scan(&id)
	})
	if errors.Is(err, ErrDeleting) {
		return Hold{}, err
	}
	if h.db.UniqueViolation(err) {
		return Hold{}, ErrHeld
	}
	if err != nil {
		return Hold{}, fmt.Errorf("retention: place a legal hold: %w", err)
	}
	return Hold{ID: id, CustomerID: customerID, Reason: reason, HeldByID: admin.ID, HeldBy: admin.Email, HeldAt: now}, nil
}

// Release ends the customer's hold in force, by admin, for reason; ErrNotHeld when there is none.
func (h *Holds) Release(ctx context.Context, customerID string, admin auth.User, reason string) (Hold, error) {
	reason = CleanReason(reason)
	if ReasonProblem(reason) != "" {
		return Hold{}, ErrReason
	}
	now := h.now().UTC().Truncate(time.Second)
	res, err := h.db.Exec(ctx, `UPDATE legal_holds SET release_reason = ?, released_by_id = ?, released_by_email = ?, released_at = ?
		WHERE customer_id = ? AND released_at IS NULL`, reason, admin.ID, admin.Email, database.Unix(now), customerID)
	if err != nil {
		return Hold{}, fmt.Errorf("retention: release a legal hold: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return Hold{}, ErrNotHeld
	}
	hist, err := h.History(ctx, customerID)
	if err != nil || len(hist) == 0 {
		return Hold{}, err
	}
	return hist[0], nil
}

const holdColumns = `id, customer_id, reason, held_by_id, held_by_email, held_at,
	release_reason, released_by_id, released_by_email, released_at`

func scanHold(s database.Scanner) (Hold, error) {
	var (
		hd                 Hold
		held               int64
		why, byID, byEmail sql.NullString
		released           sql.NullInt64
	)
	if err := s.Scan(&hd.ID, &hd.CustomerID, &hd.Reason, &hd.HeldByID, &hd.HeldBy, &held, &why, &byID, &byEmail, &released); err != nil {
		return Hold{}, fmt.Errorf("retention: read a legal hold: %w", err)
	}
	hd.HeldAt, hd.Released = database.FromUnix(held), database.FromNullUnix(released)
	hd.ReleaseReason, hd.ReleasedByID, hd.ReleasedBy = why.String, byID.String, byEmail.String
	return hd, nil
}

// History is every hold of the customer, newest first: the one in force, if any, comes first.
func (h *Holds) History(ctx context.Context, customerID string) ([]Hold, error) {
	rows, err := h.db.Query(ctx, `SELECT `+holdColumns+` FROM legal_holds WHERE customer_id = ? ORDER BY held_at DESC, id DESC`, customerID)
	if err != nil {
		return nil, fmt.Errorf("retention: list legal holds: %w", err)
	}
	defer rows.Close()
	var out []Hold
	for rows.Next() {
		hd, err := scanHold(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, hd)
	}
	return out, rows.Err()
}

// InForce returns the customer's hold in force; ok is false when there is none.
func (h *Holds) InForce(ctx context.Context, customerID string) (hold Hold, ok bool, err error) {
	hist, err := h.History(ctx, customerID)
	if err != nil || len(hist) == 0 || !hist[0].InForce() {
		return Hold{}, false, err
	}
	return hist[0], true, nil
}
