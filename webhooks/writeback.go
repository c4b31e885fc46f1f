package webhooks

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hiveconsole/hiveconsole/database"
	"github.com/hiveconsole/hiveconsole/hive"
)

// WritebackEndpoint is the endpoint that stands for Hive itself when HIVECONSOLE_WRITEBACK=metadata:
// each final decision is written to the customer's metadata in Hive, through the outbox like any
// delivery, so a failed write is retried with backoff and shows in the delivery log.
const WritebackEndpoint = "whe_hive_metadata"

// writebackURL is how the endpoint's page names where it writes.
const writebackURL = "hive://customers/{id}/metadata"

// writebackEvents are the events written back: the final decisions.
var writebackEvents = []string{Approved, Rejected, Resubmission}

// ConfigureWriteback turns the write-back to Hive on or off; off, what waits stays until it is on.
func (s *Store) ConfigureWriteback(ctx context.Context, on bool) error {
	now := database.Unix(s.now())
	if !on { // off: an endpoint left from when it was on waits; none is made
		_, err := s.db.Exec(ctx, `UPDATE webhook_endpoints SET enabled = 0, updated_at = ? WHERE id = ? AND enabled = 1`, now, WritebackEndpoint)
		return err
	}
	_, err := s.db.Exec(ctx, `INSERT INTO webhook_endpoints (id, url, events, enabled, secret, source, created_by, created_at, updated_at)
		VALUES (?, ?, ?, 1, ?, 'config', 'configuration', ?, ?)
		ON CONFLICT (id) DO UPDATE SET enabled = excluded.enabled, events = excluded.events, updated_at = excluded.updated_at
		WHERE webhook_endpoints.enabled <> excluded.enabled OR webhook_endpoints.events <> excluded.events`,
		WritebackEndpoint, writebackURL, strings.Join(writebackEvents, ","), s.seal(WritebackEndpoint, []byte(rand.Text())), now, now)
	if err != nil {
		return fmt.Errorf("webhooks: configure the write-back: %w", err)
	}
	return nil
}

// CustomerUpdater is the Hive calls the write-back makes.
type CustomerUpdater interface {
	GetCustomer(ctx context.Context, id string) (*hive.Customer, error)
	UpdateCustomer(ctx context.Context, id string, p hive.CustomerParams) (*hive.Customer, error)
}

// Metadata keys the write-back sets on a Hive customer.
const (
	MetaStatus   = "review_status" // approved, rejected or resubmission_requested
	MetaReason   = "review_reason" // the rejection's reason code; removed otherwise
	MetaReviewed = "reviewed_at"   // when the decision was recorded, RFC 3339 in UTC
)

// WriteBack is the dispatcher's delivery to Hive: it sets the decision's three metadata keys on
// the customer (Hive merges them into what the customer has), unless the customer's metadata holds
// a newer decision already. It answers like an HTTP receiver: a
// status, what came back, or an error for no answer. A decision without a customer, or a customer
// Hive no longer has, has nothing to write to, and ends there.
func WriteBack(h CustomerUpdater) func(ctx context.Context, eventType string, body []byte) (int, string, error) {
	return func(ctx context.Context, eventType string, body []byte) (int, string, error) {
		var p struct{ Data Decision }
		if err := json.Unmarshal(body, &p); err != nil {
			return 0, "", fmt.Errorf("read the event: %w", err)
		}
		status := map[string]string{Approved: "approved", Rejected: "rejected", Resubmission: "resubmission_requested"}[eventType]
		if status == "" || p.Data.CustomerID == "" {
			return 204, "nothing to write: no final decision on a known customer", nil
		}
		// A write retried, or sent again, after a newer decision was written must not undo it.
		c, err := h.GetCustomer(ctx, p.Data.CustomerID)
		if err == nil && c != nil {
			if prev, perr := time.Parse(time.RFC3339, c.Metadata[MetaReviewed]); perr == nil && prev.After(p.Data.DecidedAt) {
				return 204, "a newer decision (" + c.Metadata[MetaReviewed] + ") is written already: nothing to write", nil
			}
		}
		if err == nil {
			meta := map[string]string{MetaStatus: status, MetaReason: p.Data.ReasonCode, MetaReviewed: p.Data.DecidedAt.UTC().Format(time.RFC3339)}
			_, err = h.UpdateCustomer(ctx, p.Data.CustomerID, hive.CustomerParams{Metadata: meta})
		}
		var he *hive.Error
		switch {
		case err == nil:
			return 200, "customer " + p.Data.CustomerID + ": " + MetaStatus + "=" + status, nil
		case errors.Is(err, hive.ErrNotFound):
			return 204, "the customer is no longer in Hive: nothing to write", nil
		case errors.As(err, &he) && he.StatusCode != 0:
			return he.StatusCode, string(he.Code), nil
		default:
			return 0, "", err
		}
	}
}
