package readers

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func newStyle(t testing.TB, f *excelize.File, s *excelize.Style) int {
	t.Helper()
	id, err := f.NewStyle(s)
	must(t, err)
	return id
}

func strPtr(s string) *string { return &s }

// valuesWorkbook is a sheet as accountants and legacy exports leave them: a
// title, the header on row 3, dates and numbers in many formats, a formula,
// an empty row, a merged range and styled but empty rows at the bottom.
func valuesWorkbook(t testing.TB) string {
	f := excelize.NewFile()
	defer func() { _ = f.Close() }()
	must(t, f.SetSheetName("Sheet1", "Data"))
	const s = "Data"
	set := func(cell string, v any) { must(t, f.SetCellValue(s, cell, v)) }
	style := func(cell string, id int) { must(t, f.SetCellStyle(s, cell, cell, id)) }

	set("A1", "Customer export — do not edit")
	must(t, f.SetSheetRow(s, "A3", &[]any{"Code", "Since", "Visit", "Slot", "Amount", "Share", "Zip", "Total", "Ref", "Active", "Plain", "Big"}))

	shortDate := newStyle(t, f, &excelize.Style{NumFmt: 14})
	frDate := newStyle(t, f, &excelize.Style{CustomNumFmt: strPtr("dd/mm/yyyy")})
	frDateTime := newStyle(t, f, &excelize.Style{CustomNumFmt: strPtr(`[$-40C]dd/mm/yyyy\ hh:mm;@`)})
	clock := newStyle(t, f, &excelize.Style{NumFmt: 20})
	euro := newStyle(t, f, &excelize.Style{CustomNumFmt: strPtr(`#,##0.00\ "€";[Red]\-#,##0.00\ "€"`)})
	percent := newStyle(t, f, &excelize.Style{NumFmt: 10})
	zip := newStyle(t, f, &excelize.Style{CustomNumFmt: strPtr("00000")})
	thousands := newStyle(t, f, &excelize.Style{NumFmt: 4})

	set("A4", "C001")
	set("B4", time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC))
	style("B4", shortDate)
	set("C4", time.Date(2024, 3, 5, 14, 30, 0, 0, time.UTC))
	style("C4", frDateTime)
	set("D4", 0.34375) // 08:15
	style("D4", clock)
	set("E4", 0.1+0.2)
	style("E4", euro)
	set("F4", 0.15)
	style("F4", percent)
	set("G4", 1234)
	style("G4", zip)
	set("H4", 42.5)
	must(t, f.SetCellFormula(s, "H4", "E4*100+12.5"))
	set("I4", "00123")
	set("J4", true)
	set("K4", 1234567.891)
	style("K4", thousands)
	set("L4", 123456789012345)

	// row 5 is empty
	set("A6", "C002")
	set("B6", time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC))
	style("B6", frDate)
	set("E6", -5.5)
	style("E6", euro)
	set("I6", "merged")
	must(t, f.MergeCell(s, "I6", "J7"))
	set("K6", 1e-7)
	set("L6", 0.1*3)

	// Formatting applied far below the data leaves empty rows behind.
	filler := newStyle(t, f, &excelize.Style{Fill: excelize.Fill{Type: "pattern", Color: []string{"FFFF00"}, Pattern: 1}})
	must(t, f.SetCellStyle(s, "A8", "N40", filler))
	must(t, f.SetCellValue(s, "C25", ""))

	path := filepath.Join(t.TempDir(), "values.xlsx")
	must(t, f.SaveAs(path))
	return path
}

func TestXLSXValues(t *testing.T) {
	t.Parallel()
	src, err := OpenXLSX(valuesWorkbook(t), XLSXOptions{HeaderRow: 3})
	if err != nil {
		t.Fatal(err)
	}
	got := readAll(t, src)
	want := outcome{
		Header: []string{"Code", "Since", "Visit", "Slot", "Amount", "Share", "Zip", "Total", "Ref", "Active", "Plain", "Big"},
		Rows: []Row{
			{Num: 4, Cells: []string{"C001", "2024-03-05", "2024-03-05 14:30:00", "08:15:00", "0.3", "0.15", "01234", "42.5", "00123", "TRUE", "1234567.891", "123456789012345"}},
			{Num: 6, Cells: []string{"C002", "1999-12-31", "", "", "-5.5", "", "", "", "merged", "", "0.0000001", "0.3"}},
		},
		Lines: []string{"row 4", "row 6"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestXLSXHeaderRowDefaultSkipsEmptyRows(t *testing.T) {
	t.Parallel()
	// With the default header row the title on row 1 is the header.
	src, err := OpenXLSX(valuesWorkbook(t), XLSXOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := readAll(t, src)
	if want := []string{"Customer export — do not edit"}; !cmp.Equal(want, got.Header) {
		t.Errorf("header %q, want %q", got.Header, want)
	}
	// Row 3 holds names in columns that have none in the header.
	if len(got.Errs) != 3 || got.Errs[0].Row != 3 || got.Errs[0].Column != "B" {
		t.Errorf("errors %v", got.Errs)
	}
	if !strings.Contains(got.Errs[0].Error(), `values.xlsx:3: column B: cell B3 holds "Since" but column B has no name in the header`) {
		t.Errorf("error text %q", got.Errs[0].Error())
	}
}

// patchPart rewrites one part of a workbook, for what excelize itself
// would not write.
func patchPart(t testing.TB, path, part string, edit func(string) string) {
	t.Helper()
	old, err := zip.OpenReader(path)
	must(t, err)
	defer func() { _ = old.Close() }()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, zf := range old.File {
		r, err := zf.Open()
		must(t, err)
		b, err := io.ReadAll(r)
		must(t, err)
		if zf.Name == part {
			b = []byte(edit(string(b)))
		}
		zw, err := w.Create(zf.Name)
		must(t, err)
		_, err = zw.Write(b)
		must(t, err)
	}
	must(t, w.Close())
	must(t, os.WriteFile(path, buf.Bytes(), 0o600))
}

// patchSheet replaces the sheetData of sheet1.
func patchSheet(t testing.TB, path, sheetData string) {
	t.Helper()
	patchPart(t, path, "xl/worksheets/sheet1.xml", func(s string) string {
		if j := strings.Index(s, "<sheetData/>"); j >= 0 {
			return s[:j] + sheetData + s[j+len("<sheetData/>"):]
		}
		i, j := strings.Index(s, "<sheetData"), strings.Index(s, "</sheetData>")
		return s[:i] + sheetData + s[j+len("</sheetData>"):]
	})
}

// TestXLSXRawCells covers cells as Excel writes them: numeric formula
// results, error values, inline strings, rows without numbers, and the
// 1904 date system of old Mac workbooks.
func TestXLSXRawCells(t *testing.T) {
	t.Parallel()
	f := excelize.NewFile()
	dateStyle := newStyle(t, f, &excelize.Style{NumFmt: 14})
	must(t, f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: boolPtr(true)}))
	path := filepath.Join(t.TempDir(), "raw.xlsx")
	must(t, f.SaveAs(path))
	must(t, f.Close())
	patchSheet(t, path, fmt.Sprintf(`<sheetData>`+
		`<row><c t="inlineStr"><is><t>Sum</t></is></c><c t="inlineStr"><is><t>Error</t></is></c><c t="inlineStr"><is><t>Day</t></is></c></row>`+
		`<row><c><f>0.1+0.2</f><v>0.30000000000000004</v></c><c t="e"><f>NA()</f><v>#N/A</v></c><c s="%d"><v>40000</v></c></row>`+
		`<row r="9"><c r="A9"><v>1.0000000000000002</v></c><c r="C9" s="%d"><v>45000.75</v></c></row>`+
		`</sheetData>`, dateStyle, dateStyle))
	src, err := OpenXLSX(path, XLSXOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := readAll(t, src)
	want := outcome{
		Header: []string{"Sum", "Error", "Day"},
		Rows: []Row{
			{Num: 2, Cells: []string{"0.3", "#N/A", time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 40000).Format(time.DateOnly)}},
			{Num: 9, Cells: []string{"1", "", "2027-03-16"}},
		},
		Lines: []string{"row 2", "row 9"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func boolPtr(b bool) *bool { return &b }

func sheetsWorkbook(t testing.TB) string {
	f := excelize.NewFile()
	defer func() { _ = f.Close() }()
	must(t, f.SetSheetName("Sheet1", "Hidden"))
	for _, name := range []string{"Data", "Other"} {
		_, err := f.NewSheet(name)
		must(t, err)
	}
	must(t, f.SetSheetRow("Hidden", "A1", &[]any{"secret"}))
	must(t, f.SetSheetRow("Hidden", "A2", &[]any{"x"}))
	must(t, f.SetSheetRow("Data", "A1", &[]any{"k", "v"}))
	must(t, f.SetSheetRow("Data", "A2", &[]any{"a", 1}))
	must(t, f.SetSheetRow("Data", "A3", &[]any{"b", 2}))
	must(t, f.SetSheetRow("Other", "A1", &[]any{"other"}))
	must(t, f.SetSheetRow("Other", "A2", &[]any{"o"}))
	must(t, f.AddChartSheet("Chart", &excelize.Chart{Type: excelize.Col, Series: []excelize.ChartSeries{
		{Name: "Data!$B$1", Categories: "Data!$A$2:$A$3", Values: "Data!$B$2:$B$3"}}}))
	f.SetActiveSheet(1)
	path := filepath.Join(t.TempDir(), "sheets.xlsx")
	must(t, f.SaveAs(path))

	// Put the chart sheet first and hide a sheet (excelize's MoveSheet and
	// SetSheetVisible do not handle chart sheets).
	patchPart(t, path, "xl/workbook.xml", func(s string) string {
		s = strings.Replace(s, `<sheet name="Hidden"`, `<sheet state="hidden" name="Hidden"`, 1)
		i := strings.Index(s, `<sheet name="Chart"`)
		j := i + strings.Index(s[i:], "</sheet>") + len("</sheet>")
		chart := s[i:j]
		s = s[:i] + s[j:]
		k := strings.Index(s, "<sheets>") + len("<sheets>")
		return s[:k] + chart + s[k:]
	})
	return path
}

func TestXLSXSheetChoice(t *testing.T) {
	t.Parallel()
	path := sheetsWorkbook(t)
	tests := []struct {
		name       string
		opts       XLSXOptions
		wantHeader string
		wantErr    string
	}{
		{name: "first visible worksheet, chart sheet skipped", wantHeader: "k,v"},
		{name: "by name", opts: XLSXOptions{Sheet: "Other"}, wantHeader: "other"},
		{name: "by name, any case", opts: XLSXOptions{Sheet: "oTHER"}, wantHeader: "other"},
		{name: "hidden by name", opts: XLSXOptions{Sheet: "Hidden"}, wantHeader: "secret"},
		{name: "by index", opts: XLSXOptions{SheetIndex: 4}, wantHeader: "other"},
		{name: "unknown name", opts: XLSXOptions{Sheet: "Customers"},
			wantErr: `sheets.xlsx: no sheet named "Customers"; the sheets are "Chart", "Hidden", "Data", "Other"`},
		{name: "index too large", opts: XLSXOptions{SheetIndex: 5},
			wantErr: `sheets.xlsx: no sheet 5: the workbook has 4 ("Chart", "Hidden", "Data", "Other")`},
		{name: "chart sheet by index", opts: XLSXOptions{SheetIndex: 1}, wantErr: `sheet 1 ("Chart") is a chart sheet`},
		{name: "chart sheet by name", opts: XLSXOptions{Sheet: "chart"}, wantErr: `sheet "Chart" is a chart sheet`},
		{name: "both", opts: XLSXOptions{Sheet: "Data", SheetIndex: 3}, wantErr: "not both"},
		{name: "negative header row", opts: XLSXOptions{HeaderRow: -1}, wantErr: "header row -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src, err := OpenXLSX(path, tt.opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			o := readAll(t, src)
			if got := strings.Join(o.Header, ","); got != tt.wantHeader {
				t.Errorf("header %q, want %q", got, tt.wantHeader)
			}
		})
	}
}

func TestXLSXHeaderErrors(t *testing.T) {
	t.Parallel()
	f := excelize.NewFile()
	must(t, f.SetSheetRow("Sheet1", "A1", &[]any{"Code", "City", "", "Name", " City "}))
	path := filepath.Join(t.TempDir(), "customers.xlsx")
	must(t, f.SaveAs(path))
	must(t, f.Close())
	_, err := OpenXLSX(path, XLSXOptions{})
	want := `customers.xlsx: sheet "Sheet1": header: column B and E are both named "City"`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v, want %q", err, want)
	}
}

func TestXLSXBrokenFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		must(t, os.WriteFile(p, b, 0o600))
		return p
	}
	var emptyZip bytes.Buffer
	must(t, zip.NewWriter(&emptyZip).Close())
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"text.xlsx", []byte("a,b\n1,2\n"), "text.xlsx: not a readable workbook"},
		{"empty.xlsx", nil, "empty.xlsx: not a readable workbook"},
		{"emptyzip.xlsx", emptyZip.Bytes(), "emptyzip.xlsx: "},
		{"ole.xlsx", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 600)...), "ole.xlsx: not a readable workbook"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := OpenXLSX(write(tt.name, tt.data), XLSXOptions{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestXLSXUnzipLimit checks that a part unpacking past the limit is refused.
func TestXLSXUnzipLimit(t *testing.T) {
	t.Parallel()
	f := excelize.NewFile()
	big := strings.Repeat("x", 30_000)
	for r := 1; r <= 400; r++ {
		must(t, f.SetCellValue("Sheet1", fmt.Sprintf("A%d", r), fmt.Sprintf("%s%d", big[:1000], r)))
	}
	path := filepath.Join(t.TempDir(), "bomb.xlsx")
	must(t, f.SaveAs(path))
	must(t, f.Close())
	_, err := openXLSX(path, XLSXOptions{}, 64<<10, 16<<10)
	if err == nil || !strings.Contains(err.Error(), "bomb.xlsx: not a readable workbook: it unpacks to more than 64 KiB") {
		t.Errorf("err = %v, want a size limit error naming the file", err)
	}
	src, err := openXLSX(path, XLSXOptions{}, 64<<20, 16<<10) // parts spill to temporary files
	if err != nil {
		t.Fatal(err)
	}
	if o := readAll(t, src); len(o.Rows) != 399 {
		t.Errorf("read %d rows, want 399", len(o.Rows))
	}
}

// corpusCase is what a workbook of the shared corpus must give.
type corpusCase struct {
	opts    XLSXOptions
	header  string // names joined by "|", or a prefix of it ending in "…"
	rows    int
	errs    int    // row errors
	openErr string // a refusal: the header breaks the rules
}

// corpus lists every workbook of the corpus. Most are not tables with one
// header row; their options say where the table is.
var corpus = map[string]corpusCase{
	"badfile_noWorkbookRels.xlsx":       {openErr: `the workbook is damaged: sheet "Tabelle1" is listed but its cells cannot be found`},
	"badfile_noWorksheets.xlsx":         {openErr: `the workbook is damaged: sheet "Tabelle1" is listed but its cells cannot be found`},
	"color_stylesheet.xlsx":             {header: "", rows: 0},
	"empty_cells.xlsx":                  {header: "B1|C1|D1", rows: 0, errs: 3}, // A2:A4 hold values under no name
	"empty_rows.xlsx":                   {header: "A3|B3", rows: 1},
	"empty_rows_in_the_rest.xlsx":       {header: "1|2|3|4|5|6", rows: 0},
	"file_with_broken_hyperlinks.xlsx":  {header: "Hyperlink Text", rows: 1},
	"file_with_hyperlinks.xlsx":         {header: "https://www.google.com", rows: 1},
	"googleDocsTest.xlsx":               {header: "This is a test spreadsheet|It has a couple of columns", rows: 1},
	"inlineStrings.xlsx":                {opts: XLSXOptions{HeaderRow: 10}, header: "Date|Campaign|Impressions|Clicks|CTR|…", rows: 26, errs: 1},
	"issue574.xlsx":                     {header: "产品|推广期|媒体|广告位|推广计划名称|推广单元名称|关键词名称|访问URL|修改访问URL", rows: 3},
	"macExcelTest.xlsx":                 {header: "编号", rows: 0},
	"macNumbersTest.xlsx":               {header: "编号", rows: 0},
	"max_sheet_name_length.xlsx":        {header: "This file was created by Microsoft Excel 2007", rows: 0},
	"merged_cells.xlsx":                 {header: "Date|Product|Quantity", rows: 6},
	"merged_cells2.xlsx":                {header: "A0A1|B0|C0|D0E0D1E1", rows: 1, errs: 1},
	"namespaced.xlsx":                   {openErr: `header: column A and B are both named "w"`},
	"noStylesAndSharedStringsTest.xlsx": {opts: XLSXOptions{HeaderRow: 2}, header: "Activity|StartTime [ISO8601]|Duration [s]|…", rows: 2604},
	"original.xlsx":                     {header: "Column A|Column B|Column C", rows: 4},
	"panic_test.xlsx":                   {opts: XLSXOptions{HeaderRow: 4}, header: "商户订单号(非必填)|收款账号(个人银行卡号)|…", rows: 2},
	"testFileToSlice.xlsx":              {header: "", rows: 0},
	"testFileToSliceValueOnly.xlsx":     {header: "Foo|Bar", rows: 1},
	"testcelltypes.xlsx":                {header: "hello world|string", rows: 7},
	"testchartsheet.xlsx":               {header: "Value", rows: 4},
	"testfile.xlsx":                     {header: "Foo|Bar", rows: 1},
	"testhyperlinks.xlsx":               {header: "Name|Date|Number|Formula", rows: 3},
	"testrels.xlsx":                     {header: "I am Dave", rows: 0},
	"tutorial_samplefile.xlsx":          {header: "Name|Date|Number|Formula", rows: 3},
	"v3.xlsx":                           {opts: XLSXOptions{HeaderRow: 4}, header: "真实姓名|身份证号|打款金额|手机号|卡号", rows: 1},
	"wpsBlankLineTest.xlsx":             {header: "编号", rows: 1, errs: 1},
}

// TestXLSXCorpus opens every workbook of the shared corpus: the good ones
// give their rows, the broken ones a clear error, none a panic.
func TestXLSXCorpus(t *testing.T) {
	t.Parallel()
	dir := sharedTestdata(t, "xlsx-corpus")
	files, err := filepath.Glob(filepath.Join(dir, "*.xlsx"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no workbooks in %s: %v", dir, err)
	}
	for _, path := range files {
		name := filepath.Base(path)
		tc, ok := corpus[name]
		if !ok {
			t.Errorf("%s is not in the corpus table: add what it must give", name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			// Every sheet, with default options, must never panic nor fail
			// without naming the file.
			for i := 1; ; i++ {
				src, err := OpenXLSX(path, XLSXOptions{SheetIndex: i})
				if err != nil {
					if !strings.Contains(err.Error(), name) {
						t.Errorf("sheet %d: error %q does not name the file", i, err)
					}
					if strings.Contains(err.Error(), "no sheet") {
						break
					}
					continue
				}
				readAll(t, src)
			}

			src, err := OpenXLSX(path, tc.opts)
			if tc.openErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.openErr) || !strings.HasPrefix(err.Error(), path+": ") {
					t.Fatalf("err = %v, want %q after the file name", err, tc.openErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			o := readAll(t, src)
			header := strings.Join(o.Header, "|")
			if prefix, ok := strings.CutSuffix(tc.header, "…"); ok {
				if !strings.HasPrefix(header, prefix) {
					t.Errorf("header %q, want it to start with %q", header, prefix)
				}
			} else if header != tc.header {
				t.Errorf("header %q, want %q", header, tc.header)
			}
			if len(o.Rows) != tc.rows || len(o.Errs) != tc.errs {
				t.Errorf("%d rows and %d row errors, want %d and %d; errors: %v", len(o.Rows), len(o.Errs), tc.rows, tc.errs, o.Errs)
			}
			for _, e := range o.Errs {
				if e.File != path {
					t.Errorf("row error names %q", e.File)
				}
			}
		})
	}
}

func TestXLSXCloseTwice(t *testing.T) {
	t.Parallel()
	src, err := OpenXLSX(valuesWorkbook(t), XLSXOptions{})
	if err != nil {
		t.Fatal(err)
	}
	must(t, src.Close())
	must(t, src.Close())
}

// A cell holding line breaks stays in its sheet row: the rows below keep
// the sheet's numbers, as CSV records keep theirs.
func TestXLSXLineBreaksInCells(t *testing.T) {
	t.Parallel()
	f := excelize.NewFile()
	defer func() { _ = f.Close() }()
	must(t, f.SetSheetRow("Sheet1", "A1", &[]any{"Code", "Address"}))
	must(t, f.SetSheetRow("Sheet1", "A2", &[]any{"C1", "12 rue Mercière\nBât. B\r\n2e étage"}))
	must(t, f.SetSheetRow("Sheet1", "A4", &[]any{"C2", "3 place Bellecour"}))
	path := filepath.Join(t.TempDir(), "breaks.xlsx")
	must(t, f.SaveAs(path))

	src, err := OpenXLSX(path, XLSXOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := readAll(t, src)
	if diff := cmp.Diff([]string{"row 2", "row 4"}, got.Lines); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}
