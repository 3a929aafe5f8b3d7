package htmlreport

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// barChart is a mapping's outcomes as one horizontal bar, a segment an
// outcome.
type barChart struct {
	ID    string // of its <title>
	Label string // what it shows, in words
	W, H  int
	Segs  []segment
}

type segment struct {
	X, W, TextX string
	Colour      string
	Title       string // label: count (share)
	Text        string // the count, when the segment is wide enough for it
}

const (
	barW, barH = 900, 28
	minSeg     = 3.0 // the narrowest segment: a single row among thousands stays visible
	textSeg    = 44  // the narrowest segment that shows its count
)

func newBarChart(id, name string, legend []legendItem, os []Outcome, cols []string, total int) barChart {
	c := barChart{ID: id + "-chart", W: barW, H: barH}
	parts := make([]string, 0, len(legend))
	for _, l := range legend {
		parts = append(parts, l.Label+" "+l.Count)
	}
	c.Label = "Outcomes of " + name + ", " + number(total) + " rows: " + strings.Join(parts, ", ")
	if total <= 0 {
		return c
	}
	// The width of each segment: its share, but at least minSeg; the
	// others share what is left.
	widths := make([]float64, len(os))
	small, bigSum := 0, 0
	for i, o := range os {
		if o.Count <= 0 {
			continue
		}
		if float64(o.Count)/float64(total)*barW < minSeg {
			widths[i] = minSeg
			small++
		} else {
			bigSum += o.Count
		}
	}
	room := barW - minSeg*float64(small)
	for i, o := range os {
		if o.Count > 0 && widths[i] == 0 {
			widths[i] = float64(o.Count) / float64(bigSum) * room
		}
	}
	x := 0.0
	for i, o := range os {
		if o.Count <= 0 {
			continue
		}
		s := segment{X: coord(x), W: coord(widths[i]), TextX: coord(x + widths[i]/2), Colour: cols[i],
			Title: legend[i].Label + ": " + legend[i].Count + " (" + legend[i].Share + ")"}
		if widths[i] >= textSeg {
			s.Text = legend[i].Count
		}
		c.Segs = append(c.Segs, s)
		x += widths[i]
	}
	return c
}

// coord writes a coordinate with at most two decimals.
func coord(f float64) string { return strconv.FormatFloat(math.Round(f*100)/100, 'f', -1, 64) }

// timelineView is the chart of the requests per second over time.
type timelineView struct {
	Empty     bool // no request was sent
	Label     string
	Summary   string
	W, H      int
	Left      int    // the x of the time axis's start
	Right     int    // and of its end
	Top       int    // the y of the top of the plot
	Bottom    int    // the y of the time axis
	MarkY     int    // the y of the 429 marks
	LabelY    int    // the y of the time labels
	AxisTextX int    // the x of the rates' labels (their end)
	CutTop    int    // the y of the top of a cut's line
	CutTextY  int    // the y of a cut's label
	Bars      string // the path of the requests' bars
	Grid      []gridLine
	Ticks     []timeTick
	Marks     []limitMark
	Cuts      []cutMark
	Step      string // the span of a bar
	CutRows   []cutRow
	More      string // "and 12 more rate cuts"
}

type gridLine struct{ Y, TextY, Text string }

type timeTick struct{ X, Text string }

type limitMark struct{ X, W, Title string }

type cutMark struct {
	X, Title, Text string // Text is "" where it would cover the label before
}

type cutRow struct{ At, Rate string }

const (
	tlW, tlH         = 900, 270
	tlLeft, tlRight  = 56, 888
	tlTop, tlBottom  = 30, 210
	tlMarkY, tlLabel = 214, 246
	cutLabelGap      = 64 // the least room between two labels of rate cuts
	maxCutRows       = 20
)

// tickSteps are the spans between the labels of the time axis.
var tickSteps = []time.Duration{
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour,
}

func newTimelineView(t Timeline) timelineView {
	v := timelineView{W: tlW, H: tlH, Left: tlLeft, Right: tlRight, Top: tlTop, Bottom: tlBottom, MarkY: tlMarkY, LabelY: tlLabel,
		AxisTextX: tlLeft - 6, CutTop: tlTop - 8, CutTextY: tlTop - 12}
	n := max(len(t.Requests), len(t.Limited))
	sent, limited := 0, 0
	for _, c := range t.Requests {
		sent += max(c, 0)
	}
	for _, c := range t.Limited {
		limited += max(c, 0)
	}
	if t.Step <= 0 || n == 0 || sent+limited == 0 {
		v.Empty = true
		return v
	}
	// Merge k buckets into one to draw at most MaxPoints.
	k := (n + MaxPoints - 1) / MaxPoints
	m := (n + k - 1) / k
	step := t.Step * time.Duration(k)
	reqs, lims := make([]int, m), make([]int, m)
	for i := range n {
		if i < len(t.Requests) {
			reqs[i/k] += max(t.Requests[i], 0)
		}
		if i < len(t.Limited) {
			lims[i/k] += max(t.Limited[i], 0)
		}
	}
	perSec := func(c int) float64 { return float64(c) / step.Seconds() }
	peak := 0.0
	for _, c := range reqs {
		peak = max(peak, perSec(c))
	}
	yStep, yMax := niceScale(peak)
	plotW, plotH := float64(tlRight-tlLeft), float64(tlBottom-tlTop)
	bw := plotW / float64(m)
	x := func(i int) float64 { return tlLeft + float64(i)*bw }
	y := func(r float64) float64 { return tlBottom - r/yMax*plotH }

	for r := 0.0; r <= yMax+yStep/2; r += yStep {
		v.Grid = append(v.Grid, gridLine{Y: coord(y(r)), TextY: coord(y(r) + 4), Text: rate(r)})
	}
	span := step * time.Duration(m)
	every := tickSteps[len(tickSteps)-1]
	for _, s := range tickSteps {
		if span/s <= 8 {
			every = s
			break
		}
	}
	for d := time.Duration(0); d <= span; d += every {
		v.Ticks = append(v.Ticks, timeTick{X: coord(tlLeft + d.Seconds()/span.Seconds()*plotW), Text: tick(d)})
	}

	var b strings.Builder
	for i, c := range reqs {
		if c <= 0 {
			continue
		}
		x0, x1 := x(i), x(i)+bw
		if bw > 2 {
			x1 -= min(bw*0.15, 2) // a gap between wide bars
		}
		b.WriteString("M" + coord(x0) + " " + coord(tlBottom) + "V" + coord(y(perSec(c))) + "H" + coord(x1) + "V" + coord(tlBottom) + "Z")
	}
	v.Bars = b.String()
	for i, c := range lims {
		if c <= 0 {
			continue
		}
		from := step * time.Duration(i)
		v.Marks = append(v.Marks, limitMark{X: coord(x(i)), W: coord(max(bw, 2)),
			Title: spanText(from, from+step) + ": " + number(c) + " " + plural(c, "answer", "answers") + " 429"})
	}

	// The cuts, one a bar: the last of it.
	var cuts []Cut
	for _, c := range t.Cuts {
		if c.At < 0 || c.At > span {
			continue
		}
		if l := len(cuts); l > 0 && cuts[l-1].At/step == c.At/step {
			cuts[l-1] = c
			continue
		}
		cuts = append(cuts, c)
	}
	lastLabel := math.Inf(-1)
	for _, c := range cuts {
		cx := tlLeft + c.At.Seconds()/span.Seconds()*plotW
		cm := cutMark{X: coord(cx), Title: "at " + tick(c.At) + ", a 429 cut the rate to " + rate(c.Rate) + " requests/s"}
		if cx-lastLabel >= cutLabelGap {
			cm.Text = "→ " + rate(c.Rate) + "/s"
			lastLabel = cx
		}
		v.Cuts = append(v.Cuts, cm)
	}
	for i, c := range t.Cuts {
		if i == maxCutRows {
			v.More = "and " + number(len(t.Cuts)-maxCutRows) + " more rate cuts"
			break
		}
		v.CutRows = append(v.CutRows, cutRow{At: tick(c.At), Rate: rate(c.Rate)})
	}

	busy := 0
	for _, c := range lims {
		if c > 0 {
			busy++
		}
	}
	v.Step = duration(step)
	v.Summary = "At most " + rate(peak) + " requests/s over " + duration(span) + " (" + number(sent) + " requests, a bar every " + v.Step + "); " +
		number(limited) + " " + plural(limited, "answer", "answers") + " 429"
	if limited > 0 {
		v.Summary += " in " + number(busy) + " of the " + number(m) + " bars"
	}
	v.Summary += "; " + number(len(t.Cuts)) + " rate " + plural(len(t.Cuts), "cut", "cuts")
	if l := len(t.Cuts); l > 0 {
		v.Summary += ", the last to " + rate(t.Cuts[l-1].Rate) + " requests/s"
	}
	v.Summary += "."
	v.Label = "Requests per second over time. " + v.Summary
	return v
}

// niceScale returns the step of the grid lines of a chart whose highest
// value is peak, and its top: a step of 1, 2, 2.5 or 5 times a power of
// ten, so that there are at most 5 lines above 0.
func niceScale(peak float64) (step, top float64) {
	if peak <= 0 || math.IsNaN(peak) || math.IsInf(peak, 0) {
		return 1, 1
	}
	p := math.Pow(10, math.Floor(math.Log10(peak/5)))
	for _, f := range []float64{1, 2, 2.5, 5, 10} {
		step = f * p
		if peak/step <= 5 {
			break
		}
	}
	return step, math.Ceil(peak/step-1e-9) * step
}

// spanText writes a bar's span for its tooltip: 1m30s–1m31s.
func spanText(from, to time.Duration) string { return tick(from) + "–" + tick(to) }
