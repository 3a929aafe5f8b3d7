package writers_test

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/stbulk/stbulk/readers"
	"github.com/stbulk/stbulk/writers"
)

// trickyCells are values that must come back from an errors file exactly
// as they went in.
var trickyCells = []string{
	"00123",             // leading zeros
	"1,50",              // decimal comma
	"  spaces around  ", // spaces kept
	"Hélène Müller, Ça", // accents, comma
	`say "hi"`,          // quotes
	"two\nlines",        // line break
	"lone\rCR",          // kept: why records end in LF
	"semi;colon|pipe",   // other delimiters
	"tab\there",         // tab
	"",                  // empty
	"=1+2",              // looks like a formula
	"TRUE",              // looks like a boolean
	"1e5",               // looks like a number
	"2026-01-02",        // looks like a date
	"_x0041_",           // looks like an XLSX escape
	"日本語 <b>&amp;</b>",  // other scripts, markup
}

// errorsInput is an input holding _row and _error columns among its own, as
// an errors file imported again does, in places they are not usually in.
func errorsInput() (header []string, rows []readers.Row) {
	header = []string{"_row", "Code"}
	for i := range trickyCells {
		header = append(header, "Col"+strconv.Itoa(i))
	}
	header = append(header, "_error", "Last")
	rows = []readers.Row{
		{Num: 2, Cells: append(append([]string{"99", "C1"}, trickyCells...), "old reason", "end")},
		{Num: 5, Cells: []string{"", "C2"}}, // short: the other cells are empty
		{Num: 1234567, Cells: append(append([]string{"", "C3"}, reversed(trickyCells)...), "", "")},
	}
	return header, rows
}

func reversed(s []string) []string {
	r := make([]string, len(s))
	for i, v := range s {
		r[len(s)-1-i] = v
	}
	return r
}

// wantRecords is what reading an errors file made of errorsInput gives:
// the header, then each row.
func wantRecords(header []string, rows []readers.Row, reasons []string) [][]string {
	var keep []int
	var h []string
	for i, n := range header {
		if n != writers.RowColumn && n != writers.ErrorColumn {
			keep = append(keep, i)
			h = append(h, n)
		}
	}
	out := [][]string{append(h, writers.RowColumn, writers.ErrorColumn)}
	for k, r := range rows {
		var rec []string
		for _, i := range keep {
			v := ""
			if i < len(r.Cells) {
				v = r.Cells[i]
			}
			rec = append(rec, v)
		}
		out = append(out, append(rec, strconv.Itoa(r.Num), reasons[k]))
	}
	return out
}

var reasons = []string{
	"name: required",
	`customer "C2" refused: 400 Bad Request: {"error":"<invalid>"}`,
	"skipped: its customer failed (row 2)\nsecond line, é",
}

// readAll reads a file with readers.Open: the header, then each row's cells.
func readAll(t *testing.T, path string, co readers.CSVOptions, xo readers.XLSXOptions) [][]string {
	t.Helper()
	src, err := readers.Open(path, co, xo)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	out := [][]string{src.Header()}
	for {
		r, err := src.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("reading back: %v", err)
		}
		out = append(out, r.Cells)
	}
}

// layout is the Layout of an input read with co and xo, for the errors
// file path: the options of the format the path has, as the pipeline gives
// them.
func layout(path string, co readers.CSVOptions, xo readers.XLSXOptions) writers.Layout {
	if strings.EqualFold(filepath.Ext(path), ".xlsx") {
		return writers.Layout{HeaderRow: xo.HeaderRow, Sheet: xo.Sheet, SheetIndex: xo.SheetIndex}
	}
	return writers.Layout{HeaderRow: co.HeaderRow, Delimiter: co.Delimiter, Quote: co.Quote}
}

func writeErrors(t *testing.T, path string, header []string, rows []readers.Row, reasons []string, opts ...writers.ErrorsOption) {
	t.Helper()
	e, err := writers.NewErrors(path, header, opts...)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if err := e.Add(r.Num, r.Cells, reasons[i]); err != nil {
			t.Fatal(err)
		}
	}
	if got := e.Count(); got != len(rows) {
		t.Errorf("Count() = %d, want %d", got, len(rows))
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestErrorsReimport writes errors files and reads them back with the
// readers, with the options the input was read with: the same header
// (without the input's _row and _error, added once at the end) and the
// same cells.
func TestErrorsReimport(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		file  string
		write readers.CSVOptions // the input's options, given to ReadableWith as a Layout
		xlsx  readers.XLSXOptions
		read  *readers.CSVOptions // options to read back with, when not write's
		xread *readers.XLSXOptions
	}{
		{name: "csv", file: "errors.csv"},
		{name: "csv semicolon", file: "errors.csv", write: readers.CSVOptions{Delimiter: ';'}},
		{name: "csv semicolon detected", file: "errors.csv", write: readers.CSVOptions{Delimiter: ';'}, read: &readers.CSVOptions{}},
		{name: "csv pipe", file: "errors.csv", write: readers.CSVOptions{Delimiter: '|'}},
		{name: "tsv", file: "errors.tsv"},
		{name: "csv header on line 3", file: "errors.csv", write: readers.CSVOptions{HeaderRow: 3, Delimiter: ';'}},
		{name: "csv windows-1252 forced", file: "errors.csv", write: readers.CSVOptions{Encoding: "windows-1252"}},
		{name: "csv utf-16 forced", file: "errors.csv", write: readers.CSVOptions{Encoding: "utf-16le"}},
		{name: "csv utf-8 forced", file: "errors.csv", write: readers.CSVOptions{Encoding: "utf-8"}},
		{name: "xlsx", file: "errors.xlsx"},
		{name: "xlsx sheet named", file: "errors.xlsx", xlsx: readers.XLSXOptions{Sheet: "Clients 2026"},
			xread: &readers.XLSXOptions{Sheet: "clients 2026"}},
		{name: "xlsx sheet 3", file: "errors.xlsx", xlsx: readers.XLSXOptions{SheetIndex: 3}},
		{name: "xlsx sheet 3 read as the first visible", file: "errors.xlsx", xlsx: readers.XLSXOptions{SheetIndex: 3},
			xread: &readers.XLSXOptions{}},
		{name: "xlsx header on row 4", file: "errors.xlsx", xlsx: readers.XLSXOptions{HeaderRow: 4}},
	}
	header, rows := errorsInput()
	want := wantRecords(header, rows, reasons)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), tt.file)
			writeErrors(t, path, header, rows, reasons, writers.ReadableWith(layout(path, tt.write, tt.xlsx)))
			co, xo := tt.write, tt.xlsx
			if tt.read != nil {
				co = *tt.read
			}
			if tt.xread != nil {
				xo = *tt.xread
			}
			got := readAll(t, path, co, xo)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("read back (-want +got):\n%s", diff)
			}
		})
	}
}

// TestErrorsTwice imports an errors file again, failing every row again:
// the second errors file has the same columns, the same cells, and the row
// numbers of the first.
func TestErrorsTwice(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"errors.csv", "errors.xlsx"} {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			header, rows := errorsInput()
			first := filepath.Join(dir, "1-"+file)
			writeErrors(t, first, header, rows, reasons)

			src, err := readers.Open(first, readers.CSVOptions{}, readers.XLSXOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			second := filepath.Join(dir, "2-"+file)
			e, err := writers.NewErrors(second, src.Header())
			if err != nil {
				t.Fatal(err)
			}
			for {
				r, err := src.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if err := e.Add(r.Num, r.Cells, "again"); err != nil {
					t.Fatal(err)
				}
			}
			if err := e.Close(); err != nil {
				t.Fatal(err)
			}

			want := readAll(t, first, readers.CSVOptions{}, readers.XLSXOptions{})
			got := readAll(t, second, readers.CSVOptions{}, readers.XLSXOptions{})
			if diff := cmp.Diff(want[0], got[0]); diff != "" {
				t.Errorf("header (-first +second):\n%s", diff)
			}
			if len(got) != len(want) {
				t.Fatalf("%d rows, want %d", len(got)-1, len(want)-1)
			}
			for i := 1; i < len(want); i++ {
				w, g := want[i], got[i]
				n := len(w) - 2
				if diff := cmp.Diff(w[:n], g[:n]); diff != "" {
					t.Errorf("row %d cells (-first +second):\n%s", i, diff)
				}
				if g[n+1] != "again" {
					t.Errorf("row %d: _error = %q, want %q", i, g[n+1], "again")
				}
			}
		})
	}
}

func TestErrorsEmpty(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"errors.csv", "errors.xlsx"} {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), file)
			writeErrors(t, path, []string{"Code", "Name"}, nil, nil)
			got := readAll(t, path, readers.CSVOptions{}, readers.XLSXOptions{})
			want := [][]string{{"Code", "Name", "_row", "_error"}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("read back (-want +got):\n%s", diff)
			}
		})
	}
}

// TestErrorsCSVGolden pins the bytes of CSV errors files: byte order mark,
// quoting, LF line ends.
func TestErrorsCSVGolden(t *testing.T) {
	t.Parallel()
	header, rows := errorsInput()
	tests := []struct {
		name   string
		opts   readers.CSVOptions
		header []string
		rows   []readers.Row
	}{
		{name: "errors.golden.csv", header: header, rows: rows},
		{name: "errors-semicolon-row3.golden.csv", opts: readers.CSVOptions{Delimiter: ';', HeaderRow: 3}, header: header, rows: rows},
		{name: "errors-empty.golden.csv", header: []string{"Code", "Name"}},
		{name: "errors-no-header.golden.csv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "errors.csv")
			writeErrors(t, path, tt.header, tt.rows, reasons, writers.ReadableWith(layout(path, tt.opts, readers.XLSXOptions{})))
			golden(t, tt.name, readFile(t, path))
		})
	}
}

// TestErrorsXLSXCells checks the cells of an XLSX errors file: the input's
// and _error are text formatted as Text, _row is a number; the header is
// bold, frozen and filtered, _error wide and wrapped.
func TestErrorsXLSXCells(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "errors.xlsx")
	writeErrors(t, path, []string{"Zip", "Price", "Note"},
		[]readers.Row{{Num: 12, Cells: []string{"00123", "1,50", " x "}}}, []string{"bad"})
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !cmp.Equal(got, []string{writers.ErrorsSheet}) {
		t.Errorf("sheets %q, want %q", got, writers.ErrorsSheet)
	}
	type cell struct {
		Value string
		Type  excelize.CellType
		Text  bool // formatted as Text (@)
		Bold  bool
		Wrap  bool
	}
	text := excelize.CellTypeInlineString
	want := map[string]cell{
		"A1": {"Zip", text, true, true, false}, "D1": {"_row", text, true, true, false}, "E1": {"_error", text, true, true, false},
		"A2": {"00123", text, true, false, false}, "B2": {"1,50", text, true, false, false}, "C2": {" x ", text, true, false, false},
		"D2": {"12", excelize.CellTypeUnset, false, false, false}, "E2": {"bad", text, true, false, true},
	}
	got := map[string]cell{}
	for ref := range want {
		v, err := f.GetCellValue(writers.ErrorsSheet, ref)
		if err != nil {
			t.Fatal(err)
		}
		typ, err := f.GetCellType(writers.ErrorsSheet, ref)
		if err != nil {
			t.Fatal(err)
		}
		id, err := f.GetCellStyle(writers.ErrorsSheet, ref)
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		got[ref] = cell{v, typ, st.NumFmt == 49, st.Font != nil && st.Font.Bold, st.Alignment != nil && st.Alignment.WrapText}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cells (-want +got):\n%s", diff)
	}
	panes, err := f.GetPanes(writers.ErrorsSheet)
	if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("panes %+v, %v: want the header frozen", panes, err)
	}
	for col, want := range map[string]float64{"A": 10, "D": 8, "E": 80} {
		if w, err := f.GetColWidth(writers.ErrorsSheet, col); err != nil || w != want {
			t.Errorf("column %s: width %v, %v; want %v", col, w, err, want)
		}
	}
	raw := sheetXML(t, path)
	if !strings.Contains(raw, `<autoFilter ref="$A$1:$E$2"`) {
		t.Errorf("no autofilter over A1:E2 in the sheet:\n%.600s", raw)
	}
}

// sheetXML returns the XML of a workbook's first worksheet.
func sheetXML(t *testing.T, path string) string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name == "xl/worksheets/sheet1.xml" {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			b, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
	t.Fatalf("%s: no sheet1.xml", path)
	return ""
}

func TestErrorsFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		file string
		opts readers.CSVOptions
		xlsx readers.XLSXOptions
		want string
	}{
		{name: "unknown type", file: "errors.json", want: `unknown file type ".json"`},
		{name: "quote as delimiter", file: "errors.csv", opts: readers.CSVOptions{Delimiter: '"'}, want: "cannot be a delimiter"},
		{name: "other quote", file: "errors.csv", opts: readers.CSVOptions{Quote: '\''}, want: "not supported"},
		{name: "negative header row", file: "errors.csv", opts: readers.CSVOptions{HeaderRow: -1}, want: "header row -1"},
		{name: "sheet name and index", file: "errors.xlsx", xlsx: readers.XLSXOptions{Sheet: "A", SheetIndex: 2}, want: "not both"},
		{name: "bad sheet name", file: "errors.xlsx", xlsx: readers.XLSXOptions{Sheet: "a/b"}, want: `sheet "a/b"`},
		{name: "sheet index too large", file: "errors.xlsx", xlsx: readers.XLSXOptions{SheetIndex: 1000}, want: "sheet index 1000"},
		{name: "header row past the sheet", file: "errors.xlsx", xlsx: readers.XLSXOptions{HeaderRow: excelize.TotalRows + 1}, want: "header row"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), tt.file)
			_, err := writers.NewErrors(path, []string{"A"}, writers.ReadableWith(layout(path, tt.opts, tt.xlsx)))
			if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error naming %s and saying %q", err, path, tt.want)
			}
			if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s was left behind: %v", path, err)
			}
		})
	}
}

func TestErrorsAddFailures(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"errors.csv", "errors.xlsx"} {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), file)
			e, err := writers.NewErrors(path, []string{"A", "B"})
			if err != nil {
				t.Fatal(err)
			}
			err = e.Add(7, []string{"1", "2", "3"}, "x")
			if want := path + ": row 7 has 3 cells, but the header has 2 columns"; err == nil || err.Error() != want {
				t.Errorf("too many cells: got %v, want %q", err, want)
			}
			for _, num := range []int{0, -1} {
				err = e.Add(num, []string{"1", "2"}, "x")
				if want := path + ": row number " + itoa(num) + ": reports need the source row number"; err == nil || err.Error() != want {
					t.Errorf("row %d: got %v, want %q", num, err, want)
				}
			}
			if err := e.Close(); err != nil {
				t.Fatal(err)
			}
			if file == "errors.csv" {
				data, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if want := "\uFEFF" + "A,B,_row,_error\n"; string(data) != want {
					t.Errorf("file = %q, want only the header %q", data, want)
				}
			}
			err = e.Add(8, []string{"1"}, "x")
			if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "closed") {
				t.Errorf("after Close: got %v, want an error naming %s", err, path)
			}
			if e.Count() != 0 {
				t.Errorf("Count() = %d, want 0", e.Count())
			}
		})
	}
}

// BenchmarkErrorsCSV writes rows of 12 cells to a CSV errors file.
func BenchmarkErrorsCSV(b *testing.B) {
	header := make([]string, 12)
	cells := make([]string, 12)
	for i := range header {
		header[i] = fmt.Sprintf("Column %d", i)
		cells[i] = fmt.Sprintf("value %d, é", i)
	}
	cells[3] = "two\nlines"
	e, err := writers.NewErrors(filepath.Join(b.TempDir(), "errors.csv"), header)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n++
		if err := e.Add(n+1, cells, "name: required"); err != nil {
			b.Fatal(err)
		}
	}
	if err := e.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "rows/s")
}

func itoa(n int) string { return strconv.Itoa(n) }
