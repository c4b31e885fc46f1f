package webhooks

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hiveconsole/hiveconsole/database"
)

// Dispatcher delivers the outbox's due deliveries: it claims a few at a time (one statement, so two
// replicas never claim the same), sends each signed, records the attempt, and schedules the next
// with exponential backoff and jitter until GiveUp after the event. Build it with its fields set;
// the rest default.
type Dispatcher struct {
	Store  *Store
	Allow  Allow
	Holder string // names this process in the deliveries it claims
	// Timeout bounds one attempt, connecting included (default 10 s).
	Timeout time.Duration
	// GiveUp is how long after its event a delivery is still tried (default three days).
	GiveUp time.Duration
	// Backoff is the wait after the nth failed attempt (default 30 s doubling to at most 6 h, ±20%).
	Backoff func(n int) time.Duration
	// WriteBack delivers to WritebackEndpoint, Hive itself (see WriteBack); without it, this
	// dispatcher leaves those deliveries to one that has it.
	WriteBack func(ctx context.Context, eventType string, body []byte) (status int, answer string, err error)
	Log       *slog.Logger

	client *http.Client
}

// Batch is how many deliveries a dispatcher claims at a time.
const Batch = 20

// responseHead is how much of an answer an attempt keeps.
const responseHead = 512

func (d *Dispatcher) timeout() time.Duration {
	if d.Timeout > 0 {
		return d.Timeout
	}
	return 10 * time.Second
}

func (d *Dispatcher) giveUp() time.Duration {
	if d.GiveUp > 0 {
		return d.GiveUp
	}
	return 72 * time.Hour
}

func (d *Dispatcher) backoff(n int) time.Duration {
	if d.Backoff != nil {
		return d.Backoff(n)
	}
	wait := 30 * time.Second << min(n-1, 10)
	wait = min(wait, 6*time.Hour)
	return time.Duration(float64(wait) * (0.8 + 0.4*rand.Float64()))
}

func (d *Dispatcher) log() *slog.Logger {
	if d.Log != nil {
		return d.Log
	}
	return slog.New(slog.DiscardHandler)
}

// httpClient sends to allowed addresses only: the dialler refuses the rest after DNS, no proxy
// dials for it, redirects are not followed (a 3xx is a failed attempt), and the attempt's time
// bounds everything.
func (d *Dispatcher) httpClient() *http.Client {
	if d.client == nil {
		dialer := &net.Dialer{Timeout: d.timeout(), Control: d.Allow.control}
		d.client = &http.Client{
			Transport: &http.Transport{Proxy: nil, DialContext: dialer.DialContext, TLSHandshakeTimeout: d.timeout(),
				ResponseHeaderTimeout: d.timeout(), MaxIdleConnsPerHost: 2, IdleConnTimeout: time.Minute, ForceAttemptHTTP2: true},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
			Timeout:       d.timeout(),
		}
	}
	return d.client
}

// Run delivers what is due every interval until ctx ends, and prunes the outbox of what it has
// kept longer than Keep once an hour.
func (d *Dispatcher) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	var pruned time.Time
	for {
		if time.Since(pruned) >= time.Hour {
			if _, err := d.Store.Prune(ctx, Keep); err != nil && ctx.Err() == nil {
				d.log().Warn("webhooks: prune", slog.Any("err", err))
			}
			pruned = time.Now()
		}
		for {
			n, err := d.DeliverDue(ctx)
			if err != nil && ctx.Err() == nil {
				d.log().Warn("webhooks: deliver", slog.Any("err", err))
			}
			if n < Batch || err != nil {
				break // caught up
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// DeliverDue claims up to Batch due deliveries of enabled endpoints and sends them; it returns how
// many it claimed.
func (d *Dispatcher) DeliverDue(ctx context.Context) (int, error) {
	s := d.Store
	now := s.now()
	// Each is claimed again, for its own attempt, just before it is sent; one whose turn comes after
	// this claim lapsed and another replica took it is left to that replica.
	lease := now.Add(d.leaseFor()).UnixMilli()
	skip := "" // the endpoint this dispatcher cannot deliver to
	if d.WriteBack == nil {
		skip = WritebackEndpoint
	}
	// A read first: most seconds nothing is due, and a claim is a write that would queue behind the
	// sync's long transactions on SQLite for nothing.
	var due int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM webhook_deliveries
		WHERE state = 'pending' AND next_at <= ? AND (lease_until IS NULL OR lease_until < ?) LIMIT 1) x`,
		now.UnixMilli(), now.UnixMilli()).Scan(&due); err != nil {
		return 0, fmt.Errorf("webhooks: look for due deliveries: %w", err)
	}
	if due == 0 {
		return 0, nil
	}
	rows, err := s.db.Query(ctx, `UPDATE webhook_deliveries SET holder = ?, lease_until = ?
		WHERE id IN (SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
			WHERE d.state = 'pending' AND d.next_at <= ? AND (d.lease_until IS NULL OR d.lease_until < ?) AND e.enabled = 1
				AND e.id <> ?
			ORDER BY d.next_at LIMIT ?)
		AND state = 'pending' AND (lease_until IS NULL OR lease_until < ?)
		RETURNING id`, d.Holder, lease, now.UnixMilli(), now.UnixMilli(), skip, Batch, now.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("webhooks: claim deliveries: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for i, id := range ids {
		if err := d.send(ctx, id); err != nil {
			d.release(ids[i:]) // another round, here or on another replica, takes them at once
			return len(ids), err
		}
	}
	return len(ids), nil
}

// leaseFor is how long a claim on one delivery lasts: its attempt's time and a margin.
func (d *Dispatcher) leaseFor() time.Duration { return 2*d.timeout() + 30*time.Second }

// release gives back deliveries this dispatcher claimed but will not send now.
func (d *Dispatcher) release(ids []int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, id := range ids {
		if _, err := d.Store.db.Exec(ctx, `UPDATE webhook_deliveries SET holder = NULL, lease_until = NULL WHERE id = ? AND holder = ?`,
			id, d.Holder); err != nil {
			d.log().Warn("webhooks: give back a delivery", slog.Int64("delivery", id), slog.Any("err", err))
			return
		}
	}
}

// send makes one attempt of a claimed delivery and records it.
func (d *Dispatcher) send(ctx context.Context, id int64) error {
	s := d.Store
	var (
		endpointID, url, eventID, eventType, body string
		attempts                                  int
		created                                   int64
	)
	// Still ours, and pending (send again may have reset it, another replica may have taken it
	// after a lapse): renew the claim for this attempt alone, or leave it.
	res, err := s.db.Exec(ctx, `UPDATE webhook_deliveries SET lease_until = ? WHERE id = ? AND holder = ? AND state = 'pending'`,
		s.now().Add(d.leaseFor()).UnixMilli(), id, d.Holder)
	if err != nil {
		return fmt.Errorf("webhooks: renew a claim: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return nil
	}
	if err := s.db.QueryRow(ctx, `SELECT e.id, e.url, v.id, v.type, v.body, d.attempts, v.created_at
		FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id JOIN webhook_events v ON v.id = d.event_id
		WHERE d.id = ?`, id).Scan(&endpointID, &url, &eventID, &eventType, &body, &attempts, &created); err != nil {
		return fmt.Errorf("webhooks: read a delivery: %w", err)
	}
	start := s.now()
	var (
		status  int
		answer  any
		sendErr error
	)
	if endpointID == WritebackEndpoint {
		attemptCtx, cancel := context.WithTimeout(ctx, d.timeout())
		var text string
		status, text, sendErr = d.WriteBack(attemptCtx, eventType, []byte(body))
		cancel()
		answer = truncate(text, responseHead)
	} else if secrets, err := s.secrets(ctx, endpointID); err != nil {
		sendErr = err // a secret that does not open fails this endpoint's attempts, not every delivery
	} else {
		status, answer, sendErr = d.post(ctx, url, eventID, eventType, []byte(body), secrets)
	}
	spent := s.now().Sub(start)
	if ctx.Err() != nil {
		return ctx.Err() // stopped mid-attempt: the lease lapses and the attempt is made again
	}
	var errText any
	if sendErr != nil {
		errText = sendErr.Error()
	}
	var statusV any
	if status != 0 {
		statusV = status
	}
	attempts++
	ok := status >= 200 && status < 300
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.db.Q(`INSERT INTO webhook_attempts (delivery_id, at, status, duration_ms, error, response)
			VALUES (?, ?, ?, ?, ?, ?)`), id, database.Unix(start), statusV, spent.Milliseconds(), errText, answer); err != nil {
			return fmt.Errorf("webhooks: record an attempt: %w", err)
		}
		now := s.now()
		var q string
		var args []any
		switch {
		case ok:
			q, args = `UPDATE webhook_deliveries SET state = 'delivered', attempts = ?, delivered_at = ?, holder = NULL, lease_until = NULL
				WHERE id = ? AND holder = ?`, []any{attempts, database.Unix(now), id, d.Holder}
		case now.Sub(database.FromUnix(created)) >= d.giveUp():
			q, args = `UPDATE webhook_deliveries SET state = 'failed', attempts = ?, holder = NULL, lease_until = NULL
				WHERE id = ? AND holder = ?`, []any{attempts, id, d.Holder}
		default:
			q, args = `UPDATE webhook_deliveries SET attempts = ?, next_at = ?, holder = NULL, lease_until = NULL
				WHERE id = ? AND holder = ?`, []any{attempts, now.Add(d.backoff(attempts)).UnixMilli(), id, d.Holder}
		}
		res, err := tx.ExecContext(ctx, s.db.Q(q), args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			// Sent, but the claim had lapsed and another replica took it: its outcome stands.
			d.log().Warn("webhooks: a delivery's claim lapsed during its attempt", slog.Int64("delivery", id))
		}
		return nil
	})
}

// post sends body to url, signed, and returns the answer's status and first bytes.
func (d *Dispatcher) post(ctx context.Context, url, eventID, eventType string, body []byte, secrets [][]byte) (int, any, error) {
	if err := d.Allow.CheckURL(url); err != nil {
		return 0, nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, d.timeout())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "HiveConsole-Webhooks/1")
	req.Header.Set(EventIDHeader, eventID)
	req.Header.Set(EventTypeHeader, eventType)
	req.Header.Set(SignatureHeader, Sign(d.Store.now(), body, secrets...))
	resp, err := d.httpClient().Do(req)
	if err != nil {
		return 0, nil, errors.New(strings.ReplaceAll(err.Error(), url, "the endpoint"))
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, responseHead))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // let the connection be reused
	text := strings.ToValidUTF8(string(head), "\uFFFD")
	if !utf8.ValidString(text) {
		text = ""
	}
	return resp.StatusCode, text, nil
}

// truncate cuts s to at most n bytes, on a character's boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// SendTest queues a test event to one endpoint, whatever it subscribes to.
func (s *Store) SendTest(ctx context.Context, endpointID string) (Event, error) {
	if _, err := s.Endpoint(ctx, endpointID); err != nil {
		return Event{}, err
	}
	var e Event
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		e, err = s.Enqueue(ctx, tx, Test, TestData{Message: "A test event from Hive Console."}, endpointID)
		return err
	})
	return e, err
}

// ErrSending refuses to send again a delivery being sent right now.
var ErrSending = errors.New("webhooks: the delivery is being sent right now")

// Redeliver makes a delivery due again now, whatever became of it (the same event id: a receiver
// that already has it can tell); ErrSending while an attempt is under way.
func (s *Store) Redeliver(ctx context.Context, endpointID string, deliveryID int64) error {
	now := s.now().UnixMilli()
	res, err := s.db.Exec(ctx, `UPDATE webhook_deliveries SET state = 'pending', next_at = ?, holder = NULL, lease_until = NULL
		WHERE id = ? AND endpoint_id = ? AND (lease_until IS NULL OR lease_until < ?)`, now, deliveryID, endpointID, now)
	if err := one(res, err); err != nil {
		var exists int
		if s.db.QueryRow(ctx, `SELECT COUNT(*) FROM webhook_deliveries WHERE id = ? AND endpoint_id = ?`, deliveryID, endpointID).Scan(&exists); exists == 1 {
			return ErrSending
		}
		return err
	}
	return nil
}

// Delivery is one event's delivery to an endpoint, with its newest attempt.
type Delivery struct {
	ID        int64
	EventID   string
	EventType string
	Created   time.Time // the event's
	State     string    // pending, delivered or failed
	Attempts  int
	NextAt    time.Time // while pending
	Last      *Attempt  // nil before the first attempt
}

// Attempt is one try at a delivery.
type Attempt struct {
	At       time.Time
	Status   int // 0 when no answer came
	Duration time.Duration
	Error    string
	Response string // the answer's first bytes
}

// Deliveries lists an endpoint's newest deliveries first, at most limit, with their last attempts.
func (s *Store) Deliveries(ctx context.Context, endpointID string, limit int) ([]Delivery, error) {
	rows, err := s.db.Query(ctx, `SELECT d.id, v.id, v.type, v.created_at, d.state, d.attempts, d.next_at,
		a.at, a.status, a.duration_ms, a.error, a.response
		FROM webhook_deliveries d JOIN webhook_events v ON v.id = d.event_id
		LEFT JOIN webhook_attempts a ON a.id = (SELECT MAX(id) FROM webhook_attempts WHERE delivery_id = d.id)
		WHERE d.endpoint_id = ? ORDER BY d.id DESC LIMIT ?`, endpointID, limit)
	if err != nil {
		return nil, fmt.Errorf("webhooks: list deliveries: %w", err)
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		var (
			dl               Delivery
			created, next    int64
			at, status, dur  sql.NullInt64
			errText, respons sql.NullString
		)
		if err := rows.Scan(&dl.ID, &dl.EventID, &dl.EventType, &created, &dl.State, &dl.Attempts, &next, &at, &status, &dur, &errText, &respons); err != nil {
			return nil, err
		}
		dl.Created, dl.NextAt = database.FromUnix(created), time.UnixMilli(next).UTC()
		if at.Valid {
			dl.Last = &Attempt{At: database.FromUnix(at.Int64), Status: int(status.Int64), Duration: time.Duration(dur.Int64) * time.Millisecond,
				Error: errText.String, Response: respons.String}
		}
		out = append(out, dl)
	}
	return out, rows.Err()
}

// Keep is how long the outbox keeps an event whose every delivery has ended (delivered or given
// up), with its deliveries and their attempts: long enough to look into what a receiver says it
// never got, not forever.
const Keep = 90 * 24 * time.Hour

// Prune deletes the events older than keep whose deliveries have all ended, with those deliveries
// and their attempts, a thousand events at a time; it returns how many events went.
func (s *Store) Prune(ctx context.Context, keep time.Duration) (int, error) {
	cut := database.Unix(s.now().Add(-keep))
	total := 0
	for {
		// Found outside a transaction, which on SQLite would take the write lock for nothing most
		// hours; checked again inside, since send again may have made one pending meanwhile.
		var ids []any
		rows, err := s.db.Query(ctx, `SELECT v.id FROM webhook_events v WHERE v.created_at < ?
			AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = v.id AND d.state = 'pending')
			ORDER BY v.created_at LIMIT 1000`, cut)
		if err != nil {
			return total, fmt.Errorf("webhooks: prune the outbox: %w", err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return total, err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(ids) == 0 {
			return total, err
		}
		var n int
		err = s.db.Tx(ctx, func(tx *sql.Tx) error {
			found, err := tx.QueryContext(ctx, s.db.Q(`SELECT v.id FROM webhook_events v WHERE v.id IN (`+database.Placeholders(len(ids))+`)
				AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = v.id AND d.state = 'pending')`), ids...)
			if err != nil {
				return err
			}
			var ended []any
			for found.Next() {
				var id string
				if err := found.Scan(&id); err != nil {
					found.Close()
					return err
				}
				ended = append(ended, id)
			}
			found.Close()
			if err := found.Err(); err != nil || len(ended) == 0 {
				return err
			}
			in := database.Placeholders(len(ended))
			for _, q := range []string{
				`DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE event_id IN (` + in + `))`,
				`DELETE FROM webhook_deliveries WHERE event_id IN (` + in + `)`,
				`DELETE FROM webhook_events WHERE id IN (` + in + `)`,
			} {
				if _, err := tx.ExecContext(ctx, s.db.Q(q), ended...); err != nil {
					return err
				}
			}
			n = len(ended)
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("webhooks: prune the outbox: %w", err)
		}
		total += n
		if len(ids) < 1000 {
			return total, nil
		}
	}
}
