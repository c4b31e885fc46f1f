package handlers_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

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
	rev := tc.browser()
	rev.signInAs(auth.RoleReviewer)
	if st := rev.get("/retention").StatusCode; st != http.StatusForbidden {
		t.Errorf("a reviewer: %d", st)
	}
}
