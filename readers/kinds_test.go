package readers

import (
	"errors"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

// kindsWorkbook holds one row of each kind of cell, and the kind each
// should read as.
func kindsWorkbook(t *testing.T) (string, []string, []CellKind) {
	f := excelize.NewFile()
	defer func() { _ = f.Close() }()
	const s = "Sheet1"
	date := newStyle(t, f, &excelize.Style{NumFmt: 14})
	dateTime := newStyle(t, f, &excelize.Style{NumFmt: 22})
	clock := newStyle(t, f, &excelize.Style{NumFmt: 21})
	zip := newStyle(t, f, &excelize.Style{CustomNumFmt: strPtr("00000")})
	euro := newStyle(t, f, &excelize.Style{CustomNumFmt: strPtr(`#,##0.00\ "€"`)})
	duration := newStyle(t, f, &excelize.Style{NumFmt: 46})
	type cell struct {
		v     any
		style int
		text  string
		kind  CellKind
	}
	cells := []cell{
		{42, 0, "42", CellNumber},
		{1.5, 0, "1.5", CellNumber},
		{-0.25, euro, "-0.25", CellNumber},
		{"00123", 0, "00123", CellText},
		{"12", 0, "12", CellText},
		{123, zip, "00123", CellText},
		{true, 0, "TRUE", CellBool},
		{false, 0, "FALSE", CellBool},
		{time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC), date, "2024-03-05", CellDate},
		{time.Date(2024, 3, 5, 14, 30, 0, 0, time.UTC), dateTime, "2024-03-05 14:30:00", CellDateTime},
		{0.5, clock, "12:00:00", CellTime},
		{1.5, duration, "36:00:00", CellText},
		{20, date, "1900-01-20", CellText},                              // before Excel's 1900-02-29
		{1.2345678901234567e20, 0, "123456789012345000000", CellNumber}, // cut to 15 digits
		{"text", 0, "text", CellText},
	}
	header := make([]any, len(cells))
	row := make([]any, len(cells))
	var want []string
	var kinds []CellKind
	for i, c := range cells {
		header[i] = "c" + string(rune('A'+i))
		row[i] = c.v
		want = append(want, c.text)
		kinds = append(kinds, c.kind)
	}
	must(t, f.SetSheetRow(s, "A1", &header))
	must(t, f.SetSheetRow(s, "A2", &row))
	for i, c := range cells {
		if c.style != 0 {
			name, _ := excelize.CoordinatesToCellName(i+1, 2)
			must(t, f.SetCellStyle(s, name, name, c.style))
		}
	}
	must(t, f.SetSheetRow(s, "A3", &[]any{"x"}))
	path := filepath.Join(t.TempDir(), "kinds.xlsx")
	must(t, f.SaveAs(path))
	return path, want, kinds
}

func TestXLSXCellKinds(t *testing.T) {
	path, want, kinds := kindsWorkbook(t)
	src, err := OpenXLSX(path, XLSXOptions{CellKinds: true})
	must(t, err)
	defer func() { _ = src.Close() }()
	row, err := src.Next()
	must(t, err)
	if d := cmp.Diff(want, row.Cells); d != "" {
		t.Errorf("cells (-want +got):\n%s", d)
	}
	if d := cmp.Diff(kinds, row.Kinds); d != "" {
		t.Errorf("kinds (-want +got):\n%s", d)
	}
	row, err = src.Next()
	must(t, err)
	wantKinds := make([]CellKind, len(kinds)) // a short row: the missing cells are text
	if d := cmp.Diff(wantKinds, row.Kinds); d != "" {
		t.Errorf("short row's kinds (-want +got):\n%s", d)
	}
	if _, err := src.Next(); !errors.Is(err, io.EOF) {
		t.Fatalf("want EOF, got %v", err)
	}

	plain, err := OpenXLSX(path, XLSXOptions{})
	must(t, err)
	defer func() { _ = plain.Close() }()
	row, err = plain.Next()
	must(t, err)
	if row.Kinds != nil {
		t.Errorf("kinds %v, not asked for", row.Kinds)
	}
	if d := cmp.Diff(want, row.Cells); d != "" {
		t.Errorf("cells without kinds (-want +got):\n%s", d)
	}
}

func TestPlainDecimal(t *testing.T) {
	for s, want := range map[string]bool{
		"0": true, "42": true, "-1.5": true, "0.1": true, "123456789012346000000": true,
		"1.50": false, "007": false, "1E+20": false, "+1": false, "NaN": false, "Inf": false, "": false, "1,5": false,
	} {
		if got := plainDecimal(s); got != want {
			t.Errorf("plainDecimal(%q) = %v, want %v", s, got, want)
		}
	}
}
