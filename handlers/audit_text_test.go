package handlers_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hiveconsole/hiveconsole/audit"
	"github.com/hiveconsole/hiveconsole/audit/audittest"
	"github.com/hiveconsole/hiveconsole/auth"
)

// hostileText holds ESC (starting terminal sequences), BEL, NUL, C1 CSI, a bidi override and a line
// separator: text that acts on a terminal, a spreadsheet or a reader's eye instead of showing.
const hostileText = "called \x1b[31mred\x07 \x00 \u009b2J \u202eevil\u2028next"

// unsafeIn returns the first character of s that must not reach a terminal or a page raw, keeping
// the line breaks that end CSV records, or -1.
func unsafeIn(s string) rune {
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r':
		case r < 0x20, r >= 0x7f && r <= 0x9f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069,
			r == 0x2028, r == 0x2029, r == 0x200e, r == 0x200f, r == 0x061c:
			return r
		}
	}
	return -1
}

// detailStrings lists every string in decoded details, keys included.
func detailStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, x := range v {
			out = append(out, detailStrings(x)...)
		}
		return out
	case map[string]any:
		var out []string
		for k, x := range v {
			out = append(append(out, k), detailStrings(x)...)
		}
		return out
	}
	return nil
}

// TestAuditStoresFreeTextCleaned reveals with a reason, and saves a metadata value, full of control
// and bidi characters, and finds both stored without them, in rows the chain seals.
func TestAuditStoresFreeTextCleaned(t *testing.T) {
	tc := newTestConsole(t)
	f := newPIIFixture(t, tc)
	reviewer, admin := tc.browser(), tc.browser()
	reviewer.signInAs(auth.RoleReviewer)
	admin.signInAs(auth.RoleAdmin)

	r := reviewer.post("/reveal", url.Values{"target": {"customer"}, "id": {f.customerID}, "field": {"phone"}, "reason": {hostileText}})
	if r.StatusCode != http.StatusOK {
		t.Fatalf("reveal: got %d, want 200", r.StatusCode)
	}
	rows := trail(t, tc)
	reason, _ := rows[len(rows)-1].Details["reason"].(string)
	// The reveal itself folds white space, U+2028 included, into single spaces.
	if want := "called \uFFFD[31mred\uFFFD \uFFFD \uFFFD2J \uFFFDevil next"; reason != want {
		t.Errorf("stored reason %q, want %q", reason, want)
	}

	form := editForm(t, admin, f.customerID)
	form.Set("meta_key_0", "note")
	form.Set("meta_value_0", hostileText)
	if r := admin.post("/customers/"+f.customerID, form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: got %d, want 303: %s", r.StatusCode, r.doc(t).Find(".field__error").Text())
	}
	rows = trail(t, tc)
	changes, _ := rows[len(rows)-1].Details["changes"].(map[string]any)
	note, _ := changes["metadata.note"].(map[string]any)
	if want := "called \uFFFD[31mred\uFFFD \uFFFD \uFFFD2J \uFFFDevil next"; note["after"] != want {
		t.Errorf("stored diff value %q, want %q", note["after"], want)
	}
	for _, row := range rows {
		for _, s := range []string{row.ActorEmail, row.TargetID, row.RequestID, strings.Join(detailStrings(row.Details), " ")} {
			if c := unsafeIn(s); c >= 0 {
				t.Errorf("row %d %s holds %U in %q", row.Seq, row.Action, c, s)
			}
		}
	}
	if v, err := tc.trail.Verify(context.Background()); err != nil || v.BrokenSeq != 0 {
		t.Errorf("Verify = %+v, %v; want intact", v, err)
	}
}

// TestAuditShowsOldRowsSafely puts in the trail a row written before the trail cleaned its text, raw
// controls and a formula included, and finds the CSV export and the page showing them as visible
// escapes, the CSV also defusing the formula.
func TestAuditShowsOldRowsSafely(t *testing.T) {
	tc := newTestConsole(t)
	admin := tc.browser()
	admin.signInAs(auth.RoleAdmin)
	old := audit.Event{Time: time.Now().UTC(), ActorID: "usr_old", ActorEmail: "mallory\x1b]0;owned\x07@example.com", Role: auth.RoleAdmin,
		Action: "pii.reveal", TargetType: "customer", TargetID: "=HYPERLINK(\"http://evil.example\")", ClientIP: "203.0.113.9",
		RequestID: "req\x00\r\n1", Outcome: audit.OutcomeSuccess}
	if err := audittest.AppendRaw(context.Background(), tc.db, old, `{"reason":"`+"\\u001b[2J\\u0007\\u0000\u009b\u202e\\u2028"+`"}`); err != nil {
		t.Fatal(err)
	}
	if v, err := tc.trail.Verify(context.Background()); err != nil || v.BrokenSeq != 0 {
		t.Fatalf("Verify = %+v, %v; want the raw row sealed like any other", v, err)
	}

	body := admin.get("/audit/export.csv?action=pii.reveal").Body
	if c := unsafeIn(body); c >= 0 {
		t.Errorf("the CSV export holds %U: %q", c, body)
	}
	records, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(records) != 2 {
		t.Fatalf("CSV = %d records, %v; want a header and the old row", len(records), err)
	}
	got := map[string]string{}
	for i, name := range records[0] {
		got[name] = records[1][i]
	}
	for name, want := range map[string]string{
		"actor_email": `mallory\x1b]0;owned\a@example.com`,
		"target_id":   `'=HYPERLINK("http://evil.example")`,
		"request_id":  `req\x00\r\n1`,
		"details":     `reason: \x1b[2J\a\x00\u009b\u202e\u2028`,
	} {
		if got[name] != want {
			t.Errorf("CSV %s = %q, want %q", name, got[name], want)
		}
	}

	page := admin.get("/audit?action=pii.reveal")
	if c := unsafeIn(page.Body); c >= 0 {
		t.Errorf("the audit page holds %U raw", c)
	}
	row := page.doc(t).Find(`[data-testid="audit-row"]`).First().Text()
	for _, want := range []string{`mallory\x1b]0;owned\a@example.com`, `reason: \x1b[2J\a\x00\u009b\u202e\u2028`} {
		if !strings.Contains(row, want) {
			t.Errorf("the page's row %q does not show %q", row, want)
		}
	}
}

// TestAuditPageNamesTheShell: a change made from the shell, whose actor has an id and no email, shows
// that id as its actor on the page and in the CSV.
func TestAuditPageNamesTheShell(t *testing.T) {
	tc := newTestConsole(t)
	admin := tc.browser()
	admin.signInAs(auth.RoleAdmin)
	target := tc.users[auth.RoleSupport].ID
	if err := tc.trail.Record(context.Background(), audit.Event{ActorID: "cli:ops@console-1", Action: "user.disable",
		TargetType: "user", TargetID: target, Outcome: audit.OutcomeSuccess,
		Details: map[string]any{"email": "support@example.com", "role": "support"}}); err != nil {
		t.Fatal(err)
	}
	row := admin.get("/audit?actor=cli%3Aops%40console-1").doc(t).Find(`[data-testid="audit-row"]`)
	if row.Length() != 1 || !strings.Contains(row.Text(), "cli:ops@console-1") {
		t.Errorf("the page's rows for the shell actor: %d, %q; want one naming cli:ops@console-1", row.Length(), row.Text())
	}
	if body := admin.get("/audit/export.csv?action=user.disable").Body; !strings.Contains(body, "cli:ops@console-1") {
		t.Errorf("the CSV lacks the shell actor: %q", body)
	}
}
