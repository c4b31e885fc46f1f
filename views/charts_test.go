package views

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestNiceAxis: the axis's step is 1, 2 or 5 × 10ⁿ, its top the first multiple of it at or above
// the peak, in three to five steps where the decimals allow; nothing above zero draws up to 1.
func TestNiceAxis(t *testing.T) {
	tests := []struct {
		peak      float64
		decimals  int
		top, step float64
	}{
		{0, 0, 1, 1},
		{0, 1, 1, 0.2},
		{-3, 0, 1, 1},
		{math.NaN(), 0, 1, 1},
		{0.3, 0, 1, 1},
		{0.3, 1, 0.3, 0.1},
		{0.7, 1, 0.8, 0.2},
		{1, 0, 1, 1},
		{3, 0, 3, 1},
		{5, 0, 5, 1},
		{7, 0, 8, 2},
		{10, 0, 10, 2},
		{11, 0, 15, 5},
		{22, 0, 25, 5},
		{22, 1, 25, 5},
		{27, 0, 30, 10},
		{100, 0, 100, 20},
		{101, 0, 150, 50},
		{12345, 0, 15000, 5000},
		{12.5, 1, 15, 5},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.peak, "/", tc.decimals), func(t *testing.T) {
			top, step := niceAxis(tc.peak, tc.decimals)
			if !near(top, tc.top) || !near(step, tc.step) {
				t.Errorf("got top %v step %v, want %v and %v", top, step, tc.top, tc.step)
			}
			ticks := axisTicks(top, step)
			if ticks[0] != 0 || !near(ticks[len(ticks)-1], top) {
				t.Errorf("ticks %v: want 0 to %v", ticks, top)
			}
			if tc.peak >= 3 && (len(ticks) < 4 || len(ticks) > 6) {
				t.Errorf("ticks %v: want 3 to 5 steps", ticks)
			}
		})
	}
}

// TestThinLabels: never more labels than the limit, always the first and the last, in order, and
// never two closer than the spacing the limit allows.
func TestThinLabels(t *testing.T) {
	for n := 1; n <= 120; n++ {
		for limit := 0; limit <= 9; limit++ {
			idx := thinLabels(n, limit)
			want := max(limit, 2)
			if len(idx) > want || len(idx) > n {
				t.Fatalf("n=%d limit=%d: got %d labels %v, want at most %d", n, limit, len(idx), idx, want)
			}
			if idx[0] != 0 || idx[len(idx)-1] != n-1 {
				t.Fatalf("n=%d limit=%d: got %v, want the first and the last", n, limit, idx)
			}
			gap := n
			for i := 1; i < len(idx); i++ {
				gap = min(gap, idx[i]-idx[i-1])
			}
			if n > 1 && gap < (n-1)/(want-1) || gap < 1 {
				t.Fatalf("n=%d limit=%d: got %v, closest %d apart, want at least %d", n, limit, idx, gap, (n-1)/(want-1))
			}
		}
	}
	// An exact spacing wins over one more label: ten days by three, not 0 2 5 7 9.
	if got := fmt.Sprint(thinLabels(10, 5)); got != "[0 3 6 9]" {
		t.Errorf("thinLabels(10, 5): got %s, want [0 3 6 9]", got)
	}
}

func TestFormatNumber(t *testing.T) {
	tests := []struct {
		v        float64
		decimals int
		want     string
	}{
		{0, 0, "0"},
		{999, 0, "999"},
		{1000, 0, "1,000"},
		{12345, 0, "12,345"},
		{1234567.891, 2, "1,234,567.89"},
		{12.25, 1, "12.3"},
		{-4321.5, 1, "-4,321.5"},
		{-0.04, 1, "0.0"},
		{0.5, 0, "1"},
	}
	for _, tc := range tests {
		if got := formatNumber(tc.v, tc.decimals); got != tc.want {
			t.Errorf("formatNumber(%v, %d): got %q, want %q", tc.v, tc.decimals, got, tc.want)
		}
	}
}

func days(n int) []string {
	labels := make([]string, n)
	for i := range labels {
		labels[i] = fmt.Sprintf("%d Mar", i+1)
	}
	return labels
}

func ramp(n int, k float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = k * float64(i)
	}
	return v
}

// renderChart renders c, fails the test on a style attribute (the CSP forbids them), and returns
// the chart's figure.
func renderChart(t *testing.T, c Chart) *goquery.Selection {
	t.Helper()
	var buf bytes.Buffer
	if err := ChartCard(c).Render(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(strings.ToLower(buf.String()), "style=") {
		t.Errorf("a style attribute in %s", buf.String())
	}
	doc, err := goquery.NewDocumentFromReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Find("[style]").Length() != 0 {
		t.Error("a style attribute: the CSP forbids it")
	}
	fig := doc.Find(`figure[data-testid="chart-` + c.ID + `"]`)
	if fig.Length() != 1 || fig.AttrOr("id", "") != "chart-"+c.ID {
		t.Fatalf("got %d figures with id %q, want one chart-%s", fig.Length(), fig.AttrOr("id", ""), c.ID)
	}
	return fig
}

// TestChartLines: one polyline per series with a point per label, the svg an image named by its
// title and described by its desc, dots only while the points are few, x labels thinned.
func TestChartLines(t *testing.T) {
	tests := []struct {
		name   string
		labels int
		series []ChartSeries
		dots   int
		ticks  string
	}{
		{"a month", 30, []ChartSeries{{"Clear", ramp(30, 400)}, {"Consider", ramp(30, 1)}, {"Caution", ramp(30, 2)}}, 90, "0 5,000 10,000 15,000"},
		{"many days", 60, []ChartSeries{{"Clear", ramp(60, 1)}}, 0, "0 20 40 60"},
		{"one day", 1, []ChartSeries{{"Clear", []float64{7}}}, 1, "0 2 4 6 8"},
		{"all zero", 10, []ChartSeries{{"Clear", make([]float64, 10)}}, 10, "0 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Chart{ID: "checks", Title: "Checks per day", Kind: ChartLines, Labels: days(tc.labels), Series: tc.series, Unit: "checks"}
			fig := renderChart(t, c)
			svg := fig.Find("svg.chart__svg")
			if svg.AttrOr("role", "") != "img" || !strings.HasPrefix(svg.AttrOr("viewBox", ""), "0 0 640 ") || svg.AttrOr("width", "") != "100%" {
				t.Errorf("svg role %q viewBox %q width %q, want img, 0 0 640 …, 100%%", svg.AttrOr("role", ""), svg.AttrOr("viewBox", ""), svg.AttrOr("width", ""))
			}
			if got := svg.AttrOr("aria-labelledby", ""); got != "chart-checks-title chart-checks-desc" {
				t.Errorf("aria-labelledby %q", got)
			}
			if got := svg.Find("title#chart-checks-title").Text(); got != "Checks per day" {
				t.Errorf("title %q, want Checks per day", got)
			}
			if desc := svg.Find("desc#chart-checks-desc").Text(); !strings.Contains(desc, tc.series[0].Name+": highest") {
				t.Errorf("desc %q says nothing of %s", desc, tc.series[0].Name)
			}
			lines := svg.Find("polyline")
			if lines.Length() != len(tc.series) {
				t.Fatalf("got %d polylines, want %d", lines.Length(), len(tc.series))
			}
			dashes := map[string]bool{}
			lines.Each(func(i int, l *goquery.Selection) {
				if n := len(strings.Fields(l.AttrOr("points", ""))); n != tc.labels {
					t.Errorf("series %d: got %d points, want %d", i, n, tc.labels)
				}
				dashes[l.AttrOr("stroke-dasharray", "solid")] = true
			})
			if len(dashes) != len(tc.series) {
				t.Errorf("got %d dash patterns for %d series, want one each", len(dashes), len(tc.series))
			}
			if n := svg.Find("circle").Length(); n != tc.dots {
				t.Errorf("got %d dots, want %d", n, tc.dots)
			}
			var ticks []string
			svg.Find("text.chart__tick[text-anchor=end]").Each(func(_ int, s *goquery.Selection) { ticks = append(ticks, s.Text()) })
			if got := strings.Join(ticks, " "); got != tc.ticks {
				t.Errorf("y ticks %q, want %q", got, tc.ticks)
			}
			x := svg.Find("text.chart__tick[text-anchor=middle]")
			if x.Length() > chartXLabels || x.First().Text() != "1 Mar" || x.Last().Text() != c.Labels[tc.labels-1] {
				t.Errorf("x labels %d from %q to %q, want at most %d from 1 Mar to %s", x.Length(), x.First().Text(), x.Last().Text(), chartXLabels, c.Labels[tc.labels-1])
			}
			if n := fig.Find(`[data-testid="chart-legend"] li`).Length(); n != len(tc.series) {
				t.Errorf("legend has %d series, want %d", n, len(tc.series))
			}
		})
	}
}

// TestChartBars: bars are as long as their totals, on one scale; stacked segments sum to the bar;
// long labels are shortened with the whole label on hover.
func TestChartBars(t *testing.T) {
	long := "Face does not match the photo on the document, by a long way, as reviewers noted"
	c := Chart{
		ID: "reasons", Title: "Reject reasons", Kind: ChartBars, Unit: "checks",
		Labels: []string{"Expired", "Forgery", long, "Other"},
		Series: []ChartSeries{{"Reviewer", []float64{1000, 300, 100, 0}}, {"Admin", []float64{234, 317, 0, 0}}},
	}
	svg := renderChart(t, c).Find("svg")
	rows := svg.Find(`[data-testid="chart-bar"]`)
	if rows.Length() != 4 {
		t.Fatalf("got %d bars, want 4", rows.Length())
	}
	widths := make([]float64, rows.Length())
	rows.Each(func(i int, r *goquery.Selection) {
		r.Find("rect").Each(func(_ int, s *goquery.Selection) { widths[i] += attrFloat(t, s, "width") })
	})
	totals := []float64{1234, 617, 100, 0}
	for i, w := range widths {
		if want := widths[0] * totals[i] / totals[0]; math.Abs(w-want) > 0.05 {
			t.Errorf("bar %d: got width %.2f, want %.2f (its total over the largest)", i, w, want)
		}
	}
	if widths[0] == 0 || math.Abs(widths[0]-2*widths[1]) > 0.05 {
		t.Errorf("a total twice another: got widths %.2f and %.2f", widths[0], widths[1])
	}
	segs := rows.Eq(0).Find("rect")
	if segs.Length() != 2 || !segs.Eq(0).HasClass("chart__s1") || !segs.Eq(1).HasClass("chart__s2") {
		t.Fatalf("first bar: got %d segments, want Reviewer then Admin", segs.Length())
	}
	if x0, w0, x1 := attrFloat(t, segs.Eq(0), "x"), attrFloat(t, segs.Eq(0), "width"), attrFloat(t, segs.Eq(1), "x"); math.Abs(x0+w0-x1) > 0.02 {
		t.Errorf("Admin starts at %.2f, want where Reviewer ends, %.2f", x1, x0+w0)
	}
	var totalText []string
	svg.Find("text.chart__total").Each(func(_ int, s *goquery.Selection) { totalText = append(totalText, s.Text()) })
	if got := strings.Join(totalText, " "); got != "1,234 617 100 0" {
		t.Errorf("totals %q, want 1,234 617 100 0", got)
	}
	third := rows.Eq(2)
	if label := third.Find("text.chart__label").Text(); !strings.HasSuffix(label, "…") || len([]rune(label)) >= len([]rune(long)) {
		t.Errorf("long label %q: want it shortened with an ellipsis", label)
	}
	if title := third.ChildrenFiltered("title").Text(); !strings.HasPrefix(title, long+": 100 checks") {
		t.Errorf("hover title %q, want the whole label and its numbers", title)
	}
}

// TestChartTable: the numbers table has the caller's rows, each cell labelled for a phone, and the
// CSV link; a single-series bar chart has no legend.
func TestChartTable(t *testing.T) {
	c := Chart{
		ID: "decide", Title: "Time to decide", Kind: ChartBars, Unit: "hours", Decimals: 1,
		Labels: []string{"Ada", "Grace"}, Series: []ChartSeries{{"Hours", []float64{3.25, 12}}},
		TableHead: []string{"Reviewer", "Hours"}, TableRows: [][]string{{"Ada", "3.3"}, {"Grace", "12.0"}},
		CSVURL: "/insights/decide.csv", Figures: []ChartFigure{{"p50", "3 h 10 min"}},
	}
	fig := renderChart(t, c)
	table := fig.Find(`table.table--stack[data-testid="chart-table"]`)
	if table.Find("caption").Length() != 1 {
		t.Error("the table has no caption")
	}
	var got []string
	table.Find("tbody tr").Each(func(_ int, r *goquery.Selection) {
		r.Find("td").Each(func(_ int, td *goquery.Selection) { got = append(got, td.AttrOr("data-label", "")+"="+td.Text()) })
	})
	if want := "Reviewer=Ada Hours=3.3 Reviewer=Grace Hours=12.0"; strings.Join(got, " ") != want {
		t.Errorf("rows %q, want %q", strings.Join(got, " "), want)
	}
	if href := fig.Find(`[data-testid="chart-csv"]`).AttrOr("href", ""); href != c.CSVURL {
		t.Errorf("CSV link %q, want %s", href, c.CSVURL)
	}
	if got := fig.Find(`[data-testid="chart-figures"] dd`).Text(); got != "3 h 10 min" {
		t.Errorf("figure %q, want 3 h 10 min", got)
	}
	if fig.Find(`[data-testid="chart-legend"]`).Length() != 0 {
		t.Error("a legend for a single series of bars")
	}
	if got := fig.Find("text.chart__total").First().Text(); got != "3.3" {
		t.Errorf("total %q, want 3.3 (one decimal)", got)
	}
}

// TestChartEmpty: when the caller says there is nothing to draw, or there is nothing it could
// draw, the message replaces the drawing and the table; headline figures stay.
func TestChartEmpty(t *testing.T) {
	zero := []ChartSeries{{"Clear", make([]float64, 3)}}
	rows := [][]string{{"1 Mar", "0"}}
	tests := []struct {
		name string
		c    Chart
		want string
	}{
		{"said empty", Chart{Labels: days(3), Series: zero, TableRows: rows, Empty: "No checks completed in this period."}, "No checks completed in this period."},
		{"no labels", Chart{Series: zero, TableRows: rows, Empty: "No checks."}, "No checks."},
		{"no series", Chart{Kind: ChartBars, Labels: days(3), TableRows: rows}, "Nothing to show for this period."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.c.ID, tc.c.Title, tc.c.CSVURL = "none", "Checks", "/none.csv"
			tc.c.Figures = []ChartFigure{{"Completed", "0"}}
			fig := renderChart(t, tc.c)
			if got := fig.Find(`[data-testid="chart-empty"]`).Text(); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if n := fig.Find("svg, table").Length(); n != 0 {
				t.Errorf("got %d svg or table elements, want none", n)
			}
			if fig.Find(`[data-testid="chart-figures"]`).Length() != 1 || fig.Find(`[data-testid="chart-csv"]`).Length() != 1 {
				t.Error("the headline figures and the CSV link should stay")
			}
		})
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9*max(1, math.Abs(b)) }

func attrFloat(t *testing.T, s *goquery.Selection, name string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s.AttrOr(name, ""), 64)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}
