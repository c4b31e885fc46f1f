package auth

import (
	"context"
	"database/sql"
	"fmt"
)

const reviewColumns = `id, check_id, customer_id, decision, reason, note, session_id, reviewer_id, reviewer_email, created_at`

// newestFirst is the one definition of "newest": by time, then by id for reviews in the same second.
const newestFirst = ` ORDER BY created_at DESC, id DESC`

func scanReview(s scanner) (Review, error) {
	var (
		r                           Review
		decision                    string
		customer, reason, sessionID sql.NullString
		created                     int64
	)
	err := s.Scan(&r.ID, &r.CheckID, &customer, &decision, &reason, &r.Note, &sessionID, &r.ReviewerID, &r.ReviewerEmail, &created)
	if err != nil {
		return Review{}, fmt.Errorf("auth: read review: %w", err)
	}
	r.Decision = ReviewDecision(decision)
	r.CustomerID, r.Reason, r.SessionID = customer.String, reason.String, sessionID.String
	r.CreatedAt = fromUnix(created)
	return r, nil
}

// CreateReview inserts r and returns its id. RETURNING works in SQLite and PostgreSQL alike, where
// LastInsertId does not.
func (db *DB) CreateReview(ctx context.Context, r Review) (int64, error) {
	var id int64
	err := db.queryRow(ctx, `INSERT INTO reviews (check_id, customer_id, decision, reason, note,
		session_id, reviewer_id, reviewer_email, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		r.CheckID, nullString(r.CustomerID), string(r.Decision), nullString(r.Reason), r.Note,
		nullString(r.SessionID), r.ReviewerID, r.ReviewerEmail, unix(r.CreatedAt)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("auth: create review: %w", err)
	}
	return id, nil
}

// CheckReviews returns a check's reviews, newest first.
func (db *DB) CheckReviews(ctx context.Context, checkID string) ([]Review, error) {
	return db.queryReviews(ctx, "check reviews", `SELECT `+reviewColumns+` FROM reviews WHERE check_id = ?`+newestFirst, checkID)
}

// CustomerReviews returns a customer's reviews, newest first.
func (db *DB) CustomerReviews(ctx context.Context, customerID string) ([]Review, error) {
	return db.queryReviews(ctx, "customer reviews", `SELECT `+reviewColumns+` FROM reviews WHERE customer_id = ?`+newestFirst, customerID)
}

// LatestReviews returns each check's newest review. A window function (SQLite 3.25+, PostgreSQL)
// picks it in one pass over the check index.
func (db *DB) LatestReviews(ctx context.Context) (map[string]Review, error) {
	list, err := db.queryReviews(ctx, "latest reviews", `SELECT `+reviewColumns+` FROM (
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

// queryReviews runs a query for review rows; never nil, so "none" is an empty slice.
func (db *DB) queryReviews(ctx context.Context, op, query string, args ...any) ([]Review, error) {
	rows, err := db.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("auth: %s: %w", op, err)
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
		return nil, fmt.Errorf("auth: %s: %w", op, err)
	}
	return reviews, nil
}
