package views

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

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
