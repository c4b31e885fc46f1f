package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hiveconsole/hiveconsole/auth"
)

// Row is an audit row as it leaves the console (in an evidence pack): every stored field, the
// details as the exact JSON text its hash covers, and the hashes that seal it. Anyone holding rows
// can check each one's hash without the console (Row.Check), and the links between rows whose
// sequence numbers follow each other (CheckLink).
type Row struct {
	Seq         int64     `json:"seq"`
	Time        time.Time `json:"time"` // UTC, to the nanosecond, as hashed
	ActorID     string    `json:"actor_id"`
	ActorEmail  string    `json:"actor_email"`
	Role        string    `json:"role"`
	Action      string    `json:"action"`
	TargetType  string    `json:"target_type"`
	TargetID    string    `json:"target_id"`
	ClientIP    string    `json:"client_ip"`
	RequestID   string    `json:"request_id"`
	Outcome     string    `json:"outcome"`
	DetailsJSON string    `json:"details_json"` // "" when the event had no details
	HashVersion int       `json:"hash_version"`
	PrevHash    string    `json:"prev_hash"`
	Hash        string    `json:"hash"`
}

// Target names what audit rows are about: a target type and id, as events record them.
type Target struct{ Type, ID string }

// ErrRowHash is a row whose hash does not match its content, or whose hash version is unknown.
var ErrRowHash = errors.New("audit: row does not match its hash")

// ErrRowLink is a row whose previous hash is not the hash of the row before it.
var ErrRowLink = errors.New("audit: row is not linked to the row before it")

func exportRow(r StoredEntry) Row {
	return Row{Seq: r.Seq, Time: r.Time.UTC(), ActorID: r.ActorID, ActorEmail: r.ActorEmail, Role: string(r.Role), Action: r.Action,
		TargetType: r.TargetType, TargetID: r.TargetID, ClientIP: r.ClientIP, RequestID: r.RequestID, Outcome: r.Outcome,
		DetailsJSON: r.DetailsJSON, HashVersion: r.HashVersion, PrevHash: r.PrevHash, Hash: r.Hash}
}

func (r Row) stored() StoredEntry {
	return StoredEntry{Entry: Entry{Seq: r.Seq, Event: Event{Time: r.Time.UTC(), ActorID: r.ActorID, ActorEmail: r.ActorEmail,
		Role: auth.Role(r.Role), Action: r.Action, TargetType: r.TargetType, TargetID: r.TargetID, ClientIP: r.ClientIP,
		RequestID: r.RequestID, Outcome: r.Outcome}, PrevHash: r.PrevHash, Hash: r.Hash}, DetailsJSON: r.DetailsJSON, HashVersion: r.HashVersion}
}

// Check recomputes the row's hash from its content and its previous hash; ErrRowHash when they
// differ.
func (r Row) Check() error {
	want := auditHash(r.stored())
	if want == "" {
		return fmt.Errorf("%w: unknown hash version %d (seq %d)", ErrRowHash, r.HashVersion, r.Seq)
	}
	if want != r.Hash {
		return fmt.Errorf("%w (seq %d)", ErrRowHash, r.Seq)
	}
	return nil
}

// CheckLink reports whether next follows prev in the chain: when their sequence numbers are
// consecutive, next must carry prev's hash (ErrRowLink otherwise); rows further apart say nothing
// about each other.
func CheckLink(prev, next Row) error {
	if next.Seq == prev.Seq+1 && next.PrevHash != prev.Hash {
		return fmt.Errorf("%w (seq %d after %d)", ErrRowLink, next.Seq, prev.Seq)
	}
	return nil
}

// RowsAbout calls fn with every row about any of targets, oldest first, reading in batches along the
// target index.
func (t *Trail) RowsAbout(ctx context.Context, targets []Target, fn func(Row) error) error {
	if len(targets) == 0 {
		return nil
	}
	var (
		where []string
		args  []any
	)
	for _, tg := range targets {
		where = append(where, "(target_type = ? AND target_id = ?)")
		args = append(args, tg.Type, tg.ID)
	}
	after := int64(0)
	for {
		batch, err := t.query(ctx, `SELECT `+auditColumns+` FROM audit_events WHERE seq > ? AND (`+strings.Join(where, " OR ")+`)
			ORDER BY seq LIMIT ?`, append(append([]any{after}, args...), auditBatch)...)
		if err != nil {
			return err
		}
		for _, r := range batch {
			if err := fn(exportRow(r)); err != nil {
				return err
			}
			after = r.Seq
		}
		if len(batch) < auditBatch {
			return nil
		}
	}
}

// Head is the newest row of the whole trail, for a pack to say where the chain stood; ok is false for
// an empty trail.
func (t *Trail) Head(ctx context.Context) (row Row, ok bool, err error) {
	rows, err := t.query(ctx, `SELECT `+auditColumns+` FROM audit_events ORDER BY seq DESC LIMIT 1`)
	if err != nil || len(rows) == 0 {
		return Row{}, false, err
	}
	return exportRow(rows[0]), true, nil
}
