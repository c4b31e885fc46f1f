package handlers_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/hiveconsole/hiveconsole/audit"
	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/hive/sandbox"
	"github.com/hiveconsole/hiveconsole/readmodel"
)

// chartTable reads a chart's numbers table: one row of cell texts per row.
func chartTable(doc *goquery.Document, id string) [][]string {
	var rows [][]string
	doc.Find(`[data-testid="chart-` + id + `"] table tbody tr`).Each(func(_ int, tr *goquery.Selection) {
		var row []string
		tr.Find("td, th").Each(func(_ int, td *goquery.Selection) { row = append(row, strings.TrimSpace(td.Text())) })
		rows = append(rows, row)
	})
	return rows
}

// TestInsightsPage: admins and auditors see every reviewer's decisions, a reviewer only their own,
// support not the page; each chart is drawn as SVG with a title, a description and its numbers; a
// chart's CSV holds the same numbers as its table and is audited; a custom period that does not
// parse says why and keeps what was typed.
func TestInsightsPage(t *testing.T) {
	tc := newTestConsole(t)
	rejected := scenarioCheck(t, tc, customer("insight.one@example.com", "Ines", "One"), sandbox.ScenarioFaceMismatch)
	approved := scenarioCheck(t, tc, customer("insight.two@example.com", "Ines", "Two"), sandbox.ScenarioClear)
	tc.clock.Advance(time.Since(tc.clock.Now()) + time.Minute) // decisions today, like the checks
	admin, reviewer, auditor, support := tc.browser(), tc.browser(), tc.browser(), tc.browser()
	admin.signInAs(auth.RoleAdmin)
	reviewer.signInAs(auth.RoleReviewer)
	auditor.signInAs(auth.RoleAuditor)
	support.signInAs(auth.RoleSupport)
	if r := decide(reviewer, rejected.ID, "reject", "face_mismatch", "another person"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("reviewer's decision: %d", r.StatusCode)
	}
	if r := decide(admin, approved.ID, "approve", "", "fine"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("admin's decision: %d", r.StatusCode)
	}
	if err := tc.read.SnapshotQueue(context.Background(), readmodel.DefaultQueueRule, readmodel.DefaultServiceTimes, time.Now()); err != nil {
		t.Fatal(err)
	}
	adminEmail, reviewerEmail := tc.users[auth.RoleAdmin].Email, tc.users[auth.RoleReviewer].Email

	charts := []string{"checks", "results", "queue", "versus", "decision-time", "reviewers", "sub-checks"}
	for _, b := range []*browser{admin, auditor} {
		r := b.get("/insights?period=7d")
		if r.StatusCode != http.StatusOK {
			t.Fatalf("insights: %d", r.StatusCode)
		}
		doc := r.doc(t)
		for _, id := range charts {
			fig := doc.Find(`[data-testid="chart-` + id + `"]`)
			if fig.Length() != 1 {
				t.Errorf("no chart %q", id)
				continue
			}
			svg := fig.Find(`svg[role="img"]`)
			if svg.Length() != 1 || svg.Find("title").Length() == 0 || svg.Find("desc").Length() == 0 ||
				fig.Find("h2").Text() == "" || fig.Find("table tbody tr").Length() == 0 {
				t.Errorf("chart %q lacks its drawing, title, description or table", id)
			}
			if href := fig.Find(`a[href^="/insights/export.csv"]`).AttrOr("href", ""); !strings.Contains(href, "chart="+id) {
				t.Errorf("chart %q's CSV link is %q", id, href)
			}
		}
		people := chartTable(doc, "reviewers")
		has := func(row []string) bool {
			return slices.ContainsFunc(people, func(r []string) bool { return slices.Equal(r, row) })
		}
		if len(people) != 2 || !has([]string{reviewerEmail, "0", "1", "0", "0", "1"}) || !has([]string{adminEmail, "1", "0", "0", "0", "1"}) {
			t.Errorf("decisions per reviewer: %q", people)
		}
		if doc.Find(`[data-testid="insights-own"]`).Length() != 0 {
			t.Error("the team's page says the figures are the viewer's own")
		}
	}

	// A reviewer sees their own decisions only; the workload as everyone does.
	doc := reviewer.get("/insights?period=7d").doc(t)
	if people := chartTable(doc, "reviewers"); len(people) != 1 || people[0][0] != reviewerEmail {
		t.Errorf("a reviewer's page lists %q", people)
	}
	if doc.Find(`[data-testid="insights-own"]`).Length() != 1 {
		t.Error("a reviewer's page does not say the decisions are their own")
	}
	versus := chartTable(doc, "versus")
	if got := versus[0]; len(got) != 5 || got[2] != "0" { // Hive approved: the admin's approval is not theirs
		t.Errorf("a reviewer's Hive-versus-reviewers row: %q", versus)
	}
	if strings.Contains(doc.Text(), adminEmail+"\n") || strings.Contains(doc.Find(`[data-testid="chart-reviewers"]`).Text(), adminEmail) {
		t.Error("a reviewer's page names another reviewer's decisions")
	}
	if doc.Find(`[data-testid="chart-queue"] table tbody tr`).Length() != 1 {
		t.Error("the queue chart lacks today's snapshot")
	}
	if st := support.status(http.MethodGet, "/insights"); st != http.StatusForbidden {
		t.Errorf("support opens insights: %d", st)
	}

	// The CSV is the table, and the trail says who took it.
	page := admin.get("/insights?period=7d").doc(t)
	for _, id := range charts {
		r := admin.get("/insights/export.csv?period=7d&chart=" + id)
		if r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("%s CSV: %d %s", id, r.StatusCode, r.Header.Get("Content-Type"))
		}
		records, err := csv.NewReader(strings.NewReader(r.Body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		var head []string
		page.Find(`[data-testid="chart-` + id + `"] table thead th`).Each(func(_ int, th *goquery.Selection) {
			head = append(head, strings.TrimSpace(th.Text()))
		})
		if want := append([][]string{head}, chartTable(page, id)...); len(records) != len(want) || !slices.EqualFunc(records, want, slices.Equal) {
			t.Errorf("%s CSV\n%q\nwant the table\n%q", id, records, want)
		}
	}
	events, _, err := tc.trail.Events(context.Background(), audit.Query{Action: "insights.export", Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != len(charts) || events[0].ActorEmail != adminEmail || events[0].TargetType != "insights" {
		t.Errorf("export audit rows: %d, first %+v", len(events), events[0])
	}
	if st := admin.status(http.MethodGet, "/insights/export.csv?chart=nothing"); st != http.StatusNotFound {
		t.Errorf("an unknown chart's CSV: %d", st)
	}

	// The custom form starts from the period shown: by default the last 30 days.
	doc = admin.get("/insights").doc(t)
	today := time.Now().UTC().Truncate(24 * time.Hour)
	if from, to := doc.Find(`[data-testid="insights-from"]`).AttrOr("value", ""), doc.Find(`[data-testid="insights-to"]`).AttrOr("value", ""); from != today.AddDate(0, 0, -29).Format(time.DateOnly) || to != today.Format(time.DateOnly) {
		t.Errorf("the default period's form holds %s to %s", from, to)
	}
	// A custom period: bad dates are named and kept; good ones are shown.
	doc = admin.get("/insights?period=custom&from=2026-13-01&to=").doc(t)
	if doc.Find(`[data-testid="error-from"]`).Length() != 1 || doc.Find(`[data-testid="error-to"]`).Length() != 1 ||
		doc.Find(`[data-testid="insights-from"]`).AttrOr("value", "") != "2026-13-01" {
		t.Error("a custom period with bad dates is not explained, or loses what was typed")
	}
	doc = admin.get("/insights?period=custom&from=2026-03-05&to=2026-03-01").doc(t)
	if !strings.Contains(doc.Find(`[data-testid="error-to"]`).Text(), "before the start") {
		t.Error("a period ending before it starts is not refused")
	}
	doc = admin.get("/insights?period=custom&from=2026-03-01&to=2026-03-03").doc(t)
	if got := doc.Find(`[data-testid="insights-span"]`).Text(); !strings.HasPrefix(got, "1 Mar – 3 Mar 2026 (3 days)") {
		t.Errorf("custom period shown as %q", got)
	}
	if doc.Find(`[data-testid="chart-checks"] .chart__empty`).Length() != 1 {
		t.Error("a period without checks does not say so")
	}
	records, err := csv.NewReader(strings.NewReader(admin.get("/insights/export.csv?period=custom&from=2026-03-01&to=2026-03-03&chart=checks").Body)).ReadAll()
	if err != nil || len(records) != 4 || records[1][0] != "2026-03-01" || records[3][0] != "2026-03-03" {
		t.Errorf("a three-day period's CSV: %q (%v)", records, err)
	}
}
