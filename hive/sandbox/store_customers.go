package sandbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/hiveconsole/hiveconsole/hive"
)

const customerColumns = `id, email, phone, first_name, middle_name, last_name, gender, dob, metadata, created_at, updated_at`

// scanner is what *sql.Row and *sql.Rows share.
type scanner interface{ Scan(dest ...any) error }

func scanCustomer(r scanner) (hive.Customer, error) {
	var c hive.Customer
	var phone, first, middle, last, gender, dob sql.NullString
	var meta string
	var created, updated int64
	if err := r.Scan(&c.ID, &c.Email, &phone, &first, &middle, &last, &gender, &dob, &meta, &created, &updated); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return c, errNotFound
		}
		return c, err
	}
	c.Phone, c.FirstName, c.MiddleName, c.LastName = stringPtr(phone), stringPtr(first), stringPtr(middle), stringPtr(last)
	c.Gender, c.DOB = stringPtr(gender), stringPtr(dob)
	c.Metadata = hive.Metadata{}
	if err := json.Unmarshal([]byte(meta), &c.Metadata); err != nil {
		return c, err
	}
	c.CreatedAt, c.UpdatedAt = time.Unix(created, 0).UTC(), time.Unix(updated, 0).UTC()
	return c, nil
}

// insertCustomer stores a new customer; seq 0 means "next".
func insertCustomer(ctx context.Context, q querier, c hive.Customer, seq int64) error {
	if seq == 0 {
		var err error
		if seq, err = nextSeq(ctx, q, "customers"); err != nil {
			return err
		}
	}
	meta, err := json.Marshal(nonNilMetadata(c.Metadata))
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `INSERT INTO customers (`+customerColumns+`, seq) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
		c.ID, c.Email, nullString(c.Phone), nullString(c.FirstName), nullString(c.MiddleName), nullString(c.LastName),
		nullString(c.Gender), nullString(c.DOB), string(meta), c.CreatedAt.Unix(), c.UpdatedAt.Unix(), seq)
	return err
}

func nonNilMetadata(m hive.Metadata) hive.Metadata {
	if m == nil {
		return hive.Metadata{}
	}
	return m
}

func (s *store) customer(ctx context.Context, id string) (hive.Customer, error) {
	return scanCustomer(s.db.QueryRowContext(ctx, `SELECT `+customerColumns+` FROM customers WHERE id = ?`, id))
}

// eachCustomer calls fn for every customer, newest first, streaming from the database.
func (s *store) eachCustomer(ctx context.Context, fn func(hive.Customer) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT `+customerColumns+` FROM customers ORDER BY created_at DESC, seq DESC`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanCustomer(rows)
		if err != nil {
			return err
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	return rows.Err()
}

// updateCustomer applies change to the stored customer inside one transaction.
func (s *store) updateCustomer(ctx context.Context, id string, change func(*hive.Customer) error) (hive.Customer, error) {
	var c hive.Customer
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		c, err = scanCustomer(tx.QueryRowContext(ctx, `SELECT `+customerColumns+` FROM customers WHERE id = ?`, id))
		if err != nil {
			return err
		}
		if err := change(&c); err != nil {
			return err
		}
		meta, err := json.Marshal(nonNilMetadata(c.Metadata))
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE customers SET email=?, phone=?, first_name=?, middle_name=?, last_name=?,
			gender=?, dob=?, metadata=?, updated_at=? WHERE id=?`,
			c.Email, nullString(c.Phone), nullString(c.FirstName), nullString(c.MiddleName), nullString(c.LastName),
			nullString(c.Gender), nullString(c.DOB), string(meta), c.UpdatedAt.Unix(), id)
		return err
	})
	return c, err
}

// deleteCustomer removes a customer; the schema cascades to sessions, checks, reports and files.
func (s *store) deleteCustomer(ctx context.Context, id string) (hive.Customer, error) {
	var c hive.Customer
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		c, err = scanCustomer(tx.QueryRowContext(ctx, `SELECT `+customerColumns+` FROM customers WHERE id = ?`, id))
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM customers WHERE id = ?`, id)
		return err
	})
	return c, err
}

func (s *store) count(ctx context.Context, table string) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n)
	return n, err
}
