package htmlreport

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestReasonKey(t *testing.T) {
	t.Parallel()
	tests := []struct{ reason, want string }{
		{`price (column Prix HT): number: "12,3,4" is not a number`, `price (column Prix HT): number: … is not a number`},
		{`price (column Prix HT): number: "x" is not a number`, `price (column Prix HT): number: … is not a number`},
		{`name (column Nom): required: value is empty`, `name (column Nom): required: value is empty`},
		{`customerMyId (lookup SiteCode="" in sites.csv): required: value is empty`, `customerMyId (lookup SiteCode=… in sites.csv): required: value is empty`},
		{`a "quoted \"escaped\" value" then "another"`, `a … then …`},
		{`typographic “Zoé” and «Brest» values`, `typographic … and … values`},
		{`extraneous or missing " in quoted-field at position 43`, `extraneous or missing " in quoted-field at position 43`},
		{"  spaces\tand\nnew lines  ", "spaces and new lines"},
		{`"x"`, `…`},
		{`ends with a backslash "\`, `ends with a backslash "\`},
		{"", ""},
	}
	for _, tc := range tests {
		if got := ReasonKey(tc.reason); got != tc.want {
			t.Errorf("ReasonKey(%q) = %q, want %q", tc.reason, got, tc.want)
		}
	}
}

func TestGroupReasons(t *testing.T) {
	t.Parallel()
	errs := []RowError{
		{Row: 3, Key: "A", Reason: `name: required: value is empty`},
		{Row: 5, Key: "B", Reason: `price: "12,3,4" is not a number`},
		{Row: 6, Key: "C", Reason: `price: "x" is not a number`},
		{Row: 9, Key: "D", Reason: `price:   "" is not a number`},
		{Row: 12, Key: "E", Reason: `the API said no`},
		{Row: 13, Key: "F", Reason: `name: required: value is empty`},
		{Row: 14, Key: "G", Reason: `price: "1.2.3" is not a number`},
	}
	got := GroupReasons(errs, 2)
	want := []Group{
		{Reason: `price: … is not a number`, First: `price: "12,3,4" is not a number`, Count: 4,
			Examples: []Example{{Row: 5, Key: "B"}, {Row: 6, Key: "C"}}},
		{Reason: `name: required: value is empty`, First: `name: required: value is empty`, Count: 2,
			Examples: []Example{{Row: 3, Key: "A"}, {Row: 13, Key: "F"}}},
		{Reason: `the API said no`, First: `the API said no`, Count: 1, Examples: []Example{{Row: 12, Key: "E"}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
	if got := GroupReasons(nil, 0); len(got) != 0 {
		t.Errorf("no rows gave %d groups", len(got))
	}
}

// TestGrouperBounds: past MaxGroups, the reasons of new groups are
// counted in one group of other reasons; the examples and the texts kept
// are bounded.
func TestGrouperBounds(t *testing.T) {
	t.Parallel()
	g := Grouper{MaxGroups: 3, MaxExamples: 2}
	long := strings.Repeat("é", 5000)
	for i := range 100 {
		g.Add(i+2, long, "reason "+string(rune('a'+i%10))+" "+long)
	}
	gs := g.Groups()
	if len(gs) != 4 {
		t.Fatalf("%d groups, want 3 and the other reasons", len(gs))
	}
	total := 0
	for i, gr := range gs {
		total += gr.Count
		if len(gr.Examples) > 2 {
			t.Errorf("group %d keeps %d examples", i, len(gr.Examples))
		}
		if n := len([]rune(gr.First)); n > maxReason+1 {
			t.Errorf("group %d keeps a reason of %d characters", i, n)
		}
		for _, e := range gr.Examples {
			if n := len([]rune(e.Key)); n > maxKey+1 {
				t.Errorf("group %d keeps a key of %d characters", i, n)
			}
		}
	}
	if total != 100 {
		t.Errorf("%d rows in the groups, want 100", total)
	}
	if o := gs[3]; !o.Other || o.Count != 70 || o.Examples[0].Row != 5 {
		t.Errorf("the other reasons: %+v, want 70 rows from row 5", o)
	}
	// Groups returns copies: adding more does not change them.
	before := gs[0].Examples[0]
	g.Add(1000, "Z", "reason a")
	if gs[0].Examples[0] != before || gs[0].Count != 10 {
		t.Error("the groups returned changed with the grouper")
	}
}

func TestClean(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"plain", 10, "plain"},
		{"0123456789", 10, "0123456789"},
		{"0123456789X", 10, "0123456789…"},
		{"\u202Eevil\u202C", 10, "evil"},
		{"tab\tnl\nnul\x00", 20, "tab nl nul "},
		{"bad \xff byte", 20, "bad \uFFFD byte"},
		{"ééééé", 3, "ééé…"},
		{strings.Repeat("\u202E", 3) + "x", 3, "x"},
		{strings.Repeat("\u202E", 100) + "x", 3, "…"}, // past what is looked at
		{strings.Repeat("a", 1000), 3, "aaa…"},
	}
	for _, tc := range tests {
		if got := clean(tc.in, tc.max); got != tc.want {
			t.Errorf("clean(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}

func TestFormats(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		got, want string
	}{
		{number(0), "0"}, {number(999), "999"}, {number(1000), "1,000"}, {number(-1234567), "-1,234,567"},
		{number(int64(48211)), "48,211"},
		{duration(400 * time.Millisecond), "0.4s"}, {duration(12 * time.Second), "12s"},
		{duration(185 * time.Second), "3m 05s"}, {duration(2*time.Hour + 3*time.Minute + 40*time.Second), "2h 04m"},
		{tick(0), "0"}, {tick(30 * time.Second), "30s"}, {tick(90 * time.Second), "1m30s"}, {tick(2 * time.Hour), "2h"},
		{tick(90 * time.Minute), "1h30m"},
		{rate(5), "5"}, {rate(3.5), "3.5"}, {rate(2.45), "2.45"}, {rate(0.1234), "0.12"}, {rate(12.34), "12.3"}, {rate(150.4), "150"},
		{percent(0, 10), "0%"}, {percent(1, 3), "33.3%"}, {percent(1, 10000), "<0.1%"}, {percent(5, 5), "100%"}, {percent(1, 0), "0%"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	for _, tc := range []struct{ peak, step, top float64 }{
		{0, 1, 1}, {5, 1, 5}, {7, 2, 8}, {0.3, 0.1, 0.3}, {12, 2.5, 12.5}, {48, 10, 50}, {100, 20, 100},
	} {
		step, top := niceScale(tc.peak)
		if diff := cmp.Diff([]float64{tc.step, tc.top}, []float64{step, top}, cmpEpsilon); diff != "" {
			t.Errorf("niceScale(%v) (-want +got):\n%s", tc.peak, diff)
		}
	}
}

var cmpEpsilon = cmp.Comparer(func(a, b float64) bool { d := a - b; return d < 1e-9 && d > -1e-9 })
