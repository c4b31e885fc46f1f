package handlers_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hiveconsole/hiveconsole/audit"
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/hive"
)

// The form's limits on metadata, as a user meets them.
const (
	formMaxKeys     = 50
	formMaxKeyLen   = 40
	formMaxValueLen = 500
)

func longKey(prefix string, i int) string {
	k := fmt.Sprintf("%s%02d_", prefix, i)
	return k + strings.Repeat("k", formMaxKeyLen-len(k))
}

func longValue(seed string) string {
	return strings.Repeat(seed+"-", formMaxValueLen)[:formMaxValueLen]
}

func hexSHA256(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestAuditRecordsLargeEdits saves, through the edit form, edits of many maximal metadata values, up
// to the largest the form accepts, and finds each saved (303) with exactly one customer.update row
// that names every changed field and proves every value it cut by the SHA-256 of the whole value.
func TestAuditRecordsLargeEdits(t *testing.T) {
	tc := newTestConsole(t)
	ctx := context.Background()
	admin := tc.browser()
	admin.signInAs(auth.RoleAdmin)
	stored := map[string]string{}
	for i := range formMaxKeys {
		stored[longKey("old", i)] = longValue(fmt.Sprint("was", i))
	}
	cust, err := tc.api.CreateCustomer(ctx, hive.CustomerParams{Email: hive.String("big.edit@example.com"), Metadata: stored})
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name  string
		edit  func(form url.Values) map[string][2]string // changes the form; returns field → {before, after}
		every bool                                       // each field keeps its own entry (no digest)
	}{
		{"25 values rewritten", func(form url.Values) map[string][2]string {
			want := map[string][2]string{}
			for i := range formMaxKeys {
				key := form.Get(fmt.Sprintf("meta_key_%d", i))
				if i%2 == 0 {
					now := longValue(fmt.Sprint("now", i))
					want["metadata."+key] = [2]string{form.Get(fmt.Sprintf("meta_value_%d", i)), now}
					form.Set(fmt.Sprintf("meta_value_%d", i), now)
				}
			}
			return want
		}, true},
		{"every key renamed, the largest edit", func(form url.Values) map[string][2]string {
			want := map[string][2]string{"first_name": {"", strings.Repeat("F", 100)}}
			form.Set("first_name", strings.Repeat("F", 100))
			for i := range formMaxKeys {
				key, was := form.Get(fmt.Sprintf("meta_key_%d", i)), form.Get(fmt.Sprintf("meta_value_%d", i))
				now := longValue(fmt.Sprint("new", i))
				want["metadata."+key] = [2]string{was, ""}
				want["metadata."+longKey("new", i)] = [2]string{"", now}
				form.Set(fmt.Sprintf("meta_key_%d", i), longKey("new", i))
				form.Set(fmt.Sprintf("meta_value_%d", i), now)
			}
			return want
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := editForm(t, admin, cust.ID)
			want := tt.edit(form)
			before := len(trail(t, tc))
			if r := admin.post("/customers/"+cust.ID, form); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("save: got %d, want 303: %s", r.StatusCode, r.doc(t).Find(".field__error").Text())
			}
			rows := trail(t, tc)[before:]
			if len(rows) != 2 || rows[0].Outcome != audit.OutcomeAttempted || rows[1].Outcome != audit.OutcomeSuccess {
				t.Fatalf("got %d new rows, want a customer.update attempt and its success", len(rows))
			}
			for _, r := range rows {
				if r.Action != "customer.update" || r.TargetID != cust.ID {
					t.Fatalf("row %s %s, want customer.update for %s", r.Action, r.TargetID, cust.ID)
				}
				checkUpdateRow(t, r.Details, want, tt.every)
			}
		})
	}
	if v, err := tc.trail.Verify(ctx); err != nil || v.BrokenSeq != 0 {
		t.Errorf("Verify = %+v, %v; want intact", v, err)
	}
	got, _ := tc.api.GetCustomer(ctx, cust.ID)
	if len(got.Metadata) != formMaxKeys || got.Metadata[longKey("new", 7)] != longValue("new7") {
		t.Errorf("after the edits Hive holds %d keys, want the %d new ones", len(got.Metadata), formMaxKeys)
	}

	// The page shows a cut value's hash to a reader of the trail.
	text := admin.get("/audit?action=customer.update").doc(t).Find(".audit-details").First().Text()
	if wantSum := hexSHA256(longValue("new0")); !strings.Contains(text, "(sha256 "+wantSum+")") {
		t.Errorf("the audit page's details lack the hash %s of a cut value: %.300q…", wantSum, text)
	}
}

// checkUpdateRow checks that an update row's details mention every field of want and keep, for each
// field with an entry, each value whole or cut with the SHA-256 of the whole value.
func checkUpdateRow(t *testing.T, details map[string]any, want map[string][2]string, every bool) {
	t.Helper()
	entries, _ := details["changes"].(map[string]any)
	named := map[string]bool{}
	if list, ok := details["also_changed"].([]any); ok {
		for _, n := range list {
			named[fmt.Sprint(n)] = true
		}
	}
	if every && (len(entries) != len(want) || len(named) != 0) {
		t.Errorf("got %d entries and %d named fields, want an entry for each of %d fields", len(entries), len(named), len(want))
	}
	if !every && (len(entries)+len(named) != len(want) || details["changes_sha256"] == nil) {
		t.Errorf("got %d entries, %d named fields and digest %v; want %d fields in all and a digest",
			len(entries), len(named), details["changes_sha256"], len(want))
	}
	hashed := 0
	for field, values := range want {
		e, ok := entries[field].(map[string]any)
		if !ok {
			if !named[field] {
				t.Errorf("field %s changed but the row does not mention it", field)
			}
			continue
		}
		for i, side := range []string{"before", "after"} {
			kept, _ := e[side].(string)
			sum, cut := e[side+"_sha256"]
			switch {
			case !cut && kept != values[i]:
				t.Errorf("%s %s = %q, want the whole %q", field, side, kept, values[i])
			case cut && (sum != hexSHA256(values[i]) || !strings.HasPrefix(values[i], strings.TrimSuffix(kept, "…"))):
				t.Errorf("%s %s = %q, sha256 %v; want a prefix of the value and the SHA-256 of it all", field, side, kept, sum)
			case cut:
				hashed++
			}
		}
	}
	if hashed == 0 {
		t.Error("no value was cut and hashed, want the long ones to be")
	}
}
