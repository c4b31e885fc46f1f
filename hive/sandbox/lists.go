package sandbox

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"
)

// Streamed lists.
const (
	// listBuffer is how much of a list is gathered before it goes to the client: large enough
	// for few writes, small enough that a list's memory does not depend on its length.
	listBuffer = 32 << 10
	// defaultListStall is how long a write of a list may wait on a client that has stopped reading
	// before the list is abandoned.
	defaultListStall = 30 * time.Second
)

// streamList writes {"data":[…],"meta":{"total":n}} item by item as each reads them from the
// database, so the sandbox's memory does not grow with the account: a million customers are a
// few hundred megabytes of JSON that never sit in memory together.
//
// each runs one SELECT, and SQLite reads one statement from one snapshot, so total counts
// exactly the items sent, however many writes land meanwhile (WAL lets them). The envelope
// keeps the reference's key order, data before meta, which is what lets the count come last.
//
// A list ends early when its client goes away or has taken nothing for stall: the failed write
// stops the query, which gives its connection and snapshot back to the pool. A failure before
// the first byte is sent is an error response; after it, the response is aborted, which the
// client sees as a truncated body rather than a list that looks complete.
func streamList[T any](w http.ResponseWriter, r *http.Request, stall time.Duration, each func(context.Context, func(T) error) error) error {
	w.Header().Set("Content-Type", "application/json")
	sw := &stallWriter{w: w, rc: http.NewResponseController(w), stall: stall}
	bw := bufio.NewWriterSize(sw, listBuffer)
	n := 0
	_, _ = bw.WriteString(`{"data":[`)
	err := each(r.Context(), func(v T) error {
		b, err := marshalItem(v)
		if err != nil {
			return err
		}
		if n > 0 {
			_ = bw.WriteByte(',')
		}
		n++
		_, err = bw.Write(b)
		return err
	})
	if err == nil {
		_, _ = bw.WriteString(`],"meta":{"total":` + strconv.Itoa(n) + "}}\n")
		err = bw.Flush()
	}
	if err != nil {
		if !sw.sent {
			return err // nothing was sent: the client gets an error body
		}
		panic(http.ErrAbortHandler)
	}
	// What net/http still buffers goes out under the last write's deadline; the server clears
	// the deadline before the connection's next request.
	return nil
}

// stallWriter writes to the client with a deadline, so that a client that stops reading cannot
// hold the list, and the database connection it reads from, for ever.
type stallWriter struct {
	w     http.ResponseWriter
	rc    *http.ResponseController
	stall time.Duration
	sent  bool // the response has begun: too late for an error status
}

func (s *stallWriter) Write(p []byte) (int, error) {
	if err := unlessUnsupported(s.rc.SetWriteDeadline(time.Now().Add(s.stall))); err != nil {
		return 0, err
	}
	s.sent = true
	return s.w.Write(p)
}

// unlessUnsupported ignores http.ErrNotSupported: a ResponseWriter without a connection behind it
// (a recorder in a test, a handler called in-process) cannot stall.
func unlessUnsupported(err error) error {
	if errors.Is(err, http.ErrNotSupported) {
		return nil
	}
	return err
}

// marshalItem encodes a list item; stored JSON is written as it is.
func marshalItem(v any) ([]byte, error) {
	if raw, ok := v.(json.RawMessage); ok {
		return raw, nil
	}
	return json.Marshal(v)
}
