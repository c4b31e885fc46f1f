package handlers_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/hiveconsole/hiveconsole/audit"
	"github.com/hiveconsole/hiveconsole/auth"
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
	r = admin.post("/webhooks", url.Values{"url": {rcv.URL + "/hooks"}, "events": {webhooks.Approved, webhooks.Rejected}})
	doc = r.doc(t)
	secret := doc.Find(`[data-testid="webhook-secret-value"]`).Text()
	if r.StatusCode != http.StatusCreated || !strings.HasPrefix(secret, "whsec_") || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("add: %d, secret %q", r.StatusCode, secret)
	}
	if r := admin.post("/webhooks", url.Values{"url": {rcv.URL + "/hooks"}, "events": {webhooks.Approved}}); r.StatusCode != http.StatusUnprocessableEntity ||
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
	if strings.Contains(auditText(t, tc), secret) {
		t.Error("a secret is in the audit trail")
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
