package handlers

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/readmodel"
	"github.com/hiveconsole/hiveconsole/views"
	"github.com/labstack/echo/v4"
)

// The periods the insights page offers, in days; a custom one is at most maxPeriodDays long.
var insightPeriods = []int{7, 30, 90}

const (
	defaultPeriod = "30d"
	maxPeriodDays = 366
	topSubChecks  = 10
)

// insightsQuery is the period the page shows, as the address gives it and as days.
type insightsQuery struct {
	Period, From, To string // "7d", "30d", "90d" or "custom"; From and To as typed, for a custom one
	days             readmodel.Period
	errors           map[string]string
}

// parseInsightsQuery reads the period; a custom period that does not parse shows the default one,
// with the dates as typed and a message for each.
func parseInsightsQuery(q url.Values, now time.Time) insightsQuery {
	today := now.UTC().Truncate(24 * time.Hour)
	out := insightsQuery{Period: q.Get("period"), From: q.Get("from"), To: q.Get("to"), errors: map[string]string{}}
	last := func(n int) readmodel.Period { return readmodel.Period{From: today.AddDate(0, 0, 1-n), To: today} }
	for _, n := range insightPeriods {
		if out.Period == strconv.Itoa(n)+"d" {
			out.days = last(n)
			return out
		}
	}
	if out.Period != "custom" {
		out.Period = defaultPeriod
		out.days = last(30)
		return out
	}
	date := func(field, v string) time.Time {
		d, err := time.Parse(time.DateOnly, v)
		switch {
		case v == "":
			out.errors[field] = "Give a date."
		case err != nil:
			out.errors[field] = "Give a date like " + today.Format(time.DateOnly) + "."
		case d.After(today):
			out.errors[field] = "Give a date no later than today."
		}
		return d
	}
	from, to := date("from", out.From), date("to", out.To)
	if len(out.errors) == 0 {
		switch {
		case from.After(to):
			out.errors["to"] = "The end comes before the start."
		case to.Sub(from) >= maxPeriodDays*24*time.Hour:
			out.errors["to"] = fmt.Sprintf("A period is at most %d days.", maxPeriodDays)
		}
	}
	if len(out.errors) > 0 {
		out.days = last(30)
		return out
	}
	out.days = readmodel.Period{From: from, To: to}
	return out
}

// url is the page's address for this period, with extra parameters.
func (q insightsQuery) url(path string, extra ...string) string {
	v := url.Values{"period": {q.Period}}
	if q.Period == "custom" {
		v.Set("from", q.From)
		v.Set("to", q.To)
	}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return path + "?" + v.Encode()
}

// insights is the team's figures for a period: the workload for everyone who may open the page,
// the decisions of every reviewer for those whose role grants TeamInsights, one's own for the rest.
func (a *App) insights(c echo.Context) error {
	q := parseInsightsQuery(c.QueryParams(), time.Now())
	charts, err := a.insightCharts(c, q)
	if err != nil {
		return err
	}
	u, _ := userOf(c)
	if q.Period != "custom" { // the custom form starts from the period shown
		q.From, q.To = q.days.From.Format(time.DateOnly), q.days.To.Format(time.DateOnly)
	}
	m := views.InsightsModel{Period: q.Period, From: q.From, To: q.To, Errors: q.errors, Own: !u.Can(auth.TeamInsights),
		Span: views.DaySpan(q.days.From, q.days.To), Charts: charts}
	for _, n := range insightPeriods {
		p := strconv.Itoa(n) + "d"
		m.Periods = append(m.Periods, views.InsightPeriod{Label: strconv.Itoa(n) + " days", Href: "/insights?period=" + p, Current: q.Period == p})
	}
	return render(c, http.StatusOK, views.InsightsPage(a.page(c, "Insights"), m))
}

// exportInsight downloads one chart's numbers, the same as its table, as CSV; audited like the
// other exports.
func (a *App) exportInsight(c echo.Context) error {
	q := parseInsightsQuery(c.QueryParams(), time.Now())
	id := c.QueryParam("chart")
	charts, err := a.insightCharts(c, q)
	if err != nil {
		return err
	}
	var chart *views.Chart
	for i := range charts {
		if charts[i].ID == id {
			chart = &charts[i]
		}
	}
	if chart == nil {
		return echo.ErrNotFound
	}
	u, _ := userOf(c)
	if err := a.audit(c, auditEntry{Action: "insights.export", TargetType: "insights", TargetID: id, Outcome: outcomeSuccess,
		Details: map[string]any{"from": q.days.From.Format(time.DateOnly), "to": q.days.To.Format(time.DateOnly),
			"rows": len(chart.TableRows), "own": !u.Can(auth.TeamInsights)}}); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="insights-`+id+`-`+q.days.From.Format("20060102")+`-`+q.days.To.Format("20060102")+`.csv"`)
	c.Response().WriteHeader(200)
	w := csv.NewWriter(c.Response())
	_ = w.Write(chart.TableHead)
	for _, row := range chart.TableRows {
		record := make([]string, len(row))
		for i := range row {
			record[i] = csvSafe(row[i])
		}
		_ = w.Write(record)
	}
	w.Flush()
	return nil
}

// insightCharts reads the period's figures and draws them; decisions are the viewer's own unless
// their role grants TeamInsights.
func (a *App) insightCharts(c echo.Context, q insightsQuery) ([]views.Chart, error) {
	ctx := c.Request().Context()
	u, _ := userOf(c)
	reviewer := ""
	if !u.Can(auth.TeamInsights) {
		reviewer = u.ID
	}
	f, err := a.readInsights(ctx, q.days, reviewer)
	if err != nil {
		return nil, err
	}
	csvURL := func(id string) string { return q.url("/insights/export.csv", "chart", id) }
	return insightCharts(f, reviewer != "", csvURL), nil
}

// insightFigures is what the insights page draws.
type insightFigures struct {
	period    readmodel.Period
	days      readmodel.CheckDays
	concerns  []readmodel.PathCount
	decisions readmodel.Decisions
	queue     []readmodel.QueuePoint
}

func (a *App) readInsights(ctx context.Context, p readmodel.Period, reviewer string) (insightFigures, error) {
	f := insightFigures{period: p}
	var err error
	if f.days, err = a.Read.CheckDays(ctx, p); err != nil {
		return f, err
	}
	if f.concerns, err = a.Read.TopConcerns(ctx, p, topSubChecks); err != nil {
		return f, err
	}
	if f.decisions, err = a.Read.Decisions(ctx, p, reviewer); err != nil {
		return f, err
	}
	if f.queue, err = a.Read.QueueHistory(ctx, p); err != nil {
		return f, err
	}
	return f, nil
}
