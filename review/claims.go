package review

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/database"
)

// DefaultClaimTTL is how long a claim holds without its holder touching the check.
const DefaultClaimTTL = 30 * time.Minute

// Claim says who works on a check, so two people do not work the same case: a reviewer who took it
// from the queue, or someone an admin assigned it to. A claim lapses when its holder has not touched
// the check for the ledger's claim time; an assignment holds until it is released or the check is
// decided.
type Claim struct {
	CheckID    string
	UserID     string
	Email      string
	AssignedBy string // the admin's email; "" when the holder took the check themselves
	ClaimedAt  time.Time
	ActiveAt   time.Time // when the holder last worked on the check
}

// Assigned reports whether an admin gave the check to its holder.
func (c Claim) Assigned() bool { return c.AssignedBy != "" }

// HeldError refuses a claim, a release or a decision on a check someone else holds, and names them.
type HeldError struct{ Claim Claim }

func (e *HeldError) Error() string { return "review: the check is held by " + e.Claim.Email }

// ErrNotHeld is a release of a check nobody holds.
var ErrNotHeld = errors.New("review: nobody holds the check")

const claimColumns = `check_id, user_id, user_email, assigned_by, claimed_at, active_at`

// holds is the condition under which a claims row k holds: an assignment, or a claim touched after
// the time given as its one argument.
const holds = `(k.assigned_by IS NOT NULL OR k.active_at > ?)`

// HeldSince is the oldest activity that still holds a claim: a claim last touched at or before it has
// lapsed. It moves by whole minutes, so that the queue's counts by holder, which take it, can be
// reused for a moment: a claim lapses within a minute after its time.
func (l *Ledger) HeldSince() time.Time { return l.now().Add(-l.claimTTL).Truncate(time.Minute) }

// takeClaim is the one statement that gives a check to u unless someone else holds it: it inserts the
// claim, or takes over one that has lapsed, or refreshes u's own (keeping an assignment an
// assignment). In one statement it is atomic on either database: on PostgreSQL a concurrent insert of
// the same check waits for the other and then sees its row; SQLite runs one writer at a time. No row
// comes back when someone else holds the check.
const takeClaim = `INSERT INTO check_claims AS k (` + claimColumns + `) VALUES (?, ?, ?, NULL, ?, ?)
	ON CONFLICT (check_id) DO UPDATE SET
		claimed_at = CASE WHEN k.user_id = excluded.user_id THEN k.claimed_at ELSE excluded.claimed_at END,
		assigned_by = CASE WHEN k.user_id = excluded.user_id THEN k.assigned_by ELSE NULL END,
		user_id = excluded.user_id, user_email = excluded.user_email, active_at = excluded.active_at
	WHERE k.user_id = excluded.user_id OR NOT ` + holds + `
	RETURNING ` + claimColumns

// Claim gives checkID to u unless someone else holds it, which comes back as a *HeldError. Claiming a
// check one holds already counts as activity on it.
func (l *Ledger) Claim(ctx context.Context, checkID string, u auth.User) (Claim, error) {
	var c Claim
	err := l.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		c, err = l.claimIn(ctx, tx, checkID, u)
		return err
	})
	return c, err
}

func (l *Ledger) claimIn(ctx context.Context, tx *sql.Tx, checkID string, u auth.User) (Claim, error) {
	if !validReviewRef(checkID, true) || u.ID == "" || u.Email == "" {
		return Claim{}, errors.New("review: claim: a check id and the user's id and email are required")
	}
	now := database.Unix(l.now())
	c, err := scanClaim(tx.QueryRowContext(ctx, l.db.Q(takeClaim), checkID, u.ID, u.Email, now, now, database.Unix(l.HeldSince())))
	if err == sql.ErrNoRows {
		holder, err := scanClaim(tx.QueryRowContext(ctx, l.db.Q(`SELECT `+claimColumns+` FROM check_claims WHERE check_id = ?`), checkID))
		if err != nil {
			return Claim{}, fmt.Errorf("review: claim: read the holder: %w", err)
		}
		return Claim{}, &HeldError{Claim: holder}
	}
	if err != nil {
		return Claim{}, fmt.Errorf("review: claim: %w", err)
	}
	return c, nil
}

// Touch records activity by userID on a check they hold, which keeps their claim from lapsing; it does
// nothing when they do not hold it.
func (l *Ledger) Touch(ctx context.Context, checkID, userID string) error {
	_, err := l.db.Exec(ctx, `UPDATE check_claims SET active_at = ? WHERE check_id = ? AND user_id = ? AND active_at < ?`,
		database.Unix(l.now()), checkID, userID, database.Unix(l.now()))
	if err != nil {
		return fmt.Errorf("review: touch claim: %w", err)
	}
	return nil
}

// Release gives checkID back to the queue and returns the claim it ended. Only its holder releases a
// check, unless anyone is true (an admin unassigning); someone else's claim comes back as a
// *HeldError, and a check nobody holds as ErrNotHeld.
func (l *Ledger) Release(ctx context.Context, checkID, userID string, anyone bool) (Claim, error) {
	var c Claim
	err := l.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		c, err = scanClaim(tx.QueryRowContext(ctx, l.db.Q(`SELECT `+claimColumns+` FROM check_claims k
			WHERE check_id = ? AND `+holds+l.db.ForUpdate()), checkID, database.Unix(l.HeldSince())))
		switch {
		case err == sql.ErrNoRows:
			return ErrNotHeld
		case err != nil:
			return fmt.Errorf("review: release: %w", err)
		case c.UserID != userID && !anyone:
			return &HeldError{Claim: c}
		}
		if _, err := tx.ExecContext(ctx, l.db.Q(`DELETE FROM check_claims WHERE check_id = ?`), checkID); err != nil {
			return fmt.Errorf("review: release: %w", err)
		}
		return nil
	})
	return c, err
}

// Assign gives checkID to to, whoever held it, as an assignment by the admin whose email is by; it
// returns the claim it replaced (zero when the check was free).
func (l *Ledger) Assign(ctx context.Context, checkID string, to auth.User, by string) (prev Claim, err error) {
	if !validReviewRef(checkID, true) || to.ID == "" || to.Email == "" || by == "" {
		return Claim{}, errors.New("review: assign: a check id, the assignee's id and email and the admin's email are required")
	}
	err = l.db.Tx(ctx, func(tx *sql.Tx) error {
		prev, err = scanClaim(tx.QueryRowContext(ctx, l.db.Q(`SELECT `+claimColumns+` FROM check_claims k
			WHERE check_id = ? AND `+holds+l.db.ForUpdate()), checkID, database.Unix(l.HeldSince())))
		if err != nil && err != sql.ErrNoRows {
			return fmt.Errorf("review: assign: %w", err)
		}
		now := database.Unix(l.now())
		_, err = tx.ExecContext(ctx, l.db.Q(`INSERT INTO check_claims (`+claimColumns+`) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (check_id) DO UPDATE SET user_id = excluded.user_id, user_email = excluded.user_email,
				assigned_by = excluded.assigned_by, claimed_at = excluded.claimed_at, active_at = excluded.active_at`),
			checkID, to.ID, to.Email, by, now, now)
		if err != nil {
			return fmt.Errorf("review: assign: %w", err)
		}
		return nil
	})
	return prev, err
}

// ClaimOf returns who holds checkID; ok is false when nobody does (a lapsed claim holds nothing).
func (l *Ledger) ClaimOf(ctx context.Context, checkID string) (c Claim, ok bool, err error) {
	m, err := l.ClaimsOf(ctx, []string{checkID})
	c, ok = m[checkID]
	return c, ok, err
}

// ClaimsOf maps each of the given checks that someone holds to its claim, for a page of a list.
func (l *Ledger) ClaimsOf(ctx context.Context, checkIDs []string) (map[string]Claim, error) {
	m := make(map[string]Claim, len(checkIDs))
	for from := 0; from < len(checkIDs); from += 500 {
		ids := checkIDs[from:min(len(checkIDs), from+500)]
		args := append(database.Anys(ids), database.Unix(l.HeldSince()))
		rows, err := l.db.Query(ctx, `SELECT `+claimColumns+` FROM check_claims k WHERE check_id IN (`+
			database.Placeholders(len(ids))+`) AND `+holds, args...)
		if err != nil {
			return nil, fmt.Errorf("review: claims: %w", err)
		}
		for rows.Next() {
			c, err := scanClaim(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			m[c.CheckID] = c
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("review: claims: %w", err)
		}
	}
	return m, nil
}

func scanClaim(s database.Scanner) (Claim, error) {
	var c Claim
	var by sql.NullString
	var claimed, active int64
	if err := s.Scan(&c.CheckID, &c.UserID, &c.Email, &by, &claimed, &active); err != nil {
		if err == sql.ErrNoRows {
			return Claim{}, err
		}
		return Claim{}, fmt.Errorf("review: read claim: %w", err)
	}
	c.AssignedBy, c.ClaimedAt, c.ActiveAt = by.String, database.FromUnix(claimed), database.FromUnix(active)
	return c, nil
}
