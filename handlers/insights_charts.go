package handlers

import (
	"fmt"
	"time"

	"github.com/hiveconsole/hiveconsole/readmodel"
	"github.com/hiveconsole/hiveconsole/views"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// english writes numbers with thousands separators: 12,345.
func english() *message.Printer { return message.NewPrinter(language.English) }

// figure writes a count: 12,345.
func figure(n int) string { return english().Sprintf("%d", n) }

func shareOf(n, of int) string {
	if of == 0 {
		return "–"
	}
	return english().Sprintf("%.1f %%", float64(n)*100/float64(of))
}

func inHours(d time.Duration) string { return english().Sprintf("%.1f", d.Hours()) }

// insightCharts turns the figures into the page's charts, each with its table; own says the
// decisions are the viewer's only.
func insightCharts(f insightFigures, own bool, csvURL func(id string) string) []views.Chart {
	dayLabel := func(d time.Time) string { return d.Format("2 Jan") }
	var labels []string
	for _, d := range f.days.Days {
		labels = append(labels, dayLabel(d))
	}
	your := func(team, mine string) string {
		if own {
			return mine
		}
		return team
	}

	// Checks started and completed per day.
	checks := views.Chart{ID: "checks", Title: "Checks started and completed", Kind: views.ChartLines, Labels: labels, Unit: "checks",
		Description: "Checks started each day (UTC), and those completed that day, whatever their result. A deleted check is not counted.",
		TableHead:   []string{"Day", "Started", "Completed"}, CSVURL: csvURL("checks")}
	started, completed := make([]float64, len(labels)), make([]float64, len(labels))
	totalStarted, totalCompleted := 0, 0
	for i, d := range f.days.Days {
		done := 0
		for _, r := range readmodel.CompletedResults {
			done += f.days.Completed[r][i]
		}
		started[i], completed[i] = float64(f.days.Started[i]), float64(done)
		totalStarted += f.days.Started[i]
		totalCompleted += done
		checks.TableRows = append(checks.TableRows, []string{d.Format(time.DateOnly), figure(f.days.Started[i]), figure(done)})
	}
	checks.Series = []views.ChartSeries{{Name: "Started", Values: started}, {Name: "Completed", Values: completed}}
	checks.Figures = []views.ChartFigure{{Label: "Started", Value: figure(totalStarted)}, {Label: "Completed", Value: figure(totalCompleted)}}
	if totalStarted+totalCompleted == 0 {
		checks.Empty = "No checks started or completed in this period."
	}

	// The result mix of the completed checks.
	results := views.Chart{ID: "results", Title: "Results of completed checks", Kind: views.ChartBars, Unit: "checks",
		Description: "The checks completed in the period by the result Hive gave them: its decision approved (clear), sent to review (caution) or declined (consider); unknown when it gave none.",
		TableHead:   []string{"Result", "Checks", "Share"}, CSVURL: csvURL("results")}
	var mix []float64
	for _, r := range []string{"clear", "caution", "consider", "unknown"} {
		n := 0
		for _, v := range f.days.Completed[r] {
			n += v
		}
		results.Labels = append(results.Labels, resultLabel(r))
		mix = append(mix, float64(n))
		results.TableRows = append(results.TableRows, []string{resultLabel(r), figure(n), shareOf(n, totalCompleted)})
	}
	results.Series = []views.ChartSeries{{Name: "Checks", Values: mix}}
	if totalCompleted == 0 {
		results.Empty = "No checks completed in this period."
	}

	// Hive's decisions next to the reviewers'.
	d := f.decisions
	versus := views.Chart{ID: "versus", Title: your("Hive's decisions and reviewers'", "Hive's decisions and yours"), Kind: views.ChartBars,
		Unit: "decisions", Description: your("Reviewers' final decisions in the period, by what Hive had decided on the check.",
			"Your final decisions in the period, by what Hive had decided on the check.") +
			" A reviewer overrules Hive by rejecting a check it approved or approving one it declined.",
		TableHead: []string{"Hive's decision", "Approved", "Rejected", "Resubmit", "Overruled"}, CSVURL: csvURL("versus")}
	ours := []string{"approve", "reject", "resubmit"}
	values := make([][]float64, len(ours))
	finals := 0
	for _, hd := range []string{"approved", "review", "declined", ""} {
		versus.Labels = append(versus.Labels, hiveDecisionLabel(hd))
		row := []string{hiveDecisionLabel(hd)}
		for i, r := range ours {
			n := d.Versus[hd][r]
			finals += n
			values[i] = append(values[i], float64(n))
			row = append(row, figure(n))
		}
		overruled := "–"
		if against, ok := readmodel.Overrules(hd); ok {
			overruled = figure(d.Versus[hd][against])
		}
		versus.TableRows = append(versus.TableRows, append(row, overruled))
	}
	for i, name := range []string{"Approved", "Rejected", "Resubmission requested"} {
		versus.Series = append(versus.Series, views.ChartSeries{Name: name, Values: values[i]})
	}
	versus.Figures = []views.ChartFigure{{Label: "Final decisions", Value: figure(finals)},
		{Label: "Overruled Hive", Value: shareOf(d.Overruled, d.Overrulable) + " (" + figure(d.Overruled) + " of " + figure(d.Overrulable) + ")"}}
	if finals == 0 { // and no headline of "0 of 0"
		versus.Figures = nil
		versus.Empty = your("No final decisions in this period.", "You made no final decisions in this period.")
	}

	// Time from completion to the first final decision.
	waits := views.Chart{ID: "decision-time", Title: your("Time to a final decision", "Your time to a final decision"), Kind: views.ChartBars,
		Unit: "checks", Description: "From a check's completion to its first final decision, for the checks first decided in the period" +
			your(".", " by you.") + " Percentiles are nearest-rank.",
		TableHead: []string{"Figure", "Value"}, CSVURL: csvURL("decision-time")}
	p50, p90, p95 := readmodel.Percentile(d.Waits, 0.5), readmodel.Percentile(d.Waits, 0.9), readmodel.Percentile(d.Waits, 0.95)
	waits.TableRows = [][]string{{"Checks decided", figure(len(d.Waits))}, {"p50 (hours)", inHours(p50)}, {"p90 (hours)", inHours(p90)}, {"p95 (hours)", inHours(p95)}}
	buckets := []struct {
		label string
		below time.Duration
	}{{"Under 1 h", time.Hour}, {"1–4 h", 4 * time.Hour}, {"4–24 h", 24 * time.Hour}, {"1–3 days", 72 * time.Hour}, {"3 days or more", 1 << 62}}
	var spread []float64
	i := 0
	for _, b := range buckets {
		n := 0
		for ; i < len(d.Waits) && d.Waits[i] < b.below; i++ {
			n++
		}
		waits.Labels = append(waits.Labels, b.label)
		spread = append(spread, float64(n))
		waits.TableRows = append(waits.TableRows, []string{b.label, figure(n)})
	}
	waits.Series = []views.ChartSeries{{Name: "Checks", Values: spread}}
	if len(d.Waits) > 0 {
		waits.Figures = []views.ChartFigure{{Label: "p50", Value: views.Span(p50)}, {Label: "p90", Value: views.Span(p90)}, {Label: "p95", Value: views.Span(p95)}}
	} else {
		waits.Empty = your("No check was first decided in this period.", "You first decided no check in this period.")
	}

	// The queue over time, from the hourly snapshots: each day's last.
	queue := views.Chart{ID: "queue", Title: "Review queue", Kind: views.ChartLines, Unit: "checks",
		Description: "Checks waiting for a reviewer and, of them, those past their service time, at the end of each day (the day's last hourly snapshot). Snapshots start when the console first runs.",
		TableHead:   []string{"Day", "Waiting", "Overdue", "Most waiting"}, CSVURL: csvURL("queue")}
	var waiting, overdue []float64
	for i := 0; i < len(f.queue); {
		day := f.queue[i].At.UTC().Truncate(24 * time.Hour)
		most, last := 0, f.queue[i]
		for ; i < len(f.queue) && f.queue[i].At.UTC().Truncate(24*time.Hour).Equal(day); i++ {
			most, last = max(most, f.queue[i].Waiting), f.queue[i]
		}
		queue.Labels = append(queue.Labels, dayLabel(day))
		waiting, overdue = append(waiting, float64(last.Waiting)), append(overdue, float64(last.Overdue))
		queue.TableRows = append(queue.TableRows, []string{day.Format(time.DateOnly), figure(last.Waiting), figure(last.Overdue), figure(most)})
	}
	queue.Series = []views.ChartSeries{{Name: "Waiting", Values: waiting}, {Name: "Overdue", Values: overdue}}
	if len(f.queue) == 0 {
		queue.Empty = "No snapshot of the queue was taken in this period."
	} else {
		now := f.queue[len(f.queue)-1]
		queue.Figures = []views.ChartFigure{{Label: "Waiting at " + now.At.UTC().Format("2 Jan, 15:04"), Value: figure(now.Waiting)},
			{Label: "Overdue", Value: figure(now.Overdue)}}
	}

	// Decisions per reviewer.
	people := views.Chart{ID: "reviewers", Title: your("Decisions per reviewer", "Your decisions"), Kind: views.ChartBars, Unit: "decisions",
		Description: "Every decision recorded in the period, four-eyes steps (a first approval, a dispute) included. Resubmit: a new SDK session was requested.",
		TableHead:   []string{"Reviewer", "Approved", "Rejected", "Resubmit", "Four-eyes", "Total"}, CSVURL: csvURL("reviewers")}
	values = make([][]float64, 3)
	for _, r := range d.Reviewers {
		people.Labels = append(people.Labels, r.Email)
		for i, n := range []int{r.Approve, r.Reject, r.Resubmit} {
			values[i] = append(values[i], float64(n))
		}
		people.TableRows = append(people.TableRows, []string{r.Email, figure(r.Approve), figure(r.Reject), figure(r.Resubmit), figure(r.FourEyes), figure(r.Total())})
	}
	for i, name := range []string{"Approved", "Rejected", "Resubmission requested"} {
		people.Series = append(people.Series, views.ChartSeries{Name: name, Values: values[i]})
	}
	if len(d.Reviewers) == 0 {
		people.Empty = your("No decisions in this period.", "You made no decisions in this period.")
	}

	// The sub-checks most often not cleared.
	subs := views.Chart{ID: "sub-checks", Title: "Sub-checks most often not cleared", Kind: views.ChartBars, Unit: "checks",
		Description: fmt.Sprintf("The %d sub-checks the period's completed checks most often did not clear, and the share of the completed checks each held back.", topSubChecks),
		TableHead:   []string{"Sub-check", "Checks", "Share"}, CSVURL: csvURL("sub-checks")}
	var counts []float64
	for _, k := range f.concerns {
		label := reason(readmodel.Node{Path: k.Path})
		subs.Labels = append(subs.Labels, label)
		counts = append(counts, float64(k.N))
		subs.TableRows = append(subs.TableRows, []string{label, figure(k.N), shareOf(k.N, totalCompleted)})
	}
	subs.Series = []views.ChartSeries{{Name: "Checks", Values: counts}}
	if len(f.concerns) == 0 {
		subs.Empty = "No completed check of this period held a sub-check back."
	}
	return []views.Chart{checks, results, queue, versus, waits, people, subs}
}

func resultLabel(r string) string {
	return map[string]string{"clear": "Clear", "caution": "Caution", "consider": "Consider", "unknown": "Unknown"}[r]
}

func hiveDecisionLabel(d string) string {
	switch d {
	case "approved":
		return "Hive approved"
	case "review":
		return "Hive sent to review"
	case "declined":
		return "Hive declined"
	}
	return "No decision from Hive"
}
