package sandbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/hiveconsole/hiveconsole/hive"
)

// scanner is what *sql.Row and *sql.Rows share.
type scanner interface{ Scan(dest ...any) error }

func scanCustomer(r scanner) (hive.Customer, error) {
	var c hive.Customer
	var body []byte
	if err := r.Scan(&body); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return c, errNotFound
		}
		return c, err
	}
	err := json.Unmarshal(body, &c)
	return c, err
}

func customerBody(c hive.Customer) ([]byte, error) {
	if c.Metadata == nil {
		c.Metadata = hive.Metadata{} // the API always sends an object
	}
	return json.Marshal(c)
}

// insertCustomer stores a new customer; seq 0 means "next".
func insertCustomer(ctx context.Context, q querier, c hive.Customer, seq int64) error {
	if seq == 0 {
		var err error
		if seq, err = nextSeq(ctx, q, "customers"); err != nil {
			return err
		}
	}
	body, err := customerBody(c)
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `INSERT INTO customers (id, seq, created_at, body) VALUES (?, ?, ?, ?)`,
		c.ID, seq, c.CreatedAt.Unix(), body)
	return err
}

func customerByID(ctx context.Context, q querier, id string) (hive.Customer, error) {
	return scanCustomer(q.QueryRowContext(ctx, `SELECT body FROM customers WHERE id = ?`, id))
}

func (s *store) customer(ctx context.Context, id string) (hive.Customer, error) {
	return customerByID(ctx, s.db, id)
}

// eachCustomerJSON calls fn with every customer's JSON, newest first, streaming from the database.
func (s *store) eachCustomerJSON(ctx context.Context, fn func(json.RawMessage) error) error {
	scan := func(r scanner) (json.RawMessage, error) {
		var body json.RawMessage
		err := r.Scan(&body)
		return body, err
	}
	return eachRow(ctx, s.db, `SELECT body FROM customers ORDER BY created_at DESC, seq DESC`, scan, fn)
}

// updateCustomer applies change to the stored customer inside one transaction.
func (s *store) updateCustomer(ctx context.Context, id string, change func(*hive.Customer) error) (hive.Customer, error) {
	var c hive.Customer
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		if c, err = customerByID(ctx, tx, id); err != nil {
			return err
		}
		if err := change(&c); err != nil {
			return err
		}
		body, err := customerBody(c)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE customers SET body = ? WHERE id = ?`, body, id)
		return err
	})
	return c, err
}

// deleteCustomer removes a customer; the schema cascades to sessions, checks, reports and files.
func (s *store) deleteCustomer(ctx context.Context, id string) (hive.Customer, error) {
	var c hive.Customer
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		if c, err = customerByID(ctx, tx, id); err != nil {
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
