package handlers_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/hiveconsole/hiveconsole/audit"
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/hive"
)

// TestEditDiffIsSealed: an edit's before and after values are stored sealed under the customer's
// key, not in clear; the customer's history shows them while the key exists, and says they were
// erased once it is shredded.
func TestEditDiffIsSealed(t *testing.T) {
	tc := newTestConsole(t)
	ctx := context.Background()
	cust, err := tc.api.CreateCustomer(ctx, hive.CustomerParams{Email: hive.String("before.sealing@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	admin := tc.browser()
	admin.signInAs(auth.RoleAdmin)
	form := editForm(t, admin, cust.ID)
	form.Set("email", "after.sealing@example.com")
	if r := admin.post("/customers/"+cust.ID, form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", r.StatusCode, r.Body)
	}
	var stored string
	if err := tc.db.QueryRow(ctx, `SELECT details FROM audit_events WHERE action = 'customer.update' AND outcome = 'success' AND target_id = ?`,
		cust.ID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stored, "sealing@example.com") || !strings.Contains(stored, `"sealed"`) {
		t.Errorf("the stored diff: %s", stored)
	}
	history := func() string {
		return admin.get("/audit?action=customer.update").doc(t).Find(`[data-testid="audit-history"], main`).Text()
	}
	if h := history(); !strings.Contains(h, "after.sealing@example.com") {
		t.Errorf("the trail does not show the diff while the key exists: %q", h)
	}
	if err := tc.trail.Shred(ctx, audit.CustomerSubject(cust.ID)); err != nil {
		t.Fatal(err)
	}
	if h := history(); strings.Contains(h, "sealing@example.com") || !strings.Contains(h, "erased") {
		t.Errorf("after shredding the trail shows %q", h)
	}
}
