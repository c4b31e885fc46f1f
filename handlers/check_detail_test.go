package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/handlers"
	"github.com/hiveconsole/hiveconsole/hive"
	"github.com/hiveconsole/hiveconsole/hive/sandbox"
	"github.com/hiveconsole/hiveconsole/internal/apiref"
)

// scenarioCheck plays a whole SDK flow on the sandbox for a new customer and returns the
// completed check.
func scenarioCheck(t *testing.T, tc *testConsole, p hive.CustomerParams, sc sandbox.Scenario) *hive.Check {
	t.Helper()
	ctx := context.Background()
	cust, err := tc.api.CreateCustomer(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tc.api.CreateSession(ctx, hive.SessionParams{CustomerID: cust.ID}); err != nil {
		t.Fatal(err)
	}
	sessions, err := tc.api.ListSessions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(sessions.Data, func(s hive.Session) bool { return s.CustomerID == cust.ID })
	if i < 0 {
		t.Fatalf("no session for customer %s", cust.ID)
	}
	if _, err := tc.sb.CompleteSession(ctx, sessions.Data[i].ID, sc); err != nil {
		t.Fatal(err)
	}
	ch, err := tc.api.CreateCheck(ctx, sessions.Data[i].ID)
	if err != nil {
		t.Fatal(err)
	}
	if ch, err = tc.api.GetCheck(ctx, ch.ID); err != nil {
		t.Fatal(err)
	}
	if ch.Status != hive.CheckComplete {
		t.Fatalf("check status: got %s, want complete", ch.Status)
	}
	tc.sync() // made behind the console's back: the next pass would copy it
	return ch
}

// reportPage opens a check's page as a reviewer and wants a 200.
func reportPage(t *testing.T, tc *testConsole, path string) *goquery.Document {
	t.Helper()
	b := tc.browser()
	b.signInAs(auth.RoleReviewer)
	resp := b.get(path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: got %d, want 200", path, resp.StatusCode)
	}
	return resp.doc(t)
}

func customer(email, first, last string) hive.CustomerParams {
	return hive.CustomerParams{Email: hive.String(email), FirstName: hive.String(first), LastName: hive.String(last),
		Gender: hive.String("female"), DOB: hive.String("14-03-1988")}
}

// walk lists a breakdown tree's nodes depth first, in the API's order, as "path=status".
func walk(list []hive.Breakdown, prefix string, out *[]string) {
	for _, b := range list {
		*out = append(*out, prefix+b.Name+"="+string(b.Status.Normalized()))
		walk(b.SubChecks, prefix+b.Name+".", out)
	}
}

// pageTree lists the nodes a section's tree shows, depth first, in document order, as
// "path=status", the status read from the node's own badge: its class, its data and its text
// must agree.
func pageTree(t *testing.T, sel *goquery.Selection) []string {
	t.Helper()
	label := map[string]string{"clear": "Clear", "caution": "Caution", "consider": "Consider", "unknown": "Unknown"}
	var out []string
	sel.Find(`[data-testid="tree-node"], [data-testid="tree-leaf"]`).Each(func(_ int, s *goquery.Selection) {
		name := s.AttrOr("data-name", "")
		for p := s.Parent().Closest(`[data-testid="tree-node"]`); p.Length() > 0; p = p.Parent().Closest(`[data-testid="tree-node"]`) {
			name = p.AttrOr("data-name", "") + "." + name
		}
		own := s.ChildrenFiltered(`[data-testid="status-badge"]`)
		if s.Is("details") {
			own = s.ChildrenFiltered("summary").ChildrenFiltered(`[data-testid="status-badge"]`)
		}
		if own.Length() != 1 {
			t.Errorf("node %s: %d badges of its own, want 1", name, own.Length())
			return
		}
		st := own.AttrOr("data-status", "")
		if !own.HasClass("badge--"+st) || strings.TrimSpace(own.Text()) != label[st] || s.AttrOr("data-status", "") != st {
			t.Errorf("node %s: badge class %q, text %q, node status %q, badge status %q", name, own.AttrOr("class", ""),
				strings.TrimSpace(own.Text()), s.AttrOr("data-status", ""), st)
		}
		out = append(out, name+"="+st)
	})
	return out
}

// assertReportRendered checks the whole report page against the report: the overall badge, and per
// section its badge and every sub-check, known or not, in the API's order with its own status.
// Non-clear branches are open.
func assertReportRendered(t *testing.T, doc *goquery.Document, rep *hive.Report) {
	t.Helper()
	if got := doc.Find(`[data-testid="report-result"]`).AttrOr("data-status", ""); got != string(rep.Result.Normalized()) {
		t.Errorf("result badge: got %q, want %q", got, rep.Result)
	}
	for _, s := range []struct {
		key     string
		section hive.Section
	}{{"document", rep.Document.Section}, {"face", rep.Facial.Section}, {"device", rep.Customer.Section}} {
		var want []string
		walk(s.section.Breakdowns, "", &want)
		sel := doc.Find(`[data-testid="section-` + s.key + `"]`)
		if got := pageTree(t, sel); !slices.Equal(got, want) {
			t.Errorf("section %s tree:\n got %v\nwant %v", s.key, got, want)
		}
		if got := sel.Find(`.card__header [data-testid="status-badge"]`).AttrOr("data-status", ""); got != string(s.section.Status.Normalized()) {
			t.Errorf("section %s badge: got %q, want %q", s.key, got, s.section.Status)
		}
		sel.Find(`[data-testid="tree-node"]`).Each(func(_ int, n *goquery.Selection) {
			_, open := n.Attr("open")
			if st := n.AttrOr("data-status", ""); open != (st != "clear") {
				t.Errorf("node %s (%s): open %v", n.AttrOr("data-name", ""), st, open)
			}
		})
	}
}

func TestCheckReportShowsEveryBreakdownInOrder(t *testing.T) {
	tc := newTestConsole(t)
	ctx := context.Background()
	checks, err := tc.api.ListChecks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(checks.Data, func(c hive.Check) bool { return c.Status == hive.CheckComplete })
	if i < 0 {
		t.Fatal("the seeded sandbox has no completed check")
	}
	id := checks.Data[i].ID
	rep, err := tc.api.GetReport(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	doc := reportPage(t, tc, "/checks/"+id)
	assertReportRendered(t, doc, rep)
	if !strings.Contains(doc.Find(`[data-testid="report-header"]`).Text(), id) {
		t.Errorf("header does not show the check id %s", id)
	}
	if doc.Find(`a[href^="/customers/"]`).Length() == 0 {
		t.Error("the page does not link the customer")
	}

	// The raw report: collapsed, the API's JSON, and the same as a download.
	want, _ := json.Marshal(rep)
	raw := doc.Find(`[data-testid="report-raw"]`)
	if _, open := raw.Attr("open"); open || !raw.Is("details") {
		t.Error("the raw JSON is not a collapsed details element")
	}
	var shown any
	if err := json.Unmarshal([]byte(raw.Find("code").Text()), &shown); err != nil {
		t.Fatalf("raw JSON on the page: %v", err)
	}
	if got, _ := json.Marshal(shown); !jsonEqual(t, got, want) {
		t.Errorf("raw JSON on the page differs from the API's report")
	}
	b := tc.browser()
	b.signInAs(auth.RoleAdmin)
	dl := b.get(raw.Find(`[data-testid="report-download"]`).AttrOr("href", ""))
	if dl.StatusCode != 200 || dl.Header.Get("Content-Type") != "application/json" ||
		dl.Header.Get("Content-Disposition") != `attachment; filename="report-`+id+`.json"; filename*=UTF-8''report-`+id+`.json` ||
		dl.Header.Get("Cache-Control") != "private, no-store" {
		t.Errorf("download: %d %v", dl.StatusCode, dl.Header)
	}
	if !jsonEqual(t, []byte(dl.Body), want) {
		t.Error("the downloaded JSON differs from the API's report")
	}
	if !strings.Contains(dl.Body, "\n  \"id\"") {
		t.Error("the download is not indented")
	}
}

// jsonEqual compares two JSON texts as values.
func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	return reflect.DeepEqual(x, y)
}

// TestCheckReportRendersEveryScenario: a check from each sandbox scenario renders its whole report.
func TestCheckReportRendersEveryScenario(t *testing.T) {
	tc := newTestConsoleWith(t, 0)
	for i, sc := range sandbox.Scenarios() {
		t.Run(string(sc.Scenario), func(t *testing.T) {
			ch := scenarioCheck(t, tc, customer(fmt.Sprintf("scenario%d@example.com", i), "Sam", "Scenario"), sc.Scenario)
			rep, err := tc.api.GetReport(context.Background(), ch.ID)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Result != sc.Result {
				t.Fatalf("scenario %s: report %s, want %s", sc.Scenario, rep.Result, sc.Result)
			}
			assertReportRendered(t, reportPage(t, tc, "/checks/"+ch.ID), rep)
		})
	}
}

// exampleReport serves the API reference's example report for one check, whatever Hive holds.
type exampleReport struct {
	handlers.Hive
	check hive.Check
	rep   *hive.Report
}

func (e exampleReport) GetCheck(ctx context.Context, id string) (*hive.Check, error) {
	if id == e.check.ID {
		c := e.check
		return &c, nil
	}
	return e.Hive.GetCheck(ctx, id)
}

func (e exampleReport) GetReport(ctx context.Context, id string) (*hive.Report, error) {
	if id == e.check.ID {
		return e.rep, nil
	}
	return e.Hive.GetReport(ctx, id)
}

// TestCheckReportRendersTheReferenceExample: the report exactly as the API reference prints it.
func TestCheckReportRendersTheReferenceExample(t *testing.T) {
	var rep hive.Report
	if err := json.Unmarshal(apiref.Examples()[apiref.Report].JSON, &rep); err != nil {
		t.Fatal(err)
	}
	ex := exampleReport{rep: &rep, check: hive.Check{ID: rep.CheckID, SessionID: "5b0a1cfe-7f2e-4f57-a1f4-29c1c2d8b9aa", Status: hive.CheckComplete,
		Decision: hive.String("declined"), CreatedAt: time.Unix(1601084628, 0)}}
	if !hive.ValidID(ex.check.ID) {
		t.Fatalf("the example's check id %q", ex.check.ID)
	}
	tc := newTestConsole(t, func(c *handlers.Config, _ *auth.Config) { ex.Hive = c.Hive; c.Hive = ex })
	assertReportRendered(t, reportPage(t, tc, "/checks/"+ex.check.ID), &rep)
}

func TestCheckReportNotFound(t *testing.T) {
	tc := newTestConsole(t)
	b := tc.browser()
	b.signInAs(auth.RoleReviewer)
	for _, path := range []string{"/checks/nope", "/checks/00000000-0000-4000-8000-000000000000", "/checks/%3Cscript%3E"} {
		t.Run(path, func(t *testing.T) {
			if got := b.get(path).StatusCode; got != http.StatusNotFound {
				t.Errorf("GET %s: got %d, want 404", path, got)
			}
		})
	}
}

// processingCheck reports every check as still processing.
type processingCheck struct{ handlers.Hive }

func (p processingCheck) GetCheck(ctx context.Context, id string) (*hive.Check, error) {
	c, err := p.Hive.GetCheck(ctx, id)
	if err != nil {
		return nil, err
	}
	c.Status, c.Decision = hive.CheckProcessing, nil
	return c, nil
}

func (p processingCheck) ListChecks(ctx context.Context) (*hive.List[hive.Check], error) {
	list, err := p.Hive.ListChecks(ctx)
	if err != nil {
		return nil, err
	}
	for i := range list.Data {
		list.Data[i].Status, list.Data[i].Decision = hive.CheckProcessing, nil
	}
	return list, nil
}

func (processingCheck) GetReport(context.Context, string) (*hive.Report, error) {
	panic("the report of a processing check was fetched")
}

func TestCheckReportProcessing(t *testing.T) {
	tc := newTestConsole(t, func(c *handlers.Config, _ *auth.Config) { c.Hive = processingCheck{c.Hive} })
	checks, err := tc.api.ListChecks(context.Background())
	if err != nil || len(checks.Data) == 0 {
		t.Fatalf("list checks: %v", err)
	}
	doc := reportPage(t, tc, "/checks/"+checks.Data[0].ID)
	if got := doc.Find(`[data-testid="report-result"]`).AttrOr("data-status", ""); got != "processing" {
		t.Errorf("result badge: got %q, want processing", got)
	}
	if got := doc.Find(`h1`).Text(); !strings.Contains(got, "Processing") {
		t.Errorf("heading: got %q, want Processing", got)
	}
	if doc.Find(`[data-testid="empty-state"]`).Length() != 1 {
		t.Error("no empty state for a processing check")
	}
	if n := doc.Find(`[data-testid^="section-"]`).Length(); n != 0 {
		t.Errorf("sections: got %d, want 0", n)
	}
}

func TestCheckReportMRZChecksum(t *testing.T) {
	tc := newTestConsole(t)
	ch := scenarioCheck(t, tc, customer("mrz@example.com", "Mira", "Zone"), sandbox.ScenarioMRZChecksum)
	doc := reportPage(t, tc, "/checks/"+ch.ID)
	if n := doc.Find(`[data-testid="mrz-line"] mark`).Length(); n == 0 {
		t.Error("no MRZ character is marked as differing")
	}
	failed := doc.Find(`[data-testid="mrz-digit"][data-ok="false"]`)
	if failed.Length() == 0 {
		t.Fatal("no check digit fails")
	}
	if got := failed.First().AttrOr("data-field", ""); got != "Document number" {
		t.Errorf("failed digit: got %q, want Document number", got)
	}
	if n := doc.Find(`[data-testid="mrz-line"]`).Length(); n < 2 {
		t.Errorf("MRZ lines: got %d, want at least 2", n)
	}

	clear := scenarioCheck(t, tc, customer("clear@example.com", "Clara", "Clear"), sandbox.ScenarioClear)
	doc = reportPage(t, tc, "/checks/"+clear.ID)
	if n := doc.Find(`[data-testid="mrz-line"] mark`).Length(); n != 0 {
		t.Errorf("clear check: got %d marked MRZ runs, want 0", n)
	}
	if n := doc.Find(`[data-testid="mrz-digit"][data-ok="false"]`).Length(); n != 0 {
		t.Errorf("clear check: got %d failed check digits, want 0", n)
	}
}

func TestCheckReportOnlyIssues(t *testing.T) {
	tc := newTestConsole(t)
	ch := scenarioCheck(t, tc, customer("vpn@example.com", "Vera", "Proxy"), sandbox.ScenarioVPNTor)
	all := reportPage(t, tc, "/checks/"+ch.ID)
	if all.Find(`[data-testid="tree-leaf"][data-status="clear"]`).Length() == 0 {
		t.Fatal("the full report shows no clear leaf")
	}
	issues := reportPage(t, tc, "/checks/"+ch.ID+"?only=issues")
	if n := issues.Find(`[data-testid="tree-leaf"][data-status="clear"], [data-testid="tree-node"][data-status="clear"]`).Length(); n != 0 {
		t.Errorf("only issues: got %d clear nodes, want 0", n)
	}
	for _, name := range []string{"tor", "vpn"} {
		if issues.Find(`[data-testid="tree-leaf"][data-name="`+name+`"]`).Length() != 1 {
			t.Errorf("only issues: sub-check %s is missing", name)
		}
	}
	if _, ok := issues.Find(`[data-testid="show-all"]`).Attr("href"); !ok {
		t.Error("only issues: no link back to everything")
	}
}

func TestCheckReportComparesWithCustomerRecord(t *testing.T) {
	tc := newTestConsole(t)
	ch := scenarioCheck(t, tc, customer("mismatch@example.com", "Maria", "Mismatch"), sandbox.ScenarioDataMismatch)
	b := tc.browser()
	b.signInAs(auth.RoleAdmin) // sees the date of birth in clear on both sides, so the verdict too
	doc := b.get("/checks/" + ch.ID).doc(t)
	rows := doc.Find(`[data-testid="comparison-row"]`)
	if rows.Length() != 4 {
		t.Fatalf("comparison rows: got %d, want 4", rows.Length())
	}
	mismatch := doc.Find(`[data-testid="comparison-row"][data-match="false"]`)
	if got := mismatch.AttrOr("data-field", ""); got != "Date of birth" {
		t.Errorf("mismatch: got %q, want Date of birth", got)
	}
	if mismatch.Find(`[data-status="caution"]`).Length() != 1 {
		t.Error("the mismatch carries no caution badge")
	}
	if n := doc.Find(`[data-testid="comparison-row"][data-match="true"]`).Length(); n != 3 {
		t.Errorf("matching rows: got %d, want 3", n)
	}
}

func TestCheckReportEscapesHostileNames(t *testing.T) {
	tc := newTestConsole(t)
	const hostile = `<script>alert("x")</script>`
	ch := scenarioCheck(t, tc, customer("hostile@example.com", hostile, `<img src=x onerror=alert(1)>`), sandbox.ScenarioClear)
	b := tc.browser()
	b.signInAs(auth.RoleReviewer)
	resp := b.get("/checks/" + ch.ID)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("got %d, want 200", resp.StatusCode)
	}
	for _, raw := range []string{hostile, `<img src=x`} {
		if strings.Contains(resp.Body, raw) {
			t.Errorf("the page contains %q unescaped", raw)
		}
	}
	if got := resp.doc(t).Find(`[data-testid="report-customer"]`).Text(); !strings.Contains(got, hostile) {
		t.Errorf("customer link text: got %q, want it to contain %q", got, hostile)
	}
}

func TestDocumentDatesAreNormalised(t *testing.T) {
	tc := newTestConsole(t)
	ch := scenarioCheck(t, tc, customer("dates@example.com", "Dana", "Date"), sandbox.ScenarioClear)
	doc := reportPage(t, tc, "/checks/"+ch.ID)
	var dob string
	doc.Find(`[data-testid="document-properties"] dt`).Each(func(_ int, s *goquery.Selection) {
		if s.Text() == "Date of birth" {
			dob = s.Next().Text()
		}
	})
	if dob != "14 Mar 1988" {
		t.Errorf("date of birth: got %q, want 14 Mar 1988", dob)
	}
}
