package webhooks

import (
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/database"
	"github.com/hiveconsole/hiveconsole/database/dbtest"
	"github.com/hiveconsole/hiveconsole/review"
)

// TestTokensAndFeed: a token authenticates until revoked, its use noted at most once a minute, and
// only its hash is stored; the feed lists decisions oldest first after a position, four-eyes marked,
// reviewers by the same pseudonyms as the events.
func TestTokensAndFeed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, open func(testing.TB) *database.DB) {
		s := newSetup(t, open(t))
		ctx := t.Context()
		if _, _, err := s.store.CreateToken(ctx, "  ", ScopeDecisions, "ada"); !errors.Is(err, ErrTokenName) {
			t.Errorf("no name: %v", err)
		}
		tok, secret, err := s.store.CreateToken(ctx, " Onboarding   service ", ScopeDecisions, "ada@example.com")
		if err != nil || tok.Name != "Onboarding service" || !strings.HasPrefix(secret, tok.Prefix) {
			t.Fatalf("create: %+v %v", tok, err)
		}
		if n := s.count(t, `SELECT COUNT(*) FROM api_tokens WHERE hash = ?`, tokenHash(secret)); n != 1 {
			t.Error("the token's hash is not what is stored")
		}
		got, err := s.store.Authenticate(ctx, secret)
		if err != nil || got.ID != tok.ID || got.LastUsed.IsZero() {
			t.Fatalf("authenticate: %+v %v", got, err)
		}
		first := got.LastUsed
		s.clock.Advance(30 * time.Second)
		if got, _ := s.store.Authenticate(ctx, secret); !got.LastUsed.Equal(first) {
			t.Error("the last use was written again within a minute")
		}
		for _, bad := range []string{"", "hcapi_nope", secret + "x", strings.TrimPrefix(secret, TokenPrefix)} {
			if _, err := s.store.Authenticate(ctx, bad); !errors.Is(err, ErrBadToken) {
				t.Errorf("Authenticate(%q): %v", bad, err)
			}
		}
		if _, err := s.store.RevokeToken(ctx, tok.ID, "ada@example.com"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.store.Authenticate(ctx, secret); !errors.Is(err, ErrBadToken) {
			t.Errorf("a revoked token: %v", err)
		}
		if _, err := s.store.RevokeToken(ctx, tok.ID, "ada@example.com"); !errors.Is(err, ErrNoSuchToken) {
			t.Errorf("revoked twice: %v", err)
		}

		for _, d := range []struct {
			check    string
			decision review.Decision
			reviewer string
			four     bool
		}{{"chk_1", review.Approve, "usr_ada", true}, {"chk_1", review.Approve, "usr_bob", true}, {"chk_2", review.Reject, "usr_bob", false}} {
			if _, err := s.decide(t, d.check, d.decision, d.reviewer, d.four); err != nil {
				t.Fatal(err)
			}
		}
		feed, err := s.store.DecisionsAfter(ctx, 0, 10)
		if err != nil || len(feed) != 3 {
			t.Fatalf("feed: %v %v", feed, err)
		}
		var got3 []string
		for _, d := range feed {
			got3 = append(got3, d.Type+":"+d.CheckID+":"+map[bool]string{true: "four", false: "one"}[d.FourEyes])
		}
		if strings.Join(got3, " ") != "review.first_approval:chk_1:four review.approved:chk_1:four review.rejected:chk_2:one" {
			t.Errorf("feed: %v", got3)
		}
		if feed[0].Reviewer == feed[1].Reviewer || feed[1].Reviewer != feed[2].Reviewer {
			t.Errorf("pseudonyms: %s %s %s", feed[0].Reviewer, feed[1].Reviewer, feed[2].Reviewer)
		}
		if after, _ := s.store.DecisionsAfter(ctx, feed[1].Seq, 10); len(after) != 1 || after[0].CheckID != "chk_2" {
			t.Errorf("after the second: %v", after)
		}
		if d, err := s.store.LatestDecision(ctx, "chk_1"); err != nil || d.Type != Approved {
			t.Errorf("latest on chk_1: %+v %v", d, err)
		}
		if _, err := s.store.LatestDecision(ctx, "chk_none"); !errors.Is(err, sql.ErrNoRows) {
			t.Errorf("latest on a check without decisions: %v", err)
		}
		// The events named the reviewers the same way.
		var body string
		if err := s.db.QueryRow(ctx, `SELECT body FROM webhook_events WHERE type = 'review.rejected'`).Scan(&body); err != nil ||
			!strings.Contains(body, feed[2].Reviewer) {
			t.Errorf("the event's reviewer differs from the feed's: %s %v", body, err)
		}
	})
}
