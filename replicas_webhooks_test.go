package main

import (
	"crypto/rand"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/database"
	"github.com/hiveconsole/hiveconsole/database/dbtest"
	"github.com/hiveconsole/hiveconsole/hive/sandbox"
	"github.com/hiveconsole/hiveconsole/review"
	"github.com/hiveconsole/hiveconsole/webhooks"
)

// TestWebhooksAcrossReplicas: two replicas on one PostgreSQL send the webhook endpoint named in
// configuration each decision exactly once, signed with its secret; a decision recorded while no
// replica runs (a console stopped between the decision and its delivery) is delivered, once, when
// they start again.
func TestWebhooksAcrossReplicas(t *testing.T) {
	dbURL := dbtest.Schema(t, "replica_hooks")
	ctx := t.Context()
	sb, err := sandbox.New(ctx, sandbox.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	hiveSrv := httptest.NewServer(sb)
	t.Cleanup(hiveSrv.Close)
	creds := sb.Credentials()

	secret := strings.Repeat("s", 32)
	var (
		mu   sync.Mutex
		seen = map[string]int{}
		bad  int
	)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if webhooks.Verify(r.Header.Get(webhooks.SignatureHeader), body, []byte(secret), time.Now()) != nil {
			bad++
		}
		seen[r.Header.Get(webhooks.EventIDHeader)]++
	}))
	t.Cleanup(rcv.Close)
	received := func() (events, deliveries, unsigned int) {
		mu.Lock()
		defer mu.Unlock()
		for _, n := range seen {
			events, deliveries = events+1, deliveries+n
		}
		return events, deliveries, bad
	}

	mfaKey := []byte(strings.Repeat("m", 32))
	shared := map[string]string{
		"HIVECONSOLE_DATABASE_URL":   dbURL,
		"HIVECONSOLE_SESSION_KEYS":   rand.Text() + rand.Text(),
		"HIVECONSOLE_MFA_KEY":        base64.StdEncoding.EncodeToString(mfaKey),
		"HIVECONSOLE_MFA_REQUIRED":   "none",
		"HIVECONSOLE_ADMIN_EMAIL":    replicaAdminEmail,
		"HIVECONSOLE_ADMIN_PASSWORD": replicaPassword,
		"HIVE_API_URL":               hiveSrv.URL,
		"HIVE_API_KEY":               creds.APIKey,
		"HIVE_API_SECRET":            creds.APISecret,
		"HIVE_APPLICATION_KEY":       creds.ApplicationKey,
		"HIVECONSOLE_WEBHOOK_URL":    rcv.URL + "/hive",
		"HIVECONSOLE_WEBHOOK_SECRET": secret,
		"HIVECONSOLE_WEBHOOK_ALLOW":  "127.0.0.1",
	}
	start := func() (*replica, *replica) {
		var a, b *replica
		var wg sync.WaitGroup
		wg.Go(func() { a = startReplica(t, "A", shared) })
		wg.Go(func() { b = startReplica(t, "B", shared) })
		wg.Wait()
		if a == nil || b == nil {
			t.FailNow()
		}
		return a, b
	}
	a, b := start()
	checkID := completedCheck(t, hiveSrv.URL, creds, sb)
	admin := newUser(t)
	admin.signIn(a, replicaAdminEmail, replicaPassword)
	waitUntil(t, 20*time.Second, "the check in the copy", func() bool { return admin.get(b, "/checks/"+checkID).StatusCode == http.StatusOK })
	if r := admin.post(a, "/checks/"+checkID+"/review", url.Values{"decision": {"approve"}, "note": {"matches the document"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("review on A: %d", r.StatusCode)
	}
	waitUntil(t, 20*time.Second, "the decision's delivery", func() bool { e, _, _ := received(); return e == 1 })

	// Both stop; a decision is recorded as a replica records it, in the decision's transaction,
	// and nothing sends it until they are back.
	a.stop()
	b.stop()
	db, err := database.OpenPostgres(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	hooks, err := webhooks.New(db, mfaKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	ledger := review.New(db, nil, 0)
	ledger.OnRecord(hooks.Recorded)
	var adminID string
	if err := db.QueryRow(ctx, `SELECT id FROM users WHERE email = ?`, replicaAdminEmail).Scan(&adminID); err != nil {
		t.Fatal(err)
	}
	for _, check := range []string{"chk_offline_1", "chk_offline_2"} {
		if _, err := ledger.Record(ctx, review.Review{CheckID: check, Decision: review.Reject, Reason: review.DefaultRejectReasons[0].Code,
			Note: "recorded just before the console stopped", ReviewerID: adminID, ReviewerEmail: replicaAdminEmail}, nil); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(200 * time.Millisecond)
	if e, _, _ := received(); e != 1 {
		t.Fatalf("%d events delivered while no replica ran", e)
	}
	start()
	waitUntil(t, 20*time.Second, "the deliveries after the restart", func() bool { e, _, _ := received(); return e == 3 })
	time.Sleep(2 * time.Second) // both replicas poll every second: a second delivery would have come
	if e, d, unsigned := received(); e != 3 || d != 3 || unsigned != 0 {
		t.Errorf("%d events in %d deliveries, %d not signed with the secret; want 3 once each, all signed", e, d, unsigned)
	}
}
