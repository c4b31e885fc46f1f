package webhooks

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hiveconsole/hiveconsole/database"
)

// ScopeDecisions is the one scope an API token has for now: reading decisions.
const ScopeDecisions = "decisions.read"

// TokenPrefix starts every API token, so a leaked one is recognised for what it is.
const TokenPrefix = "hcapi_"

// Token is an API token as listed: never the token itself, which is shown once.
type Token struct {
	ID, Name, Prefix, Scope string
	CreatedBy               string
	Created                 time.Time
	LastUsed                time.Time // zero when never used
	Revoked                 time.Time // zero while valid
	RevokedBy               string
}

// Errors of the tokens.
var (
	ErrTokenName   = errors.New("webhooks: a token needs a name of 1 to 100 characters")
	ErrBadToken    = errors.New("webhooks: unknown or revoked API token")
	ErrNoSuchToken = errors.New("webhooks: no such API token")
)

// usedEvery is how often a token's last use is written: each request would be a write.
const usedEvery = time.Minute

func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// CreateToken makes an API token with a scope, returned this once.
func (s *Store) CreateToken(ctx context.Context, name, scope, createdBy string) (Token, string, error) {
	name = strings.Join(strings.Fields(name), " ")
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return Token{}, "", ErrTokenName
	}
	if scope != ScopeDecisions {
		return Token{}, "", fmt.Errorf("webhooks: unknown scope %q", scope)
	}
	secret := TokenPrefix + strings.ToLower(rand.Text()+rand.Text())
	now := s.now().UTC().Truncate(time.Second)
	t := Token{ID: "tok_" + strings.ToLower(rand.Text()[:16]), Name: name, Prefix: secret[:len(TokenPrefix)+6], Scope: scope,
		CreatedBy: createdBy, Created: now}
	if _, err := s.db.Exec(ctx, `INSERT INTO api_tokens (id, name, hash, prefix, scope, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		t.ID, t.Name, tokenHash(secret), t.Prefix, t.Scope, createdBy, database.Unix(now)); err != nil {
		return Token{}, "", fmt.Errorf("webhooks: create an API token: %w", err)
	}
	return t, secret, nil
}

const tokenColumns = `id, name, prefix, scope, created_by, created_at, last_used_at, revoked_at, revoked_by`

func scanToken(sc database.Scanner) (Token, error) {
	var (
		t             Token
		created       int64
		used, revoked sql.NullInt64
		revokedBy     sql.NullString
	)
	if err := sc.Scan(&t.ID, &t.Name, &t.Prefix, &t.Scope, &t.CreatedBy, &created, &used, &revoked, &revokedBy); err != nil {
		return Token{}, err
	}
	t.Created, t.RevokedBy = database.FromUnix(created), revokedBy.String
	if used.Valid {
		t.LastUsed = database.FromUnix(used.Int64)
	}
	if revoked.Valid {
		t.Revoked = database.FromUnix(revoked.Int64)
	}
	return t, nil
}

// Tokens lists every API token, newest first, revoked ones included.
func (s *Store) Tokens(ctx context.Context) ([]Token, error) {
	rows, err := s.db.Query(ctx, `SELECT `+tokenColumns+` FROM api_tokens ORDER BY created_at DESC, id`)
	if err != nil {
		return nil, fmt.Errorf("webhooks: list API tokens: %w", err)
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken ends a token for good.
func (s *Store) RevokeToken(ctx context.Context, id, by string) (Token, error) {
	res, err := s.db.Exec(ctx, `UPDATE api_tokens SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL`,
		database.Unix(s.now()), by, id)
	if err := one(res, err); err != nil {
		return Token{}, ErrNoSuchToken
	}
	return scanToken(s.db.QueryRow(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE id = ?`, id))
}

// Authenticate returns the valid token a request presented, and notes its use (at most once a
// minute); ErrBadToken for anything else.
func (s *Store) Authenticate(ctx context.Context, presented string) (Token, error) {
	if !strings.HasPrefix(presented, TokenPrefix) || len(presented) > 200 {
		return Token{}, ErrBadToken
	}
	t, err := scanToken(s.db.QueryRow(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE hash = ?`, tokenHash(presented)))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !t.Revoked.IsZero()) {
		return Token{}, ErrBadToken
	}
	if err != nil {
		return Token{}, err
	}
	now := s.now()
	if now.Sub(t.LastUsed) >= usedEvery {
		if _, err := s.db.Exec(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, database.Unix(now), t.ID); err != nil {
			return Token{}, fmt.Errorf("webhooks: note a token's use: %w", err)
		}
		t.LastUsed = now.UTC().Truncate(time.Second)
	}
	return t, nil
}

// DecisionRecord is a decision as the read API gives it: the webhook event's data and its place in
// the feed.
type DecisionRecord struct {
	Seq  int64  `json:"-"`
	Type string `json:"type"`
	Decision
}

// DecisionsAfter lists the decisions recorded after seq (0: from the first), oldest first, at most
// limit: a feed a system can follow with a cursor.
func (s *Store) DecisionsAfter(ctx context.Context, seq int64, limit int) ([]DecisionRecord, error) {
	return s.decisions(ctx, `r.id > ? ORDER BY r.id LIMIT ?`, seq, limit)
}

// LatestDecision is the newest decision on a check; sql.ErrNoRows when it has none.
func (s *Store) LatestDecision(ctx context.Context, checkID string) (DecisionRecord, error) {
	out, err := s.decisions(ctx, `r.check_id = ? ORDER BY r.id DESC LIMIT 1`, checkID)
	if err != nil {
		return DecisionRecord{}, err
	}
	if len(out) == 0 {
		return DecisionRecord{}, sql.ErrNoRows
	}
	return out[0], nil
}

func (s *Store) decisions(ctx context.Context, where string, args ...any) ([]DecisionRecord, error) {
	rows, err := s.db.Query(ctx, `SELECT r.id, r.check_id, COALESCE(r.customer_id, ''), r.decision, COALESCE(r.reason, ''), r.stage,
		r.reviewer_id, COALESCE(r.session_id, ''), r.created_at,
		COALESCE((SELECT p.stage FROM reviews p WHERE p.check_id = r.check_id AND p.id < r.id ORDER BY p.id DESC LIMIT 1), '')
		FROM reviews r WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("webhooks: read decisions: %w", err)
	}
	var (
		out       []DecisionRecord
		reviewers []string
	)
	for rows.Next() {
		var (
			d             DecisionRecord
			at            int64
			reviewer, pre string
		)
		if err := rows.Scan(&d.Seq, &d.CheckID, &d.CustomerID, &d.Decision.Decision, &d.ReasonCode, &d.Stage, &reviewer, &d.SessionID, &at, &pre); err != nil {
			rows.Close()
			return nil, err
		}
		d.DecidedAt = database.FromUnix(at)
		d.FourEyes = d.Stage != "final" || (pre == "first" && d.Decision.Decision == "approve")
		out, reviewers = append(out, d), append(reviewers, reviewer)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Pseudonyms, made on first use as the events make them.
	names := map[string]string{}
	for i := range out {
		who := reviewers[i]
		if _, ok := names[who]; !ok {
			err := s.db.Tx(ctx, func(tx *sql.Tx) error {
				p, err := s.Pseudonym(ctx, tx, who)
				names[who] = p
				return err
			})
			if err != nil {
				return nil, err
			}
		}
		out[i].Reviewer = names[who]
		out[i].Type = recordType(out[i].Decision)
	}
	return out, nil
}

// recordType is the event type a stored decision made.
func recordType(d Decision) string {
	switch {
	case d.Stage == "first":
		return FirstStep
	case d.Stage == "disputed":
		return Disputed
	case d.Decision == "approve":
		return Approved
	case d.Decision == "reject":
		return Rejected
	default:
		return Resubmission
	}
}
