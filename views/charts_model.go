package views

import (
	"math"
	"strconv"
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

// foldRows is the most rows a chart's table shows open: a longer one (a day per row) is folded
// under a summary, so the charts of a long period stay near each other.
const foldRows = 10
