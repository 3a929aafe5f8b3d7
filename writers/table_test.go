package writers

import (
	"archive/zip"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

var paris = func() *time.Location {
	l, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.FixedZone("CEST", 2*3600)
	}
	return l
}()

// day returns midnight of a day in loc.
func day(y int, m time.Month, d int, loc *time.Location) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// tableSheet is one sheet to write.
type tableSheet struct {
	name string
	cols []Column
	rows [][]Cell
}

// writeTable writes sheets to path and closes the workbook.
func writeTable(t *testing.T, path string, f TableFormat, sheets []tableSheet) *Workbook {
	t.Helper()
	w, err := CreateWorkbook(path, f)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	for _, sh := range sheets {
		s, err := w.Sheet(sh.name, sh.cols)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range sh.rows {
			if err := s.Write(r); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w
}

// openXLSX opens an XLSX file for the test.
func openXLSX(t *testing.T, path string) *excelize.File {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

// zipEntry returns a file of a zip archive.
func zipEntry(t *testing.T, path, name string) []byte {
	t.Helper()
	z, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	r, err := z.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// worksheetXML is the part of a worksheet the tests look at.
type worksheetXML struct {
	Cols []struct {
		Min   int     `xml:"min,attr"`
		Max   int     `xml:"max,attr"`
		Width float64 `xml:"width,attr"`
	} `xml:"cols>col"`
	AutoFilter *struct {
		Ref string `xml:"ref,attr"`
	} `xml:"autoFilter"`
}

func readWorksheet(t *testing.T, path string, n int) worksheetXML {
	t.Helper()
	var ws worksheetXML
	if err := xml.Unmarshal(zipEntry(t, path, "xl/worksheets/sheet"+strconv.Itoa(n)+".xml"), &ws); err != nil {
		t.Fatal(err)
	}
	return ws
}

// listDir returns the names of the files in dir.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// readCSV reads a CSV file written without a byte order mark.
func readCSV(t *testing.T, path string, comma rune) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = comma
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

var invoiceSheets = []tableSheet{
	{
		name: "Invoices",
		cols: []Column{{"num", KindText}, {"total", KindNumber}, {"due", KindDate}, {"sent", KindDateTime}},
		rows: [][]Cell{
			{TextCell("INV-1"), NumberCell(213.65), DateCell(day(2018, 5, 2, time.UTC)), DateTimeCell(time.Date(2018, 5, 2, 13, 45, 0, 0, paris))},
			// A date late in the evening in Paris is still that day: no
			// conversion to UTC.
			{TextCell("INV-2"), NumberCell(100), DateCell(time.Date(2018, 5, 3, 23, 30, 0, 0, paris))},
		},
	},
	{
		name: "Lines",
		cols: []Column{{"qty", KindNumber}, {"price", KindNumber}},
		rows: [][]Cell{{NumberCell(8.5), NumberCell(139.4)}},
	},
}

func TestWorkbookXLSX(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "export.xlsx")
	w := writeTable(t, path, TableFormat{}, invoiceSheets)
	if diff := cmp.Diff([]string{path}, w.Files()); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	f := openXLSX(t, path)
	if diff := cmp.Diff([]string{"Invoices", "Lines"}, f.GetSheetList()); diff != "" {
		t.Fatalf("sheets (-want +got):\n%s", diff)
	}

	// Cells: the type (a stream writer leaves t unset on a numeric cell,
	// which SpreadsheetML reads as a number), the raw value, the value as
	// the cell's number format shows it.
	cells := []struct {
		sheet, ref string
		typ        excelize.CellType
		raw, shown string
	}{
		{"Invoices", "A1", excelize.CellTypeInlineString, "num", "num"},
		{"Invoices", "A2", excelize.CellTypeInlineString, "INV-1", "INV-1"},
		{"Invoices", "B2", excelize.CellTypeUnset, "213.65", "213.65"},
		{"Invoices", "C2", excelize.CellTypeUnset, "43222", "2018-05-02"},
		{"Invoices", "D2", excelize.CellTypeUnset, strconv.FormatFloat(43222+(13*60+45)/1440.0, 'f', -1, 64), "2018-05-02 13:45"},
		{"Invoices", "B3", excelize.CellTypeUnset, "100", "100"},
		{"Invoices", "C3", excelize.CellTypeUnset, "43223", "2018-05-03"},
		{"Lines", "A2", excelize.CellTypeUnset, "8.5", "8.5"},
		{"Lines", "B2", excelize.CellTypeUnset, "139.4", "139.4"},
	}
	for _, c := range cells {
		typ, err := f.GetCellType(c.sheet, c.ref)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := f.GetCellValue(c.sheet, c.ref, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		shown, err := f.GetCellValue(c.sheet, c.ref)
		if err != nil {
			t.Fatal(err)
		}
		if typ != c.typ || raw != c.raw || shown != c.shown {
			t.Errorf("%s!%s: type %v, raw %q, shown %q; want type %v, raw %q, shown %q", c.sheet, c.ref, typ, raw, shown, c.typ, c.raw, c.shown)
		}
	}
	if v, _ := f.GetCellValue("Invoices", "D3"); v != "" {
		t.Errorf("Invoices!D3 = %q, want an empty cell", v)
	}

	// Styles: bold headers, date formats.
	formats := []struct {
		sheet, ref string
		bold       bool
		format     string
	}{
		{"Invoices", "A1", true, ""},
		{"Invoices", "D1", true, ""},
		{"Lines", "B1", true, ""},
		{"Invoices", "A2", false, ""},
		{"Invoices", "C2", false, "yyyy-mm-dd"},
		{"Invoices", "D2", false, "yyyy-mm-dd hh:mm"},
	}
	for _, c := range formats {
		id, err := f.GetCellStyle(c.sheet, c.ref)
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		bold := st.Font != nil && st.Font.Bold
		format := ""
		if st.CustomNumFmt != nil {
			format = *st.CustomNumFmt
		}
		if bold != c.bold || format != c.format {
			t.Errorf("%s!%s: bold %v, number format %q; want bold %v, format %q", c.sheet, c.ref, bold, format, c.bold, c.format)
		}
	}

	for i, sheet := range []struct {
		name       string
		cols       int
		autoFilter string
	}{
		{"Invoices", 4, "$A$1:$D$3"},
		{"Lines", 2, "$A$1:$B$2"},
	} {
		panes, err := f.GetPanes(sheet.name)
		if err != nil {
			t.Fatal(err)
		}
		if !panes.Freeze || panes.YSplit != 1 || panes.XSplit != 0 || panes.TopLeftCell != "A2" {
			t.Errorf("%s: panes %+v, want the first row frozen", sheet.name, panes)
		}
		ws := readWorksheet(t, path, i+1)
		if ws.AutoFilter == nil || ws.AutoFilter.Ref != sheet.autoFilter {
			t.Errorf("%s: autofilter %+v, want %s", sheet.name, ws.AutoFilter, sheet.autoFilter)
		}
		if len(ws.Cols) != sheet.cols {
			t.Errorf("%s: %d column widths, want %d", sheet.name, len(ws.Cols), sheet.cols)
		}
		for k, c := range ws.Cols {
			if c.Min != k+1 || c.Max != k+1 {
				t.Errorf("%s: <col> %d is min %d max %d: columns must be in order", sheet.name, k, c.Min, c.Max)
			}
			if c.Width < minColWidth || c.Width > maxColWidth {
				t.Errorf("%s: column %d width %v, want %d to %d", sheet.name, k+1, c.Width, minColWidth, maxColWidth)
			}
		}
	}
	if w, _ := f.GetColWidth("Invoices", "D"); w < float64(dateTimeWidth) {
		t.Errorf("the date-time column is %v wide: too narrow for %d characters", w, dateTimeWidth)
	}
	names, err := f.GetDefinedName(), error(nil)
	if err != nil || len(names) != 2 {
		t.Errorf("defined names %+v: want one filter range a sheet", names)
	}
}

// Column widths follow the header and the cells, within [8, 60]; rows after
// the first 200 do not count, but are written all the same.
func TestTableWidths(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "w.xlsx")
	cols := []Column{{"a", KindText}, {"a header of some length", KindText}, {"c", KindText}, {"d", KindDate}, {"e", KindNumber}}
	var rows [][]Cell
	for i := range 250 {
		text := "x"
		if i == 10 {
			text = strings.Repeat("y", 100)
		}
		c := "short"
		if i == 220 { // past the rows measured
			c = strings.Repeat("z", 40)
		}
		rows = append(rows, []Cell{TextCell("ab"), TextCell(text), TextCell(c), DateCell(day(2020, 1, 2, time.UTC)), NumberCell(float64(i) + 0.25)})
	}
	rows[3][0] = TextCell("line one\nline two, longer")
	writeTable(t, path, TableFormat{}, []tableSheet{{"S", cols, rows}})
	f := openXLSX(t, path)
	want := map[string]float64{
		"A": float64(len("line two, longer") + cellPadding),
		"B": maxColWidth,
		"C": minColWidth,
		"D": float64(dateWidth + cellPadding),
		"E": minColWidth,
	}
	for col, w := range want {
		got, err := f.GetColWidth("S", col)
		if err != nil {
			t.Fatal(err)
		}
		if got != w {
			t.Errorf("column %s: width %v, want %v", col, got, w)
		}
	}
	for _, c := range []struct{ ref, want string }{
		{"C222", strings.Repeat("z", 40)},
		{"E251", "249.25"},
		{"A5", "line one\nline two, longer"},
	} {
		if v, _ := f.GetCellValue("S", c.ref); v != c.want {
			t.Errorf("%s = %q, want %q", c.ref, v, c.want)
		}
	}
	if ws := readWorksheet(t, path, 1); ws.AutoFilter == nil || ws.AutoFilter.Ref != "$A$1:$E$251" {
		t.Errorf("autofilter %+v, want $A$1:$E$251", ws.AutoFilter)
	}
}

// injectionTests are texts a spreadsheet could run as formulas, and what
// CSV holds in their place (XLSX keeps the text, with quotePrefix).
var injectionTests = []struct {
	in   Cell
	want string
}{
	{TextCell(`=HYPERLINK("http://x")`), `'=HYPERLINK("http://x")`},
	{TextCell("+1"), "'+1"},
	{TextCell("-2"), "'-2"},
	{TextCell("@SUM(A1)"), "'@SUM(A1)"},
	{TextCell("\tx"), "'\tx"},
	{TextCell("\rx"), "'\rx"},
	{TextCell("=1+1"), "'=1+1"},
	{TextCell("a=b"), "a=b"},
	{TextCell(" =1"), "' =1"},
	{TextCell("  +1"), "'  +1"},
	{TextCell("\n-2"), "'\n-2"},
	{TextCell(" \t@SUM(A1)"), "' \t@SUM(A1)"},
	{TextCell("\u00a0=1"), "'\u00a0=1"},
	{TextCell("\uff1d1+1"), "'\uff1d1+1"},
	{TextCell("\uff0b1"), "'\uff0b1"},
	{TextCell("\uff0d2"), "'\uff0d2"},
	{TextCell("\uff20SUM(A1)"), "'\uff20SUM(A1)"},
	{TextCell(" \uff1d1"), "' \uff1d1"},
	{TextCell(" a=1"), " a=1"},
	{TextCell("   "), "   "},
	{TextCell("a\uff1d1"), "a\uff1d1"},
	{TextCell("'quoted"), "'quoted"},
	{NumberCell(-5), "-5"},
	{NumberCell(math.Inf(1)), "'+Inf"},
	{NumberCell(math.Inf(-1)), "'-Inf"},
	{NumberCell(math.NaN()), "NaN"},
}

func TestTableInjection(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cols := []Column{{"=cmd|' /C calc'!A0", KindText}}
	var rows [][]Cell
	for _, c := range injectionTests {
		rows = append(rows, []Cell{c.in})
	}
	sheets := []tableSheet{{"Data", cols, rows}}

	t.Run("xlsx", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(dir, "i.xlsx")
		writeTable(t, path, TableFormat{}, sheets)
		f := openXLSX(t, path)
		check := func(ref string, in Cell, want string) {
			t.Helper()
			v, err := f.GetCellValue("Data", ref, excelize.Options{RawCellValue: true})
			if err != nil {
				t.Fatal(err)
			}
			formula, err := f.GetCellFormula("Data", ref)
			if err != nil {
				t.Fatal(err)
			}
			typ, err := f.GetCellType("Data", ref)
			if err != nil {
				t.Fatal(err)
			}
			wantType := excelize.CellTypeInlineString
			if in.Kind == KindNumber && !math.IsNaN(in.Number) && !math.IsInf(in.Number, 0) {
				wantType = excelize.CellTypeUnset // a number
			}
			// XLSX keeps the text as it is and marks its cell
			// quotePrefix; CSV's quote is not part of it.
			wantText := strings.TrimPrefix(want, "'")
			if in.Kind == KindText && in.Text == "'quoted" {
				wantText = want
			}
			quoted := wantType != excelize.CellTypeUnset && want != wantText
			if v != wantText || formula != "" || typ != wantType {
				t.Errorf("%s (%#v): %q, formula %q, type %v; want %q, no formula, type %v", ref, in, v, formula, typ, wantText, wantType)
			}
			id, err := f.GetCellStyle("Data", ref)
			if err != nil {
				t.Fatal(err)
			}
			xf := f.Styles.CellXfs.Xf[id]
			if got := xf.QuotePrefix != nil && *xf.QuotePrefix; got != quoted {
				t.Errorf("%s (%#v): quotePrefix %v, want %v", ref, in, got, quoted)
			}
		}
		check("A1", TextCell(cols[0].Header), "'"+cols[0].Header)
		for i, c := range injectionTests {
			check("A"+strconv.Itoa(i+2), c.in, c.want)
		}
	})

	t.Run("csv", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(dir, "i.csv")
		writeTable(t, path, TableFormat{CSV: true}, sheets)
		want := [][]string{{"'" + cols[0].Header}}
		for _, c := range injectionTests {
			want = append(want, []string{c.want})
		}
		if diff := cmp.Diff(want, readCSV(t, path, ',')); diff != "" {
			t.Errorf("records (-want +got):\n%s", diff)
		}
	})
}

func TestTableCSVGolden(t *testing.T) {
	t.Parallel()
	cols := []Column{{"num", KindText}, {"total", KindNumber}, {"due", KindDate}, {"sent", KindDateTime}, {"note", KindText}}
	rows := [][]Cell{
		{TextCell("INV-1"), NumberCell(213.65), DateCell(day(2018, 5, 2, time.UTC)), DateTimeCell(time.Date(2018, 5, 2, 13, 45, 7, 0, paris)), TextCell("Évry; \"centre\"")},
		{TextCell("INV-2"), NumberCell(-5), DateCell(time.Date(2018, 5, 3, 23, 30, 0, 0, paris)), {}, TextCell("-5")},
		{TextCell("INV-3"), NumberCell(1e21), DateCell(time.Time{})},
		{TextCell("a\nb"), NumberCell(0.1)},
	}
	tests := []struct {
		name   string
		format TableFormat
		want   string
	}{
		{
			name:   "french",
			format: TableFormat{CSV: true, Delimiter: ';', Decimal: ',', BOM: true, DateLayout: "02/01/2006", DateTimeLayout: "02/01/2006 15:04"},
			want: "\uFEFFnum;total;due;sent;note\n" +
				"INV-1;213,65;02/05/2018;02/05/2018 13:45;\"Évry; \"\"centre\"\"\"\n" +
				"INV-2;-5;03/05/2018;;'-5\n" +
				"INV-3;1000000000000000000000;;;\n" +
				"\"a\nb\";0,1;;;\n",
		},
		{
			name: "formatters",
			format: TableFormat{CSV: true, DateLayout: "ignored", DateTimeLayout: "ignored",
				FormatDate:     func(t time.Time) string { return t.Format("2/1/2006 15h") },
				FormatDateTime: func(t time.Time) string { return "-" + t.Format(time.Kitchen) }},
			want: "num,total,due,sent,note\n" +
				"INV-1,213.65,2/5/2018 00h,'-1:45PM,\"Évry; \"\"centre\"\"\"\n" +
				"INV-2,-5,3/5/2018 00h,,'-5\n" +
				"INV-3,1000000000000000000000,,,\n" +
				"\"a\nb\",0.1,,,\n",
		},
		{
			name:   "defaults",
			format: TableFormat{CSV: true},
			want: "num,total,due,sent,note\n" +
				"INV-1,213.65,2018-05-02,2018-05-02 13:45:07,\"Évry; \"\"centre\"\"\"\n" +
				"INV-2,-5,2018-05-03,,'-5\n" +
				"INV-3,1000000000000000000000,,,\n" +
				"\"a\nb\",0.1,,,\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "out.csv")
			writeTable(t, path, tt.format, []tableSheet{{"Invoices", cols, rows}})
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("file (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTableCSVFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "Export.CSV")
	one := []Column{{"h", KindText}}
	names := []string{"Invoices", "Job Lines", "job  lines!", "", "Écoles/Été: 2024", "../../etc/passwd", strings.Repeat("long", 20)}
	var sheets []tableSheet
	for i, n := range names {
		sheets = append(sheets, tableSheet{n, one, [][]Cell{{TextCell(strconv.Itoa(i))}}})
	}
	w := writeTable(t, path, TableFormat{CSV: true}, sheets)
	wantNames := []string{"Export.CSV", "Export-job-lines.csv", "Export-job-lines-2.csv", "Export-sheet4.csv",
		"Export-écoles-été-2024.csv", "Export-etc-passwd.csv", "Export-" + strings.Repeat("long", 12) + "lo.csv"}
	var want []string
	for _, n := range wantNames {
		want = append(want, filepath.Join(dir, n))
	}
	if diff := cmp.Diff(want, w.Files()); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	slices.Sort(wantNames)
	if diff := cmp.Diff(wantNames, listDir(t, dir)); diff != "" {
		t.Errorf("folder (-want +got):\n%s", diff)
	}
	for i, p := range want {
		if diff := cmp.Diff([][]string{{"h"}, {strconv.Itoa(i)}}, readCSV(t, p, ',')); diff != "" {
			t.Errorf("%s (-want +got):\n%s", p, diff)
		}
	}
}

func TestTableFormatRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		format TableFormat
		want   string
	}{
		{"decimal is the default delimiter", TableFormat{CSV: true, Decimal: ','}, "both ','"},
		{"decimal is the delimiter", TableFormat{CSV: true, Delimiter: ';', Decimal: ';'}, "both ';'"},
		{"quote delimiter", TableFormat{CSV: true, Delimiter: '"'}, "delimiter"},
		{"newline delimiter", TableFormat{CSV: true, Delimiter: '\n'}, "delimiter"},
		{"digit decimal", TableFormat{CSV: true, Decimal: '0'}, "decimal separator"},
		{"invalid rune", TableFormat{CSV: true, Decimal: -1}, "decimal separator"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "x.csv")
			_, err := CreateWorkbook(path, tt.format)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("error %v, want one naming %s and saying %q", err, path, tt.want)
			}
			if names := listDir(t, dir); len(names) != 0 {
				t.Errorf("files left: %v", names)
			}
		})
	}
	// The CSV fields do not matter to XLSX.
	w, err := CreateWorkbook(filepath.Join(t.TempDir(), "x.xlsx"), TableFormat{Decimal: ','})
	if err != nil {
		t.Fatal(err)
	}
	w.Abort()
	if _, err := CreateWorkbook(filepath.Join(t.TempDir(), "missing", "x.xlsx"), TableFormat{}); err == nil || !strings.Contains(err.Error(), "x.xlsx") {
		t.Errorf("no folder: error %v, want one naming the file", err)
	}
}

// An export goes to temporary files that Close renames into place: Abort
// leaves the former files as they were and no temporary file behind.
func TestTableAtomic(t *testing.T) {
	t.Parallel()
	for _, format := range []TableFormat{{}, {CSV: true}} {
		name := "xlsx"
		if format.CSV {
			name = "csv"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "export."+name)
			second := filepath.Join(dir, "export-lines.csv")
			old := map[string]string{path: "old export", second: "old lines"}
			if !format.CSV {
				delete(old, second)
			}
			for p, s := range old {
				if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			keep := listDir(t, dir)
			checkOld := func(when string) {
				t.Helper()
				for p, s := range old {
					if b, err := os.ReadFile(p); err != nil || string(b) != s {
						t.Errorf("%s: %s holds %q (%v), want %q", when, p, b, err, s)
					}
				}
				if diff := cmp.Diff(keep, listDir(t, dir)); diff != "" {
					t.Errorf("%s: folder (-want +got):\n%s", when, diff)
				}
			}
			start := func() *Workbook {
				t.Helper()
				w, err := CreateWorkbook(path, format)
				if err != nil {
					t.Fatal(err)
				}
				for _, sh := range invoiceSheets {
					s, err := w.Sheet(sh.name, sh.cols)
					if err != nil {
						t.Fatal(err)
					}
					for _, r := range sh.rows {
						if err := s.Write(r); err != nil {
							t.Fatal(err)
						}
					}
				}
				return w
			}

			w := start()
			w.Abort()
			checkOld("after Abort")
			w.Abort()
			if err := w.Close(); err == nil {
				t.Error("Close after Abort: no error")
			}
			if w.Files() != nil {
				t.Errorf("files after Abort: %v", w.Files())
			}
			checkOld("after Close after Abort")

			// A failed Write (too many cells) leaves the workbook usable.
			w = start()
			s, err := w.Sheet("More", []Column{{"a", KindText}})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Write([]Cell{TextCell("1"), TextCell("2")}); err == nil {
				t.Error("two cells in one column: no error")
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			w.Abort() // does nothing after Close
			if err := w.Close(); err == nil {
				t.Error("second Close: no error")
			}
			if err := s.Write(nil); err == nil {
				t.Error("Write after Close: no error")
			}
			want := []string{path}
			if format.CSV {
				want = append(want, second, filepath.Join(dir, "export-more.csv"))
			}
			if diff := cmp.Diff(want, w.Files()); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
			var wantNames []string
			for _, p := range want {
				wantNames = append(wantNames, filepath.Base(p))
				fi, err := os.Stat(p)
				if err != nil {
					t.Fatal(err)
				}
				if fi.Mode().Perm() != 0o644 {
					t.Errorf("%s: mode %v, want 0644", p, fi.Mode())
				}
			}
			slices.Sort(wantNames)
			if diff := cmp.Diff(wantNames, listDir(t, dir)); diff != "" {
				t.Errorf("folder after Close (-want +got):\n%s", diff)
			}
			if format.CSV {
				if got := readCSV(t, second, ','); len(got) != 2 || got[1][0] != "8.5" {
					t.Errorf("%s: %q, want the new lines", second, got)
				}
			} else {
				f := openXLSX(t, path)
				if diff := cmp.Diff([]string{"Invoices", "Lines", "More"}, f.GetSheetList()); diff != "" {
					t.Errorf("sheets (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// A Close that fails removes the temporary files.
func TestTableCloseFails(t *testing.T) {
	t.Parallel()
	for _, format := range []TableFormat{{}, {CSV: true}} {
		dir := t.TempDir()
		path := filepath.Join(dir, "taken")
		// A folder holding a file cannot be replaced by a file.
		if err := os.MkdirAll(filepath.Join(path, "inside"), 0o755); err != nil {
			t.Fatal(err)
		}
		w, err := CreateWorkbook(path, format)
		if err != nil {
			t.Fatal(err)
		}
		s, err := w.Sheet("S", []Column{{"a", KindText}})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Write([]Cell{TextCell("x")}); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("csv %v: Close: error %v, want one naming %s", format.CSV, err, path)
		}
		if diff := cmp.Diff([]string{"taken"}, listDir(t, dir)); diff != "" {
			t.Errorf("csv %v: folder (-want +got):\n%s", format.CSV, diff)
		}
		if w.Files() != nil {
			t.Errorf("csv %v: files %v after a failed Close", format.CSV, w.Files())
		}
		w.Abort()
	}
}

func TestTableTooManyCells(t *testing.T) {
	t.Parallel()
	for _, format := range []TableFormat{{}, {CSV: true}} {
		dir := t.TempDir()
		path := filepath.Join(dir, "t.out")
		w, err := CreateWorkbook(path, format)
		if err != nil {
			t.Fatal(err)
		}
		s, err := w.Sheet("Jobs", []Column{{"a", KindText}, {"b", KindNumber}})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Write([]Cell{TextCell("x")}); err != nil { // padded
			t.Fatal(err)
		}
		err = s.Write([]Cell{TextCell("x"), NumberCell(1), TextCell("extra")})
		if err == nil {
			t.Fatalf("csv %v: 3 cells in 2 columns: no error", format.CSV)
		}
		for _, part := range []string{path, `sheet "Jobs"`, "row 3", "3 cells", "2 columns"} {
			if !strings.Contains(err.Error(), part) {
				t.Errorf("csv %v: error %q does not say %q", format.CSV, err, part)
			}
		}
		if err := s.Write([]Cell{TextCell("y"), NumberCell(2)}); err != nil {
			t.Fatal(err)
		}
		next, err := w.Sheet("Next", nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Write(nil); err == nil || !strings.Contains(err.Error(), "Jobs") {
			t.Errorf("csv %v: Write to a finished sheet: error %v", format.CSV, err)
		}
		if err := next.Write([]Cell{TextCell("z")}); err == nil {
			t.Errorf("csv %v: a cell in a sheet of no column: no error", format.CSV)
		}
		if err := next.Write(nil); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if format.CSV {
			want := [][]string{{"a", "b"}, {"x", ""}, {"y", "2"}}
			if diff := cmp.Diff(want, readCSV(t, path, ',')); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
			continue
		}
		f := openXLSX(t, path)
		rows, err := f.GetRows("Jobs")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([][]string{{"a", "b"}, {"x"}, {"y", "2"}}, rows); diff != "" {
			t.Errorf("rows (-want +got):\n%s", diff)
		}
	}
}

func TestUniqueSheetName(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("abcdefghij", 4) // 40 characters
	tests := []struct {
		name  string
		pos   int
		taken []string
		want  string
	}{
		{"Invoices", 1, nil, "Invoices"},
		{"Invoices", 2, []string{"invoices"}, "Invoices (2)"},
		{"Invoices", 3, []string{"Invoices", "Invoices (2)"}, "Invoices (3)"},
		{"a:b\\c/d?e*f[g]h", 1, nil, "a_b_c_d_e_f_g_h"},
		{"'quoted'", 1, nil, "’quoted’"},
		{"Client's", 1, nil, "Client’s"},
		{"", 3, nil, "Sheet3"},
		{"   ", 1, nil, "Sheet1"},
		{"", 1, []string{"Sheet1"}, "Sheet1 (2)"},
		{"History", 1, nil, "History (2)"},
		{"history", 1, nil, "history (2)"},
		{long, 1, nil, long[:31]},
		{long, 2, []string{long[:31]}, long[:27] + " (2)"},
		{"tab\there\x00\x0b", 1, nil, "tab_here__"},
		{"bad\xffutf8", 1, nil, "bad_utf8"},
		{strings.Repeat("😀", 20), 1, nil, strings.Repeat("😀", 15)}, // 2 UTF-16 units each
		{"Été 2024", 1, nil, "Été 2024"},
	}
	for _, tt := range tests {
		got := uniqueSheetName(tt.name, tt.pos, tt.taken)
		if got != tt.want {
			t.Errorf("uniqueSheetName(%q, %d, %q) = %q, want %q", tt.name, tt.pos, tt.taken, got, tt.want)
		}
	}

	// Excel's rules, in a workbook.
	path := filepath.Join(t.TempDir(), "names.xlsx")
	var sheets []tableSheet
	for _, n := range []string{"Data", "data", "a/b", "", "History", long, long} {
		sheets = append(sheets, tableSheet{n, []Column{{"h", KindText}}, [][]Cell{{TextCell(n)}}})
	}
	writeTable(t, path, TableFormat{}, sheets)
	want := []string{"Data", "data (2)", "a_b", "Sheet4", "History (2)", long[:31], long[:27] + " (2)"}
	if diff := cmp.Diff(want, openXLSX(t, path).GetSheetList()); diff != "" {
		t.Errorf("sheets (-want +got):\n%s", diff)
	}
}

// A workbook closed with no sheet: XLSX holds one empty sheet, CSV is an
// empty file.
func TestTableNoSheet(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	x := writeTable(t, filepath.Join(dir, "e.xlsx"), TableFormat{}, nil)
	if diff := cmp.Diff([]string{newBookSheet}, openXLSX(t, x.Files()[0]).GetSheetList()); diff != "" {
		t.Errorf("sheets (-want +got):\n%s", diff)
	}
	c := writeTable(t, filepath.Join(dir, "e.csv"), TableFormat{CSV: true, BOM: true}, nil)
	if b, err := os.ReadFile(c.Files()[0]); err != nil || len(b) != 0 {
		t.Errorf("CSV with no sheet: %q (%v), want an empty file", b, err)
	}
}

// Dates Excel cannot hold as dates are written as text.
func TestTableDatesOutOfRange(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "d.xlsx")
	rows := [][]Cell{
		{DateCell(day(1899, 12, 31, time.UTC))},
		{DateCell(day(1900, 1, 1, time.UTC))},
		{DateTimeCell(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC))},
		{DateCell(time.Time{})},
		{NumberCell(5)}, // a number, not shown as the date of its column
	}
	writeTable(t, path, TableFormat{}, []tableSheet{{"D", []Column{{"d", KindDate}}, rows}})
	f := openXLSX(t, path)
	for _, c := range []struct {
		ref        string
		typ        excelize.CellType
		raw, shown string
	}{
		{"A2", excelize.CellTypeInlineString, "1899-12-31", "1899-12-31"},
		{"A3", excelize.CellTypeUnset, "1", "1900-01-01"},
		{"A4", excelize.CellTypeInlineString, "10000-01-01 00:00:00", "10000-01-01 00:00:00"},
		{"A5", excelize.CellTypeUnset, "", ""},
		{"A6", excelize.CellTypeUnset, "5", "5"},
	} {
		typ, _ := f.GetCellType("D", c.ref)
		raw, _ := f.GetCellValue("D", c.ref, excelize.Options{RawCellValue: true})
		shown, _ := f.GetCellValue("D", c.ref)
		if typ != c.typ || raw != c.raw || shown != c.shown {
			t.Errorf("%s: type %v, raw %q, shown %q; want type %v, raw %q, shown %q", c.ref, typ, raw, shown, c.typ, c.raw, c.shown)
		}
	}
	// The date column is formatted as dates, for cells typed in later.
	if st, err := f.GetColStyle("D", "A"); err != nil || st == 0 {
		t.Errorf("column A style %d (%v), want the date style", st, err)
	}
}

func TestCell(t *testing.T) {
	t.Parallel()
	tests := []struct {
		c     Cell
		str   string
		empty bool
		json  string
	}{
		{Cell{}, "", true, `{}`},
		{TextCell("a"), "a", false, `{"s":"a"}`},
		{NumberCell(0), "0", false, `{"k":1}`},
		{NumberCell(213.65), "213.65", false, `{"k":1,"n":213.65}`},
		{NumberCell(1e21), "1000000000000000000000", false, `{"k":1,"n":1e+21}`},
		{DateCell(time.Date(2018, 5, 2, 13, 45, 0, 0, time.UTC)), "2018-05-02", false, `{"k":2,"t":"2018-05-02T13:45:00Z"}`},
		{DateCell(time.Time{}), "", true, `{"k":2}`},
		{DateTimeCell(time.Date(2018, 5, 2, 13, 45, 7, 0, paris)), "2018-05-02 13:45:07", false, `{"k":3,"t":"2018-05-02T13:45:07+02:00"}`},
		{DateTimeCell(time.Time{}), "", true, `{"k":3}`},
		{Cell{Kind: 9, Text: "odd"}, "odd", false, `{"k":9,"s":"odd"}`},
	}
	for _, tt := range tests {
		if got := tt.c.String(); got != tt.str {
			t.Errorf("%#v.String() = %q, want %q", tt.c, got, tt.str)
		}
		if got := tt.c.IsEmpty(); got != tt.empty {
			t.Errorf("%#v.IsEmpty() = %v, want %v", tt.c, got, tt.empty)
		}
		b, err := json.Marshal(tt.c)
		if err != nil || string(b) != tt.json {
			t.Errorf("json %#v = %s (%v), want %s", tt.c, b, err, tt.json)
		}
		var back Cell
		if err := json.Unmarshal(b, &back); err != nil || back.String() != tt.c.String() || back.Kind != tt.c.Kind {
			t.Errorf("json %s read back as %#v (%v)", b, back, err)
		}
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if NumberCell(f).String() != strconv.FormatFloat(f, 'f', -1, 64) {
			t.Errorf("NumberCell(%v).String() = %q", f, NumberCell(f).String())
		}
	}
}

func TestXMLText(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"plain":           "plain",
		"a\x00b\x0bc\x1f": "abc",
		"tab\tlf\ncr\r":   "tab\tlf\ncr\r",
		"\uFFFE\uFFFF":    "",
		"\uFFFD":          "\uFFFD",
		"bad\xff\xfe":     "bad\uFFFD\uFFFD",
		"😀 é":             "😀 é",
	} {
		if got := xmlText(in); got != want {
			t.Errorf("xmlText(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzTableText writes any text as a sheet name, a header and a cell, to
// CSV and to XLSX, and reads it back.
func FuzzTableText(f *testing.F) {
	for _, s := range []string{"", "plain", "=1+1", "-", "\x00", "a\x0bb", "\r\n", " lead", "trail ", "_x0041_", "\xff", "'", "History", "[x]", strings.Repeat("é", 40), "\uFFFE"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 200 {
			t.Skip()
		}
		dir := t.TempDir()
		cols := []Column{{s, KindText}, {"n", KindNumber}}
		rows := [][]Cell{{TextCell(s), NumberCell(1)}}

		csvPath := filepath.Join(dir, "f.csv")
		c := writeTable(t, csvPath, TableFormat{CSV: true}, []tableSheet{{s, cols, rows}, {s, cols, rows}})
		// encoding/csv reads CR LF inside a quoted field as LF.
		field := strings.ReplaceAll(neutralise(s), "\r\n", "\n")
		files := c.Files()
		if len(files) != 2 || files[0] != csvPath || filepath.Dir(files[1]) != dir {
			t.Fatalf("CSV files %q", files)
		}
		for _, p := range files {
			recs := readCSV(t, p, ',')
			if diff := cmp.Diff([][]string{{field, "n"}, {field, "1"}}, recs); diff != "" {
				t.Errorf("%s: records (-want +got):\n%s", p, diff)
			}
		}

		xlsxPath := filepath.Join(dir, "f.xlsx")
		w := writeTable(t, xlsxPath, TableFormat{}, []tableSheet{{s, cols, rows}, {s, cols, rows}})
		x := openXLSX(t, w.Files()[0])
		list := x.GetSheetList()
		if len(list) != 2 || strings.EqualFold(list[0], list[1]) {
			t.Fatalf("sheets %q for name %q", list, s)
		}
		want := xmlText(s) // XLSX keeps the text; its cell is marked quotePrefix
		for _, ref := range []string{"A1", "A2"} {
			got, err := x.GetCellValue(list[1], ref)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("%s = %q, want %q", ref, got, want)
			}
		}
	})
}
