package handlers_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/readmodel"
)

// downLists is the sandbox's API with its customers list failing, as Hive down mid-sync would.
type downLists struct{ *hive.Client }

func (downLists) EachCustomer(context.Context, func(*hive.Customer) error) error {
	return &hive.Error{Code: hive.CodeUnavailable, Message: "Hive could not be reached"}
}

// TestEveryListSaysHowFreshItIs: every list page and the overview carry the sync badge: ready
// after a complete pass, failing (with the kind of error) once a pass fails, while still listing
// the last data.
func TestEveryListSaysHowFreshItIs(t *testing.T) {
	tc := newTestConsole(t)
	b := tc.browser()
	b.signInAs(auth.RoleAdmin)
	pages := []string{"/", "/customers", "/checks", "/checks?queue=review", "/sessions", "/files"}
	for _, p := range pages {
		badge := b.get(p).doc(t).Find(`[data-testid="sync-status"]`)
		if badge.AttrOr("data-state", "") != "ready" || badge.AttrOr("data-synced-at", "") == "" {
			t.Errorf("%s: badge %q, synced at %q; want ready with a time", p, badge.AttrOr("data-state", ""), badge.AttrOr("data-synced-at", ""))
		}
	}
	if err := readmodel.NewSyncer(tc.read, downLists{tc.api}, readmodel.SyncConfig{}).Pass(context.Background()); err == nil {
		t.Fatal("a pass with Hive down succeeded")
	}
	for _, p := range pages {
		doc := b.get(p).doc(t)
		badge := doc.Find(`[data-testid="sync-status"]`)
		if badge.AttrOr("data-state", "") != "failing" || !strings.Contains(badge.Text(), "Hive could not be reached") {
			t.Errorf("%s: badge %q %q; want failing with the error", p, badge.AttrOr("data-state", ""), badge.Text())
		}
	}
	if n := b.get("/customers").doc(t).Find(`[data-testid="customer-row"]`).Length(); n == 0 {
		t.Error("a failing sync emptied the customers list")
	}
}
