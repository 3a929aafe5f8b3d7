package htmlreport

import (
	"strings"
	"testing"
	"time"
)

// TestTimelineMerged: two hours of seconds are drawn as at most
// MaxPoints bars, every request and 429 still counted, the cuts one a bar.
func TestTimelineMerged(t *testing.T) {
	t.Parallel()
	const n = 7200
	tl := Timeline{Step: time.Second, Requests: make([]int, n), Limited: make([]int, n)}
	for i := range tl.Requests {
		tl.Requests[i] = 4
	}
	for i := 0; i < n; i += 100 {
		tl.Limited[i] = 1
		tl.Cuts = append(tl.Cuts, Cut{At: time.Duration(i) * time.Second, Rate: 3}, Cut{At: time.Duration(i+1) * time.Second, Rate: 2})
	}
	v := newTimelineView(tl)
	if v.Empty {
		t.Fatal("a timeline with requests is empty")
	}
	if bars := strings.Count(v.Bars, "M"); bars != 600 {
		t.Errorf("%d bars, want 600 (buckets of 12 s)", bars)
	}
	if v.Step != "12s" {
		t.Errorf("a bar spans %s, want 12s", v.Step)
	}
	if len(v.Marks) != 72 {
		t.Errorf("%d marks of 429s, want 72", len(v.Marks))
	}
	if len(v.Cuts) != 72 {
		t.Errorf("%d cuts drawn, want 72: one a bar", len(v.Cuts))
	}
	if len(v.CutRows) != maxCutRows || v.More != "and 124 more rate cuts" {
		t.Errorf("%d rows of cuts, then %q", len(v.CutRows), v.More)
	}
	if !strings.HasPrefix(v.Summary, "At most 4 requests/s over 2h 00m (28,800 requests, a bar every 12s); 72 answers 429 in 72 of the 600 bars; 144 rate cuts") {
		t.Errorf("summary %q", v.Summary)
	}
	if last := v.Ticks[len(v.Ticks)-1]; last.Text != "2h" || last.X != "888" {
		t.Errorf("the last tick is %+v, want 2h at the right end", last)
	}
	labelled := 0
	for _, c := range v.Cuts {
		if c.Text != "" {
			labelled++
		}
	}
	if labelled == 0 || labelled > (tlRight-tlLeft)/cutLabelGap+1 {
		t.Errorf("%d cuts labelled: the labels would overlap", labelled)
	}
}

func TestTimelineEmpty(t *testing.T) {
	t.Parallel()
	for _, tl := range []Timeline{
		{},
		{Step: time.Second, Requests: make([]int, 30), Limited: make([]int, 30)},
		{Step: 0, Requests: []int{3}},
	} {
		if v := newTimelineView(tl); !v.Empty {
			t.Errorf("%+v is not empty", tl)
		}
	}
}

// TestBarWidths: each outcome with rows gets a segment, one row among
// thousands too, and the segments fill the bar.
func TestBarWidths(t *testing.T) {
	t.Parallel()
	os := []Outcome{{Label: "sent", Count: 99998}, {Label: "rejected", Count: 1}, {Label: "failed", Count: 0}, {Label: "skipped", Count: 1}}
	total := 100000
	legend := make([]legendItem, len(os))
	for i, o := range os {
		legend[i] = legendItem{Label: o.Label, Count: number(o.Count), Share: percent(o.Count, total)}
	}
	c := newBarChart("m1", "m.yaml", legend, os, colours(os), total)
	if len(c.Segs) != 3 {
		t.Fatalf("%d segments, want 3", len(c.Segs))
	}
	if c.Segs[1].W != "3" || c.Segs[2].W != "3" || c.Segs[0].W != "894" || c.Segs[2].X != "897" {
		t.Errorf("segments %+v", c.Segs)
	}
	if c.Segs[0].Text != "99,998" || c.Segs[1].Text != "" {
		t.Errorf("texts %q, %q: a wide segment shows its count, a narrow one not", c.Segs[0].Text, c.Segs[1].Text)
	}
	if want := "Outcomes of m.yaml, 100,000 rows: sent 99,998, rejected 1, failed 0, skipped 1"; c.Label != want {
		t.Errorf("label %q, want %q", c.Label, want)
	}
}

func TestColours(t *testing.T) {
	t.Parallel()
	got := colours([]Outcome{
		{Label: "created"}, {Label: "updated"}, {Label: "not as sent"}, {Label: "as sent"}, {Label: "Filtered"},
		{Label: "whatever"}, {Label: "skipped"}, {Label: "sent", Tone: ToneFailed},
	})
	want := []string{
		palettes[ToneDone][0], palettes[ToneDone][1], palettes[ToneFailed][0], palettes[ToneDone][2], palettes[ToneLeftOut][0],
		palettes[ToneOther][0], palettes[ToneHeld][0], palettes[ToneFailed][1],
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("colour %d: %s, want %s", i, got[i], want[i])
		}
	}
}
