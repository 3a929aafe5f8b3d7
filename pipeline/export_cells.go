package pipeline

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/stbulk/stbulk/synchroteam"
	"github.com/stbulk/stbulk/writers"
)

// textCell writes an API text as it is.
func textCell(s string) writers.Cell { return writers.TextCell(s) }

// idCell writes an identifier as a number when it is a whole number that
// a spreadsheet holds exactly, as text otherwise.
func idCell(s string) writers.Cell {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 && n < 1e15 && !strings.HasPrefix(s, "0") {
		return writers.NumberCell(float64(n))
	}
	return writers.TextCell(s)
}

// intCell writes an API integer; one that is not a whole number is kept
// as text and reported through warn.
func intCell(i synchroteam.Int, what string, warn func(string)) writers.Cell {
	if i.Invalid() {
		warn(fmt.Sprintf("%s %q is not a whole number: kept as text", what, i.Raw()))
		return writers.TextCell(i.Raw())
	}
	v, ok := i.Int64()
	if !ok {
		return writers.Cell{}
	}
	return writers.NumberCell(float64(v))
}

// numberCell writes an API number; one that cannot be read is kept as text
// and reported through warn, never written as 0.
func numberCell(n synchroteam.Number, what string, warn func(string)) writers.Cell {
	if n.IsZero() {
		return writers.Cell{}
	}
	if f, ok := n.Float64(); ok && !math.IsInf(f, 0) && !math.IsNaN(f) {
		return writers.NumberCell(f)
	}
	warn(fmt.Sprintf("%s %q is not a number: kept as text", what, n.Raw()))
	return writers.TextCell(n.Raw())
}

func timeCell(t synchroteam.Time, kind writers.Kind, what string, warn func(string)) writers.Cell {
	if t.IsZero() {
		return writers.Cell{}
	}
	v, ok := t.Time()
	if !ok {
		warn(fmt.Sprintf("%s %q is not a date: kept as text", what, t.Raw()))
		return writers.TextCell(t.Raw())
	}
	if kind == writers.KindDate {
		return writers.DateCell(v)
	}
	return writers.DateTimeCell(v)
}

// statusCell names a status, or keeps its number when it has no name;
// an unset status is an empty cell. Both are reported.
func statusCell(v synchroteam.Int, name func(int64) string, warn func(string)) writers.Cell {
	if v.Invalid() {
		warn(fmt.Sprintf("status %q is not a number: kept as text", v.Raw()))
		return textCell(v.Raw())
	}
	n, ok := v.Int64()
	if !ok {
		warn("no status")
		return writers.Cell{}
	}
	if s := name(n); s != "" {
		return textCell(s)
	}
	warn(fmt.Sprintf("status %d is not a known status: kept as a number", n))
	return textCell(fmt.Sprint(n))
}

func positionCells(rw row, p *synchroteam.Position, warn func(string)) {
	if p == nil {
		return
	}
	rw["latitude"] = numberCell(p.Latitude, "latitude", warn)
	rw["longitude"] = numberCell(p.Longitude, "longitude", warn)
}

func customCells(rw row, values []synchroteam.CustomFieldValue) {
	for _, v := range values {
		name := v.Name
		if name == "" {
			name = "#" + string(v.ID)
		}
		rw["customFieldValues."+name] = textCell(string(v.Value))
	}
}

func yesNo(b synchroteam.Bool) writers.Cell {
	v, set := b.Value()
	switch {
	case !set:
		return writers.Cell{}
	case v:
		return textCell("yes")
	}
	return textCell("no")
}
