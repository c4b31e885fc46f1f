package handlers_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hiveconsole/hiveconsole/audit"
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/review"
	"github.com/hiveconsole/hiveconsole/webhooks"
)

// apiGet asks the read API with a token ("" for none).
func apiGet(t *testing.T, tc *testConsole, path, token string) (int, http.Header, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, tc.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("%s: %d, not JSON: %s", path, resp.StatusCode, body)
	}
	return resp.StatusCode, resp.Header, out
}

// TestReadAPI: an admin creates a token, shown once; with it a system reads the decisions as a feed
// with a cursor and a check's newest decision, without personal data; each read is audited under
// the token and its last use shows; no token, a wrong one, or a revoked one gets 401, a token opens
// no page, and a token asking too fast gets 429.
func TestReadAPI(t *testing.T) {
	tc := newTestConsole(t)
	ctx := t.Context()
	admin := tc.browser()
	admin.signInAs(auth.RoleAdmin)

	if r := admin.post("/api-tokens", url.Values{"name": {"   "}}); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a token without a name: %d", r.StatusCode)
	}
	r := admin.post("/api-tokens", url.Values{"name": {"Onboarding service"}})
	doc := r.doc(t)
	token := doc.Find(`[data-testid="api-token-value"]`).Text()
	if r.StatusCode != http.StatusCreated || !strings.HasPrefix(token, webhooks.TokenPrefix) || r.Header.Get("Cache-Control") != "no-store" ||
		doc.Find(`[data-testid="copy-api-token"]`).AttrOr("data-copy", "") != token {
		t.Fatalf("create: %d %q", r.StatusCode, token)
	}
	list := admin.get("/api-tokens").doc(t)
	if strings.Contains(list.Text(), token) || !strings.Contains(list.Find(`[data-testid="api-tokens"]`).Text(), "Never") {
		t.Error("the list shows the token again, or a use")
	}

	reviewer := tc.users[auth.RoleReviewer]
	decide := func(check string, d review.Decision, reason string, needsSecond bool) {
		t.Helper()
		rv := review.Review{CheckID: check, CustomerID: "cus_" + check, Decision: d, Reason: reason, Note: "Spoke to Ada Lovelace",
			ReviewerID: reviewer.ID, ReviewerEmail: reviewer.Email, NeedsSecond: needsSecond}
		if d == review.Resubmit {
			rv.SessionID = "ses_again"
		}
		if _, err := tc.ledger.Record(ctx, rv, nil); err != nil {
			t.Fatal(err)
		}
	}
	decide("chk_a", review.Approve, "", false)
	decide("chk_b", review.Reject, review.DefaultRejectReasons[0].Code, false)
	decide("chk_c", review.Approve, "", true)

	status, _, page := apiGet(t, tc, "/api/v1/decisions?limit=2", token)
	data, _ := page["data"].([]any)
	if status != 200 || len(data) != 2 || page["has_more"] != true {
		t.Fatalf("first page: %d %v", status, page)
	}
	status, _, rest := apiGet(t, tc, "/api/v1/decisions?since="+page["next"].(string), token)
	more, _ := rest["data"].([]any)
	if status != 200 || len(more) != 1 || rest["has_more"] != false {
		t.Fatalf("second page: %d %v", status, rest)
	}
	var types []string
	for _, d := range append(data, more...) {
		m := d.(map[string]any)
		types = append(types, m["type"].(string)+":"+m["check_id"].(string))
		if !strings.HasPrefix(m["reviewer"].(string), "rvw_") {
			t.Errorf("reviewer %v", m["reviewer"])
		}
	}
	if strings.Join(types, " ") != "review.approved:chk_a review.rejected:chk_b review.first_approval:chk_c" {
		t.Errorf("the feed: %v", types)
	}
	// Nothing new: the same cursor back. A new decision: it alone.
	status, _, empty := apiGet(t, tc, "/api/v1/decisions?since="+rest["next"].(string), token)
	if status != 200 || len(empty["data"].([]any)) != 0 || empty["next"] != rest["next"] {
		t.Errorf("caught up: %v", empty)
	}
	decide("chk_d", review.Resubmit, "", false)
	_, _, newer := apiGet(t, tc, "/api/v1/decisions?since="+rest["next"].(string), token)
	if d := newer["data"].([]any); len(d) != 1 || d[0].(map[string]any)["type"] != webhooks.Resubmission {
		t.Errorf("after a new decision: %v", newer)
	}

	status, _, one := apiGet(t, tc, "/api/v1/checks/chk_b/decision", token)
	if status != 200 || one["reason_code"] != review.DefaultRejectReasons[0].Code || one["decision"] != "reject" {
		t.Errorf("a check's decision: %d %v", status, one)
	}
	if status, _, _ := apiGet(t, tc, "/api/v1/checks/chk_none/decision", token); status != http.StatusNotFound {
		t.Errorf("a check without a decision: %d", status)
	}
	for _, bad := range []string{"/api/v1/decisions?since=nonsense", "/api/v1/decisions?limit=0", "/api/v1/decisions?limit=101"} {
		if status, _, body := apiGet(t, tc, bad, token); status != http.StatusBadRequest || body["error"] == "" {
			t.Errorf("%s: %d %v", bad, status, body)
		}
	}

	// Nothing personal leaves: not the note, not the reviewer's email.
	req, _ := http.NewRequest(http.MethodGet, tc.URL+"/api/v1/decisions", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, personal := range []string{"Ada Lovelace", reviewer.Email, reviewer.ID} {
		if strings.Contains(string(raw), personal) {
			t.Errorf("the feed holds %q", personal)
		}
	}

	// Credentials: none, wrong, a session's cookie; a token is no staff credential.
	if status, h, _ := apiGet(t, tc, "/api/v1/decisions", ""); status != http.StatusUnauthorized || !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("no token: %d", status)
	}
	if status, _, _ := apiGet(t, tc, "/api/v1/decisions", webhooks.TokenPrefix+"wrong"); status != http.StatusUnauthorized {
		t.Errorf("a wrong token: %d", status)
	}
	if status := admin.status(http.MethodGet, "/api/v1/decisions"); status != http.StatusUnauthorized {
		t.Errorf("an admin's session: %d", status)
	}
	pageReq, _ := http.NewRequest(http.MethodGet, tc.URL+"/customers", nil)
	pageReq.Header.Set("Authorization", "Bearer "+token)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if resp, err := noRedirect.Do(pageReq); err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a token on a page: %v %v", resp.StatusCode, err)
	}

	// Audited under the token; its use shows on the page.
	reads, _, err := tc.trail.Events(ctx, audit.Query{Action: "api.read"})
	if err != nil || len(reads) < 8 || !strings.HasPrefix(reads[0].ActorID, "token:tok_") || reads[0].Details["token"] != "Onboarding service" {
		t.Errorf("api.read rows: %d %v", len(reads), err)
	}
	if text := admin.get("/api-tokens").doc(t).Find(`[data-testid="api-tokens"]`).Text(); strings.Contains(text, "Never") {
		t.Error("the token's last use does not show")
	}

	// Too fast: 429 with Retry-After.
	limited := false
	for range 60 {
		if status, h, _ := apiGet(t, tc, "/api/v1/checks/chk_a/decision", token); status == http.StatusTooManyRequests && h.Get("Retry-After") != "" {
			limited = true
			break
		}
	}
	if !limited {
		t.Error("60 requests at once were never limited")
	}

	// Revoked: refused from then on, and the page says so.
	revoke := list.Find(`form[action$="/revoke"]`).AttrOr("action", "")
	if r := admin.post(revoke, nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", r.StatusCode)
	}
	if status, _, _ := apiGet(t, tc, "/api/v1/decisions", token); status != http.StatusUnauthorized {
		t.Errorf("a revoked token: %d", status)
	}
	if !strings.Contains(admin.get("/api-tokens").doc(t).Text(), "Revoked") {
		t.Error("the page does not say revoked")
	}
	for _, action := range []string{"api_token.create", "api_token.revoke"} {
		if rows, _, _ := tc.trail.Events(ctx, audit.Query{Action: action, Outcome: audit.OutcomeSuccess}); len(rows) != 1 {
			t.Errorf("%s rows: %d", action, len(rows))
		}
	}
	if strings.Contains(auditText(t, tc), token) {
		t.Error("the token is in the audit trail")
	}
}
