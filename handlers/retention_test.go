package handlers_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/handlers"
	"github.com/hiveconsole/hiveconsole/retention"
)

// TestRetentionPage: without a policy the page says so; with one it shows the plan's counts and
// its first customers masked, a held customer left out; only admins see it.
func TestRetentionPage(t *testing.T) {
	off := newTestConsole(t)
	b := off.browser()
	b.signInAs(auth.RoleAdmin)
	if r := b.get("/retention"); r.StatusCode != http.StatusOK || !strings.Contains(r.doc(t).Find(`[data-testid="empty-state"]`).Text(), "No retention policy") {
		t.Errorf("no policy: %d", r.StatusCode)
	}

	policy, _ := retention.ParsePolicy("incomplete=1d")
	tc := newTestConsole(t, func(h *handlers.Config, _ *auth.Config) { h.Retention = policy })
	admin := tc.browser()
	admin.signInAs(auth.RoleAdmin)
	doc := admin.get("/retention").doc(t)
	counts := doc.Find(`[data-testid="retention-counts"]`).Text()
	rows := doc.Find(`[data-testid="retention-rows"] tbody tr`)
	if rows.Length() == 0 || !strings.Contains(counts, "Never completed") {
		t.Fatalf("the plan: %d rows, counts %q", rows.Length(), counts)
	}
	if full := regexp.MustCompile(`[a-z0-9.]{2,}@`).FindString(doc.Find(`[data-testid="retention-rows"]`).Text()); full != "" {
		t.Errorf("an email shows in clear: %q", full)
	}
	// A hold takes a customer out of the plan.
	first := rows.First().Find(`a`).AttrOr("href", "")
	if r := admin.post(first+"/hold", map[string][]string{"reason": {"Subpoena 2026-114"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("hold: %d", r.StatusCode)
	}
	after := admin.get("/retention").doc(t)
	if after.Find(`[data-testid="retention-rows"] a[href="`+first+`"]`).Length() != 0 {
		t.Error("the held customer is still in the plan")
	}
	if !strings.Contains(after.Find(`[data-testid="stat-lock"]`).Text(), "1") {
		t.Errorf("held count: %q", after.Find(`[data-testid="stat-lock"]`).Text())
	}

	// Applied, the run shows under Runs: its plan, its deletions, finished; and a hold on a
	// customer whose deletion is under way is refused, saying so, keeping the reason typed.
	if !strings.Contains(after.Find(`[data-testid="retention-schedule"]`).Text(), "hiveconsole retention apply --yes") {
		t.Errorf("the schedule line: %q", after.Find(`[data-testid="retention-schedule"]`).Text())
	}
	planned := rows.Length() - 1
	a := &retention.Applier{DB: tc.db, Hive: tc.api, Copy: tc.read, Notes: tc.notes, Reviews: tc.ledger, Trail: tc.trail, Holder: "test"}
	run, err := a.Apply(t.Context(), policy, retention.Actor{ID: tc.users[auth.RoleAdmin].ID, Email: "admin@example.com", Role: auth.RoleAdmin})
	if err != nil || run.Deleted != planned {
		t.Fatalf("apply: %+v %v; want %d deleted", run, err, planned)
	}
	runs := admin.get("/retention").doc(t).Find(`[data-testid="retention-runs"] tbody tr`)
	if got := strings.Join(runs.Find("td").Map(func(_ int, td *goquery.Selection) string { return strings.TrimSpace(td.Text()) }), " "); runs.Length() != 1 || !strings.Contains(got, "admin@example.com incomplete=1d") ||
		!strings.Contains(got, "Finished") {
		t.Errorf("runs: %q", got)
	}
	var other string
	if err := tc.db.QueryRow(t.Context(), `SELECT id FROM hive_customers WHERE deleted_at IS NULL ORDER BY id LIMIT 1`).Scan(&other); err != nil {
		t.Fatal(err)
	}
	if _, err := tc.db.Exec(t.Context(), `INSERT INTO retention_items (run_id, customer_id, rule, state) VALUES (?, ?, 'incomplete', 'attempted')`,
		run.ID, other); err != nil {
		t.Fatal(err)
	}
	r := admin.post("/customers/"+other+"/hold", map[string][]string{"reason": {"Subpoena 2026-115"}})
	if form := r.doc(t).Find(`form[action$="/hold"]`); r.StatusCode != http.StatusConflict || !strings.Contains(form.Text(), "deleting this customer right now") ||
		form.Find(`[name="reason"]`).Text()+form.Find(`[name="reason"]`).AttrOr("value", "") != "Subpoena 2026-115" {
		t.Errorf("a hold during the deletion: %d %q", r.StatusCode, strings.Join(strings.Fields(form.Text()), " "))
	}

	rev := tc.browser()
	rev.signInAs(auth.RoleReviewer)
	if st := rev.get("/retention").StatusCode; st != http.StatusForbidden {
		t.Errorf("a reviewer: %d", st)
	}
}
