package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/hiveconsole/hiveconsole/audit"
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/handlers"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/hive/sandbox"
)

// trail reads the whole audit trail, oldest first.
func trail(t *testing.T, tc *testConsole) []audit.Entry {
	t.Helper()
	rows, _, err := tc.trail.Events(context.Background(), audit.Query{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(rows)-1; i < j; i, j = i+1, j-1 {
		rows[i], rows[j] = rows[j], rows[i]
	}
	return rows
}

// TestAuditRecordsEveryAction performs each audited action once and finds exactly one new row for
// it with the right actor, role, action, target, outcome, address and request id.
func TestAuditRecordsEveryAction(t *testing.T) {
	var logs bytes.Buffer
	tc := newTestConsole(t, func(c *handlers.Config, _ *auth.Config) {
		c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	ctx := context.Background()
	f := newPIIFixture(t, tc)
	files, _ := tc.api.ListFiles(ctx)
	var fileID string
	for _, fl := range files.Data {
		if fl.CheckID != nil && *fl.CheckID == f.checkID {
			fileID = fl.ID
		}
	}
	admin, reviewer, support := tc.browser(), tc.browser(), tc.browser()
	admin.signInAs(auth.RoleAdmin)
	reviewer.signInAs(auth.RoleReviewer)
	support.signInAs(auth.RoleSupport)

	var secrets []string // values no row and no log line may contain
	seen := len(trail(t, tc))
	expect := func(name string, r response, role auth.Role, action, targetType, targetID, outcome string) audit.Entry {
		t.Helper()
		rows := trail(t, tc)
		fresh := rows[seen:]
		seen = len(rows)
		if len(fresh) != 1 {
			var got []string
			for _, x := range fresh {
				got = append(got, x.Action+"/"+x.Outcome)
			}
			t.Errorf("%s: %d new rows %v, want exactly one", name, len(fresh), got)
			if len(fresh) == 0 {
				return audit.Entry{}
			}
		}
		e := fresh[0]
		if e.Action != action || e.Outcome != outcome || e.TargetType != targetType || (targetID != "*" && e.TargetID != targetID) {
			t.Errorf("%s: row %s %s %s:%s, want %s %s %s:%s", name, e.Action, e.Outcome, e.TargetType, e.TargetID, action, outcome, targetType, targetID)
		}
		if role != "" && (e.Role != role || e.ActorEmail != string(role)+"@example.com" || e.ActorID != tc.users[role].ID) {
			t.Errorf("%s: actor %s %s %s, want the %s", name, e.ActorID, e.ActorEmail, e.Role, role)
		}
		if e.ClientIP != "127.0.0.1" || e.RequestID == "" || (r.Response != nil && e.RequestID != r.Header.Get("X-Request-Id")) {
			t.Errorf("%s: client %q, request %q (response says %q)", name, e.ClientIP, e.RequestID, r.Header.Get("X-Request-Id"))
		}
		return e
	}

	// expectChange wants a change's two rows: "attempted" before it was made (with the target's id
	// when it was known before: not for a create) and its outcome after, with the id. It returns the
	// outcome row.
	expectChange := func(name string, r response, role auth.Role, action, targetType, targetID string) audit.Entry {
		t.Helper()
		rows := trail(t, tc)
		fresh := rows[seen:]
		seen = len(rows)
		if len(fresh) != 2 {
			var got []string
			for _, x := range fresh {
				got = append(got, x.Action+"/"+x.Outcome)
			}
			t.Errorf("%s: %d new rows %v, want an attempt and its outcome", name, len(fresh), got)
			return audit.Entry{}
		}
		attempt, outcome := fresh[0], fresh[1]
		wantAttemptTarget := targetID
		if targetID == "*" {
			wantAttemptTarget = "" // a create: Hive names the target only once it exists
		}
		if attempt.Action != action || attempt.Outcome != audit.OutcomeAttempted || attempt.TargetID != wantAttemptTarget {
			t.Errorf("%s: first row %s %s %s, want %s attempted %s", name, attempt.Action, attempt.Outcome, attempt.TargetID, action, wantAttemptTarget)
		}
		if outcome.Action != action || outcome.Outcome != audit.OutcomeSuccess || outcome.TargetType != targetType ||
			outcome.TargetID == "" || (targetID != "*" && outcome.TargetID != targetID) {
			t.Errorf("%s: second row %s %s %s:%s, want %s success %s:%s", name, outcome.Action, outcome.Outcome,
				outcome.TargetType, outcome.TargetID, action, targetType, targetID)
		}
		for _, e := range fresh {
			if role != "" && (e.Role != role || e.ActorID != tc.users[role].ID) || e.RequestID != r.Header.Get("X-Request-Id") {
				t.Errorf("%s: row by %s %s in request %s, want the %s in %s", name, e.ActorID, e.Role, e.RequestID, role, r.Header.Get("X-Request-Id"))
			}
		}
		return outcome
	}

	// Signing in and out.
	anon := tc.browser()
	r := anon.signIn("nobody@example.com", "a wrong password entirely")
	e := expect("failed sign-in", r, "", "auth.sign_in", "user", "", audit.OutcomeFailure)
	if e.ActorEmail != "nobody@example.com" || e.ActorID != "" {
		t.Errorf("failed sign-in actor: %q %q", e.ActorEmail, e.ActorID)
	}
	secrets = append(secrets, "a wrong password entirely", testPassword)
	late := tc.browser()
	r = late.signIn("auditor@example.com", testPassword)
	expect("sign-in", r, auth.RoleAuditor, "auth.sign_in", "user", tc.users[auth.RoleAuditor].ID, audit.OutcomeSuccess)
	seen = len(trail(t, tc)) // the harness's sign-in helper also opened the overview
	r = late.post("/logout", nil)
	expect("sign-out", r, auth.RoleAuditor, "auth.sign_out", "user", tc.users[auth.RoleAuditor].ID, audit.OutcomeSuccess)

	// Sensitive reads.
	r = reviewer.get("/checks/" + f.checkID)
	expect("report view", r, auth.RoleReviewer, "report.view", "check", f.checkID, audit.OutcomeSuccess)
	r = reviewer.get("/checks/" + f.checkID + "/report.json")
	expect("report download", r, auth.RoleReviewer, "report.download", "check", f.checkID, audit.OutcomeSuccess)
	r = reviewer.get("/files/" + fileID + "/content")
	expect("file view", r, auth.RoleReviewer, "file.view", "file", fileID, audit.OutcomeSuccess)
	secrets = append(secrets, r.Body[:64])
	r = reviewer.get("/files/" + fileID + "/content?download=1")
	expect("file download", r, auth.RoleReviewer, "file.download", "file", fileID, audit.OutcomeSuccess)
	r = reviewer.post("/reveal", url.Values{"target": {"customer"}, "id": {f.customerID}, "field": {"phone"}, "reason": {"customer called"}})
	e = expect("reveal", r, auth.RoleReviewer, "pii.reveal", "customer", f.customerID, audit.OutcomeSuccess)
	if e.Details["field"] != "phone" || e.Details["reason"] != "customer called" {
		t.Errorf("reveal details: %v", e.Details)
	}
	secrets = append(secrets, f.record["phone"])
	r = support.get("/customers/" + f.customerID)
	expect("customer view", r, auth.RoleSupport, "customer.view", "customer", f.customerID, audit.OutcomeSuccess)
	r = reviewer.get("/customers/export.csv")
	expect("CSV export", r, auth.RoleReviewer, "customers.export", "customer", "", audit.OutcomeSuccess)
	r = admin.get("/audit/export.csv")
	expect("audit export", r, auth.RoleAdmin, "audit.export", "audit", "", audit.OutcomeSuccess)

	// Changes.
	r = admin.post("/customers", url.Values{"email": {"audited@example.com"}, "first_name": {"Aud"}, "last_name": {"Ited"}})
	created := strings.TrimPrefix(r.Header.Get("Location"), "/customers/")
	if e := expectChange("customer create", r, auth.RoleAdmin, "customer.create", "customer", "*"); e.TargetID != created {
		t.Errorf("customer create: the outcome names %q, want the new customer %q", e.TargetID, created)
	}
	edit := admin.get("/customers/" + created + "/edit").doc(t)
	version := edit.Find(`input[name="version"]`).AttrOr("value", "")
	r = admin.post("/customers/"+created, url.Values{"email": {"audited@example.com"}, "first_name": {"Audrey"},
		"last_name": {"Ited"}, "version": {version}})
	e = expectChange("customer update", r, auth.RoleAdmin, "customer.update", "customer", created)
	changes, _ := e.Details["changes"].(map[string]any)
	if fn, _ := changes["first_name"].(map[string]any); len(changes) != 1 || fn["before"] != "Aud" || fn["after"] != "Audrey" {
		t.Errorf("update diff: %v", e.Details)
	}
	r = support.post("/customers/"+created+"/sessions", nil)
	issued := expectChange("session issue", r, auth.RoleSupport, "session.issue", "session", "*")
	secrets = append(secrets, strings.TrimSpace(r.doc(t).Find(`[data-testid="session-token"]`).Text()))
	r = support.post("/sessions/"+issued.TargetID+"/delete", nil)
	expectChange("session delete", r, auth.RoleSupport, "session.delete", "session", issued.TargetID)
	r = reviewer.post("/checks/"+f.checkID+"/review", url.Values{"decision": {"approve"}, "note": {"fine"}})
	expectChange("review", r, auth.RoleReviewer, "review.decide", "check", f.checkID)
	second := scenarioCheck(t, tc, customer("second@example.com", "Sec", "Ond"), sandbox.ScenarioClear)
	r = admin.post("/checks/"+second.ID+"/delete", nil)
	expectChange("check delete", r, auth.RoleAdmin, "check.delete", "check", second.ID)
	if _, err := tc.api.CreateSession(ctx, hive.SessionParams{CustomerID: created}); err != nil {
		t.Fatal(err)
	}
	sess, _ := tc.api.ListSessions(ctx)
	waiting := firstCreated(sess.Data, created)
	if _, err := tc.sb.CompleteSession(ctx, waiting, sandbox.ScenarioClear); err != nil {
		t.Fatal(err)
	}
	r = reviewer.post("/checks", url.Values{"session_id": {waiting}})
	expectChange("check create", r, auth.RoleReviewer, "check.create", "check", "*")
	r = admin.post("/customers/"+created+"/delete", url.Values{"confirm_email": {"audited@example.com"}})
	expectChange("customer delete", r, auth.RoleAdmin, "customer.delete", "customer", created)

	// Staff changes.
	r = admin.post("/users", url.Values{"email": {"new.staff@example.com"}, "name": {"New Staff"}, "role": {"support"}})
	staffer := expectChange("user create", r, auth.RoleAdmin, "user.create", "user", "*")
	secrets = append(secrets, strings.TrimSpace(r.doc(t).Find(`[data-testid="new-password"] .mono`).Text()))
	for _, step := range []struct{ path, action string }{
		{"/role", "user.role"}, {"/disable", "user.disable"}, {"/enable", "user.enable"}, {"/revoke", "user.revoke_sessions"},
		{"/password", "user.reset_password"},
	} {
		r = admin.post("/users/"+staffer.TargetID+step.path, url.Values{"role": {"auditor"}})
		expectChange(step.action, r, auth.RoleAdmin, step.action, "user", staffer.TargetID)
		if step.action == "user.reset_password" {
			secrets = append(secrets, strings.TrimSpace(r.doc(t).Find(`[data-testid="new-password"] .mono`).Text()))
		}
	}

	// A permission denial.
	r = support.get("/audit")
	e = expect("denial", r, auth.RoleSupport, "access.denied", "", "", audit.OutcomeDenied)
	if e.Details["route"] != "/audit" || e.Details["permission"] != string(auth.ViewAudit) {
		t.Errorf("denial details: %v", e.Details)
	}

	// Nothing secret anywhere in the trail or the log.
	all, _ := json.Marshal(trail(t, tc))
	for _, s := range secrets {
		if len(s) < 6 {
			t.Fatalf("a secret to look for is too short: %q", s)
		}
		if bytes.Contains(all, []byte(s)) || strings.Contains(logs.String(), s) {
			t.Errorf("%q is in the trail or the log", s[:6]+"…")
		}
	}
	if v, err := tc.trail.Verify(ctx); err != nil || v.BrokenSeq != 0 {
		t.Errorf("verify: %+v, %v", v, err)
	}
}

func firstCreated(sessions []hive.Session, customerID string) string {
	for _, s := range sessions {
		if s.CustomerID == customerID && s.Status == hive.SessionCreated {
			return s.ID
		}
	}
	return ""
}

// brokenTrail is the console's real audit trail until broken is set; then every write fails, as a
// full disk or a lost database would.
type brokenTrail struct {
	handlers.Auditor
	broken atomic.Bool
}

func (b *brokenTrail) wrap(real handlers.Auditor) { b.Auditor = real }

func (b *brokenTrail) Record(ctx context.Context, e audit.Event) error {
	if b.broken.Load() {
		return errors.New("disk full")
	}
	return b.Auditor.Record(ctx, e)
}

// TestAuditFailsClosed: with the trail unwritable, reveals, downloads, report views, exports and
// changes are refused with a 503, and nothing they would have shown or changed is.
func TestAuditFailsClosed(t *testing.T) {
	bt := &brokenTrail{}
	tc := newTestConsole(t, func(c *handlers.Config, _ *auth.Config) { c.Audit = bt })
	f := newPIIFixture(t, tc)
	ctx := context.Background()
	files, _ := tc.api.ListFiles(ctx)
	reviewer, admin := tc.browser(), tc.browser()
	reviewer.signInAs(auth.RoleReviewer)
	admin.signInAs(auth.RoleAdmin)
	before := len(trail(t, tc))
	edit := admin.get("/customers/" + f.customerID + "/edit").doc(t)
	version := edit.Find(`input[name="version"]`).AttrOr("value", "")
	bt.broken.Store(true)

	for _, tt := range []struct {
		name  string
		do    func() response
		leaks []string
	}{
		{"reveal", func() response {
			return reviewer.post("/reveal", url.Values{"target": {"customer"}, "id": {f.customerID}, "field": {"phone"}, "reason": {"a reason"}})
		}, []string{f.record["phone"]}},
		{"report view", func() response { return reviewer.get("/checks/" + f.checkID) }, []string{f.report["document number"], f.report["ip"]}},
		{"report download", func() response { return reviewer.get("/checks/" + f.checkID + "/report.json") }, []string{f.report["document number"]}},
		{"file view", func() response { return reviewer.get("/files/" + files.Data[0].ID + "/content") }, []string{"PNG", "JFIF"}},
		{"CSV export", func() response { return admin.get("/customers/export.csv") }, []string{f.record["email"]}},
		{"customer page", func() response { return admin.get("/customers/" + f.customerID) }, []string{f.record["email"], f.record["phone"]}},
		{"customer update", func() response {
			return admin.post("/customers/"+f.customerID, url.Values{"email": {f.record["email"]}, "first_name": {"Changed"},
				"last_name": {"Private"}, "version": {version}})
		}, nil},
		{"session issue", func() response { return admin.post("/customers/"+f.customerID+"/sessions", nil) }, []string{"eyJ"}},
		{"review", func() response {
			return reviewer.post("/checks/"+f.checkID+"/review", url.Values{"decision": {"approve"}, "note": {"fine"}})
		}, nil},
	} {
		r := tt.do()
		if r.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("%s: got %d, want 503", tt.name, r.StatusCode)
		}
		for _, leak := range tt.leaks {
			if strings.Contains(r.Body, leak) {
				t.Errorf("%s: the refused response contains %q", tt.name, leak)
			}
		}
	}
	bt.broken.Store(false)
	if got, _ := tc.api.GetCustomer(ctx, f.customerID); derefS(got.FirstName) != "Pia" {
		t.Errorf("the refused update reached Hive: first name %q", derefS(got.FirstName))
	}
	if rev, _ := tc.ledger.ForCheck(ctx, f.checkID); len(rev) != 0 {
		t.Errorf("the refused review was recorded")
	}
	if n := len(trail(t, tc)); n != before {
		t.Errorf("%d rows were written while the trail was broken", n-before)
	}
}

func derefS(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// TestAuditPage: the trail page filters by actor, action, target, outcome and days, masks a
// customer update's classified values for those who see records masked, and exports as CSV; the
// customer and check pages show their own history to those who read the trail.
func TestAuditPage(t *testing.T) {
	tc := newTestConsole(t)
	f := newPIIFixture(t, tc)
	admin, auditor, reviewer := tc.browser(), tc.browser(), tc.browser()
	admin.signInAs(auth.RoleAdmin)
	auditor.signInAs(auth.RoleAuditor)
	reviewer.signInAs(auth.RoleReviewer)
	form := editForm(t, admin, f.customerID)
	form.Set("email", "pia.new@example.com")
	if r := admin.post("/customers/"+f.customerID, form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("update: %d %s", r.StatusCode, r.doc(t).Find(".field__error").Text())
	}
	reviewer.get("/checks/" + f.checkID)
	rows := func(b *browser, query string) []string {
		var out []string
		b.get("/audit" + query).doc(t).Find(`[data-testid="audit-row"]`).Each(func(_ int, s *goquery.Selection) {
			out = append(out, s.AttrOr("data-action", "")+" "+strings.Join(strings.Fields(s.Find(".audit-details").Text()), " "))
		})
		return out
	}
	// An update is two rows, its attempt and its outcome; both carry the diff.
	upd := rows(admin, "?action=customer.update&outcome=success")
	if len(upd) != 1 || !strings.Contains(upd[0], "piiperson@example.com → pia.new@example.com") {
		t.Errorf("admin's view of the update: %v", upd)
	}
	masked := rows(auditor, "?action=customer.update&outcome=success")
	if len(masked) != 1 || strings.Contains(masked[0], "piiperson@") || !strings.Contains(masked[0], "p•••@example.com → p•••@example.com") {
		t.Errorf("auditor's view of the update: %v", masked)
	}
	if got := rows(admin, "?actor=reviewer%40example&action=report."); len(got) != 1 || !strings.HasPrefix(got[0], "report.view") {
		t.Errorf("actor and action prefix: %v", got)
	}
	if got := rows(admin, "?target=check%3A"+f.checkID); len(got) != 1 {
		t.Errorf("target filter: %v", got)
	}
	if got := rows(admin, "?outcome=denied"); len(got) != 0 {
		t.Errorf("outcome filter: %v", got)
	}
	tomorrow := time.Now().UTC().AddDate(0, 0, 1).Format("2006-01-02")
	if got := rows(admin, "?since="+tomorrow); len(got) != 0 {
		t.Errorf("since tomorrow: %v", got)
	}
	if got := rows(admin, "?until="+time.Now().UTC().Format("2006-01-02")+"&action=customer.update"); len(got) != 2 {
		t.Errorf("until today: %v", got)
	}
	if doc := admin.get("/audit?since=yesterday").doc(t); doc.Find(`[data-testid="error-since"]`).Length() != 1 {
		t.Error("a bad date has no message")
	}
	csvBody := auditor.get("/audit/export.csv?action=customer.update").Body
	if !strings.Contains(csvBody, "customer.update") || strings.Contains(csvBody, "piiperson@") || strings.Count(csvBody, "\n") != 3 {
		t.Errorf("auditor's CSV: %q", csvBody)
	}
	for role, want := range map[auth.Role]int{auth.RoleAdmin: 1, auth.RoleAuditor: 1, auth.RoleReviewer: 0, auth.RoleSupport: 0} {
		b := tc.browser()
		b.signInAs(role)
		if n := b.get("/customers/" + f.customerID).doc(t).Find(`[data-testid="audit-history"]`).Length(); n != want {
			t.Errorf("%s: customer history shown %d times, want %d", role, n, want)
		}
		if n := b.get("/checks/" + f.checkID).doc(t).Find(`[data-testid="audit-history"] [data-action="report.view"]`).Length(); (n > 0) != (want == 1) {
			t.Errorf("%s: check history with report views: %d", role, n)
		}
	}
}
