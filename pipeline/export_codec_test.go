package pipeline

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stbulk/stbulk/writers"
)

// TestSpillRoundTrip: a record reads back from the spill file as it was
// written, every kind of cell and time zone included.
func TestSpillRoundTrip(t *testing.T) {
	t.Parallel()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2016, 7, 19, 14, 43, 5, 123, time.UTC)
	for _, r := range []*record{
		{Key: "1", Rows: map[string][]row{}},
		{Key: "job 13473", Files: []string{"p/13473/a.png", "pdf/é.pdf"}, Rows: map[string][]row{
			"Jobs": {{"num": writers.NumberCell(13473), "id": textCell("265_16"), "empty": {},
				"realBegin": writers.DateTimeCell(at), "day": writers.DateCell(at.In(paris)),
				"zone":                         writers.DateTimeCell(at.In(time.FixedZone("", -(3*3600 + 30*60)))),
				"report.Checks / Pressure [1]": textCell("=1+2\x00\xff"), "nan": writers.NumberCell(math.NaN()),
				"inf": writers.MoneyCell(math.Inf(-1)), "rate": writers.PercentCell(0.055),
				"odd": {Kind: 99, Text: "t", Number: -0.5, Time: at}}},
			"Report": {{"num": writers.NumberCell(1)}, {"num": writers.NumberCell(2)}, {}},
		}},
	} {
		b, err := appendRecord(nil, r)
		if err != nil {
			t.Fatal(err)
		}
		rd := spillReader{names: map[string]string{}}
		sp, err := rd.record(b)
		if err != nil {
			t.Fatalf("%s: %v", r.Key, err)
		}
		got := &record{Key: sp.key, Files: sp.files, Rows: map[string][]row{}}
		for sheet, raw := range sp.sheets {
			if got.Rows[sheet], err = rd.rows(raw); err != nil {
				t.Fatalf("%s: sheet %s: %v", r.Key, sheet, err)
			}
		}
		sameTime := cmp.Comparer(func(a, b time.Time) bool {
			return a.Equal(b) && a.Format(time.RFC3339Nano) == b.Format(time.RFC3339Nano)
		})
		if diff := cmp.Diff(r, got, cmp.AllowUnexported(record{}), sameTime, cmp.Comparer(func(a, b float64) bool {
			return a == b || math.IsNaN(a) && math.IsNaN(b)
		})); diff != "" {
			t.Errorf("%s (-written +read):\n%s", r.Key, diff)
		}
	}
}

// FuzzSpillReader: bytes that are not a spilled record are an error, never
// a panic.
func FuzzSpillReader(f *testing.F) {
	r := &record{Key: "7", Files: []string{"a"}, Rows: map[string][]row{"Jobs": {{"n": writers.NumberCell(1),
		"t": writers.DateTimeCell(time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)), "s": textCell("x")}}}}
	b, err := appendRecord(nil, r)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		rd := spillReader{names: map[string]string{}}
		sp, err := rd.record(b)
		if err != nil {
			return
		}
		for _, raw := range sp.sheets {
			_, _ = rd.rows(raw)
		}
	})
}
