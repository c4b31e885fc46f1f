package views

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ChartKind is how a chart draws its numbers.
type ChartKind int

// The kinds of chart.
const (
	ChartLines ChartKind = iota // one x position per label (days), one polyline per series, y from 0
	ChartBars                   // one horizontal bar per label; several series are stacked in one bar
)

// ChartSeries is one named row of values, one value per label.
type ChartSeries struct {
	Name   string
	Values []float64
}

// Chart is one chart of the insights page: its drawing, and the same numbers as a table.
//
// A series with fewer values than there are labels draws what it has; values past the last label
// are not drawn. Negative, NaN and infinite values are drawn as zero: charts count things and
// durations.
type Chart struct {
	ID          string // short slug, e.g. "checks"; the figure gets id="chart-<ID>" and data-testid="chart-<ID>"
	Title       string
	Description string // one or two sentences: what is counted, how
	Kind        ChartKind
	Labels      []string // x labels (lines) or bar labels (bars)
	Series      []ChartSeries
	Unit        string // shown on the axis / in aria text, e.g. "checks", "hours"
	Decimals    int    // digits after the point when values are printed (0 for counts)
	// TableHead and TableRows are the numbers table: column headings, and rows already formatted
	// by the caller (the same numbers as the CSV). The first column names the row; the others are
	// numbers, aligned right.
	TableHead []string
	TableRows [][]string
	CSVURL    string // link "Download CSV" (empty: no link)
	// Empty is shown instead of the drawing and table when there is nothing to draw (e.g. "No checks
	// completed in this period."): set, the caller says so; a chart without labels or series shows
	// it too, or a default. The headline figures and the CSV link stay.
	Empty   string
	Figures []ChartFigure // optional headline numbers shown above the drawing (e.g. "p50 3 h 10 min")
}

// ChartFigure is a headline number of a chart: "p50" and "3 h 10 min".
type ChartFigure struct{ Label, Value string }

// Layout of the drawing, in viewBox units. The svg scales to its box, and the stylesheet sizes its
// text by the box's width (.chart__svg text), from 24 units in a phone's narrow box down to 9 in a
// desktop's wide one, so that it prints at about 11–14 px everywhere. Room for text is reserved at
// the largest size, chartFontMax, so nothing overlaps at any width.
const (
	chartWidth   = 640.0
	chartFontMax = 24.0
	chartCharW   = 0.6 * chartFontMax // an average character, generously
	chartBoldW   = 0.7 * chartFontMax // a bold digit of a wide font (DejaVu Sans Bold: 0.696 em)
	chartXLabels = 7                  // the most x labels a lines chart prints
	chartDotsMax = 31                 // points get a dot up to this many labels
	lineHeight   = 340.0
	lineTop      = 44.0 // the top gridline; the unit prints above it
	lineBottom   = lineHeight - chartFontMax - 24
	barLabel     = chartFontMax + 6 // a bar's label, above it
	barHeight    = 20.0
	barPitch     = barLabel + barHeight + 16
	barHead      = 36.0 // the row above the bars, where the unit prints
)

// seriesDashes tell series apart without colour; the legend draws the same patterns.
var seriesDashes = [...]string{"", "9 5", "2 4", "12 4 2 4", "5 3"}

// empty says the chart shows its Empty message instead of the drawing and table: the caller says
// there is nothing to draw, or there is nothing it could draw.
func (c Chart) empty() bool { return c.Empty != "" || len(c.Labels) == 0 || len(c.Series) == 0 }

func (c Chart) emptyText() string {
	if c.Empty == "" {
		return "Nothing to show for this period."
	}
	return c.Empty
}

func (c Chart) figureID() string { return "chart-" + c.ID }

// columnLabel is the heading of the table's column j, which labels its cells on a phone.
func (c Chart) columnLabel(j int) string {
	if j < len(c.TableHead) {
		return c.TableHead[j]
	}
	return ""
}

func chartKindName(k ChartKind) string {
	if k == ChartBars {
		return "bars"
	}
	return "lines"
}

// seriesClass is the class that colours series i (the stylesheet has five colours, then repeats).
func seriesClass(i int) string { return "chart__s" + strconv.Itoa(i%len(seriesDashes)+1) }

func seriesDash(i int) string { return seriesDashes[i%len(seriesDashes)] }

// value is series s at label i, as drawn.
func (s ChartSeries) value(i int) float64 {
	if i >= len(s.Values) {
		return 0
	}
	v := s.Values[i]
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return 0
	}
	return v
}

// niceAxis is a value axis for values up to peak: its step is 1, 2 or 5 × 10ⁿ, the finest that
// reaches peak in at most five steps (so three to five, where decimals allow), and its top the
// first multiple of the step at or above peak. A step is never finer than decimals can print;
// with nothing above zero the axis runs to 1.
func niceAxis(peak float64, decimals int) (top, step float64) {
	finest := math.Pow(10, -float64(max(decimals, 0)))
	if !(peak > 0) || math.IsInf(peak, 1) {
		return 1, max(0.2, finest)
	}
	scale := math.Pow(10, math.Floor(math.Log10(peak/5)))
	for _, m := range []float64{1, 2, 5, 10} {
		step = max(m*scale, finest)
		if m == 10 || math.Ceil(peak/step-1e-9) <= 5 { // 10 × scale always fits
			break
		}
	}
	return math.Ceil(peak/step-1e-9) * step, step
}

// axisTicks are the values of a value axis's gridlines, from 0 to top by step.
func axisTicks(top, step float64) []float64 {
	n := int(math.Round(top / step))
	ticks := make([]float64, n+1)
	for i := range ticks {
		ticks[i] = float64(i) * step
	}
	return ticks
}

// thinLabels picks which of n labels to print: at most limit of them (two at least), always the
// first and the last, evenly spaced. It prefers a few fewer labels at an exact spacing (every third
// day) to more at one that varies; either way two picked labels are never closer than
// ⌊(n−1)/(limit−1)⌋ positions.
func thinLabels(n, limit int) []int {
	limit = max(limit, 2)
	k := min(n, limit)
	for try := k; n > limit && try >= max(limit-2, 2); try-- {
		if (n-1)%(try-1) == 0 {
			k = try
			break
		}
	}
	idx := make([]int, k)
	for i := range idx {
		idx[i] = int(math.Round(float64(i) * float64(n-1) / float64(max(k-1, 1))))
	}
	return idx
}

// xLabelLimit is how many of n labels fit along width when each needs slot: the most, up to
// chartXLabels, whose closest pair is still slot apart.
func xLabelLimit(n int, width, slot float64) int {
	if n < 2 {
		return 2
	}
	for k := min(n, chartXLabels); k > 2; k-- {
		if float64((n-1)/(k-1))*width/float64(n-1) >= slot {
			return k
		}
	}
	return 2
}

// plotBox is where a lines chart's values go; y grows down, so Bottom is zero.
type plotBox struct{ Left, Top, Right, Bottom float64 }

// x is where label i of n goes: evenly from Left to Right, or the middle for a single label.
func (b plotBox) x(i, n int) float64 {
	if n < 2 {
		return (b.Left + b.Right) / 2
	}
	return b.Left + float64(i)*(b.Right-b.Left)/float64(n-1)
}

// y is where v goes on an axis from 0 to top.
func (b plotBox) y(v, top float64) float64 { return b.Bottom - min(v/top, 1)*(b.Bottom-b.Top) }

// chartPoint is a point of the drawing, in viewBox units.
type chartPoint struct{ X, Y float64 }

// linePoints are the points of series s over n labels on an axis from 0 to top.
func linePoints(s ChartSeries, n int, top float64, b plotBox) []chartPoint {
	pts := make([]chartPoint, min(len(s.Values), n))
	for i := range pts {
		pts[i] = chartPoint{b.x(i, n), b.y(s.value(i), top)}
	}
	return pts
}

// textWidth is the room text takes at the largest font size.
func textWidth(s string) float64 { return float64(utf8.RuneCountInString(s)) * chartCharW }

// truncate shortens s to at most n characters, the last an ellipsis.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:max(n-1, 0)])) + "…"
}

// formatNumber prints v with decimals digits after the point and commas between thousands:
// 12345.6 → "12,345.6".
func formatNumber(v float64, decimals int) string {
	decimals = max(decimals, 0)
	p := math.Pow(10, float64(decimals))
	s := strconv.FormatFloat(math.Round(v*p)/p, 'f', decimals, 64) // halves away from zero: 12.25 → 12.3
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, d := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(d)
	}
	if strings.Trim(whole+frac, "0") == "" {
		sign = "" // no "-0"
	}
	if hasFrac {
		return sign + b.String() + "." + frac
	}
	return sign + b.String()
}

// withUnit is a number and its unit: "12 checks".
func withUnit(v float64, c Chart) string {
	if c.Unit == "" {
		return formatNumber(v, c.Decimals)
	}
	return formatNumber(v, c.Decimals) + " " + c.Unit
}

// coord prints a viewBox coordinate.
func coord(v float64) string { return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64) }

// linePlot is a lines chart laid out: everything its svg draws.
type linePlot struct {
	Height  float64
	Box     plotBox
	Grid    []chartTick
	XLabels []chartTick
	Lines   []chartLine
}

// chartTick is an axis label: a gridline's value at Y, or a label at X.
type chartTick struct {
	X, Y float64
	Text string
}

// chartLine is one series drawn: its polyline, and a dot per point when there are few.
type chartLine struct {
	Class, Dash, Points string
	Dots                []chartDot
}

// chartDot is a point with its value for hover.
type chartDot struct {
	X, Y  float64
	Title string
}

// layoutLines lays a lines chart out in the viewBox.
func layoutLines(c Chart) linePlot {
	n := len(c.Labels)
	peak := 0.0
	for _, s := range c.Series {
		for i := range min(len(s.Values), n) {
			peak = max(peak, s.value(i))
		}
	}
	top, step := niceAxis(peak, c.Decimals)
	ticks := axisTicks(top, step)
	tickDecimals := min(max(c.Decimals, 0), max(0, -int(math.Floor(math.Log10(step)+1e-9))))

	p := linePlot{Height: lineHeight}
	labelW := 0.0
	for _, l := range c.Labels {
		labelW = max(labelW, textWidth(l))
	}
	tickW := textWidth(formatNumber(top, tickDecimals))
	// x labels are centred on their points, so the first and last need half their width beside the plot.
	p.Box = plotBox{
		Left:   max(tickW+10, textWidth(c.Labels[0])/2+2),
		Right:  chartWidth - max(8, textWidth(c.Labels[n-1])/2+2),
		Top:    lineTop,
		Bottom: lineBottom,
	}
	for _, v := range ticks {
		p.Grid = append(p.Grid, chartTick{X: p.Box.Left - 8, Y: p.Box.y(v, top), Text: formatNumber(v, tickDecimals)})
	}
	for _, i := range thinLabels(n, xLabelLimit(n, p.Box.Right-p.Box.Left, labelW+16)) {
		p.XLabels = append(p.XLabels, chartTick{X: p.Box.x(i, n), Y: lineBottom + chartFontMax + 12, Text: c.Labels[i]})
	}
	for si, s := range c.Series {
		pts := linePoints(s, n, top, p.Box)
		line := chartLine{Class: seriesClass(si), Dash: seriesDash(si)}
		coords := make([]string, len(pts))
		for i, pt := range pts {
			coords[i] = coord(pt.X) + "," + coord(pt.Y)
			if n <= chartDotsMax {
				line.Dots = append(line.Dots, chartDot{pt.X, pt.Y, s.Name + ", " + c.Labels[i] + ": " + withUnit(s.value(i), c)})
			}
		}
		line.Points = strings.Join(coords, " ")
		p.Lines = append(p.Lines, line)
	}
	return p
}

// barPlot is a bars chart laid out: everything its svg draws.
type barPlot struct {
	Height float64
	Rows   []barRow
}

// barRow is one bar: its label above it (shortened to fit; Title is the whole of it and the
// numbers), its segments left to right from x = 0, and its total printed after it.
type barRow struct {
	LabelY, BarY        float64 // the label's baseline; the bar's middle
	Label, Title, Total string
	TotalX              float64
	Segments            []barSegment
}

// barSegment is one series' part of a bar.
type barSegment struct {
	X, Y, Width, Height float64
	Class               string
}

// layoutBars lays a bars chart out in the viewBox: each bar as long as its row's total, on a scale
// shared by every row. Labels go above their bars, so they have the whole width at any size.
func layoutBars(c Chart) barPlot {
	totals := make([]float64, len(c.Labels))
	totalW, peak := 0.0, 0.0
	for i := range c.Labels {
		for _, s := range c.Series {
			totals[i] += s.value(i)
		}
		peak = max(peak, totals[i])
		totalW = max(totalW, float64(len(formatNumber(totals[i], c.Decimals)))*chartBoldW)
	}
	head := 0.0
	if c.Unit != "" {
		head = barHead
	}
	p := barPlot{Height: head + float64(len(c.Labels))*barPitch}
	scale := 0.0
	if peak > 0 {
		scale = (chartWidth - totalW - 8) / peak
	}
	for i, l := range c.Labels {
		top := head + float64(i)*barPitch
		row := barRow{
			LabelY: top + 0.8*chartFontMax,
			BarY:   top + barLabel + barHeight/2,
			Label:  truncate(l, int(math.Floor(chartWidth/chartCharW))),
			Title:  l + ": " + rowValues(c, i, totals[i]),
			Total:  formatNumber(totals[i], c.Decimals),
			TotalX: totals[i]*scale + 6,
		}
		x := 0.0
		for si, s := range c.Series {
			if w := s.value(i) * scale; w > 0 {
				row.Segments = append(row.Segments, barSegment{X: x, Y: row.BarY - barHeight/2, Width: w, Height: barHeight, Class: seriesClass(si)})
				x += w
			}
		}
		p.Rows = append(p.Rows, row)
	}
	return p
}

// rowValues says a bar's numbers: "12 checks", or "12 checks (Approved 10, Declined 2)".
func rowValues(c Chart, i int, total float64) string {
	if len(c.Series) < 2 {
		return withUnit(total, c)
	}
	parts := make([]string, len(c.Series))
	for si, s := range c.Series {
		parts[si] = s.Name + " " + formatNumber(s.value(i), c.Decimals)
	}
	return withUnit(total, c) + " (" + strings.Join(parts, ", ") + ")"
}

// chartSummary is the drawing's description for assistive technology: what a sighted reader takes
// from it. The table beside it has every number.
func chartSummary(c Chart) string {
	n := len(c.Labels)
	if c.Kind == ChartBars {
		const listed = 8
		parts := make([]string, 0, min(n, listed))
		for i := range min(n, listed) {
			total := 0.0
			for _, s := range c.Series {
				total += s.value(i)
			}
			parts = append(parts, c.Labels[i]+": "+rowValues(c, i, total))
		}
		text := strconv.Itoa(n) + " bars. " + strings.Join(parts, "; ") + "."
		if n > listed {
			text += " " + strconv.Itoa(n-listed) + " more in the table."
		}
		return text
	}
	text := strconv.Itoa(n) + " points, " + c.Labels[0] + " to " + c.Labels[n-1] + "."
	for _, s := range c.Series {
		m := min(len(s.Values), n)
		if m == 0 {
			text += " " + s.Name + ": no values."
			continue
		}
		hi, lo := 0, 0
		for i := range m {
			if s.value(i) > s.value(hi) {
				hi = i
			}
			if s.value(i) < s.value(lo) {
				lo = i
			}
		}
		text += " " + s.Name + ": highest " + withUnit(s.value(hi), c) + " on " + c.Labels[hi] +
			", lowest " + withUnit(s.value(lo), c) + " on " + c.Labels[lo] +
			", last " + withUnit(s.value(m-1), c) + " on " + c.Labels[m-1] + "."
	}
	return text
}

// foldRows is the most rows a chart's table shows open: a longer one (a day per row) is folded
// under a summary, so the charts of a long period stay near each other.
const foldRows = 10
