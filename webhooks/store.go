package webhooks

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hiveconsole/hiveconsole/database"
)

// Event types.
const (
	Approved     = "review.approved"               // a final approval
	Rejected     = "review.rejected"               // a final rejection, with its reason code
	Resubmission = "review.resubmission_requested" // the customer is asked again, with a new SDK session
	FirstStep    = "review.first_approval"         // four-eyes: an approval waiting for a second approver
	Disputed     = "review.disputed"               // four-eyes: a rejection of a check another approved first
	Deleted      = "customer.deleted"              // retention deleted a customer
	Test         = "test"                          // an admin's test event, to one endpoint
)

// Types lists the event types an endpoint can subscribe to, in the order pages show them.
var Types = []string{Approved, Rejected, Resubmission, FirstStep, Disputed, Deleted}

// ConfigEndpoint is the id of the endpoint HIVECONSOLE_WEBHOOK_URL names.
const ConfigEndpoint = "whe_config"

// Endpoint is where events are sent.
type Endpoint struct {
	ID        string
	URL       string
	Events    []string // the types it wants
	Enabled   bool
	Source    string    // "page" or "config"
	OldUntil  time.Time // while a rotation's grace period runs, the old secret signs too; zero otherwise
	CreatedBy string
	Created   time.Time
	Updated   time.Time
}

// Wants reports whether the endpoint subscribes to the event type (a test event goes to whoever asks).
func (e Endpoint) Wants(t string) bool { return slices.Contains(e.Events, t) }

// Store keeps the endpoints, the outbox and the deliveries in the console database. Build it with New.
type Store struct {
	db   *database.DB
	aead cipher.AEAD
	now  func() time.Time
}

// New returns the store in db. key (32 bytes or more, such as HIVECONSOLE_MFA_KEY) seals the
// endpoints' secrets, through a key derived for this use alone; now is the clock (time.Now when nil).
func New(db *database.DB, key []byte, now func() time.Time) (*Store, error) {
	if len(key) < 32 {
		return nil, errors.New("webhooks: the sealing key must be at least 32 bytes")
	}
	k, err := hkdf.Key(sha256.New, key, nil, "hiveconsole webhook secrets", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	return &Store{db: db, aead: aead, now: now}, nil
}

// seal encrypts an endpoint's secret, bound to the endpoint's id.
func (s *Store) seal(endpointID string, secret []byte) []byte {
	nonce := make([]byte, s.aead.NonceSize())
	_, _ = rand.Read(nonce)
	return s.aead.Seal(nonce, nonce, secret, []byte(endpointID))
}

func (s *Store) open(endpointID string, sealed []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return nil, errors.New("webhooks: a sealed secret is too short")
	}
	out, err := s.aead.Open(nil, sealed[:n], sealed[n:], []byte(endpointID))
	if err != nil {
		return nil, errors.New("webhooks: a secret does not open with this key (was HIVECONSOLE_MFA_KEY changed?)")
	}
	return out, nil
}

// NewSecret returns a fresh signing secret as shown to an admin once: "whsec_" and 32 random bytes
// in base32.
func NewSecret() string {
	return "whsec_" + strings.ToLower(rand.Text()) + strings.ToLower(rand.Text())
}

// CheckEvents says why a list of event types will not do, or nil.
func CheckEvents(events []string) error {
	if len(events) == 0 {
		return errors.New("choose at least one event")
	}
	for _, e := range events {
		if !slices.Contains(Types, e) {
			return fmt.Errorf("unknown event %q", e)
		}
	}
	return nil
}

// Create adds an endpoint, enabled, and returns it with its secret, which is shown this once.
func (s *Store) Create(ctx context.Context, url string, events []string, createdBy string) (Endpoint, string, error) {
	if err := CheckEvents(events); err != nil {
		return Endpoint{}, "", err
	}
	secret := NewSecret()
	now := s.now().UTC().Truncate(time.Second)
	e := Endpoint{ID: "whe_" + strings.ToLower(rand.Text()[:16]), URL: url, Events: events, Enabled: true, Source: "page",
		CreatedBy: createdBy, Created: now, Updated: now}
	_, err := s.db.Exec(ctx, `INSERT INTO webhook_endpoints (id, url, events, enabled, secret, source, created_by, created_at, updated_at)
		VALUES (?, ?, ?, 1, ?, 'page', ?, ?, ?)`, e.ID, url, strings.Join(events, ","), s.seal(e.ID, []byte(secret)), createdBy,
		database.Unix(now), database.Unix(now))
	if err != nil {
		return Endpoint{}, "", fmt.Errorf("webhooks: add an endpoint: %w", err)
	}
	return e, secret, nil
}

// Configure keeps the endpoint configuration names (HIVECONSOLE_WEBHOOK_URL and _SECRET): every
// event type, enabled; url "" disables it. Replicas starting at once write the same row.
func (s *Store) Configure(ctx context.Context, url, secret string) error {
	now := database.Unix(s.now())
	if url == "" {
		_, err := s.db.Exec(ctx, `UPDATE webhook_endpoints SET enabled = 0, updated_at = ? WHERE id = ? AND enabled = 1`, now, ConfigEndpoint)
		return err
	}
	_, err := s.db.Exec(ctx, `INSERT INTO webhook_endpoints (id, url, events, enabled, secret, source, created_by, created_at, updated_at)
		VALUES (?, ?, ?, 1, ?, 'config', 'configuration', ?, ?)
		ON CONFLICT (id) DO UPDATE SET url = excluded.url, events = excluded.events, enabled = 1, secret = excluded.secret,
			old_secret = NULL, old_until = NULL, updated_at = excluded.updated_at`,
		ConfigEndpoint, url, strings.Join(Types, ","), s.seal(ConfigEndpoint, []byte(secret)), now, now)
	if err != nil {
		return fmt.Errorf("webhooks: configure the endpoint: %w", err)
	}
	return nil
}

const endpointColumns = `id, url, events, enabled, source, old_until, created_by, created_at, updated_at`

func scanEndpoint(sc database.Scanner) (Endpoint, error) {
	var (
		e                Endpoint
		events           string
		enabled          int
		oldUntil         sql.NullInt64
		created, updated int64
	)
	if err := sc.Scan(&e.ID, &e.URL, &events, &enabled, &e.Source, &oldUntil, &e.CreatedBy, &created, &updated); err != nil {
		return Endpoint{}, err
	}
	e.Events, e.Enabled = strings.Split(events, ","), enabled == 1
	e.Created, e.Updated = database.FromUnix(created), database.FromUnix(updated)
	if oldUntil.Valid {
		e.OldUntil = database.FromUnix(oldUntil.Int64)
	}
	return e, nil
}

// ErrNotFound is an endpoint that does not exist.
var ErrNotFound = errors.New("webhooks: no such endpoint")

// Endpoint returns one endpoint.
func (s *Store) Endpoint(ctx context.Context, id string) (Endpoint, error) {
	e, err := scanEndpoint(s.db.QueryRow(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Endpoint{}, ErrNotFound
	}
	return e, err
}

// Endpoints lists every endpoint, oldest first.
func (s *Store) Endpoints(ctx context.Context) ([]Endpoint, error) {
	rows, err := s.db.Query(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("webhooks: list endpoints: %w", err)
	}
	defer rows.Close()
	var out []Endpoint
	for rows.Next() {
		e, err := scanEndpoint(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// SetEnabled turns an endpoint's deliveries on or off; off, its pending deliveries wait.
func (s *Store) SetEnabled(ctx context.Context, id string, on bool) error {
	v := 0
	if on {
		v = 1
	}
	res, err := s.db.Exec(ctx, `UPDATE webhook_endpoints SET enabled = ?, updated_at = ? WHERE id = ?`, v, database.Unix(s.now()), id)
	return one(res, err)
}

// Rotate gives an endpoint a new secret, returned this once; the old one keeps signing beside it
// for grace, so the receiver can change over without losing an event.
func (s *Store) Rotate(ctx context.Context, id string, grace time.Duration) (string, error) {
	secret := NewSecret()
	now := s.now()
	var sealed []byte
	if err := s.db.QueryRow(ctx, `SELECT secret FROM webhook_endpoints WHERE id = ?`, id).Scan(&sealed); errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	} else if err != nil {
		return "", err
	}
	res, err := s.db.Exec(ctx, `UPDATE webhook_endpoints SET old_secret = secret, old_until = ?, secret = ?, updated_at = ? WHERE id = ?`,
		database.Unix(now.Add(grace)), s.seal(id, []byte(secret)), database.Unix(now), id)
	if err := one(res, err); err != nil {
		return "", err
	}
	return secret, nil
}

func one(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return ErrNotFound
	}
	return nil
}

// secrets returns the secrets an endpoint signs with now: the current one, and the old one during
// its grace period.
func (s *Store) secrets(ctx context.Context, id string) ([][]byte, error) {
	var (
		cur, old []byte
		until    sql.NullInt64
	)
	if err := s.db.QueryRow(ctx, `SELECT secret, old_secret, old_until FROM webhook_endpoints WHERE id = ?`, id).Scan(&cur, &old, &until); err != nil {
		return nil, err
	}
	c, err := s.open(id, cur)
	if err != nil {
		return nil, err
	}
	out := [][]byte{c}
	if old != nil && until.Valid && s.now().Before(database.FromUnix(until.Int64)) {
		o, err := s.open(id, old)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// Event is one event as sent: Body is its JSON.
type Event struct {
	ID      string
	Type    string
	Created time.Time
	Body    []byte
}

// payload is an event's JSON: its id and type again (the body alone says what it is), when, and
// the data of its type. It never holds personal data of a customer.
type payload struct {
	ID      string    `json:"id"`
	Type    string    `json:"type"`
	Created time.Time `json:"created_at"`
	Data    any       `json:"data"`
}

// Enqueue writes an event to the outbox within tx, and one delivery to each enabled endpoint that
// wants its type (only to the endpoint named by to, when not "": a test). Written in the transaction
// of what it announces, the event exists exactly when that does.
func (s *Store) Enqueue(ctx context.Context, tx *sql.Tx, eventType string, data any, to string) (Event, error) {
	now := s.now().UTC()
	e := Event{ID: "evt_" + strings.ToLower(rand.Text()), Type: eventType, Created: now.Truncate(time.Second)}
	body, err := json.Marshal(payload{ID: e.ID, Type: e.Type, Created: e.Created, Data: data})
	if err != nil {
		return Event{}, fmt.Errorf("webhooks: encode an event: %w", err)
	}
	e.Body = body
	if _, err := tx.ExecContext(ctx, s.db.Q(`INSERT INTO webhook_events (id, type, body, created_at) VALUES (?, ?, ?, ?)`),
		e.ID, e.Type, string(body), database.Unix(now)); err != nil {
		return Event{}, fmt.Errorf("webhooks: write an event to the outbox: %w", err)
	}
	cond, args := `enabled = 1 AND (',' || events || ',') LIKE ?`, []any{"%," + eventType + ",%"}
	if to != "" {
		cond, args = `id = ?`, []any{to}
	}
	if _, err := tx.ExecContext(ctx, s.db.Q(`INSERT INTO webhook_deliveries (event_id, endpoint_id, state, next_at)
		SELECT ?, id, 'pending', ? FROM webhook_endpoints WHERE `+cond), append([]any{e.ID, now.UnixMilli()}, args...)...); err != nil {
		return Event{}, fmt.Errorf("webhooks: queue an event's deliveries: %w", err)
	}
	return e, nil
}

// Pseudonym returns the pseudonym events name a staff member by ("rvw_" and random text), made on
// first use, the same on every replica.
func (s *Store) Pseudonym(ctx context.Context, tx *sql.Tx, userID string) (string, error) {
	if _, err := tx.ExecContext(ctx, s.db.Q(`INSERT INTO staff_pseudonyms (user_id, pseudonym) VALUES (?, ?) ON CONFLICT (user_id) DO NOTHING`),
		userID, "rvw_"+strings.ToLower(rand.Text()[:16])); err != nil {
		return "", fmt.Errorf("webhooks: make a pseudonym: %w", err)
	}
	var p string
	err := tx.QueryRowContext(ctx, s.db.Q(`SELECT pseudonym FROM staff_pseudonyms WHERE user_id = ?`), userID).Scan(&p)
	return p, err
}
