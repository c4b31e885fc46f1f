package handlers_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/audit"
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/review"
	"github.com/hiveconsole/hiveconsole/webhooks"
)

// TestWebhooksPages: an admin adds an endpoint and sees its secret once (a URL the allow-list
// refuses, or no event, is refused keeping what was typed); a decision reaches the receiver signed
// with that secret and shows in the delivery log; send again, a test event, a rotation (its new
// secret shown once, the old one signing beside it) and disabling are each audited; an endpoint
// set in configuration is not rotated here.
func TestWebhooksPages(t *testing.T) {
	tc := newTestConsole(t)
	ctx := t.Context()
	var (
		mu   sync.Mutex
		got  []*http.Request
		body [][]byte
	)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got, body = append(got, r), append(body, b)
		mu.Unlock()
		io.WriteString(w, "thanks")
	}))
	defer rcv.Close()
	admin := tc.browser()
	admin.signInAs(auth.RoleAdmin)

	// Refused, keeping what was typed.
	r := admin.post("/webhooks", url.Values{"url": {"https://hooks.example.com/hive"}, "events": {webhooks.Approved}})
	doc := r.doc(t)
	if r.StatusCode != http.StatusUnprocessableEntity || doc.Find(`#webhook-url`).AttrOr("value", "") != "https://hooks.example.com/hive" ||
		!strings.Contains(doc.Find(`[data-testid="add-webhook"]`).Text(), "not in HIVECONSOLE_WEBHOOK_ALLOW") {
		t.Errorf("a host not allowed: %d", r.StatusCode)
	}
	if r := admin.post("/webhooks", url.Values{"url": {rcv.URL}}); r.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(r.doc(t).Text(), "choose at least one event") {
		t.Errorf("no event: %d", r.StatusCode)
	}

	// Added: the secret shows once.
	r = admin.post("/webhooks", url.Values{"url": {rcv.URL + "/hooks?key=querysecret42"}, "events": {webhooks.Approved, webhooks.Rejected}})
	doc = r.doc(t)
	secret := doc.Find(`[data-testid="webhook-secret-value"]`).Text()
	if r.StatusCode != http.StatusCreated || !strings.HasPrefix(secret, "whsec_") || r.Header.Get("Cache-Control") != "no-store" ||
		doc.Find(`[data-testid="copy-webhook-secret"]`).AttrOr("data-copy", "") != secret {
		t.Fatalf("add: %d, secret %q", r.StatusCode, secret)
	}
	if r := admin.post("/webhooks", url.Values{"url": {rcv.URL + "/hooks?key=querysecret42"}, "events": {webhooks.Approved}}); r.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(r.doc(t).Text(), "There is an endpoint with this URL already") {
		t.Errorf("the same URL twice: %d", r.StatusCode)
	}
	list := admin.get("/webhooks").doc(t)
	link := list.Find(`[data-testid="webhook-endpoints"] a`).AttrOr("href", "")
	if !strings.HasPrefix(link, "/webhooks/whe_") || strings.Contains(list.Text(), secret) {
		t.Fatalf("the list: link %q, secret shown again: %v", link, strings.Contains(list.Text(), secret))
	}

	// A decision reaches the receiver, signed.
	if _, err := tc.ledger.Record(ctx, review.Review{CheckID: "chk_w1", Decision: review.Approve, Note: "Looks right",
		ReviewerID: tc.users[auth.RoleReviewer].ID, ReviewerEmail: "reviewer@example.com"}, nil); err != nil {
		t.Fatal(err)
	}
	d := &webhooks.Dispatcher{Store: tc.hooks, Allow: mustAllow(t), Holder: "test"}
	if n, err := d.DeliverDue(ctx); n != 1 || err != nil {
		t.Fatalf("deliver: %d %v", n, err)
	}
	if err := webhooks.Verify(got[0].Header.Get(webhooks.SignatureHeader), body[0], []byte(secret), tc.clock.Now()); err != nil ||
		got[0].URL.Path != "/hooks" {
		t.Errorf("the delivery: %v %s", err, got[0].URL.Path)
	}
	page := admin.get(link).doc(t)
	row := page.Find(`[data-testid="webhook-deliveries"] tbody tr`)
	if row.Length() != 1 || !strings.Contains(row.Text(), "Delivered") || !strings.Contains(row.Text(), "HTTP 200") || !strings.Contains(row.Text(), "thanks") {
		t.Errorf("the log: %q", strings.Join(strings.Fields(row.Text()), " "))
	}

	// Send again, test, rotate, disable: each audited.
	sendAgain := row.Find(`form`).AttrOr("action", "")
	if r := admin.post(sendAgain, nil); r.StatusCode != http.StatusSeeOther {
		t.Errorf("send again: %d", r.StatusCode)
	}
	if r := admin.post(link+"/test", nil); r.StatusCode != http.StatusSeeOther {
		t.Errorf("test: %d", r.StatusCode)
	}
	d.DeliverDue(ctx)
	if len(got) != 3 || got[1].Header.Get(webhooks.EventIDHeader) != got[0].Header.Get(webhooks.EventIDHeader) ||
		got[2].Header.Get(webhooks.EventTypeHeader) != webhooks.Test {
		t.Errorf("after send again and test: %d requests", len(got))
	}
	r = admin.post(link+"/rotate", nil)
	newSecret := r.doc(t).Find(`[data-testid="webhook-secret-value"]`).Text()
	if r.StatusCode != http.StatusOK || !strings.HasPrefix(newSecret, "whsec_") || newSecret == secret {
		t.Errorf("rotate: %d %q", r.StatusCode, newSecret)
	}
	tc.hooks.SendTest(ctx, strings.TrimPrefix(link, "/webhooks/"))
	d.DeliverDue(ctx)
	for _, s := range []string{secret, newSecret} {
		if err := webhooks.Verify(got[3].Header.Get(webhooks.SignatureHeader), body[3], []byte(s), tc.clock.Now()); err != nil {
			t.Errorf("during the grace period, a secret does not verify: %v", err)
		}
	}
	if r := admin.post(link+"/disable", nil); r.StatusCode != http.StatusSeeOther {
		t.Errorf("disable: %d", r.StatusCode)
	}
	tc.hooks.SendTest(ctx, strings.TrimPrefix(link, "/webhooks/"))
	if n, _ := d.DeliverDue(ctx); n != 0 {
		t.Error("a disabled endpoint was sent to")
	}
	for _, action := range []string{"webhook.create", "webhook.redeliver", "webhook.test", "webhook.rotate", "webhook.disable"} {
		rows, _, err := tc.trail.Events(ctx, audit.Query{Action: action, Outcome: audit.OutcomeSuccess})
		if err != nil || len(rows) != 1 || rows[0].ActorEmail != "admin@example.com" {
			t.Errorf("%s on the trail: %d rows %v", action, len(rows), err)
		}
	}
	if text := auditText(t, tc); strings.Contains(text, secret) || strings.Contains(text, "querysecret42") {
		t.Error("a secret, or a token in an endpoint's query, is in the audit trail")
	}

	// The configuration's endpoint is changed there.
	if err := tc.hooks.Configure(ctx, rcv.URL, strings.Repeat("c", 24)); err != nil {
		t.Fatal(err)
	}
	if r := admin.post("/webhooks/"+webhooks.ConfigEndpoint+"/rotate", nil); r.StatusCode != http.StatusConflict {
		t.Errorf("rotating the configuration's endpoint: %d", r.StatusCode)
	}
	if r := admin.get("/webhooks/whe_nothing"); r.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown endpoint: %d", r.StatusCode)
	}
}

func mustAllow(t *testing.T) webhooks.Allow {
	a, err := webhooks.ParseAllow("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// auditText is every row of the trail as text.
func auditText(t *testing.T, tc *testConsole) string {
	rows, _, err := tc.trail.Events(t.Context(), audit.Query{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(r.Action + " " + r.TargetID + " ")
		for k, v := range r.Details {
			b.WriteString(k + "=" + strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(toString(v), "\n", " "), "\t", " ")) + " ")
		}
	}
	return b.String()
}

func toString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}

// flakyHive fails its first n customer updates as Hive unreachable.
type flakyHive struct {
	webhooks.CustomerUpdater
	fail int
}

func (f *flakyHive) UpdateCustomer(ctx context.Context, id string, p hive.CustomerParams) (*hive.Customer, error) {
	if f.fail > 0 {
		f.fail--
		return nil, &hive.Error{Code: hive.CodeUnavailable, StatusCode: http.StatusServiceUnavailable}
	}
	return f.CustomerUpdater.UpdateCustomer(ctx, id, p)
}

// TestWriteBack: with the write-back on, a final decision reaches the Hive customer's metadata, seen
// through the sandbox's API; a write Hive refuses is retried and both attempts show in the
// endpoint's delivery log; an approval afterwards removes the rejection's reason.
func TestWriteBack(t *testing.T) {
	tc := newTestConsole(t)
	ctx := t.Context()
	if err := tc.hooks.ConfigureWriteback(ctx, true); err != nil {
		t.Fatal(err)
	}
	var checkID, customerID string
	if err := tc.db.QueryRow(ctx, `SELECT id, customer_id FROM hive_checks WHERE customer_id IS NOT NULL ORDER BY id LIMIT 1`).Scan(&checkID, &customerID); err != nil {
		t.Fatal(err)
	}
	reviewer := tc.users[auth.RoleReviewer]
	reason := review.DefaultRejectReasons[0].Code
	if _, err := tc.ledger.Record(ctx, review.Review{CheckID: checkID, CustomerID: customerID, Decision: review.Reject, Reason: reason,
		Note: "The document is a photocopy", ReviewerID: reviewer.ID, ReviewerEmail: reviewer.Email}, nil); err != nil {
		t.Fatal(err)
	}
	flaky := &flakyHive{CustomerUpdater: tc.api, fail: 1}
	d := &webhooks.Dispatcher{Store: tc.hooks, Holder: "test", WriteBack: webhooks.WriteBack(flaky),
		Backoff: func(int) time.Duration { return time.Minute }}
	if n, err := d.DeliverDue(ctx); n != 1 || err != nil {
		t.Fatalf("first attempt: %d %v", n, err)
	}
	if c, _ := tc.api.GetCustomer(ctx, customerID); c.Metadata[webhooks.MetaStatus] != "" {
		t.Fatal("written although Hive refused")
	}
	tc.clock.Advance(2 * time.Minute)
	if n, err := d.DeliverDue(ctx); n != 1 || err != nil {
		t.Fatalf("second attempt: %d %v", n, err)
	}
	c, err := tc.api.GetCustomer(ctx, customerID)
	if err != nil || c.Metadata[webhooks.MetaStatus] != "rejected" || c.Metadata[webhooks.MetaReason] != reason || c.Metadata[webhooks.MetaReviewed] == "" {
		t.Fatalf("the customer's metadata in Hive: %v %v", c.Metadata, err)
	}
	admin := tc.browser()
	admin.signInAs(auth.RoleAdmin)
	log := admin.get("/webhooks/" + webhooks.WritebackEndpoint).doc(t)
	row := strings.Join(strings.Fields(log.Find(`[data-testid="webhook-deliveries"] tbody tr`).Text()), " ")
	if !strings.Contains(row, "review.rejected") || !strings.Contains(row, "Delivered") || !strings.Contains(row, "HTTP 200") {
		t.Errorf("the write-back's log: %q", row)
	}
	if n := countRows(t, tc, `SELECT COUNT(*) FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id
		WHERE d.endpoint_id = ? AND a.status = 503`, webhooks.WritebackEndpoint); n != 1 {
		t.Errorf("%d refused attempts logged", n)
	}
	if r := admin.post("/webhooks/"+webhooks.WritebackEndpoint+"/rotate", nil); r.StatusCode != http.StatusConflict {
		t.Errorf("rotating the write-back: %d", r.StatusCode)
	}

	// Resubmission asked, then approved on a new check: the reason goes.
	if _, err := tc.ledger.Record(ctx, review.Review{CheckID: checkID + "-2", CustomerID: customerID, Decision: review.Approve,
		Note: "The new document is fine", ReviewerID: reviewer.ID, ReviewerEmail: reviewer.Email}, nil); err != nil {
		t.Fatal(err)
	}
	tc.clock.Advance(time.Second)
	d.DeliverDue(ctx)
	if c, _ := tc.api.GetCustomer(ctx, customerID); c.Metadata[webhooks.MetaStatus] != "approved" || c.Metadata[webhooks.MetaReason] != "" {
		t.Errorf("after the approval: %v", c.Metadata)
	}
	// The rejection sent again does not undo the newer approval.
	var rejection int64
	if err := tc.db.QueryRow(ctx, `SELECT d.id FROM webhook_deliveries d JOIN webhook_events v ON v.id = d.event_id
		WHERE d.endpoint_id = ? AND v.type = ?`, webhooks.WritebackEndpoint, webhooks.Rejected).Scan(&rejection); err != nil {
		t.Fatal(err)
	}
	if err := tc.hooks.Redeliver(ctx, webhooks.WritebackEndpoint, rejection); err != nil {
		t.Fatal(err)
	}
	d.DeliverDue(ctx)
	if c, _ := tc.api.GetCustomer(ctx, customerID); c.Metadata[webhooks.MetaStatus] != "approved" {
		t.Errorf("an older decision sent again overwrote the newer: %v", c.Metadata)
	}
}

func countRows(t *testing.T, tc *testConsole, query string, args ...any) int {
	t.Helper()
	var n int
	if err := tc.db.QueryRow(t.Context(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
