package hive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// DefaultMaxItemBytes bounds one object of a streamed list: a customer with a large metadata object
// is a few kilobytes, so a megabyte is generous and still keeps a hostile list from growing memory.
const DefaultMaxItemBytes = 1 << 20

// EachCustomer reads Hive's list of customers as it arrives, calling fn with each one fit to use,
// newest first, so memory does not grow with the account. Objects unfit to use are skipped and
// reported as ListCustomers reports them. It returns nil only when the whole list was read: a list
// cut short, unreadable or refused is an *Error, and an error from fn ends the read and is returned
// as it is.
func (c *Client) EachCustomer(ctx context.Context, fn func(*Customer) error) error {
	return each(ctx, c, "GET /customers", "customers", fn)
}

// EachSession reads Hive's list of SDK sessions as it arrives; see EachCustomer.
func (c *Client) EachSession(ctx context.Context, fn func(*Session) error) error {
	return each(ctx, c, "GET /sessions", "sessions", fn)
}

// EachCheck reads Hive's list of checks as it arrives; see EachCustomer.
func (c *Client) EachCheck(ctx context.Context, fn func(*Check) error) error {
	return each(ctx, c, "GET /checks", "checks", fn)
}

// EachFile reads Hive's list of files as it arrives; see EachCustomer.
func (c *Client) EachFile(ctx context.Context, fn func(*File) error) error {
	return each(ctx, c, "GET /files", "files", fn)
}

// callerError carries an error of the caller's fn through the breaker, which must not count it
// against Hive.
type callerError struct{ err error }

func (e *callerError) Error() string { return e.err.Error() }
func (e *callerError) Unwrap() error { return e.err }

// each streams one list. Instead of a limit on the whole body, each object is limited to
// maxItem bytes; instead of a timeout on the whole call (a million customers take a while), the
// read fails when no object arrives within the call timeout.
func each[T any](ctx context.Context, c *Client, op, collection string, fn func(*T) error) error {
	err := c.breakers.guard(op, func() error {
		ctx, cancel := context.WithCancelCause(ctx)
		defer cancel(nil)
		stalled := errors.New("no object arrived in time")
		timer := time.AfterFunc(c.timeout, func() { cancel(stalled) })
		defer timer.Stop()
		resp, err := c.transmit(ctx, request{method: http.MethodGet, op: op, url: c.endpoint(collection)})
		if err != nil {
			if context.Cause(ctx) == stalled {
				return &Error{Code: CodeUnavailable, Op: op, Message: "Hive took too long to answer", Err: stalled}
			}
			return err
		}
		defer resp.Body.Close()
		conn := &watchedReader{r: resp.Body}
		body := &limitedReader{r: conn, n: c.maxItem}
		dec := json.NewDecoder(body)
		err = walkList(dec, nil, func(dec *json.Decoder, i int) error {
			item, err := readItem[T](dec)
			body.n = c.maxItem // the budget is per object: the next one starts afresh
			timer.Reset(c.timeout)
			var f *invalidField
			switch {
			case errors.As(err, &f):
				c.reject(ctx, op, i, err)
				return nil
			case err != nil:
				return err
			}
			if err := fn(&item); err != nil {
				return &callerError{err}
			}
			return nil
		})
		if err == nil {
			if _, terr := dec.Token(); terr != io.EOF {
				err = errors.New("data after the list")
			}
		}
		var ce *callerError
		switch {
		case err == nil, errors.As(err, &ce):
			return err
		case context.Cause(ctx) == stalled:
			return &Error{Code: CodeUnavailable, Op: op, Message: "Hive stopped sending the list", Err: stalled}
		case ctx.Err() != nil:
			return &Error{Code: CodeUnavailable, Op: op, Message: "Hive stopped sending the list", Err: ctx.Err()}
		case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || conn.err != nil:
			return &Error{Code: CodeUnavailable, Op: op, Message: "Hive stopped sending the list", Err: err}
		}
		return badResponse(op, fmt.Errorf("list: %w", err))
	})
	var ce *callerError
	if errors.As(err, &ce) {
		return ce.err
	}
	return err
}

// watchedReader remembers its reader's failure (a connection reset, say), which the JSON decoder
// would otherwise report as an unreadable list rather than one Hive stopped sending.
type watchedReader struct {
	r   io.Reader
	err error
}

func (w *watchedReader) Read(p []byte) (int, error) {
	n, err := w.r.Read(p)
	if err != nil && err != io.EOF {
		w.err = err
	}
	return n, err
}
